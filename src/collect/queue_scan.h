/*
 * queue_scan.h - how many messages wait in a queue, how big and how old:
 * one pass over a queue tree (queues: in mtamon.yaml), in memory O(1) per
 * file and O(depth) in all (no list of the files is ever kept).
 *
 * Kinds (struct config_queue):
 *   directory  Sun/Oracle Messaging Server, data/queue/<channel>/: every
 *              regular file whose name matches glob, to depth levels of
 *              subdirectories.  Its id is the file name, its arrival time
 *              the file's mtime, its volume the file's size.
 *   generic    the same over any tree.
 *   postfix    Postfix's queue directory: maildrop, incoming, active,
 *              deferred, hold (hashed subdirectories).  Each file's id is
 *              its name (the queue id); its arrival time and message size
 *              come from the queue file's own size and time records (what
 *              `postqueue -j` reports), its mtime in deferred is the next
 *              delivery attempt (the source of mtaGroupScheduledRetry).
 *              Where the spool cannot be read (it is mode 0700 postfix),
 *              `postqueue -j` (any user may run it) is used instead when
 *              the queue's `postqueue` command is set.
 *
 * Files that vanish during a scan are normal (the MTA delivered them) and
 * are skipped.  No SNMP here: mtamond's collector thread and `mtamon queue`
 * both call queue_scan().
 *
 * The walk (directory, generic): the top directory is opened as given (a
 * symbolic link there is followed), below it nothing is: symbolic links
 * are neither counted nor descended into.  glob is matched against file
 * names only, as the shell does (fnmatch(3) with FNM_PERIOD: a leading
 * '.' must be matched explicitly, so "*" skips dot files); subdirectories
 * are descended into whatever their names, to depth levels (at most
 * QUEUE_SCAN_DEPTH_MAX).  Ids are file names; ages are mtimes to the
 * millisecond.
 *
 * Postfix: only what showq(8), and so `postqueue -j`, lists counts: in
 * each queue, files named like queue ids, in subdirectories of one-letter
 * names (hash_queue_depth, walked to 3 levels), regular files of owner
 * mode rwx (Postfix's "ready"; a file still being written is not), with a
 * sender record (postfix_qfile.h: arrival time and message size exactly
 * as postqueue -j reports them, in whole seconds).  A missing queue
 * directory is an empty queue.
 *
 * What cannot be read:
 *   - the top directory (missing, not a directory, no permission): the
 *     scan fails (-1), every row UNAVAILABLE, error "/path: No such file
 *     or directory" or "cannot read /path: Permission denied".  For
 *     postfix, so does one of its five queue directories (other than
 *     missing): that is when `postqueue -j` is run instead, if configured;
 *     if it fails too, the error gives both reasons.
 *   - a subdirectory or file below it (other than vanished): the scan
 *     still succeeds (OK) with what it could read, the number of entries
 *     skipped in unreadable and the first of them in error ("cannot read
 *     /path/sub: Permission denied"), so an operator sees both the
 *     figures and that they are short.  Likewise a line of `postqueue -j`
 *     that is not valid JSON (row 0).
 *
 * From `postqueue -j` (source QUEUE_SCAN_POSTQUEUE) the rows have the same
 * meaning, but no next retry (next_retry_ms 0: postqueue does not tell),
 * and a message of a queue other than the five counts in row 0 only.  The
 * command is run with fork and execve, without a shell, and waited for
 * with waitpid() on its pid: a caller that reaps every child (waitpid(-1)
 * in a SIGCHLD handler) must not run beside it.  queue_scan() keeps no
 * state between calls and may run in any thread.
 */
#ifndef MTAMON_QUEUE_SCAN_H
#define MTAMON_QUEUE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon_config.h"

/** Rows a postfix queue gives: the whole queue, then one per Postfix queue. */
#define QUEUE_SCAN_POSTFIX_ROWS 6

/** Most rows one configured queue gives. */
#define QUEUE_SCAN_ROWS_MAX QUEUE_SCAN_POSTFIX_ROWS

/** Longest row name: "NAME" or "NAME/deferred". */
#define QUEUE_SCAN_NAME_MAX (CONFIG_NAME_MAX + 1 + 16)

/** Longest message id kept (a file name). */
#define QUEUE_SCAN_ID_MAX 255

/** Longest error text kept. */
#define QUEUE_SCAN_ERROR_MAX 256

/** Deepest walk (directory, generic): a larger depth counts as this. */
#define QUEUE_SCAN_DEPTH_MAX 64

/** How long `postqueue -j` may take before it is killed. */
#define QUEUE_SCAN_POSTQUEUE_TIMEOUT_MS 30000

/** State of a queue row. */
enum queue_scan_status {
    QUEUE_SCAN_NOT_YET = 0,   /**< not scanned yet */
    QUEUE_SCAN_OK = 1,        /**< the figures are from the last scan */
    QUEUE_SCAN_UNAVAILABLE = 2, /**< the tree could not be read: error says why */
};

/** Where a postfix row's figures came from. */
enum queue_scan_source {
    QUEUE_SCAN_TREE = 1,      /**< the files themselves */
    QUEUE_SCAN_POSTQUEUE = 2, /**< `postqueue -j` */
};

/** The result of one scan, for one row. */
struct queue_scan_stats {
    char name[QUEUE_SCAN_NAME_MAX + 1];  /**< "NAME" or "NAME/SUBQUEUE" */
    enum config_queue_kind kind;
    enum queue_scan_status status;
    enum queue_scan_source source;
    /** Why UNAVAILABLE; when OK, the first entry that could not be read
     * (see unreadable), else "". */
    char error[QUEUE_SCAN_ERROR_MAX];
    /** Entries (subdirectories, files, postqueue lines) that could not be
     * read in an OK scan: the figures leave them out. */
    uint64_t unreadable;
    uint64_t messages;                   /**< message files counted */
    uint64_t volume;                     /**< octets (postfix: message sizes) */
    int64_t oldest_ms;                   /**< arrival of the oldest message,
                                              ms since the epoch; 0 = none */
    char oldest_id[QUEUE_SCAN_ID_MAX + 1]; /**< its id, "" when none */
    /** Earliest scheduled delivery attempt (postfix deferred mtimes), ms
     * since the epoch; may lie in the past (then a retry is due); 0 =
     * unknown or nothing deferred. */
    int64_t next_retry_ms;
    int64_t scanned_ms;                  /**< when the scan ended (wall
                                              clock, ms since the epoch) */
    uint32_t duration_ms;                /**< how long the scan took */
};

/** How many rows @p q gives: 1, or QUEUE_SCAN_POSTFIX_ROWS for postfix. */
size_t queue_scan_rows(const struct config_queue *q);

/**
 * Name @p rows[0 .. queue_scan_rows(q) - 1] ("NAME", then "NAME/maildrop",
 * "NAME/incoming", "NAME/active", "NAME/deferred", "NAME/hold" for
 * postfix) and set their kind, without scanning: what a queue shows
 * before its first scan.
 */
void queue_scan_name_rows(const struct config_queue *q, struct queue_scan_stats *rows);

/**
 * Scan @p q once into @p rows[0 .. queue_scan_rows(q) - 1] (names, kind,
 * figures, status, times).  Returns 0 when the queue was read, -1 when it
 * could not be (every row UNAVAILABLE with the reason in its error, its
 * figures zero).  Never blocks on anything but the file system (and the
 * postqueue command, which it waits for at most 30 s).
 */
int queue_scan(const struct config_queue *q, struct queue_scan_stats *rows);

#endif /* MTAMON_QUEUE_SCAN_H */
