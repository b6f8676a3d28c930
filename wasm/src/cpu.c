/* cpu.c - CPU-bound workload: `cpu <iterations>` (default 1000000).
 *
 * Runs <iterations> xorshift64 steps (13/7/17) on a uint64_t state seeded with
 * 88172645463325252, accumulating into a sum, then prints:
 *   cpu iterations=<n> hash=<final state, unsigned decimal>
 *
 * Expected (verified with a native gcc build of the same loop):
 *   iterations=1000     -> hash=1363160026601443621
 *   iterations=1000000  -> hash=7290476056423008982
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

volatile uint64_t sink;

int main(int argc, char **argv) {
    uint64_t n = 1000000ULL;
    if (argc > 1) n = strtoull(argv[1], NULL, 10);

    uint64_t x = 88172645463325252ULL;
    uint64_t acc = 0;
    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x;
    }
    printf("cpu iterations=%" PRIu64 " hash=%" PRIu64 "\n", n, x);
    sink = acc; /* keep the accumulation observable; not part of the output */
    return 0;
}
