/*
 * config_report.h - the messages of the mtamon.yaml loader (internal to
 * src/common): "FILE:LINE:COL: KEY: what is wrong", or "FILE: what is
 * wrong" for a file that cannot be read, and the key paths ("KEY", such
 * as "channels[12].group_name") they name.
 *
 * Every cfg_fail_*() writes its message only when the report has a
 * buffer, and returns -1, so a check can end with "return cfg_fail_...".
 */
#ifndef MTAMON_CONFIG_REPORT_H
#define MTAMON_CONFIG_REPORT_H

#include <stddef.h>

#include "mtamon_config.h"

/* Where a load's one message goes. */
struct cfg_report {
    const char *file;            /* the file name every message starts with */
    char *err;                   /* CONFIG_ERROR_MAX bytes, or NULL */
};

/* Room for a key path such as "channels[12].group_name". */
#define KEY_PATH_MAX 160

/* Copy @p s (of @p len bytes) into @p out (@p outlen bytes) for a
 * message: control bytes become '?', and a long text is cut with "...". */
void cfg_printable(const char *s, size_t len, char *out, size_t outlen);

/* "FILE:LINE:COL: KEY: message" (no "KEY: " when @p key is empty). */
__attribute__((format(printf, 5, 6)))
int cfg_fail_at(struct cfg_report *rep, unsigned line, unsigned col,
                const char *key, const char *fmt, ...);

/* cfg_fail_at() at the start mark of node @p n (see yaml_tree.h). */
#define cfg_fail_node(rep, n, key, ...) \
    cfg_fail_at((rep), (n)->line, (n)->col, (key), __VA_ARGS__)

/* "FILE: message" for a file that cannot be read at all. */
__attribute__((format(printf, 2, 3)))
int cfg_fail_file(struct cfg_report *rep, const char *fmt, ...);

/* "FILE: out of memory". */
int cfg_fail_nomem(struct cfg_report *rep);

/* "parent" SEP "child" into @p out, cut to KEY_PATH_MAX - 1 bytes. */
void cfg_path_join(char out[KEY_PATH_MAX], const char *parent, const char *sep,
                   const char *child);

/* "parent.key" into @p out, for the key of @p len bytes at @p key (made
 * printable and bounded). */
void cfg_path_key(char out[KEY_PATH_MAX], const char *parent, const char *key,
                  size_t len);

/* "parent[i]" into @p out. */
void cfg_path_index(char out[KEY_PATH_MAX], const char *parent, size_t i);

#endif /* MTAMON_CONFIG_REPORT_H */
