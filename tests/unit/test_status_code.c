/*
 * test_status_code.c - mtamon_status_make() and mtamon_status_parse().
 */
#include <stdlib.h>

#include "unit_util.h"

/* mtamon_status_parse(text) is want, for each case (a failing case is
 * named on stderr). */
struct parse_case {
    const char *text;
    mtamon_status_code want;
};

static void expect_parsed(const struct parse_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mtamon_status_code got = mtamon_status_parse(cases[i].text);
        CU_ASSERT_EQUAL(got, cases[i].want);
        if (got != cases[i].want)
            fprintf(stderr, "\n    parse(\"%s\") = %u, want %u\n",
                    cases[i].text ? cases[i].text : "(null)", (unsigned)got,
                    (unsigned)cases[i].want);
    }
}

#define EXPECT_PARSED(cases) expect_parsed((cases), sizeof(cases) / sizeof(cases)[0])

static void test_make(void)
{
    static const struct {
        unsigned cls, subject, detail;
        mtamon_status_code want;
    } cases[] = {
        {5, 1, 1, 5001001u},   {4, 2, 2, 4002002u},     {4, 0, 0, 4000000u},
        {5, 999, 999, 5999999u}, {6, 0, 0, 0u},         {2, 0, 0, 0u},
        {3, 1, 1, 0u},         {0, 0, 0, 0u},           {4, 1000, 0, 0u},
        {4, 0, 1000, 0u},      {5, 4294967295u, 0, 0u},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CU_ASSERT_EQUAL(mtamon_status_make(cases[i].cls, cases[i].subject, cases[i].detail),
                        cases[i].want);
}

static void test_parse_enhanced(void)
{
    static const struct parse_case cases[] = {
        {"5.1.1", 5001001u},    {"4.2.2", 4002002u},
        {"5.7.1 Relaying denied", 5007001u},
        {"4.0.0", 4000000u},    {"5.999.999", 5999999u},
        {"2.0.0", 0u},          {"5.1", 0u},             {"5.1.", 0u},
        {"5..1", 0u},           {"5.1000.1", 0u},        {"5.1.1234", 0u},
        {"6.1.1", 0u},
    };
    EXPECT_PARSED(cases);
}

static void test_parse_basic(void)
{
    static const struct parse_case cases[] = {
        {"550", 5000000u},
        {"451 try later", 4000000u},
        {"550 5.1.1 User unknown", 5001001u},
        {"550-5.1.1 User unknown", 5001001u},
        {"421 4.4.2 timeout", 4004002u},
        /* The enhanced code must be of the reply's class. */
        {"550 4.1.1", 5000000u}, {"450 5.1.1", 4000000u},
        {"250", 0u},            {"250 2.0.0 Ok", 0u},    {"999", 0u},
        {"5500", 0u},           {"55", 0u},
    };
    EXPECT_PARSED(cases);
}

static void test_parse_garbage(void)
{
    static const struct parse_case cases[] = {
        {"", 0u}, {NULL, 0u}, {"abc", 0u}, {" 550", 0u}, {"-5.1.1", 0u}, {".", 0u},
    };
    EXPECT_PARSED(cases);
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

UT_MAIN("status_code",
        {"make", test_make},
        {"parse enhanced codes", test_parse_enhanced},
        {"parse basic reply codes", test_parse_basic},
        {"parse garbage", test_parse_garbage},
        {"parse very long input", test_parse_long_input})
