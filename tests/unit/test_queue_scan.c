/*
 * test_queue_scan.c - the queue scanner on trees built in a temporary
 * directory: a Sun queue with subdirectories, glob and depth limits; a
 * Postfix spool with hand-built queue files in the real record format
 * (hashed subdirectories, deferred mtimes in the future, maildrop, files
 * that are not messages); generic trees; missing and unreadable
 * directories; the postqueue -j fallback through scripts standing in for
 * postqueue; the JSON Lines parser and the queue-file reader on bytes; and
 * 20,000 files in flat memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_util.h"

#include "postfix_qfile.h"
#include "postqueue.h"
#include "queue_scan.h"

static char root[128];
static int64_t now_s;

/* ------------------------------------------------------------------------ */
/* Trees                                                                     */

static void make_root(void)
{
    snprintf(root, sizeof root, "/tmp/mtamon-ut-queue-%ld-XXXXXX", (long)getpid());
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
    now_s = ut_now_ms() / 1000;
}

static int unlink_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Make every directory searchable again, so the tree can be removed. */
static int chmod_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_D || flag == FTW_DNR)
        chmod(path, 0700);
    return 0;
}

static void remove_root(void)
{
    chmod(root, 0700);
    nftw(root, chmod_cb, 16, FTW_PHYS);
    nftw(root, unlink_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *at(const char *rel)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", root, rel);
    return p;
}

static void mkdirs(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0700);
            *p = '/';
        }
    }
    CU_ASSERT(mkdir(path, 0700) == 0 || errno == EEXIST);
}

static void set_mtime(const char *path, int64_t mtime_s)
{
    struct timespec ts[2] = {{(time_t)mtime_s, 0}, {(time_t)mtime_s, 0}};
    CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* A file of @p len bytes at @p rel, mode @p mode, mtime @p mtime_s. */
static void put_bytes(const char *rel, const void *data, size_t len, mode_t mode,
                      int64_t mtime_s)
{
    const char *path = at(rel);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, data, len), (ssize_t)len);
    close(fd);
    CU_ASSERT_EQUAL(chmod(path, mode), 0);
    set_mtime(path, mtime_s);
}

static void put_file(const char *rel, size_t size, int64_t mtime_s)
{
    static char zeros[4096];
    CU_ASSERT_FATAL(size <= sizeof zeros);
    put_bytes(rel, zeros, size, 0644, mtime_s);
}

static struct config_queue queue(const char *name, enum config_queue_kind kind,
                                 const char *path, const char *glob, unsigned depth)
{
    struct config_queue q;
    memset(&q, 0, sizeof q);
    q.name = (char *)name;
    q.kind = kind;
    q.path = (char *)path;
    q.glob = (char *)glob;
    q.depth = depth;
    q.interval_s = 60;
    q.postqueue = (char *)"";
    q.postfix_config = (char *)"";
    return q;
}

