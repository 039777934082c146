/*
 * test_follow.c - the follower's line splitter and state file, and the
 * follower itself on real files with --once (rotation while stopped,
 * replaced file, incomplete last line, malformed state), and the first
 * checks of the journal's state file.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "follow.h"
#include "journal.h"
#include "unit_util.h"

/* ------------------------------------------------------------------------ */
/* Collecting lines                                                          */

#define MAX_LINES 64

struct lines {
    int n;
    size_t len[MAX_LINES];
    char text[MAX_LINES][128]; /* first bytes only */
};

static void collect(void *ctx, const char *line, size_t len)
{
    struct lines *l = ctx;
    if (l->n >= MAX_LINES)
        return;
    l->len[l->n] = len;
    memcpy(l->text[l->n], line, len < 127 ? len : 127);
    l->text[l->n][len < 127 ? len : 127] = '\0';
    l->n++;
}

static int line_is(const struct lines *l, int i, const char *want)
{
    return i < l->n && l->len[i] == strlen(want) && strcmp(l->text[i], want) == 0;
}

/* ------------------------------------------------------------------------ */
/* Splitter                                                                  */

static void test_split_basic(void)
{
    struct feed_splitter s;
    struct lines l = { 0 };
    CU_ASSERT_EQUAL_FATAL(feed_splitter_init(&s), 0);
    feed_splitter_push(&s, "a\nbb\n\nccc", 9, collect, &l);
    CU_ASSERT_EQUAL(l.n, 3);
    CU_ASSERT(line_is(&l, 0, "a"));
    CU_ASSERT(line_is(&l, 1, "bb"));
    CU_ASSERT(line_is(&l, 2, ""));
    CU_ASSERT_EQUAL(s.line_end, 6);
    CU_ASSERT_EQUAL(s.pushed, 9);
    CU_ASSERT_EQUAL(s.held, 3);
    /* The held line is completed by the next block. */
    feed_splitter_push(&s, "dd\ne", 4, collect, &l);
    CU_ASSERT_EQUAL(l.n, 4);
    CU_ASSERT(line_is(&l, 3, "cccdd"));
    CU_ASSERT_EQUAL(s.line_end, 12);
    /* At the end of input the incomplete line is given as it is. */
    feed_splitter_flush(&s, collect, &l);
    CU_ASSERT_EQUAL(l.n, 5);
    CU_ASSERT(line_is(&l, 4, "e"));
    CU_ASSERT_EQUAL(s.line_end, 13);
    feed_splitter_flush(&s, collect, &l);
    CU_ASSERT_EQUAL(l.n, 5);
    CU_ASSERT_EQUAL(s.too_long, 0);
    feed_splitter_free(&s);
}

static void test_split_byte_by_byte(void)
{
    static const char text[] = "hello\nworld\n\nlast";
    struct feed_splitter s;
    struct lines l = { 0 };
    CU_ASSERT_EQUAL_FATAL(feed_splitter_init(&s), 0);
    feed_splitter_reset(&s, 1000);
    for (size_t i = 0; i < sizeof text - 1; i++)
        feed_splitter_push(&s, text + i, 1, collect, &l);
    CU_ASSERT_EQUAL(l.n, 3);
    CU_ASSERT(line_is(&l, 0, "hello"));
    CU_ASSERT(line_is(&l, 1, "world"));
    CU_ASSERT(line_is(&l, 2, ""));
    CU_ASSERT_EQUAL(s.line_end, 1013);
    CU_ASSERT_EQUAL(s.pushed, 1017);
    feed_splitter_free(&s);
}

static void test_split_binary(void)
{
    static const char text[] = "a\0b\xff\xfe\r\n\x80\x01\n";
    struct feed_splitter s;
    struct lines l = { 0 };
    CU_ASSERT_EQUAL_FATAL(feed_splitter_init(&s), 0);
    feed_splitter_push(&s, text, sizeof text - 1, collect, &l);
    CU_ASSERT_EQUAL(l.n, 2);
    CU_ASSERT_EQUAL(l.len[0], 6);
    CU_ASSERT_EQUAL(memcmp(l.text[0], "a\0b\xff\xfe\r", 6), 0);
    CU_ASSERT_EQUAL(l.len[1], 2);
    feed_splitter_free(&s);
}

