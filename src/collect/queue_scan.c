/*
 * queue_scan.c - one pass over a queue tree (see queue_scan.h): a walk
 * with one open directory per level and nothing kept per file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "monotonic.h"
#include "postfix_qfile.h"
#include "postqueue.h"
#include "queue_scan.h"

/* Postfix's queues, in the order of the rows. */
static const char *const postfix_queues[QUEUE_SCAN_POSTFIX_ROWS - 1] = {
    "maildrop", "incoming", "active", "deferred", "hold",
};

/* Levels of one-letter hash subdirectories walked in a Postfix queue. */
#define POSTFIX_HASH_DEPTH 3

size_t queue_scan_rows(const struct config_queue *q)
{
    return q->kind == CONFIG_QUEUE_POSTFIX ? QUEUE_SCAN_POSTFIX_ROWS : 1;
}

/* ------------------------------------------------------------------------ */
/* Figures                                                                   */

/* snprintf into an error buffer, cut to fit: the messages name paths of
 * any length. */
static void textf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void textf(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t seconds_to_ms(int64_t s)
{
    if (s > INT64_MAX / 1000)
        return INT64_MAX;
    if (s < INT64_MIN / 1000)
        return INT64_MIN;
    return s * 1000;
}

/* Is a message that arrived at @p ms with id @p id older than @p row's
 * oldest?  Among equal times the smaller id is (so the answer does not
 * depend on the order readdir gives). */
static int older(int64_t ms, const char *id, const struct queue_scan_stats *row)
{
    return row->messages == 0 || ms < row->oldest_ms ||
           (ms == row->oldest_ms && strcmp(id, row->oldest_id) < 0);
}

/* Count one message into @p row. */
static void tally(struct queue_scan_stats *row, const char *id,
                  int64_t arrival_ms, uint64_t size)
{
    if (older(arrival_ms, id, row)) {
        row->oldest_ms = arrival_ms;
        snprintf(row->oldest_id, sizeof row->oldest_id, "%s", id);
    }
    row->messages++;
    row->volume += size;
}

/* Add @p row's figures to @p total's. */
static void merge(struct queue_scan_stats *total, const struct queue_scan_stats *row)
{
    if (row->messages > 0 && older(row->oldest_ms, row->oldest_id, total)) {
        total->oldest_ms = row->oldest_ms;
        memcpy(total->oldest_id, row->oldest_id, sizeof total->oldest_id);
    }
    total->messages += row->messages;
    total->volume += row->volume;
    if (row->next_retry_ms != 0 &&
        (total->next_retry_ms == 0 || row->next_retry_ms < total->next_retry_ms))
        total->next_retry_ms = row->next_retry_ms;
    if (row->unreadable > 0 && total->unreadable == 0)
        memcpy(total->error, row->error, sizeof total->error);
    total->unreadable += row->unreadable;
}

/* Something below the top could not be read: count it, keep the first. */
static void note_unreadable(struct queue_scan_stats *row, const char *path,
                            const char *name, int err)
{
    if (row->unreadable++ == 0)
        textf(row->error, sizeof row->error, "cannot read %s%s%s: %s", path,
                 name ? "/" : "", name ? name : "", strerror(err));
}

/* The message of a top directory that cannot be opened. */
static void top_error(char *err, size_t errlen, const char *path, int e)
{
    if (e == ENOENT || e == ENOTDIR)
        textf(err, errlen, "%s: %s", path, strerror(e));
    else
        textf(err, errlen, "cannot read %s: %s", path, strerror(e));
}

/* ------------------------------------------------------------------------ */
/* The walk                                                                  */

struct walk {
    unsigned depth;              /* levels below the top */
    const char *glob;            /* directory, generic */
    int postfix;                 /* Postfix's rules (queue_scan.h) */
    int maildrop, deferred;      /* which Postfix queue */
    struct queue_scan_stats *row;
};

/* A Postfix queue file in directory @p dir_fd. */
static void postfix_file(const struct walk *w, int dir_fd, const char *path,
                         const char *name, const struct stat *st)
{
    if ((st->st_mode & S_IRWXU) != S_IRWXU)
        return; /* not "ready": still being written, or corrupt */
    int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT)
            note_unreadable(w->row, path, name, errno);
        return;
    }
    struct postfix_qfile msg;
    int r = postfix_qfile_read(fd, (int64_t)st->st_mtim.tv_sec,
                               (uint64_t)st->st_size, w->maildrop, &msg);
    int e = errno;
    close(fd);
    if (r < 0)
        note_unreadable(w->row, path, name, e);
    if (r <= 0)
        return;
    tally(w->row, name, seconds_to_ms(msg.arrival_s), msg.size);
    if (w->deferred) {
        int64_t retry = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
        if (w->row->next_retry_ms == 0 || retry < w->row->next_retry_ms)
            w->row->next_retry_ms = retry;
    }
}

/* One entry of the directory open as @p d at @p level; @p path is that
 * directory's path (for messages).  Returns a directory file descriptor to
 * descend into, or -1. */
