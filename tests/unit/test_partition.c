/*
 * test_partition.c - partition_read() (src/collect/partition.c): the
 * figures of "/" equal df(1)'s, computed from statvfs(3); a vanished or
 * bad path is UNAVAILABLE with the reason, figures 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "unit_util.h"
#include "partition.h"

/* df's figures of "/": size, used, avail, Use% (-B1) and Inodes, IFree
 * (-i; --output calls IFree "iavail" and excludes -i). */
struct df_row {
    uint64_t size, used, avail, itotal, ifree;
    unsigned pcent;
};

/* Run df twice (bytes, inodes) on "/"; 0 if both parsed. */
static int run_df(struct df_row *r)
{
    FILE *p = popen("LC_ALL=C df -B1 --output=size,used,avail,pcent / 2>/dev/null"
                    " | tail -n 1", "r");
    if (!p)
        return -1;
    int n = fscanf(p, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %u%%",
                   &r->size, &r->used, &r->avail, &r->pcent);
    int st = pclose(p);
    if (n != 4 || st != 0)
        return -1;
    p = popen("LC_ALL=C df --output=itotal,iavail / 2>/dev/null | tail -n 1", "r");
    if (!p)
        return -1;
    n = fscanf(p, "%" SCNu64 " %" SCNu64, &r->itotal, &r->ifree);
    st = pclose(p);
    return n == 2 && st == 0 ? 0 : -1;
}

static int same_stats(const struct partition_stats *a, const struct partition_stats *b)
{
    return a->size == b->size && a->used == b->used &&
           a->available == b->available && a->used_percent == b->used_percent &&
           a->inodes_total == b->inodes_total && a->inodes_free == b->inodes_free;
}

static int matches_df(const struct partition_stats *s, const struct df_row *d)
{
    return s->size == d->size && s->used == d->used && s->available == d->avail &&
           s->used_percent == d->pcent && s->inodes_total == d->itotal &&
           s->inodes_free == d->ifree;
}

/* "/" as df sees it.  The disk is shared with running builds, so a try
 * counts only when two reads around df agree; some try must match. */
static void test_root_equals_df(void)
{
    struct df_row d;
    if (run_df(&d) != 0) {
        fprintf(stderr, "\n    df has no --output here: compared with statvfs only\n");
        return;
    }
    int matched = 0;
    struct partition_stats a, b;
    for (int attempt = 0; attempt < 20 && !matched; attempt++) {
        CU_ASSERT_EQUAL_FATAL(partition_read("/", &a), 0);
        CU_ASSERT_EQUAL_FATAL(run_df(&d), 0);
        CU_ASSERT_EQUAL_FATAL(partition_read("/", &b), 0);
        matched = same_stats(&a, &b) && matches_df(&a, &d);
    }
    CU_ASSERT_TRUE(matched);
    if (!matched)
        fprintf(stderr, "\n    df: %" PRIu64 " %" PRIu64 " %" PRIu64 " %u%% %" PRIu64
                " %" PRIu64 "\n    us: %" PRIu64 " %" PRIu64 " %" PRIu64 " %u%% %" PRIu64
                " %" PRIu64 "\n", d.size, d.used, d.avail, d.pcent, d.itotal, d.ifree,
                a.size, a.used, a.available, a.used_percent, a.inodes_total,
                a.inodes_free);
    CU_ASSERT_EQUAL(a.status, PARTITION_OK);
    CU_ASSERT_STRING_EQUAL(a.error, "");
}

