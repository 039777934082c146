/*
 * follow.c - the follower of `mtamon feed`: reading a log like
 * `tail -F` (see follow.h; the line splitter and the state file are
 * feed_splitter.c and feed_state.c).
 *
 * The file is read with plain read(2) in FOLLOW_BLOCK blocks; lines are
 * cut with memchr and handed over in place, so a line costs no system call
 * and no copy unless it straddles two blocks.  At the end of the file the
 * follower looks for a truncation (size below our offset: copytruncate)
 * and a rotation (the path names another inode: finish the old file, then
 * read the new one from 0), then sleeps a poll interval.
 */
#include "follow.h"
#include "monotonic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "fnv1a.h"
#include "log.h"

/* Bytes read at once: large enough that a system call is amortised over
 * thousands of lines. */
#define FOLLOW_BLOCK (256u * 1024u)
/* State saves while lines are read, at most one per this many ms. */
#define STATE_SAVE_MS 1000

/* ------------------------------------------------------------------------ */
/* Follower                                                                  */

struct feed_follower {
    struct feed_follow_opts opts;
    struct feed_splitter sp;
    struct feed_follow_stats st;
    const struct feed_follow_hooks *h;
    char *buf;                  /* FOLLOW_BLOCK bytes */
    int have_state;
    struct feed_state saved;    /* as loaded, then as last saved */
    int stdin_mode;
    int fd;                     /* current file, -1 while it is missing */
    int lock_fd;                /* STATE.lock, held while open, or -1 */
    uint64_t dev, ino;          /* of fd */
    int64_t last_save_ms;       /* monotonic */
    int save_failed_logged;
    int missing_logged;
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL); /* a signal cutting it short is welcome */
}

/* Counts the line, then hands it to the caller's callback. */
static void count_line(void *ctx, const char *line, size_t len)
{
    struct feed_follower *f = ctx;
    f->st.lines++;
    f->h->line(f->h->ctx, line, len);
}

static int stopping(const struct feed_follower *f)
{
    return f->h->stop && *f->h->stop;
}

