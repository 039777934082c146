/*
 * process_watch.c - are the watched processes running: one pass over
 * PROC_ROOT's numeric directories for the executable watches, a lookup
 * per pidfile watch (see process_watch.h).
 *
 * Everything read under PROC/PID may vanish between two reads (the
 * process exits): every read is checked, and a process whose files
 * cannot be read is skipped.  Nothing is kept between scans.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "process_watch.h"
#include "whole_file.h"

/* The kernel's TASK_COMM_LEN - 1: what PROC/PID/comm keeps of a name. */
#define COMM_MAX 15

/* Most of PROC/PID/cmdline searched for an argument. */
#define CMDLINE_MAX (256u * 1024u)

/* Longest pidfile read (a pid and blanks fit many times). */
#define PIDFILE_MAX 63

struct scan {
    const char *root;
    int64_t btime_ms;        /* 0 = unknown */
    long hz;                 /* clock ticks per second */
};

/* A process found running: its pid and start. */
struct found {
    int32_t pid;
    uint64_t start_ticks;
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

/* PROC/PID/WHAT (pid 0: PROC/WHAT) into @p buf; -1 if it does not fit. */
static int proc_path(char *buf, size_t size, const struct scan *sc,
                     int32_t pid, const char *what)
{
    int n = pid ? snprintf(buf, size, "%s/%d/%s", sc->root, (int)pid, what)
                : snprintf(buf, size, "%s/%s", sc->root, what);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * Up to @p size - 1 bytes of @p path into @p buf, NUL-terminated after
 * them (the file may hold NULs itself).  Returns the bytes read, -1 with
 * errno.
 */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len + 1 < size) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

/* btime (seconds since the epoch) of PROC/stat in ms, 0 if unknown. */
static int64_t read_btime_ms(const struct scan *sc)
{
    char path[PATH_MAX];
    if (proc_path(path, sizeof path, sc, 0, "stat") != 0)
        return 0;
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    char line[256];
    int at_start = 1;
    int64_t ms = 0;
    /* Lines can be long (intr): only the starts of lines are looked at. */
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (at_start && strncmp(line, "btime ", 6) == 0) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(line + 6, &end, 10);
            if (errno == 0 && end != line + 6 && isspace((unsigned char)*end) &&
                s > 0 && s < (unsigned long long)INT64_MAX / 1000)
                ms = (int64_t)s * 1000;
            break;
        }
        at_start = len > 0 && line[len - 1] == '\n';
    }
    fclose(f);
    return ms;
}

/*
 * State and start (field 22, clock ticks since boot) of PROC/PID/stat.
 * The name in parentheses may hold anything, ')' and blanks too: the
 * fields are counted from the last ')'.  Returns 0, -1 if it cannot be
 * read (gone) or parsed.
 */
static int read_stat(const struct scan *sc, int32_t pid, char *state,
                     uint64_t *start_ticks)
{
    char path[PATH_MAX], buf[2048];
    if (proc_path(path, sizeof path, sc, pid, "stat") != 0)
        return -1;
    ssize_t len = read_file(path, buf, sizeof buf);
    if (len <= 0)
        return -1;
    const char *p = NULL;
    for (ssize_t i = len - 1; i >= 0; i--) {
        if (buf[i] == ')') {
            p = buf + i + 1;
            break;
        }
    }
    if (!p)
        return -1;
    /* Fields 3 (state) .. 22 (starttime) follow, one blank before each. */
    for (int field = 3; field <= 22; field++) {
        if (*p != ' ')
            return -1;
        p++;
        const char *tok = p;
        while (*p && *p != ' ' && *p != '\n')
            p++;
        if (p == tok)
            return -1;
        if (field == 3) {
            if (p - tok != 1)
                return -1;
            *state = *tok;
        } else if (field == 22) {
            if (!isdigit((unsigned char)*tok))
                return -1;
            char *end;
            errno = 0;
            unsigned long long v = strtoull(tok, &end, 10);
            if (errno != 0 || end != p)
                return -1;
            *start_ticks = v;
        }
    }
    return 0;
}

/* Is @p pid running (its stat readable, not a zombie)?  Fills @p f. */
static int alive(const struct scan *sc, int32_t pid, struct found *f)
{
    char state = '?';
    uint64_t ticks = 0;
    if (read_stat(sc, pid, &state, &ticks) != 0)
        return 0;
    if (state == 'Z' || state == 'X' || state == 'x')
        return 0;
    f->pid = pid;
    f->start_ticks = ticks;
    return 1;
}

/*
 * The name to compare for @p pid: the base name of its exe link (without
 * " (deleted)"), or, when that cannot be read, its comm (*@p from_comm
 * set).  Returns 0, -1 when neither can be read (the process is gone).
 */