#define ASSERT_ROW(r, n, vol, old_s, old_id)                                  \
    do {                                                                    \
        CU_ASSERT_EQUAL((r).status, QUEUE_SCAN_OK);                         \
        CU_ASSERT_EQUAL((r).messages, (uint64_t)(n));                       \
        CU_ASSERT_EQUAL((r).volume, (uint64_t)(vol));                       \
        CU_ASSERT_EQUAL((r).oldest_ms, (int64_t)(old_s) * 1000);            \
        CU_ASSERT_STRING_EQUAL((r).oldest_id, (old_id));                    \
        if ((r).messages != (uint64_t)(n) || strcmp((r).oldest_id, (old_id)) != 0) \
            fprintf(stderr, "\n    %s: %llu messages, %llu octets, oldest %s (%s)\n", \
                    (r).name, (unsigned long long)(r).messages,             \
                    (unsigned long long)(r).volume, (r).oldest_id, (r).error); \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Sun directory queues, generic trees                                       */

static void sun_tree(void)
{
    mkdirs("q/sub1/sub2/sub3");
    put_file("q/ZZa.00", 100, now_s - 3600);
    put_file("q/ZZb.00", 200, now_s - 7200);
    put_file("q/notes.txt", 50, now_s - 99999);
    put_file("q/.ZZhidden", 10, now_s - 99999);
    put_file("q/sub1/ZZc.00", 300, now_s - 10000);
    put_file("q/sub1/sub2/ZZd.00", 400, now_s - 20000);
    put_file("q/sub1/sub2/sub3/ZZe.00", 500, now_s - 30000);
    /* Neither followed nor counted: links to a file and to a directory,
     * and a dangling one, all matching the glob. */
    CU_ASSERT_EQUAL(symlink("ZZa.00", at("q/ZZlink.00")), 0);
    CU_ASSERT_EQUAL(symlink("sub1", at("q/ZZdirlink")), 0);
    CU_ASSERT_EQUAL(symlink("gone", at("q/ZZdangling.00")), 0);
    CU_ASSERT_EQUAL(mkfifo(at("q/ZZfifo.00"), 0600), 0);
}

static void test_directory_glob_depth(void)
{
    make_root();
    sun_tree();
    struct queue_scan_stats r[QUEUE_SCAN_ROWS_MAX];
    struct config_queue q = queue("tcp_local", CONFIG_QUEUE_DIRECTORY, at("q"), "ZZ*", 0);
    CU_ASSERT_EQUAL(queue_scan_rows(&q), 1);

    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 2, 300, now_s - 7200, "ZZb.00");
    CU_ASSERT_STRING_EQUAL(r[0].name, "tcp_local");
    CU_ASSERT_EQUAL(r[0].kind, CONFIG_QUEUE_DIRECTORY);
    CU_ASSERT_EQUAL(r[0].source, QUEUE_SCAN_TREE);
    CU_ASSERT_EQUAL(r[0].next_retry_ms, 0);
    CU_ASSERT_EQUAL(r[0].unreadable, 0);
    CU_ASSERT_STRING_EQUAL(r[0].error, "");
    CU_ASSERT(r[0].scanned_ms >= now_s * 1000 && r[0].scanned_ms <= ut_now_ms());

    q.depth = 1;
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 3, 600, now_s - 10000, "ZZc.00");
    q.depth = 2;
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 4, 1000, now_s - 20000, "ZZd.00");
    q.depth = 3;
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 5, 1500, now_s - 30000, "ZZe.00");
    q.depth = 1000; /* counts as QUEUE_SCAN_DEPTH_MAX */
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 5, 1500, now_s - 30000, "ZZe.00");

    /* "*" as the shell: not the dot file; a glob for one subtree's names. */
    q = queue("any", CONFIG_QUEUE_GENERIC, at("q"), "*", 16);
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 6, 1550, now_s - 99999, "notes.txt");
    q.glob = (char *)".*";
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 1, 10, now_s - 99999, ".ZZhidden");
    q.glob = (char *)"*.00";
    q.depth = 0;
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 2, 300, now_s - 7200, "ZZb.00");
    remove_root();
}

/* Equal arrival times: the smaller id is the oldest, whatever the order. */
static void test_oldest_tie(void)
{
    make_root();
    mkdirs("q");
    put_file("q/ZZm.00", 1, now_s - 60);
    put_file("q/ZZb.00", 1, now_s - 60);
    put_file("q/ZZz.00", 1, now_s - 60);
    struct queue_scan_stats r[1];
    struct config_queue q = queue("t", CONFIG_QUEUE_DIRECTORY, at("q"), "*", 2);
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 3, 3, now_s - 60, "ZZb.00");
    remove_root();
}

static void test_empty_and_missing(void)
{
    make_root();
    mkdirs("empty");
    struct queue_scan_stats r[1];
    struct config_queue q = queue("e", CONFIG_QUEUE_DIRECTORY, at("empty"), "*", 2);
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    CU_ASSERT_EQUAL(r[0].status, QUEUE_SCAN_OK);
    CU_ASSERT_EQUAL(r[0].messages, 0);
    CU_ASSERT_EQUAL(r[0].oldest_ms, 0);
    CU_ASSERT_STRING_EQUAL(r[0].oldest_id, "");

    char want[600];
    q.path = (char *)at("missing");
    CU_ASSERT_EQUAL(queue_scan(&q, r), -1);
    CU_ASSERT_EQUAL(r[0].status, QUEUE_SCAN_UNAVAILABLE);
    snprintf(want, sizeof want, "%s: No such file or directory", q.path);
    CU_ASSERT_STRING_EQUAL(r[0].error, want);
    CU_ASSERT_STRING_EQUAL(r[0].name, "e");
    CU_ASSERT_EQUAL(r[0].messages, 0);

    put_file("plain", 1, now_s);
    q.path = (char *)at("plain");
    CU_ASSERT_EQUAL(queue_scan(&q, r), -1);
    snprintf(want, sizeof want, "%s: Not a directory", q.path);
    CU_ASSERT_STRING_EQUAL(r[0].error, want);

    /* A postfix queue: every row unavailable, with the same reason. */
    q = queue("pf", CONFIG_QUEUE_POSTFIX, at("missing"), NULL, 0);
    struct queue_scan_stats rows[QUEUE_SCAN_POSTFIX_ROWS];
    CU_ASSERT_EQUAL(queue_scan_rows(&q), QUEUE_SCAN_POSTFIX_ROWS);
    CU_ASSERT_EQUAL(queue_scan(&q, rows), -1);
    snprintf(want, sizeof want, "%s: No such file or directory", q.path);
    for (int i = 0; i < QUEUE_SCAN_POSTFIX_ROWS; i++) {
        CU_ASSERT_EQUAL(rows[i].status, QUEUE_SCAN_UNAVAILABLE);
        CU_ASSERT_STRING_EQUAL(rows[i].error, want);
    }
    CU_ASSERT_STRING_EQUAL(rows[4].name, "pf/deferred");
    remove_root();
}

