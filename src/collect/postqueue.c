/*
 * postqueue.c - run `postqueue -j` and read its JSON Lines (see
 * postqueue.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errbuf.h"
#include "hex_digit.h"
#include "monotonic.h"
#include "postqueue.h"

extern char **environ;

/* ------------------------------------------------------------------------ */
/* One line of JSON                                                          */

#define DEPTH_MAX 64

enum { J_OK = 0, J_BAD = -1, J_END = -2 };

struct json {
    const char *start, *p, *end;
    char *err;
    size_t errlen;
};

/* A malformed line: the reason, at the current byte. */
static int bad(struct json *j, const char *what)
{
    if (j->p >= j->end)
        return J_END; /* ran out: maybe only cut */
    snprintf(j->err, j->errlen, "byte %zu: %s", (size_t)(j->p - j->start) + 1, what);
    return J_BAD;
}

static void skip_ws(struct json *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
        j->p++;
}

static int hex4(struct json *j, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        if (j->p >= j->end)
            return J_END;
        int d = hex_digit_value(*j->p);
        if (d < 0)
            return bad(j, "bad \\u escape");
        v = v * 16 + (unsigned)d;
        j->p++;
    }
    *out = v;
    return J_OK;
}

/* A string at j->p (the opening quote), its text into @p out (@p outlen
 * bytes with the NUL, cut to fit; NULL: skipped).  Escaped characters
 * outside ASCII, and control characters, are kept as '?'. */
static int string(struct json *j, char *out, size_t outlen)
{
    size_t n = 0;
    if (j->p >= j->end)
        return J_END;
    if (*j->p != '"')
        return bad(j, "expected a string");
    j->p++;
    for (;;) {
        if (j->p >= j->end)
            return J_END;
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') {
            j->p++;
            break;
        }
        if (c < 0x20)
            return bad(j, "control character in a string");
        j->p++;
        if (c == '\\') {
            if (j->p >= j->end)
                return J_END;
            char e = *j->p;
            unsigned u;
            switch (e) {
            case '"': case '\\': case '/': c = (unsigned char)e; break;
            case 'b': case 'f': case 'n': case 'r': case 't': c = '?'; break;
            case 'u': {
                j->p++;
                int r = hex4(j, &u);
                if (r != J_OK)
                    return r;
                c = u >= 0x20 && u < 0x7f ? (unsigned char)u : '?';
                j->p--; /* the common j->p++ below */
                break;
            }
            default:
                return bad(j, "bad escape in a string");
            }
            j->p++;
        } else if (c >= 0x7f) {
            c = '?';
        }
        if (out && n + 1 < outlen)
            out[n++] = (char)c;
    }
    if (out && outlen)
        out[n] = '\0';
    return J_OK;
}

/* Blanks, then the ':' after an object's key (taken). */
static int colon(struct json *j)
{
    skip_ws(j);
    if (j->p >= j->end)
        return J_END;
    if (*j->p != ':')
        return bad(j, "expected ':'");
    j->p++;
    return J_OK;
}

/* One digit or more at j->p: a fraction's or an exponent's. */
static int digits(struct json *j)
{
    if (j->p >= j->end)
        return J_END;
    if (*j->p < '0' || *j->p > '9')
        return bad(j, "bad number");
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return J_OK;
}

/* A number; *@p is_int and *@p v when it is an integer that fits. */
static int number(struct json *j, int *is_int, int64_t *v)
{
    int neg = 0, fits = 1;
    uint64_t mag = 0;
    *is_int = 1;
    if (j->p < j->end && *j->p == '-') {
        neg = 1;
        j->p++;
    }
    if (j->p >= j->end)
        return J_END;
    if (*j->p == '0') {
        j->p++;
    } else if (*j->p >= '1' && *j->p <= '9') {
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
            unsigned d = (unsigned)(*j->p - '0');
            if (mag > ((uint64_t)INT64_MAX + 1 - d) / 10)
                fits = 0;
            else
                mag = mag * 10 + d;
            j->p++;
        }
    } else {
        return bad(j, "bad number");
    }
    if (j->p < j->end && *j->p == '.') {
        *is_int = 0;
        j->p++;
        int r = digits(j);
        if (r != J_OK)
            return r;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        *is_int = 0;
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        int r = digits(j);
        if (r != J_OK)
            return r;
    }
    if (!fits || (!neg && mag > (uint64_t)INT64_MAX))
        *is_int = 0;
    if (*is_int)
        *v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return J_OK;
}

