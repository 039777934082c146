/*
 * sim_rng.c - the deterministic random numbers of `mtamon simulate` (see
 * sim_rng.h).
 */
#include "sim_rng.h"

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
    uint64_t z = seed + UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    z ^= z >> 31;
    r->state = z ? z : 1; /* xorshift must not start at 0 */
}

uint64_t sim_rng_next(struct sim_rng *r)
{
    uint64_t x = r->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    return x * UINT64_C(0x2545f4914f6cdd1d);
}

/* Uniform in [0, n), n > 0 (the modulo bias is irrelevant here). */
uint32_t sim_rng_below(struct sim_rng *r, uint32_t n)
{
    return (uint32_t)((sim_rng_next(r) >> 32) % n);
}

/* True with a probability of @p per_mille / 1000. */
int sim_rng_chance(struct sim_rng *r, uint32_t per_mille)
{
    return sim_rng_below(r, 1000) < per_mille;
}

/* Uniform in [lo, hi]. */
uint32_t sim_rng_range(struct sim_rng *r, uint32_t lo, uint32_t hi)
{
    return lo + sim_rng_below(r, hi - lo + 1);
}
