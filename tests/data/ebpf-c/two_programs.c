/* Two program sections in one object: a loader given no section name cannot choose, and one
 * given a name runs that program. Each returns its own constant. */
#include "sbvm_bpf.h"

SEC("socket")
int first(void *ctx)
{
	return 1;
}

SEC("xdp")
int second(void *ctx)
{
	return 2;
}

char _license[] SEC("license") = "GPL";
