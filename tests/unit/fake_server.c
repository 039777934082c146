/*
 * fake_server.c - a scripted fake server for the probe suites (see
 * fake_server.h).  One thread; every wait polls the connection (or
 * nothing) together with a wake pipe that fake_server_stop() writes to.
 */
#include "fake_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* A wait for a line or end of file gives up after this long. */
#define FAKE_WAIT_MS 10000

/* The last place given in the order of accepts and ends of every server. */
static atomic_uint fake_order;

struct fake_server {
    const struct fake_action *script;
    int listen_fd;
    int wake[2];                /* [0] polled by the thread, [1] written by stop */
    uint16_t port;
    char unix_path[108];
    SSL_CTX *ctx;               /* NULL without cert and key */
    pthread_t thread;

    pthread_mutex_t lock;       /* guards what follows */
    char *received;
    size_t received_len, received_cap;
    unsigned connections, mismatches, completed;
    unsigned accepted_at, ended_at;  /* places in fake_order, 0 = never */
};

/* One accepted connection. */
struct fake_conn {
    fake_server *fs;
    int fd;
    SSL *ssl;
    char buf[4096];             /* read but not yet consumed */
    size_t len;
};

enum { WAIT_READY = 0, WAIT_TIMEOUT = 1, WAIT_STOP = 2 };

static void fake_record(fake_server *fs, const char *data, size_t len)
{
    pthread_mutex_lock(&fs->lock);
    if (fs->received_len + len + 1 > fs->received_cap) {
        size_t cap = (fs->received_len + len + 1) * 2;
        char *p = realloc(fs->received, cap);
        if (!p) {
            pthread_mutex_unlock(&fs->lock);
            return;
        }
        fs->received = p;
        fs->received_cap = cap;
    }
    memcpy(fs->received + fs->received_len, data, len);
    fs->received_len += len;
    fs->received[fs->received_len] = '\0';
    pthread_mutex_unlock(&fs->lock);
}

static void fake_count(fake_server *fs, unsigned *counter)
{
    pthread_mutex_lock(&fs->lock);
    (*counter)++;
    pthread_mutex_unlock(&fs->lock);
}

/* Set *@p at to the next place in the order of every server's events. */
static void fake_stamp(fake_server *fs, unsigned *at)
{
    pthread_mutex_lock(&fs->lock);
    *at = atomic_fetch_add(&fake_order, 1) + 1;
    pthread_mutex_unlock(&fs->lock);
}

static int64_t fake_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until @p fd (-1: none) has @p events, the stop pipe fires, or
 * @p ms pass. */
static int fake_wait(fake_server *fs, int fd, short events, int ms)
{
    struct pollfd pfd[2] = {{fs->wake[0], POLLIN, 0}, {fd, events, 0}};
    for (;;) {
        int n = poll(pfd, fd >= 0 ? 2 : 1, ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return WAIT_STOP;
        if (n == 0)
            return WAIT_TIMEOUT;
        if (pfd[0].revents)
            return WAIT_STOP;
        return WAIT_READY;
    }
}

/* Read some bytes into c->buf; 1 read, 0 end of file or error, -1
 * stopped or timed out. */
static int fake_fill(struct fake_conn *c, int64_t deadline)
{
    if (c->len == sizeof c->buf)
        return 0;
    for (;;) {
        short events = POLLIN;
        if (c->ssl) {
            int n = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof c->buf - c->len));
            if (n > 0) {
                fake_record(c->fs, c->buf + c->len, (size_t)n);
                c->len += (size_t)n;
                return 1;
            }
            int e = SSL_get_error(c->ssl, n);
            if (e == SSL_ERROR_WANT_WRITE)
                events = POLLOUT;
            else if (e != SSL_ERROR_WANT_READ)
                return 0;
        } else {
            ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
            if (n > 0) {
                fake_record(c->fs, c->buf + c->len, (size_t)n);
                c->len += (size_t)n;
                return 1;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                return 0;
        }
        int64_t left = deadline - fake_now_ms();
        if (left <= 0)
            return -1;
        if (fake_wait(c->fs, c->fd, events, (int)left) != WAIT_READY)
            return -1;
    }
}

/* EXPECT: 0 as scripted, -1 not (mismatch counted), -2 stopped. */
static int fake_expect(struct fake_conn *c, const char *prefix)
{
    int64_t deadline = fake_now_ms() + FAKE_WAIT_MS;
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl) {
            size_t n = (size_t)(nl - c->buf) + 1;
            int ok = !prefix || (strlen(prefix) <= n && memcmp(c->buf, prefix, strlen(prefix)) == 0);
            memmove(c->buf, c->buf + n, c->len - n);
            c->len -= n;
            if (!ok) {
                fake_count(c->fs, &c->fs->mismatches);
                return -1;
            }
            return 0;
        }
        int r = fake_fill(c, deadline);
        if (r <= 0) {
            fake_count(c->fs, &c->fs->mismatches);
            return -1;
        }
    }
}