static int literal(struct json *j, const char *word)
{
    for (; *word; word++, j->p++) {
        if (j->p >= j->end)
            return J_END;
        if (*j->p != *word)
            return bad(j, "bad literal");
    }
    return J_OK;
}

static int value(struct json *j, int depth);

/* An object or array at j->p, checked and skipped. */
static int container(struct json *j, int depth)
{
    char close = *j->p == '{' ? '}' : ']';
    if (depth >= DEPTH_MAX)
        return bad(j, "nested too deeply");
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        return J_OK;
    }
    for (;;) {
        int r;
        skip_ws(j);
        if (close == '}') {
            if ((r = string(j, NULL, 0)) != J_OK)
                return r;
            if ((r = colon(j)) != J_OK)
                return r;
        }
        if ((r = value(j, depth + 1)) != J_OK)
            return r;
        skip_ws(j);
        if (j->p >= j->end)
            return J_END;
        if (*j->p == close) {
            j->p++;
            return J_OK;
        }
        if (*j->p != ',')
            return bad(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        j->p++;
    }
}

static int value(struct json *j, int depth)
{
    int is_int;
    int64_t v;
    skip_ws(j);
    if (j->p >= j->end)
        return J_END;
    switch (*j->p) {
    case '{': case '[': return container(j, depth);
    case '"': return string(j, NULL, 0);
    case 't': return literal(j, "true");
    case 'f': return literal(j, "false");
    case 'n': return literal(j, "null");
    default: return number(j, &is_int, &v);
    }
}

/* Which required keys were seen. */
enum { HAVE_NAME = 1, HAVE_ID = 2, HAVE_TIME = 4, HAVE_SIZE = 8, HAVE_ALL = 15 };

/* One top-level member, the key already read. */
static int member(struct json *j, const char *key, struct postqueue_msg *m,
                  unsigned *have)
{
    int is_int, r;
    int64_t v = 0;
    const char *at = j->p;
    skip_ws(j);
    if (strcmp(key, "queue_name") == 0 || strcmp(key, "queue_id") == 0) {
        int is_name = key[6] == 'n';
        r = is_name ? string(j, m->queue_name, sizeof m->queue_name)
                    : string(j, m->queue_id, sizeof m->queue_id);
        if (r == J_OK)
            *have |= is_name ? HAVE_NAME : HAVE_ID;
        return r;
    }
    if (strcmp(key, "arrival_time") == 0 || strcmp(key, "message_size") == 0) {
        int is_time = key[0] == 'a';
        if (j->p < j->end && *j->p != '-' && (*j->p < '0' || *j->p > '9'))
            return bad(j, is_time ? "arrival_time is not a number"
                                  : "message_size is not a number");
        if ((r = number(j, &is_int, &v)) != J_OK)
            return r;
        if (j->p >= j->end)
            return J_END; /* the number may go on past a cut */
        if (!is_int || (!is_time && v < 0)) {
            j->p = at;
            skip_ws(j);
            return bad(j, is_time ? "arrival_time is not an integer"
                                  : "message_size is not an integer >= 0");
        }
        if (is_time) {
            m->arrival_s = v;
            *have |= HAVE_TIME;
        } else {
            m->size = (uint64_t)v;
            *have |= HAVE_SIZE;
        }
        return J_OK;
    }
    return value(j, 1);
}

static int object(struct json *j, struct postqueue_msg *m, unsigned *have)
{
    char key[16];
    if (*j->p != '{')
        return bad(j, "expected '{'");
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
        return J_OK;
    }
    for (;;) {
        skip_ws(j);
        /* A key longer than 15 bytes is none of ours: cut, it stays so. */
        int r = string(j, key, sizeof key);
        if (r != J_OK)
            return r;
        if ((r = colon(j)) != J_OK)
            return r;
        if ((r = member(j, key, m, have)) != J_OK)
            return r;
        skip_ws(j);
        if (j->p >= j->end)
            return J_END;
        if (*j->p == '}') {
            j->p++;
            return J_OK;
        }
        if (*j->p != ',')
            return bad(j, "expected ',' or '}'");
        j->p++;
    }
}

