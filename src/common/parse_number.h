/*
 * parse_number.h - strict decimal numbers from the command line, shared by
 * every mtamon program.
 */
#ifndef MTAMON_PARSE_NUMBER_H
#define MTAMON_PARSE_NUMBER_H

#include <stdint.h>

/**
 * Parse @p text as a decimal unsigned integer in [@p min, @p max]: digits
 * only (no sign, space or suffix).  Returns 0 and sets *@p out, or -1.
 */
int parse_number_uint(const char *text, uint64_t min, uint64_t max,
                      uint64_t *out);

/**
 * Parse @p text as a duration in decimal seconds ("10", "0.25", "1.5")
 * into milliseconds in [@p min_ms, @p max_ms]: digits, then optionally
 * '.' and one to three digits (a finer value is refused, not rounded); no
 * sign, space, exponent or suffix.  Returns 0 and sets *@p out_ms, or -1
 * (then *@p out_ms is untouched).
 */
int parse_number_ms(const char *text, uint64_t min_ms, uint64_t max_ms,
                    uint64_t *out_ms);

/** Most digits parse_number_decimal() takes (all of them exact in a double). */
#define PARSE_NUMBER_DECIMAL_DIGITS 15

/**
 * Parse @p text as a non-negative decimal number ("10", "2.5", "0.25"):
 * digits, then optionally '.' and one or more digits, at most
 * PARSE_NUMBER_DECIMAL_DIGITS digits in all; no sign, space, exponent,
 * "inf", "nan" or suffix, and the same in every locale.  The result is
 * the double nearest to the text (as strtod() in the C locale gives).
 * Returns 0 and sets *@p out, or -1 (then *@p out is untouched).
 */
int parse_number_decimal(const char *text, double *out);

#endif /* MTAMON_PARSE_NUMBER_H */
