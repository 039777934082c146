/*
 * ut_probe.h - what the probe suites (test_probe, test_probe_ldap,
 * test_probe_mail, test_probe_roundtrip) assert of every finished check:
 * passed or not, the reply code, the error text, the steps, in one call
 * instead of the same four assertions after each scripted dialogue; and
 * the test certificate of the suites that speak TLS (and test_probe_conn).
 */
#ifndef MTAMON_UT_PROBE_H
#define MTAMON_UT_PROBE_H

#include <stddef.h>

#include "probe.h"
#include "test_cert.h"

/**
 * The certificate of a suite's TLS tests: made by ut_probe_cert_make(),
 * the suite's first test, removed by ut_probe_cert_remove(), its last.
 */
extern struct test_cert ut_probe_cert;
void ut_probe_cert_make(void);
void ut_probe_cert_remove(void);

/** The names of @p out's steps joined by "," ("connect,greeting"), in @p buf. */
const char *ut_probe_steps(const struct probe_check *out, char *buf, size_t len);

/**
 * Assert, one CUnit assertion each and reported at the caller's line,
 * that @p out passed (@p ok 1) or failed (0), with the reply code
 * @p reply_code, the error text exactly @p error (not checked when NULL)
 * and the steps @p steps, their names joined by "," ("" for none; not
 * checked when NULL).  A text that differs is printed to stderr beside
 * the one wanted.
 */
#define UT_PROBE_EXPECT(out, ok, reply_code, error, steps) \
    ut_probe_expect((out), (ok), (reply_code), (error), (steps), __FILE__, __LINE__)

void ut_probe_expect(const struct probe_check *out, int ok, int reply_code, const char *error,
                     const char *steps, const char *file, unsigned line);

#endif /* MTAMON_UT_PROBE_H */
