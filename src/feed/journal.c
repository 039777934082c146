/*
 * journal.c - the systemd journal as a line source of `mtamon feed` (see
 * journal.h): sd-journal entries into syslog-form lines, the cursor in a
 * state file, and a clear word when there is nothing to read.
 */
#include "config.h"

#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "log.h"
#include "monotonic.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

/* State saves while entries are read, at most one per this many ms. */
#define STATE_SAVE_MS 1000

static const char state_magic[] = "mtamon-feed-journal-state 1\n";

/* ------------------------------------------------------------------------ */
/* State file                                                                */

int feed_journal_state_parse(const char *text, size_t len, char *cursor,
                             char *why, size_t why_len)
{
    size_t ml = sizeof state_magic - 1;
    if (feed_state_text_check(text, len, why, why_len) != 0)
        return -1;
    if (len < ml || memcmp(text, state_magic, ml) != 0) {
        snprintf(why, why_len, "line 1: not \"mtamon-feed-journal-state 1\"%s",
                 len >= 18 && memcmp(text, "mtamon-feed-state ", 18) == 0
                     ? " (the state of a log file, not of the journal)" : "");
        return -1;
    }
    const char *p = text + ml, *end = text + len;
    if (end - p < 8 || memcmp(p, "cursor ", 7) != 0) {
        snprintf(why, why_len, "line 2: expected 'cursor CURSOR'");
        return -1;
    }
    p += 7;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl || nl + 1 != end) {
        snprintf(why, why_len, "line 2: %s", nl ? "unexpected text after the cursor"
                                                : "no final newline");
        return -1;
    }
    size_t n = (size_t)(nl - p);
    if (n == 0 || n > FEED_JOURNAL_CURSOR_MAX) {
        snprintf(why, why_len, "line 2: cursor empty or longer than %d bytes",
                 FEED_JOURNAL_CURSOR_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e) {
            snprintf(why, why_len, "line 2: cursor holds a space or a control character");
            return -1;
        }
    }
    memcpy(cursor, p, n);
    cursor[n] = '\0';
    return 0;
}

#ifndef HAVE_LIBSYSTEMD

/* ------------------------------------------------------------------------ */
/* Built without libsystemd                                                  */

struct feed_journal {
    struct feed_journal_stats st;
};

int feed_journal_open(const struct feed_journal_opts *opts,
                      struct feed_journal **out, char *err, size_t errlen)
{
    (void)opts;
    *out = NULL;
    snprintf(err, errlen, "--journal: mtamon was built without journal support "
             "(libsystemd was not found when it was configured; install libsystemd-dev "
             "and rebuild)");
    return EX_UNAVAILABLE;
}

int feed_journal_run(struct feed_journal *j, const struct feed_follow_hooks *h,
                     char *err, size_t errlen)
{
    (void)j;
    (void)h;
    snprintf(err, errlen, "built without journal support");
    return EX_UNAVAILABLE;
}

const struct feed_journal_stats *feed_journal_stats(const struct feed_journal *j)
{
    return &j->st;
}

void feed_journal_close(struct feed_journal *j)
{
    free(j);
}

#else /* HAVE_LIBSYSTEMD */

/* ------------------------------------------------------------------------ */
/* sd-journal                                                                */

struct feed_journal {
    struct feed_journal_opts opts;
    struct feed_journal_stats st;
    sd_journal *j;
    int lock_fd;
    int have_cursor;          /* cursor[] holds the last entry read (or loaded) */
    int resume_current;       /* the saved entry was vacuumed: the current one is new */
    int open_errno;           /* why the journal could not be opened, 0 if it was */
    int saved_dirty;          /* entries read since the last save */
    int64_t last_save_ms;
    int save_failed_logged;
    int empty_logged;
    char cursor[FEED_JOURNAL_CURSOR_MAX + 1];
    char what[512];           /* "journal files of DIR" / "the system journal" */
    char *line;               /* FEED_LINE_MAX bytes */
};

