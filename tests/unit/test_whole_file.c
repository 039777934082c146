/*
 * test_whole_file.c - whole_file_read() (src/common/whole_file.c): empty,
 * small and multi-allocation files, the NUL after the bytes, the bound
 * (exactly @p max, one byte over, 0), a /proc file that stat calls empty,
 * and failures (missing, a directory) with errno and nothing allocated.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit_util.h"

#include "whole_file.h"

static char dir[128];
static char path[192];

static void setup(void)
{
    ut_make_dir(dir, sizeof dir, "wfile");
    snprintf(path, sizeof path, "%s/f", dir);
}

/* A file of @p len bytes, byte i being (i * 7 + 3) % 251 (NULs included). */
static unsigned char *pattern(size_t len)
{
    unsigned char *p = malloc(len ? len : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    for (size_t i = 0; i < len; i++)
        p[i] = (unsigned char)((i * 7 + 3) % 251);
    ut_write_file(path, p, len);
    return p;
}

/* Read @p path with bound @p max; expect @p want_rc and the first
 * @p want_len bytes of @p data, NUL after them. */
static void expect_read(size_t max, const unsigned char *data, int want_rc,
                        size_t want_len)
{
    char *buf = (char *)"untouched";
    size_t len = 12345;
    CU_ASSERT_EQUAL(whole_file_read(path, max, &buf, &len), want_rc);
    CU_ASSERT_EQUAL_FATAL(len, want_len);
    UT_REQUIRE(buf);
    CU_ASSERT_EQUAL(memcmp(buf, data, want_len), 0);
    CU_ASSERT_EQUAL(buf[want_len], '\0');
    free(buf);
}

static void test_sizes(void)
{
    setup();
    /* Around the first allocation (4096) and across several doublings. */
    static const size_t sizes[] = {0, 1, 100, 4095, 4096, 4097, 8192, 100000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        unsigned char *data = pattern(n);
        expect_read(SIZE_MAX, data, 0, n);
        expect_read(n, data, 0, n);              /* exactly the bound */
        expect_read(n + 1, data, 0, n);
        if (n > 0) {
            expect_read(n - 1, data, 1, n - 1);  /* one byte over */
            expect_read(0, data, 1, 0);
        }
        free(data);
    }
    unlink(path);
    ut_remove_tree(dir);
}

/* A text file is a C string. */
static void test_text(void)
{
    setup();
    ut_write_file(path, "key: value\n", 11);
    char *buf;
    size_t len;
    CU_ASSERT_EQUAL_FATAL(whole_file_read(path, 1024, &buf, &len), 0);
    CU_ASSERT_STRING_EQUAL(buf, "key: value\n");
    CU_ASSERT_EQUAL(len, 11);
    free(buf);
    ut_remove_tree(dir);
}

/* /proc/self/cmdline: stat says 0 bytes, the read gives them all. */
static void test_proc(void)
{
    char *buf;
    size_t len;
    CU_ASSERT_EQUAL_FATAL(whole_file_read("/proc/self/cmdline", SIZE_MAX, &buf, &len), 0);
    CU_ASSERT_TRUE(len > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "test_whole_file"));
    free(buf);
}

static void test_failures(void)
{
    char *buf = (char *)"untouched";
    size_t len = 12345;
    errno = 0;
    CU_ASSERT_EQUAL(whole_file_read("/nonexistent-mtamon/f", 100, &buf, &len), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_PTR_NULL(buf);
    CU_ASSERT_EQUAL(len, 0);

    setup();
    buf = (char *)"untouched";
    len = 12345;
    errno = 0;
    CU_ASSERT_EQUAL(whole_file_read(dir, 100, &buf, &len), -1);
    CU_ASSERT_EQUAL(errno, EISDIR);
    CU_ASSERT_PTR_NULL(buf);
    CU_ASSERT_EQUAL(len, 0);
    ut_remove_tree(dir);
}

UT_MAIN("whole_file",
        {"sizes and bounds", test_sizes},
        {"a text file is a C string", test_text},
        {"a /proc file", test_proc},
        {"missing file, a directory", test_failures})