static void test_unreadable(void)
{
    if (geteuid() == 0) {
        fprintf(stderr, "\n    skipped: root reads every directory\n");
        return;
    }
    make_root();
    sun_tree();
    struct queue_scan_stats r[1];
    char want[600];

    /* A subdirectory: the rest is counted, the skip is told. */
    CU_ASSERT_EQUAL(chmod(at("q/sub1/sub2"), 0), 0);
    struct config_queue q = queue("t", CONFIG_QUEUE_DIRECTORY, at("q"), "ZZ*", 3);
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    ASSERT_ROW(r[0], 3, 600, now_s - 10000, "ZZc.00");
    CU_ASSERT_EQUAL(r[0].unreadable, 1);
    snprintf(want, sizeof want, "cannot read %s: Permission denied", at("q/sub1/sub2"));
    CU_ASSERT_STRING_EQUAL(r[0].error, want);
    /* ...not when it lies below the depth searched. */
    q.depth = 1;
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    CU_ASSERT_EQUAL(r[0].unreadable, 0);
    CU_ASSERT_STRING_EQUAL(r[0].error, "");

    /* The top: the scan fails. */
    CU_ASSERT_EQUAL(chmod(at("q"), 0), 0);
    CU_ASSERT_EQUAL(queue_scan(&q, r), -1);
    CU_ASSERT_EQUAL(r[0].status, QUEUE_SCAN_UNAVAILABLE);
    snprintf(want, sizeof want, "cannot read %s: Permission denied", at("q"));
    CU_ASSERT_STRING_EQUAL(r[0].error, want);
    remove_root();
}

/* ------------------------------------------------------------------------ */
/* Postfix                                                                   */

/* Append a record to @p buf at *@p len: type, base-128 length, data. */
static void rec(unsigned char *buf, size_t *len, int type, const char *data, size_t n)
{
    buf[(*len)++] = (unsigned char)type;
    size_t l = n;
    do {
        unsigned char b = l & 0x7f;
        l >>= 7;
        buf[(*len)++] = (unsigned char)(b | (l ? 0x80 : 0));
    } while (l);
    memcpy(buf + *len, data, n);
    *len += n;
}

static void rec_s(unsigned char *buf, size_t *len, int type, const char *text)
{
    rec(buf, len, type, text, strlen(text));
}

/* The size record cleanup writes: six numbers of width 15. */
static void size_rec(unsigned char *buf, size_t *len, long content)
{
    char text[128];
    snprintf(text, sizeof text, "%15ld %15ld %15d %15d %15ld %15d", content, 200L,
             1, 0, content, 0);
    rec_s(buf, len, 'C', text);
}

static void time_rec(unsigned char *buf, size_t *len, int64_t s)
{
    char text[64];
    snprintf(text, sizeof text, "%lld %d", (long long)s, 123456);
    rec_s(buf, len, 'T', text);
}

/* The rest of a queue file: sender, attributes, recipient, content, end. */
static void tail_recs(unsigned char *buf, size_t *len)
{
    rec_s(buf, len, 'S', "alice@example.org");
    rec_s(buf, len, 'A', "rewrite_context=local");
    rec_s(buf, len, 'R', "bob@example.net");
    rec_s(buf, len, 'M', "");
    rec_s(buf, len, 'N', "Subject: hello");
    rec_s(buf, len, 'N', "");
    rec_s(buf, len, 'N', "hi");
    rec_s(buf, len, 'X', "");
    rec_s(buf, len, 'E', "");
}

/* A queue file as cleanup writes it. */
static size_t std_qfile(unsigned char *buf, long content, int64_t arrival_s)
{
    size_t len = 0;
    size_rec(buf, &len, content);
    time_rec(buf, &len, arrival_s);
    rec_s(buf, &len, 'F', "Alice");
    tail_recs(buf, &len);
    return len;
}

static void put_qfile(const char *rel, long content, int64_t arrival_s, int64_t mtime_s)
{
    unsigned char buf[1024];
    size_t len = std_qfile(buf, content, arrival_s);
    put_bytes(rel, buf, len, 0700, mtime_s);
}

/* Expected figures of the spool below. */
static size_t maildrop_size;

