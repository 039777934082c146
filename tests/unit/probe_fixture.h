/*
 * probe_fixture.h - what the dialog suites (test_probe_mail,
 * test_probe_roundtrip) ask of a finished check and of the fake server
 * it talked to.
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
 * fake_server_completed(), once it reached @p want or 2 s passed: the
 * server's thread counts a connection after its last SEND, which the
 * client may have read before.
 */
unsigned pf_completed(fake_server *fs, unsigned want);

/** Does what the client sent @p fs contain @p s? */
int pf_sent(fake_server *fs, const char *s);

#endif /* MTAMON_PROBE_FIXTURE_H */
