/*
 * probe_imap.c - IMAP client pieces shared by the IMAP dialog and the
 * round trip's mailbox (RFC 3501).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe_imap.h"

int probe_imap_quote(const char *s, char *buf, size_t len)
{
    size_t o = 0;
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\r' || ch == '\n' || ch >= 0x80)
            return 1;
    }
    if (len < 3)
        return -1;
    buf[o++] = '"';
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            if (o + 1 >= len)
                return -1;
            buf[o++] = '\\';
        }
        if (o + 1 >= len)
            return -1;
        buf[o++] = *p;
    }
    if (o + 2 > len)
        return -1;
    buf[o++] = '"';
    buf[o] = '\0';
    return 0;
}

int probe_imap_has_cap(const struct probe_imap *im, const char *cap)
{
    char word[80];
    snprintf(word, sizeof word, " %s ", cap);
    for (char *p = word; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return im->have_caps && strstr(im->caps, word) != NULL;
}

/* Keep the capability list @p s (up to ']' or the end). */
static void keep_caps(struct probe_imap *im, const char *s)
{
    size_t o = 0;
    im->caps[o++] = ' ';
    for (; *s && *s != ']' && o + 2 < sizeof im->caps; s++)
        im->caps[o++] = (char)toupper((unsigned char)*s);
    im->caps[o++] = ' ';
    im->caps[o] = '\0';
    im->have_caps = 1;
}

/* A "[CAPABILITY ...]" response code at the start of @p text. */
static void code_caps(struct probe_imap *im, const char *text)
{
    if (strncasecmp(text, "[CAPABILITY ", 12) == 0)
        keep_caps(im, text + 12);
}

/* The literal size announced at the end of @p line ("{12}" or "{12+}"),
 * -1 when there is none. */
static long literal_size(const char *line, size_t len)
{
    if (len < 3 || line[len - 1] != '}')
        return -1;
    size_t i = len - 1;
    if (line[i - 1] == '+')   /* len >= 3: i >= 2 */
        i--;
    size_t end = i;
    while (i > 0 && isdigit((unsigned char)line[i - 1]))
        i--;
    if (i == end || i == 0 || line[i - 1] != '{' || end - i > 9)
        return -1;
    return strtol(line + i, NULL, 10);
}

struct response {
    char text[PROBE_IMAP_LINE_MAX];
    char lits[PROBE_IMAP_LITERALS_MAX][PROBE_IMAP_LITERAL_MAX + 1];
    struct probe_imap_untagged u;
};

/* Read one whole response (line, literals, continuation lines). */
static int read_response(struct probe_imap *im, struct response *r, int64_t deadline_ms,
                         char *err, size_t errlen)
{
    size_t pos = 0;
    memset(&r->u, 0, sizeof r->u);
    r->u.text = r->text;
    for (;;) {
        long n = probe_conn_read_line(im->c, r->text + pos, sizeof r->text - pos,
                                      deadline_ms, err, errlen);
        if (n < 0)
            return -1;
        pos += (size_t)n;
        long lit = literal_size(r->text, pos);
        if (lit < 0)
            return 0;
        size_t k = r->u.n_lits;
        size_t keep = (size_t)lit;
        if (k < PROBE_IMAP_LITERALS_MAX && keep <= PROBE_IMAP_LITERAL_MAX) {
            if (probe_conn_read_exact(im->c, r->lits[k], keep, deadline_ms, err, errlen) < 0)
                return -1;
            r->lits[k][keep] = '\0';
        } else {  /* too many or too long: read past it, keep nothing */
            char sink[512];
            if (k < PROBE_IMAP_LITERALS_MAX)
                r->lits[k][0] = '\0';
            for (size_t left = (size_t)lit; left > 0;) {
                size_t chunk = left < sizeof sink ? left : sizeof sink;
                if (probe_conn_read_exact(im->c, sink, chunk, deadline_ms, err, errlen) < 0)
                    return -1;
                left -= chunk;
            }
            keep = 0;
        }
        if (k < PROBE_IMAP_LITERALS_MAX) {
            r->u.lit[k] = r->lits[k];
            r->u.lit_len[k] = keep;
            r->u.n_lits++;
        }
        if (pos + 1 >= sizeof r->text) {
            snprintf(err, errlen, "response too long");
            return -1;
        }
    }
}