static void postfix_spool(void)
{
    unsigned char buf[2048];
    size_t len;
    mkdirs("pf/maildrop");
    mkdirs("pf/incoming/3");
    mkdirs("pf/active/B");
    mkdirs("pf/deferred/A");
    mkdirs("pf/deferred/B/C");
    mkdirs("pf/hold");
    mkdirs("pf/corrupt");
    mkdirs("pf/deferred/notahashdir");

    put_qfile("pf/incoming/3/4Xin1", 1000, 1700000000, now_s - 5);
    /* Still being written (mode 0600): not a message yet. */
    len = std_qfile(buf, 1, 1);
    put_bytes("pf/incoming/3/4Xin2", buf, len, 0600, now_s);

    /* A malformed size record, then a valid one: showq takes the valid. */
    len = 0;
    rec_s(buf, &len, 'C', "12x");
    rec_s(buf, &len, 'C', "            777             100               1");
    time_rec(buf, &len, 1700000100);
    tail_recs(buf, &len);
    put_bytes("pf/active/B/4Xact1", buf, len, 0700, now_s);
    /* Cut before its sender record: not a message. */
    CU_ASSERT(std_qfile(buf, 5, 1) > 20);
    put_bytes("pf/active/B/4Xact2", buf, 20, 0700, now_s);
    /* A time record reached through a pointer, padding skipped; the mtime
     * (arrival of none) would say otherwise. */
    len = 0;
    size_rec(buf, &len, 4242);
    size_t ptr_at = len;
    char zero15[16];
    snprintf(zero15, sizeof zero15, "%15d", 0);
    rec_s(buf, &len, 'p', zero15); /* its offset is patched below */
    rec_s(buf, &len, 'w', "padding padding padding");
    rec_s(buf, &len, 'T', "1111111111 0"); /* skipped over */
    char target[32];
    snprintf(target, sizeof target, "%15zu", len);
    memcpy(buf + ptr_at + 2, target, 15);
    rec_s(buf, &len, 'w', "more padding");
    time_rec(buf, &len, 1700000200);
    tail_recs(buf, &len);
    put_bytes("pf/active/4Xact3", buf, len, 0700, now_s - 1);

    /* Deferred: arrival in the records, next retry in the future mtime. */
    put_qfile("pf/deferred/A/4Xdef1", 2000, 1600000000, now_s + 600);
    put_qfile("pf/deferred/B/4Xdef2", 3000, 1650000000, now_s + 300);
    put_qfile("pf/deferred/B/C/4Xdef3", 4000, 1650000001, now_s + 900);
    put_qfile("pf/deferred/notahashdir/4Xdef4", 1, 1, now_s); /* not walked */
    put_qfile("pf/deferred/B/not-an-id", 1, 1, now_s);        /* not a queue id */
    put_qfile("pf/corrupt/4Xcor1", 1, 1, now_s);              /* no such row */

    /* Hold: no time record, so the file's mtime. */
    len = 0;
    size_rec(buf, &len, 500);
    tail_recs(buf, &len);
    put_bytes("pf/hold/4Xhold1", buf, len, 0700, now_s - 86400);

    /* Maildrop: its preliminary size record is ignored: the file's size. */
    len = 0;
    size_rec(buf, &len, 99999);
    time_rec(buf, &len, 1690000000);
    tail_recs(buf, &len);
    maildrop_size = len;
    put_bytes("pf/maildrop/4Xdrop1", buf, len, 0700, now_s);
}

static void test_postfix(void)
{
    make_root();
    postfix_spool();
    struct queue_scan_stats r[QUEUE_SCAN_POSTFIX_ROWS];
    struct config_queue q = queue("pf", CONFIG_QUEUE_POSTFIX, at("pf"), NULL, 0);
    q.postqueue = (char *)"/nonexistent/postqueue"; /* not needed */
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);

    static const char *const names[] = {"pf", "pf/maildrop", "pf/incoming",
                                        "pf/active", "pf/deferred", "pf/hold"};
    for (int i = 0; i < QUEUE_SCAN_POSTFIX_ROWS; i++) {
        CU_ASSERT_STRING_EQUAL(r[i].name, names[i]);
        CU_ASSERT_EQUAL(r[i].kind, CONFIG_QUEUE_POSTFIX);
        CU_ASSERT_EQUAL(r[i].source, QUEUE_SCAN_TREE);
        CU_ASSERT_EQUAL(r[i].unreadable, 0);
        CU_ASSERT_STRING_EQUAL(r[i].error, "");
    }
    ASSERT_ROW(r[1], 1, maildrop_size, 1690000000, "4Xdrop1");
    ASSERT_ROW(r[2], 1, 1000, 1700000000, "4Xin1");
    ASSERT_ROW(r[3], 2, 777 + 4242, 1700000100, "4Xact1");
    ASSERT_ROW(r[4], 3, 9000, 1600000000, "4Xdef1");
    ASSERT_ROW(r[5], 1, 500, now_s - 86400, "4Xhold1");
    ASSERT_ROW(r[0], 8, maildrop_size + 1000 + 777 + 4242 + 9000 + 500, 1600000000,
               "4Xdef1");
    CU_ASSERT_EQUAL(r[4].next_retry_ms, (now_s + 300) * 1000);
    CU_ASSERT_EQUAL(r[0].next_retry_ms, (now_s + 300) * 1000);
    for (int i = 1; i < QUEUE_SCAN_POSTFIX_ROWS; i++)
        if (i != 4)
            CU_ASSERT_EQUAL(r[i].next_retry_ms, 0);

    /* A missing queue directory is an empty queue. */
    CU_ASSERT_EQUAL(rename(at("pf/hold"), at("hold.away")), 0);
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    CU_ASSERT_EQUAL(r[5].status, QUEUE_SCAN_OK);
    CU_ASSERT_EQUAL(r[5].messages, 0);
    CU_ASSERT_EQUAL(r[0].messages, 7);
    remove_root();
}