/* Push @p len bytes of @p c in blocks of @p block. */
static void push_run(struct feed_splitter *s, char c, size_t len, size_t block,
                     struct lines *l)
{
    char *buf = malloc(block);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    if (!buf)
        return;
    memset(buf, c, block);
    while (len) {
        size_t n = len < block ? len : block;
        feed_splitter_push(s, buf, n, collect, l);
        len -= n;
    }
    free(buf);
}

static void test_split_too_long(void)
{
    struct feed_splitter s;
    struct lines l = { 0 };
    CU_ASSERT_EQUAL_FATAL(feed_splitter_init(&s), 0);
    /* Exactly FEED_LINE_MAX is allowed, in pieces. */
    push_run(&s, 'x', FEED_LINE_MAX, 4096, &l);
    feed_splitter_push(&s, "\n", 1, collect, &l);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT_EQUAL(l.len[0], FEED_LINE_MAX);
    /* One more byte is too long, held or not; 1 MB is never buffered. */
    push_run(&s, 'y', FEED_LINE_MAX + 1, 7000, &l);
    feed_splitter_push(&s, "\nok\n", 4, collect, &l);
    push_run(&s, 'z', 1024 * 1024, 65536, &l);
    feed_splitter_push(&s, "\nok2\n", 5, collect, &l);
    CU_ASSERT_EQUAL(s.too_long, 2);
    CU_ASSERT_EQUAL(l.n, 3);
    CU_ASSERT(line_is(&l, 1, "ok"));
    CU_ASSERT(line_is(&l, 2, "ok2"));
    /* A too-long line in a single block, followed by more lines. */
    char *big = malloc(FEED_LINE_MAX + 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    if (!big)
        return;
    memset(big, 'w', FEED_LINE_MAX + 10);
    big[FEED_LINE_MAX + 5] = '\n';
    memcpy(big + FEED_LINE_MAX + 6, "abc\n", 4);
    feed_splitter_push(&s, big, FEED_LINE_MAX + 10, collect, &l);
    CU_ASSERT_EQUAL(s.too_long, 3);
    CU_ASSERT_EQUAL(l.n, 4);
    CU_ASSERT(line_is(&l, 3, "abc"));
    /* Held part plus the rest exceeding the limit at its '\n'. */
    push_run(&s, 'v', FEED_LINE_MAX - 10, 65536, &l);
    memset(big, 'v', 20);
    big[20] = '\n';
    feed_splitter_push(&s, big, 21, collect, &l);
    CU_ASSERT_EQUAL(s.too_long, 4);
    CU_ASSERT_EQUAL(l.n, 4);
    CU_ASSERT_EQUAL(s.line_end, s.pushed);
    /* A too-long unfinished line at the end of input is not given. */
    push_run(&s, 'u', FEED_LINE_MAX + 1, 65536, &l);
    feed_splitter_flush(&s, collect, &l);
    CU_ASSERT_EQUAL(s.too_long, 5);
    CU_ASSERT_EQUAL(l.n, 4);
    free(big);
    feed_splitter_free(&s);
}

/* ------------------------------------------------------------------------ */
/* State file                                                                */

static const char good_state[] =
    "mtamon-feed-state 1\ndevice 2049\ninode 131\noffset 300\n"
    "taillen 256\ntailhash 0123456789abcdef\n";

static void test_state_roundtrip(void)
{
    struct feed_state st;
    char why[160] = "";
    CU_ASSERT_EQUAL_FATAL(feed_state_parse(good_state, sizeof good_state - 1, &st,
                                           why, sizeof why), 0);
    CU_ASSERT_EQUAL(st.device, 2049);
    CU_ASSERT_EQUAL(st.inode, 131);
    CU_ASSERT_EQUAL(st.offset, 300);
    CU_ASSERT_EQUAL(st.tail_len, 256);
    CU_ASSERT_EQUAL(st.tail_hash, UINT64_C(0x0123456789abcdef));
    char buf[256];
    int n = feed_state_format(&st, buf, sizeof buf);
    CU_ASSERT_EQUAL(n, (int)sizeof good_state - 1);
    CU_ASSERT_STRING_EQUAL(buf, good_state);
    CU_ASSERT_EQUAL(feed_state_format(&st, buf, 20), -1);

    struct feed_state big = { UINT64_MAX, UINT64_MAX, 5, 5, UINT64_MAX };
    CU_ASSERT(feed_state_format(&big, buf, sizeof buf) > 0);
    struct feed_state back;
    CU_ASSERT_EQUAL(feed_state_parse(buf, strlen(buf), &back, why, sizeof why), 0);
    CU_ASSERT_EQUAL(back.device, UINT64_MAX);
    CU_ASSERT_EQUAL(back.tail_hash, UINT64_MAX);
    CU_ASSERT_EQUAL(back.tail_len, 5);
}

static void test_state_malformed(void)
{
    static const struct {
        const char *text;
        const char *why;
    } cases[] = {
        { "", "empty" },
        { "hello\n", "line 1" },
        { "mtamon-feed-state 1", "line 1" },
        { "mtamon-feed-state 2\n", "unsupported version" },
        { "mtamon-feed-state 1\n", "line 2: missing 'device'" },
        { "mtamon-feed-state 1\ninode 1\n", "line 2: expected 'device N'" },
        { "mtamon-feed-state 1\ndevice\n", "line 2: expected 'device N'" },
        { "mtamon-feed-state 1\ndevice -1\n", "device is not a decimal" },
        { "mtamon-feed-state 1\ndevice 1x\n", "device is not a decimal" },
        { "mtamon-feed-state 1\ndevice 18446744073709551616\n", "device is not a decimal" },
        { "mtamon-feed-state 1\ndevice  1\n", "device is not a decimal" },
        { "mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 3\n", "missing 'tailhash'" },
        { "mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 3\ntailhash 12\n",
          "16 hexadecimal" },
        { "mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 3\n"
          "tailhash 0123456789abcdeg\n", "16 hexadecimal" },
        { "mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 3\n"
          "tailhash 0123456789abcdef", "no final newline" },
        { "mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 3\n"
          "tailhash 0123456789abcdef\nextra 1\n", "after the last field" },
        { "mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 4\n"
          "tailhash 0123456789abcdef\n", "taillen 4 does not match" },
        { "mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3000\ntaillen 3000\n"
          "tailhash 0123456789abcdef\n", "taillen 3000 does not match" },
        { "mtamon-feed-state 1\ndevice 1\ninode 2\noffset 18446744073709551615\n"
          "taillen 256\ntailhash 0123456789abcdef\n", "offset too large" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct feed_state st;
        char why[160] = "";
        int rc = feed_state_parse(cases[i].text, strlen(cases[i].text), &st, why, sizeof why);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(why, cases[i].why));
        if (rc != -1 || !strstr(why, cases[i].why))
            fprintf(stderr, "\n    case %zu: rc %d, why '%s', want '%s'\n", i, rc, why,
                    cases[i].why);
    }
    /* A NUL byte anywhere. */
    char nul[sizeof good_state];
    memcpy(nul, good_state, sizeof good_state);
    nul[30] = '\0';
    struct feed_state st;
    char why[160] = "";
    CU_ASSERT_EQUAL(feed_state_parse(nul, sizeof good_state - 1, &st, why, sizeof why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "NUL"));
}

/* The journal's state file passes the same first checks (empty, NUL). */
static void test_journal_state_malformed(void)
{
    static const char good[] = "mtamon-feed-journal-state 1\ncursor s=1;i=2\n";
    char cursor[FEED_JOURNAL_CURSOR_MAX + 1];
    char why[160] = "";
    CU_ASSERT_EQUAL(feed_journal_state_parse(good, sizeof good - 1, cursor, why, sizeof why), 0);
    CU_ASSERT_STRING_EQUAL(cursor, "s=1;i=2");
    CU_ASSERT_EQUAL(feed_journal_state_parse(good, 0, cursor, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "empty");
    char nul[sizeof good];
    memcpy(nul, good, sizeof good);
    nul[35] = '\0';
    CU_ASSERT_EQUAL(feed_journal_state_parse(nul, sizeof good - 1, cursor, why, sizeof why), -1);
    CU_ASSERT_STRING_EQUAL(why, "contains a NUL byte");
}

/* A private temporary directory for the file tests. */
static char tmpdir[64];

static void path_in(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *text, size_t len, const char *mode)
{
    FILE *f = fopen(path, mode);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    if (!f)
        return;
    CU_ASSERT_EQUAL(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void test_state_load_save(void)
{
    char path[128], tmp[160], err[512] = "";
    struct feed_state st;
    path_in(path, sizeof path, "state");
    CU_ASSERT_EQUAL(feed_state_load(path, &st, err, sizeof err), FEED_STATE_ABSENT);

    struct feed_state want = { 1, 2, 3, 3, 0xfeed };
    CU_ASSERT_EQUAL(feed_state_save(path, &want, err, sizeof err), 0);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
    CU_ASSERT_EQUAL(feed_state_load(path, &st, err, sizeof err), FEED_STATE_LOADED);
    CU_ASSERT_EQUAL(st.inode, 2);
    CU_ASSERT_EQUAL(st.offset, 3);
    CU_ASSERT_EQUAL(st.tail_hash, 0xfeed);

    write_file(path, "junk\n", 5, "w");
    CU_ASSERT_EQUAL(feed_state_load(path, &st, err, sizeof err), FEED_STATE_MALFORMED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "malformed"));

    char *big = malloc(10000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    if (!big)
        return;
    memset(big, 'a', 10000);
    write_file(path, big, 10000, "w");
    free(big);
    CU_ASSERT_EQUAL(feed_state_load(path, &st, err, sizeof err), FEED_STATE_MALFORMED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "larger than"));

    CU_ASSERT_EQUAL(feed_state_load(tmpdir, &st, err, sizeof err), FEED_STATE_MALFORMED);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));

    char nodir[160];
    path_in(nodir, sizeof nodir, "no/such/dir/state");
    CU_ASSERT_EQUAL(feed_state_save(nodir, &want, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot create"));
    unlink(path);

    /* Whatever is at the old fixed name PATH.tmp (another feed's file
     * being written, a symbolic link) is left alone: the temporary file is
     * a new one of its own. */
    char victim[160];
    path_in(victim, sizeof victim, "victim");
    write_file(victim, "precious\n", 9, "w");
    CU_ASSERT_EQUAL(symlink(victim, tmp), 0);
    CU_ASSERT_EQUAL(feed_state_save(path, &want, err, sizeof err), 0);
    char v[32] = "";
    FILE *vf = fopen(victim, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(vf);
    size_t vn = vf ? fread(v, 1, sizeof v - 1, vf) : 0;
    if (vf)
        fclose(vf);
    CU_ASSERT_EQUAL(vn, 9);
    CU_ASSERT_STRING_EQUAL(v, "precious\n");
    struct stat sb;
    CU_ASSERT_EQUAL(lstat(path, &sb), 0);
    CU_ASSERT(S_ISREG(sb.st_mode));
    CU_ASSERT_EQUAL(feed_state_load(path, &st, err, sizeof err), FEED_STATE_LOADED);
    CU_ASSERT_EQUAL(st.tail_hash, 0xfeed);
    unlink(tmp);
    /* A link at the state file itself is refused and left as it is: the
     * feed does not silently replace what someone put there. */
    unlink(path);
    CU_ASSERT_EQUAL(symlink(victim, path), 0);
    CU_ASSERT_EQUAL(feed_state_save(path, &want, err, sizeof err), -1);
    char want_err[400];
    snprintf(want_err, sizeof want_err,
             "state file %s: is a symbolic link: not replaced", path);
    CU_ASSERT_STRING_EQUAL(err, want_err);
    CU_ASSERT_EQUAL(lstat(path, &sb), 0);
    CU_ASSERT(S_ISLNK(sb.st_mode));
    vf = fopen(victim, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(vf);
    vn = vf ? fread(v, 1, sizeof v - 1, vf) : 0;
    if (vf)
        fclose(vf);
    CU_ASSERT_EQUAL(vn, 9);
    unlink(victim);
    unlink(path);
    /* No temporary file is left behind. */
    DIR *d = opendir(tmpdir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    const struct dirent *e;
    int left = 0;
    while (d && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "state.tmp", 9) == 0)
            left++;
    if (d)
        closedir(d);
    CU_ASSERT_EQUAL(left, 0);
}

/* ------------------------------------------------------------------------ */
/* The follower on files, with --once                                        */

/* Run a --once follower over @p log with @p state; the lines it reads
 * into @p l, emptied first. */
static int follow_once(const char *log, const char *state, int from_start,
                       struct lines *l, struct feed_follow_stats *stats)
{
    memset(l, 0, sizeof *l);
    struct feed_follow_opts opts = {
        .path = log, .state_path = state, .from_start = from_start, .once = 1,
    };
    struct feed_follower *f = NULL;
    char err[768] = "";
    int rc = feed_follower_open(&opts, &f, err, sizeof err);
    if (rc != EX_OK)
        return rc;
    struct feed_follow_hooks hooks = { .line = collect, .ctx = l };
    ut_capture_stderr_start();
    rc = feed_follower_run(f, &hooks, err, sizeof err);
    free(ut_capture_stderr_stop());
    if (stats)
        *stats = *feed_follower_stats(f);
    feed_follower_close(f);
    return rc;
}

static void test_follow_resume(void)
{
    char log[128], state[128];
    path_in(log, sizeof log, "resume.log");
    path_in(state, sizeof state, "resume.state");
    write_file(log, "one\ntwo\nthr", 11, "w");

    struct lines l = { 0 };
    struct feed_follow_stats st;
    /* Without --from-start and state, start at the last line's start; with
     * a state file --once leaves the incomplete last line "thr" unread. */
    CU_ASSERT_EQUAL(follow_once(log, state, 0, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 0);
    /* Without a state file (an import) it is given as it is. */
    CU_ASSERT_EQUAL(follow_once(log, NULL, 0, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT(line_is(&l, 0, "thr"));

    unlink(state);
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 2);
    CU_ASSERT(line_is(&l, 1, "two"));
    CU_ASSERT_EQUAL(st.lines, 2);

    /* The line being written is completed: read whole, once, not as "thr"
     * and "four" (a record cut in two, neither half counted right). */
    write_file(log, "four\nfive\n", 10, "a");
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 2);
    CU_ASSERT(line_is(&l, 0, "thrfour"));
    CU_ASSERT(line_is(&l, 1, "five"));
    CU_ASSERT_EQUAL(st.truncations, 0);

    /* Nothing new: nothing read. */
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 0);

    /* Same inode, other bytes before the offset: replaced, read from 0. */
    int fd = open(log, O_WRONLY);
    CU_ASSERT(fd >= 0);
    CU_ASSERT_EQUAL(pwrite(fd, "FIVE", 4, 16), 4);
    close(fd);
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 4);
    CU_ASSERT(line_is(&l, 2, "thrfour"));
    CU_ASSERT(line_is(&l, 3, "FIVE"));
    CU_ASSERT_EQUAL(st.truncations, 1);

    /* Shorter than the offset: truncated, read from 0. */
    write_file(log, "six\n", 4, "w");
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT(line_is(&l, 0, "six"));
    CU_ASSERT_EQUAL(st.truncations, 1);
    unlink(log);
    unlink(state);
}

static void test_follow_rotated_while_stopped(void)
{
    char log[128], old[128], state[128];
    path_in(log, sizeof log, "rot.log");
    path_in(old, sizeof old, "rot.log-20240501");
    path_in(state, sizeof state, "rot.state");
    write_file(log, "a1\na2\n", 6, "w");
    struct lines l = { 0 };
    struct feed_follow_stats st;
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 2);

    /* While stopped: more lines, rotated by rename, a new file. */
    write_file(log, "a3\n", 3, "a");
    CU_ASSERT_EQUAL(rename(log, old), 0);
    write_file(log, "b1\nb2\n", 6, "w");
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 3);
    CU_ASSERT(line_is(&l, 0, "a3"));
    CU_ASSERT(line_is(&l, 1, "b1"));
    CU_ASSERT(line_is(&l, 2, "b2"));
    CU_ASSERT_EQUAL(st.rotations, 1);

    /* The state now names the new file. */
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT_EQUAL(st.rotations, 0);

    /* Rotated and the old file removed: the new file from 0. */
    CU_ASSERT_EQUAL(rename(log, old), 0);
    unlink(old);
    write_file(log, "c1\n", 3, "w");
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, &st), EX_OK);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT(line_is(&l, 0, "c1"));
    /* The new file may reuse the removed one's inode number: then it is
     * seen as that file truncated.  Either way it is read from 0. */
    CU_ASSERT_EQUAL(st.rotations + st.truncations, 1);
    unlink(log);
    unlink(state);
}