int postqueue_parse_line(const char *line, size_t len, int truncated,
                         struct postqueue_msg *msg, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    struct json j = {line, line, line + len, err, errlen};
    unsigned have = 0;
    memset(msg, 0, sizeof *msg);
    if (memchr(line, '\0', len)) {
        snprintf(err, errlen, "NUL byte in the line");
        return -1;
    }
    skip_ws(&j);
    if (j.p >= j.end) {
        if (!truncated)
            return 1;
        snprintf(err, errlen, "a line of more than %d bytes of white space",
                 POSTQUEUE_LINE_MAX);
        return -1;
    }
    int r = object(&j, msg, &have);
    if (r == J_OK) {
        skip_ws(&j);
        if (j.p < j.end) {
            bad(&j, "text after the object");
            return -1;
        }
    } else if (r == J_END) {
        if (!truncated) {
            snprintf(err, errlen, "byte %zu: unexpected end of line", len + 1);
            return -1;
        }
        if (have != HAVE_ALL) {
            snprintf(err, errlen, "line longer than %d bytes, its first part lacks %s",
                     POSTQUEUE_LINE_MAX,
                     !(have & HAVE_NAME) ? "queue_name" : !(have & HAVE_ID) ? "queue_id"
                     : !(have & HAVE_TIME) ? "arrival_time" : "message_size");
            return -1;
        }
        return 0;
    } else {
        return -1;
    }
    if (have != HAVE_ALL) {
        snprintf(err, errlen, "no %s",
                 !(have & HAVE_NAME) ? "queue_name" : !(have & HAVE_ID) ? "queue_id"
                 : !(have & HAVE_TIME) ? "arrival_time" : "message_size");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Running postqueue                                                         */


/* Lines of standard output, as they come. */
struct lines {
    char *buf;                 /* POSTQUEUE_LINE_MAX bytes */
    size_t len;
    int skipping;              /* the current line was cut: drop to '\n' */
    uint64_t number;           /* lines finished */
    postqueue_fn fn;
    void *ctx;
    struct postqueue_outcome *outcome;
};

static void line_done(struct lines *l, int truncated)
{
    struct postqueue_msg msg;
    char why[160];
    l->number++;
    int r = postqueue_parse_line(l->buf, l->len, truncated, &msg, why, sizeof why);
    if (r == 0) {
        l->fn(l->ctx, &msg);
    } else if (r < 0) {
        if (l->outcome->bad_lines++ == 0)
            snprintf(l->outcome->first_bad, sizeof l->outcome->first_bad,
                     "line %llu: %s", (unsigned long long)l->number, why);
    }
    l->len = 0;
}

static void lines_feed(struct lines *l, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (c == '\n') {
            if (l->skipping)
                l->skipping = 0;
            else
                line_done(l, 0);
            continue;
        }
        if (l->skipping)
            continue;
        if (l->len == POSTQUEUE_LINE_MAX) {
            line_done(l, 1);
            l->skipping = 1;
            continue;
        }
        l->buf[l->len++] = c;
    }
}

/* The child: never returns.  Only async-signal-safe calls. */
static void child(const char *command, const char *config_dir, int out_fd,
                  int err_fd, int exec_fd)
{
    char *argv[5];
    int argc = 0;
    argv[argc++] = (char *)command;
    argv[argc++] = (char *)"-j";
    if (config_dir && *config_dir) {
        argv[argc++] = (char *)"-c";
        argv[argc++] = (char *)config_dir;
    }
    argv[argc] = NULL;
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 ||
        dup2(err_fd, 2) < 0)
        goto fail;
    signal(SIGPIPE, SIG_DFL);
    execve(command, argv, environ);
fail:;
    int e = errno;
    ssize_t w = write(exec_fd, &e, sizeof e);
    (void)w;
    _exit(127);
}

/* Read the pipes until both end or the deadline passes.  0, or -1 on
 * timeout (errno ETIMEDOUT) or a poll error. */
