/*
 * test_index_map.c - stable mtaGroupIndex assignment (index_map.c): order
 * of first sight, persistence, pins, never reusing an index, one write for
 * many new names, malformed files, a file that cannot be written,
 * symbolic links planted at the file or at its old temporary name.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit_util.h"

#include "log.h"
#include "index_map.h"
#include "whole_file.h"

#define HEADER "# mtamond group indexes: INDEX NAME; edit with mtamond stopped\n"

static char tmpdir[256];

/* A fresh directory for each test; removed (with its files) at the end. */
static void remove_dir(void);

static const char *make_dir(void)
{
    remove_dir(); /* left by a test that failed fatally */
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mtamon-ut-imap-%ld-XXXXXX",
             (long)getpid());
    if (!mkdtemp(tmpdir))
        return NULL;
    return tmpdir;
}

/* Remove the test's directory, if there is one. */
static void remove_dir(void)
{
    if (!tmpdir[0])
        return;
    ut_remove_tree(tmpdir);
    tmpdir[0] = '\0';
}

static void path_in_dir(char *buf, size_t len, const char *file)
{
    snprintf(buf, len, "%s/%s", tmpdir, file);
}

static int write_text(const char *path, const char *text);

/* A fresh directory (or fail the test fatally) and the path of its
 * group-index file into @p path; the file holds @p text, or is not
 * there if @p text is NULL. */
static void group_index_file(char *path, size_t len, const char *text)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(make_dir());
    path_in_dir(path, len, "group-index");
    if (text)
        CU_ASSERT_EQUAL(write_text(path, text), 0);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* The whole file (malloc'd), or NULL. */
static char *read_text(const char *path)
{
    char *buf;
    size_t len;
    return whole_file_read(path, SIZE_MAX, &buf, &len) < 0 ? NULL : buf;
}

static void assert_file(const char *path, const char *want)
{
    char *got = read_text(path);
    CU_ASSERT_PTR_NOT_NULL(got);
    if (got) {
        CU_ASSERT_STRING_EQUAL(got, want);
        if (strcmp(got, want) != 0)
            fprintf(stderr, "\n    file:\n%s    want:\n%s", got, want);
    }
    free(got);
}

/* A flush of @p map succeeds and leaves @p path holding exactly @p want. */
static void assert_flushed(struct index_map *map, const char *path, const char *want)
{
    char err[256] = "";
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), 0);
    assert_file(path, want);
}

/* The index of each name of @p want in turn (order matters: a name not
 * seen before gets the next free index), up to the {NULL, 0} end. */
struct name_index {
    const char *name;
    uint32_t index;
};

static void assert_indexes(struct index_map *map, const struct name_index *want)
{
    for (const struct name_index *w = want; w->name; w++) {
        uint32_t got = index_map_get(map, w->name);
        CU_ASSERT_EQUAL(got, w->index);
        if (got != w->index)
            fprintf(stderr, "\n    %s: index %u, want %u\n", w->name, got, w->index);
    }
}

/* A configuration with the given pins only (what index_map reads). */
struct pin_conf {
    struct config conf;
    struct config_channel ch[4];
};

static void pin_conf_init(struct pin_conf *pc)
{
    memset(pc, 0, sizeof *pc);
    pc->conf.channels = pc->ch;
}

static void pin(struct pin_conf *pc, const char *name, uint32_t index)
{
    struct config_channel *c = &pc->ch[pc->conf.n_channels++];
    c->name = (char *)(uintptr_t)name;
    c->group_index = index;
}

/* ------------------------------------------------------------------------ */

static void test_first_sight_order(void)
{
    char err[256] = "";
    struct index_map *map = index_map_open(NULL, NULL, err, sizeof err);
    UT_REQUIRE(map);
    CU_ASSERT_EQUAL(index_map_get(map, "tcp_local"), 1u);
    CU_ASSERT_EQUAL(index_map_get(map, "ims-ms"), 2u);
    CU_ASSERT_EQUAL(index_map_get(map, "tcp_local"), 1u);
    CU_ASSERT_EQUAL(index_map_get(map, "tcp_intranet"), 3u);
    CU_ASSERT_EQUAL(index_map_get(map, "ims-ms"), 2u);
    /* Memory only: a flush has nothing to write and succeeds. */
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), 0);
    CU_ASSERT_EQUAL(index_map_get(map, "l"), 4u);
    /* Names that could not be written to the file get no index. */
    CU_ASSERT_EQUAL(index_map_get(map, "two words"), 0u);
    CU_ASSERT_EQUAL(index_map_get(map, ""), 0u);
    CU_ASSERT_EQUAL(index_map_get(map, "x234567890123456789012345678901234567890"
                                       "123456789012345678901234"), 0u);
    CU_ASSERT_EQUAL(index_map_get(map, "next"), 5u);
    index_map_free(map);
}

