/*
 * test_config_alarm.c - the alarms: and alarm_options: sections of
 * mtamon.yaml (src/common/config_alarm.c): every key's value and
 * default, each kind's source and objects, the thresholds' defaults and
 * order, the names of kinds and severities, config_alarm_find(), and the
 * errors that need more than one file of tests/data/config to show (the
 * others are bad-alarm*.yaml there, run by test_config.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_util.h"
#include "ut_config.h"

static struct config *load_ok(const char *yaml)
{
    return ut_config_load_ok(ut_config_yaml(yaml, strlen(yaml)));
}

/* Load @p yaml; the message must be "PATH:" @p want. */
static void expect_error(const char *yaml, const char *want)
{
    ut_config_expect_error(ut_config_yaml(yaml, strlen(yaml)), want);
}

/* "mtamond@" this machine's name, as the default sender. */
static void default_from(char *out, size_t len)
{
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    snprintf(out, len, "mtamond@%s", host);
}

/* The defaults of alarm_options in @p c. */
static void assert_default_options(const struct config *c)
{
    char from[300];
    default_from(from, sizeof from);
    const struct config_alarm_options *o = &c->alarm_options;
    CU_ASSERT_EQUAL(o->max_per_second, 20);
    CU_ASSERT_EQUAL(o->pending_max, 1000);
    CU_ASSERT_STRING_EQUAL(o->state_file, "/var/lib/mtamon/alarms.json");
    CU_ASSERT_STRING_EQUAL(o->mail.command, "");
    CU_ASSERT_STRING_EQUAL(o->mail.smtp, "");
    CU_ASSERT_STRING_EQUAL(o->mail.smtp_host, "");
    CU_ASSERT_EQUAL(o->mail.smtp_port, 0);
    CU_ASSERT_STRING_EQUAL(o->mail.from, from);
    CU_ASSERT_EQUAL_FATAL(o->mail.n_to, 1);
    CU_ASSERT_STRING_EQUAL(o->mail.to[0], "postmaster");
    CU_ASSERT_EQUAL(o->mail.timeout_ms, 30000);
}

static void test_defaults(void)
{
    struct config *c = config_defaults();
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->n_alarms, 0);
    CU_ASSERT_PTR_NULL(c->alarms);
    assert_default_options(c);
    CU_ASSERT_PTR_NULL(config_alarm_find(c, "x"));
    config_free(c);

    c = load_ok("alarms:\nalarm_options:\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->n_alarms, 0);
    assert_default_options(c);
    config_free(c);

    /* mail: with nothing under it (all commented out) is no mail. */
    c = load_ok("alarm_options:\n  mail:\n    # command: /bin/sh\nalarms: []\n");
    UT_REQUIRE(c);
    assert_default_options(c);
    config_free(c);
}

