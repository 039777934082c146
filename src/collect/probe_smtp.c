/*
 * probe_smtp.c - SMTP/LMTP client pieces shared by the SMTP dialog and
 * the round trip: reply reader, command with check, session start.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "monotonic.h"
#include "probe_smtp.h"

int probe_smtp_parse_line(const char *line, int *code, int *more, const char **text)
{
    for (int i = 0; i < 3; i++)
        if (line[i] < '0' || line[i] > '9')
            return -1;
    if (line[0] < '1' || line[0] > '5')
        return -1;
    if (line[3] != '\0' && line[3] != ' ' && line[3] != '-')
        return -1;
    *code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    *more = line[3] == '-';
    *text = line[3] == '\0' ? line + 3 : line + 4;
    return 0;
}

/* Does @p s start with the word @p kw (case-insensitive), then end or a space? */
static int word_is(const char *s, const char *kw)
{
    size_t n = strlen(kw);
    return strncasecmp(s, kw, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '=');
}

unsigned probe_smtp_ext(const char *text)
{
    if (word_is(text, "STARTTLS"))
        return PROBE_SMTP_EXT_STARTTLS;
    if (word_is(text, "AUTH")) {
        /* "AUTH LOGIN PLAIN" (or the old "AUTH=LOGIN PLAIN") */
        const char *p = text + 5;
        while (*p) {
            while (*p == ' ')
                p++;
            if (word_is(p, "PLAIN"))
                return PROBE_SMTP_EXT_AUTH_PLAIN;
            while (*p && *p != ' ')
                p++;
        }
    }
    return 0;
}

int probe_smtp_read_reply(probe_conn *c, int64_t deadline_ms, struct probe_smtp_reply *r,
                          char *err, size_t errlen)
{
    char line[PROBE_SMTP_LINE_MAX];
    int first = 0;
    memset(r, 0, sizeof *r);
    for (size_t n = 0; n < PROBE_SMTP_REPLY_LINES_MAX; n++) {
        if (probe_conn_read_line(c, line, sizeof line, deadline_ms, err, errlen) < 0)
            return -1;
        int code, more;
        const char *text;
        if (probe_smtp_parse_line(line, &code, &more, &text) < 0) {
            snprintf(err, errlen, "not an SMTP reply: %s", line);
            return -1;
        }
        if (n == 0)
            first = code;
        else if (code != first) {
            snprintf(err, errlen, "reply codes differ (%d, then %d): %s", first, code, line);
            return -1;
        }
        if (n > 0)  /* the first line of an EHLO reply is the greeting name */
            r->ext |= probe_smtp_ext(text);
        snprintf(r->text, sizeof r->text, "%s", text);
        r->lines = n + 1;
        if (!more) {
            r->code = code;
            return 0;
        }
    }
    snprintf(err, errlen, "reply longer than %d lines", PROBE_SMTP_REPLY_LINES_MAX);
    return -1;
}

int probe_smtp_command(probe_conn *c, const char *cmd, int want_class, int64_t deadline_ms,
                       struct probe_smtp_reply *r, struct probe_check *check,
                       const char *step, const char *what)
{
    char err[PROBE_ERROR_MAX];
    const char *sep = what ? ": " : "";
    if (!what)
        what = "";
    if (cmd) {
        char buf[PROBE_SMTP_LINE_MAX + 2];
        int n = snprintf(buf, sizeof buf, "%s\r\n", cmd);
        if (n < 0 || (size_t)n >= sizeof buf) {
            probe_fail(check, step, "%s%scommand too long", what, sep);
            return -1;
        }
        if (probe_conn_write(c, buf, (size_t)n, deadline_ms, err, sizeof err) < 0) {
            probe_fail(check, step, "%s%s%s", what, sep, err);
            return -1;
        }
    }
    if (probe_smtp_read_reply(c, deadline_ms, r, err, sizeof err) < 0) {
        probe_fail(check, step, "%s%s%s", what, sep, err);
        return -1;
    }
    if (r->code / 100 != want_class) {
        check->reply_code = r->code;
        if (r->text[0])
            probe_fail(check, step, "%s%s%d %s", what, sep, r->code, r->text);
        else
            probe_fail(check, step, "%s%s%d", what, sep, r->code);
        return -1;
    }
    return 0;
}

