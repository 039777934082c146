/*
 * alarm_mail_smtp.c - deliver an alarm mail over plain SMTP (see
 * alarm_mail_internal.h), with the probes' connection and reply reader
 * (probe_conn.h, probe_smtp.h): every read and write gives up at the
 * message's deadline, and their errors come as "STEP: what".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm_mail_internal.h"
#include "monotonic.h"
#include "probe_conn.h"
#include "probe_smtp.h"

/* How long QUIT's reply is waited for at most. */
#define ALARM_MAIL_QUIT_MS 2000

char *alarm_mail_smtp_data(const char *msg, size_t len, size_t *out_len)
{
    /* at worst every byte a ".\n" line: 4 bytes for 2, plus the end */
    char *out = malloc(2 * len + 6);
    if (!out)
        return NULL;
    size_t o = 0;
    int line_start = 1;
    for (size_t i = 0; i < len; i++) {
        char c = msg[i];
        if (c == '\r')  /* lines end with LF here; SMTP wants CRLF only */
            continue;
        if (c == '\n') {
            out[o++] = '\r';
            out[o++] = '\n';
            line_start = 1;
            continue;
        }
        if (line_start && c == '.')
            out[o++] = '.';  /* RFC 5321 4.5.2 */
        out[o++] = c;
        line_start = 0;
    }
    if (!line_start) {
        out[o++] = '\r';
        out[o++] = '\n';
    }
    memcpy(out + o, ".\r\n", 4);
    *out_len = o + 3;
    return out;
}

/* The session after the connection: 0, or -1 with @p ck's error set. */
static int session(probe_conn *c, const struct alarm_mail_smtp *s, const char *msg, size_t len,
                   int64_t deadline_ms, struct probe_check *ck)
{
    struct probe_smtp_reply r;
    char cmd[PROBE_SMTP_LINE_MAX];
    if (probe_smtp_command(c, NULL, 2, deadline_ms, &r, ck, "greeting", NULL) < 0)
        return -1;
    snprintf(cmd, sizeof cmd, "EHLO %s", s->helo);
    if (probe_smtp_command(c, cmd, 2, deadline_ms, &r, ck, "EHLO", NULL) < 0) {
        /* An old server refuses EHLO with 5xx (RFC 5321 3.2): HELO. */
        if (r.code / 100 != 5)
            return -1;
        snprintf(cmd, sizeof cmd, "HELO %s", s->helo);
        if (probe_smtp_command(c, cmd, 2, deadline_ms, &r, ck, "HELO", NULL) < 0)
            return -1;
    }
    if (snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>", s->from) >= (int)sizeof cmd) {
        probe_fail(ck, "MAIL", "sender address too long");
        return -1;
    }
    if (probe_smtp_command(c, cmd, 2, deadline_ms, &r, ck, "MAIL", NULL) < 0)
        return -1;
    for (size_t i = 0; i < s->n_to; i++) {
        if (snprintf(cmd, sizeof cmd, "RCPT TO:<%s>", s->to[i]) >= (int)sizeof cmd) {
            probe_fail(ck, "RCPT", "recipient address too long");
            return -1;
        }
        if (probe_smtp_command(c, cmd, 2, deadline_ms, &r, ck, "RCPT", s->to[i]) < 0)
            return -1;
    }
    if (probe_smtp_command(c, "DATA", 3, deadline_ms, &r, ck, "DATA", NULL) < 0)
        return -1;
    size_t wire_len;
    char *wire = alarm_mail_smtp_data(msg, len, &wire_len);
    if (!wire) {
        probe_fail(ck, "DATA", "out of memory");
        return -1;
    }
    char why[PROBE_ERROR_MAX];
    int w = probe_conn_write(c, wire, wire_len, deadline_ms, why, sizeof why);
    free(wire);
    if (w < 0) {
        probe_fail(ck, "DATA", "%s", why);
        return -1;
    }
    return probe_smtp_command(c, NULL, 2, deadline_ms, &r, ck, "end of DATA", NULL);
}

int alarm_mail_smtp_send(const struct alarm_mail_smtp *s, const char *msg, size_t len,
                         unsigned timeout_ms, char *err, size_t errlen)
{
    int64_t deadline_ms = monotonic_ms() + timeout_ms;
    char empty[] = "";
    struct config_probe_endpoint ep = {
        .address = (char *)s->host, .host = (char *)s->host, .port = s->port,
        .unix_path = empty, .tls = CONFIG_TLS_NONE, .tls_verify = 1, .tls_ca = empty,
        .tls_name = empty, .credentials = empty, .user = empty, .password = empty,
    };
    struct probe_check ck;
    memset(&ck, 0, sizeof ck);
    probe_conn *c = probe_conn_open(&ep, NULL, deadline_ms, &ck);
    if (!c) {
        snprintf(err, errlen, "%s", ck.error);
        return -1;
    }
    int rc = session(c, s, msg, len, deadline_ms, &ck);
    if (rc < 0)
        snprintf(err, errlen, "%s", ck.error);
    /* Taken or not, the session ends; QUIT's answer no longer matters,
     * and is not waited for long. */
    struct probe_check scratch;
    struct probe_smtp_reply r;
    memset(&scratch, 0, sizeof scratch);
    int64_t quit_by = monotonic_ms() + ALARM_MAIL_QUIT_MS;
    probe_smtp_command(c, "QUIT", 2, quit_by < deadline_ms ? quit_by : deadline_ms, &r,
                       &scratch, "QUIT", NULL);
    probe_conn_close(c);
    return rc;
}
