/*
 * probe_dialog_smtp.c - the SMTP and LMTP probe: greeting, EHLO/LHLO,
 * [STARTTLS, EHLO/LHLO again], QUIT; 2xx expected at each step.
 */
#include "monotonic.h"
#include "probe_dialog.h"
#include "probe_smtp.h"

void probe_dialog_smtp(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out)
{
    int lmtp = conf->kind == CONFIG_PROBE_LMTP;
    probe_conn *c = probe_conn_open(&conf->server, tls, deadline_ms, out);
    if (!c)
        return;
    char helo[256];
    struct probe_smtp_reply r;
    probe_smtp_helo_name(conf, helo, sizeof helo);
    if (probe_smtp_open_session(c, helo, lmtp, conf->server.tls == CONFIG_TLS_STARTTLS, 1,
                                NULL, deadline_ms, &r, out) < 0)
        goto done;
    int64_t start = monotonic_ms();
    if (probe_smtp_command(c, "QUIT", 2, deadline_ms, &r, out, "quit", NULL) < 0)
        goto done;
    probe_step_add(out, "quit", start);
    out->ok = 1;
done:
    probe_conn_close(c);
}
