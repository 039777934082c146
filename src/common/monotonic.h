/*
 * monotonic.h - the monotonic clock in milliseconds, for intervals
 * (refreshes, saves, timeouts) that a change of the wall clock must not
 * stretch or shorten.
 */
#ifndef MTAMON_MONOTONIC_H
#define MTAMON_MONOTONIC_H

#include <stdint.h>

/** CLOCK_MONOTONIC now, in milliseconds (from an arbitrary origin). */
int64_t monotonic_ms(void);

#endif /* MTAMON_MONOTONIC_H */
