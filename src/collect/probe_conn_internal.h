/*
 * probe_conn_internal.h - what probe_conn.c, probe_tls.c and the HTTP
 * dialog share beyond probe_conn.h: the connection's fields, the TLS
 * half of its I/O, and a read of whatever bytes come (an HTTP body).
 */
#ifndef MTAMON_PROBE_CONN_INTERNAL_H
#define MTAMON_PROBE_CONN_INTERNAL_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "probe_conn.h"

struct probe_conn {
    int fd;
    SSL *ssl;                  /**< NULL until TLS starts */
    probe_tls *tls;
    int64_t t0;                /**< monotonic ms when probe_conn_open began */
    size_t rlen;               /**< bytes in rbuf */
    char rbuf[16384];          /**< read, not yet consumed; bounds a line */
};

/**
 * Wait until @p fd has @p events or @p deadline_ms passes: 1 ready, 0
 * timed out, -1 poll failed (errno).
 */
int probe_conn_wait(int fd, short events, int64_t deadline_ms);

/** "timed out after N ms", N = deadline - the connection's start. */
void probe_conn_timed_out(const probe_conn *c, int64_t deadline_ms, char *err, size_t errlen);

/**
 * Wait until the connection's socket has @p events: 0, or -1 with the
 * reason in @p err (probe_conn_timed_out() at @p deadline_ms, or poll's).
 */
int probe_conn_wait_ready(const probe_conn *c, short events, int64_t deadline_ms, char *err,
                          size_t errlen);

/**
 * Read whatever comes, at most @p cap bytes: their count, 0 at the end
 * of the stream (the server closed), -1 on error or time out (reason in
 * @p err).
 */
long probe_conn_read_some(probe_conn *c, void *buf, size_t cap, int64_t deadline_ms, char *err,
                          size_t errlen);

/**
 * TLS read on c->ssl: bytes read, 0 at the end of the stream, -2 when it
 * must wait for *@p events (set), -1 on error (reason in @p err).
 */
ssize_t probe_tls_read(probe_conn *c, void *buf, size_t cap, short *events, char *err,
                       size_t errlen);

/** TLS write on c->ssl: as probe_tls_read, never 0. */
ssize_t probe_tls_write(probe_conn *c, const void *buf, size_t len, short *events, char *err,
                        size_t errlen);

/** Send close_notify (without waiting for the reply) and free c->ssl. */
void probe_tls_close(probe_conn *c);

#endif /* MTAMON_PROBE_CONN_INTERNAL_H */
