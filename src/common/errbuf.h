/*
 * errbuf.h - the one formatter of the (char *err, size_t errlen) error
 * buffers that functions outside libmtamon fill (HACKING.md: errors).
 */
#ifndef MTAMON_ERRBUF_H
#define MTAMON_ERRBUF_H

#include <stddef.h>

/**
 * Format into @p err (@p errlen bytes, truncated and NUL-terminated) when
 * the caller gave a buffer; nothing when @p err is NULL or @p errlen is 0.
 */
void errbuf_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* MTAMON_ERRBUF_H */
