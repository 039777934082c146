/*
 * test_status_code.c - mtamon_status_make() and mtamon_status_parse().
 */
#include <stdlib.h>

#include "unit_util.h"

static void test_make(void)
{
    CU_ASSERT_EQUAL(mtamon_status_make(5, 1, 1), 5001001u);
    CU_ASSERT_EQUAL(mtamon_status_make(4, 2, 2), 4002002u);
    CU_ASSERT_EQUAL(mtamon_status_make(4, 0, 0), 4000000u);
    CU_ASSERT_EQUAL(mtamon_status_make(5, 999, 999), 5999999u);
    CU_ASSERT_EQUAL(mtamon_status_make(6, 0, 0), 0u);
    CU_ASSERT_EQUAL(mtamon_status_make(2, 0, 0), 0u);
    CU_ASSERT_EQUAL(mtamon_status_make(3, 1, 1), 0u);
    CU_ASSERT_EQUAL(mtamon_status_make(0, 0, 0), 0u);
    CU_ASSERT_EQUAL(mtamon_status_make(4, 1000, 0), 0u);
    CU_ASSERT_EQUAL(mtamon_status_make(4, 0, 1000), 0u);
    CU_ASSERT_EQUAL(mtamon_status_make(5, 4294967295u, 0), 0u);
}

static void test_parse_enhanced(void)
{
    CU_ASSERT_EQUAL(mtamon_status_parse("5.1.1"), 5001001u);
    CU_ASSERT_EQUAL(mtamon_status_parse("4.2.2"), 4002002u);
    CU_ASSERT_EQUAL(mtamon_status_parse("5.7.1 Relaying denied"), 5007001u);
    CU_ASSERT_EQUAL(mtamon_status_parse("4.0.0"), 4000000u);
    CU_ASSERT_EQUAL(mtamon_status_parse("5.999.999"), 5999999u);
    CU_ASSERT_EQUAL(mtamon_status_parse("2.0.0"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("5.1"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("5.1."), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("5..1"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("5.1000.1"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("5.1.1234"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("6.1.1"), 0u);
}

static void test_parse_basic(void)
{
    CU_ASSERT_EQUAL(mtamon_status_parse("550"), 5000000u);
    CU_ASSERT_EQUAL(mtamon_status_parse("451 try later"), 4000000u);
    CU_ASSERT_EQUAL(mtamon_status_parse("550 5.1.1 User unknown"), 5001001u);
    CU_ASSERT_EQUAL(mtamon_status_parse("550-5.1.1 User unknown"), 5001001u);
    CU_ASSERT_EQUAL(mtamon_status_parse("421 4.4.2 timeout"), 4004002u);
    /* The enhanced code must be of the reply's class. */
    CU_ASSERT_EQUAL(mtamon_status_parse("550 4.1.1"), 5000000u);
    CU_ASSERT_EQUAL(mtamon_status_parse("450 5.1.1"), 4000000u);
    CU_ASSERT_EQUAL(mtamon_status_parse("250"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("250 2.0.0 Ok"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("999"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("5500"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("55"), 0u);
}

static void test_parse_garbage(void)
{
    CU_ASSERT_EQUAL(mtamon_status_parse(""), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse(NULL), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("abc"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse(" 550"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("-5.1.1"), 0u);
    CU_ASSERT_EQUAL(mtamon_status_parse("."), 0u);
}

/* Outside input (a log line) of any length must not exhaust the stack:
 * "550 550 550 ..." is a basic code followed by things that are not an
 * enhanced code. */
static void test_parse_long_input(void)
{
    const size_t reps = 1u << 20; /* 4 MiB */
    char *s = malloc(reps * 4 + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (size_t i = 0; i < reps; i++)
        memcpy(s + i * 4, "550 ", 4);
    s[reps * 4] = '\0';
    CU_ASSERT_EQUAL(mtamon_status_parse(s), 5000000u);
    memset(s, '5', reps * 4);
    CU_ASSERT_EQUAL(mtamon_status_parse(s), 0u);
    free(s);
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"make", test_make},
        {"parse enhanced codes", test_parse_enhanced},
        {"parse basic reply codes", test_parse_basic},
        {"parse garbage", test_parse_garbage},
        {"parse very long input", test_parse_long_input},
        {NULL, NULL},
    };
    return unit_main("status_code", tests);
}