static int drain(int out_fd, int err_fd, int64_t deadline, struct lines *l,
                 char *errtext, size_t errtext_len)
{
    char chunk[16384];
    size_t err_used = 0;
    struct pollfd pfd[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
        int64_t left = deadline - monotonic_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        int r = poll(pfd, 2, left > 1000 ? 1000 : (int)left);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd < 0 || pfd[i].revents == 0)
                continue;
            ssize_t n = read(pfd[i].fd, chunk, sizeof chunk);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {
                pfd[i].fd = -1;
                continue;
            }
            if (i == 0) {
                lines_feed(l, chunk, (size_t)n);
            } else if (err_used + 1 < errtext_len) {
                size_t take = (size_t)n < errtext_len - 1 - err_used
                                  ? (size_t)n : errtext_len - 1 - err_used;
                memcpy(errtext + err_used, chunk, take);
                err_used += take;
                errtext[err_used] = '\0';
            }
        }
    }
    return 0;
}

/* The first line of @p text, printable, in place. */
static const char *first_line(char *text)
{
    text[strcspn(text, "\n")] = '\0';
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
    return text;
}

int postqueue_run(const char *command, const char *config_dir, int timeout_ms,
                  postqueue_fn fn, void *ctx, struct postqueue_outcome *outcome,
                  char *err, size_t errlen)
{
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
    int ret = -1;
    struct lines l = {NULL, 0, 0, 0, fn, ctx, outcome};
    char errtext[256] = "";

    outcome->bad_lines = 0;
    outcome->first_bad[0] = '\0';
    errbuf_set(err, errlen, "%s", "");
    if (!command || command[0] != '/') {
        errbuf_set(err, errlen, "postqueue command '%s' is not an absolute path",
                command ? command : "");
        return -1;
    }
    l.buf = malloc(POSTQUEUE_LINE_MAX);
    if (!l.buf) {
        errbuf_set(err, errlen, "cannot run %s: out of memory", command);
        return -1;
    }
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
        pipe2(exec_pipe, O_CLOEXEC) != 0) {
        errbuf_set(err, errlen, "cannot run %s: pipe: %s", command, strerror(errno));
        goto out;
    }
    int64_t deadline = monotonic_ms() + timeout_ms;
    pid_t pid = fork();
    if (pid < 0) {
        errbuf_set(err, errlen, "cannot run %s: fork: %s", command, strerror(errno));
        goto out;
    }
    if (pid == 0)
        child(command, config_dir, out_pipe[1], err_pipe[1], exec_pipe[1]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    close(exec_pipe[1]);
    out_pipe[1] = err_pipe[1] = exec_pipe[1] = -1;

    /* The exec pipe closes on a successful execve, or carries its errno. */
    int exec_errno = 0;
    ssize_t n;
    do
        n = read(exec_pipe[0], &exec_errno, sizeof exec_errno);
    while (n < 0 && errno == EINTR);

    int drained = n == (ssize_t)sizeof exec_errno
                      ? 0 : drain(out_pipe[0], err_pipe[0], deadline, &l,
                                  errtext, sizeof errtext);
    int drain_errno = errno;
    if (drained != 0)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof exec_errno) {
        errbuf_set(err, errlen, "cannot run %s: %s", command, strerror(exec_errno));
    } else if (drained != 0) {
        if (drain_errno == ETIMEDOUT)
            errbuf_set(err, errlen, "%s -j: no answer within %d ms: killed", command,
                    timeout_ms);
        else
            errbuf_set(err, errlen, "%s -j: %s", command, strerror(drain_errno));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (l.len > 0 && !l.skipping)
            line_done(&l, 0); /* a last line without its newline */
        ret = 0;
    } else if (errtext[0]) {
        errbuf_set(err, errlen, "%s", first_line(errtext));
    } else if (WIFEXITED(status)) {
        errbuf_set(err, errlen, "%s -j: exit status %d", command, WEXITSTATUS(status));
    } else {
        errbuf_set(err, errlen, "%s -j: killed by signal %d", command,
                WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
out:
    for (int i = 0; i < 2; i++) {
        if (out_pipe[i] >= 0)
            close(out_pipe[i]);
        if (err_pipe[i] >= 0)
            close(err_pipe[i]);
        if (exec_pipe[i] >= 0)
            close(exec_pipe[i]);
    }
    free(l.buf);
    return ret;
}
