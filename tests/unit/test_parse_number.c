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

/* parse_number_ms(): @p text gives @p want ms (-1: refused, output kept). */
static void expect_ms(const char *text, uint64_t min, uint64_t max, int64_t want)
{
    uint64_t v = 12345;
    int rc = parse_number_ms(text, min, max, &v);
    if (want < 0) {
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_EQUAL(v, 12345);
    } else {
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_EQUAL(v, (uint64_t)want);
    }
    if ((rc == 0) != (want >= 0) || (rc == 0 && v != (uint64_t)want))
        fprintf(stderr, "\n    '%s': rc %d, %" PRIu64 " (want %" PRId64 ")\n",
                text ? text : "(null)", rc, v, want);
}

static void test_seconds(void)
{
    expect_ms("0", 0, 10000, 0);
    expect_ms("10", 0, 10000, 10000);
    expect_ms("0.25", 0, 10000, 250);
    expect_ms("1.5", 0, 10000, 1500);
    expect_ms("0.001", 1, 10000, 1);
    expect_ms("2.000", 0, 10000, 2000);
    expect_ms("3600", 1, 3600000, 3600000);
    expect_ms("0.0005", 0, 10000, -1);   /* finer than a millisecond */
    expect_ms("0", 1, 10000, -1);        /* below min */
    expect_ms("10.001", 0, 10000, -1);   /* above max */
    expect_ms(NULL, 0, 10, -1);
    expect_ms("", 0, 10, -1);
    expect_ms(".5", 0, 10000, -1);
    expect_ms("1.", 0, 10000, -1);
    expect_ms("-1", 0, 10000, -1);
    expect_ms("+1", 0, 10000, -1);
    expect_ms(" 1", 0, 10000, -1);
    expect_ms("1s", 0, 10000, -1);
    expect_ms("1e3", 0, 10000, -1);
    expect_ms("1,5", 0, 10000, -1);
    expect_ms("99999999999999999999", 0, UINT64_MAX, -1);
}

/* parse_number_decimal(): @p text gives exactly @p want (the double
 * nearest to it), or (@p ok 0) is refused with the output kept. */
static void expect_decimal(const char *text, int ok, double want)
{
    double v = -7.5;
    int rc = parse_number_decimal(text, &v);
    CU_ASSERT_EQUAL(rc, ok ? 0 : -1);
    CU_ASSERT(ok ? v == want : v == -7.5);
    if (rc != (ok ? 0 : -1) || (ok ? v != want : v != -7.5))
        fprintf(stderr, "\n    '%s': rc %d, %.17g (want %.17g)\n", text ? text : "(null)",
                rc, v, want);
}

static void test_decimal(void)
{
    expect_decimal("0", 1, 0);
    expect_decimal("10", 1, 10);
    expect_decimal("2.5", 1, 2.5);
    expect_decimal("0.1", 1, 0.1);       /* the same double as the literal */
    expect_decimal("99.99", 1, 99.99);
    expect_decimal("0.001", 1, 0.001);
    expect_decimal("007.50", 1, 7.5);
    expect_decimal("100", 1, 100);
    expect_decimal("123456789012345", 1, 123456789012345.0);  /* 15 digits */
    expect_decimal("1.23456789012345", 1, 1.23456789012345);
    expect_decimal("0.00000000000001", 1, 0.00000000000001);
    expect_decimal("1234567890123456", 0, 0);                 /* 16 digits */
    expect_decimal("0.000000000000001", 0, 0);
    expect_decimal(NULL, 0, 0);
    expect_decimal("", 0, 0);
    expect_decimal(".5", 0, 0);
    expect_decimal("5.", 0, 0);
    expect_decimal("-1", 0, 0);
    expect_decimal("+1", 0, 0);
    expect_decimal(" 1", 0, 0);
    expect_decimal("1 ", 0, 0);
    expect_decimal("1e3", 0, 0);
    expect_decimal("1,5", 0, 0);
    expect_decimal("1.2.3", 0, 0);
    expect_decimal("inf", 0, 0);
    expect_decimal("nan", 0, 0);
    expect_decimal("0x10", 0, 0);
    expect_decimal("12%", 0, 0);
}

UT_MAIN("parse_number",
        {"accepted numbers", test_accepted},
        {"refused text", test_refused},
        {"seconds to milliseconds", test_seconds},
        {"decimal numbers", test_decimal})