int feed_follower_open(const struct feed_follow_opts *opts,
                       struct feed_follower **out, char *err, size_t errlen)
{
    *out = NULL;
    int is_stdin = strcmp(opts->path, "-") == 0;
    if (is_stdin && opts->state_path) {
        snprintf(err, errlen, "--state cannot be used when reading standard input");
        return EX_USAGE;
    }
    struct feed_follower *f = calloc(1, sizeof *f);
    if (!f || feed_splitter_init(&f->sp) != 0 || !(f->buf = malloc(FOLLOW_BLOCK))) {
        if (f) {
            feed_splitter_free(&f->sp);
            free(f);
        }
        snprintf(err, errlen, "out of memory");
        return EX_OSERR;
    }
    f->opts = *opts;
    if (!f->opts.poll_ms)
        f->opts.poll_ms = 200;
    f->stdin_mode = is_stdin;
    f->fd = -1;
    f->lock_fd = -1;
    if (opts->state_path) {
        /* One feed per state file: two would each resume from whichever
         * saved last and count the lines between twice. */
        char lock[4096];
        if (snprintf(lock, sizeof lock, "%s.lock", opts->state_path) >= (int)sizeof lock) {
            snprintf(err, errlen, "state file %s: name too long", opts->state_path);
            feed_follower_close(f);
            return EX_CANTCREAT;
        }
        f->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
        if (f->lock_fd < 0 || flock(f->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            snprintf(err, errlen, "state file %s: %s", opts->state_path,
                     f->lock_fd >= 0 && e == EWOULDBLOCK
                         ? "in use by another mtamon feed"
                         : strerror(e));
            feed_follower_close(f);
            return EX_CANTCREAT;
        }
        switch (feed_state_load(opts->state_path, &f->saved, err, errlen)) {
        case FEED_STATE_LOADED:
            f->have_state = 1;
            break;
        case FEED_STATE_ABSENT:
            break;
        case FEED_STATE_MALFORMED:
            feed_follower_close(f);
            return EX_DATAERR;
        case FEED_STATE_UNREADABLE:
            feed_follower_close(f);
            return EX_NOINPUT;
        }
    }
    *out = f;
    return EX_OK;
}

const struct feed_follow_stats *feed_follower_stats(const struct feed_follower *f)
{
    return &f->st;
}

void feed_follower_close(struct feed_follower *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    feed_splitter_free(&f->sp);
    free(f->buf);
    free(f);
}

/* The tail hash of the @p offset bytes of @p fd: -1 if they cannot be read. */
static int tail_of(int fd, uint64_t offset, uint32_t *len, uint64_t *hash)
{
    char tail[FEED_STATE_TAIL_MAX];
    uint32_t n = offset < FEED_STATE_TAIL_MAX ? (uint32_t)offset : FEED_STATE_TAIL_MAX;
    if (n && pread(fd, tail, n, (off_t)(offset - n)) != (ssize_t)n)
        return -1;
    *len = n;
    *hash = fnv1a_add(FNV1A_INIT, tail, n);
    return 0;
}

/* Does @p fd still hold what the saved state says ended at its offset? */
static int state_matches(int fd, const struct feed_state *st)
{
    struct stat sb;
    uint32_t len;
    uint64_t hash;
    if (fstat(fd, &sb) != 0 || (uint64_t)sb.st_size < st->offset)
        return 0;
    return tail_of(fd, st->offset, &len, &hash) == 0 && len == st->tail_len &&
           hash == st->tail_hash;
}

static int save_state(struct feed_follower *f, char *err, size_t errlen)
{
    if (!f->opts.state_path || f->fd < 0)
        return 0;
    struct feed_state st = { .device = f->dev, .inode = f->ino, .offset = f->sp.line_end };
    if (tail_of(f->fd, st.offset, &st.tail_len, &st.tail_hash) != 0) {
        snprintf(err, errlen, "%s: cannot read back to offset %" PRIu64 ": %s",
                 f->opts.path, st.offset, strerror(errno));
        return -1;
    }
    if (feed_state_save(f->opts.state_path, &st, err, errlen) != 0)
        return -1;
    f->saved = st;
    f->have_state = 1;
    f->last_save_ms = monotonic_ms();
    return 0;
}

/* Save if lines were read since the last save, at most once a second. */
static void maybe_save_state(struct feed_follower *f)
{
    if (!f->opts.state_path || f->fd < 0)
        return;
    if (f->have_state && f->saved.inode == f->ino && f->saved.device == f->dev &&
        f->saved.offset == f->sp.line_end)
        return;
    if (monotonic_ms() - f->last_save_ms < STATE_SAVE_MS)
        return;
    char err[512];
    if (save_state(f, err, sizeof err) != 0) {
        if (!f->save_failed_logged)
            log_msg(LOG_WARNING, "%s", err);
        f->save_failed_logged = 1;
    } else {
        f->save_failed_logged = 0;
    }
}

/* Make @p fd (with @p sb) the current file, reading from @p offset. */
static void use_file(struct feed_follower *f, int fd, const struct stat *sb,
                     uint64_t offset)
{
    if (f->fd >= 0 && f->fd != fd)
        close(f->fd);
    f->fd = fd;
    f->dev = (uint64_t)sb->st_dev;
    f->ino = (uint64_t)sb->st_ino;
    lseek(fd, (off_t)offset, SEEK_SET);
    feed_splitter_reset(&f->sp, offset);
}

static int open_log(const char *path, struct stat *sb)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    if (fstat(fd, sb) != 0 || S_ISDIR(sb->st_mode)) {
        close(fd);
        errno = EISDIR;
        return -1;
    }
    return fd;
}

/* The offset just past the last '\n' before @p size (0 if none within
 * FEED_LINE_MAX bytes): starting "at the end" never starts mid-line. */
static uint64_t last_line_start(int fd, uint64_t size, char *buf)
{
    uint64_t n = size < FEED_LINE_MAX ? size : FEED_LINE_MAX;
    /* cppcheck-suppress knownConditionTrueFalse ; (size is 0 for an empty file) */
    if (n == 0 || pread(fd, buf, n, (off_t)(size - n)) != (ssize_t)n)
        return size;
    for (uint64_t i = n; i > 0; i--)
        if (buf[i - 1] == '\n')
            return size - n + i;
    return n == size ? 0 : size;
}

