/*
 * test_parse_number.c - strict decimal numbers from the command line
 * (src/common/parse_number.c): what is taken, what is refused, and that a
 * refusal leaves the output alone.
 */
#include <inttypes.h>
#include <stdint.h>

#include "unit_util.h"
#include "parse_number.h"

/* Expect @p text in [@p min, @p max] to give @p want (rc 0). */
static void expect_ok(const char *text, uint64_t min, uint64_t max,
                      uint64_t want)
{
    uint64_t v = 12345;
    int rc = parse_number_uint(text, min, max, &v);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(v, want);
    if (rc != 0 || v != want)
        fprintf(stderr, "\n    '%s': rc %d, %" PRIu64 "\n", text, rc, v);
}

/* Expect @p text to be refused, *out untouched. */
static void expect_refused(const char *text, uint64_t min, uint64_t max)
{
    uint64_t v = 12345;
    int rc = parse_number_uint(text, min, max, &v);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(v, 12345);
    if (rc != -1)
        fprintf(stderr, "\n    '%s' accepted as %" PRIu64 "\n",
                text ? text : "(null)", v);
}

static void test_accepted(void)
{
    expect_ok("0", 0, 10, 0);
    expect_ok("10", 0, 10, 10);
    expect_ok("007", 0, 10, 7);          /* decimal, not octal */
    expect_ok("1", 1, 1, 1);
    expect_ok("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
    expect_ok("4294967295", 0, UINT32_MAX, UINT32_MAX);
}

static void test_refused(void)
{
    expect_refused(NULL, 0, 10);
    expect_refused("", 0, 10);
    expect_refused(" 1", 0, 10);
    expect_refused("1 ", 0, 10);
    expect_refused("+1", 0, 10);
    expect_refused("-1", 0, UINT64_MAX);  /* strtoull would wrap it */
    expect_refused(" -1", 0, UINT64_MAX);
    expect_refused("0x10", 0, 100);
    expect_refused("1e3", 0, 10000);
    expect_refused("1.0", 0, 10);
    expect_refused("12k", 0, 100000);
    expect_refused("11", 0, 10);         /* above max */
    expect_refused("0", 1, 10);          /* below min */
    expect_refused("18446744073709551616", 0, UINT64_MAX);  /* overflow */
    expect_refused("99999999999999999999999", 0, UINT64_MAX);
    expect_refused("4294967296", 0, UINT32_MAX);
    expect_refused("\xff", 0, 10);
}

UT_MAIN("parse_number",
        {"accepted numbers", test_accepted},
        {"refused text", test_refused})
