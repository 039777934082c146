/*
 * unit_util.h - shared helpers of the libmtamon CUnit suites.
 *
 * - unique segment names, all unlinked when the test program ends (even
 *   after failed assertions or SIGINT/SIGTERM/SIGABRT), and a sweep of
 *   leftovers of earlier runs whose process is gone;
 * - raw access to the bytes of a shared-memory object, to craft foreign or
 *   corrupt segments and to check that a refused operation changed nothing;
 * - fork helpers (children report through their exit status) and a pipe
 *   barrier that starts many children at once;
 * - a capture of stderr (where log_msg() writes) into a temporary file;
 * - scratch directory trees (a fake PROC, a pidfile directory): made,
 *   filled with files of exact bytes, removed whole;
 * - unit_main(), which runs one suite in CUnit basic verbose mode, and
 *   UT_MAIN(), the main() of a suite that does nothing else.
 */
#ifndef MTAMON_UNIT_UTIL_H
#define MTAMON_UNIT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "mtamon.h"

/* ------------------------------------------------------------------------ */
/* Running a suite                                                           */

struct unit_test {
    const char *name;
    void (*fn)(void);
};

/* Run @p tests (terminated by {NULL, NULL}) as suite @p suite, verbose.
 * Returns 0 if every test passed, 1 otherwise (for main's return). */
int unit_main(const char *suite, const struct unit_test *tests);

/* The whole main() of a suite that only runs its tests:
 *
 *     UT_MAIN("channel",
 *             {"name check", test_name_check},
 *             {"capacity full", test_full})
 *
 * runs unit_main(@p suite, those tests) and returns its status.  The list
 * needs no {NULL, NULL} end: the macro adds it. */
#define UT_MAIN(suite, ...)                                                 \
    int main(void)                                                          \
    {                                                                       \
        static const struct unit_test ut_main_tests_[] = {__VA_ARGS__,      \
                                                          {NULL, NULL}};    \
        return unit_main((suite), ut_main_tests_);                          \
    }

/* ------------------------------------------------------------------------ */
/* Segment names                                                             */

/* A fresh name "/mtamon-ut-<pid>-<n>", registered for unlinking at exit.
 * The string stays valid for the whole run. */
const char *ut_name(void);

/* Register another name for unlinking at exit. */
void ut_track(const char *name);

/* Unlink every registered name now (also done at exit). */
void ut_cleanup(void);

/* Create a segment with the given capacities (0 = default), or fail the
 * calling test fatally.  Returns the open writer handle. */
mtamon_t *ut_create(const char *name, uint32_t channels, uint32_t assocs);

/* Register channel @p chname or fail fatally; returns its index. */
mtamon_channel_t ut_channel(mtamon_t *m, const char *chname);

/* ------------------------------------------------------------------------ */
/* Raw bytes of /dev/shm/<name>                                              */

/* Path of the object in the shm file system ("/dev/shm" + name). */
void ut_shm_path(const char *name, char *buf, size_t len);

/* All bytes of the object (malloc'd, free() it), length in *@p len; NULL if
 * it cannot be read.  An empty object gives a 1-byte buffer and *len 0. */
unsigned char *ut_read_bytes(const char *name, size_t *len);

/* Is the object exactly @p len bytes equal to @p bytes? */
int ut_bytes_equal(const char *name, const unsigned char *bytes, size_t len);

/* Create or replace the object with exactly these bytes (mode 0600);
 * registers the name for cleanup.  0 on success. */
int ut_write_bytes(const char *name, const void *data, size_t len);

/* Overwrite @p len bytes at @p off.  0 on success. */
int ut_patch(const char *name, size_t off, const void *data, size_t len);
int ut_patch_u32(const char *name, size_t off, uint32_t v);
int ut_patch_u64(const char *name, size_t off, uint64_t v);

/* Read @p len bytes at @p off.  0 on success. */
int ut_peek(const char *name, size_t off, void *data, size_t len);

/* Set the object's size.  0 on success. */
int ut_truncate(const char *name, size_t len);

/* Mode bits (st_mode & 07777) of /dev/shm/<name>, -1 if it cannot stat. */
int ut_mode(const char *name);

/* Does /dev/shm/<name> exist? */
int ut_exists(const char *name);

/* ------------------------------------------------------------------------ */
/* Snapshots                                                                 */

