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

int parse_number_ms(const char *text, uint64_t min_ms, uint64_t max_ms,
                    uint64_t *out_ms)
{
    if (!text)
        return -1;
    const char *p = text;
    uint64_t ms = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        /* Beyond any useful duration: stop before the product overflows. */
        if (ms > UINT64_MAX / 10000)
            return -1;
        ms = ms * 10 + (uint64_t)(*p - '0');
    }
    if (digits == 0)
        return -1;
    ms *= 1000;
    if (*p == '.') {
        p++;
        uint64_t scale = 100;
        size_t decimals = 0;
        for (; *p >= '0' && *p <= '9'; p++, decimals++) {
            if (decimals == 3)
                return -1;
            ms += (uint64_t)(*p - '0') * scale;
            scale /= 10;
        }
        if (decimals == 0)
            return -1;
    }
    if (*p != '\0' || ms < min_ms || ms > max_ms)
        return -1;
    *out_ms = ms;
    return 0;
}

int parse_number_decimal(const char *text, double *out)
{
    if (!text)
        return -1;
    /* Digits as one integer and a power of ten: both exact in a double
     * (below 2^53 and 10^22), so the one division rounds correctly, and
     * no locale's decimal point matters as it would to strtod(). */
    uint64_t mantissa = 0;
    unsigned digits = 0, decimals = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        if (digits < PARSE_NUMBER_DECIMAL_DIGITS)
            mantissa = mantissa * 10 + (uint64_t)(*p - '0');
    if (digits == 0)
        return -1;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++, decimals++)
            if (digits < PARSE_NUMBER_DECIMAL_DIGITS)
                mantissa = mantissa * 10 + (uint64_t)(*p - '0');
        if (decimals == 0)
            return -1;
    }
    if (*p != '\0' || digits > PARSE_NUMBER_DECIMAL_DIGITS)
        return -1;
    double scale = 1;
    for (unsigned i = 0; i < decimals; i++)
        scale *= 10;
    *out = (double)mantissa / scale;
    return 0;
}
