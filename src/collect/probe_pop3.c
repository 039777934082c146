/*
 * probe_pop3.c - POP3 client pieces shared by the POP3 dialog and the
 * round trip's mailbox (RFC 1939, STLS of RFC 2595).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "monotonic.h"
#include "probe_pop3.h"

int probe_pop3_command(probe_conn *c, const char *cmd, int64_t deadline_ms, char *text,
                       size_t textlen, struct probe_check *check, const char *step,
                       const char *what)
{
    char line[PROBE_POP3_LINE_MAX], err[PROBE_ERROR_MAX];
    if (cmd) {
        int n = snprintf(line, sizeof line, "%s\r\n", cmd);
        if (n < 0 || (size_t)n >= sizeof line) {
            probe_fail_in(check, step, what, "command too long");
            return -1;
        }
        if (probe_conn_write(c, line, (size_t)n, deadline_ms, err, sizeof err) < 0) {
            probe_fail_in(check, step, what, "%s", err);
            return -1;
        }
    }
    if (probe_conn_read_line(c, line, sizeof line, deadline_ms, err, sizeof err) < 0) {
        probe_fail_in(check, step, what, "%s", err);
        return -1;
    }
    if (strncasecmp(line, "+OK", 3) == 0 && (line[3] == ' ' || line[3] == '\0')) {
        if (text)
            snprintf(text, textlen, "%s", line[3] ? line + 4 : "");
        return 0;
    }
    if (strncasecmp(line, "-ERR", 4) == 0 && (line[4] == ' ' || line[4] == '\0'))
        probe_fail_in(check, step, what, "%s", line);
    else
        probe_fail_in(check, step, what, "not a POP3 reply: %s", line);
    return -1;
}

int probe_pop3_read_multi(probe_conn *c, int64_t deadline_ms, probe_pop3_line_fn fn, void *ctx,
                          struct probe_check *check, const char *step, const char *what)
{
    char line[PROBE_POP3_LINE_MAX], err[PROBE_ERROR_MAX];
    for (unsigned n = 0; n <= PROBE_POP3_MULTI_MAX; n++) {
        if (probe_conn_read_line(c, line, sizeof line, deadline_ms, err, sizeof err) < 0) {
            probe_fail_in(check, step, what, "%s", err);
            return -1;
        }
        if (line[0] == '.' && line[1] == '\0')
            return 0;
        if (fn)
            fn(ctx, line[0] == '.' ? line + 1 : line);
    }
    probe_fail_in(check, step, what, "reply longer than %d lines", PROBE_POP3_MULTI_MAX);
    return -1;
}

/* One part of the session start (see probe_smtp.c's part()). */
static int part(probe_conn *c, const char *cmd, int64_t deadline_ms, struct probe_check *check,
                int record, const char *step, const char *name)
{
    int64_t start = monotonic_ms();
    if (probe_pop3_command(c, cmd, deadline_ms, NULL, 0, check, record ? name : step,
                           record ? NULL : name) < 0)
        return -1;
    if (record)
        probe_step_add(check, name, start);
    return 0;
}

int probe_pop3_open_session(probe_conn *c, const struct config_probe_endpoint *ep, int record,
                            const char *step, int64_t deadline_ms, struct probe_check *check)
{
    char cmd[PROBE_POP3_LINE_MAX];
    if (part(c, NULL, deadline_ms, check, record, step, "greeting") < 0)
        return -1;
    if (ep->tls == CONFIG_TLS_STARTTLS) {
        int64_t start = monotonic_ms();
        const char *name = record ? "stls" : step, *what = record ? NULL : "stls";
        char err[PROBE_ERROR_MAX];
        if (probe_pop3_command(c, "STLS", deadline_ms, NULL, 0, check, name, what) < 0)
            return -1;
        if (probe_conn_start_tls(c, deadline_ms, err, sizeof err) < 0) {
            probe_fail_in(check, name, what, "%s", err);
            return -1;
        }
        if (record)
            probe_step_add(check, "stls", start);
    }
    if (!ep->user || !ep->user[0])
        return 0;
    snprintf(cmd, sizeof cmd, "USER %s", ep->user);
    if (part(c, cmd, deadline_ms, check, record, step, "user") < 0)
        return -1;
    snprintf(cmd, sizeof cmd, "PASS %s", ep->password ? ep->password : "");
    int rc = part(c, cmd, deadline_ms, check, record, step, "pass");
    memset(cmd, 0, sizeof cmd);
    return rc;
}
