/*
 * probe_smtp.h - the SMTP/LMTP client pieces the probes share
 * (probe_dialog_smtp.c, probe_dialog_roundtrip.c): the reply reader
 * (one reply, multi-line or not, read whole and bounded), the commands
 * with their checks, and the EHLO keywords a dialog needs.  Internal to
 * src/collect.
 */
#ifndef MTAMON_PROBE_SMTP_H
#define MTAMON_PROBE_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon_config.h"
#include "probe.h"
#include "probe_conn.h"

/** Most lines of one reply read before it is refused as too long. */
#define PROBE_SMTP_REPLY_LINES_MAX 100

/** Longest reply line kept (RFC 5321: 512 with CRLF; servers exceed it). */
#define PROBE_SMTP_LINE_MAX 1024

/** EHLO keywords (probe_smtp_reply.ext). */
#define PROBE_SMTP_EXT_STARTTLS 0x1u   /**< STARTTLS */
#define PROBE_SMTP_EXT_AUTH_PLAIN 0x2u /**< AUTH ... PLAIN ... */

/** One whole reply. */
struct probe_smtp_reply {
    int code;                           /**< 100..599 */
    char text[PROBE_SMTP_LINE_MAX];     /**< the last line's text */
    unsigned ext;                       /**< PROBE_SMTP_EXT_* seen on any line */
    size_t lines;
};

/**
 * Parse one reply line "CODE[-| ]TEXT" (or a bare "CODE"): 0 with
 * *@p code, *@p more (1 for "CODE-", more lines follow) and *@p text
 * (inside @p line, "" for a bare code); -1 when it is not a reply line.
 */
int probe_smtp_parse_line(const char *line, int *code, int *more, const char **text);

/**
 * The PROBE_SMTP_EXT_* keyword that the EHLO reply text @p text (one
 * line's text after the code, e.g. "STARTTLS", "AUTH LOGIN PLAIN")
 * announces, 0 for any other.
 */
unsigned probe_smtp_ext(const char *text);

/**
 * Read one whole reply from @p c into @p r: every line must carry the
 * same code, at most PROBE_SMTP_REPLY_LINES_MAX lines.  0, or -1 with
 * "what" in @p err (timed out, closed, "not an SMTP reply: LINE",
 * "reply longer than 100 lines") and r->code 0.
 */
int probe_smtp_read_reply(probe_conn *c, int64_t deadline_ms, struct probe_smtp_reply *r,
                          char *err, size_t errlen);

/**
 * Send @p cmd (without CRLF; NULL sends nothing, for a greeting) and
 * read the reply into @p r.  When the reply's code is not in the class
 * @p want_class (2 or 3, the first digit), or anything fails, sets
 * check->error to "STEP: CODE TEXT" (or "STEP: what"), check->reply_code
 * to the code (0 when there was none), and returns -1; else 0.  @p what,
 * when not NULL, is put between the step and the text ("submit: RCPT:
 * 550 5.1.1 unknown") so one step may hold several commands.
 */
int probe_smtp_command(probe_conn *c, const char *cmd, int want_class, int64_t deadline_ms,
                       struct probe_smtp_reply *r, struct probe_check *check,
                       const char *step, const char *what);

/**
 * The EHLO/LHLO argument for @p conf: conf->helo when set, else this
 * host's name (gethostname), else "localhost".  Writes into @p buf.
 */
const char *probe_smtp_helo_name(const struct config_probe *conf, char *buf, size_t len);

/**
 * The SMTP session's start: greeting (step "greeting" unless @p step is
 * given), EHLO or LHLO (@p lmtp) with @p helo, and when @p starttls,
 * STARTTLS (refused when the EHLO reply did not offer it: "starttls: not
 * offered") and EHLO again.  With @p record, each part is a step of
 * @p check ("greeting", "ehlo"/"lhlo", "starttls", "ehlo2"/"lhlo2");
 * without it, every failure is named after @p step ("submit: greeting:
 * 421 busy").  On success @p r holds the last EHLO reply (its
 * extensions).  0 or -1 (check filled).
 */
int probe_smtp_open_session(probe_conn *c, const char *helo, int lmtp, int starttls,
                            int record, const char *step, int64_t deadline_ms,
                            struct probe_smtp_reply *r, struct probe_check *check);

/**
 * "AUTH PLAIN <base64(\0user\0password)>" into @p buf; -1 when it does
 * not fit.
 */
int probe_smtp_auth_plain(const char *user, const char *password, char *buf, size_t len);

#endif /* MTAMON_PROBE_SMTP_H */
