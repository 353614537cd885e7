/* A packet program: it sums the packet's bytes through a bpf-to-bpf call, weighs them with a
 * read-only table (global data), keeps a running total in a BTF-defined array map with an
 * atomic add, and counts packets in a global variable. The context holds the packet's start
 * and end addresses, as rbpf's fixed metadata buffer flavour lays them out. */
#include "sbvm_bpf.h"

struct packet {
	__u64 data;
	__u64 data_end;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

static const __u8 weights[4] = {1, 2, 3, 4};
/* Initialized, so in .data; last_sum is zero, so in .bss. */
__u64 packets_seen = 100;
__u64 last_sum;

static __noinline __u64 weighted_sum(const __u8 *data, const __u8 *end)
{
	__u64 sum = 0;
	for (int i = 0; i < 64; i++) {
		if (data + i + 1 > end)
			break;
		sum += (__u64)data[i] * weights[i & 3];
	}
	return sum;
}

SEC("xdp")
int weigh_packet(struct packet *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	__u64 sum = weighted_sum(data, end);
	__u32 key = 0;
	__u64 *total = bpf_map_lookup_elem(&totals, &key);
	if (!total)
		return -1;
	__sync_fetch_and_add(total, sum);
	packets_seen += 1;
	last_sum = sum;
	return (int)sum;
}

char _license[] SEC("license") = "GPL";
