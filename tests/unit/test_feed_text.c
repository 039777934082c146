/*
 * test_feed_text.c - the parsers' scanners (src/feed/feed_text.c) and
 * their channel-name table (src/feed/feed_names.c): bounds respected (the
 * text under test sits in a buffer of exactly its size), cuts, refusals.
 */
#include <stdlib.h>
#include <string.h>

#include "unit_util.h"

#include "feed_names.h"
#include "feed_text.h"

#define LIT(s) (s), (sizeof(s) - 1)

/* A copy of @p s without its NUL (free it). */
static char *exact(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n ? n : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p, s, n);
    return p;
}

static void test_classes(void)
{
    int digits = 0, alnums = 0;
    for (int c = 0; c < 256; c++) {
        digits += feed_text_is_digit((char)c);
        alnums += feed_text_is_alnum((char)c);
    }
    CU_ASSERT_EQUAL(digits, 10);
    CU_ASSERT_EQUAL(alnums, 62);
    CU_ASSERT_TRUE(feed_text_is_alnum('z') && feed_text_is_alnum('A'));
    CU_ASSERT_FALSE(feed_text_is_alnum('_') || feed_text_is_alnum('\x80'));
}

static void test_prefix_span(void)
{
    char *s = exact("status=sent");
    const char *end = s + 11;
    CU_ASSERT_TRUE(feed_text_has_prefix(s, end, LIT("status=")));
    CU_ASSERT_TRUE(feed_text_has_prefix(s, end, LIT("status=sent")));
    CU_ASSERT_FALSE(feed_text_has_prefix(s, end, LIT("status=sent ")));
    CU_ASSERT_FALSE(feed_text_has_prefix(s, end, LIT("stat=")));
    CU_ASSERT_TRUE(feed_text_has_prefix(end, end, LIT("")));
    CU_ASSERT_TRUE(feed_text_span_is(s + 7, 4, LIT("sent")));
    CU_ASSERT_FALSE(feed_text_span_is(s + 7, 3, LIT("sent")));
    CU_ASSERT_FALSE(feed_text_span_is(s, 4, LIT("sent")));
    free(s);
}

static void test_find(void)
{
    char *s = exact("a; from=<x>; from=<y>");
    const char *end = s + strlen("a; from=<x>; from=<y>");
    CU_ASSERT_PTR_EQUAL(feed_text_find(s, end, LIT("; from=<")), s + 1);
    CU_ASSERT_PTR_EQUAL(feed_text_find(s + 2, end, LIT("; from=<")), s + 11);
    CU_ASSERT_PTR_NULL(feed_text_find(s, end, LIT("<y>;")));
    CU_ASSERT_PTR_EQUAL(feed_text_find(s, end, LIT("<y>")), end - 3);
    CU_ASSERT_PTR_NULL(feed_text_find(end, end, LIT("a")));
    CU_ASSERT_PTR_NULL(feed_text_find(end, s, LIT("a"))); /* p past end */
    free(s);
}

static void test_digits(void)
{
    char *s = exact("2026-1x");
    const char *p = s, *end = s + 7;
    int v = -1;
    CU_ASSERT_TRUE(feed_text_digits(&p, end, 4, &v));
    CU_ASSERT_EQUAL(v, 2026);
    CU_ASSERT_PTR_EQUAL(p, s + 4);
    p++;
    v = -1;
    CU_ASSERT_FALSE(feed_text_digits(&p, end, 2, &v)); /* "1x" */
    CU_ASSERT_EQUAL(v, -1);
    CU_ASSERT_PTR_EQUAL(p, s + 5);
    CU_ASSERT_TRUE(feed_text_digits(&p, end, 1, &v));
    CU_ASSERT_EQUAL(v, 1);
    p = s + 5;
    CU_ASSERT_FALSE(feed_text_digits(&p, s + 5, 1, &v)); /* nothing left */
    CU_ASSERT_TRUE(feed_text_digits(&p, end, 0, &v));
    CU_ASSERT_EQUAL(v, 0);
    free(s);
}

static void test_copy_bounded(void)
{
    char dst[5];
    feed_text_copy_bounded(dst, sizeof dst, "abc", 3);
    CU_ASSERT_STRING_EQUAL(dst, "abc");
    feed_text_copy_bounded(dst, sizeof dst, "abcdefgh", 8);
    CU_ASSERT_STRING_EQUAL(dst, "abcd");
    feed_text_copy_bounded(dst, sizeof dst, "abcd", 4);
    CU_ASSERT_STRING_EQUAL(dst, "abcd");
    feed_text_copy_bounded(dst, sizeof dst, "xyz", 0);
    CU_ASSERT_STRING_EQUAL(dst, "");
    feed_text_copy_bounded(dst, 1, "xyz", 3);
    CU_ASSERT_STRING_EQUAL(dst, "");
}

static void test_names(void)
{
    static struct feed_names t; /* zeroed: empty */
    CU_ASSERT_STRING_EQUAL(feed_names_of(&t, 0), "");
    CU_ASSERT_EQUAL(feed_names_intern(&t, "smtpd"), 1);
    CU_ASSERT_EQUAL(feed_names_intern(&t, "smtp"), 2);
    CU_ASSERT_EQUAL(feed_names_intern(&t, "smtpd"), 1);
    CU_ASSERT_STRING_EQUAL(feed_names_of(&t, 2), "smtp");
    /* fill it: a new name then gets 0, known ones still their index */
    char name[16];
    int bad = 0;
    for (int i = 2; i < FEED_NAMES_MAX; i++) {
        snprintf(name, sizeof name, "ch%d", i);
        bad += feed_names_intern(&t, name) != i + 1;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(feed_names_intern(&t, "one-too-many"), 0);
    CU_ASSERT_EQUAL(feed_names_intern(&t, "smtp"), 2);
    /* a name longer than FEED_NAME_MAX is cut */
    static struct feed_names u;
    char longname[FEED_NAME_MAX + 10];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CU_ASSERT_EQUAL(feed_names_intern(&u, longname), 1);
    CU_ASSERT_EQUAL(strlen(feed_names_of(&u, 1)), FEED_NAME_MAX);
}

UT_MAIN("feed_text",
        {"character classes", test_classes},
        {"prefix and span", test_prefix_span},
        {"find", test_find},
        {"digits", test_digits},
        {"bounded copy", test_copy_bounded},
        {"interned names", test_names})