/* The figures are statvfs's, in octets, and consistent with each other. */
static void test_root_equals_statvfs(void)
{
    struct partition_stats s;
    struct statvfs v;
    int64_t before = ut_now_ms();
    int matched = 0;
    for (int attempt = 0; attempt < 20 && !matched; attempt++) {
        CU_ASSERT_EQUAL_FATAL(partition_read("/", &s), 0);
        CU_ASSERT_EQUAL_FATAL(statvfs("/", &v), 0);
        uint64_t unit = v.f_frsize ? v.f_frsize : v.f_bsize;
        matched = s.size == (uint64_t)v.f_blocks * unit &&
                  s.used == (uint64_t)(v.f_blocks - v.f_bfree) * unit &&
                  s.available == (uint64_t)v.f_bavail * unit &&
                  s.inodes_total == v.f_files && s.inodes_free == v.f_ffree;
    }
    CU_ASSERT_TRUE(matched);
    CU_ASSERT_TRUE(s.read_ms >= before && s.read_ms <= ut_now_ms());
    CU_ASSERT_TRUE(s.used_percent <= 100);
    CU_ASSERT_TRUE(s.used + s.available <= s.size || s.available == 0 ||
                   s.used <= s.size);
    if (s.used + s.available > 0) {
        /* Rounded up: pct - 1 < used / (used + avail) * 100 <= pct. */
        double exact = (double)s.used * 100.0 / (double)(s.used + s.available);
        CU_ASSERT_TRUE(exact <= s.used_percent);
        CU_ASSERT_TRUE(exact > (double)s.used_percent - 1.0);
    }
}

/* A file's path reads its file system; the figures equal its directory's. */
static void test_file_path(void)
{
    char dir[64], file[80];
    ut_make_dir(dir, sizeof dir, "partition");
    snprintf(file, sizeof file, "%s/f", dir);
    ut_write_file(file, "", 0);
    struct partition_stats s;
    CU_ASSERT_EQUAL(partition_read(file, &s), 0);
    CU_ASSERT_EQUAL(s.status, PARTITION_OK);
    CU_ASSERT_TRUE(s.size > 0);
    ut_remove_tree(dir);
}

/* A path that vanished: UNAVAILABLE, "PATH: No such file or directory". */
static void test_vanished(void)
{
    char dir[64];
    ut_make_dir(dir, sizeof dir, "partition");
    struct partition_stats s;
    CU_ASSERT_EQUAL(partition_read(dir, &s), 0);
    CU_ASSERT_EQUAL(rmdir(dir), 0);
    memset(&s, 0xa5, sizeof s);
    int64_t before = ut_now_ms();
    CU_ASSERT_EQUAL(partition_read(dir, &s), -1);
    CU_ASSERT_EQUAL(s.status, PARTITION_UNAVAILABLE);
    char want[PARTITION_ERROR_MAX];
    snprintf(want, sizeof want, "%s: No such file or directory", dir);
    CU_ASSERT_STRING_EQUAL(s.error, want);
    CU_ASSERT_EQUAL(s.size, 0);
    CU_ASSERT_EQUAL(s.used, 0);
    CU_ASSERT_EQUAL(s.available, 0);
    CU_ASSERT_EQUAL(s.used_percent, 0);
    CU_ASSERT_EQUAL(s.inodes_total, 0);
    CU_ASSERT_EQUAL(s.inodes_free, 0);
    CU_ASSERT_TRUE(s.read_ms >= before);
}

/* Other failures name the path and the reason too. */
static void test_bad_paths(void)
{
    struct partition_stats s;
    CU_ASSERT_EQUAL(partition_read("", &s), -1);
    CU_ASSERT_EQUAL(s.status, PARTITION_UNAVAILABLE);
    CU_ASSERT_STRING_EQUAL(s.error, ": No such file or directory");

    CU_ASSERT_EQUAL(partition_read("/etc/passwd/x", &s), -1);
    CU_ASSERT_STRING_EQUAL(s.error, "/etc/passwd/x: Not a directory");

    CU_ASSERT_EQUAL(partition_read(NULL, &s), -1);
    CU_ASSERT_EQUAL(s.status, PARTITION_UNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.error, "Invalid argument"));

    /* A path longer than the error text: cut, still NUL-terminated. */
    char longpath[1024];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    CU_ASSERT_EQUAL(partition_read(longpath, &s), -1);
    CU_ASSERT_EQUAL(s.status, PARTITION_UNAVAILABLE);
    CU_ASSERT_EQUAL(strlen(s.error), PARTITION_ERROR_MAX - 1);
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"/ equals df -B1 and df -i", test_root_equals_df},
        {"/ equals statvfs, Use% rounded up", test_root_equals_statvfs},
        {"a file's path", test_file_path},
        {"a vanished path is UNAVAILABLE", test_vanished},
        {"bad paths give the reason", test_bad_paths},
        {NULL, NULL},
    };
    return unit_main("partition", tests);
}