static void test_options(void)
{
    struct config *c = load_ok("alarm_options:\n"
                               "  max_notifications_per_second: 0\n"
                               "  pending_max: 100000\n"
                               "  state_file: \"\"\n"
                               "  mail:\n"
                               "    command: /bin/sh -c 'cat >/dev/null'\n"
                               "    from: alarms@example.org\n"
                               "    to: hostmaster@example.org\n"
                               "    timeout: 0.1\n");
    UT_REQUIRE(c);
    const struct config_alarm_options *o = &c->alarm_options;
    CU_ASSERT_EQUAL(o->max_per_second, 0);
    CU_ASSERT_EQUAL(o->pending_max, 100000);
    CU_ASSERT_STRING_EQUAL(o->state_file, "");
    CU_ASSERT_STRING_EQUAL(o->mail.command, "/bin/sh -c 'cat >/dev/null'");
    CU_ASSERT_STRING_EQUAL(o->mail.smtp, "");
    CU_ASSERT_STRING_EQUAL(o->mail.smtp_host, "");
    CU_ASSERT_EQUAL(o->mail.smtp_port, 0);
    CU_ASSERT_STRING_EQUAL(o->mail.from, "alarms@example.org");
    CU_ASSERT_EQUAL_FATAL(o->mail.n_to, 1);
    CU_ASSERT_STRING_EQUAL(o->mail.to[0], "hostmaster@example.org");
    CU_ASSERT_EQUAL(o->mail.timeout_ms, 100);
    config_free(c);

    c = load_ok("alarm_options:\n"
                "  max_notifications_per_second: 10000\n"
                "  pending_max: 1\n"
                "  state_file: /run/mtamon/alarms.json\n"
                "  mail: {smtp: mail.example.org, to: [postmaster, ops@example.org], "
                "timeout: 600}\n");
    UT_REQUIRE(c);
    o = &c->alarm_options;
    CU_ASSERT_EQUAL(o->max_per_second, 10000);
    CU_ASSERT_EQUAL(o->pending_max, 1);
    CU_ASSERT_STRING_EQUAL(o->state_file, "/run/mtamon/alarms.json");
    CU_ASSERT_STRING_EQUAL(o->mail.command, "");
    CU_ASSERT_STRING_EQUAL(o->mail.smtp, "mail.example.org");
    CU_ASSERT_STRING_EQUAL(o->mail.smtp_host, "mail.example.org");
    CU_ASSERT_EQUAL(o->mail.smtp_port, 25);
    CU_ASSERT_EQUAL_FATAL(o->mail.n_to, 2);
    CU_ASSERT_STRING_EQUAL(o->mail.to[0], "postmaster");
    CU_ASSERT_STRING_EQUAL(o->mail.to[1], "ops@example.org");
    CU_ASSERT_EQUAL(o->mail.timeout_ms, 600000);
    config_free(c);

    c = load_ok("alarm_options: {mail: {smtp: '[2001:db8::25]:2525'}}\n");
    UT_REQUIRE(c);
    CU_ASSERT_STRING_EQUAL(c->alarm_options.mail.smtp, "[2001:db8::25]:2525");
    CU_ASSERT_STRING_EQUAL(c->alarm_options.mail.smtp_host, "2001:db8::25");
    CU_ASSERT_EQUAL(c->alarm_options.mail.smtp_port, 2525);
    config_free(c);

    c = load_ok("alarm_options: {mail: {smtp: '127.0.0.1:587'}}\n");
    UT_REQUIRE(c);
    CU_ASSERT_STRING_EQUAL(c->alarm_options.mail.smtp_host, "127.0.0.1");
    CU_ASSERT_EQUAL(c->alarm_options.mail.smtp_port, 587);
    config_free(c);
}

/* The sections every kind can refer to. */
#define SECTIONS \
    "partitions:\n" \
    "  - {name: root, path: /}\n" \
    "  - {name: tmp, path: /tmp}\n" \
    "probes:\n" \
    "  - {name: smtp, kind: smtp, address: '127.0.0.1:25'}\n" \
    "  - name: rt\n" \
    "    kind: roundtrip\n" \
    "    address: '127.0.0.1:587'\n" \
    "    mailbox: {kind: imap, address: 127.0.0.1, credentials: %s}\n" \
    "    from: a@example.org\n" \
    "    to: a@example.org\n" \
    "queues:\n" \
    "  - {name: spool, kind: generic, path: /tmp}\n" \
    "  - {name: pf, kind: postfix, path: /tmp, postqueue: ''}\n" \
    "channels:\n" \
    "  - name: tcp_local\n" \
    "  - name: ims-ms\n" \
    "connections:\n" \
    "  ports: [25, 587]\n" \
    "processes:\n" \
    "  watch:\n" \
    "    - {name: master, pidfile: /run/master.pid}\n" \
    "    - {name: qmgr, executable: qmgr}\n"

/* The objects of @p a are exactly the @p n names of @p want. */
static void assert_objects(const struct config_alarm *a, size_t n, const char *const *want)
{
    CU_ASSERT_EQUAL(a->n_objects, n);
    for (size_t i = 0; i < n && i < a->n_objects; i++) {
        CU_ASSERT_STRING_EQUAL(a->objects[i], want[i]);
    }
}

/* A credentials file (0600) for the round-trip probe, in the private
 * directory; its path. */
static const char *creds_file(void)
{
    static char creds[160];
    return ut_config_write("creds", "u:p\n", 4, 0600, creds, sizeof creds);
}

