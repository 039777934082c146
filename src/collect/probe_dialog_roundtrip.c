/*
 * probe_dialog_roundtrip.c - the end-to-end round trip: submit a tagged
 * message over SMTP ("submit": connect to the end of DATA), watch the
 * mailbox until it is there ("deliver"), delete it ("delete").  The
 * mailbox side is probe_roundtrip_imap.c / probe_roundtrip_pop3.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "monotonic.h"
#include "probe_dialog.h"
#include "probe_roundtrip.h"
#include "probe_smtp.h"

/* RFC 5322 date of now, in UTC, whatever the locale. */
static void rfc5322_date(char *buf, size_t len)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

/* A run id when probe_new() left none: 16 hex digits. */
static void fill_run_id(struct probe_roundtrip_state *state)
{
    unsigned char raw[8];
    if (getrandom(raw, sizeof raw, GRND_NONBLOCK) != (ssize_t)sizeof raw) {
        uint64_t v = (uint64_t)time(NULL) ^ ((uint64_t)monotonic_ms() << 20);
        memcpy(raw, &v, sizeof raw);
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(state->run_id + 2 * i, 3, "%02x", raw[i]);
}

/* After DATA's 354: the message, its headers carrying @p tag, and the
 * ending dot. */
static int send_message(probe_conn *c, const struct config_probe *conf, const char *tag,
                        const char *helo, const struct probe_roundtrip_state *state,
                        int64_t deadline_ms, struct probe_check *out)
{
    char date[64], msg[2048], err[PROBE_ERROR_MAX];
    rfc5322_date(date, sizeof date);
    int n = snprintf(msg, sizeof msg,
                     "Date: %s\r\n"
                     "From: <%s>\r\n"
                     "To: <%s>\r\n"
                     "Subject: mtamon round trip %s\r\n"
                     "Message-ID: <mtamon-probe.%s.%" PRIu64 "@%s>\r\n"
                     "%s: %s\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=us-ascii\r\n"
                     "\r\n"
                     "A round trip probe of mtamon; it deletes this message when it finds it.\r\n"
                     ".\r\n",
                     date, conf->mail_from, conf->mail_to, tag, state->run_id, state->sequence,
                     helo, PROBE_ROUNDTRIP_HEADER, tag);
    if (n < 0 || (size_t)n >= sizeof msg) {
        probe_fail(out, "submit", "message too long");
        return -1;
    }
    if (probe_conn_write(c, msg, (size_t)n, deadline_ms, err, sizeof err) < 0) {
        probe_fail(out, "submit", "DATA: %s", err);
        return -1;
    }
    return 0;
}

/* Connect to conf->server and submit the message tagged @p tag.  0, or -1. */
static int submit(const struct config_probe *conf, probe_tls *tls, const char *tag,
                  const struct probe_roundtrip_state *state, int64_t deadline_ms,
                  struct probe_check *out)
{
    const struct config_probe_endpoint *ep = &conf->server;
    struct probe_check scratch;
    struct probe_smtp_reply r;
    char helo[256], cmd[PROBE_SMTP_LINE_MAX];
    memset(&scratch, 0, sizeof scratch);
    probe_conn *c = probe_conn_open(ep, tls, deadline_ms, &scratch);
    if (!c) {
        probe_fail(out, "submit", "%s", scratch.error);
        return -1;
    }
    int rc = -1;
    probe_smtp_helo_name(conf, helo, sizeof helo);
    if (probe_smtp_open_session(c, helo, 0, ep->tls == CONFIG_TLS_STARTTLS, 0, "submit",
                                deadline_ms, &r, out) < 0)
        goto out;
    if (ep->user && ep->user[0]) {
        if (!(r.ext & PROBE_SMTP_EXT_AUTH_PLAIN)) {
            probe_fail(out, "submit", "AUTH: PLAIN not offered");
            goto out;
        }
        if (probe_smtp_auth_plain(ep->user, ep->password ? ep->password : "", cmd,
                                  sizeof cmd) < 0) {
            probe_fail(out, "submit", "AUTH: user name or password too long");
            goto out;
        }
        int a = probe_smtp_command(c, cmd, 2, deadline_ms, &r, out, "submit", "AUTH");
        memset(cmd, 0, sizeof cmd);
        if (a < 0)
            goto out;
    }
    snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>", conf->mail_from);
    if (probe_smtp_command(c, cmd, 2, deadline_ms, &r, out, "submit", "MAIL") < 0)
        goto out;
    snprintf(cmd, sizeof cmd, "RCPT TO:<%s>", conf->mail_to);
    if (probe_smtp_command(c, cmd, 2, deadline_ms, &r, out, "submit", "RCPT") < 0)
        goto out;
    if (probe_smtp_command(c, "DATA", 3, deadline_ms, &r, out, "submit", "DATA") < 0)
        goto out;
    if (send_message(c, conf, tag, helo, state, deadline_ms, out) < 0)
        goto out;
    if (probe_smtp_command(c, NULL, 2, deadline_ms, &r, out, "submit", "end of DATA") < 0)
        goto out;
    rc = 0;
    /* the message is queued: QUIT's answer no longer matters */
    probe_smtp_command(c, "QUIT", 2, deadline_ms, &r, &scratch, "quit", NULL);
out:
    probe_conn_close(c);
    return rc;
}

void probe_dialog_roundtrip(const struct config_probe *conf, probe_tls *tls,
                            probe_tls *mailbox_tls, struct probe_roundtrip_state *state,
                            int64_t deadline_ms, struct probe_check *out)
{
    char tag[PROBE_ROUNDTRIP_TAG_MAX];
    int64_t start = monotonic_ms();
    if (!state->run_id[0])
        fill_run_id(state);
    state->sequence++;
    if (probe_roundtrip_tag(tag, sizeof tag, conf->name, state->run_id, state->sequence) < 0) {
        probe_fail(out, "submit", "tag too long");
        return;
    }
    if (submit(conf, tls, tag, state, deadline_ms, out) < 0)
        return;
    probe_step_add(out, "submit", start);
    struct probe_roundtrip_poll p = {conf, mailbox_tls, tag, monotonic_ms(), deadline_ms, out};
    int rc = conf->mailbox_kind == CONFIG_PROBE_POP3 ? probe_roundtrip_pop3(&p)
                                                      : probe_roundtrip_imap(&p);
    if (rc == 0)
        out->ok = 1;
}