static void test_reload(void)
{
    char path[300], err[256] = "";
    group_index_file(path, sizeof path, NULL);

    struct index_map *map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    assert_indexes(map, (const struct name_index[]){
                            {"tcp_local", 1}, {"ims-ms", 2}, {"tcp_intranet", 3}, {NULL, 0}});
    CU_ASSERT_EQUAL(access(path, F_OK), -1); /* not written before a flush */
    assert_flushed(map, path, HEADER "1 tcp_local\n2 ims-ms\n3 tcp_intranet\n");
    char tmp[300];
    path_in_dir(tmp, sizeof tmp, "group-index.tmp");
    CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
    index_map_free(map);

    map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    assert_indexes(map, (const struct name_index[]){{"tcp_intranet", 3},
                                                    {"tcp_local", 1},
                                                    {"ims-ms", 2},
                                                    {"new", 4},
                                                    {NULL, 0}});
    assert_flushed(map, path, HEADER "1 tcp_local\n2 ims-ms\n3 tcp_intranet\n4 new\n");
    index_map_free(map);
    remove_dir();
}

/* Hand-edited files: comments, blank lines, any order, tabs, CRLF. */
static void test_lenient_reading(void)
{
    char path[300], err[256] = "";
    group_index_file(path, sizeof path, "# comment\n\n9 b\n   \n2\ta\r\n# x\n5  c  \n");
    struct index_map *map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    assert_indexes(map, (const struct name_index[]){
                            {"a", 2}, {"b", 9}, {"c", 5}, {"d", 10}, {NULL, 0}});
    assert_flushed(map, path, HEADER "2 a\n5 c\n9 b\n10 d\n");
    index_map_free(map);
    remove_dir();
}

static void test_pins_win(void)
{
    char path[300], err[256] = "";
    group_index_file(path, sizeof path, "1 a\n2 b\n");
    struct pin_conf pc;
    pin_conf_init(&pc);
    pin(&pc, "b", 10);      /* was 2 in the file */
    pin(&pc, "z", 20);      /* never seen yet */

    ut_capture_stderr_start();
    struct index_map *map = index_map_open(path, &pc.conf, err, sizeof err);
    char *log = ut_capture_stderr_stop();
    UT_REQUIRE(map);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "group index of channel b: 10 pinned by "
                                       "the configuration (was 2 in "));
    free(log);
    CU_ASSERT_EQUAL(index_map_get(map, "a"), 1u);
    CU_ASSERT_EQUAL(index_map_get(map, "b"), 10u);
    /* One more than the highest pin, even an unseen one. */
    CU_ASSERT_EQUAL(index_map_get(map, "c"), 21u);
    /* An unseen pinned channel is not written. */
    assert_flushed(map, path, HEADER "1 a\n10 b\n21 c\n");
    CU_ASSERT_EQUAL(index_map_get(map, "z"), 20u);
    assert_flushed(map, path, HEADER "1 a\n10 b\n20 z\n21 c\n");
    index_map_free(map);

    /* Without the pins, b and z keep what they had. */
    map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    CU_ASSERT_EQUAL(index_map_get(map, "b"), 10u);
    CU_ASSERT_EQUAL(index_map_get(map, "z"), 20u);
    CU_ASSERT_EQUAL(index_map_get(map, "d"), 22u);
    index_map_free(map);
    remove_dir();
}