/*
 * The file in the directory of @p path with the saved device and inode:
 * where the log we were reading went when it was rotated while we were
 * stopped ("mail.log.1", "mail.log-20240501", ...).  -1 if none.
 */
static int find_by_inode(const char *path, const struct feed_state *st, struct stat *sb)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int found = -1;
    const struct dirent *e;
    while (found < 0 && (e = readdir(d)) != NULL) {
        if ((uint64_t)e->d_ino != st->inode)
            continue;
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
            continue;
        if (fstat(fd, sb) == 0 && S_ISREG(sb->st_mode) &&
            (uint64_t)sb->st_ino == st->inode && (uint64_t)sb->st_dev == st->device) {
            found = fd;
            log_msg(LOG_INFO, "%s was rotated while stopped: finishing %s/%s from offset %"
                    PRIu64, path, dir, e->d_name, st->offset);
        } else {
            close(fd);
        }
    }
    closedir(d);
    return found;
}

/* Where to begin: the state file's place, the end, or 0.  EX_OK, or
 * EX_NOINPUT when the file is missing and once is set. */
static int position_start(struct feed_follower *f, char *err, size_t errlen)
{
    struct stat sb;
    int fd = open_log(f->opts.path, &sb);
    if (fd < 0 && errno != ENOENT) {
        snprintf(err, errlen, "%s: %s", f->opts.path, strerror(errno));
        return EX_NOINPUT;
    }
    if (f->have_state) {
        const struct feed_state *st = &f->saved;
        if (fd >= 0 && (uint64_t)sb.st_ino == st->inode && (uint64_t)sb.st_dev == st->device) {
            if (state_matches(fd, st)) {
                use_file(f, fd, &sb, st->offset);
            } else {
                log_msg(LOG_WARNING, "%s was truncated or replaced since offset %" PRIu64
                        " was saved: reading it from the start", f->opts.path, st->offset);
                f->st.truncations++;
                use_file(f, fd, &sb, 0);
            }
            return EX_OK;
        }
        struct stat osb;
        int old = find_by_inode(f->opts.path, st, &osb);
        if (old >= 0 && state_matches(old, st)) {
            /* Finish the old file; at its end the path's new inode is noticed. */
            if (fd >= 0)
                close(fd);
            use_file(f, old, &osb, st->offset);
            return EX_OK;
        }
        if (old >= 0)
            close(old);
        log_msg(LOG_WARNING, "%s was rotated while stopped and the old file (inode %" PRIu64
                ") was not found in its directory: lines after offset %" PRIu64
                " of it are lost; reading the new file from the start",
                f->opts.path, st->inode, st->offset);
        if (fd >= 0) {
            f->st.rotations++;
            use_file(f, fd, &sb, 0);
            return EX_OK;
        }
    } else if (fd >= 0) {
        uint64_t at = f->opts.from_start ? 0 : last_line_start(fd, (uint64_t)sb.st_size, f->buf);
        use_file(f, fd, &sb, at);
        return EX_OK;
    }
    if (f->opts.once) {
        snprintf(err, errlen, "%s: %s", f->opts.path, strerror(ENOENT));
        return EX_NOINPUT;
    }
    log_msg(LOG_INFO, "%s does not exist (yet): waiting for it", f->opts.path);
    f->missing_logged = 1;
    return EX_OK;
}

/* Read @p f->fd to its current end; 0, or -1 on a read error. */
static int drain(struct feed_follower *f, char *err, size_t errlen)
{
    for (;;) {
        ssize_t n = read(f->fd, f->buf, FOLLOW_BLOCK);
        if (n > 0) {
            feed_splitter_push(&f->sp, f->buf, (size_t)n, count_line, f);
            continue;
        }
        if (n == 0)
            return 0;
        if (errno == EINTR)
            continue;
        snprintf(err, errlen, "%s: read error: %s", f->opts.path, strerror(errno));
        return -1;
    }
}

/* At the end of the current file: 1 if reading should go on at once (it
 * was truncated, or a new file takes its place), 0 if nothing changed, -1
 * on a read error. */
