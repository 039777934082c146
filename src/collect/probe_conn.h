/*
 * probe_conn.h - a probe's connection: resolve (on a thread the check
 * can abandon), non-blocking connect, optional TLS (implicit or upgraded
 * by STARTTLS), and reads and writes that each give up at the check's
 * deadline.  Used by the protocol dialogs (probe_*.c); not by anything
 * outside src/collect.
 *
 * Deadlines are absolute CLOCK_MONOTONIC milliseconds (monotonic.h).
 * Every function that fails writes "what happened" into the caller's
 * buffer, without a step name: the dialog prefixes its step ("greeting:
 * timed out after 10000 ms").
 */
#ifndef MTAMON_PROBE_CONN_H
#define MTAMON_PROBE_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon_config.h"
#include "probe.h"

typedef struct probe_conn probe_conn;

/** TLS settings shared by every check of one endpoint (probe_new). */
typedef struct probe_tls probe_tls;

/**
 * TLS settings for @p ep (CA store, verification, name), made once.
 * NULL with the reason in @p err.  Made also for tls: none, since a
 * dialog may be asked to upgrade (it then never is).
 */
probe_tls *probe_tls_new(const struct config_probe_endpoint *ep, char *err, size_t errlen);

/** Free @p t (NULL is fine). */
void probe_tls_free(probe_tls *t);

/**
 * Connect to @p ep by @p deadline_ms, adding the "resolve" (host names
 * only), "connect" and, for implicit TLS, "tls" steps to @p check.
 * NULL on failure, with check->error set ("connect: Connection refused")
 * and check->ok left 0.
 */
probe_conn *probe_conn_open(const struct config_probe_endpoint *ep, probe_tls *tls,
                            int64_t deadline_ms, struct probe_check *check);

/** Start TLS on @p c now (after the protocol's STARTTLS reply); 0 or -1. */
int probe_conn_start_tls(probe_conn *c, int64_t deadline_ms, char *err, size_t errlen);

/** Write all of @p len bytes; 0 or -1. */
int probe_conn_write(probe_conn *c, const void *buf, size_t len, int64_t deadline_ms,
                     char *err, size_t errlen);

/**
 * Read one line into @p line (at most @p cap - 1 bytes, NUL-terminated,
 * CRLF or LF removed); returns its length, or -1 (timed out, closed,
 * too long, error).  Bytes after the line stay buffered for the next
 * read.
 */
long probe_conn_read_line(probe_conn *c, char *line, size_t cap, int64_t deadline_ms,
                          char *err, size_t errlen);

/** Read exactly @p len bytes (IMAP literals, LDAP messages); 0 or -1. */
int probe_conn_read_exact(probe_conn *c, void *buf, size_t len, int64_t deadline_ms,
                          char *err, size_t errlen);

/** Close and free @p c (NULL is fine); sends TLS close_notify, never waits. */
void probe_conn_close(probe_conn *c);

/** Record a finished step @p name that started at @p start_ms (monotonic). */
void probe_step_add(struct probe_check *check, const char *name, int64_t start_ms);

/** Set check->error to "STEP: what" (printf-style), made printable. */
void probe_fail(struct probe_check *check, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * The same with a part of the step named: "STEP: WHAT: what" ("login:
 * LOGIN: NO ..."), or "STEP: what" when @p what is NULL.
 */
void probe_fail_in(struct probe_check *check, const char *step, const char *what,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* MTAMON_PROBE_CONN_H */