static void test_pin_displaces_stored_name(void)
{
    char path[300], err[256] = "";
    group_index_file(path, sizeof path, HEADER "1 a\n2 b\n3 c\n4 d\n");
    struct pin_conf pc;
    pin_conf_init(&pc);
    pin(&pc, "x", 3);   /* takes c's index */
    pin(&pc, "y", 2);   /* takes b's index */
    pin(&pc, "d", 4);   /* d's own: nothing moves */

    ut_capture_stderr_start();
    struct index_map *map = index_map_open(path, &pc.conf, err, sizeof err);
    char *log = ut_capture_stderr_stop();
    UT_REQUIRE(map);
    /* Moved in the order of their old indexes: b first, then c. */
    CU_ASSERT_PTR_NOT_NULL(strstr(log,
        "group index 2 of channel b is now pinned to channel y by the "
        "configuration; b gets index 5"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log,
        "group index 3 of channel c is now pinned to channel x by the "
        "configuration; c gets index 6"));
    CU_ASSERT_PTR_NULL(strstr(log, "channel d"));
    free(log);

    assert_indexes(map, (const struct name_index[]){{"a", 1},
                                                    {"b", 5},
                                                    {"c", 6},
                                                    {"d", 4},
                                                    {"x", 3},
                                                    {"y", 2},
                                                    {"e", 7},
                                                    {NULL, 0}});
    assert_flushed(map, path, HEADER "1 a\n2 y\n3 x\n4 d\n5 b\n6 c\n7 e\n");
    index_map_free(map);

    /* The move is written even if the moved names are not seen again. */
    CU_ASSERT_EQUAL(write_text(path, "1 a\n2 b\n"), 0);
    pin_conf_init(&pc);
    pin(&pc, "y", 2);
    ut_capture_stderr_start();
    map = index_map_open(path, &pc.conf, err, sizeof err);
    free(ut_capture_stderr_stop());
    UT_REQUIRE(map);
    assert_flushed(map, path, HEADER "1 a\n3 b\n");
    index_map_free(map);
    remove_dir();
}

static void test_never_reuse(void)
{
    char path[300], err[256] = "";
    /* Gaps are never filled: 2..6 were handed out once (or hand-removed). */
    group_index_file(path, sizeof path, "1 a\n7 b\n");
    struct index_map *map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    CU_ASSERT_EQUAL(index_map_get(map, "c"), 8u);
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), 0);
    index_map_free(map);

    /* A pin raises the high-water mark, which survives the pin's removal
     * through the names assigned after it. */
    struct pin_conf pc;
    pin_conf_init(&pc);
    pin(&pc, "p", 100);
    map = index_map_open(path, &pc.conf, err, sizeof err);
    UT_REQUIRE(map);
    CU_ASSERT_EQUAL(index_map_get(map, "d"), 101u);
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), 0);
    index_map_free(map);
    map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    CU_ASSERT_EQUAL(index_map_get(map, "e"), 102u);
    CU_ASSERT_EQUAL(index_map_get(map, "p"), 103u);
    index_map_free(map);

    /* The top of the range: the last index is handed out, then none. */
    CU_ASSERT_EQUAL(write_text(path, "2147483646 a\n"), 0);
    map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    CU_ASSERT_EQUAL(index_map_get(map, "b"), 2147483647u);
    ut_capture_stderr_start();
    CU_ASSERT_EQUAL(index_map_get(map, "c"), 0u);
    CU_ASSERT_EQUAL(index_map_get(map, "d"), 0u);
    char *log = ut_capture_stderr_stop();
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "every mtaGroupIndex up to 2147483647 is used"));
    CU_ASSERT_PTR_NULL(strstr(log, "channel d")); /* logged once */
    free(log);
    CU_ASSERT_EQUAL(index_map_get(map, "a"), 2147483646u);
    index_map_free(map);
    remove_dir();
}

static void test_many_names_one_write(void)
{
    enum { N = 10000 };
    char path[300], err[256] = "";
    group_index_file(path, sizeof path, NULL);
    struct index_map *map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    char name[32];
    int wrong = 0;
    for (unsigned i = 0; i < N; i++) {
        snprintf(name, sizeof name, "ch%05u", i);
        wrong += index_map_get(map, name) != i + 1;
    }
    for (unsigned i = 0; i < N; i += 7) { /* lookups give the same */
        snprintf(name, sizeof name, "ch%05u", i);
        wrong += index_map_get(map, name) != i + 1;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(access(path, F_OK), -1);
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), 0);

    size_t want_len = strlen(HEADER) + (size_t)N * 14, len = 0;
    char *want = malloc(want_len + 1);
    UT_REQUIRE(want);
    len += (size_t)snprintf(want, want_len + 1, "%s", HEADER);
    for (unsigned i = 0; i < N; i++)
        len += (size_t)snprintf(want + len, want_len + 1 - len, "%u ch%05u\n",
                                i + 1, i);
    assert_file(path, want);
    free(want);

    /* Nothing new: the next flush does not write (the file, removed here,
     * stays removed). */
    CU_ASSERT_EQUAL(unlink(path), 0);
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), 0);
    CU_ASSERT_EQUAL(access(path, F_OK), -1);
    index_map_free(map);
    remove_dir();
}

