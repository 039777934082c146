/*
 * probe_tls.c - the TLS half of a probe's connection (see probe_conn.h),
 * with OpenSSL: one SSL_CTX per endpoint (the CA store read once), a
 * non-blocking handshake against the check's deadline, certificate chain
 * and name verification on unless tls_verify is false.
 *
 * SIGPIPE: OpenSSL's socket BIO writes with write(2), which raises
 * SIGPIPE when the server has closed, and the default action kills the
 * whole daemon.  Blocking the signal per thread would leave it pending
 * (delivered later to whoever unblocks it) and the process's disposition
 * is not a library's to change, so the SSL objects talk through a BIO of
 * our own that sends with MSG_NOSIGNAL (EPIPE instead) and receives with
 * recv(2), on the connection's non-blocking socket.
 */
#include "probe_conn.h"
#include "probe_conn_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "monotonic.h"

struct probe_tls {
    SSL_CTX *ctx;          /* NULL for tls: none */
    int verify;
    char name[256];        /* checked against the certificate; "" = none */
    int name_is_ip;        /* name is an address: IP SAN check, no SNI */
};

/* ------------------------------------------------------------------------ */
/* A socket BIO that never raises SIGPIPE                                    */

static BIO_METHOD *probe_tls_bio_method;
static pthread_once_t probe_tls_bio_once = PTHREAD_ONCE_INIT;

static int probe_tls_bio_write(BIO *b, const char *buf, int len)
{
    int fd = *(int *)BIO_get_data(b);
    BIO_clear_retry_flags(b);
    ssize_t n = send(fd, buf, (size_t)len, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_write(b);
    return (int)n;
}

static int probe_tls_bio_read(BIO *b, char *buf, int len)
{
    int fd = *(int *)BIO_get_data(b);
    BIO_clear_retry_flags(b);
    ssize_t n = recv(fd, buf, (size_t)len, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_read(b);
    return (int)n;
}

static int probe_tls_bio_puts(BIO *b, const char *s)
{
    return probe_tls_bio_write(b, s, (int)strlen(s));
}

static long probe_tls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    default:
        return 0;
    }
}

static int probe_tls_bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static void probe_tls_bio_make(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mtamon probe");
    if (!m)
        return;
    if (!BIO_meth_set_write(m, probe_tls_bio_write) || !BIO_meth_set_read(m, probe_tls_bio_read) ||
        !BIO_meth_set_puts(m, probe_tls_bio_puts) || !BIO_meth_set_ctrl(m, probe_tls_bio_ctrl) ||
        !BIO_meth_set_create(m, probe_tls_bio_create)) {
        BIO_meth_free(m);
        return;
    }
    probe_tls_bio_method = m;
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                  */

/* The last OpenSSL error as text ("unknown" when the queue is empty);
 * clears the queue. */
static void probe_tls_openssl_error(char *err, size_t errlen)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    snprintf(err, errlen, "%s", reason ? reason : "unknown error");
    ERR_clear_error();
}

probe_tls *probe_tls_new(const struct config_probe_endpoint *ep, char *err, size_t errlen)
{
    probe_tls *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->verify = ep->tls_verify;
    const char *name = ep->tls_name && ep->tls_name[0] ? ep->tls_name : ep->host ? ep->host : "";
    snprintf(t->name, sizeof t->name, "%s", name);
    unsigned char addr[sizeof(struct in6_addr)];
    t->name_is_ip = inet_pton(AF_INET, t->name, addr) == 1 || inet_pton(AF_INET6, t->name, addr) == 1;
    if (ep->tls == CONFIG_TLS_NONE)
        return t;

    pthread_once(&probe_tls_bio_once, probe_tls_bio_make);
    if (!probe_tls_bio_method) {
        snprintf(err, errlen, "tls: cannot make the socket BIO");
        free(t);
        return NULL;
    }
    t->ctx = SSL_CTX_new(TLS_client_method());
    if (!t->ctx) {
        char why[128];
        probe_tls_openssl_error(why, sizeof why);
        snprintf(err, errlen, "tls: %s", why);
        free(t);
        return NULL;
    }
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    /* A server that closes without close_notify (many HTTP servers) ends
     * the stream; it is not an error of the probe. */
    SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
    int loaded = ep->tls_ca && ep->tls_ca[0]
                     ? SSL_CTX_load_verify_locations(t->ctx, ep->tls_ca, NULL)
                     : SSL_CTX_set_default_verify_paths(t->ctx);
    if (loaded != 1) {
        char why[128];
        probe_tls_openssl_error(why, sizeof why);
        if (ep->tls_ca && ep->tls_ca[0])
            snprintf(err, errlen, "tls_ca: %s: cannot read the CA file: %s", ep->tls_ca, why);
        else
            snprintf(err, errlen, "tls: cannot load the system's CA store: %s", why);
        probe_tls_free(t);
        return NULL;
    }
    SSL_CTX_set_verify(t->ctx, t->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    return t;
}

void probe_tls_free(probe_tls *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ctx);
    free(t);
}