static int check_file(struct feed_follower *f, char *err, size_t errlen)
{
    struct stat sb;
    if (f->fd >= 0 && fstat(f->fd, &sb) == 0 && (uint64_t)sb.st_size < f->sp.pushed) {
        log_msg(LOG_INFO, "%s was truncated (size %" PRIu64 " < offset %" PRIu64
                "): reading it again from the start", f->opts.path,
                (uint64_t)sb.st_size, f->sp.pushed);
        f->st.truncations++;
        use_file(f, f->fd, &sb, 0);
        return 1;
    }
    if (stat(f->opts.path, &sb) != 0)
        return 0; /* between rename and create: keep the old one */
    if (f->fd >= 0 && (uint64_t)sb.st_ino == f->ino && (uint64_t)sb.st_dev == f->dev)
        return 0;
    int fd = open_log(f->opts.path, &sb);
    if (fd < 0)
        return 0;
    if (f->fd >= 0) {
        /* Rotated: what was written to the old file since our last read. */
        if (drain(f, err, errlen) != 0) {
            close(fd);
            return -1;
        }
        feed_splitter_flush(&f->sp, count_line, f);
        log_msg(LOG_INFO, "%s was rotated: reading the new file from the start",
                f->opts.path);
        f->st.rotations++;
    } else if (f->missing_logged) {
        log_msg(LOG_INFO, "%s appeared: reading it from the start", f->opts.path);
        f->missing_logged = 0;
    }
    use_file(f, fd, &sb, 0);
    return 1;
}

static void tick(const struct feed_follower *f)
{
    if (f->h->tick)
        f->h->tick(f->h->ctx);
}

static int run_stdin(struct feed_follower *f, char *err, size_t errlen)
{
    feed_splitter_reset(&f->sp, 0);
    for (;;) {
        if (stopping(f))
            return EX_OK;
        ssize_t n = read(STDIN_FILENO, f->buf, FOLLOW_BLOCK);
        if (n > 0) {
            feed_splitter_push(&f->sp, f->buf, (size_t)n, count_line, f);
            f->st.too_long = f->sp.too_long;
            tick(f);
            continue;
        }
        if (n == 0)
            break;
        if (errno == EINTR) {
            tick(f);
            continue;
        }
        snprintf(err, errlen, "standard input: read error: %s", strerror(errno));
        return EX_IOERR;
    }
    feed_splitter_flush(&f->sp, count_line, f);
    f->st.too_long = f->sp.too_long;
    return EX_OK;
}

static int run_file(struct feed_follower *f, char *err, size_t errlen)
{
    int rc = position_start(f, err, errlen);
    if (rc != EX_OK)
        return rc;
    /* Saving once now makes an unwritable state file fail at start. */
    if (save_state(f, err, errlen) != 0)
        return EX_CANTCREAT;
    for (;;) {
        if (stopping(f))
            break;
        ssize_t n = f->fd >= 0 ? read(f->fd, f->buf, FOLLOW_BLOCK) : 0;
        if (n > 0) {
            feed_splitter_push(&f->sp, f->buf, (size_t)n, count_line, f);
            f->st.too_long = f->sp.too_long;
            maybe_save_state(f);
            tick(f);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: read error: %s", f->opts.path, strerror(errno));
            return EX_IOERR;
        }
        int changed = check_file(f, err, errlen);
        f->st.too_long = f->sp.too_long;
        if (changed < 0)
            return EX_IOERR;
        if (changed)
            continue;
        if (f->opts.once) {
            if (f->fd < 0) {
                snprintf(err, errlen, "%s: %s", f->opts.path, strerror(ENOENT));
                return EX_NOINPUT;
            }
            /* With a state file an incomplete last line is most likely
             * still being written: leave it (the state's offset is before
             * it) for the next run to read whole, rather than count half
             * a record now and the other half as a line of its own. */
            if (!f->opts.state_path)
                feed_splitter_flush(&f->sp, count_line, f);
            break;
        }
        maybe_save_state(f);
        tick(f);
        sleep_ms(f->opts.poll_ms);
    }
    f->st.too_long = f->sp.too_long;
    if (save_state(f, err, errlen) != 0)
        return EX_CANTCREAT;
    return EX_OK;
}

int feed_follower_run(struct feed_follower *f, const struct feed_follow_hooks *h,
                      char *err, size_t errlen)
{
    f->h = h;
    int rc = f->stdin_mode ? run_stdin(f, err, errlen) : run_file(f, err, errlen);
    f->h = NULL;
    return rc;
}
