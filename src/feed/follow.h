/*
 * follow.h - reading a log like `tail -F` for `mtamon feed`.
 *
 * Three parts, each usable alone and each in a file of its own (the unit
 * tests drive the first two on strings):
 *
 *   feed_splitter   cuts blocks of bytes into lines: holds an incomplete
 *   (feed_splitter.c) last line until its '\n' arrives, skips lines
 *                   longer than FEED_LINE_MAX without buffering them, and
 *                   knows the offset just past the last complete line;
 *   feed_state      the state file that lets a restarted feed resume
 *   (feed_state.c)  exactly where the last one stopped;
 *   feed_follower   the loop: a file (rotation by rename, copytruncate,
 *   (follow.c)      missing file, state file) or standard input, read in
 *                   large blocks, lines handed to a callback.
 */
#ifndef MTAMON_FOLLOW_H
#define MTAMON_FOLLOW_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"

/** Receives each line (no '\n', not NUL-terminated, len <= FEED_LINE_MAX). */
typedef void (*feed_line_fn)(void *ctx, const char *line, size_t len);

/* ------------------------------------------------------------------------ */
/* Line splitter                                                             */

/** A line splitter; set up with feed_splitter_init(). */
struct feed_splitter {
    char *hold;          /**< FEED_LINE_MAX bytes: the incomplete line */
    size_t held;         /**< bytes in hold */
    int skipping;        /**< inside a too-long line, dropping to its '\n' */
    uint64_t pushed;     /**< offset just past the last byte pushed */
    uint64_t line_end;   /**< offset just past the last complete line */
    uint64_t too_long;   /**< lines longer than FEED_LINE_MAX, skipped */
};

/** Allocate the hold buffer, offsets at 0.  0, or -1 on ENOMEM. */
int feed_splitter_init(struct feed_splitter *s);

/** Free the hold buffer (a zeroed or freed splitter is fine). */
void feed_splitter_free(struct feed_splitter *s);

/** Forget any held or skipped line; the next byte pushed is at @p offset. */
void feed_splitter_reset(struct feed_splitter *s, uint64_t offset);

/**
 * Cut @p data (@p len bytes, any content) into lines and hand each
 * complete one to @p fn.  A line longer than FEED_LINE_MAX is counted in
 * too_long once and dropped up to its '\n', never buffered whole.
 */
void feed_splitter_push(struct feed_splitter *s, const char *data, size_t len,
                        feed_line_fn fn, void *ctx);

/**
 * End of input: hand over the incomplete last line as it is (if any) and
 * end a too-long one; afterwards line_end == pushed.
 */
void feed_splitter_flush(struct feed_splitter *s, feed_line_fn fn, void *ctx);

/* ------------------------------------------------------------------------ */
/* State file                                                                */

/** At most this many bytes before the offset are hashed. */
#define FEED_STATE_TAIL_MAX 256u

/**
 * Where a feed stopped.  The text form is, one field a line, in this order:
 *
 *     mtamon-feed-state 1
 *     device N
 *     inode N
 *     offset N
 *     taillen N
 *     tailhash HEX16
 *
 * offset is just past the last line read; tailhash is the 64-bit FNV-1a
 * hash of the taillen (= min(offset, FEED_STATE_TAIL_MAX)) bytes before
 * it, so a file replaced by another of the same inode, or truncated and
 * re-grown, is noticed.
 */
struct feed_state {
    uint64_t device;
    uint64_t inode;
    uint64_t offset;
    uint32_t tail_len;
    uint64_t tail_hash;
};

/**
 * What a state file's text (@p len bytes, any content; a log file's or
 * the journal's) must be before its lines are read: not empty, no NUL
 * byte.  0, or -1 with the reason in @p why ("empty").
 */
int feed_state_text_check(const char *text, size_t len, char *why, size_t why_len);


/**
 * Parse the text form of a state file (@p len bytes, any content).
 * Returns 0, or -1 with the reason in @p why ("line 3: offset is not a
 * number").
 */
int feed_state_parse(const char *text, size_t len, struct feed_state *st,
                     char *why, size_t why_len);

/** Write the text form into @p buf; its length, or -1 if it does not fit. */
int feed_state_format(const struct feed_state *st, char *buf, size_t len);

