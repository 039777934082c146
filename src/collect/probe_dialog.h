/*
 * probe_dialog.h - the protocol dialogs behind probe_check(): one
 * function per kind, each running one whole check (connect, talk, close)
 * within @p deadline_ms and filling @p out (steps, ok, reply_code,
 * error).  probe.c picks the function by kind; the dialogs use only
 * probe_conn.h for I/O.
 */
#ifndef MTAMON_PROBE_DIALOG_H
#define MTAMON_PROBE_DIALOG_H

#include <stdint.h>

#include "mtamon_config.h"
#include "probe.h"
#include "probe_conn.h"

/** What a round trip keeps between checks (probe_roundtrip.c). */
struct probe_roundtrip_state {
    uint64_t sequence;          /**< rounds started; part of each tag */
    char run_id[24];            /**< random per probe_new: tags from an
                                     earlier mtamond are told apart */
};

/** TCP connect (and TLS handshake with tls: implicit/starttls?). */
void probe_dialog_tcp(const struct config_probe *conf, probe_tls *tls,
                      int64_t deadline_ms, struct probe_check *out);

/** SMTP or LMTP (by conf->kind): greeting, EHLO/LHLO, [STARTTLS], QUIT. */
void probe_dialog_smtp(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out);

/** IMAP: greeting, [STARTTLS], [LOGIN], LOGOUT. */
void probe_dialog_imap(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out);

/** POP3: greeting, [STLS], [USER/PASS], QUIT. */
void probe_dialog_pop3(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out);

/** HTTP(S): GET conf->http_path, status conf->http_expect. */
void probe_dialog_http(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out);

/** LDAP: [StartTLS], simple bind, [base search of conf->ldap_search]. */
void probe_dialog_ldap(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out);

/**
 * Round trip: submit a tagged message to conf->server, poll
 * conf->mailbox (using @p mailbox_tls) until it is there, delete it.
 * Messages of earlier rounds found on the way are deleted, not counted.
 */
void probe_dialog_roundtrip(const struct config_probe *conf, probe_tls *tls,
                            probe_tls *mailbox_tls, struct probe_roundtrip_state *state,
                            int64_t deadline_ms, struct probe_check *out);

#endif /* MTAMON_PROBE_DIALOG_H */
