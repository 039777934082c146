/*
 * feed_text.h - the scanners the log parsers (parse_*.c) read a line
 * with: a line is [p, end), any bytes, never NUL-terminated, so every
 * scanner takes the end and never reads past it.
 */
#ifndef MTAMON_FEED_TEXT_H
#define MTAMON_FEED_TEXT_H

#include <stddef.h>
#include <string.h>

/** Whether @p c is an ASCII digit. */
static inline int feed_text_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/** Whether @p c is an ASCII letter or digit. */
static inline int feed_text_is_alnum(char c)
{
    return feed_text_is_digit(c) || (c >= 'A' && c <= 'Z') ||
           (c >= 'a' && c <= 'z');
}

/** Whether [p, end) starts with the @p n bytes of @p lit. */
static inline int feed_text_has_prefix(const char *p, const char *end,
                                       const char *lit, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/** Whether the @p n bytes at @p p are exactly the @p litn bytes of @p lit. */
static inline int feed_text_span_is(const char *p, size_t n, const char *lit,
                                    size_t litn)
{
    return n == litn && memcmp(p, lit, n) == 0;
}

/** The first occurrence of the @p n bytes of @p lit in [p, end), or NULL
 * (also when p >= end). */
const char *feed_text_find(const char *p, const char *end, const char *lit,
                           size_t n);

/** Read exactly @p n digits at *@p p (before @p end) into *@p out and
 * advance *@p p past them: 1.  0, *@p p and *@p out unchanged, if fewer
 * than @p n digits are there. */
int feed_text_digits(const char **p, const char *end, int n, int *out);

/** Copy [p, p+n) into @p dst of @p cap bytes (cap >= 1), cut to fit,
 * NUL-terminated. */
void feed_text_copy_bounded(char *dst, size_t cap, const char *p, size_t n);

#endif /* MTAMON_FEED_TEXT_H */
