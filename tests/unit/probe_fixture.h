/*
 * probe_fixture.h - what the probe suites (test_probe, test_probe_ldap,
 * test_probe_mail, test_probe_roundtrip) ask of a finished check and of
 * the fake server it talked to.
 *
 * Nothing here bounds a check's duration from above (timings are
 * measured in bench/, never asserted in make check): a check that timed
 * out is known by its error and by the deadline it reports, a step's
 * time by the steps around it.
 */
#ifndef MTAMON_PROBE_FIXTURE_H
#define MTAMON_PROBE_FIXTURE_H

#include <stdint.h>

#include "fake_server.h"
#include "probe.h"

/**
 * Are the steps of @p out exactly the names given, in order, ended by a
 * (char *)NULL?  When not, prints the steps and the error to stderr.
 */
int pf_steps_are(const struct probe_check *out, ...);

/** The step @p name's time in @p out, or UINT32_MAX when it is not there. */
uint32_t pf_step_ms(const struct probe_check *out, const char *name);

/**
 * Did the check @p out, run with a timeout of @p timeout_ms, fail at its
 * deadline in @p step?  Its error is exactly "STEP: timed out after N
 * ms" with N (the engine's deadline less the connection's start) at most
 * @p timeout_ms, and its total_ms is at least @p timeout_ms (it waited
 * for the deadline, never gave up before it).  When not, prints the
 * check to stderr.  @p step may name more than the step ("resolve:
 * HOST").
 */
int pf_timed_out(const struct probe_check *out, const char *step, unsigned timeout_ms);

/**
 * Do the steps of @p out add up to no more than its total_ms?  Steps
 * run one after the other, so a wait counted in two steps (or a step
 * timed from an earlier start) adds up to more.  When not, prints them.
 */
int pf_steps_within(const struct probe_check *out);

/**
 * fake_server_completed(), once it reached @p want or 2 s passed: the
 * server's thread counts a connection after its last SEND, which the
 * client may have read before.
 */
unsigned pf_completed(fake_server *fs, unsigned want);

/** Does what the client sent @p fs contain @p s? */
int pf_sent(fake_server *fs, const char *s);

#endif /* MTAMON_PROBE_FIXTURE_H */