static int entry(const struct walk *w, DIR *d, unsigned level, const char *path,
                 const struct dirent *de)
{
    const char *name = de->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
        return -1;
    int is_dir = de->d_type == DT_DIR;
    int is_reg = de->d_type == DT_REG;
    int dir_fd = dirfd(d);
    struct stat st;
    int have_st = 0;

    if (de->d_type == DT_UNKNOWN) {
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT)
                note_unreadable(w->row, path, name, errno);
            return -1;
        }
        have_st = 1;
        is_dir = S_ISDIR(st.st_mode);
        is_reg = S_ISREG(st.st_mode);
    }
    if (is_dir) {
        if (level >= w->depth || (w->postfix && name[1] != '\0'))
            return -1;
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
            note_unreadable(w->row, path, name, errno);
        return fd;
    }
    if (!is_reg)
        return -1;
    if (w->postfix ? !postfix_qfile_id_ok(name) : fnmatch(w->glob, name, FNM_PERIOD) != 0)
        return -1;
    if (!have_st && fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT)
            note_unreadable(w->row, path, name, errno);
        return -1;
    }
    if (!S_ISREG(st.st_mode))
        return -1; /* replaced meanwhile */
    if (w->postfix) {
        postfix_file(w, dir_fd, path, name, &st);
        return -1;
    }
    int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    tally(w->row, name, mtime, (uint64_t)st.st_size);
    return -1;
}

/*
 * Walk the directory open on @p top_fd (taken over, closed) whose path is
 * @p top_path.  Keeps one DIR per level and the path of the deepest.
 * Returns 0, or -1 with errno when the top itself cannot be listed.
 */
static int walk(const struct walk *w, int top_fd, const char *top_path)
{
    DIR *stack[QUEUE_SCAN_DEPTH_MAX + 1];
    size_t path_len[QUEUE_SCAN_DEPTH_MAX + 1];
    char path[PATH_MAX];
    int level = 0;

    int n = snprintf(path, sizeof path, "%s", top_path);
    if (n < 0 || (size_t)n >= sizeof path) {
        close(top_fd);
        errno = ENAMETOOLONG;
        return -1;
    }
    path_len[0] = (size_t)n;
    if ((stack[0] = fdopendir(top_fd)) == NULL) {
        int e = errno;
        close(top_fd);
        errno = e;
        return -1;
    }
    while (level >= 0) {
        errno = 0;
        const struct dirent *de = readdir(stack[level]);
        if (!de) {
            if (errno != 0)
                note_unreadable(w->row, path, NULL, errno);
            closedir(stack[level]);
            if (--level >= 0)
                path[path_len[level]] = '\0';
            continue;
        }
        int fd = entry(w, stack[level], (unsigned)level, path, de);
        if (fd < 0)
            continue;
        size_t len = path_len[level];
        n = snprintf(path + len, sizeof path - len, "/%s", de->d_name);
        if (n < 0 || (size_t)n >= sizeof path - len) {
            path[len] = '\0';
            note_unreadable(w->row, path, de->d_name, ENAMETOOLONG);
            close(fd);
            continue;
        }
        DIR *sub = fdopendir(fd);
        if (!sub) {
            note_unreadable(w->row, path, NULL, errno);
            path[len] = '\0';
            close(fd);
            continue;
        }
        stack[++level] = sub;
        path_len[level] = len + (size_t)n;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The kinds                                                                 */

static int scan_tree(const struct config_queue *q, struct queue_scan_stats *row,
                     char *err, size_t errlen)
{
    int fd = open(q->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        top_error(err, errlen, q->path, errno);
        return -1;
    }
    struct walk w = {
        .depth = q->depth > QUEUE_SCAN_DEPTH_MAX ? QUEUE_SCAN_DEPTH_MAX : q->depth,
        .glob = q->glob && *q->glob ? q->glob : "*",
        .row = row,
    };
    if (walk(&w, fd, q->path) != 0) {
        top_error(err, errlen, q->path, errno);
        return -1;
    }
    return 0;
}

/* The spool itself; rows[1..5] filled, row 0 left to the caller. */
static int scan_postfix_tree(const struct config_queue *q,
                             struct queue_scan_stats *rows, char *err,
                             size_t errlen)
{
    int top = open(q->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0) {
        top_error(err, errlen, q->path, errno);
        return -1;
    }
    int ret = 0;
    for (size_t i = 0; i < QUEUE_SCAN_POSTFIX_ROWS - 1 && ret == 0; i++) {
        const char *name = postfix_queues[i];
        char path[PATH_MAX];
        textf(path, sizeof path, "%s/%s", q->path, name);
        int fd = openat(top, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT)
                continue; /* no such queue: empty */
            top_error(err, errlen, path, errno);
            ret = -1;
            break;
        }
        struct walk w = {
            .depth = i == 0 ? 0 : POSTFIX_HASH_DEPTH,
            .postfix = 1,
            .maildrop = i == 0,
            .deferred = strcmp(name, "deferred") == 0,
            .row = &rows[i + 1],
        };
        if (walk(&w, fd, path) != 0) {
            top_error(err, errlen, path, errno);
            ret = -1;
        }
    }
    close(top);
    return ret;
}

/* postqueue_run()'s messages into the rows. */
struct pq_ctx {
    struct queue_scan_stats *rows;
    struct queue_scan_stats other;   /* a queue name of none of the rows */
};

static void pq_message(void *ctx, const struct postqueue_msg *m)
{
    struct pq_ctx *c = ctx;
    struct queue_scan_stats *row = &c->other;
    for (size_t i = 0; i < QUEUE_SCAN_POSTFIX_ROWS - 1; i++)
        if (strcmp(m->queue_name, postfix_queues[i]) == 0)
            row = &c->rows[i + 1];
    tally(row, m->queue_id, seconds_to_ms(m->arrival_s), m->size);
}

/* Empty the figures of @p n rows, keeping their names and kind. */
static void clear_figures(struct queue_scan_stats *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rows[i].error[0] = '\0';
        rows[i].unreadable = 0;
        rows[i].messages = 0;
        rows[i].volume = 0;
        rows[i].oldest_ms = 0;
        rows[i].oldest_id[0] = '\0';
        rows[i].next_retry_ms = 0;
    }
}

