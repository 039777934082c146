/*
 * probe.h - server-response probes: one check of a configured target
 * (SMTP, LMTP, IMAP, POP3, HTTP(S), LDAP, TCP, or the end-to-end round
 * trip SMTP -> mailbox), timed step by step, and the running result a
 * series of checks adds up to.
 *
 * A check never blocks longer than its timeout: sockets are non-blocking,
 * every wait is a poll(2) against the check's one deadline, and the name
 * is resolved on a thread of its own that the check abandons (never
 * waits for) when the deadline passes.  So a target that accepts and
 * never answers, or a resolver that hangs, costs its own probe its
 * timeout and nothing else.  probe_check() runs on the caller's thread:
 * the collector gives each probe a thread (collector.c), `mtamon probe`
 * runs them side by side.
 *
 * No SNMP here: mtamond serves probe_result through the collector's
 * snapshot.
 */
#ifndef MTAMON_PROBE_H
#define MTAMON_PROBE_H

#include <stddef.h>
#include <netdb.h>
#include <stdint.h>
#include <time.h>

#include "mtamon_config.h"

/** A probe's state, as served (mtamonProbeState) and printed. */
enum probe_state {
    PROBE_NOT_YET = 0, /**< not checked yet */
    PROBE_UP = 1,      /**< the last check passed within slow_ms */
    PROBE_SLOW = 2,    /**< it passed, but took longer than slow_ms */
    PROBE_DOWN = 3,    /**< it failed or timed out */
};

/** Most timed steps in one check. */
#define PROBE_STEPS_MAX 8

/** Longest step name, with its NUL. */
#define PROBE_STEP_NAME_MAX 16

/** Longest error text kept, with its NUL. */
#define PROBE_ERROR_MAX 256

/** One timed step of a check ("connect", "tls", "greeting", "ehlo"...). */
struct probe_step {
    char name[PROBE_STEP_NAME_MAX];
    uint32_t ms;       /**< how long it took (milliseconds) */
};

/**
 * What one check found.  Steps are listed in the order they ran; a failed
 * check lists the steps that completed, and its error names the one that
 * did not.  Step names by kind:
 *   every TCP kind:  "resolve" (when the host is a name), "connect",
 *                    "tls" (implicit TLS)
 *   smtp / lmtp:     "greeting", "ehlo" | "lhlo", ["starttls", "ehlo2" | "lhlo2"],
 *                    "quit"
 *   imap:            "greeting", ["starttls"], ["login"], "logout"
 *   pop3:            "greeting", ["stls"], ["user", "pass"], "quit"
 *   http:            "request" (status line received), "body"
 *   ldap:            ["starttls"], "bind", ["search"]
 *   roundtrip:       "submit" (connect to end of DATA), "deliver" (end of
 *                    DATA until the message was visible), "delete"
 */
struct probe_check {
    int ok;                     /**< every step passed */
    uint32_t total_ms;          /**< start of the check to its end */
    struct probe_step steps[PROBE_STEPS_MAX];
    size_t n_steps;
    /** The server's reply code of a failed step (SMTP/LMTP 3-digit code,
     * HTTP status, LDAP resultCode), 0 when there was none (refused,
     * timed out, TLS failed, IMAP/POP3 which have no codes). */
    int reply_code;
    /** Why it failed, "" when ok: "STEP: what", with the server's reply
     * text where there was one ("greeting: 421 4.3.2 Service not
     * available", "connect: Connection refused", "greeting: timed out
     * after 10000 ms", "tls: certificate verify failed: self-signed
     * certificate"). Printable ASCII only. */
    char error[PROBE_ERROR_MAX];
};

/** The running result of a probe's checks. */
struct probe_result {
    enum probe_state state;
    struct probe_check last;    /**< the last check (state != NOT_YET) */
    time_t last_check;          /**< wall clock of the last check's end, 0 = never */
    time_t last_success;        /**< 0 = never */
    time_t last_failure;        /**< 0 = never */
    time_t last_change;         /**< when state last changed, 0 = never */
    /** Last error text; kept after the probe recovers. */
    char last_error[PROBE_ERROR_MAX];
    uint32_t consecutive_failures;
    uint64_t checks;
    uint64_t failures;          /**< down checks (slow ones are not) */
};

typedef struct probe probe;

/**
 * A probe for @p conf (which must outlive it), holding what stays
 * between checks: TLS contexts (the CA store is read once) and the round
 * trip's tag counter.  NULL with the reason in @p err (a TLS CA file
 * that cannot be read, ENOMEM).
 */
probe *probe_new(const struct config_probe *conf, char *err, size_t errlen);

/**
 * Run one check now on the calling thread; returns within the probe's
 * timeout plus a few milliseconds.  Fills @p out.
 */
void probe_check(probe *p, struct probe_check *out);

/** Free @p p (NULL is fine). */
void probe_free(probe *p);

/**
 * Add @p check, which ended at wall-clock @p now, to @p r: state
 * (DOWN when !ok, else SLOW when slow_ms and total_ms > slow_ms, else
 * UP), times, counts, errors.
 */
void probe_result_add(struct probe_result *r, const struct probe_check *check,
                      unsigned slow_ms, time_t now);

/** "notYet", "up", "slow", "down". */
const char *probe_state_name(enum probe_state state);

/**
 * Resolves @p host for @p port into @p out (which the caller frees with
 * freeaddrinfo); 0, or an EAI_* code.  getaddrinfo() unless a test
 * replaced it (probe_set_resolver).
 */
typedef int (*probe_resolver)(const char *host, const char *port,
                              const struct addrinfo *hints, struct addrinfo **out);

/**
 * Replace the resolver every probe uses (tests: one that hangs); NULL
 * restores getaddrinfo().  Not thread-safe: call before checks run.
 */
void probe_set_resolver(probe_resolver resolver);

#endif /* MTAMON_PROBE_H */
