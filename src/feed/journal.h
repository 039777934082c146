/*
 * journal.h - the systemd journal as a line source for `mtamon feed`,
 * beside the file follower (follow.h): the same hooks, so every line goes
 * through the one parsing path of src/cli/feed.c.
 *
 * Each journal entry becomes one line per line of its MESSAGE, in the
 * syslog form the parsers read:
 *
 *     2024-03-10T12:00:00.250000Z HOST IDENTIFIER[PID]: MESSAGE
 *
 * (the stamp is the entry's realtime field, in UTC; HOST is _HOSTNAME,
 * IDENTIFIER is SYSLOG_IDENTIFIER or else _COMM, PID is SYSLOG_PID or
 * else _PID, left out when neither is set), or MESSAGE alone for a format
 * whose lines have no syslog header (feed_format.message_only).
 *
 * Entries are read through libsystemd's sd-journal (the system journal, or
 * the journal files of a directory), filtered by _SYSTEMD_UNIT= and
 * SYSLOG_IDENTIFIER= matches (several of one kind: any of them; both
 * kinds: both), followed as they are written (new files, rotation and
 * vacuuming are sd-journal's), and the cursor of the last entry read is
 * kept in a state file so that a restart neither loses nor repeats one:
 *
 *     mtamon-feed-journal-state 1
 *     cursor s=...;i=...;b=...;m=...;t=...;x=...
 *
 * When it can read no entry (no journal files, files it may not read, or
 * matches that select nothing) it says so on the log and in its
 * statistics instead of waiting silently.  A build without libsystemd
 * has all of this but feed_journal_open(), which says so.
 */
#ifndef MTAMON_JOURNAL_H
#define MTAMON_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "follow.h"

/** Longest cursor kept (sd-journal's are about 120 bytes). */
#define FEED_JOURNAL_CURSOR_MAX 1024

/** What to read and how. */
struct feed_journal_opts {
    const char *directory;          /**< journal files of this directory, or NULL:
                                         the system journal */
    const char *const *units;       /**< _SYSTEMD_UNIT= values ("postfix" means
                                         "postfix.service"), n_units of them */
    size_t n_units;
    const char *const *identifiers; /**< SYSLOG_IDENTIFIER= values */
    size_t n_identifiers;
    const char *state_path;         /**< state file, or NULL */
    int from_start;                 /**< without state: the oldest entry, not new ones */
    int once;                       /**< read to the last entry, then return */
    int message_only;               /**< lines are MESSAGE alone (no syslog header) */
    unsigned poll_ms;               /**< longest wait for new entries, 0 = 1000 ms */
};

/** What the journal source saw. */
struct feed_journal_stats {
    uint64_t entries;      /**< entries read */
    uint64_t lines;        /**< lines handed over */
    uint64_t too_long;     /**< lines longer than FEED_LINE_MAX, skipped */
    uint64_t files;        /**< journal files found that it may read */
    uint64_t unreadable;   /**< journal files (or the directory) it may not read */
    uint64_t unmatched;    /**< 1 while the journal has entries but none matches */
    uint64_t cursor_lost;  /**< restarts whose saved entry was vacuumed */
};

/** An open journal source. */
struct feed_journal;

/**
 * Parse a journal state file's text (@p len bytes, any content) into
 * @p cursor (FEED_JOURNAL_CURSOR_MAX + 1 bytes).  0, or -1 with the reason
 * in @p why.
 */
int feed_journal_state_parse(const char *text, size_t len, char *cursor,
                             char *why, size_t why_len);

/**
 * Check the options, lock and load the state file, open the journal and
 * look at what it holds (reading no entry yet).  EX_OK and *@p out, or a
 * sysexits status with the message in @p err: EX_UNAVAILABLE when built
 * without libsystemd ("built without journal support"), EX_DATAERR for a
 * malformed state file, EX_NOINPUT for an unreadable state file or a
 * journal that cannot be opened, EX_CANTCREAT when the state file is
 * locked by another feed, EX_OSERR on ENOMEM.
 */
int feed_journal_open(const struct feed_journal_opts *opts,
                      struct feed_journal **out, char *err, size_t errlen);

/**
 * Read entries until *stop, or to the last one with once.  Returns EX_OK,
 * or EX_NOINPUT with once when it could read no entry at all (no files,
 * none readable), EX_IOERR (a read error), EX_CANTCREAT (the state file
 * cannot be written), with the message in @p err.
 */
int feed_journal_run(struct feed_journal *j, const struct feed_follow_hooks *h,
                     char *err, size_t errlen);

/** Statistics so far. */
const struct feed_journal_stats *feed_journal_stats(const struct feed_journal *j);

/** Close the journal, release the lock, free (NULL is fine). */
void feed_journal_close(struct feed_journal *j);

#endif /* MTAMON_JOURNAL_H */
