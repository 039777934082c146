/*
 * feed_text.c - the parsers' scanners over [p, end) (feed_text.h).
 */
#include "feed_text.h"

const char *feed_text_find(const char *p, const char *end, const char *lit,
                           size_t n)
{
    if (p >= end)
        return NULL;
    return memmem(p, (size_t)(end - p), lit, n);
}

int feed_text_digits(const char **p, const char *end, int n, int *out)
{
    if (end - *p < n)
        return 0;
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (!feed_text_is_digit(c))
            return 0;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

void feed_text_copy_bounded(char *dst, size_t cap, const char *p, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
}