int probe_imap_greeting(struct probe_imap *im, int64_t deadline_ms, struct probe_check *check,
                        const char *step, const char *what)
{
    char err[PROBE_ERROR_MAX];
    struct response *r = malloc(sizeof *r);
    if (!r) {
        probe_fail_in(check, step, what, "out of memory");
        return -1;
    }
    int rc = -1;
    if (read_response(im, r, deadline_ms, err, sizeof err) < 0)
        probe_fail_in(check, step, what, "%s", err);
    else if (strncasecmp(r->text, "* OK", 4) == 0 && (r->text[4] == ' ' || !r->text[4])) {
        code_caps(im, r->text[4] ? r->text + 5 : "");
        rc = 0;
    } else if (strncasecmp(r->text, "* PREAUTH", 9) == 0 &&
               (r->text[9] == ' ' || !r->text[9])) {
        code_caps(im, r->text[9] ? r->text + 10 : "");
        im->preauth = 1;
        rc = 0;
    } else if (strncasecmp(r->text, "* BYE", 5) == 0 && (r->text[5] == ' ' || !r->text[5]))
        probe_fail_in(check, step, what, "BYE %s", r->text[5] ? r->text + 6 : "");
    else
        probe_fail_in(check, step, what, "not an IMAP greeting: %s", r->text);
    free(r);
    return rc;
}

/* The tagged response "TAG STATUS text": 0 OK, 1 NO/BAD (status and
 * text in @p status / @p text), -1 not this tag. */
static int tagged(const char *line, const char *tag, const char **status, const char **text)
{
    size_t n = strlen(tag);
    if (strncmp(line, tag, n) != 0 || line[n] != ' ')
        return -1;
    const char *s = line + n + 1;
    const char *e = strchr(s, ' ');
    size_t sl = e ? (size_t)(e - s) : strlen(s);
    *status = s;
    *text = e ? e + 1 : "";
    if (sl == 2 && strncasecmp(s, "OK", 2) == 0)
        return 0;
    return 1;
}

static int run_command(struct probe_imap *im, struct response *r, const char *tag,
                       int64_t deadline_ms, probe_imap_untagged_fn fn, void *ctx,
                       struct probe_check *check, const char *step, const char *what)
{
    char err[PROBE_ERROR_MAX];
    for (;;) {
        if (read_response(im, r, deadline_ms, err, sizeof err) < 0) {
            if (im->bye[0])
                probe_fail_in(check, step, what, "BYE %s", im->bye);
            else
                probe_fail_in(check, step, what, "%s", err);
            return -1;
        }
        const char *status, *text;
        int t = tagged(r->text, tag, &status, &text);
        if (t == 0) {
            code_caps(im, text);
            return 0;
        }
        if (t == 1) {
            size_t sl = strcspn(status, " ");
            probe_fail_in(check, step, what, "%.*s %s", (int)sl, status, text);
            return -1;
        }
        if (r->text[0] == '+') {  /* nothing of ours waits for one */
            probe_fail_in(check, step, what, "unexpected response: %s", r->text);
            return -1;
        }
        if (strncmp(r->text, "* ", 2) != 0)
            continue;  /* another tag's: not this command's answer */
        if (strncasecmp(r->text, "* CAPABILITY ", 13) == 0)
            keep_caps(im, r->text + 13);
        else if (strncasecmp(r->text, "* BYE", 5) == 0)
            snprintf(im->bye, sizeof im->bye, "%s", r->text[5] ? r->text + 6 : "");
        else if (strncasecmp(r->text, "* OK ", 5) == 0)
            code_caps(im, r->text + 5);
        if (fn)
            fn(ctx, &r->u);
    }
}

/* The next tag ("m1", "m2"...) into @p tag. */
static void next_tag(struct probe_imap *im, char *tag, size_t len)
{
    snprintf(tag, len, "m%u", ++im->next_tag);
}

/* Write the @p n bytes at @p p, a failure told as @p what's in @p step of
 * @p check: 0 or -1. */
static int send_bytes(struct probe_imap *im, const void *p, size_t n, int64_t deadline_ms,
                      struct probe_check *check, const char *step, const char *what)
{
    char err[PROBE_ERROR_MAX];
    if (probe_conn_write(im->c, p, n, deadline_ms, err, sizeof err) < 0) {
        probe_fail_in(check, step, what, "%s", err);
        return -1;
    }
    return 0;
}

