/*
 * cfg_fail.c - the messages of the mtamon.yaml loader (see cfg_fail.h).
 */
#include "cfg_fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Copy @p s (of @p len bytes) into @p out for a message: control bytes
 * become '?', and a long text is cut with "...". */
void cfg_fail_printable(const char *s, size_t len, char *out, size_t outlen)
{
    size_t max = outlen - 1, o = 0;
    int cut = len > max;
    if (cut)
        max = outlen > 4 ? outlen - 4 : 0;
    for (size_t i = 0; i < len && o < max; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (cut) {
        /* Do not leave half a UTF-8 sequence before the "...". */
        while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
            o--;
        if (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
            o--;
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* "WHERE: [KEY: ]message" into rep->err; always -1. */
static int report(struct cfg_report *rep, const char *where, const char *key,
                  const char *fmt, va_list ap)
{
    if (!rep->err || !rep->errlen)
        return -1;
    char msg[CONFIG_ERROR_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (snprintf(rep->err, rep->errlen, "%s: %s%s%s", where, key,
                 *key ? ": " : "", msg) < 0)
        rep->err[0] = '\0';
    return -1;
}

/* "FILE:LINE:COL: KEY: message" (no "KEY: " when @p key is empty). */
int cfg_fail_at(struct cfg_report *rep, unsigned line, unsigned col,
                const char *key, const char *fmt, ...)
{
    char where[CONFIG_ERROR_MAX];
    snprintf(where, sizeof where, "%s:%u:%u", rep->file, line, col);
    va_list ap;
    va_start(ap, fmt);
    report(rep, where, key, fmt, ap);
    va_end(ap);
    return -1;
}

/* "FILE: message" for a file that cannot be read at all. */
int cfg_fail_file(struct cfg_report *rep, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(rep, rep->file, "", fmt, ap);
    va_end(ap);
    return -1;
}

int cfg_fail_nomem(struct cfg_report *rep)
{
    return cfg_fail_file(rep, "out of memory");
}