/* index_map_open() of a file with @p text fails with exactly "PATH@p want". */
static void expect_malformed(const char *text, const char *want)
{
    char path[300], err[256] = "", full[600];
    path_in_dir(path, sizeof path, "group-index");
    CU_ASSERT_EQUAL_FATAL(write_text(path, text), 0);
    struct index_map *map = index_map_open(path, NULL, err, sizeof err);
    CU_ASSERT_PTR_NULL(map);
    index_map_free(map);
    snprintf(full, sizeof full, "%s%s", path, want);
    CU_ASSERT_STRING_EQUAL(err, full);
    if (strcmp(err, full) != 0)
        fprintf(stderr, "\n    got  '%s'\n    want '%s'\n", err, full);
}

static void test_malformed(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(make_dir());
    expect_malformed("1 a\nx b\n", ":2: expected \"INDEX NAME\", got \"x b\"");
    expect_malformed("12x a\n", ":1: bad index \"12x\"");
    expect_malformed("-1 a\n", ":1: expected \"INDEX NAME\", got \"-1 a\"");
    expect_malformed("# c\n7\n", ":2: expected \"INDEX NAME\", got \"7\"");
    expect_malformed("0 a\n", ":1: index 0 out of range 1..2147483647");
    expect_malformed("2147483648 a\n",
                     ":1: index 2147483648 out of range 1..2147483647");
    expect_malformed("99999999999999999999999 a\n",
                     ":1: index 99999999999999999999999 out of range 1..2147483647");
    expect_malformed("1 a b\n", ":1: invalid channel name \"a b\"");
    expect_malformed("1 \n", ":1: invalid channel name \"\"");
    expect_malformed("1 a\xc3\xa9\n", ":1: invalid channel name \"a\xc3\xa9\"");
    expect_malformed("1 x234567890123456789012345678901234567890123456789012345678901234\n",
                     ":1: invalid channel name "
                     "\"x234567890123456789012345678901234567890123456789012345678901234\"");
    expect_malformed("# c\n1 a\n\n1 b\n", ":4: duplicate index 1 (also line 2)");
    expect_malformed("1 a\n2 b\n3 a\n", ":3: duplicate name \"a\" (also line 1)");

    /* A file that is not readable as one: a directory. */
    char path[300], err[256] = "", want[400];
    path_in_dir(path, sizeof path, "sub");
    CU_ASSERT_EQUAL(mkdir(path, 0700), 0);
    CU_ASSERT_PTR_NULL(index_map_open(path, NULL, err, sizeof err));
    snprintf(want, sizeof want, "%s: read error: Is a directory", path);
    CU_ASSERT_STRING_EQUAL(err, want);

    /* A FIFO (whose open would wait for a writer for ever) and a device
     * (/dev/zero: one endless line) are refused at once.  Tried in a
     * child with an alarm, so that a hang fails the test. */
    path_in_dir(path, sizeof path, "fifo");
    CU_ASSERT_EQUAL(mkfifo(path, 0600), 0);
    const char *odd[2] = {path, "/dev/zero"};
    for (int i = 0; i < 2; i++) {
        fflush(NULL);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
            alarm(10);
            char e[256] = "", w[400];
            struct index_map *m = index_map_open(odd[i], NULL, e, sizeof e);
            snprintf(w, sizeof w, "%s: not a regular file", odd[i]);
            _exit(m == NULL && strcmp(e, w) == 0 ? 0 : 1);
        }
        int status = 0;
        CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (!WIFEXITED(status))
            fprintf(stderr, "\n    %s: killed by signal %d\n", odd[i],
                    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    remove_dir();
}

static void test_missing_file_is_empty(void)
{
    char path[300], err[256] = "";
    CU_ASSERT_PTR_NOT_NULL_FATAL(make_dir());
    path_in_dir(path, sizeof path, "none");
    struct index_map *map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_EQUAL(index_map_get(map, "a"), 1u);
    index_map_free(map);
    remove_dir();
}

static void test_unwritable(void)
{
    char dir[300], path[400], err[1024] = "", want[1024];
    CU_ASSERT_PTR_NOT_NULL_FATAL(make_dir());
    /* Tests may run as root, which writes through any mode bits: use a
     * directory that does not exist yet. */
    path_in_dir(dir, sizeof dir, "later");
    snprintf(path, sizeof path, "%s/group-index", dir);
    struct index_map *map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    CU_ASSERT_EQUAL(index_map_get(map, "a"), 1u);
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: cannot create a temporary file in %s: "
             "No such file or directory", path, dir);
    CU_ASSERT_STRING_EQUAL(err, want);
    /* Still works in memory, and the next flush tries again. */
    CU_ASSERT_EQUAL(index_map_get(map, "b"), 2u);
    CU_ASSERT_EQUAL(index_map_get(map, "a"), 1u);
    err[0] = '\0';
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL(mkdir(dir, 0700), 0);
    assert_flushed(map, path, HEADER "1 a\n2 b\n");
    index_map_free(map);
    remove_dir();
}