/* A script standing in for postqueue: prints @p out, then exits @p status. */
static void fake_postqueue(const char *rel, const char *body)
{
    char text[8192];
    snprintf(text, sizeof text, "#!/bin/sh\n%.4000s\n", body);
    put_bytes(rel, text, strlen(text), 0755, now_s);
}

static const char canned[] =
    "{\"queue_name\": \"deferred\", \"queue_id\": \"4Xd1\", \"arrival_time\": 1600000000, "
    "\"message_size\": 2000, \"forced_expire\": false, \"sender\": \"a@b\", "
    "\"recipients\": [{\"address\": \"c@d\", \"delay_reason\": \"connect to d[1.2.3.4]:25: "
    "Connection refused \\\"x\\\" \\u00e9\"}]}\n"
    "{\"queue_name\": \"active\", \"queue_id\": \"4Xa1\", \"arrival_time\": 1700000000, "
    "\"message_size\": 100, \"forced_expire\": false, \"sender\": \"\", \"recipients\": []}\n"
    "{\"queue_name\": \"deferred\", \"queue_id\": \"4Xd2\", \"arrival_time\": 1650000000, "
    "\"message_size\": 3000, \"recipients\": [{\"address\": \"e@f\"}]}\n"
    "this is not json\n"
    "\n"
    "{\"queue_name\": \"hold\", \"queue_id\": \"4Xh1\", \"arrival_time\": 1500000000, "
    "\"message_size\": 7}\n"
    "{\"queue_name\": \"corrupt\", \"queue_id\": \"4Xc1\", \"arrival_time\": 1400000000, "
    "\"message_size\": 1}\n"
    "{\"queue_name\": \"maildrop\", \"queue_id\": \"4Xm1\", \"arrival_time\": 1690000000, "
    "\"message_size\": -5}";

static void test_postqueue_fallback(void)
{
    make_root();
    char body[4096];
    /* Prints its arguments first, so the test sees them. */
    snprintf(body, sizeof body,
             "echo \"$*\" > %s\ncat <<'EOF'\n%s\nEOF", at("args"), canned);
    fake_postqueue("pq", body);
    struct queue_scan_stats r[QUEUE_SCAN_POSTFIX_ROWS];
    struct config_queue q = queue("pf", CONFIG_QUEUE_POSTFIX, at("no-spool"), NULL, 0);
    q.postqueue = (char *)at("pq");
    q.postfix_config = (char *)"/etc/postfix-out";

    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    for (int i = 0; i < QUEUE_SCAN_POSTFIX_ROWS; i++) {
        CU_ASSERT_EQUAL(r[i].status, QUEUE_SCAN_OK);
        CU_ASSERT_EQUAL(r[i].source, QUEUE_SCAN_POSTQUEUE);
        CU_ASSERT_EQUAL(r[i].next_retry_ms, 0);
    }
    ASSERT_ROW(r[1], 0, 0, 0, "");
    ASSERT_ROW(r[3], 1, 100, 1700000000, "4Xa1");
    ASSERT_ROW(r[4], 2, 5000, 1600000000, "4Xd1");
    ASSERT_ROW(r[5], 1, 7, 1500000000, "4Xh1");
    /* The corrupt queue's message counts in the whole; two bad lines. */
    ASSERT_ROW(r[0], 5, 5108, 1400000000, "4Xc1");
    CU_ASSERT_EQUAL(r[0].unreadable, 2);
    char want[600];
    snprintf(want, sizeof want, "%s -j: line 4: byte 1: expected '{'", q.postqueue);
    CU_ASSERT_STRING_EQUAL(r[0].error, want);
    CU_ASSERT_STRING_EQUAL(r[4].error, "");

    char args[64] = "";
    int fd = open(at("args"), O_RDONLY);
    CU_ASSERT(fd >= 0 && read(fd, args, sizeof args - 1) > 0);
    if (fd >= 0)
        close(fd);
    CU_ASSERT_STRING_EQUAL(args, "-j -c /etc/postfix-out\n");

    /* postqueue fails: both reasons, every row unavailable. */
    fake_postqueue("pq", "echo 'postqueue: fatal: Queue report unavailable - mail "
                         "system is down' >&2\nexit 69");
    CU_ASSERT_EQUAL(queue_scan(&q, r), -1);
    snprintf(want, sizeof want,
             "%s: No such file or directory; postqueue: fatal: Queue report "
             "unavailable - mail system is down", q.path);
    CU_ASSERT_STRING_EQUAL(r[0].error, want);
    CU_ASSERT_STRING_EQUAL(r[5].error, want);
    CU_ASSERT_EQUAL(r[3].status, QUEUE_SCAN_UNAVAILABLE);
    CU_ASSERT_EQUAL(r[0].messages, 0);

    fake_postqueue("pq", "exit 3");
    CU_ASSERT_EQUAL(queue_scan(&q, r), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r[0].error, "pq -j: exit status 3"));

    q.postqueue = (char *)at("no-such-postqueue");
    CU_ASSERT_EQUAL(queue_scan(&q, r), -1);
    snprintf(want, sizeof want,
             "%s: No such file or directory; cannot run %s: No such file or directory",
             q.path, q.postqueue);
    CU_ASSERT_STRING_EQUAL(r[0].error, want);

    /* No fallback configured: the spool's reason alone. */
    q.postqueue = (char *)"";
    CU_ASSERT_EQUAL(queue_scan(&q, r), -1);
    snprintf(want, sizeof want, "%s: No such file or directory", q.path);
    CU_ASSERT_STRING_EQUAL(r[0].error, want);
    remove_root();
}