static int process_name(const struct scan *sc, int32_t pid, char *name,
                        size_t size, int *from_comm)
{
    char path[PATH_MAX], target[PATH_MAX];
    if (proc_path(path, sizeof path, sc, pid, "exe") != 0)
        return -1;
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n > 0) {
        target[n] = '\0';
        static const char deleted[] = " (deleted)";
        size_t dl = sizeof deleted - 1;
        if ((size_t)n > dl && strcmp(target + n - dl, deleted) == 0)
            target[n - dl] = '\0';
        const char *base = strrchr(target, '/');
        base = base ? base + 1 : target;
        if (*base && strlen(base) < size) {
            memcpy(name, base, strlen(base) + 1);
            *from_comm = 0;
            return 0;
        }
    }
    if (proc_path(path, sizeof path, sc, pid, "comm") != 0)
        return -1;
    char comm[64];
    ssize_t len = read_file(path, comm, sizeof comm);
    if (len <= 0)
        return -1;
    comm[strcspn(comm, "\n")] = '\0';
    if (strlen(comm) >= size)
        return -1;
    memcpy(name, comm, strlen(comm) + 1);
    *from_comm = 1;
    return 0;
}

/* Does @p name (a comm when @p from_comm) stand for @p executable? */
static int name_matches(const char *executable, const char *name, int from_comm)
{
    if (!from_comm)
        return strcmp(executable, name) == 0;
    size_t want = strlen(executable);
    if (want > COMM_MAX)
        want = COMM_MAX;
    return strlen(name) == want && strncmp(executable, name, want) == 0;
}

/* PROC/PID/cmdline, at most CMDLINE_MAX bytes (malloc'd), NULL if gone. */
static char *read_cmdline(const struct scan *sc, int32_t pid, size_t *len)
{
    char path[PATH_MAX];
    if (proc_path(path, sizeof path, sc, pid, "cmdline") != 0)
        return NULL;
    char *buf;
    if (whole_file_read(path, CMDLINE_MAX, &buf, len) < 0)
        return NULL;
    return buf;
}

/* Does one of argv[1..] of @p cmd (@p len bytes, NUL-separated) hold
 * @p arg? */
static int has_argument(const char *cmd, size_t len, const char *arg)
{
    size_t want = strlen(arg);
    const char *end = cmd + len;
    const char *p = memchr(cmd, '\0', len);   /* the end of argv[0] */
    if (!p)
        return 0;
    for (p++; p < end;) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
        if (want == 0 || memmem(p, n, arg, want))
            return 1;
        p += n + 1;
    }
    return 0;
}

static int is_exec_watch(const struct config_process *w)
{
    return str_or_empty(w->pidfile)[0] == '\0' &&
           str_or_empty(w->executable)[0] != '\0';
}

/* Count @p f into @p out. */
static void count_found(struct process_watch_stats *out, const struct found *f,
                        uint64_t *oldest_ticks)
{
    out->count++;
    if (out->oldest_pid == 0 || f->start_ticks < *oldest_ticks ||
        (f->start_ticks == *oldest_ticks && f->pid < out->oldest_pid)) {
        out->oldest_pid = f->pid;
        *oldest_ticks = f->start_ticks;
    }
}

/* The pid of a directory entry's name, 0 if it is not one. */
static int32_t entry_pid(const char *name)
{
    int64_t v = 0;
    if (name[0] < '1' || name[0] > '9')
        return 0;
    for (const char *p = name; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
        if (v > INT32_MAX)
            return 0;
    }
    return (int32_t)v;
}

/* One process against every executable watch. */
static void scan_process(const struct scan *sc, int32_t pid,
                         const struct config_process *w, size_t n,
                         struct process_watch_stats *out, uint64_t *oldest)
{
    char name[256];
    int from_comm;
    if (process_name(sc, pid, name, sizeof name, &from_comm) != 0)
        return;
    char *cmd = NULL;
    size_t cmd_len = 0;
    int cmd_read = 0, state_read = 0, running = 0;
    struct found f = {0, 0};
    for (size_t i = 0; i < n; i++) {
        if (!is_exec_watch(&w[i]) || !name_matches(w[i].executable, name, from_comm))
            continue;
        const char *arg = str_or_empty(w[i].argument);
        if (arg[0]) {
            if (!cmd_read) {
                cmd = read_cmdline(sc, pid, &cmd_len);
                cmd_read = 1;
            }
            if (!cmd || !has_argument(cmd, cmd_len, arg))
                continue;
        }
        if (!state_read) {
            running = alive(sc, pid, &f);
            state_read = 1;
        }
        if (running)
            count_found(&out[i], &f, &oldest[i]);
    }
    free(cmd);
}

