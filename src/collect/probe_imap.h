/*
 * probe_imap.h - the IMAP client pieces the probes share
 * (probe_dialog_imap.c, the round trip's mailbox): tagged commands
 * whose untagged responses (literals read whole) go to a callback,
 * string quoting (RFC 3501 quoted string or literal), greeting,
 * STARTTLS and LOGIN.  Internal to src/collect.
 */
#ifndef MTAMON_PROBE_IMAP_H
#define MTAMON_PROBE_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "probe_conn.h"

/** Longest response line read (without its literals). */
#define PROBE_IMAP_LINE_MAX 8192

/** Most literals in one response, and the longest one kept. */
#define PROBE_IMAP_LITERALS_MAX 8
#define PROBE_IMAP_LITERAL_MAX 4096

/** One untagged response: its text with "{N}" markers where the
 * literals were, and the literals' bytes (NUL-terminated copies). */
struct probe_imap_untagged {
    const char *text;
    size_t n_lits;
    const char *lit[PROBE_IMAP_LITERALS_MAX];
    size_t lit_len[PROBE_IMAP_LITERALS_MAX];
};

/** Called for each untagged response of a command. */
typedef void (*probe_imap_untagged_fn)(void *ctx, const struct probe_imap_untagged *u);

/** An IMAP session on a connection. */
struct probe_imap {
    probe_conn *c;
    unsigned next_tag;
    int preauth;           /**< the greeting was PREAUTH */
    int have_caps;         /**< caps is known */
    char caps[1024];       /**< " CAP1 CAP2 ... " upper case */
    char bye[256];         /**< the text of a "* BYE" seen, "" if none */
};

/**
 * How @p s is sent as an IMAP astring: 0 with the quoted string
 * ("a\"b" for a"b) in @p buf; 1 when only a literal can carry it (CR,
 * LF or 8-bit bytes); -1 when the quoted form does not fit @p len.
 */
int probe_imap_quote(const char *s, char *buf, size_t len);

/** Does the capability list of @p im hold @p cap (e.g. "STARTTLS")? */
int probe_imap_has_cap(const struct probe_imap *im, const char *cap);

/**
 * Read the greeting: "* OK" (0), "* PREAUTH" (0, im->preauth set),
 * "* BYE" or anything else (-1, "STEP: BYE text" / "STEP: not an IMAP
 * greeting: LINE").  A [CAPABILITY ...] code is kept.
 */
int probe_imap_greeting(struct probe_imap *im, int64_t deadline_ms, struct probe_check *check,
                        const char *step, const char *what);

/**
 * Send "TAG @p cmd" and read up to its tagged response; untagged
 * responses go to @p fn (may be NULL); CAPABILITY responses (untagged
 * or as a response code) are kept in im->caps.  0 on OK; -1 on NO/BAD
 * ("STEP: [WHAT: ]NO text"), a BYE and close, a timeout or garbage,
 * with check->error set.  @p what as in probe_smtp_command().
 */
int probe_imap_command(struct probe_imap *im, const char *cmd, int64_t deadline_ms,
                       probe_imap_untagged_fn fn, void *ctx, struct probe_check *check,
                       const char *step, const char *what);

/**
 * CAPABILITY (when not known yet), check STARTTLS is offered ("STEP:
 * not offered"), STARTTLS, the TLS handshake; forgets the capabilities.
 */
int probe_imap_starttls(struct probe_imap *im, int64_t deadline_ms, struct probe_check *check,
                        const char *step, const char *what);

/** LOGIN @p user @p password, quoted or as literals. */
int probe_imap_login(struct probe_imap *im, const char *user, const char *password,
                     int64_t deadline_ms, struct probe_check *check, const char *step,
                     const char *what);

#endif /* MTAMON_PROBE_IMAP_H */
