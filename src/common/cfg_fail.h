/*
 * cfg_fail.h - the messages of the mtamon.yaml loader (internal to
 * src/common): "FILE:LINE:COL: KEY: what is wrong", or "FILE: what is
 * wrong" for a file that cannot be read.  The key paths they name are
 * built by cfg_path.h.
 *
 * Every cfg_fail_*() writes its message only when the report has a
 * buffer, and returns -1, so a check can end with "return cfg_fail_...".
 */
#ifndef MTAMON_CFG_FAIL_H
#define MTAMON_CFG_FAIL_H

#include <stddef.h>

#include "mtamon_config.h"

/* Where a load's one message goes. */
struct cfg_report {
    const char *file;            /* the file name every message starts with */
    char *err;                   /* the caller's buffer, or NULL */
    size_t errlen;               /* its size */
};

/* Copy @p s (of @p len bytes) into @p out (@p outlen bytes) for a
 * message: control bytes become '?', and a long text is cut with "...". */
void cfg_fail_printable(const char *s, size_t len, char *out, size_t outlen);

/* "FILE:LINE:COL: KEY: message" (no "KEY: " when @p key is empty). */
__attribute__((format(printf, 5, 6)))
int cfg_fail_at(struct cfg_report *rep, unsigned line, unsigned col,
                const char *key, const char *fmt, ...);

/* cfg_fail_at() at the start mark of node @p n (see ytree.h). */
#define cfg_fail_node(rep, n, key, ...) \
    cfg_fail_at((rep), (n)->line, (n)->col, (key), __VA_ARGS__)

/* "FILE: message" for a file that cannot be read at all. */
__attribute__((format(printf, 2, 3)))
int cfg_fail_file(struct cfg_report *rep, const char *fmt, ...);

/* "FILE: out of memory". */
int cfg_fail_nomem(struct cfg_report *rep);

#endif /* MTAMON_CFG_FAIL_H */