static void test_kinds(void)
{
    const char *creds = creds_file();
    UT_REQUIRE(creds);
    static const char alarms[] =
        "alarms:\n"
        "  - {name: a0, kind: disk_free, partitions: [root, 't*'], raise: 10, clear: 15}\n"
        "  - {name: a1, kind: inodes_free, raise: 5.5}\n"
        "  - {name: a2, kind: probe_slow, probes: smtp, raise: 1500}\n"
        "  - {name: a3, kind: probe_down}\n"
        "  - {name: a4, kind: roundtrip_slow, probes: [rt], raise: 30000, clear: 20000}\n"
        "  - {name: a5, kind: roundtrip_down, raise: 3, clear: 1}\n"
        "  - {name: a6, kind: queue_length, queues: [spool, pf/deferred, 'pf/*'], raise: 1000}\n"
        "  - {name: a7, kind: queue_age, channels: ['*'], raise: 3600, clear: 1800}\n"
        "  - {name: a8, kind: failure_rate, raise: 20, clear: 10, window: 3600,"
        " min_messages: 0, interval: 3600}\n"
        "  - {name: a9, kind: delivery_time, channels: [tcp_local, 'tcp_[a-z]*'], raise: 600}\n"
        "  - {name: a10, kind: connections, ports: [587], raise: 50}\n"
        "  - {name: a11, kind: process_down, processes: qmgr}\n"
        "  - {name: a12, kind: segment_missing}\n"
        "  - {name: a13, kind: segment_restarted, severity: minor}\n"
        "  - {name: a14, kind: segment_stale, raise: 600}\n"
        "  - {name: a15, kind: connections, raise: 100}\n"
        "  - {name: a16, kind: process_down}\n";
    char yaml[4096];
    snprintf(yaml, sizeof yaml, SECTIONS "%s", creds, alarms);
    struct config *c = load_ok(yaml);
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL_FATAL(c->n_alarms, 17);
    const struct config_alarm *a = c->alarms;

    static const struct {
        enum config_alarm_kind kind;
        enum config_alarm_source source;
        double raise, clear;
    } want[] = {
        {CONFIG_ALARM_DISK_FREE, CONFIG_ALARM_ON_PARTITIONS, 10, 15},
        {CONFIG_ALARM_INODES_FREE, CONFIG_ALARM_ON_PARTITIONS, 5.5, 5.5},
        {CONFIG_ALARM_PROBE_SLOW, CONFIG_ALARM_ON_PROBES, 1500, 1500},
        {CONFIG_ALARM_PROBE_DOWN, CONFIG_ALARM_ON_PROBES, 1, 1},
        {CONFIG_ALARM_ROUNDTRIP_SLOW, CONFIG_ALARM_ON_PROBES, 30000, 20000},
        {CONFIG_ALARM_ROUNDTRIP_DOWN, CONFIG_ALARM_ON_PROBES, 3, 1},
        {CONFIG_ALARM_QUEUE_LENGTH, CONFIG_ALARM_ON_QUEUES, 1000, 1000},
        {CONFIG_ALARM_QUEUE_AGE, CONFIG_ALARM_ON_CHANNELS, 3600, 1800},
        {CONFIG_ALARM_FAILURE_RATE, CONFIG_ALARM_ON_CHANNELS, 20, 10},
        {CONFIG_ALARM_DELIVERY_TIME, CONFIG_ALARM_ON_CHANNELS, 600, 600},
        {CONFIG_ALARM_CONNECTIONS, CONFIG_ALARM_ON_PORTS, 50, 50},
        {CONFIG_ALARM_PROCESS_DOWN, CONFIG_ALARM_ON_PROCESSES, 1, 1},
        {CONFIG_ALARM_SEGMENT_MISSING, CONFIG_ALARM_ON_SEGMENT, 1, 1},
        {CONFIG_ALARM_SEGMENT_RESTARTED, CONFIG_ALARM_ON_SEGMENT, 1, 1},
        {CONFIG_ALARM_SEGMENT_STALE, CONFIG_ALARM_ON_SEGMENT, 600, 600},
        {CONFIG_ALARM_CONNECTIONS, CONFIG_ALARM_ON_PORTS, 100, 100},
        {CONFIG_ALARM_PROCESS_DOWN, CONFIG_ALARM_ON_PROCESSES, 1, 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char name[8];
        snprintf(name, sizeof name, "a%zu", i);
        CU_ASSERT_STRING_EQUAL(a[i].name, name);
        CU_ASSERT_PTR_EQUAL(config_alarm_find(c, name), &a[i]);
        CU_ASSERT_EQUAL(a[i].kind, want[i].kind);
        CU_ASSERT_EQUAL(a[i].source, want[i].source);
        CU_ASSERT_EQUAL(a[i].raise, want[i].raise);
        CU_ASSERT_EQUAL(a[i].clear, want[i].clear);
        if (a[i].kind != want[i].kind || a[i].source != want[i].source ||
            a[i].raise != want[i].raise || a[i].clear != want[i].clear)
            fprintf(stderr, "\n    alarms[%zu]: kind %d source %d raise %g clear %g\n", i,
                    (int)a[i].kind, (int)a[i].source, a[i].raise, a[i].clear);
        /* The defaults, except where the entry says otherwise. */
        CU_ASSERT_EQUAL(a[i].for_s, 0);
        CU_ASSERT_EQUAL(a[i].interval_s, i == 8 ? 3600u : 60u);
        CU_ASSERT_EQUAL(a[i].resend_s, 3600);
        CU_ASSERT_EQUAL(a[i].window_s, i == 8 ? 3600u : 900u);
        CU_ASSERT_EQUAL(a[i].min_messages, i == 8 ? 0u : 20u);
        CU_ASSERT_EQUAL(a[i].severity,
                        i == 13 ? CONFIG_SEVERITY_MINOR : CONFIG_SEVERITY_WARNING);
        CU_ASSERT_EQUAL(a[i].mail, 1);
        CU_ASSERT_EQUAL(a[i].line, 25 + i);
    }
    assert_objects(&a[0], 2, (const char *const[]){"root", "t*"});
    assert_objects(&a[1], 0, NULL);
    assert_objects(&a[2], 1, (const char *const[]){"smtp"});
    assert_objects(&a[3], 0, NULL);
    assert_objects(&a[4], 1, (const char *const[]){"rt"});
    assert_objects(&a[5], 0, NULL);
    assert_objects(&a[6], 3, (const char *const[]){"spool", "pf/deferred", "pf/*"});
    assert_objects(&a[7], 1, (const char *const[]){"*"});
    assert_objects(&a[8], 0, NULL);
    assert_objects(&a[9], 2, (const char *const[]){"tcp_local", "tcp_[a-z]*"});
    assert_objects(&a[10], 1, (const char *const[]){"587"});
    assert_objects(&a[11], 1, (const char *const[]){"qmgr"});
    for (size_t i = 12; i < 17; i++)
        CU_ASSERT_EQUAL(a[i].n_objects, 0);
    CU_ASSERT_PTR_NULL(config_alarm_find(c, "a17"));
    CU_ASSERT_PTR_NULL(config_alarm_find(c, NULL));
    CU_ASSERT_PTR_NULL(config_alarm_find(NULL, "a0"));
    config_free(c);
}

static void test_every_key(void)
{
    struct config *c = load_ok("partitions: [{name: spool, path: /}]\n"
                               "alarms:\n"
                               "  - name: spool-disk\n"
                               "    kind: disk_free\n"
                               "    partitions: spool\n"
                               "    raise: 0\n"
                               "    clear: 99.5\n"
                               "    for: 604800\n"
                               "    interval: 86400\n"
                               "    resend: 0\n"
                               "    severity: critical\n"
                               "    mail: false\n"
                               "  - name: f\n"
                               "    kind: failure_rate\n"
                               "    channels: ['*']\n"
                               "    raise: 100\n"
                               "    clear: 0.001\n"
                               "    interval: 1\n"
                               "    resend: 604800\n"
                               "    window: 604800\n"
                               "    min_messages: 1000000000\n"
                               "    severity: major\n"
                               "    mail: true\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL_FATAL(c->n_alarms, 2);
    const struct config_alarm *a = &c->alarms[0];
    CU_ASSERT_STRING_EQUAL(a->name, "spool-disk");
    CU_ASSERT_EQUAL(a->source, CONFIG_ALARM_ON_PARTITIONS);
    CU_ASSERT_EQUAL_FATAL(a->n_objects, 1);
    CU_ASSERT_STRING_EQUAL(a->objects[0], "spool");
    CU_ASSERT_EQUAL(a->raise, 0);
    CU_ASSERT_EQUAL(a->clear, 99.5);
    CU_ASSERT_EQUAL(a->for_s, 604800);
    CU_ASSERT_EQUAL(a->interval_s, 86400);
    CU_ASSERT_EQUAL(a->resend_s, 0);
    CU_ASSERT_EQUAL(a->severity, CONFIG_SEVERITY_CRITICAL);
    CU_ASSERT_EQUAL(a->mail, 0);
    CU_ASSERT_EQUAL(a->line, 3);
    a = &c->alarms[1];
    CU_ASSERT_EQUAL(a->raise, 100);
    CU_ASSERT_EQUAL(a->clear, 0.001);
    CU_ASSERT_EQUAL(a->interval_s, 1);
    CU_ASSERT_EQUAL(a->resend_s, 604800);
    CU_ASSERT_EQUAL(a->window_s, 604800);
    CU_ASSERT_EQUAL(a->min_messages, 1000000000u);
    CU_ASSERT_EQUAL(a->severity, CONFIG_SEVERITY_MAJOR);
    CU_ASSERT_EQUAL(a->mail, 1);
    CU_ASSERT_EQUAL(a->line, 13);
    config_free(c);

    /* A channel pattern needs no channels: section (the segment has them). */
    c = load_ok("alarms: [{name: q, kind: queue_length, channels: '*', raise: 1}]\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->alarms[0].source, CONFIG_ALARM_ON_CHANNELS);
    config_free(c);
    /* A failure_rate alarm without channels: watches every channel. */
    c = load_ok("alarms: [{name: f, kind: failure_rate, raise: 5}]\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->alarms[0].source, CONFIG_ALARM_ON_CHANNELS);
    CU_ASSERT_EQUAL(c->alarms[0].n_objects, 0);
    config_free(c);
    /* Sections after alarms: are found all the same. */
    c = load_ok("alarms: [{name: d, kind: disk_free, partitions: [late], raise: 5}]\n"
                "partitions: [{name: late, path: /}]\n");
    UT_REQUIRE(c);
    config_free(c);
}

static void test_names(void)
{
    static const char *const names[] = {
        "disk_free",      "inodes_free",   "probe_slow",   "probe_down",
        "roundtrip_slow", "roundtrip_down", "queue_length", "queue_age",
        "failure_rate",   "delivery_time", "connections",  "process_down",
        "segment_missing", "segment_restarted", "segment_stale",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        CU_ASSERT_STRING_EQUAL(config_alarm_kind_name((enum config_alarm_kind)i), names[i]);
        CU_ASSERT_EQUAL(config_alarm_kind_below((enum config_alarm_kind)i), i < 2);
    }
    CU_ASSERT_STRING_EQUAL(config_alarm_kind_name((enum config_alarm_kind)15), "?");
    CU_ASSERT_STRING_EQUAL(config_alarm_kind_name((enum config_alarm_kind)-1), "?");
    CU_ASSERT_EQUAL(config_alarm_kind_below((enum config_alarm_kind)15), 0);
    CU_ASSERT_STRING_EQUAL(config_alarm_severity_name(CONFIG_SEVERITY_CRITICAL), "critical");
    CU_ASSERT_STRING_EQUAL(config_alarm_severity_name(CONFIG_SEVERITY_MAJOR), "major");
    CU_ASSERT_STRING_EQUAL(config_alarm_severity_name(CONFIG_SEVERITY_MINOR), "minor");
    CU_ASSERT_STRING_EQUAL(config_alarm_severity_name(CONFIG_SEVERITY_WARNING), "warning");
    CU_ASSERT_STRING_EQUAL(config_alarm_severity_name((enum config_alarm_severity)0), "?");
    CU_ASSERT_STRING_EQUAL(config_alarm_severity_name((enum config_alarm_severity)5), "?");
}

/* The errors whose message depends on the machine, or that need several
 * sections; one file each in tests/data/config has the rest. */
static void test_errors(void)
{
    /* A command that is not a program: the first word is what is run. */
    expect_error("alarm_options:\n  mail:\n    command: /tmp -t\n",
                 "3:14: alarm_options.mail.command: cannot run /tmp: not a regular file");
    /* roundtrip_*: a probe of another kind, named or by default. */
    expect_error("probes: [{name: s, kind: smtp, address: h}]\n"
                 "alarms: [{name: r, kind: roundtrip_slow, probes: [s], raise: 1}]\n",
                 "2:51: alarms[0].probes[0]: probe 's' is of kind smtp: a roundtrip_slow "
                 "alarm watches roundtrip probes (probe_slow watches any)");
    expect_error("probes: [{name: s, kind: smtp, address: h}]\n"
                 "alarms: [{name: r, kind: roundtrip_down}]\n",
                 "2:26: alarms[0].kind: a roundtrip_down alarm without probes: watches "
                 "every roundtrip probe, and probes: has none");
    /* The first unknown name is reported, wherever the section is. */
    expect_error("alarms:\n  - {name: d, kind: disk_free, partitions: [a, b], raise: 5}\n"
                 "partitions: [{name: a, path: /}]\n",
                 "2:48: alarms[0].partitions[1]: no partition 'b' in partitions");
    /* An entry's errors come before the next entry's. */
    expect_error("alarms:\n"
                 "  - {name: a, kind: segment_stale, raise: 1, clear: 2}\n"
                 "  - {name: a, kind: nope}\n",
                 "2:53: alarms[0].clear: 2 is above raise (1): a segment_stale alarm "
                 "raises at or above its raise threshold and clears below clear");
    /* The repeated name. */
    expect_error("alarms:\n"
                 "  - {name: a, kind: segment_missing}\n"
                 "  - {name: a, kind: segment_stale, raise: 60}\n",
                 "3:12: alarms[1].name: duplicate alarm 'a' (also alarms[0])");
}

UT_MAIN("config_alarm",
        {"defaults", test_defaults},
        {"alarm_options", test_options},
        {"every kind and its source", test_kinds},
        {"every key of an alarm", test_every_key},
        {"kind and severity names", test_names},
        {"errors", test_errors})