static int stopping(const struct feed_journal *j, const struct feed_follow_hooks *h)
{
    (void)j;
    return h->stop && *h->stop;
}

/* Count the journal files under @p dir (and one level of subdirectories,
 * the machine id's) that can and cannot be opened.  -1 (errno) if @p dir
 * itself cannot be read. */
static int count_files(const char *dir, int depth, uint64_t *ok, uint64_t *denied)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(e->d_name);
        struct stat sb;
        if (fstatat(dirfd(d), e->d_name, &sb, 0) != 0)
            continue;
        if (S_ISDIR(sb.st_mode) && depth == 0) {
            char sub[4096];
            if (snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) < (int)sizeof sub &&
                count_files(sub, 1, ok, denied) != 0 && errno == EACCES)
                (*denied)++;
            continue;
        }
        if (!S_ISREG(sb.st_mode) ||
            !((n > 8 && strcmp(e->d_name + n - 8, ".journal") == 0) ||
              (n > 9 && strcmp(e->d_name + n - 9, ".journal~") == 0)))
            continue;
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd >= 0) {
            (*ok)++;
            close(fd);
        } else {
            (*denied)++;
        }
    }
    closedir(d);
    return 0;
}

/* Look at the files the journal is made of: st.files and st.unreadable.
 * Returns a sentence for the log when nothing can be read, else "". */
static void survey_files(struct feed_journal *j, char *msg, size_t len)
{
    msg[0] = '\0';
    j->st.files = j->st.unreadable = 0;
    if (j->opts.directory) {
        if (count_files(j->opts.directory, 0, &j->st.files, &j->st.unreadable) != 0) {
            int e = errno;
            j->st.unreadable++;
            snprintf(msg, len, "cannot read the journal directory %s: %s%s", j->opts.directory,
                     strerror(e), e == EACCES ? " (run as root, or in the group that owns it)" : "");
            return;
        }
    } else {
        int found_dir = 0;
        static const char *const dirs[] = {"/var/log/journal", "/run/log/journal"};
        for (size_t i = 0; i < 2; i++) {
            if (count_files(dirs[i], 0, &j->st.files, &j->st.unreadable) == 0)
                found_dir = 1;
            else if (errno == EACCES)
                j->st.unreadable++;
        }
        if (!found_dir && !j->st.unreadable) {
            snprintf(msg, len, "no system journal: neither /var/log/journal nor "
                     "/run/log/journal exists (is systemd-journald running here?)");
            return;
        }
    }
    if (j->st.files == 0 && j->st.unreadable) {
        snprintf(msg, len, "%s: %llu journal file(s) that this user may not read "
                 "(run as root, or in the group systemd-journal or adm)", j->what,
                 (unsigned long long)j->st.unreadable);
    } else if (j->st.files == 0) {
        snprintf(msg, len, "%s: no journal files", j->what);
    }
}

/* Load @p path into @p cursor: 1 loaded, 0 absent, or a sysexits status
 * with the message in @p err. */
static int state_load(const char *path, char *cursor, char *err, size_t errlen)
{
    char text[FEED_STATE_FILE_MAX + 1], why[160];
    size_t len = 0;
    switch (feed_state_read(path, text, &len, err, errlen)) {
    case FEED_STATE_LOADED:
        break;
    case FEED_STATE_ABSENT:
        return 0;
    case FEED_STATE_UNREADABLE:
        return EX_NOINPUT;
    default:
        return EX_DATAERR;
    }
    if (feed_journal_state_parse(text, len, cursor, why, sizeof why) != 0) {
        snprintf(err, errlen, "state file %s: malformed: %s", path, why);
        return EX_DATAERR;
    }
    return 1;
}