/** feed_state_load() results. */
enum feed_state_load_result {
    FEED_STATE_LOADED = 0,
    FEED_STATE_ABSENT = 1,      /**< no such file: a first start */
    FEED_STATE_MALFORMED = -1,  /**< not a state file (message in err) */
    FEED_STATE_UNREADABLE = -2, /**< cannot be read (message in err) */
};

/** Longest state file read (a valid one, of a file or of the journal, is
 * far shorter). */
#define FEED_STATE_FILE_MAX 4096

/**
 * Read the state file @p path, a regular file of at most
 * FEED_STATE_FILE_MAX bytes, into @p text (FEED_STATE_FILE_MAX + 1 bytes,
 * not NUL-terminated), its length in *@p len.  FEED_STATE_LOADED (read,
 * not yet parsed: the caller parses its own form), FEED_STATE_ABSENT, or
 * FEED_STATE_UNREADABLE / FEED_STATE_MALFORMED (not a regular file, too
 * long) with "state file PATH: reason" in @p err.  Shared by the file
 * follower's feed_state_load() and the journal's state (journal.c).
 */
enum feed_state_load_result feed_state_read(const char *path, char *text,
                                            size_t *len, char *err,
                                            size_t errlen);

/** Read and parse @p path; on failure @p err names the file and the problem. */
enum feed_state_load_result feed_state_load(const char *path,
                                            struct feed_state *st,
                                            char *err, size_t errlen);

/**
 * Replace @p path with atomic_file_write() (a new temporary file of its
 * own, fsync, rename, directory fsync; a symbolic link or anything but a
 * regular file at @p path is refused, never followed).  0, or -1 with
 * "state file PATH: reason" in @p err.
 */
int feed_state_save(const char *path, const struct feed_state *st,
                    char *err, size_t errlen);

/* ------------------------------------------------------------------------ */
/* Follower                                                                  */

/** What to follow and how. */
struct feed_follow_opts {
    const char *path;        /**< the log file, or "-" for standard input */
    const char *state_path;  /**< state file, or NULL for none (not with "-") */
    int from_start;          /**< without state: start at 0, not at the end */
    int once;                /**< read to the end of the file, then return (with a
                              *   state file an incomplete last line is left for
                              *   the next run) */
    unsigned poll_ms;        /**< growth poll interval, 0 = 200 ms */
};

/** What the follower saw. */
struct feed_follow_stats {
    uint64_t lines;        /**< lines handed over */
    uint64_t too_long;     /**< lines skipped as longer than FEED_LINE_MAX */
    uint64_t rotations;    /**< moves to a new file (rename, found by inode) */
    uint64_t truncations;  /**< restarts at 0 (copytruncate, replaced file) */
};

/** Callbacks of the follower. */
struct feed_follow_hooks {
    feed_line_fn line;   /**< each line */
    void *ctx;           /**< for line and tick */
    /** Called after each block and each idle poll (NULL: none): the place
     * to print statistics a signal asked for. */
    void (*tick)(void *ctx);
    /** Set by a signal handler: finish the block, save the state, return. */
    const volatile sig_atomic_t *stop;
};

/** An open follower. */
struct feed_follower;

/**
 * Load the state file (if any) and check the options, reading nothing yet.
 * Returns EX_OK and *@p out, or a sysexits status with the message in
 * @p err: EX_DATAERR for a malformed state file, EX_NOINPUT for an
 * unreadable one, EX_USAGE for a state file with "-", EX_OSERR on ENOMEM,
 * EX_CANTCREAT when STATE.lock cannot be created or another feed holds it
 * (one feed per state file; the lock is held until feed_follower_close).
 */
int feed_follower_open(const struct feed_follow_opts *opts,
                       struct feed_follower **out, char *err, size_t errlen);

/**
 * Follow until the end (--once, end of standard input) or until *stop.
 * Returns EX_OK, or EX_NOINPUT (file missing with once), EX_IOERR (read
 * error), EX_CANTCREAT (state file cannot be written) with the message in
 * @p err.  Rotations and truncations are logged with log_msg().
 */
int feed_follower_run(struct feed_follower *f, const struct feed_follow_hooks *h,
                      char *err, size_t errlen);

/** Statistics so far (also from a tick callback). */
const struct feed_follow_stats *feed_follower_stats(const struct feed_follower *f);

/** Free the follower (NULL is fine). */
void feed_follower_close(struct feed_follower *f);

#endif /* MTAMON_FOLLOW_H */
