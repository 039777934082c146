/*
 * probe_conn.c - a probe's connection (see probe_conn.h): resolve on a
 * thread the check can abandon, non-blocking connect to each address in
 * turn, TLS (probe_tls.c), buffered line reads, writes; every wait is a
 * poll(2) against the check's deadline.
 *
 * The resolver thread and the check share a small refcounted job: the
 * last of the two to let go frees it (and the addresses), so a check that
 * gives up at its deadline neither waits for getaddrinfo() nor leaves it
 * writing into freed memory.
 */
#include "probe_conn.h"
#include "probe_conn_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "monotonic.h"

/* The resolver every probe uses; getaddrinfo() by default. */
static probe_resolver probe_conn_resolver_fn = getaddrinfo;

void probe_set_resolver(probe_resolver resolver)
{
    probe_conn_resolver_fn = resolver ? resolver : getaddrinfo;
}

/* ------------------------------------------------------------------------ */
/* Steps and errors                                                          */

void probe_step_add(struct probe_check *check, const char *name, int64_t start_ms)
{
    if (check->n_steps >= PROBE_STEPS_MAX)
        return;
    struct probe_step *s = &check->steps[check->n_steps++];
    snprintf(s->name, sizeof s->name, "%s", name);
    int64_t ms = monotonic_ms() - start_ms;
    s->ms = ms < 0 ? 0 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

void probe_fail(struct probe_check *check, const char *step, const char *fmt, ...)
{
    int n = snprintf(check->error, sizeof check->error, "%s: ", step);
    if (n < 0 || (size_t)n >= sizeof check->error)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(check->error + n, sizeof check->error - (size_t)n, fmt, ap);
    va_end(ap);
    /* Printable ASCII only: a server's reply may hold anything. */
    for (unsigned char *p = (unsigned char *)check->error; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            *p = '?';
    check->ok = 0;
}

void probe_fail_in(struct probe_check *check, const char *step, const char *what,
                   const char *fmt, ...)
{
    char msg[PROBE_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    probe_fail(check, step, "%s%s%s", what ? what : "", what ? ": " : "", msg);
}

/* ------------------------------------------------------------------------ */
/* Resolving on an abandonable thread                                        */

struct probe_conn_job {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;  /* CLOCK_MONOTONIC */
    int refs;                  /* the thread and the check: 2, then 1, then 0 */
    int done;
    int rc;                    /* 0 or EAI_* */
    int saved_errno;           /* for EAI_SYSTEM */
    struct addrinfo *res;
    probe_resolver fn;
    char host[256];
    char port[8];
};

static void probe_conn_job_release(struct probe_conn_job *job)
{
    pthread_mutex_lock(&job->lock);
    int last = --job->refs == 0;
    pthread_mutex_unlock(&job->lock);
    if (!last)
        return;
    if (job->res)
        freeaddrinfo(job->res);
    pthread_cond_destroy(&job->done_cond);
    pthread_mutex_destroy(&job->lock);
    free(job);
}

static void *probe_conn_resolve_thread(void *arg)
{
    struct probe_conn_job *job = arg;
    /* No AI_ADDRCONFIG: on a host with loopback only it hides
     * "localhost"; an address that cannot be reached just fails over
     * to the next. */
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = job->fn(job->host, job->port, &hints, &res);
    pthread_mutex_lock(&job->lock);
    job->rc = rc;
    job->saved_errno = errno;
    job->res = rc == 0 ? res : NULL;
    job->done = 1;
    pthread_cond_signal(&job->done_cond);
    pthread_mutex_unlock(&job->lock);
    probe_conn_job_release(job);
    return NULL;
}

static int probe_conn_is_numeric(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* Addresses of @p host:@p port by @p deadline_ms, or NULL with the
 * reason in @p err. */
static struct addrinfo *probe_conn_resolve(const char *host, uint16_t port, int64_t t0,
                                           int64_t deadline_ms, char *err, size_t errlen)
{
    char port_s[8];
    snprintf(port_s, sizeof port_s, "%u", (unsigned)port);
    struct addrinfo *res = NULL;
    if (probe_conn_is_numeric(host)) {
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                                 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
        int rc = getaddrinfo(host, port_s, &hints, &res);
        if (rc != 0) {
            snprintf(err, errlen, "%s", gai_strerror(rc));
            return NULL;
        }
        return res;
    }
    if (strlen(host) >= sizeof((struct probe_conn_job *)0)->host) {
        snprintf(err, errlen, "host name too long");
        return NULL;
    }
    struct probe_conn_job *job = calloc(1, sizeof *job);
    if (!job) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&job->done_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&job->lock, NULL);
    job->refs = 2;
    job->fn = probe_conn_resolver_fn;
    snprintf(job->host, sizeof job->host, "%s", host);
    memcpy(job->port, port_s, sizeof job->port);

    pthread_attr_t attr;
    pthread_t tid;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&tid, &attr, probe_conn_resolve_thread, job);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        job->refs = 1;
        probe_conn_job_release(job);
        snprintf(err, errlen, "cannot start a thread: %s", strerror(rc));
        return NULL;
    }

    struct timespec until = {.tv_sec = (time_t)(deadline_ms / 1000),
                             .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
    pthread_mutex_lock(&job->lock);
    while (!job->done && monotonic_ms() < deadline_ms)
        pthread_cond_timedwait(&job->done_cond, &job->lock, &until);
    if (job->done) {
        if (job->rc == 0) {
            res = job->res;
            job->res = NULL; /* ours now */
        } else if (job->rc == EAI_SYSTEM) {
            snprintf(err, errlen, "%s", strerror(job->saved_errno));
        } else {
            snprintf(err, errlen, "%s", gai_strerror(job->rc));
        }
    } else {
        snprintf(err, errlen, "timed out after %lld ms", (long long)(deadline_ms - t0));
    }
    pthread_mutex_unlock(&job->lock);
    probe_conn_job_release(job);
    if (!res && !err[0])
        snprintf(err, errlen, "no address");
    return res;
}

/* ------------------------------------------------------------------------ */
/* Waiting and connecting                                                    */

int probe_conn_wait(int fd, short events, int64_t deadline_ms)
{
    for (;;) {
        int64_t left = deadline_ms - monotonic_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {fd, events, 0};
        int n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

/* Connect @p fd (non-blocking) to @p sa by @p deadline_ms: 0, or -1 with
 * the reason in @p err (@p timed_out set when the time ran out). */
static int probe_conn_connect_fd(int fd, const struct sockaddr *sa, socklen_t salen,
                                 int64_t deadline_ms, int *timed_out, char *err, size_t errlen)
{
    *timed_out = 0;
    if (connect(fd, sa, salen) == 0)
        return 0;
    if (errno != EINPROGRESS && errno != EAGAIN && errno != EINTR) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    int w = probe_conn_wait(fd, POLLOUT, deadline_ms);
    if (w == 0) {
        *timed_out = 1;
        return -1;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        soerr = errno;
    if (soerr != 0) {
        snprintf(err, errlen, "%s", strerror(soerr));
        return -1;
    }
    return 0;
}

static int probe_conn_socket(int family)
{
    return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static probe_conn *probe_conn_alloc(int fd, probe_tls *tls, int64_t t0)
{
    probe_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return NULL;
    }
    c->fd = fd;
    c->tls = tls;
    c->t0 = t0;
    return c;
}

/* How an open ends: the failure to connect told (@p fd < 0: timed out at
 * @p deadline_ms, else @p why), or the "connect" step since @p start and
 * the connection (NULL when out of memory, told too). */
static probe_conn *probe_conn_opened(int fd, int timed_out, const char *why, probe_tls *tls,
                                     int64_t t0, int64_t start, int64_t deadline_ms,
                                     struct probe_check *check)
{
    if (fd < 0) {
        if (timed_out)
            probe_fail(check, "connect", "timed out after %lld ms", (long long)(deadline_ms - t0));
        else
            probe_fail(check, "connect", "%s", why[0] ? why : "no address");
        return NULL;
    }
    probe_step_add(check, "connect", start);
    probe_conn *c = probe_conn_alloc(fd, tls, t0);
    if (!c)
        probe_fail(check, "connect", "out of memory");
    return c;
}

static probe_conn *probe_conn_open_unix(const struct config_probe_endpoint *ep, probe_tls *tls,
                                        int64_t t0, int64_t deadline_ms,
                                        struct probe_check *check)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    if (strlen(ep->unix_path) >= sizeof sun.sun_path) {
        probe_fail(check, "connect", "%s: socket path too long", ep->unix_path);
        return NULL;
    }
    memcpy(sun.sun_path, ep->unix_path, strlen(ep->unix_path) + 1);
    int fd = probe_conn_socket(AF_UNIX);
    if (fd < 0) {
        probe_fail(check, "connect", "socket: %s", strerror(errno));
        return NULL;
    }
    char why[128] = "";
    int timed_out;
    if (probe_conn_connect_fd(fd, (struct sockaddr *)&sun, sizeof sun, deadline_ms, &timed_out,
                              why, sizeof why) < 0) {
        close(fd);
        fd = -1;
    }
    return probe_conn_opened(fd, timed_out, why, tls, t0, t0, deadline_ms, check);
}

static probe_conn *probe_conn_open_tcp(const struct config_probe_endpoint *ep, probe_tls *tls,
                                       int64_t t0, int64_t deadline_ms,
                                       struct probe_check *check)
{
    char why[160] = "";
    int is_name = !probe_conn_is_numeric(ep->host);
    struct addrinfo *res = probe_conn_resolve(ep->host, ep->port, t0, deadline_ms, why, sizeof why);
    if (!res) {
        probe_fail(check, "resolve", "%s: %s", ep->host, why);
        return NULL;
    }
    if (is_name)
        probe_step_add(check, "resolve", t0);

    int64_t start = monotonic_ms();
    size_t n_addr = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        n_addr++;
    int fd = -1, timed_out = 0;
    size_t i = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next, i++) {
        int s = probe_conn_socket(ai->ai_family);
        if (s < 0) {
            snprintf(why, sizeof why, "socket: %s", strerror(errno));
            continue;
        }
        /* Each address left gets its share of the time left, the last
         * one all of it: a black-holed first address does not eat the
         * whole timeout. */
        int64_t now = monotonic_ms();
        int64_t until = i + 1 == n_addr ? deadline_ms
                                        : now + (deadline_ms - now) / (int64_t)(n_addr - i);
        if (probe_conn_connect_fd(s, ai->ai_addr, ai->ai_addrlen, until, &timed_out, why,
                                  sizeof why) == 0) {
            fd = s;
            break;
        }
        close(s);
        if (timed_out && monotonic_ms() >= deadline_ms)
            break;
        if (timed_out)
            snprintf(why, sizeof why, "timed out");
    }
    freeaddrinfo(res);
    return probe_conn_opened(fd, timed_out, why, tls, t0, start, deadline_ms, check);
}

probe_conn *probe_conn_open(const struct config_probe_endpoint *ep, probe_tls *tls,
                            int64_t deadline_ms, struct probe_check *check)
{
    int64_t t0 = monotonic_ms();
    probe_conn *c = ep->unix_path && ep->unix_path[0]
                        ? probe_conn_open_unix(ep, tls, t0, deadline_ms, check)
                        : probe_conn_open_tcp(ep, tls, t0, deadline_ms, check);
    if (!c || ep->tls != CONFIG_TLS_IMPLICIT)
        return c;
    int64_t start = monotonic_ms();
    char why[PROBE_ERROR_MAX] = "";
    if (probe_conn_start_tls(c, deadline_ms, why, sizeof why) < 0) {
        probe_fail(check, "tls", "%s", why);
        probe_conn_close(c);
        return NULL;
    }
    probe_step_add(check, "tls", start);
    return c;
}

/* ------------------------------------------------------------------------ */
/* Reading and writing                                                       */

/* After a recv() or send() that returned < 0: -2 (wait and try again)
 * when it would block or was interrupted, else -1 with the reason in
 * @p err. */
static ssize_t plain_failed(char *err, size_t errlen)
{
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return -2;
    snprintf(err, errlen, "%s", strerror(errno));
    return -1;
}

/* Read more into c->rbuf: 1 some, 0 end of file, -1 failed (the
 * reason in @p err, also at end of file). */
static int probe_conn_fill(probe_conn *c, int64_t deadline_ms, char *err, size_t errlen)
{
    for (;;) {
        short events = POLLIN;
        ssize_t n;
        if (c->ssl)
            n = probe_tls_read(c, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen, &events, err,
                               errlen);
        else if ((n = recv(c->fd, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen, 0)) < 0)
            n = plain_failed(err, errlen);
        if (n == -1)
            return -1;
        if (n == 0) {
            snprintf(err, errlen, "connection closed by the server");
            return 0;
        }
        if (n > 0) {
            c->rlen += (size_t)n;
            return 1;
        }
        if (probe_conn_wait_ready(c, events, deadline_ms, err, errlen) != 0)
            return -1;
    }
}

void probe_conn_timed_out(const probe_conn *c, int64_t deadline_ms, char *err, size_t errlen)
{
    snprintf(err, errlen, "timed out after %lld ms", (long long)(deadline_ms - c->t0));
}

int probe_conn_wait_ready(const probe_conn *c, short events, int64_t deadline_ms, char *err,
                          size_t errlen)
{
    int w = probe_conn_wait(c->fd, events, deadline_ms);
    if (w == 0) {
        probe_conn_timed_out(c, deadline_ms, err, errlen);
        return -1;
    }
    if (w < 0) {
        snprintf(err, errlen, "poll: %s", strerror(errno));
        return -1;
    }
    return 0;
}

long probe_conn_read_line(probe_conn *c, char *line, size_t cap, int64_t deadline_ms, char *err,
                          size_t errlen)
{
    if (cap == 0) {
        snprintf(err, errlen, "no room for a line");
        return -1;
    }
    for (;;) {
        char *nl = memchr(c->rbuf, '\n', c->rlen);
        size_t max = cap - 1;
        if (nl) {
            size_t used = (size_t)(nl - c->rbuf) + 1;
            size_t len = used - 1;
            if (len > 0 && c->rbuf[len - 1] == '\r')
                len--;
            if (len > max) {
                snprintf(err, errlen, "line too long (more than %zu bytes)", max);
                return -1;
            }
            memcpy(line, c->rbuf, len);
            line[len] = '\0';
            memmove(c->rbuf, c->rbuf + used, c->rlen - used);
            c->rlen -= used;
            return (long)len;
        }
        /* No end yet: more than max + 1 bytes (a line and its CR) cannot
         * become a line that fits. */
        if (c->rlen > max + 1 || c->rlen == sizeof c->rbuf) {
            snprintf(err, errlen, "line too long (more than %zu bytes)",
                     max < sizeof c->rbuf - 2 ? max : sizeof c->rbuf - 2);
            return -1;
        }
        if (probe_conn_fill(c, deadline_ms, err, errlen) <= 0)
            return -1;
    }
}

int probe_conn_read_exact(probe_conn *c, void *buf, size_t len, int64_t deadline_ms, char *err,
                          size_t errlen)
{
    unsigned char *out = buf;
    while (len > 0) {
        if (c->rlen == 0 && probe_conn_fill(c, deadline_ms, err, errlen) <= 0)
            return -1;
        size_t n = c->rlen < len ? c->rlen : len;
        memcpy(out, c->rbuf, n);
        memmove(c->rbuf, c->rbuf + n, c->rlen - n);
        c->rlen -= n;
        out += n;
        len -= n;
    }
    return 0;
}

long probe_conn_read_some(probe_conn *c, void *buf, size_t cap, int64_t deadline_ms, char *err,
                          size_t errlen)
{
    if (c->rlen == 0) {
        int r = probe_conn_fill(c, deadline_ms, err, errlen);
        if (r <= 0)
            return r;
    }
    size_t n = c->rlen < cap ? c->rlen : cap;
    memcpy(buf, c->rbuf, n);
    memmove(c->rbuf, c->rbuf + n, c->rlen - n);
    c->rlen -= n;
    return (long)n;
}

int probe_conn_write(probe_conn *c, const void *buf, size_t len, int64_t deadline_ms, char *err,
                     size_t errlen)
{
    const char *p = buf;
    size_t off = 0;
    while (off < len) {
        short events = POLLOUT;
        ssize_t n;
        /* MSG_NOSIGNAL: a server that closed gives EPIPE, never SIGPIPE. */
        if (c->ssl)
            n = probe_tls_write(c, p + off, len - off, &events, err, errlen);
        else if ((n = send(c->fd, p + off, len - off, MSG_NOSIGNAL)) < 0)
            n = plain_failed(err, errlen);
        if (n == -1)
            return -1;
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (probe_conn_wait_ready(c, events, deadline_ms, err, errlen) != 0)
            return -1;
    }
    return 0;
}

void probe_conn_close(probe_conn *c)
{
    if (!c)
        return;
    probe_tls_close(c);
    close(c->fd);
    free(c);
}