/* SEND: 0 or -1 (mismatch counted). */
static int fake_send(struct fake_conn *c, const char *text)
{
    size_t len = strlen(text), off = 0;
    int64_t deadline = fake_now_ms() + FAKE_WAIT_MS;
    while (off < len) {
        short events = POLLOUT;
        if (c->ssl) {
            int n = SSL_write(c->ssl, text + off, (int)(len - off));
            if (n > 0) {
                off += (size_t)n;
                continue;
            }
            int e = SSL_get_error(c->ssl, n);
            if (e == SSL_ERROR_WANT_READ)
                events = POLLIN;
            else if (e != SSL_ERROR_WANT_WRITE)
                goto fail;
        } else {
            ssize_t n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);
            if (n > 0) {
                off += (size_t)n;
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                goto fail;
        }
        int64_t left = deadline - fake_now_ms();
        if (left <= 0 || fake_wait(c->fs, c->fd, events, (int)left) != WAIT_READY)
            goto fail;
    }
    return 0;
fail:
    fake_count(c->fs, &c->fs->mismatches);
    return -1;
}

/* TLS as the server; 0 or -1 (mismatch counted). */
static int fake_tls(struct fake_conn *c)
{
    if (!c->fs->ctx || !(c->ssl = SSL_new(c->fs->ctx)) || !SSL_set_fd(c->ssl, c->fd))
        goto fail;
    /* Bytes already read belong to the handshake: a script has none. */
    int64_t deadline = fake_now_ms() + FAKE_WAIT_MS;
    for (;;) {
        int r = SSL_accept(c->ssl);
        if (r == 1)
            return 0;
        int e = SSL_get_error(c->ssl, r);
        short events;
        if (e == SSL_ERROR_WANT_READ)
            events = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE)
            events = POLLOUT;
        else
            goto fail;
        int64_t left = deadline - fake_now_ms();
        if (left <= 0 || fake_wait(c->fs, c->fd, events, (int)left) != WAIT_READY)
            goto fail;
    }
fail:
    ERR_clear_error();
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    fake_count(c->fs, &c->fs->mismatches);
    return -1;
}

/* SILENT / TLS_STALL / READ_EOF: read (recording) until the client
 * closes; SILENT waits for stop as long as it takes.  0 at end of file,
 * -1 stopped or timed out. */
static int fake_drain(struct fake_conn *c, int forever)
{
    for (;;) {
        c->len = 0;
        int64_t deadline = forever ? INT64_MAX : fake_now_ms() + FAKE_WAIT_MS;
        int r = fake_fill(c, deadline);
        if (r == 0)
            return 0;
        if (r < 0)
            return -1;
    }
}

static void fake_serve(fake_server *fs, int fd)
{
    struct fake_conn c = {.fs = fs, .fd = fd};
    int done = 0;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    for (const struct fake_action *a = fs->script; !done; a++) {
        switch (a->kind) {
        case FAKE_ACT_END:
        case FAKE_ACT_CLOSE:
            fake_count(fs, &fs->completed);
            done = 1;
            break;
        case FAKE_ACT_SEND:
            done = fake_send(&c, a->text) < 0;
            break;
        case FAKE_ACT_EXPECT:
            done = fake_expect(&c, a->text) < 0;
            break;
        case FAKE_ACT_SLEEP:
            done = fake_wait(fs, -1, 0, (int)a->ms) == WAIT_STOP;
            break;
        case FAKE_ACT_SILENT:
        case FAKE_ACT_TLS_STALL:
            /* Until the client gives up or the test stops: both end the
             * connection, neither is a mismatch. */
            fake_drain(&c, 1);
            fake_count(fs, &fs->completed);
            done = 1;
            break;
        case FAKE_ACT_READ_EOF:
            if (fake_drain(&c, 0) < 0) {
                fake_count(fs, &fs->mismatches);
                done = 1;
            }
            break;
        case FAKE_ACT_TLS:
            done = fake_tls(&c) < 0;
            break;
        }
    }
    if (c.ssl) {
        SSL_shutdown(c.ssl); /* close_notify, no wait */
        SSL_free(c.ssl);
    }
    ERR_clear_error();
    close(fd);
}