/*
 * The pid a pidfile holds: decimal, blanks around it.  Returns it, or 0
 * with the reason in @p err.
 */
static int32_t pidfile_pid(const char *path, char *err, size_t errlen)
{
    char buf[PIDFILE_MAX + 2];
    ssize_t len = read_file(path, buf, sizeof buf);
    if (len < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return 0;
    }
    if (len > PIDFILE_MAX) {
        snprintf(err, errlen, "%s: longer than %d bytes: not a pidfile",
                 path, PIDFILE_MAX);
        return 0;
    }
    char *p = buf;
    while (isspace((unsigned char)*p))
        p++;
    char *q = buf + len;
    while (q > p && isspace((unsigned char)q[-1]))
        q--;
    *q = '\0';
    int32_t pid = (size_t)(q - p) == strlen(p) ? entry_pid(p) : 0;
    if (pid == 0) {
        /* Only printable bytes of it, so the message stays one line. */
        char shown[24];
        size_t k = 0;
        for (const char *c = p; *c && c < q && k < sizeof shown - 1; c++)
            shown[k++] = isprint((unsigned char)*c) ? *c : '?';
        shown[k] = '\0';
        snprintf(err, errlen, "%s: holds no pid: \"%s\"%s", path, shown,
                 q - p > (ptrdiff_t)k ? "..." : "");
    }
    return pid;
}

/* A pidfile watch. */
static void check_pidfile(const struct scan *sc, const char *pidfile,
                          struct process_watch_stats *out, uint64_t *oldest)
{
    int32_t pid = pidfile_pid(pidfile, out->error, sizeof out->error);
    if (pid == 0)
        return;
    struct found f = {0, 0};
    if (alive(sc, pid, &f))
        count_found(out, &f, oldest);
    else
        snprintf(out->error, sizeof out->error, "%s: pid %d is not running",
                 pidfile, (int)pid);
}

int process_watch_scan(const char *proc_root, const struct config_process *w,
                       size_t n, struct process_watch_stats *out)
{
    struct scan sc = {.root = proc_root, .hz = sysconf(_SC_CLK_TCK)};
    int64_t now = wall_ms();
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].read_ms = now;
    }
    uint64_t *oldest = calloc(n ? n : 1, sizeof *oldest);
    DIR *dir = oldest ? opendir(proc_root) : NULL;
    if (!dir) {
        const char *why = oldest ? strerror(errno) : strerror(ENOMEM);
        for (size_t i = 0; i < n; i++) {
            out[i].status = PROCESS_WATCH_NOT_RUNNING;
            snprintf(out[i].error, sizeof out[i].error, "%s: %s", proc_root, why);
        }
        free(oldest);
        return -1;
    }
    sc.btime_ms = read_btime_ms(&sc);
    if (sc.hz <= 0)
        sc.hz = 100;

    int exec_watches = 0;
    for (size_t i = 0; i < n; i++)
        exec_watches |= is_exec_watch(&w[i]);
    int rc = 0;
    if (exec_watches) {
        struct dirent *d;
        errno = 0;
        while ((d = readdir(dir)) != NULL) {
            int32_t pid = entry_pid(d->d_name);
            if (pid)
                scan_process(&sc, pid, w, n, out, oldest);
            errno = 0;
        }
        if (errno != 0) {
            const char *why = strerror(errno);
            for (size_t i = 0; i < n; i++)
                snprintf(out[i].error, sizeof out[i].error, "%s: %s",
                         proc_root, why);
            rc = -1;
        }
    }
    closedir(dir);

    for (size_t i = 0; i < n; i++) {
        struct process_watch_stats *o = &out[i];
        if (rc == 0) {
            if (str_or_empty(w[i].pidfile)[0])
                check_pidfile(&sc, w[i].pidfile, o, &oldest[i]);
            else if (!is_exec_watch(&w[i]))
                snprintf(o->error, sizeof o->error,
                         "%s: neither pidfile nor executable given",
                         str_or_empty(w[i].name));
        }
        if (rc != 0) {
            o->count = 0;
            o->oldest_pid = 0;
        }
        if (o->oldest_pid && sc.btime_ms)
            o->oldest_start_ms = sc.btime_ms +
                (int64_t)(oldest[i] / (uint64_t)sc.hz) * 1000 +
                (int64_t)(oldest[i] % (uint64_t)sc.hz) * 1000 / sc.hz;
        int enough = o->count >= w[i].min &&
                     (w[i].max == 0 || o->count <= w[i].max);
        o->status = rc == 0 && enough ? PROCESS_WATCH_RUNNING
                                      : PROCESS_WATCH_NOT_RUNNING;
    }
    free(oldest);
    return rc;
}