/* ------------------------------------------------------------------------ */
/* Handshake                                                                 */

/* Why the handshake of @p ssl failed (ret its SSL_connect result). */
static void probe_tls_handshake_error(probe_conn *c, int ret, char *err, size_t errlen)
{
    long vr = SSL_get_verify_result(c->ssl);
    int e = SSL_get_error(c->ssl, ret);
    if (c->tls->verify && vr != X509_V_OK) {
        snprintf(err, errlen, "certificate verify failed: %s", X509_verify_cert_error_string(vr));
        ERR_clear_error();
    } else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        if (errno != 0 && ret < 0)
            snprintf(err, errlen, "%s", strerror(errno));
        else
            snprintf(err, errlen, "connection closed by the server during the handshake");
    } else if (e == SSL_ERROR_ZERO_RETURN) {
        snprintf(err, errlen, "connection closed by the server during the handshake");
    } else {
        probe_tls_openssl_error(err, errlen);
    }
}

int probe_conn_start_tls(probe_conn *c, int64_t deadline_ms, char *err, size_t errlen)
{
    probe_tls *t = c->tls;
    if (!t || !t->ctx) {
        snprintf(err, errlen, "TLS is not configured for this target");
        return -1;
    }
    if (c->ssl) {
        snprintf(err, errlen, "TLS already started");
        return -1;
    }
    if (c->rlen > 0) {
        /* Plain-text bytes after the STARTTLS reply would be read as if
         * they came through TLS (the command injection of CVE-2011-0411):
         * a server that sends them is broken or attacked. */
        snprintf(err, errlen, "the server sent data before the TLS handshake");
        return -1;
    }
    ERR_clear_error();
    SSL *ssl = SSL_new(t->ctx);
    BIO *bio = ssl ? BIO_new(probe_tls_bio_method) : NULL;
    if (!bio) {
        probe_tls_openssl_error(err, errlen);
        SSL_free(ssl);
        return -1;
    }
    BIO_set_data(bio, &c->fd);
    SSL_set_bio(ssl, bio, bio);
    c->ssl = ssl;
    if (t->name[0]) {
        int set;
        if (t->name_is_ip) {
            set = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), t->name);
        } else {
            set = SSL_set_tlsext_host_name(ssl, t->name) == 1 && SSL_set1_host(ssl, t->name) == 1;
        }
        if (!set) {
            probe_tls_openssl_error(err, errlen);
            probe_tls_close(c);
            return -1;
        }
    }
    SSL_set_connect_state(ssl);
    for (;;) {
        errno = 0;
        int r = SSL_connect(ssl);
        if (r == 1)
            return 0;
        int e = SSL_get_error(ssl, r);
        short events;
        if (e == SSL_ERROR_WANT_READ) {
            events = POLLIN;
        } else if (e == SSL_ERROR_WANT_WRITE) {
            events = POLLOUT;
        } else {
            probe_tls_handshake_error(c, r, err, errlen);
            SSL_free(c->ssl); /* no close_notify after a failed handshake */
            c->ssl = NULL;
            return -1;
        }
        if (probe_conn_wait_ready(c, events, deadline_ms, err, errlen) != 0) {
            SSL_free(c->ssl);
            c->ssl = NULL;
            ERR_clear_error();
            return -1;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Reading, writing, closing                                                 */

/* After SSL_read/SSL_write returned @p r <= 0: -2 (wait, *events set),
 * 0 (end of stream, reads only) or -1 (err set). */
static ssize_t probe_tls_io_result(probe_conn *c, int r, short *events, char *err, size_t errlen)
{
    int e = SSL_get_error(c->ssl, r);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        *events = POLLIN;
        return -2;
    case SSL_ERROR_WANT_WRITE:
        *events = POLLOUT;
        return -2;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            if (r == 0 || errno == 0)
                return 0; /* closed without close_notify */
            snprintf(err, errlen, "%s", strerror(errno));
            return -1;
        }
        /* fall through */
    default:
        probe_tls_openssl_error(err, errlen);
        return -1;
    }
}

ssize_t probe_tls_read(probe_conn *c, void *buf, size_t cap, short *events, char *err,
                       size_t errlen)
{
    errno = 0;
    int r = SSL_read(c->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
    if (r > 0)
        return r;
    return probe_tls_io_result(c, r, events, err, errlen);
}

ssize_t probe_tls_write(probe_conn *c, const void *buf, size_t len, short *events, char *err,
                        size_t errlen)
{
    errno = 0;
    int r = SSL_write(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
    if (r > 0)
        return r;
    ssize_t n = probe_tls_io_result(c, r, events, err, errlen);
    if (n == 0) {
        snprintf(err, errlen, "connection closed by the server");
        return -1;
    }
    return n;
}

void probe_tls_close(probe_conn *c)
{
    if (!c->ssl)
        return;
    /* close_notify if the socket takes it now; never wait for the
     * server's. */
    SSL_shutdown(c->ssl);
    SSL_free(c->ssl);
    c->ssl = NULL;
    ERR_clear_error();
}
