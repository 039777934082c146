/*
 * probe_url.h - an ad hoc probe target written as a URL, for `mtamon
 * probe smtp://host:port ...`: the same struct config_probe a probes:
 * entry of mtamon.yaml gives, with the same rules (config_probe_*).
 */
#ifndef MTAMON_PROBE_URL_H
#define MTAMON_PROBE_URL_H

#include <stddef.h>

#include "mtamon_config.h"

/** What the command line adds to a URL target. */
struct probe_url_options {
    int starttls;             /**< --starttls: tls starttls (smtp, lmtp, imap, pop3, ldap) */
    int insecure;             /**< --insecure: tls_verify false */
    const char *credentials;  /**< --credentials FILE, NULL = none */
    unsigned timeout_ms;      /**< --timeout, 0 = the kind's default */
    int have_slow;            /**< --slow was given... */
    unsigned slow_ms;         /**< ...this (0 = never slow) */
};

/**
 * Parse @p url, SCHEME://HOST[:PORT][/PATH] or SCHEME:///SOCKET, into
 * *@p out (free it with config_probe_clear() afterwards, even on error).
 * Schemes: tcp (a port is required), smtp, smtps, lmtp, imap, imaps,
 * pop3, pop3s, http, https (PATH is the path requested, default "/"),
 * ldap, ldaps (PATH without its '/' is the DN searched); the s forms use
 * implicit TLS and their default ports.  HOST may be [IPv6].  A user or
 * password in the URL is refused (a command line is visible to every
 * user: use --credentials).  The probe's name is the kind's ("smtp"), its
 * address "HOST:PORT" (brackets around an IPv6 address) or the socket.
 * Returns 0, or -1 with the reason in @p err (which names the URL).
 */
int probe_url_parse(const char *url, const struct probe_url_options *opts,
                    struct config_probe *out, char *err, size_t errlen);

/** Whether @p arg looks like a URL target (has "://"), not a NAME. */
int probe_url_is_url(const char *arg);

#endif /* MTAMON_PROBE_URL_H */
