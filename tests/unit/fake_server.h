/*
 * fake_server.h - a scripted fake server for the probe suites.
 *
 * It listens on 127.0.0.1 with a free port (or on a Unix-domain socket
 * path), runs on a thread of its own, and plays the same script of
 * actions on every connection it accepts, one connection at a time:
 * send text, expect a line (optionally starting with a given prefix),
 * sleep, close, stay silent, start TLS as the server (or accept TCP and
 * never answer the ClientHello), read until end of file.  Everything the
 * client sent is recorded so a test can assert on it.
 *
 *     static const struct fake_action script[] = {
 *         FAKE_SEND("220 fake ESMTP\r\n"),
 *         FAKE_EXPECT("EHLO "),
 *         FAKE_SEND("250 fake\r\n"),
 *         FAKE_EXPECT("QUIT"),
 *         FAKE_SEND("221 bye\r\n"),
 *         FAKE_END,
 *     };
 *     fake_server *fs = fake_server_start(script, NULL, NULL);
 *     ... connect to 127.0.0.1:fake_server_port(fs) ...
 *     CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
 *     fake_server_stop(fs);
 *
 * Every wait of the server (for a line, for a sleep, silent) is cut short
 * by fake_server_stop(), which joins the thread and closes everything.
 * A wait for a line or for end of file gives up after 10 s on its own.
 */
#ifndef MTAMON_FAKE_SERVER_H
#define MTAMON_FAKE_SERVER_H

#include <stddef.h>
#include <stdint.h>

enum fake_action_kind {
    FAKE_ACT_END = 0,    /**< end of the script: close the connection */
    FAKE_ACT_SEND,       /**< send text */
    FAKE_ACT_EXPECT,     /**< read one line; text (if not NULL) is its prefix */
    FAKE_ACT_SLEEP,      /**< wait ms milliseconds */
    FAKE_ACT_CLOSE,      /**< close the connection now (same as END) */
    FAKE_ACT_SILENT,     /**< send nothing until the client closes or stop */
    FAKE_ACT_TLS,        /**< TLS handshake as the server (cert and key) */
    FAKE_ACT_TLS_STALL,  /**< read the ClientHello, never answer it (= SILENT) */
    FAKE_ACT_READ_EOF,   /**< read (recording) until the client closes */
};

/** One step of a script. */
struct fake_action {
    enum fake_action_kind kind;
    const char *text;    /**< SEND: bytes (NUL-terminated); EXPECT: prefix or NULL */
    unsigned ms;         /**< SLEEP: milliseconds */
};

#define FAKE_SEND(t)   {FAKE_ACT_SEND, (t), 0}
#define FAKE_EXPECT(p) {FAKE_ACT_EXPECT, (p), 0}
#define FAKE_SLEEP(n)  {FAKE_ACT_SLEEP, NULL, (n)}
#define FAKE_CLOSE     {FAKE_ACT_CLOSE, NULL, 0}
#define FAKE_SILENT    {FAKE_ACT_SILENT, NULL, 0}
#define FAKE_TLS       {FAKE_ACT_TLS, NULL, 0}
#define FAKE_TLS_STALL {FAKE_ACT_TLS_STALL, NULL, 0}
#define FAKE_READ_EOF  {FAKE_ACT_READ_EOF, NULL, 0}
#define FAKE_END       {FAKE_ACT_END, NULL, 0}

typedef struct fake_server fake_server;

/**
 * Start a server playing @p script (ended by FAKE_END; the array must
 * outlive the server) on every accepted connection.  @p unix_path: listen
 * on that Unix-domain socket path instead of 127.0.0.1 (NULL = TCP, free
 * port).  @p cert_pem, @p key_pem: files for FAKE_TLS (NULL when the
 * script has none; test_cert.h makes them).  NULL when it cannot listen
 * (the reason on stderr).
 */
fake_server *fake_server_start(const struct fake_action *script, const char *unix_path,
                               const char *cert_pem, const char *key_pem);

/** The TCP port it listens on (0 for a Unix socket). */
uint16_t fake_server_port(const fake_server *fs);

/**
 * A copy of every byte the clients sent so far, over all connections
 * (after TLS: the decrypted bytes; a stalled handshake records the raw
 * ClientHello).  NUL-terminated; the caller frees it.
 */
char *fake_server_received(fake_server *fs);

/** Connections accepted so far. */
unsigned fake_server_connections(fake_server *fs);

/**
 * Script steps that did not go as scripted so far: an EXPECT whose line
 * did not start with its prefix or never came, a TLS handshake that
 * failed, a SEND the client did not take.  0 when the client did
 * exactly what the script expects.
 */
unsigned fake_server_mismatches(fake_server *fs);

/** Connections that finished their whole script (reached END/CLOSE). */
unsigned fake_server_completed(fake_server *fs);

/**
 * When @p fs last accepted a connection, and when its last connection
 * ended (the script done, the client gone, or stop), as places in one
 * order of these events kept over every fake server of the process (1,
 * 2, 3...); 0 when it has not happened.  What happened before what
 * across servers, without a clock: "every server had accepted its
 * connection before any connection ended".
 */
unsigned fake_server_accepted_at(fake_server *fs);
unsigned fake_server_ended_at(fake_server *fs);

/** Stop: wake and join the thread, close every socket, free @p fs (NULL is fine). */
void fake_server_stop(fake_server *fs);

/**
 * A TCP port on 127.0.0.1 where nothing listens (bound, then closed):
 * a connection to it is refused.  0 on failure.
 */
uint16_t fake_server_closed_port(void);

#endif /* MTAMON_FAKE_SERVER_H */