/* A symbolic link where the file or its old fixed temporary name
 * (PATH.tmp) would be: never followed, so what it points to (a root
 * file, for a daemon that once wrote as root) is neither read nor
 * written, and the refusal says why. */
static void test_links_never_followed(void)
{
    char path[300], tmp[300], victim[300], err[512] = "", want[700];
    group_index_file(path, sizeof path, NULL);
    path_in_dir(tmp, sizeof tmp, "group-index.tmp");
    path_in_dir(victim, sizeof victim, "shadow");
    CU_ASSERT_EQUAL(write_text(victim, "root:secret:1::::::\n"), 0);

    /* At the temporary name: the file is written beside it. */
    CU_ASSERT_EQUAL(symlink(victim, tmp), 0);
    struct index_map *map = index_map_open(path, NULL, err, sizeof err);
    UT_REQUIRE(map);
    CU_ASSERT_EQUAL(index_map_get(map, "tcp_local"), 1u);
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), 0);
    assert_file(victim, "root:secret:1::::::\n");
    assert_file(path, HEADER "1 tcp_local\n");
    struct stat st;
    CU_ASSERT_EQUAL(lstat(tmp, &st), 0);
    CU_ASSERT(S_ISLNK(st.st_mode));

    /* At the file itself, planted while mtamond runs: refused, not
     * replaced, and the next flush tries again. */
    CU_ASSERT_EQUAL(unlink(path), 0);
    CU_ASSERT_EQUAL(symlink(victim, path), 0);
    CU_ASSERT_EQUAL(index_map_get(map, "ims-ms"), 2u);
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: is a symbolic link: not replaced", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    assert_file(victim, "root:secret:1::::::\n");
    CU_ASSERT_EQUAL(lstat(path, &st), 0);
    CU_ASSERT(S_ISLNK(st.st_mode));
    index_map_free(map);

    /* At the file, at start: not read (its content would be quoted). */
    map = index_map_open(path, NULL, err, sizeof err);
    CU_ASSERT_PTR_NULL(map);
    index_map_free(map);
    snprintf(want, sizeof want, "%s: is a symbolic link: not read", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    remove_dir();
}

static void test_memory_only(void)
{
    char err[256] = "";
    struct pin_conf pc;
    pin_conf_init(&pc);
    pin(&pc, "pinned", 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(make_dir());
    ut_capture_stderr_start();
    struct index_map *map = index_map_open(NULL, &pc.conf, err, sizeof err);
    char *log = ut_capture_stderr_stop();
    UT_REQUIRE(map);
    CU_ASSERT_EQUAL(strcmp(strstr(log, "]: ") ? strstr(log, "]: ") : "",
                           "]: no group-index file: mtaGroupIndex values are "
                           "stable for the life of this process only\n"), 0);
    free(log);
    remove_dir();
    CU_ASSERT_EQUAL(index_map_get(map, "a"), 6u);
    CU_ASSERT_EQUAL(index_map_get(map, "pinned"), 5u);
    CU_ASSERT_EQUAL(index_map_get(map, "b"), 7u);
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), 0);
    CU_ASSERT_EQUAL(index_map_flush(map, err, sizeof err), 0);
    CU_ASSERT_EQUAL(index_map_get(map, "a"), 6u);
    index_map_free(map);
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"new names in order of first sight", test_first_sight_order},
        {"reload from the file", test_reload},
        {"hand-edited file", test_lenient_reading},
        {"pins win", test_pins_win},
        {"pin displaces a stored name", test_pin_displaces_stored_name},
        {"indexes are never reused", test_never_reuse},
        {"10,000 names, one write", test_many_names_one_write},
        {"malformed files", test_malformed},
        {"missing file is an empty map", test_missing_file_is_empty},
        {"unwritable file", test_unwritable},
        {"links are never followed", test_links_never_followed},
        {"memory only", test_memory_only},
        {NULL, NULL},
    };
    log_open("test_index_map", CONFIG_LOG_STDERR, 0, LOG_DEBUG);
    int rc = unit_main("index_map", tests);
    remove_dir();
    return rc;
}
