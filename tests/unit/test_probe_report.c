/*
 * test_probe_report.c - what `mtamon probe` prints (src/cli/probe_report.c):
 * the exit status of a set of results, the table, the JSON object and the
 * Nagios line with its perfdata, on exact bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_util.h"
#include "probe_report.h"

static struct config_probe confs[3];

static void setup(void)
{
    if (confs[0].name)
        return;
    config_probe_init(&confs[0], CONFIG_PROBE_IMAP);
    config_probe_init(&confs[1], CONFIG_PROBE_SMTP);
    config_probe_init(&confs[2], CONFIG_PROBE_TCP);
    const char *names[] = {"imap", "smtp", "a=b"};
    const char *addrs[] = {"127.0.0.1:10143", "mx:25", "h:7"};
    for (int i = 0; i < 3; i++) {
        free(confs[i].name);
        confs[i].name = strdup(names[i]);
        char err[128];
        config_probe_address(&confs[i].server, addrs[i], err, sizeof err);
    }
    confs[0].server.tls = CONFIG_TLS_STARTTLS;
    confs[2].slow_ms = 0;
    confs[2].timeout_ms = 1500;
}

/* A row of probe @p i: @p ok, @p ms total, the steps "a 1, b 2" given. */
static struct probe_report_row row(int i, int ok, uint32_t ms, int code, const char *error)
{
    setup();
    struct probe_report_row r = {.conf = &confs[i]};
    struct probe_check k = {.ok = ok, .total_ms = ms, .reply_code = code};
    snprintf(k.error, sizeof k.error, "%s", error);
    const char *steps[] = {"connect", "greeting", "login", "logout"};
    for (size_t s = 0; s < (ok ? 4u : 1u); s++) {
        snprintf(k.steps[s].name, sizeof k.steps[s].name, "%s", steps[s]);
        k.steps[s].ms = (uint32_t)(s + 1);
    }
    k.n_steps = ok ? 4 : 1;
    /* What probe_result_add() gives, without linking the collectors. */
    r.result.last = k;
    r.result.state = !ok ? PROBE_DOWN : (confs[i].slow_ms && ms > confs[i].slow_ms)
                                            ? PROBE_SLOW : PROBE_UP;
    return r;
}

/* What @p fn printed for @p rows, in a static buffer. */
static const char *printed(int (*fn)(FILE *, const struct probe_report_row *, size_t),
                           const struct probe_report_row *rows, size_t n)
{
    static char buf[4096];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fn(f, rows, n), 0);
    fclose(f);
    return buf;
}

static void expect_printed(const char *got, const char *want)
{
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n    expected: [%s]\n    actual:   [%s]\n", want, got);
}

static void test_status(void)
{
    struct probe_report_row rows[3] = {row(0, 1, 12, 0, ""), row(1, 1, 13, 0, ""),
                                       row(2, 1, 5, 0, "")};
    CU_ASSERT_EQUAL(probe_report_status(rows, 3), PROBE_REPORT_OK);
    CU_ASSERT_EQUAL(probe_report_status(rows, 0), PROBE_REPORT_OK);
    rows[0] = row(0, 1, 2310, 0, "");
    CU_ASSERT_EQUAL(rows[0].result.state, PROBE_SLOW);
    CU_ASSERT_EQUAL(probe_report_status(rows, 3), PROBE_REPORT_WARNING);
    rows[2] = row(2, 0, 3, 0, "connect: Connection refused");
    CU_ASSERT_EQUAL(probe_report_status(rows, 3), PROBE_REPORT_CRITICAL);
    /* Down wins wherever it is. */
    rows[2] = row(2, 1, 5, 0, "");
    rows[0] = row(0, 0, 3, 0, "x");
    CU_ASSERT_EQUAL(probe_report_status(rows, 3), PROBE_REPORT_CRITICAL);
    CU_ASSERT_STRING_EQUAL(probe_report_state(PROBE_UP), "up");
    CU_ASSERT_STRING_EQUAL(probe_report_state(PROBE_SLOW), "slow");
    CU_ASSERT_STRING_EQUAL(probe_report_state(PROBE_DOWN), "down");
    CU_ASSERT_STRING_EQUAL(probe_report_state(PROBE_NOT_YET), "down");
}

static void test_json(void)
{
    struct probe_report_row rows[2] = {row(0, 1, 12, 0, ""),
                                       row(1, 0, 7, 421, "greeting: 421 4.3.2 \"busy\"")};
    expect_printed(printed(probe_report_json, rows, 2),
                   "{\"probes\":[{\"name\":\"imap\",\"kind\":\"imap\",\"address\":"
                   "\"127.0.0.1:10143\",\"tls\":\"starttls\",\"state\":\"up\",\"ok\":true,"
                   "\"total_ms\":12,\"reply_code\":0,\"error\":\"\",\"steps\":{\"connect\":1,"
                   "\"greeting\":2,\"login\":3,\"logout\":4}},{\"name\":\"smtp\",\"kind\":"
                   "\"smtp\",\"address\":\"mx:25\",\"tls\":\"none\",\"state\":\"down\","
                   "\"ok\":false,\"total_ms\":7,\"reply_code\":421,\"error\":\"greeting: 421 "
                   "4.3.2 \\\"busy\\\"\",\"steps\":{\"connect\":1}}]}\n");
    expect_printed(printed(probe_report_json, rows, 0), "{\"probes\":[]}\n");
}

static void test_nagios(void)
{
    struct probe_report_row rows[3] = {row(0, 1, 12, 0, ""), row(1, 1, 13, 0, ""),
                                       row(2, 1, 5, 0, "")};
    expect_printed(printed(probe_report_nagios, rows, 3),
                   "MTAMON PROBE OK - 3 up | imap=12ms;2000;10000;0 smtp=13ms;2000;10000;0 "
                   "'a=b'=5ms;;1500;0\n");
    rows[0] = row(0, 1, 2310, 0, "");
    expect_printed(printed(probe_report_nagios, rows, 2),
                   "MTAMON PROBE WARNING - imap slow (2310 ms) | imap=2310ms;2000;10000;0 "
                   "smtp=13ms;2000;10000;0\n");
    rows[1] = row(1, 0, 4, 421, "greeting: 421 4.3.2 busy | try later");
    expect_printed(printed(probe_report_nagios, rows, 2),
                   "MTAMON PROBE CRITICAL - smtp down: greeting: 421 4.3.2 busy / try later, "
                   "imap slow (2310 ms) | imap=2310ms;2000;10000;0 smtp=4ms;2000;10000;0\n");
}

static void test_text(void)
{
    struct probe_report_row rows[2] = {row(0, 1, 12, 0, ""),
                                       row(1, 0, 1007, 0, "connect: Connection refused")};
    expect_printed(printed(probe_report_text, rows, 2),
                   "NAME  KIND  ADDRESS          STATE     TIME  ERROR\n"
                   "imap  imap  127.0.0.1:10143  up       12 ms\n"
                   "      connect 1 ms, greeting 2 ms, login 3 ms, logout 4 ms\n"
                   "smtp  smtp  mx:25            down   1007 ms  connect: Connection refused\n"
                   "      connect 1 ms\n");
}

static void test_cleanup(void)
{
    for (int i = 0; i < 3; i++)
        config_probe_clear(&confs[i]);
    CU_ASSERT_PTR_NULL(confs[0].name);
}

UT_MAIN("probe_report",
        {"exit status", test_status},
        {"JSON", test_json},
        {"Nagios line", test_nagios},
        {"text table", test_text},
        {"cleanup", test_cleanup})
