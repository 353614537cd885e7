/* A kprobe that counts its calls per cpu in a legacy-map hash and prints through
 * bpf_trace_printk. The count for a key persists across runs of the same loaded program. */
#include "sbvm_bpf.h"

struct bpf_map_def SEC("maps") calls = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 16,
};

SEC("kprobe/sys_write")
int count_writes(void *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 one = 1;
	__u64 *count = bpf_map_lookup_elem(&calls, &cpu);
	if (!count) {
		bpf_map_update_elem(&calls, &cpu, &one, BPF_ANY);
		count = &one;
	} else {
		*count += 1;
	}
	char fmt[] = "sys_write called %llu times on cpu %u\n";
	bpf_trace_printk(fmt, sizeof(fmt), *count, cpu);
	return *count;
}

char _license[] SEC("license") = "GPL";
