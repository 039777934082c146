/*
 * probe_dialog_imap.c - the IMAP probe: greeting, [STARTTLS], [LOGIN
 * when credentials are set and the greeting was not PREAUTH], LOGOUT.
 */
#include <string.h>

#include "monotonic.h"
#include "probe_dialog.h"
#include "probe_imap.h"

void probe_dialog_imap(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out)
{
    struct probe_imap im;
    memset(&im, 0, sizeof im);
    im.c = probe_conn_open(&conf->server, tls, deadline_ms, out);
    if (!im.c)
        return;
    int64_t start = monotonic_ms();
    if (probe_imap_greeting(&im, deadline_ms, out, "greeting", NULL) < 0)
        goto done;
    probe_step_add(out, "greeting", start);
    if (conf->server.tls == CONFIG_TLS_STARTTLS) {
        start = monotonic_ms();
        if (im.preauth) {  /* RFC 3501: no STARTTLS in the authenticated state */
            probe_fail(out, "starttls", "not possible after a PREAUTH greeting");
            goto done;
        }
        if (probe_imap_starttls(&im, deadline_ms, out, "starttls", NULL) < 0)
            goto done;
        probe_step_add(out, "starttls", start);
    }
    if (conf->server.user && conf->server.user[0] && !im.preauth) {
        start = monotonic_ms();
        if (probe_imap_login(&im, conf->server.user, conf->server.password ? conf->server.password : "",
                             deadline_ms, out, "login", NULL) < 0)
            goto done;
        probe_step_add(out, "login", start);
    }
    start = monotonic_ms();
    if (probe_imap_command(&im, "LOGOUT", deadline_ms, NULL, NULL, out, "logout", NULL) < 0)
        goto done;
    probe_step_add(out, "logout", start);
    out->ok = 1;
done:
    probe_conn_close(im.c);
}