static void count_msg(void *ctx, const struct postqueue_msg *m)
{
    (void)m;
    ++*(int *)ctx;
}

static void test_postqueue_timeout(void)
{
    make_root();
    fake_postqueue("slow", "echo '{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
                           "\"arrival_time\": 1, \"message_size\": 1}'\nexec sleep 20");
    struct postqueue_outcome out = {0, ""};
    char err[256];
    int n = 0;
    int64_t t0 = ut_now_ms();
    CU_ASSERT_EQUAL(postqueue_run(at("slow"), "", 300, count_msg, &n, &out, err,
                                  sizeof err), -1);
    CU_ASSERT(ut_now_ms() - t0 < 5000);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no answer within 300 ms: killed"));
    CU_ASSERT_EQUAL(n, 1); /* given before the end: the caller discards */

    CU_ASSERT_EQUAL(postqueue_run("relative/postqueue", "", 300, count_msg, &n, &out,
                                  err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "postqueue command 'relative/postqueue' is not an "
                                "absolute path");
    remove_root();
}

/* ------------------------------------------------------------------------ */
/* The parsers on bytes                                                      */

static int parse(const char *line, int truncated, struct postqueue_msg *m, char *err)
{
    return postqueue_parse_line(line, strlen(line), truncated, m, err, 200);
}

static void test_postqueue_parse(void)
{
    struct postqueue_msg m;
    char err[200];
    CU_ASSERT_EQUAL(parse("{\"queue_name\":\"hold\",\"queue_id\":\"4A\",\"arrival_time\":"
                          "-5,\"message_size\":0,\"x\":{\"y\":[1,2.5e3,true,null,\"\"]}}",
                          0, &m, err), 0);
    CU_ASSERT_STRING_EQUAL(m.queue_name, "hold");
    CU_ASSERT_STRING_EQUAL(m.queue_id, "4A");
    CU_ASSERT_EQUAL(m.arrival_s, -5);
    CU_ASSERT_EQUAL(m.size, 0);
    /* Escapes; non-ASCII and control characters kept as '?'. */
    CU_ASSERT_EQUAL(parse(" {\"queue_id\": \"a\\u0041\\u00e9\\n\\\"\", \"queue_name\": "
                          "\"active\", \"message_size\": 9223372036854775807, "
                          "\"arrival_time\": 1} \r",
                          0, &m, err), 0);
    CU_ASSERT_STRING_EQUAL(m.queue_id, "aA??\"");
    CU_ASSERT_EQUAL(m.size, 9223372036854775807ull);
    CU_ASSERT_EQUAL(parse("   ", 0, &m, err), 1);
    CU_ASSERT_EQUAL(parse("", 0, &m, err), 1);

    static const struct {
        const char *line;
        const char *why;
    } bad[] = {
        {"[]", "byte 1: expected '{'"},
        {"{}", "no queue_name"},
        {"{\"queue_name\": \"hold\", \"queue_id\": \"A\", \"arrival_time\": 1}",
         "no message_size"},
        {"{\"queue_name\": 5}", "byte 16: expected a string"},
        {"{\"queue_name\": \"h\", \"queue_id\": \"A\", \"arrival_time\": \"1\"}",
         "byte 54: arrival_time is not a number"},
        {"{\"message_size\": -1}", "byte 18: message_size is not an integer >= 0"},
        {"{\"message_size\": 1.5}", "byte 18: message_size is not an integer >= 0"},
        {"{\"arrival_time\": 99999999999999999999}",
         "byte 18: arrival_time is not an integer"},
        {"{\"queue_name\": \"hold\"", "byte 22: unexpected end of line"},
        {"{\"queue_name\" \"hold\"}", "byte 15: expected ':'"},
        {"{\"queue_name\": \"hold\"} x", "byte 24: text after the object"},
        {"{\"a\": tru}", "byte 10: bad literal"},
        {"{\"a\": 01}", "byte 8: expected ',' or '}'"},
        {"{\"a\": \"\\x\"}", "byte 9: bad escape in a string"},
        {"{\"a\": \"\\u12g4\"}", "byte 12: bad \\u escape"},
        {"{\"a\": [1 2]}", "byte 10: expected ',' or ']'"},
        {"{\"a\": \"tab\there\"}", "byte 11: control character in a string"},
        {"{\"a\": -}", "byte 8: bad number"},
        {"{\"a\": 1.}", "byte 9: bad number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = parse(bad[i].line, 0, &m, err);
        CU_ASSERT_EQUAL(r, -1);
        CU_ASSERT_STRING_EQUAL(err, bad[i].why);
        if (r != -1 || strcmp(err, bad[i].why) != 0)
            fprintf(stderr, "\n    %s: %d '%s'\n", bad[i].line, r, err);
    }
    /* Nested too deeply. */
    char deep[400] = "{\"a\": ";
    for (int i = 0; i < 70; i++)
        strcat(deep, "[");
    CU_ASSERT_EQUAL(parse(deep, 0, &m, err), -1);
    CU_ASSERT_STRING_EQUAL(err, "byte 70: nested too deeply"); /* the 64th [ */
    /* A NUL inside. */
    CU_ASSERT_EQUAL(postqueue_parse_line("{\"a\":\0}", 7, 0, &m, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, "NUL byte in the line");

    /* A cut line: the message counts when its first part has it all... */
    const char *cut = "{\"queue_name\": \"deferred\", \"queue_id\": \"4Q\", "
                      "\"arrival_time\": 12, \"message_size\": 34, \"recipients\": [{\"addr";
    CU_ASSERT_EQUAL(parse(cut, 1, &m, err), 0);
    CU_ASSERT_EQUAL(m.size, 34);
    CU_ASSERT_EQUAL(parse(cut, 0, &m, err), -1);
    /* ...not when a number may go on past the cut, nor when a key lacks. */
    CU_ASSERT_EQUAL(parse("{\"queue_name\": \"d\", \"queue_id\": \"4Q\", "
                          "\"arrival_time\": 12, \"message_size\": 34", 1, &m, err), -1);
    CU_ASSERT_STRING_EQUAL(err, "line longer than 65536 bytes, its first part lacks "
                                "message_size");
}

static size_t qbytes(unsigned char *buf)
{
    return std_qfile(buf, 1234, 1700000000);
}

static void test_qfile_parse(void)
{
    unsigned char buf[4096];
    struct postfix_qfile m;
    size_t len = qbytes(buf);

    CU_ASSERT_EQUAL(postfix_qfile_parse(buf, len, 5, 99, 0, &m), 1);
    CU_ASSERT_EQUAL(m.arrival_s, 1700000000);
    CU_ASSERT_EQUAL(m.size, 1234);
    CU_ASSERT_EQUAL(postfix_qfile_parse(buf, len, 5, 99, 1, &m), 1); /* maildrop */
    CU_ASSERT_EQUAL(m.size, 99);
    /* Every cut before the sender record's end: not a message. */
    size_t s_end = 0;
    for (size_t cut = 0; cut <= len; cut++)
        if (postfix_qfile_parse(buf, cut, 5, 99, 0, &m) == 1 && s_end == 0)
            s_end = cut;
    CU_ASSERT(s_end > 100 && s_end < len);

    /* A long record: a two-byte length. */
    len = 0;
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rec_s(buf, &len, 'F', big);
    CU_ASSERT_EQUAL(buf[1], (300 - 1) % 128 | 0x80);
    CU_ASSERT_EQUAL(buf[2], (300 - 1) / 128);
    rec_s(buf, &len, 'T', "0 5");       /* zero: not an arrival */
    rec_s(buf, &len, 'T', " +77 5");    /* atol: space and sign */
    rec_s(buf, &len, 'T', "88");        /* not the first */
    rec_s(buf, &len, 'C', "");          /* empty: size 0 */
    rec_s(buf, &len, 'S', "");
    CU_ASSERT_EQUAL(postfix_qfile_parse(buf, len, 5, 99, 0, &m), 1);
    CU_ASSERT_EQUAL(m.arrival_s, 77);
    CU_ASSERT_EQUAL(m.size, 0);

    /* A negative time, a size with a NUL after digits (showq's strings). */
    len = 0;
    rec_s(buf, &len, 'T', "-3");
    rec(buf, &len, 'C', "12 \0junk", 8);
    rec_s(buf, &len, 'S', "x");
    CU_ASSERT_EQUAL(postfix_qfile_parse(buf, len, 5, 99, 0, &m), 1);
    CU_ASSERT_EQUAL(m.arrival_s, 5);
    CU_ASSERT_EQUAL(m.size, 12);

    /* Too many length bytes; the end record before a sender; a pointer
     * that loops. */
    unsigned char five[] = {'T', 0x80, 0x80, 0x80, 0x80, 0x01};
    CU_ASSERT_EQUAL(postfix_qfile_parse(five, sizeof five, 5, 99, 0, &m), 0);
    len = 0;
    rec_s(buf, &len, 'E', "");
    rec_s(buf, &len, 'S', "x");
    CU_ASSERT_EQUAL(postfix_qfile_parse(buf, len, 5, 99, 0, &m), 0);
    len = 0;
    rec_s(buf, &len, 'p', "0");
    rec_s(buf, &len, 'p', "3");
    CU_ASSERT_EQUAL(postfix_qfile_parse(buf, len, 5, 99, 0, &m), 0);
    len = 0;
    rec_s(buf, &len, 'p', "abc");
    rec_s(buf, &len, 'S', "x");
    CU_ASSERT_EQUAL(postfix_qfile_parse(buf, len, 5, 99, 0, &m), 0);
    len = 0;
    rec_s(buf, &len, 'p', "0"); /* a dummy pointer */
    rec_s(buf, &len, 'S', "x");
    CU_ASSERT_EQUAL(postfix_qfile_parse(buf, len, 5, 99, 0, &m), 1);

    CU_ASSERT(postfix_qfile_id_ok("4XyZ_09"));
    CU_ASSERT(!postfix_qfile_id_ok(""));
    CU_ASSERT(!postfix_qfile_id_ok("a-b"));
    CU_ASSERT(!postfix_qfile_id_ok("a.b"));
}

/* ------------------------------------------------------------------------ */
/* Many files                                                                */

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void test_many_files(void)
{
    enum { DIRS = 20, PER_DIR = 1000 };
    make_root();
    char rel[64];
    for (int d = 0; d < DIRS; d++) {
        snprintf(rel, sizeof rel, "big/%02d", d);
        mkdirs(rel);
        for (int f = 0; f < PER_DIR; f++) {
            snprintf(rel, sizeof rel, "big/%02d/ZZ%05d.00", d, d * PER_DIR + f);
            int fd = open(at(rel), O_WRONLY | O_CREAT, 0600);
            CU_ASSERT_FATAL(fd >= 0);
            CU_ASSERT_EQUAL(write(fd, "0123456789", (size_t)(f % 10) + 1),
                            (ssize_t)(f % 10) + 1);
            close(fd);
        }
    }
    set_mtime(at("big/07/ZZ07500.00"), now_s - 100000);
    struct queue_scan_stats r[1];
    struct config_queue q = queue("big", CONFIG_QUEUE_DIRECTORY, at("big"), "ZZ*", 1);
    long before = max_rss_kb();
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    CU_ASSERT_EQUAL(queue_scan(&q, r), 0);
    long grown = max_rss_kb() - before;
    ASSERT_ROW(r[0], DIRS * PER_DIR, DIRS * PER_DIR / 10 * 55, now_s - 100000,
               "ZZ07500.00");
    /* Nothing per file: a few directory buffers at most (a list of the
     * files would be megabytes).  Not under ASan, whose quarantine keeps
     * every freed buffer resident. */
#if defined(__SANITIZE_ADDRESS__)
    fprintf(stderr, "\n    (ASan: max RSS grew by %ld kB, not checked)\n", grown);
#else
    CU_ASSERT(grown < 1024);
    if (grown >= 1024)
        fprintf(stderr, "\n    max RSS grew by %ld kB\n", grown);
#endif
    remove_root();
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"directory: glob, depth, links not followed", test_directory_glob_depth},
        {"oldest among equal times", test_oldest_tie},
        {"empty and missing directories", test_empty_and_missing},
        {"unreadable directories", test_unreadable},
        {"postfix spool", test_postfix},
        {"postqueue -j fallback", test_postqueue_fallback},
        {"postqueue timeout", test_postqueue_timeout},
        {"postqueue -j lines", test_postqueue_parse},
        {"queue file records", test_qfile_parse},
        {"20,000 files, flat memory", test_many_files},
        {NULL, NULL},
    };
    return unit_main("queue_scan", tests);
}
