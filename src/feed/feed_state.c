/*
 * feed_state.c - the state file of `mtamon feed` (see follow.h): where
 * the last run stopped (device, inode, offset, a hash of the bytes before
 * it), parsed strictly and written through atomic_file_write().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "follow.h"
#include "hex_digit.h"

static const char state_magic[] = "mtamon-feed-state";

/* The fields after the magic line, in their fixed order. */
enum state_field { SF_DEVICE, SF_INODE, SF_OFFSET, SF_TAILLEN, SF_TAILHASH, SF_COUNT };
static const char *const state_keys[SF_COUNT] = {
    "device", "inode", "offset", "taillen", "tailhash",
};

/* A decimal number of 1..20 digits that fits in 64 bits. */
static int parse_u64(const char *p, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Exactly 16 lower- or upper-case hexadecimal digits. */
static int parse_hex64(const char *p, size_t len, uint64_t *out)
{
    if (len != 16)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        int d = hex_digit_value(p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

/* Take the next '\n'-terminated line of [*p, end); -1 if there is none. */
static int next_line(const char **p, const char *end, const char **line, size_t *len)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return -1;
    *line = *p;
    *len = (size_t)(nl - *p);
    *p = nl + 1;
    return 0;
}

int feed_state_text_check(const char *text, size_t len, char *why, size_t why_len)
{
    if (len == 0) {
        snprintf(why, why_len, "empty");
        return -1;
    }
    if (memchr(text, '\0', len)) {
        snprintf(why, why_len, "contains a NUL byte");
        return -1;
    }
    return 0;
}

int feed_state_parse(const char *text, size_t len, struct feed_state *st,
                     char *why, size_t why_len)
{
    const char *p = text;
    const char *end = text + len;
    const char *line;
    size_t n;

    if (feed_state_text_check(text, len, why, why_len) != 0)
        return -1;
    if (next_line(&p, end, &line, &n) != 0 || n != sizeof state_magic - 1 + 2 ||
        memcmp(line, state_magic, sizeof state_magic - 1) != 0 ||
        line[sizeof state_magic - 1] != ' ') {
        snprintf(why, why_len, "line 1: not \"%s 1\"", state_magic);
        return -1;
    }
    if (line[n - 1] != '1') {
        snprintf(why, why_len, "line 1: unsupported version '%c' (this is 1)", line[n - 1]);
        return -1;
    }

    uint64_t v[SF_COUNT];
    for (int f = 0; f < SF_COUNT; f++) {
        int lineno = f + 2;
        const size_t klen = strlen(state_keys[f]);
        if (next_line(&p, end, &line, &n) != 0) {
            snprintf(why, why_len, "line %d: missing '%s' (or no final newline)",
                     lineno, state_keys[f]);
            return -1;
        }
        if (n <= klen || memcmp(line, state_keys[f], klen) != 0 || line[klen] != ' ') {
            snprintf(why, why_len, "line %d: expected '%s N'", lineno, state_keys[f]);
            return -1;
        }
        int bad = f == SF_TAILHASH ? parse_hex64(line + klen + 1, n - klen - 1, &v[f])
                                   : parse_u64(line + klen + 1, n - klen - 1, &v[f]);
        if (bad) {
            snprintf(why, why_len, "line %d: %s is not %s", lineno, state_keys[f],
                     f == SF_TAILHASH ? "16 hexadecimal digits"
                                      : "a decimal number of 64 bits");
            return -1;
        }
    }
    if (p != end) {
        snprintf(why, why_len, "line %d: unexpected text after the last field",
                 SF_COUNT + 2);
        return -1;
    }
    uint64_t want_tail = v[SF_OFFSET] < FEED_STATE_TAIL_MAX ? v[SF_OFFSET]
                                                             : FEED_STATE_TAIL_MAX;
    if (v[SF_TAILLEN] != want_tail) {
        snprintf(why, why_len, "line %d: taillen %" PRIu64 " does not match offset %" PRIu64
                 " (expected %" PRIu64 ")", SF_TAILLEN + 2, v[SF_TAILLEN],
                 v[SF_OFFSET], want_tail);
        return -1;
    }
    if (v[SF_OFFSET] > (uint64_t)INT64_MAX) {
        snprintf(why, why_len, "line %d: offset too large", SF_OFFSET + 2);
        return -1;
    }
    st->device = v[SF_DEVICE];
    st->inode = v[SF_INODE];
    st->offset = v[SF_OFFSET];
    st->tail_len = (uint32_t)v[SF_TAILLEN];
    st->tail_hash = v[SF_TAILHASH];
    return 0;
}

int feed_state_format(const struct feed_state *st, char *buf, size_t len)
{
    int n = snprintf(buf, len,
                     "%s 1\ndevice %" PRIu64 "\ninode %" PRIu64 "\noffset %" PRIu64
                     "\ntaillen %" PRIu32 "\ntailhash %016" PRIx64 "\n",
                     state_magic, st->device, st->inode, st->offset, st->tail_len,
                     st->tail_hash);
    return n < 0 || (size_t)n >= len ? -1 : n;
}

enum feed_state_load_result feed_state_read(const char *path, char *text,
                                            size_t *lenp, char *err,
                                            size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return FEED_STATE_ABSENT;
        snprintf(err, errlen, "state file %s: %s", path, strerror(errno));
        return FEED_STATE_UNREADABLE;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "state file %s: not a regular file", path);
        close(fd);
        return FEED_STATE_MALFORMED;
    }
    const size_t cap = FEED_STATE_FILE_MAX + 1;
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, text + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "state file %s: %s", path, strerror(errno));
            close(fd);
            return FEED_STATE_UNREADABLE;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == cap)
            break;
    }
    close(fd);
    if (len > FEED_STATE_FILE_MAX) {
        snprintf(err, errlen, "state file %s: malformed: larger than %d bytes",
                 path, FEED_STATE_FILE_MAX);
        return FEED_STATE_MALFORMED;
    }
    *lenp = len;
    return FEED_STATE_LOADED;
}

enum feed_state_load_result feed_state_load(const char *path,
                                            struct feed_state *st,
                                            char *err, size_t errlen)
{
    char text[FEED_STATE_FILE_MAX + 1], why[160];
    size_t len = 0;
    enum feed_state_load_result r =
        feed_state_read(path, text, &len, err, errlen);
    if (r != FEED_STATE_LOADED)
        return r;
    if (feed_state_parse(text, len, st, why, sizeof why) != 0) {
        snprintf(err, errlen, "state file %s: malformed: %s", path, why);
        return FEED_STATE_MALFORMED;
    }
    return FEED_STATE_LOADED;
}

int feed_state_save(const char *path, const struct feed_state *st,
                    char *err, size_t errlen)
{
    char text[256], why[512];
    int len = feed_state_format(st, text, sizeof text);
    if (len < 0) {
        snprintf(err, errlen, "state file %s: cannot format it", path);
        return -1;
    }
    /* A temporary file of its own (a second feed saving the same state
     * file cannot truncate it under us), never a link followed. */
    if (atomic_file_write(path, 0644, text, (size_t)len, why, sizeof why) != 0) {
        snprintf(err, errlen, "state file %s", why);
        return -1;
    }
    return 0;
}
