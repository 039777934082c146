/*
 * test_sun_options.c - Sun Messaging Server spellings of the counters
 * options rewritten the GNU way (src/cli/sun_options.c): each kind of
 * word, values in both forms, what stays as it is, and the refusals.
 */
#include <getopt.h>
#include <stdlib.h>
#include <sysexits.h>

#include "unit_util.h"
#include "cli.h"

/* sun_options.c reports errors with the counters usage (counters.c). */
void cli_counters_usage(FILE *out)
{
    fputs("usage: (test)\n", out);
}

static const struct sun_option sun[] = {
    {"noheaders", "--no-headers", 0},
    {"output", "--output", 1},
    {"max_channels", "--capacity", 1},
    {NULL, NULL, 0},
};
static const struct option longopts[] = {
    {"no-headers", no_argument, NULL, 1},
    {"output", required_argument, NULL, 2},
    {"capacity", required_argument, NULL, 3},
    {"all", no_argument, NULL, 4},
    {NULL, 0, NULL, 0},
};
static const char shortopts[] = ":hfo:";

/* Translate the NULL-terminated @p in; expect EX_OK and @p want
 * (NULL-terminated), word by word. */
static void expect_words(const char *const *in, const char *const *want)
{
    char *argv[32];
    int argc = 0;
    while (in[argc]) {
        argv[argc] = (char *)in[argc];
        argc++;
    }
    argv[argc] = NULL;
    int out_argc = -1;
    char **out = NULL;
    int rc = sun_options_translate("counters show", sun, longopts, shortopts,
                                   argc, argv, &out_argc, &out);
    CU_ASSERT_EQUAL_FATAL(rc, EX_OK);
    int n = 0;
    while (want[n])
        n++;
    CU_ASSERT_EQUAL(out_argc, n);
    for (int i = 0; i < n && i < out_argc; i++) {
        CU_ASSERT_STRING_EQUAL(out[i], want[i]);
        if (strcmp(out[i], want[i]) != 0)
            fprintf(stderr, "\n    word %d: '%s', want '%s'\n", i, out[i], want[i]);
    }
    CU_ASSERT_PTR_NULL(out[out_argc]);
    free(out);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_translated(void)
{
    expect_words(WORDS("show"), WORDS("show"));
    expect_words(WORDS("show", "-noheaders"), WORDS("show", "--no-headers"));
    expect_words(WORDS("show", "-output=/tmp/x"),
                 WORDS("show", "--output", "/tmp/x"));
    expect_words(WORDS("show", "-output", "/tmp/x"),
                 WORDS("show", "--output", "/tmp/x"));
    expect_words(WORDS("show", "-output="), WORDS("show", "--output", ""));
    expect_words(WORDS("show", "-max_channels=64", "tcp_*"),
                 WORDS("show", "--capacity", "64", "tcp_*"));
    /* A value that looks like an option stays a value. */
    expect_words(WORDS("show", "-output", "-noheaders"),
                 WORDS("show", "--output", "-noheaders"));
    expect_words(WORDS("show", "--output", "-noheaders"),
                 WORDS("show", "--output", "-noheaders"));
    expect_words(WORDS("show", "--outp", "-noheaders"),
                 WORDS("show", "--outp", "-noheaders"));   /* abbreviated */
    expect_words(WORDS("show", "--output=-x", "-noheaders"),
                 WORDS("show", "--output=-x", "--no-headers"));
    /* GNU words, operands, "-" and everything after "--" as they are. */
    expect_words(WORDS("show", "--all", "ims-ms", "-"),
                 WORDS("show", "--all", "ims-ms", "-"));
    expect_words(WORDS("show", "--", "-noheaders", "-bogus"),
                 WORDS("show", "--", "-noheaders", "-bogus"));
    /* Short option bundles; a short option's value ends the bundle. */
    expect_words(WORDS("show", "-hf"), WORDS("show", "-hf"));
    expect_words(WORDS("show", "-fo", "-noheaders"),
                 WORDS("show", "-fo", "-noheaders"));
    expect_words(WORDS("show", "-fofile", "-noheaders"),
                 WORDS("show", "-fofile", "--no-headers"));
    /* A value option last, with no value: getopt reports it. */
    expect_words(WORDS("show", "-output"), WORDS("show", "--output"));
}

/* Expect @p in refused with EX_USAGE and @p message on stderr. */
static void expect_refused(const char *const *in, const char *message)
{
    char *argv[32];
    int argc = 0;
    while (in[argc]) {
        argv[argc] = (char *)in[argc];
        argc++;
    }
    int out_argc = -1;
    char **out = (char **)1;
    ut_capture_stderr_start();
    int rc = sun_options_translate("counters show", sun, longopts, shortopts,
                                   argc, argv, &out_argc, &out);
    char *err = ut_capture_stderr_stop();
    CU_ASSERT_EQUAL(rc, EX_USAGE);
    CU_ASSERT_EQUAL(out_argc, -1);                 /* outputs untouched */
    CU_ASSERT_PTR_EQUAL(out, (char **)1);
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, message));
    if (!err || !strstr(err, message))
        fprintf(stderr, "\n    stderr '%s', want '%s'\n", err ? err : "", message);
    free(err);
}

static void test_refused(void)
{
    expect_refused(WORDS("show", "-bogus"),
                   "mtamon: counters show: unknown option '-bogus'");
    expect_refused(WORDS("show", "-noheaders=1"),
                   "mtamon: counters show: option '-noheaders' takes no value");
    expect_refused(WORDS("show", "-f:"),
                   "mtamon: counters show: unknown option '-f:'");
}

UT_MAIN("sun_options",
        {"translated words", test_translated},
        {"refused words", test_refused})
