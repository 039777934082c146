/*
 * probe_dialog_pop3.c - the POP3 probe: greeting, [STLS], [USER/PASS
 * when credentials are set], QUIT; "+OK" expected at each step.
 */
#include "monotonic.h"
#include "probe_dialog.h"
#include "probe_pop3.h"

void probe_dialog_pop3(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out)
{
    probe_conn *c = probe_conn_open(&conf->server, tls, deadline_ms, out);
    if (!c)
        return;
    if (probe_pop3_open_session(c, &conf->server, 1, NULL, deadline_ms, out) < 0)
        goto done;
    int64_t start = monotonic_ms();
    if (probe_pop3_command(c, "QUIT", deadline_ms, NULL, 0, out, "quit", NULL) < 0)
        goto done;
    probe_step_add(out, "quit", start);
    out->ok = 1;
done:
    probe_conn_close(c);
}
