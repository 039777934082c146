/*
 * probe_dialog_tcp.c - the tcp kind: connect (and, with tls: implicit,
 * the TLS handshake, certificate checked as configured), then close.
 */
#include "probe_dialog.h"

void probe_dialog_tcp(const struct config_probe *conf, probe_tls *tls,
                      int64_t deadline_ms, struct probe_check *out)
{
    probe_conn *c = probe_conn_open(&conf->server, tls, deadline_ms, out);
    if (!c)
        return;
    out->ok = 1;
    probe_conn_close(c);
}
