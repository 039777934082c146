/*
 * parse_number.c - strict decimal numbers from the command line.
 */
#include <errno.h>
#include <stdlib.h>

#include "parse_number.h"

int parse_number_uint(const char *text, uint64_t min, uint64_t max,
                      uint64_t *out)
{
    if (!text || !(*text >= '0' && *text <= '9'))
        return -1; /* strtoull would accept " -1" */
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = (uint64_t)v;
    return 0;
}