/* Lock and load the state file. */
static int open_state(struct feed_journal *j, char *err, size_t errlen)
{
    const char *path = j->opts.state_path;
    char lock[4096];
    if (snprintf(lock, sizeof lock, "%s.lock", path) >= (int)sizeof lock) {
        snprintf(err, errlen, "state file %s: name too long", path);
        return EX_CANTCREAT;
    }
    j->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
    if (j->lock_fd < 0 || flock(j->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        snprintf(err, errlen, "state file %s: %s", path,
                 j->lock_fd >= 0 && e == EWOULDBLOCK ? "in use by another mtamon feed"
                                                      : strerror(e));
        return EX_CANTCREAT;
    }
    int r = state_load(path, j->cursor, err, errlen);
    if (r == 0 || r == 1) {
        j->have_cursor = r;
        return EX_OK;
    }
    return r;
}

static int save_state(struct feed_journal *j, char *err, size_t errlen)
{
    if (!j->opts.state_path || !j->have_cursor)
        return 0;
    char text[FEED_JOURNAL_CURSOR_MAX + 64], why[512];
    int n = snprintf(text, sizeof text, "%scursor %s\n", state_magic, j->cursor);
    if (n < 0 || (size_t)n >= sizeof text) {
        snprintf(err, errlen, "state file %s: cursor too long", j->opts.state_path);
        return -1;
    }
    if (atomic_file_write(j->opts.state_path, 0644, text, (size_t)n, why, sizeof why) != 0) {
        snprintf(err, errlen, "state file %s", why);
        return -1;
    }
    j->saved_dirty = 0;
    j->last_save_ms = monotonic_ms();
    return 0;
}

static void maybe_save_state(struct feed_journal *j, int force)
{
    if (!j->opts.state_path || !j->saved_dirty)
        return;
    if (!force && monotonic_ms() - j->last_save_ms < STATE_SAVE_MS)
        return;
    char err[768];
    if (save_state(j, err, sizeof err) != 0) {
        if (!j->save_failed_logged)
            log_msg(LOG_WARNING, "%s", err);
        j->save_failed_logged = 1;
    } else {
        j->save_failed_logged = 0;
    }
}

/* Add the matches of the options; 0 or a negative errno. */
static int add_matches(struct feed_journal *j)
{
    char m[512];
    for (size_t i = 0; i < j->opts.n_units; i++) {
        const char *u = j->opts.units[i];
        snprintf(m, sizeof m, "_SYSTEMD_UNIT=%s%s", u, strchr(u, '.') ? "" : ".service");
        int r = sd_journal_add_match(j->j, m, 0);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < j->opts.n_identifiers; i++) {
        snprintf(m, sizeof m, "SYSLOG_IDENTIFIER=%s", j->opts.identifiers[i]);
        int r = sd_journal_add_match(j->j, m, 0);
        if (r < 0)
            return r;
    }
    return 0;
}

/* "--unit a --unit b --identifier c" for the messages. */
static void describe_matches(const struct feed_journal *j, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < j->opts.n_units && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s--unit %s", n ? " " : "", j->opts.units[i]);
    for (size_t i = 0; i < j->opts.n_identifiers && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s--identifier %s", n ? " " : "",
                              j->opts.identifiers[i]);
}

/* Does any entry match?  Sets st.unmatched (and says so once) when the
 * journal has entries but the matches select none.  Leaves the read
 * position undefined: call before positioning. */
static void check_matches(struct feed_journal *j)
{
    if (!j->opts.n_units && !j->opts.n_identifiers)
        return;
    if (sd_journal_seek_head(j->j) < 0 || sd_journal_next(j->j) != 0)
        return; /* something matches (or the question cannot be asked) */
    sd_journal_flush_matches(j->j);
    int any = sd_journal_seek_head(j->j) >= 0 && sd_journal_next(j->j) > 0;
    (void)add_matches(j);
    if (!any)
        return;
    char m[600];
    describe_matches(j, m, sizeof m);
    if (!j->st.unmatched)
        log_msg(LOG_WARNING, "%s: no entry matches %s (the journal holds entries of other "
                "units and programs): waiting for one", j->what, m);
    j->st.unmatched = 1;
}

/* Where to begin: after the saved cursor, at the head, or at the tail. */
static int position_start(struct feed_journal *j, char *err, size_t errlen)
{
    int r;
    if (j->have_cursor) {
        r = sd_journal_seek_cursor(j->j, j->cursor);
        if (r < 0) {
            snprintf(err, errlen, "%s: cannot seek to the saved cursor: %s", j->what,
                     strerror(-r));
            return EX_DATAERR;
        }
        /* The saved entry itself was read already: step over it if it is
         * still there.  If it was vacuumed, seek_cursor put us before the
         * entry that followed it: that one is new. */
        r = sd_journal_next(j->j);
        if (r > 0 && sd_journal_test_cursor(j->j, j->cursor) <= 0) {
            log_msg(LOG_WARNING, "%s: the entry of the saved cursor is gone (vacuumed or "
                    "rotated away while stopped): resuming at the next entry there is; "
                    "entries removed in between were not counted", j->what);
            j->st.cursor_lost++;
            j->resume_current = 1;
        }
        return EX_OK;
    }
    if (j->opts.from_start) {
        r = sd_journal_seek_head(j->j);
    } else {
        r = sd_journal_seek_tail(j->j);
        if (r >= 0)
            sd_journal_previous(j->j); /* the last entry: new ones come after it */
    }
    if (r < 0) {
        snprintf(err, errlen, "%s: cannot seek: %s", j->what, strerror(-r));
        return EX_IOERR;
    }
    return EX_OK;
}

/* Open the journal and add the matches: 0, or a negative errno (j->j
 * stays NULL). */
static int attach(struct feed_journal *j)
{
    int r = j->opts.directory ? sd_journal_open_directory(&j->j, j->opts.directory, 0)
                              : sd_journal_open(&j->j, SD_JOURNAL_LOCAL_ONLY);
    if (r < 0) {
        j->j = NULL;
        return r;
    }
    r = add_matches(j);
    if (r < 0) {
        sd_journal_close(j->j);
        j->j = NULL;
    }
    return r;
}

int feed_journal_open(const struct feed_journal_opts *opts,
                      struct feed_journal **out, char *err, size_t errlen)
{
    *out = NULL;
    struct feed_journal *j = calloc(1, sizeof *j);
    if (!j || !(j->line = malloc(FEED_LINE_MAX))) {
        free(j);
        snprintf(err, errlen, "out of memory");
        return EX_OSERR;
    }
    j->opts = *opts;
    if (!j->opts.poll_ms)
        j->opts.poll_ms = 1000;
    j->lock_fd = -1;
    if (opts->directory)
        snprintf(j->what, sizeof j->what, "journal directory %s", opts->directory);
    else
        snprintf(j->what, sizeof j->what, "the system journal");
    if (opts->state_path) {
        int rc = open_state(j, err, errlen);
        if (rc != EX_OK) {
            feed_journal_close(j);
            return rc;
        }
    }
    int r = attach(j);
    if (r == -EINVAL) {
        snprintf(err, errlen, "%s: bad --unit or --identifier: %s", j->what, strerror(-r));
        feed_journal_close(j);
        return EX_USAGE;
    }
    /* Any other failure (no such directory, no permission) is said, and
     * counted in the statistics, by feed_journal_run(), which tries again
     * while it follows. */
    j->open_errno = r < 0 ? -r : 0;
    *out = j;
    return EX_OK;
}

const struct feed_journal_stats *feed_journal_stats(const struct feed_journal *j)
{
    return &j->st;
}

void feed_journal_close(struct feed_journal *j)
{
    if (!j)
        return;
    if (j->j)
        sd_journal_close(j->j);
    if (j->lock_fd >= 0)
        close(j->lock_fd);
    free(j->line);
    free(j);
}

/* The value of FIELD of the current entry ("FIELD=value" without the
 * name), or NULL. */
static const char *entry_field(sd_journal *sj, const char *field, size_t *len)
{
    const void *data;
    size_t n, fl = strlen(field);
    if (sd_journal_get_data(sj, field, &data, &n) < 0 || n <= fl)
        return NULL;
    *len = n - fl - 1;
    return (const char *)data + fl + 1;
}

/* Hand over the current entry's lines. */
static void entry_lines(struct feed_journal *j, const struct feed_follow_hooks *h)
{
    size_t mlen;
    const char *msg = entry_field(j->j, "MESSAGE", &mlen);
    if (!msg)
        return;
    char head[512];
    size_t hl = 0;
    if (!j->opts.message_only) {
        uint64_t usec = 0;
        sd_journal_get_realtime_usec(j->j, &usec);
        time_t sec = (time_t)(usec / 1000000);
        struct tm tm;
        gmtime_r(&sec, &tm);
        size_t host_n = 0, id_n = 0, pid_n = 0;
        const char *host = entry_field(j->j, "_HOSTNAME", &host_n);
        const char *id = entry_field(j->j, "SYSLOG_IDENTIFIER", &id_n);
        if (!id)
            id = entry_field(j->j, "_COMM", &id_n);
        const char *pid = entry_field(j->j, "SYSLOG_PID", &pid_n);
        if (!pid)
            pid = entry_field(j->j, "_PID", &pid_n);
        if (!host || !host_n || host_n > 200 || memchr(host, ' ', host_n)) {
            host = "localhost";
            host_n = 9;
        }
        if (!id || !id_n || id_n > 200) {
            id = "unknown";
            id_n = 7;
        }
        if (pid && pid_n > 20)
            pid = NULL;
        int n = snprintf(head, sizeof head, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ %.*s %.*s",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec, (unsigned)(usec % 1000000), (int)host_n, host, (int)id_n, id);
        if (n > 0 && pid)
            n += snprintf(head + n, sizeof head - (size_t)n, "[%.*s]", (int)pid_n, pid);
        if (n > 0)
            n += snprintf(head + n, sizeof head - (size_t)n, ": ");
        hl = n > 0 && (size_t)n < sizeof head ? (size_t)n : 0;
    }
    const char *p = msg, *end = msg + mlen;
    /* A message of several lines gives several lines; a trailing newline
     * gives none more. */
    do {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - p);
        if (hl + n > FEED_LINE_MAX) {
            j->st.too_long++;
        } else {
            memcpy(j->line, head, hl);
            memcpy(j->line + hl, p, n);
            j->st.lines++;
            h->line(h->ctx, j->line, hl + n);
        }
        p = nl ? nl + 1 : end;
    } while (p < end);
}

/* Remember the current entry's cursor. */
static void take_cursor(struct feed_journal *j)
{
    char *c = NULL;
    if (sd_journal_get_cursor(j->j, &c) >= 0 && c && strlen(c) <= FEED_JOURNAL_CURSOR_MAX) {
        strcpy(j->cursor, c);
        j->have_cursor = 1;
        j->saved_dirty = 1;
    }
    free(c);
}

/* Open the journal, waiting (and saying so) while it cannot be read.
 * EX_OK with *stopped 0 once open, or with *stopped 1 when stopped before;
 * EX_NOINPUT (err set) for --once with nothing to read. */
static int wait_open(struct feed_journal *j, const struct feed_follow_hooks *h,
                     int *stopped, char *err, size_t errlen)
{
    char msg[768];
    *stopped = 0;
    survey_files(j, msg, sizeof msg);
    if (!j->j && !msg[0]) {
        j->st.unreadable++;
        snprintf(msg, sizeof msg, "%s: cannot open it: %s", j->what, strerror(j->open_errno));
    }
    if (msg[0] && j->opts.once) {
        snprintf(err, errlen, "%s", msg);
        return EX_NOINPUT;
    }
    if (msg[0]) {
        log_msg(LOG_WARNING, "%s: reading no entries (yet): waiting for them", msg);
        j->empty_logged = 1;
    }
    /* Not open yet: try again now and then, until stopped. */
    for (int64_t tried = monotonic_ms(); !j->j;) {
        if (stopping(j, h)) {
            *stopped = 1;
            return EX_OK;
        }
        if (h->tick)
            h->tick(h->ctx);
        struct timespec ts = { .tv_sec = 0, .tv_nsec = 200 * 1000000L };
        nanosleep(&ts, NULL);
        if (monotonic_ms() - tried >= 5000) {
            int r = attach(j);
            tried = monotonic_ms();
            if (r >= 0) {
                log_msg(LOG_INFO, "%s: opened", j->what);
                j->empty_logged = 0;
            }
        }
    }
    return EX_OK;
}

/* Still nothing to read?  Say when that changes, either way. */
static void recheck_files(struct feed_journal *j)
{
    char msg[768];
    survey_files(j, msg, sizeof msg);
    if (msg[0] && !j->empty_logged)
        log_msg(LOG_WARNING, "%s: reading no entries", msg);
    else if (!msg[0] && j->empty_logged)
        log_msg(LOG_INFO, "%s: journal files can be read now", j->what);
    j->empty_logged = msg[0] != '\0';
}

/* One entry read: counted, its lines given to the parser, its cursor
 * kept (saved every 4096 entries). */
static void take_entry(struct feed_journal *j, const struct feed_follow_hooks *h,
                       unsigned *batch)
{
    j->st.entries++;
    if (j->st.unmatched) {
        log_msg(LOG_INFO, "%s: an entry matches now", j->what);
        j->st.unmatched = 0;
    }
    entry_lines(j, h);
    take_cursor(j);
    if (++*batch % 4096 == 0) {
        maybe_save_state(j, 0);
        if (h->tick)
            h->tick(h->ctx);
    }
}

int feed_journal_run(struct feed_journal *j, const struct feed_follow_hooks *h,
                     char *err, size_t errlen)
{
    int stopped;
    int rc = wait_open(j, h, &stopped, err, errlen);
    if (rc != EX_OK || stopped)
        return rc;
    check_matches(j);
    if ((rc = position_start(j, err, errlen)) != EX_OK)
        return rc;
    if (j->opts.state_path) {
        /* A first save now makes an unwritable state file fail at start
         * (only once there is a cursor to save). */
        j->saved_dirty = j->have_cursor;
        if (save_state(j, err, errlen) != 0)
            return EX_CANTCREAT;
    }
    int64_t last_check = monotonic_ms();
    unsigned batch = 0;
    while (!stopping(j, h)) {
        int r = j->resume_current ? 1 : sd_journal_next(j->j);
        j->resume_current = 0;
        if (r < 0) {
            snprintf(err, errlen, "%s: read error: %s", j->what, strerror(-r));
            maybe_save_state(j, 1);
            return EX_IOERR;
        }
        if (r > 0) {
            take_entry(j, h, &batch);
            continue;
        }
        if (j->opts.once)
            break;
        maybe_save_state(j, 0);
        if (h->tick)
            h->tick(h->ctx);
        if (monotonic_ms() - last_check >= 10000) {
            recheck_files(j);
            last_check = monotonic_ms();
        }
        r = sd_journal_wait(j->j, (uint64_t)j->opts.poll_ms * 1000);
        if (r < 0 && r != -EINTR) {
            snprintf(err, errlen, "%s: cannot wait for new entries: %s", j->what, strerror(-r));
            maybe_save_state(j, 1);
            return EX_IOERR;
        }
    }
    if (j->opts.state_path && j->saved_dirty && save_state(j, err, errlen) != 0)
        return EX_CANTCREAT;
    return EX_OK;
}

#endif /* HAVE_LIBSYSTEMD */
