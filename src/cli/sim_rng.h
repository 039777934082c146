/*
 * sim_rng.h - deterministic random numbers for `mtamon simulate`:
 * xorshift64*, seeded through splitmix64, so the same seed writes the
 * same traffic.
 */
#ifndef MTAMON_SIM_RNG_H
#define MTAMON_SIM_RNG_H

#include <stdint.h>

struct sim_rng {
    uint64_t state;
};

/** Start @p r from @p seed (any value, 0 included). */
void sim_rng_seed(struct sim_rng *r, uint64_t seed);

/** The next 64 random bits. */
uint64_t sim_rng_next(struct sim_rng *r);

/** Uniform in [0, n), n > 0 (the modulo bias is irrelevant here). */
uint32_t sim_rng_below(struct sim_rng *r, uint32_t n);

/** True with a probability of @p per_mille / 1000. */
int sim_rng_chance(struct sim_rng *r, uint32_t per_mille);

/** Uniform in [lo, hi]. */
uint32_t sim_rng_range(struct sim_rng *r, uint32_t lo, uint32_t hi);

#endif /* MTAMON_SIM_RNG_H */