const char *probe_smtp_helo_name(const struct config_probe *conf, char *buf, size_t len)
{
    if (conf->helo && conf->helo[0]) {
        snprintf(buf, len, "%s", conf->helo);
        return buf;
    }
    char host[256];
    if (gethostname(host, sizeof host) == 0) {
        host[sizeof host - 1] = '\0';
        int ok = host[0] != '\0';
        for (const char *p = host; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
                ok = 0;
        if (ok) {
            snprintf(buf, len, "%s", host);
            return buf;
        }
    }
    snprintf(buf, len, "localhost");
    return buf;
}

/* One part of the session start: a step of its own (@p record), or a
 * part named inside @p step. */
static int part(probe_conn *c, const char *cmd, int64_t deadline_ms, struct probe_smtp_reply *r,
                struct probe_check *check, int record, const char *step, const char *name)
{
    int64_t start = monotonic_ms();
    if (probe_smtp_command(c, cmd, 2, deadline_ms, r, check, record ? name : step,
                           record ? NULL : name) < 0)
        return -1;
    if (record)
        probe_step_add(check, name, start);
    return 0;
}

int probe_smtp_open_session(probe_conn *c, const char *helo, int lmtp, int starttls,
                            int record, const char *step, int64_t deadline_ms,
                            struct probe_smtp_reply *r, struct probe_check *check)
{
    char cmd[PROBE_SMTP_LINE_MAX];
    const char *hello = lmtp ? "lhlo" : "ehlo";
    snprintf(cmd, sizeof cmd, "%s %s", lmtp ? "LHLO" : "EHLO", helo);
    if (part(c, NULL, deadline_ms, r, check, record, step, "greeting") < 0)
        return -1;
    if (part(c, cmd, deadline_ms, r, check, record, step, hello) < 0)
        return -1;
    if (!starttls)
        return 0;
    int64_t start = monotonic_ms();
    const char *name = record ? "starttls" : step;
    const char *what = record ? NULL : "starttls";
    if (!(r->ext & PROBE_SMTP_EXT_STARTTLS)) {
        if (what)
            probe_fail(check, name, "%s: not offered", what);
        else
            probe_fail(check, name, "not offered");
        return -1;
    }
    if (probe_smtp_command(c, "STARTTLS", 2, deadline_ms, r, check, name, what) < 0)
        return -1;
    char err[PROBE_ERROR_MAX];
    if (probe_conn_start_tls(c, deadline_ms, err, sizeof err) < 0) {
        if (what)
            probe_fail(check, name, "%s: %s", what, err);
        else
            probe_fail(check, name, "%s", err);
        return -1;
    }
    if (record)
        probe_step_add(check, "starttls", start);
    return part(c, cmd, deadline_ms, r, check, record, step, lmtp ? "lhlo2" : "ehlo2");
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int probe_smtp_auth_plain(const char *user, const char *password, char *buf, size_t len)
{
    unsigned char raw[1024];
    size_t ul = strlen(user), pl = strlen(password);
    if (ul + pl + 2 > sizeof raw)
        return -1;
    raw[0] = '\0';
    memcpy(raw + 1, user, ul);
    raw[1 + ul] = '\0';
    memcpy(raw + 2 + ul, password, pl);
    size_t n = ul + pl + 2;
    static const char prefix[] = "AUTH PLAIN ";
    size_t need = sizeof prefix - 1 + (n + 2) / 3 * 4 + 1;
    if (need > len)
        return -1;
    char *o = buf + sizeof prefix - 1;
    memcpy(buf, prefix, sizeof prefix - 1);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)raw[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)raw[i + 1] << 8;
        if (i + 2 < n)
            v |= raw[i + 2];
        *o++ = b64[(v >> 18) & 63];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *o = '\0';
    return 0;
}
