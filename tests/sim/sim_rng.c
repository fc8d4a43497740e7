/* splitmix64: the simulator's only source of pseudo-randomness (seeded, reproducible). */
#include <stdio.h>

#include "sim.h"

void sim_rng_init(struct sim_rng *rng, uint64_t seed)
{
        rng->state = seed;
}

uint64_t sim_rng_next(struct sim_rng *rng)
{
        uint64_t z;

        rng->state += UINT64_C(0x9e3779b97f4a7c15);
        z = rng->state;
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

/* Lemire-free rejection sampling keeps the distribution exactly uniform. */
uint64_t sim_rng_below(struct sim_rng *rng, uint64_t n)
{
        uint64_t limit, x;

        if (n <= 1)
                return 0;
        limit = UINT64_MAX - (UINT64_MAX % n);
        do {
                x = sim_rng_next(rng);
        } while (x >= limit);
        return x % n;
}

void sim_rng_uuid(struct sim_rng *rng, char out[37])
{
        uint64_t hi = sim_rng_next(rng);
        uint64_t lo = sim_rng_next(rng);

        hi = (hi & ~UINT64_C(0xf000)) | UINT64_C(0x4000);           /* version 4 */
        lo = (lo & ~(UINT64_C(0xc) << 60)) | (UINT64_C(0x8) << 60); /* variant 10 */
        (void)snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned int)(hi >> 32),
                       (unsigned int)((hi >> 16) & 0xffff), (unsigned int)(hi & 0xffff),
                       (unsigned int)(lo >> 48),
                       (unsigned long long)(lo & UINT64_C(0xffffffffffff)));
}
