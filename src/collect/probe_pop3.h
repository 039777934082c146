/*
 * probe_pop3.h - the POP3 client pieces the probes share
 * (probe_dialog_pop3.c, the round trip's mailbox): status replies,
 * multi-line replies (dot-unstuffed, bounded) and the session start
 * (greeting, STLS, USER/PASS).  Internal to src/collect.
 */
#ifndef MTAMON_PROBE_POP3_H
#define MTAMON_PROBE_POP3_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon_config.h"
#include "probe.h"
#include "probe_conn.h"

/** Longest reply line kept. */
#define PROBE_POP3_LINE_MAX 1024

/** Most lines of one multi-line reply read (TOP n 0 of a header). */
#define PROBE_POP3_MULTI_MAX 2000

/**
 * Read one status line: 0 for "+OK [text]" (text into @p text, may be
 * NULL), -1 for "-ERR text" ("STEP: [WHAT: ]-ERR text"), garbage ("not
 * a POP3 reply: LINE") or a failed read, with check->error set.  Sends
 * @p cmd with CRLF first unless it is NULL.  @p what as in
 * probe_smtp_command().
 */
int probe_pop3_command(probe_conn *c, const char *cmd, int64_t deadline_ms, char *text,
                       size_t textlen, struct probe_check *check, const char *step,
                       const char *what);

/** Called for each line of a multi-line reply (dot-unstuffed). */
typedef void (*probe_pop3_line_fn)(void *ctx, const char *line);

/**
 * Read the lines of a multi-line reply up to its "." into @p fn; 0 or
 * -1 (check->error set as above; more than PROBE_POP3_MULTI_MAX lines
 * is an error).
 */
int probe_pop3_read_multi(probe_conn *c, int64_t deadline_ms, probe_pop3_line_fn fn, void *ctx,
                          struct probe_check *check, const char *step, const char *what);

/**
 * Greeting, STLS when @p ep asks for STARTTLS, USER/PASS when @p ep has
 * credentials.  With @p record each is a step of @p check ("greeting",
 * "stls", "user", "pass"); without, failures are named after @p step
 * ("deliver: mailbox pass: -ERR ...").  0 or -1.
 */
int probe_pop3_open_session(probe_conn *c, const struct config_probe_endpoint *ep, int record,
                            const char *step, int64_t deadline_ms, struct probe_check *check);

#endif /* MTAMON_PROBE_POP3_H */
