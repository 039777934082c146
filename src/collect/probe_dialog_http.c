/*
 * probe_dialog_http.c - the http kind: GET conf->http_path over HTTP/1.1
 * (TLS with tls: implicit), "Connection: close"; the check passes when
 * the status is conf->http_expect.  Steps: "request" (request sent until
 * the status line came), "body" (headers and body read and discarded,
 * until Content-Length bytes or the server closes, at most
 * PROBE_HTTP_BODY_MAX bytes: a probe times the answer, it does not
 * download).
 */
#include "probe_dialog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "monotonic.h"
#include "probe_conn_internal.h"

/* Body bytes read at most; the rest is left unread. */
#define PROBE_HTTP_BODY_MAX (1024 * 1024)

/* Longest status or header line. */
#define PROBE_HTTP_LINE_MAX 8192

/* "HTTP/1.x NNN[ reason]": NNN, or -1. */
static int probe_http_status(const char *line)
{
    if (strncmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7]) || line[8] != ' ')
        return -1;
    const char *s = line + 9;
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]) || (s[3] != '\0' && s[3] != ' '))
        return -1;
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* The Host header's value: host_header, or the host ("[v6]" bracketed),
 * with ":port" when it is not the scheme's default. */
static void probe_http_host(const struct config_probe *conf, char *out, size_t len)
{
    const struct config_probe_endpoint *ep = &conf->server;
    if (conf->http_host && conf->http_host[0]) {
        snprintf(out, len, "%s", conf->http_host);
        return;
    }
    if (!ep->host || !ep->host[0]) {
        snprintf(out, len, "localhost"); /* a Unix socket */
        return;
    }
    unsigned dflt = ep->tls == CONFIG_TLS_IMPLICIT ? 443 : 80;
    int v6 = strchr(ep->host, ':') != NULL;
    if (ep->port == dflt)
        snprintf(out, len, v6 ? "[%s]" : "%s", ep->host);
    else
        snprintf(out, len, v6 ? "[%s]:%u" : "%s:%u", ep->host, (unsigned)ep->port);
}

/* Read the headers and the body; 0, or -1 with out->error set. */
static int probe_http_body(probe_conn *c, int status, int64_t deadline_ms,
                           struct probe_check *out)
{
    char *line = malloc(PROBE_HTTP_LINE_MAX);
    char why[PROBE_ERROR_MAX] = "";
    if (!line) {
        probe_fail(out, "body", "out of memory");
        return -1;
    }
    long long length = -1;
    for (;;) {
        long n = probe_conn_read_line(c, line, PROBE_HTTP_LINE_MAX, deadline_ms, why, sizeof why);
        if (n < 0) {
            probe_fail(out, "body", "headers: %s", why);
            free(line);
            return -1;
        }
        if (n == 0)
            break;
        if (strncasecmp(line, "Content-Length:", 15) == 0) {
            char *end;
            long long v = strtoll(line + 15, &end, 10);
            while (*end == ' ' || *end == '\t')
                end++;
            if (v >= 0 && *end == '\0' && end != line + 15)
                length = v;
        }
    }
    /* No body for HEAD-like statuses. */
    if (status == 204 || status == 304 || (status >= 100 && status < 200))
        length = 0;
    long long got = 0;
    while ((length < 0 || got < length) && got < PROBE_HTTP_BODY_MAX) {
        size_t want = PROBE_HTTP_LINE_MAX;
        if (length >= 0 && (long long)want > length - got)
            want = (size_t)(length - got);
        long n = probe_conn_read_some(c, line, want, deadline_ms, why, sizeof why);
        if (n < 0) {
            probe_fail(out, "body", "%s", why);
            free(line);
            return -1;
        }
        if (n == 0) {
            if (length >= 0) {
                probe_fail(out, "body", "connection closed by the server after %lld of %lld bytes",
                           got, length);
                free(line);
                return -1;
            }
            break;
        }
        got += n;
    }
    free(line);
    return 0;
}

void probe_dialog_http(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out)
{
    probe_conn *c = probe_conn_open(&conf->server, tls, deadline_ms, out);
    if (!c)
        return;
    char host[300], why[PROBE_ERROR_MAX] = "";
    probe_http_host(conf, host, sizeof host);
    const char *path = conf->http_path && conf->http_path[0] ? conf->http_path : "/";
    char *req = NULL;
    int len = asprintf(&req,
                       "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mtamon/%s\r\n"
                       "Accept: */*\r\nConnection: close\r\n\r\n",
                       path, host, PACKAGE_VERSION);
    char *status_line = malloc(PROBE_HTTP_LINE_MAX);
    int64_t start = monotonic_ms();
    if (len < 0 || !status_line) {
        probe_fail(out, "request", "out of memory");
        goto out;
    }
    if (probe_conn_write(c, req, (size_t)len, deadline_ms, why, sizeof why) < 0) {
        probe_fail(out, "request", "%s", why);
        goto out;
    }
    if (probe_conn_read_line(c, status_line, PROBE_HTTP_LINE_MAX, deadline_ms, why, sizeof why) < 0) {
        probe_fail(out, "request", "%s", why);
        goto out;
    }
    int status = probe_http_status(status_line);
    if (status < 0) {
        probe_fail(out, "request", "not an HTTP status line: \"%.80s\"", status_line);
        goto out;
    }
    probe_step_add(out, "request", start);
    unsigned expect = conf->http_expect ? conf->http_expect : 200;
    if ((unsigned)status != expect) {
        out->reply_code = status;
        probe_fail(out, "request", "%.160s (expected %u)", status_line + 9, expect);
        goto out;
    }
    start = monotonic_ms();
    if (probe_http_body(c, status, deadline_ms, out) < 0)
        goto out;
    probe_step_add(out, "body", start);
    out->ok = 1;
out:
    free(status_line);
    free(req);
    probe_conn_close(c);
}