int probe_imap_command(struct probe_imap *im, const char *cmd, int64_t deadline_ms,
                       probe_imap_untagged_fn fn, void *ctx, struct probe_check *check,
                       const char *step, const char *what)
{
    char tag[16];
    next_tag(im, tag, sizeof tag);
    size_t len = strlen(tag) + strlen(cmd) + 4;
    char *buf = malloc(len);
    struct response *r = malloc(sizeof *r);
    int rc = -1;
    if (!buf || !r) {
        probe_fail_in(check, step, what, "out of memory");
        goto out;
    }
    snprintf(buf, len, "%s %s\r\n", tag, cmd);
    if (send_bytes(im, buf, len - 1, deadline_ms, check, step, what) < 0)
        goto out;
    rc = run_command(im, r, tag, deadline_ms, fn, ctx, check, step, what);
out:
    free(buf);
    free(r);
    return rc;
}

int probe_imap_starttls(struct probe_imap *im, int64_t deadline_ms, struct probe_check *check,
                        const char *step, const char *what)
{
    char err[PROBE_ERROR_MAX];
    if (!im->have_caps &&
        probe_imap_command(im, "CAPABILITY", deadline_ms, NULL, NULL, check, step, what) < 0)
        return -1;
    if (!probe_imap_has_cap(im, "STARTTLS")) {
        probe_fail_in(check, step, what, "not offered");
        return -1;
    }
    if (probe_imap_command(im, "STARTTLS", deadline_ms, NULL, NULL, check, step, what) < 0)
        return -1;
    if (probe_conn_start_tls(im->c, deadline_ms, err, sizeof err) < 0) {
        probe_fail_in(check, step, what, "%s", err);
        return -1;
    }
    im->have_caps = 0;  /* RFC 3501 6.2.1: ask again after TLS */
    im->caps[0] = '\0';
    return 0;
}

/* Send @p s as a literal "{N}" at the end of the line @p head, wait for
 * the server's "+", then send its bytes. */
static int send_literal(struct probe_imap *im, struct response *r, const char *head,
                        const char *s, const char *tag, int64_t deadline_ms,
                        struct probe_check *check, const char *step, const char *what)
{
    char buf[128], err[PROBE_ERROR_MAX];
    int n = snprintf(buf, sizeof buf, "%s{%zu}\r\n", head, strlen(s));
    if (send_bytes(im, buf, (size_t)n, deadline_ms, check, step, what) < 0)
        return -1;
    if (read_response(im, r, deadline_ms, err, sizeof err) < 0) {
        probe_fail_in(check, step, what, "%s", err);
        return -1;
    }
    if (r->text[0] != '+') {
        const char *status, *text;
        if (tagged(r->text, tag, &status, &text) >= 0)
            probe_fail_in(check, step, what, "%s", status);
        else
            probe_fail_in(check, step, what, "unexpected response: %s", r->text);
        return -1;
    }
    if (send_bytes(im, s, strlen(s), deadline_ms, check, step, what) < 0)
        return -1;
    return 0;
}

int probe_imap_login(struct probe_imap *im, const char *user, const char *password,
                     int64_t deadline_ms, struct probe_check *check, const char *step,
                     const char *what)
{
    char qu[600], qp[600], tag[16];
    int lu = probe_imap_quote(user, qu, sizeof qu);
    int lp = probe_imap_quote(password, qp, sizeof qp);
    if (lu < 0 || lp < 0) {
        probe_fail_in(check, step, what, "user name or password too long");
        return -1;
    }
    struct response *r = malloc(sizeof *r);
    if (!r) {
        probe_fail_in(check, step, what, "out of memory");
        return -1;
    }
    int rc = -1;
    next_tag(im, tag, sizeof tag);
    char head[64];
    snprintf(head, sizeof head, "%s LOGIN ", tag);
    if (lu == 1) {
        if (send_literal(im, r, head, user, tag, deadline_ms, check, step, what) < 0)
            goto out;
        snprintf(head, sizeof head, " ");
    } else {
        char line[700];
        int n = snprintf(line, sizeof line, "%s%s ", head, qu);
        if (send_bytes(im, line, (size_t)n, deadline_ms, check, step, what) < 0)
            goto out;
        head[0] = '\0';
    }
    if (lp == 1) {
        if (send_literal(im, r, head, password, tag, deadline_ms, check, step, what) < 0)
            goto out;
        if (send_bytes(im, "\r\n", 2, deadline_ms, check, step, what) < 0)
            goto out;
    } else {
        char line[700];
        int n = snprintf(line, sizeof line, "%s%s\r\n", head, qp);
        if (send_bytes(im, line, (size_t)n, deadline_ms, check, step, what) < 0)
            goto out;
    }
    rc = run_command(im, r, tag, deadline_ms, NULL, NULL, check, step, what);
out:
    free(r);
    return rc;
}