static int scan_postfix(const struct config_queue *q, struct queue_scan_stats *rows,
                        char *err, size_t errlen)
{
    if (scan_postfix_tree(q, rows, err, errlen) == 0) {
        for (size_t i = 1; i < QUEUE_SCAN_POSTFIX_ROWS; i++)
            merge(&rows[0], &rows[i]);
        return 0;
    }
    if (!q->postqueue || !*q->postqueue)
        return -1;

    char spool_err[QUEUE_SCAN_ERROR_MAX], pq_err[QUEUE_SCAN_ERROR_MAX];
    snprintf(spool_err, sizeof spool_err, "%s", err);
    clear_figures(rows, QUEUE_SCAN_POSTFIX_ROWS);
    struct pq_ctx ctx = {.rows = rows};
    struct postqueue_outcome outcome = {0, ""};
    if (postqueue_run(q->postqueue, q->postfix_config, QUEUE_SCAN_POSTQUEUE_TIMEOUT_MS,
                      pq_message, &ctx, &outcome, pq_err, sizeof pq_err) != 0) {
        snprintf(err, errlen, "%.120s; %.120s", spool_err, pq_err);
        return -1;
    }
    for (size_t i = 0; i < QUEUE_SCAN_POSTFIX_ROWS; i++)
        rows[i].source = QUEUE_SCAN_POSTQUEUE;
    for (size_t i = 1; i < QUEUE_SCAN_POSTFIX_ROWS; i++)
        merge(&rows[0], &rows[i]);
    merge(&rows[0], &ctx.other);
    if (outcome.bad_lines > 0) {
        rows[0].unreadable += outcome.bad_lines;
        snprintf(rows[0].error, sizeof rows[0].error, "%s -j: %s", q->postqueue,
                 outcome.first_bad);
    }
    return 0;
}

void queue_scan_name_rows(const struct config_queue *q, struct queue_scan_stats *rows)
{
    size_t n = queue_scan_rows(q);
    for (size_t i = 0; i < n; i++) {
        memset(&rows[i], 0, sizeof rows[i]);
        const char *name = q->name ? q->name : "";
        if (i == 0)
            snprintf(rows[i].name, sizeof rows[i].name, "%s", name);
        else
            snprintf(rows[i].name, sizeof rows[i].name, "%.*s/%s", CONFIG_NAME_MAX,
                     name, postfix_queues[i - 1]);
        rows[i].kind = q->kind;
        rows[i].source = QUEUE_SCAN_TREE;
    }
}

int queue_scan(const struct config_queue *q, struct queue_scan_stats *rows)
{
    size_t n = queue_scan_rows(q);
    int64_t start = monotonic_ms();
    char err[QUEUE_SCAN_ERROR_MAX] = "";

    queue_scan_name_rows(q, rows);
    int ret;
    if (!q->path || !*q->path) {
        snprintf(err, sizeof err, "no path");
        ret = -1;
    } else if (q->kind == CONFIG_QUEUE_POSTFIX) {
        ret = scan_postfix(q, rows, err, sizeof err);
    } else {
        ret = scan_tree(q, &rows[0], err, sizeof err);
    }

    if (ret != 0)
        clear_figures(rows, n);
    int64_t end = monotonic_ms();
    int64_t now = wall_ms();
    for (size_t i = 0; i < n; i++) {
        rows[i].status = ret == 0 ? QUEUE_SCAN_OK : QUEUE_SCAN_UNAVAILABLE;
        if (ret != 0)
            snprintf(rows[i].error, sizeof rows[i].error, "%s", err);
        rows[i].scanned_ms = now;
        rows[i].duration_ms = end - start > UINT32_MAX ? UINT32_MAX : (uint32_t)(end - start);
    }
    return ret;
}