static void *fake_thread(void *arg)
{
    fake_server *fs = arg;
    /* OpenSSL's socket BIO writes with write(2): a client that went away
     * must give EPIPE here, not a SIGPIPE that ends the test program.
     * Blocked on this thread only, the signal stays pending on it and
     * goes with it. */
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
    for (;;) {
        if (fake_wait(fs, fs->listen_fd, POLLIN, -1) != WAIT_READY)
            return NULL;
        int fd = accept(fs->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        fake_count(fs, &fs->connections);
        fake_stamp(fs, &fs->accepted_at);
        fake_serve(fs, fd);
        fake_stamp(fs, &fs->ended_at);
    }
}

static int fake_listen(fake_server *fs, const char *unix_path)
{
    if (unix_path) {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        if (strlen(unix_path) >= sizeof sun.sun_path) {
            fprintf(stderr, "fake_server: %s: path too long\n", unix_path);
            return -1;
        }
        strcpy(sun.sun_path, unix_path);
        snprintf(fs->unix_path, sizeof fs->unix_path, "%s", unix_path);
        fs->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        unlink(unix_path);
        if (fs->listen_fd < 0 || bind(fs->listen_fd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
            listen(fs->listen_fd, 16) < 0) {
            fprintf(stderr, "fake_server: %s: %s\n", unix_path, strerror(errno));
            return -1;
        }
        return 0;
    }
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    fs->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fs->listen_fd < 0 || bind(fs->listen_fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        listen(fs->listen_fd, 16) < 0 ||
        getsockname(fs->listen_fd, (struct sockaddr *)&sin, &len) < 0) {
        fprintf(stderr, "fake_server: 127.0.0.1: %s\n", strerror(errno));
        return -1;
    }
    fs->port = ntohs(sin.sin_port);
    return 0;
}

static SSL_CTX *fake_ctx(const char *cert_pem, const char *key_pem)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert_pem) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_pem, SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "fake_server: %s, %s: cannot load\n", cert_pem, key_pem);
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return NULL;
    }
    return ctx;
}

static void fake_free(fake_server *fs)
{
    if (fs->listen_fd >= 0)
        close(fs->listen_fd);
    if (fs->unix_path[0])
        unlink(fs->unix_path);
    close(fs->wake[0]);
    close(fs->wake[1]);
    SSL_CTX_free(fs->ctx);
    pthread_mutex_destroy(&fs->lock);
    free(fs->received);
    free(fs);
}

fake_server *fake_server_start(const struct fake_action *script, const char *unix_path,
                               const char *cert_pem, const char *key_pem)
{
    fake_server *fs = calloc(1, sizeof *fs);
    if (!fs)
        return NULL;
    fs->script = script;
    fs->listen_fd = -1;
    pthread_mutex_init(&fs->lock, NULL);
    if (pipe2(fs->wake, O_CLOEXEC) < 0) {
        pthread_mutex_destroy(&fs->lock);
        free(fs);
        return NULL;
    }
    if (fake_listen(fs, unix_path) < 0 ||
        (cert_pem && key_pem && !(fs->ctx = fake_ctx(cert_pem, key_pem))) ||
        pthread_create(&fs->thread, NULL, fake_thread, fs) != 0) {
        fake_free(fs);
        return NULL;
    }
    return fs;
}

uint16_t fake_server_port(const fake_server *fs)
{
    return fs->port;
}

char *fake_server_received(fake_server *fs)
{
    pthread_mutex_lock(&fs->lock);
    char *copy = malloc(fs->received_len + 1);
    if (copy) {
        if (fs->received_len)
            memcpy(copy, fs->received, fs->received_len);
        copy[fs->received_len] = '\0';
    }
    pthread_mutex_unlock(&fs->lock);
    return copy;
}

static unsigned fake_read_counter(fake_server *fs, const unsigned *counter)
{
    pthread_mutex_lock(&fs->lock);
    unsigned v = *counter;
    pthread_mutex_unlock(&fs->lock);
    return v;
}

unsigned fake_server_connections(fake_server *fs)
{
    return fake_read_counter(fs, &fs->connections);
}

unsigned fake_server_mismatches(fake_server *fs)
{
    return fake_read_counter(fs, &fs->mismatches);
}

unsigned fake_server_completed(fake_server *fs)
{
    return fake_read_counter(fs, &fs->completed);
}

unsigned fake_server_accepted_at(fake_server *fs)
{
    return fake_read_counter(fs, &fs->accepted_at);
}

unsigned fake_server_ended_at(fake_server *fs)
{
    return fake_read_counter(fs, &fs->ended_at);
}

void fake_server_stop(fake_server *fs)
{
    if (!fs)
        return;
    ssize_t w;
    do
        w = write(fs->wake[1], "x", 1);
    while (w < 0 && errno == EINTR);
    pthread_join(fs->thread, NULL);
    fake_free(fs);
}

uint16_t fake_server_closed_port(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    uint16_t port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
        getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
        port = ntohs(sin.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}
