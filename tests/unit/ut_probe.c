/*
 * ut_probe.c - the probe suites' check of a finished probe check (see
 * ut_probe.h).
 */
#include "ut_probe.h"

#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

struct test_cert ut_probe_cert;

void ut_probe_cert_make(void)
{
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(test_cert_make(&ut_probe_cert, err, sizeof err), 0);
}

void ut_probe_cert_remove(void)
{
    test_cert_remove(&ut_probe_cert);
}

const char *ut_probe_steps(const struct probe_check *out, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < out->n_steps && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? "," : "", out->steps[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

/* One assertion each at the caller's place; what differs printed. */
static void expect_int(const char *what, int got, int want, const char *file, unsigned line)
{
    CU_assertImplementation(got == want, line, what, file, "", CU_FALSE);
    if (got != want)
        fprintf(stderr, "\n    %s:%u: %s %d, want %d\n", file, line, what, got, want);
}

static void expect_text(const char *what, const char *got, const char *want, const char *file,
                        unsigned line)
{
    int same = strcmp(got, want) == 0;
    CU_assertImplementation(same, line, what, file, "", CU_FALSE);
    if (!same)
        fprintf(stderr, "\n    %s:%u: %s \"%s\", want \"%s\"\n", file, line, what, got, want);
}

void ut_probe_expect(const struct probe_check *out, int ok, int reply_code, const char *error,
                     const char *steps, const char *file, unsigned line)
{
    expect_int("ok", out->ok, ok, file, line);
    expect_int("reply_code", out->reply_code, reply_code, file, line);
    if (error)
        expect_text("error", out->error, error, file, line);
    if (steps) {
        char buf[PROBE_STEPS_MAX * PROBE_STEP_NAME_MAX];
        expect_text("steps", ut_probe_steps(out, buf, sizeof buf), steps, file, line);
    }
}
