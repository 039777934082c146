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

#endif /* MTAMON_PARSE_NUMBER_H */