/* Take a snapshot of @p name with a fresh reader (fails the test fatally if
 * it cannot).  Free with mtamon_snapshot_free(). */
void ut_snapshot(const char *name, unsigned flags, struct mtamon_snapshot *snap);

/* The number of active channels and of listed associations in a fresh
 * snapshot of @p name (fails the test fatally if none can be taken). */
uint32_t ut_n_channels(const char *name);
uint32_t ut_n_assocs(const char *name);

/* The channel @p chname of a snapshot of @p name, copied into @p out. */
void ut_channel_stats(const char *name, const char *chname, unsigned flags,
                      struct mtamon_channel_stats *out);

/* Status-table row of @p code, or NULL. */
const struct mtamon_status_count *
ut_status_row(const struct mtamon_channel_stats *c, mtamon_status_code code);

/* The association figures of a channel: opened and closed inbound and
 * outbound (counters), open now (gauges). */
struct ut_assocs {
    uint64_t in, in_closed, out, out_closed;
    int64_t in_current, out_current;
};

/* Assert each of @p c's association figures against @p want (a
 * difference is named on stderr with @p what, e.g. the channel). */
void ut_assert_assocs(const struct mtamon_channel_stats *c, const char *what,
                      struct ut_assocs want);

/* Wall clock in ms (CLOCK_REALTIME). */
int64_t ut_now_ms(void);

/* ------------------------------------------------------------------------ */
/* Processes                                                                 */

/* fork() after flushing stdio; the child must end with _exit(). */
pid_t ut_fork(void);

/* Reap @p pid; 0 if it exited with status 0, else its exit status, or
 * 128 + signal number, or -1 if waitpid failed. */
int ut_wait(pid_t pid);

/* A pipe barrier: children block in ut_barrier_wait() until the parent
 * calls ut_barrier_release() (EOF on the pipe wakes them all at once). */
struct ut_barrier {
    int fd[2];
};
int ut_barrier_init(struct ut_barrier *b);
void ut_barrier_wait(struct ut_barrier *b);    /* in the child */
void ut_barrier_release(struct ut_barrier *b); /* in the parent */

/* A pid that is certainly not running: a reaped child's. */
pid_t ut_dead_pid(void);

/* ------------------------------------------------------------------------ */
/* Capturing stderr                                                          */

/* Redirect file descriptor 2 (where log_msg() writes to stderr) into a new
 * temporary file, after flushing stdio's stderr.  Not nestable: one capture
 * at a time.  If no file can be made, stderr stays where it was. */
void ut_capture_stderr_start(void);

/* Stop the capture: restore file descriptor 2, remove the temporary file
 * and return everything written to it meanwhile (malloc'd, free() it;
 * never NULL: "" if nothing was or could be read). */
char *ut_capture_stderr_stop(void);

/* ------------------------------------------------------------------------ */
/* Scratch directory trees                                                   */

/* A fresh directory "/tmp/mtamon-ut-<tag>.XXXXXX" (mkdtemp(3)), its path
 * into @p buf (@p len bytes), or fail the calling test fatally. */
void ut_make_dir(char *buf, size_t len, const char *tag);

/* Create or replace @p path with exactly @p len bytes of @p text: fails
 * the calling test fatally if it cannot be opened, and asserts (not
 * fatally) the write and the close. */
void ut_write_file(const char *path, const void *text, size_t len);

/* Remove @p path and everything under it (symbolic links are removed,
 * never followed); best effort, silent. */
void ut_remove_tree(const char *path);

/* ------------------------------------------------------------------------ */
/* Assertion helpers                                                         */

/* A fatal non-NULL check the compiler also understands (no
 * -Wnull-dereference after it); for use in void test functions. */
#define UT_REQUIRE(p)                       \
    do {                                    \
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);    \
        if (!(p))                           \
            return;                         \
    } while (0)

/* Assert that @p err has code @p code and its message contains @p word. */
#define UT_ASSERT_ERR(err, want_code, word)                               \
    do {                                                                  \
        CU_ASSERT_EQUAL((err).code, (want_code));                         \
        CU_ASSERT_PTR_NOT_NULL(strstr((err).message, (word)));            \
        if (!strstr((err).message, (word)))                               \
            fprintf(stderr, "\n    message '%s' lacks '%s'\n",            \
                    (err).message, (word));                               \
    } while (0)

#endif /* MTAMON_UNIT_UTIL_H */