static void test_follow_errors(void)
{
    char log[128], state[128];
    path_in(log, sizeof log, "err.log");
    path_in(state, sizeof state, "err.state");
    struct lines l = { 0 };
    CU_ASSERT_EQUAL(follow_once(log, NULL, 1, &l, NULL), EX_NOINPUT);
    write_file(log, "x\n", 2, "w");
    write_file(state, "mtamon-feed-state 1\ndevice 1\n", 29, "w");
    CU_ASSERT_EQUAL(follow_once(log, state, 1, &l, NULL), EX_DATAERR);
    CU_ASSERT_EQUAL(l.n, 0);

    struct feed_follow_opts opts = { .path = "-", .state_path = state };
    struct feed_follower *f = NULL;
    char err[768] = "";
    CU_ASSERT_EQUAL(feed_follower_open(&opts, &f, err, sizeof err), EX_USAGE);
    CU_ASSERT_PTR_NULL(f);

    /* One feed per state file: a second one is refused while the first
     * is open (both would save, and resume from, the same place). */
    unlink(state);
    struct feed_follow_opts fo = { .path = log, .state_path = state, .once = 1 };
    struct feed_follower *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL(feed_follower_open(&fo, &a, err, sizeof err), EX_OK);
    CU_ASSERT_EQUAL(feed_follower_open(&fo, &b, err, sizeof err), EX_CANTCREAT);
    CU_ASSERT_PTR_NULL(b);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "in use"));
    feed_follower_close(a);
    CU_ASSERT_EQUAL(feed_follower_open(&fo, &b, err, sizeof err), EX_OK);
    feed_follower_close(b);
    char lock[160];
    snprintf(lock, sizeof lock, "%s.lock", state);
    unlink(lock);
    unlink(log);
    unlink(state);
}

static int setup_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mtamon-ut-follow.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

int main(void)
{
    static const struct unit_test tests[] = {
        { "split: lines, held line, flush", test_split_basic },
        { "split: byte by byte, offsets", test_split_byte_by_byte },
        { "split: binary bytes pass as they are", test_split_binary },
        { "split: too-long lines skipped, never buffered", test_split_too_long },
        { "state: format and parse", test_state_roundtrip },
        { "state: every malformation refused", test_state_malformed },
        { "state: load and atomic save", test_state_load_save },
        { "journal state: empty, NUL byte refused", test_journal_state_malformed },
        { "follow: resume, replaced, truncated", test_follow_resume },
        { "follow: rotated while stopped, found by inode", test_follow_rotated_while_stopped },
        { "follow: missing file, malformed state, stdin + state", test_follow_errors },
        { NULL, NULL },
    };
    if (setup_tmpdir() != 0) {
        perror("mkdtemp");
        return 1;
    }
    int rc = unit_main("follow", tests);
    rmdir(tmpdir);
    return rc;
}
