/*
 * test_config.c - config_load() and friends (src/common/config.c): the
 * defaults, every key's value, index assignment and order, lookups, and
 * one exact message per kind of error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "unit_util.h"
#include "ut_config.h"

static const char *write_yaml(const char *yaml)
{
    return ut_config_yaml(yaml, strlen(yaml));
}

/* Load @p yaml; fails the test unless it is valid. */
static struct config *load_ok(const char *yaml)
{
    return ut_config_load_ok(write_yaml(yaml));
}

/* Load @p yaml (@p len bytes) and assert the message is exactly
 * "PATH:" @p want and that nothing was returned. */
static void expect_error_len(const char *yaml, size_t len, const char *want)
{
    ut_config_expect_error(ut_config_yaml(yaml, len), want);
}

static void expect_error(const char *yaml, const char *want)
{
    expect_error_len(yaml, strlen(yaml), want);
}

/* ------------------------------------------------------------------------ */
/* Defaults and a full file                                                  */

static void check_defaults(const struct config *c)
{
    CU_ASSERT_STRING_EQUAL(c->segment, "/mtamon");
    CU_ASSERT_EQUAL(c->trust_any_owner, 0);
    CU_ASSERT_STRING_EQUAL(c->agentx_socket, "");
    CU_ASSERT_EQUAL(c->ping_interval_s, 15);
    CU_ASSERT_EQUAL(c->timeout_ms, 5000);
    CU_ASSERT_EQUAL(c->retries, 1);
    CU_ASSERT_EQUAL(c->refresh_ms, 1000);
    CU_ASSERT_STRING_EQUAL(c->pidfile, "");
    CU_ASSERT_STRING_EQUAL(c->user, "");
    CU_ASSERT_STRING_EQUAL(c->group, "");
    CU_ASSERT_EQUAL(c->log, CONFIG_LOG_SYSLOG);
    CU_ASSERT_EQUAL(c->syslog_facility, LOG_DAEMON);
    CU_ASSERT_STRING_EQUAL(c->index_file, "/var/lib/mtamon/group-index");
    CU_ASSERT_EQUAL_FATAL(c->n_apps, 1);
    const struct config_app *a = &c->apps[0];
    CU_ASSERT_EQUAL(a->kind, CONFIG_APP_MTA);
    CU_ASSERT_EQUAL(a->index, 1);
    CU_ASSERT_STRING_EQUAL(a->name, "mta");
    CU_ASSERT_STRING_EQUAL(a->version, "");
    CU_ASSERT_STRING_EQUAL(a->description, "");
    CU_ASSERT_STRING_EQUAL(a->url, "");
    CU_ASSERT_STRING_EQUAL(a->directory_name, "");
    CU_ASSERT_PTR_EQUAL(config_mta_app(c), a);
    CU_ASSERT_EQUAL(c->n_channels, 0);
    CU_ASSERT_PTR_NULL(config_channel_find(c, "tcp_local"));
}

static void test_defaults(void)
{
    struct config *c = config_defaults();
    UT_REQUIRE(c);
    check_defaults(c);
    CU_ASSERT_STRING_EQUAL(c->path, "");
    config_free(c);
    config_free(NULL);
}

static void test_empty_file(void)
{
    const char *empties[] = {"", "# only a comment\n", "---\n", "~\n", "--- ~\n...\n",
                             "segment:\nagentx:\ndaemon: ~\napplications: null\n"
                             "channels:\npartitions:\n"};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        const char *path = write_yaml(empties[i]);
        struct config *c = ut_config_load_ok(path);
        UT_REQUIRE(c);
        check_defaults(c);
        CU_ASSERT_STRING_EQUAL(c->path, path);
        config_free(c);
    }
}

static const char full_yaml[] =
    "segment:\n"
    "  name: /mtamon-full\n"
    "agentx:\n"
    "  socket: tcp:127.0.0.1:7050\n"
    "  ping_interval: 3600\n"
    "  timeout: 60\n"
    "  retries: 0\n"
    "  refresh_interval: 10\n"
    "daemon:\n"
    "  user: mtamon\n"
    "  group: mail\n"
    "  pidfile: /run/mtamond.pid\n"
    "  log: stderr\n"
    "  syslog_facility: local7\n"
    "  index_file: /tmp/group-index\n"
    "applications:\n"
    "  - type: service\n"      /* line 17 */
    "    name: IMAP\n"
    "    index: 7\n"
    "    version: \"8.1.0.1\"\n"
    "    description: \"\\u00e9t\\u00e9\"\n"
    "    url: imap://mail.example.com/\n"
    "  - type: service\n"      /* line 23 */
    "    name: POP\n"
    "  - type: mta\n"          /* line 25 */
    "    name: \"Messaging Server MTA\"\n"
    "    version: 8.1\n"
    "    directory_name: \"cn=mta,o=example\"\n"
    "  - type: service\n"      /* line 29 */
    "    name: LMTP\n"
    "    index: 1\n"
    "channels:\n"
    "  - name: tcp_local\n"    /* line 33 */
    "    index: 3\n"
    "    group_name: \"SMTP: Internet\"\n"
    "    description: inbound and outbound SMTP\n"
    "    url: smtp://mail.example.com/\n"
    "    protocol: smtp\n"
    "    hierarchy: 0\n"
    "  - name: ims-ms\n"       /* line 40 */
    "    protocol: lmtp\n"
    "    hierarchy: -2147483648\n"
    "  - name: tcp_submit\n"   /* line 43 */
    "    index: 2147483647\n"
    "    protocol: udp/587\n"
    "    hierarchy: 2147483647\n"
    "  - name: conversion\n"   /* line 47 */
    "    protocol: .1.3.6.1.4.1.8072.9999.9999.4294967295\n"
    "  - name: bsout\n"        /* line 49 */
    "partitions:\n"
    "  - {name: spool, path: /}\n"
    "probes: [{name: imap, kind: imap, address: '127.0.0.1:143'}]\n"
    "alarms: []\n"
    "feed:\n"
    "  format: sun-ms\n";

static void test_full_file(void)
{
    struct config *c = load_ok(full_yaml);
    UT_REQUIRE(c);
    CU_ASSERT_STRING_EQUAL(c->segment, "/mtamon-full");
    CU_ASSERT_STRING_EQUAL(c->agentx_socket, "tcp:127.0.0.1:7050");
    CU_ASSERT_EQUAL(c->ping_interval_s, 3600);
    CU_ASSERT_EQUAL(c->timeout_ms, 60000);
    CU_ASSERT_EQUAL(c->retries, 0);
    CU_ASSERT_EQUAL(c->refresh_ms, 10);
    CU_ASSERT_STRING_EQUAL(c->user, "mtamon");
    CU_ASSERT_STRING_EQUAL(c->group, "mail");
    CU_ASSERT_STRING_EQUAL(c->pidfile, "/run/mtamond.pid");
    CU_ASSERT_EQUAL(c->log, CONFIG_LOG_STDERR);
    CU_ASSERT_EQUAL(c->syslog_facility, LOG_LOCAL7);
    CU_ASSERT_STRING_EQUAL(c->index_file, "/tmp/group-index");

    /* Pinned 7 and 1; POP and the MTA get 2 and 3 in file order; sorted. */
    CU_ASSERT_EQUAL_FATAL(c->n_apps, 4);
    const struct config_app *a = c->apps;
    CU_ASSERT_EQUAL(a[0].index, 1);
    CU_ASSERT_STRING_EQUAL(a[0].name, "LMTP");
    CU_ASSERT_EQUAL(a[0].kind, CONFIG_APP_SERVICE);
    CU_ASSERT_EQUAL(a[0].line, 29);
    CU_ASSERT_EQUAL(a[1].index, 2);
    CU_ASSERT_STRING_EQUAL(a[1].name, "POP");
    CU_ASSERT_EQUAL(a[1].line, 23);
    CU_ASSERT_EQUAL(a[2].index, 3);
    CU_ASSERT_STRING_EQUAL(a[2].name, "Messaging Server MTA");
    CU_ASSERT_EQUAL(a[2].kind, CONFIG_APP_MTA);
    CU_ASSERT_STRING_EQUAL(a[2].version, "8.1");
    CU_ASSERT_STRING_EQUAL(a[2].directory_name, "cn=mta,o=example");
    CU_ASSERT_STRING_EQUAL(a[2].description, "");
    CU_ASSERT_STRING_EQUAL(a[2].url, "");
    CU_ASSERT_EQUAL(a[2].line, 25);
    CU_ASSERT_EQUAL(a[3].index, 7);
    CU_ASSERT_STRING_EQUAL(a[3].name, "IMAP");
    CU_ASSERT_STRING_EQUAL(a[3].version, "8.1.0.1");
    CU_ASSERT_STRING_EQUAL(a[3].description, "\xc3\xa9t\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(a[3].url, "imap://mail.example.com/");
    CU_ASSERT_EQUAL(a[3].line, 17);
    CU_ASSERT_PTR_EQUAL(config_mta_app(c), &a[2]);

    /* Sorted by name (strcmp). */
    CU_ASSERT_EQUAL_FATAL(c->n_channels, 5);
    const struct config_channel *ch = c->channels;
    CU_ASSERT_STRING_EQUAL(ch[0].name, "bsout");
    CU_ASSERT_STRING_EQUAL(ch[1].name, "conversion");
    CU_ASSERT_STRING_EQUAL(ch[2].name, "ims-ms");
    CU_ASSERT_STRING_EQUAL(ch[3].name, "tcp_local");
    CU_ASSERT_STRING_EQUAL(ch[4].name, "tcp_submit");

    /* Defaults of a channel with only a name. */
    CU_ASSERT_EQUAL(ch[0].group_index, 0);
    CU_ASSERT_STRING_EQUAL(ch[0].group_name, "bsout");
    CU_ASSERT_STRING_EQUAL(ch[0].description, "");
    CU_ASSERT_STRING_EQUAL(ch[0].url, "");
    CU_ASSERT_EQUAL(ch[0].protocol_len, 0);
    CU_ASSERT_EQUAL(ch[0].hierarchy, 0);
    CU_ASSERT_EQUAL(ch[0].line, 49);

    const uint32_t conv[] = {1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 4294967295u};
    CU_ASSERT_EQUAL_FATAL(ch[1].protocol_len, 10);
    CU_ASSERT_EQUAL(memcmp(ch[1].protocol, conv, sizeof conv), 0);

    const uint32_t lmtp[] = {1, 3, 6, 1, 2, 1, 27, 4, 24};
    CU_ASSERT_EQUAL_FATAL(ch[2].protocol_len, 9);
    CU_ASSERT_EQUAL(memcmp(ch[2].protocol, lmtp, sizeof lmtp), 0);
    CU_ASSERT_EQUAL(ch[2].hierarchy, INT32_MIN);
    CU_ASSERT_STRING_EQUAL(ch[2].group_name, "ims-ms");

    const uint32_t smtp[] = {1, 3, 6, 1, 2, 1, 27, 4, 25};
    CU_ASSERT_EQUAL(ch[3].group_index, 3);
    CU_ASSERT_STRING_EQUAL(ch[3].group_name, "SMTP: Internet");
    CU_ASSERT_STRING_EQUAL(ch[3].description, "inbound and outbound SMTP");
    CU_ASSERT_STRING_EQUAL(ch[3].url, "smtp://mail.example.com/");
    CU_ASSERT_EQUAL_FATAL(ch[3].protocol_len, 9);
    CU_ASSERT_EQUAL(memcmp(ch[3].protocol, smtp, sizeof smtp), 0);
    CU_ASSERT_EQUAL(ch[3].line, 33);

    const uint32_t udp587[] = {1, 3, 6, 1, 2, 1, 27, 5, 587};
    CU_ASSERT_EQUAL(ch[4].group_index, 2147483647u);
    CU_ASSERT_EQUAL_FATAL(ch[4].protocol_len, 9);
    CU_ASSERT_EQUAL(memcmp(ch[4].protocol, udp587, sizeof udp587), 0);
    CU_ASSERT_EQUAL(ch[4].hierarchy, INT32_MAX);

    for (size_t i = 0; i < c->n_channels; i++)
        CU_ASSERT_PTR_EQUAL(config_channel_find(c, ch[i].name), &ch[i]);
    CU_ASSERT_PTR_NULL(config_channel_find(c, "tcp_locak"));
    CU_ASSERT_PTR_NULL(config_channel_find(c, ""));
    CU_ASSERT_PTR_NULL(config_channel_find(c, "a"));
    CU_ASSERT_PTR_NULL(config_channel_find(c, "zzz"));
    CU_ASSERT_PTR_NULL(config_channel_find(c, NULL));
    config_free(c);
}

/* Each protocol name gives applTCPProtoID.PORT. */
static void test_protocol_names(void)
{
    static const struct {
        const char *name;
        uint32_t port;
    } names[] = {{"smtp", 25},  {"submission", 587}, {"smtps", 465}, {"submissions", 465},
                 {"lmtp", 24},  {"pop3", 110},       {"pop3s", 995}, {"imap", 143},
                 {"imaps", 993}, {"tcp/1", 1},       {"tcp/65535", 65535}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char yaml[128];
        snprintf(yaml, sizeof yaml, "channels:\n  - name: c\n    protocol: %s\n",
                 names[i].name);
        struct config *c = load_ok(yaml);
        UT_REQUIRE(c);
        const struct config_channel *ch = config_channel_find(c, "c");
        UT_REQUIRE(ch);
        const uint32_t want[] = {1, 3, 6, 1, 2, 1, 27, 4, names[i].port};
        CU_ASSERT_EQUAL(ch->protocol_len, 9);
        CU_ASSERT_EQUAL(memcmp(ch->protocol, want, sizeof want), 0);
        config_free(c);
    }
    /* The shortest and the longest OIDs. */
    struct config *c = load_ok("channels:\n  - name: c\n    protocol: 0.0\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->channels[0].protocol_len, 2);
    CU_ASSERT_EQUAL(c->channels[0].protocol[0], 0);
    CU_ASSERT_EQUAL(c->channels[0].protocol[1], 0);
    config_free(c);
    char yaml[256] = "channels:\n  - name: c\n    protocol: 2";
    for (int i = 1; i < CONFIG_OID_MAX; i++)
        strcat(yaml, ".9");
    strcat(yaml, "\n");
    c = load_ok(yaml);
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->channels[0].protocol_len, CONFIG_OID_MAX);
    CU_ASSERT_EQUAL(c->channels[0].protocol[0], 2);
    CU_ASSERT_EQUAL(c->channels[0].protocol[CONFIG_OID_MAX - 1], 9);
    config_free(c);
}

/* ------------------------------------------------------------------------ */
/* applIndex assignment and the default MTA row                              */

static void test_app_indexes(void)
{
    /* No MTA: the default one comes first in file order, so it takes 1. */
    struct config *c = load_ok("applications:\n"
                               "  - {type: service, name: A}\n"
                               "  - {type: service, name: B, index: 2}\n"
                               "  - {type: service, name: C}\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL_FATAL(c->n_apps, 4);
    CU_ASSERT_EQUAL(c->apps[0].index, 1);
    CU_ASSERT_STRING_EQUAL(c->apps[0].name, "mta");
    CU_ASSERT_EQUAL(c->apps[0].kind, CONFIG_APP_MTA);
    CU_ASSERT_EQUAL(c->apps[0].line, 0);
    CU_ASSERT_EQUAL(c->apps[1].index, 2);
    CU_ASSERT_STRING_EQUAL(c->apps[1].name, "B");
    CU_ASSERT_EQUAL(c->apps[2].index, 3);
    CU_ASSERT_STRING_EQUAL(c->apps[2].name, "A");
    CU_ASSERT_EQUAL(c->apps[3].index, 4);
    CU_ASSERT_STRING_EQUAL(c->apps[3].name, "C");
    CU_ASSERT_PTR_EQUAL(config_mta_app(c), &c->apps[0]);
    config_free(c);

    /* A service pinned at 1: the default MTA takes the lowest free. */
    c = load_ok("applications:\n"
                "  - {type: service, name: A, index: 1}\n"
                "  - {type: service, name: B, index: 3}\n"
                "  - {type: service, name: C}\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL_FATAL(c->n_apps, 4);
    CU_ASSERT_EQUAL(config_mta_app(c)->index, 2);
    CU_ASSERT_EQUAL(c->apps[1].kind, CONFIG_APP_MTA);
    CU_ASSERT_STRING_EQUAL(c->apps[3].name, "C");
    CU_ASSERT_EQUAL(c->apps[3].index, 4);
    config_free(c);

    /* The largest applIndex. */
    c = load_ok("applications:\n  - {type: mta, name: M, index: 2147483647}\n"
                "  - {type: service, name: S}\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL_FATAL(c->n_apps, 2);
    CU_ASSERT_EQUAL(c->apps[0].index, 1);
    CU_ASSERT_STRING_EQUAL(c->apps[0].name, "S");
    CU_ASSERT_EQUAL(c->apps[1].index, 2147483647u);
    config_free(c);
}

/* ------------------------------------------------------------------------ */
/* Errors: one exact message per kind                                        */

static void test_file_errors(void)
{
    struct config *c = (struct config *)&c;
    char err[CONFIG_ERROR_MAX];
    CU_ASSERT_EQUAL(config_load("/nonexistent/mtamon.yaml", &c, err, sizeof err), -1);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_STRING_EQUAL(err, "/nonexistent/mtamon.yaml: No such file or directory");

    CU_ASSERT_PTR_NOT_NULL_FATAL(write_yaml(""));
    CU_ASSERT_EQUAL(config_load(ut_config_dir(), &c, err, sizeof err), -1);
    char want[CONFIG_ERROR_MAX];
    snprintf(want, sizeof want, "%s: Is a directory", ut_config_dir());
    CU_ASSERT_STRING_EQUAL(err, want);

    CU_ASSERT_EQUAL(config_load("", &c, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, ": no file name given");
    /* A NULL message buffer is allowed. */
    CU_ASSERT_EQUAL(config_load("/nonexistent/mtamon.yaml", &c, NULL, 0), -1);
    /* A small one gets the start of the message, never more. */
    char small[12] = "...........";
    small[11] = 'X';   /* a byte past what config_load may write */
    CU_ASSERT_EQUAL(config_load("/nonexistent/mtamon.yaml", &c, small, 11), -1);
    CU_ASSERT_STRING_EQUAL(small, "/nonexiste");
    CU_ASSERT_EQUAL(small[11], 'X');
}

static void test_syntax_errors(void)
{
    expect_error("agentx:\n  ping_interval: 15\n   timeout: 5\n",
                 "3:11: YAML error: mapping values are not allowed in this context");
    expect_error("a: [1\n", "2:1: YAML error: did not find expected ',' or ']' "
                            "(while parsing a flow sequence at line 1, column 4)");
    expect_error("agentx:\n  timeout: \"5\n",
                 "3:1: YAML error: found unexpected end of stream "
                 "(while scanning a quoted scalar at line 2, column 12)");
    /* Invalid UTF-8: libyaml's reader gives an offset; we give line:col. */
    expect_error("segment:\n  name: /m\xff\n",
                 "2:11: YAML error: invalid leading UTF-8 octet (byte 0xff)");
    expect_error("a: 1\n---\nb: 2\n", "2:1: only one YAML document is allowed");
}

static void test_top_level(void)
{
    expect_error("- segment\n", "1:1: the top level must be a mapping, found a sequence");
    expect_error("\n\nhello\n", "3:1: the top level must be a mapping, found a scalar");
    expect_error("segment:\n  name: /m\nagnetx: {}\n", "3:1: agnetx: unknown key");
}

static void test_unknown_keys(void)
{
    expect_error("segment:\n  size: 1\n", "2:3: segment.size: unknown key");
    expect_error("agentx:\n  ping: 15\n", "2:3: agentx.ping: unknown key");
    expect_error("daemon:\n  chroot: /\n", "2:3: daemon.chroot: unknown key");
    expect_error("applications:\n  - type: mta\n    name: M\n  - colour: red\n",
                 "4:5: applications[1].colour: unknown key");
    expect_error("channels:\n  - name: a\n  - name: b\n  - {name: c, spool: /q}\n",
                 "4:15: channels[2].spool: unknown key");
    /* Keys are compared whole: a NUL byte in a key never matches. */
    expect_error("agentx:\n  \"timeout\\0x\": 5\n", "2:3: agentx.timeout?x: unknown key");
}

static void test_wrong_types(void)
{
    expect_error("agentx: 5\n", "1:9: agentx: expected a mapping, found a scalar");
    expect_error("daemon:\n  - user: x\n", "2:3: daemon: expected a mapping, found a sequence");
    expect_error("agentx:\n  timeout: {s: 5}\n",
                 "2:12: agentx.timeout: expected a number, found a mapping");
    expect_error("agentx:\n  socket: [a]\n",
                 "2:11: agentx.socket: expected a string, found a sequence");
    expect_error("channels: tcp_local\n", "1:11: channels: expected a sequence, found a scalar");
    expect_error("applications: {type: mta}\n",
                 "1:15: applications: expected a sequence, found a mapping");
    expect_error("channels:\n  - tcp_local\n",
                 "2:5: channels[0]: expected a mapping, found a scalar");
    expect_error("daemon:\n  log: [stderr]\n",
                 "2:8: daemon.log: expected a name, found a sequence");
    expect_error("channels:\n  - name: c\n    protocol: {tcp: 25}\n",
                 "3:15: channels[0].protocol: expected a protocol name, found a mapping");
    expect_error("alarms: 5\n", "1:9: alarms: expected a sequence, found a scalar");
    expect_error("alarm_options: []\n",
                 "1:16: alarm_options: expected a mapping, found a sequence");
    expect_error("probes: 5\n", "1:9: probes: expected a sequence, found a scalar");
    expect_error("feed: \"\"\n",
                 "1:7: feed: expected a mapping or a sequence, found a scalar");
}

static void test_duplicate_keys(void)
{
    expect_error("agentx:\n  timeout: 5\n  retries: 1\n  timeout: 6\n",
                 "4:3: agentx.timeout: duplicate key (first at line 2, column 3)");
    expect_error("segment: {}\nchannels: []\nsegment: {}\n",
                 "3:1: segment: duplicate key (first at line 1, column 1)");
    /* The earliest repetition is named, and the first occurrence. */
    expect_error("daemon: {b: 1, a: 1, a: 2, b: 2, a: 3}\n",
                 "1:22: daemon.a: duplicate key (first at line 1, column 16)");
    /* Also inside the sections this version ignores. */
    expect_error("feed:\n  - {x: 1, y: 2, x: 3}\n",
                 "2:18: feed[0].x: duplicate key (first at line 2, column 6)");
    expect_error("alarms:\n  - {x: 1, y: 2, x: 3}\n",
                 "2:18: alarms[0].x: duplicate key (first at line 2, column 6)");
    /* Quoting does not make another key. */
    expect_error("agentx:\n  timeout: 5\n  'timeout': 6\n",
                 "3:3: agentx.timeout: duplicate key (first at line 2, column 3)");
}

static void test_numbers(void)
{
    expect_error("agentx:\n  ping_interval: 0\n",
                 "2:18: agentx.ping_interval: 0 is out of range (1..3600)");
    expect_error("agentx:\n  ping_interval: 3601\n",
                 "2:18: agentx.ping_interval: 3601 is out of range (1..3600)");
    expect_error("agentx:\n  timeout: 61\n", "2:12: agentx.timeout: 61 is out of range (1..60)");
    expect_error("agentx:\n  retries: 11\n", "2:12: agentx.retries: 11 is out of range (0..10)");
    expect_error("agentx:\n  refresh_interval: 9\n",
                 "2:21: agentx.refresh_interval: 9 is out of range (10..60000)");
    expect_error("agentx:\n  refresh_interval: 60001\n",
                 "2:21: agentx.refresh_interval: 60001 is out of range (10..60000)");
    expect_error("agentx:\n  retries: 18446744073709551616\n",
                 "2:12: agentx.retries: 18446744073709551616 is out of range (0..10)");
    expect_error("agentx:\n  retries: 9223372036854775808\n",
                 "2:12: agentx.retries: 9223372036854775808 is out of range (0..10)");
    expect_error("agentx:\n  timeout: five\n", "2:12: agentx.timeout: 'five' is not a decimal integer");
    expect_error("agentx:\n  timeout: 5s\n", "2:12: agentx.timeout: '5s' is not a decimal integer");
    expect_error("agentx:\n  timeout: 0x5\n", "2:12: agentx.timeout: '0x5' is not a decimal integer");
    expect_error("agentx:\n  timeout: 05\n", "2:12: agentx.timeout: '05' is not a decimal integer");
    expect_error("agentx:\n  timeout: +5\n", "2:12: agentx.timeout: '+5' is not a decimal integer");
    expect_error("agentx:\n  retries: -0\n", "2:12: agentx.retries: '-0' is not a decimal integer");
    expect_error("agentx:\n  timeout: 5.0\n", "2:12: agentx.timeout: '5.0' is not a decimal integer");
    expect_error("agentx:\n  timeout: 1e3\n", "2:12: agentx.timeout: '1e3' is not a decimal integer");
    expect_error("agentx:\n  timeout:\n", "2:11: agentx.timeout: '' is not a decimal integer");
    expect_error("agentx:\n  timeout: '5'\n",
                 "2:12: agentx.timeout: expected a number, found the quoted string '5'");
    expect_error("channels:\n  - {name: c, hierarchy: 2147483648}\n",
                 "2:26: channels[0].hierarchy: 2147483648 is out of range "
                 "(-2147483648..2147483647)");
    expect_error("channels:\n  - {name: c, hierarchy: -2147483649}\n",
                 "2:26: channels[0].hierarchy: -2147483649 is out of range "
                 "(-2147483648..2147483647)");
    expect_error("channels:\n  - {name: c, hierarchy: --1}\n",
                 "2:26: channels[0].hierarchy: '--1' is not a decimal integer");
    expect_error("channels:\n  - {name: c, hierarchy: -}\n",
                 "2:26: channels[0].hierarchy: '-' is not a decimal integer");
    expect_error("channels:\n  - {name: c, index: 0}\n",
                 "2:22: channels[0].index: 0 is out of range (1..2147483647)");
    expect_error("applications:\n  - {type: mta, name: M, index: 2147483648}\n",
                 "2:33: applications[0].index: 2147483648 is out of range (1..2147483647)");
    /* The bounds themselves are valid. */
    struct config *c = load_ok("agentx: {ping_interval: 1, timeout: 1, retries: 10, "
                               "refresh_interval: 60000}\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->ping_interval_s, 1);
    CU_ASSERT_EQUAL(c->timeout_ms, 1000);
    CU_ASSERT_EQUAL(c->retries, 10);
    CU_ASSERT_EQUAL(c->refresh_ms, 60000);
    config_free(c);
}

static void test_enums(void)
{
    expect_error("daemon:\n  log: file\n", "2:8: daemon.log: 'file' is not one of syslog, stderr");
    expect_error("daemon:\n  log: Syslog\n",
                 "2:8: daemon.log: 'Syslog' is not one of syslog, stderr");
    expect_error("daemon:\n  syslog_facility: local8\n",
                 "2:20: daemon.syslog_facility: 'local8' is not one of daemon, mail, user, "
                 "local0, local1, local2, local3, local4, local5, local6, local7");
    expect_error("applications:\n  - {type: server, name: S}\n",
                 "2:12: applications[0].type: 'server' is not one of mta, service");
    expect_error("channels:\n  - {name: c, protocol: smtp25}\n",
                 "2:25: channels[0].protocol: 'smtp25' is not a mail protocol: smtp, "
                 "submission, smtps, submissions, lmtp, pop3, pop3s, imap, imaps, "
                 "tcp/PORT, udp/PORT or a numeric OID");
    expect_error("channels:\n  - {name: c, protocol: tcp/0}\n",
                 "2:25: channels[0].protocol: 'tcp/0': the port must be a number from 1 to 65535");
    expect_error("channels:\n  - {name: c, protocol: udp/65536}\n",
                 "2:25: channels[0].protocol: 'udp/65536': the port must be a number from 1 "
                 "to 65535");
    expect_error("channels:\n  - {name: c, protocol: tcp/025}\n",
                 "2:25: channels[0].protocol: 'tcp/025': the port must be a number from 1 to "
                 "65535");
    static const char *bad_oids[] = {"3.1", "1", "1.3.", "1..3", ".", "1.3.6.1.4294967296",
                                     "1.03", "1.3.x"};
    for (size_t i = 0; i < sizeof bad_oids / sizeof bad_oids[0]; i++) {
        char yaml[128], want[256];
        snprintf(yaml, sizeof yaml, "channels:\n  - {name: c, protocol: '%s'}\n", bad_oids[i]);
        snprintf(want, sizeof want,
                 "2:25: channels[0].protocol: '%s' is not an OBJECT IDENTIFIER: 2 to 32 "
                 "numbers up to 4294967295 joined by '.', the first 0, 1 or 2", bad_oids[i]);
        expect_error(yaml, want);
    }
    /* One sub-identifier too many. */
    char yaml[256] = "channels:\n  - {name: c, protocol: 1";
    for (int i = 1; i <= CONFIG_OID_MAX; i++)
        strcat(yaml, ".1");
    strcat(yaml, "}\n");
    expect_error(yaml, "2:25: channels[0].protocol: '1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1."
                       "1.1.1....' is not an OBJECT IDENTIFIER: 2 to 32 numbers up to "
                       "4294967295 joined by '.', the first 0, 1 or 2");
}

static void test_applications(void)
{
    expect_error("applications:\n  - {type: mta, name: M, index: 1}\n"
                 "  - {type: service, name: A, index: 2}\n"
                 "  - {type: service, name: B, index: 2}\n",
                 "4:37: applications[2].index: duplicate applIndex 2 "
                 "(also applications[1] at line 3)");
    expect_error("applications:\n  - {type: mta, name: M1}\n  - {type: service, name: S}\n"
                 "  - {type: mta, name: M2}\n",
                 "4:12: applications[2].type: only one application may be of type mta "
                 "(the first is applications[0] at line 2)");
    expect_error("applications:\n  - {type: service, version: '1'}\n",
                 "2:5: applications[0]: missing required key 'name'");
    expect_error("applications:\n  - name: IMAP\n",
                 "2:5: applications[0]: missing required key 'type' (mta or service)");
    expect_error("applications:\n  - {type: mta, name: ''}\n",
                 "2:23: applications[0].name: must not be empty");
    expect_error("applications:\n  - {type: mta, name: }\n",
                 "2:23: applications[0].name: must not be empty");
    expect_error("applications:\n  - {type: mta, name: M, url: 'http://x/a b'}\n",
                 "2:31: applications[0].url: must not contain spaces");
    expect_error("applications:\n  - {type: mta, name: \"M\\x7f\"}\n",
                 "2:23: applications[0].name: contains a control character (U+007F)");
    expect_error("applications:\n  - {type: mta, name: \"M\\u0085\"}\n",
                 "2:23: applications[0].name: contains a control character (U+0085)");
    expect_error("applications:\n  - {type: mta, name: \"a\\tb\"}\n",
                 "2:23: applications[0].name: contains a control character (U+0009)");
    expect_error("applications:\n  - type: mta\n    name: |\n      two\n      lines\n",
                 "3:11: applications[0].name: contains a control character (U+000A)");
}

/* 255 bytes are allowed, 256 are not; limits count bytes, not characters. */
static void test_lengths(void)
{
    char yaml[1024], want[256];
    char long_text[300];
    memset(long_text, 'd', 255);
    long_text[255] = '\0';
    snprintf(yaml, sizeof yaml, "applications:\n  - {type: mta, name: %s}\n", long_text);
    struct config *c = load_ok(yaml);
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(strlen(c->apps[0].name), 255);
    config_free(c);
    snprintf(yaml, sizeof yaml, "applications:\n  - {type: mta, name: %sd}\n", long_text);
    expect_error(yaml, "2:23: applications[0].name: too long: 256 bytes, at most 255");

    /* 128 two-byte characters: 256 bytes. */
    char *p = yaml + snprintf(yaml, sizeof yaml, "channels:\n  - {name: c, description: ");
    for (int i = 0; i < 128; i++)
        p += sprintf(p, "\xc3\xa9");
    strcpy(p, "}\n");
    expect_error(yaml, "2:28: channels[0].description: too long: 256 bytes, at most 255");

    memset(long_text, 'c', 64);
    long_text[64] = '\0';
    snprintf(yaml, sizeof yaml, "channels:\n  - name: %s\n", long_text);
    expect_error(yaml, "2:11: channels[0].name: too long: 64 bytes, at most 63");
    long_text[63] = '\0';
    snprintf(yaml, sizeof yaml, "channels:\n  - name: %s\n", long_text);
    c = load_ok(yaml);
    UT_REQUIRE(c);
    CU_ASSERT_PTR_NOT_NULL(config_channel_find(c, long_text));
    config_free(c);

    memset(long_text, 's', 254);
    long_text[254] = '\0';
    snprintf(yaml, sizeof yaml, "segment: {name: /%s}\n", long_text);
    c = load_ok(yaml);
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(strlen(c->segment), 255);
    config_free(c);
    snprintf(yaml, sizeof yaml, "segment: {name: /%ss}\n", long_text);
    snprintf(want, sizeof want, "1:17: segment.name: too long: 256 bytes, at most 255");
    expect_error(yaml, want);
}

static void test_channels(void)
{
    expect_error("channels:\n  - name: tcp_local\n  - name: ims-ms\n  - name: tcp_local\n",
                 "4:11: channels[2].name: duplicate channel 'tcp_local' "
                 "(also channels[0] at line 2)");
    expect_error("channels:\n  - {name: a, index: 3}\n  - {name: b}\n  - {name: c, index: 3}\n",
                 "4:22: channels[2].index: duplicate mtaGroupIndex 3 "
                 "(also channels[0] at line 2)");
    /* Of several clashes, the earliest repetition is named, with the
     * first occurrence of what it repeats. */
    expect_error("channels: [{name: b}, {name: a}, {name: a}, {name: b}]\n",
                 "1:41: channels[2].name: duplicate channel 'a' (also channels[1] at line 1)");
    expect_error("channels:\n  - {name: a, index: 5}\n  - {name: b, index: 7}\n"
                 "  - {name: c, index: 7}\n  - {name: d, index: 5}\n  - {name: e, index: 7}\n",
                 "4:22: channels[2].index: duplicate mtaGroupIndex 7 "
                 "(also channels[1] at line 3)");
    expect_error("channels:\n  - name: \"tcp local\"\n",
                 "2:11: channels[0].name: channel name has a space, control or non-ASCII "
                 "character (byte 0x20 at offset 3)");
    expect_error("channels:\n  - name: \"k\xc3\xa4se\"\n",
                 "2:11: channels[0].name: channel name has a space, control or non-ASCII "
                 "character (byte 0xc3 at offset 1)");
    expect_error("channels:\n  - name: ''\n", "2:11: channels[0].name: must not be empty");
    expect_error("channels:\n  - {index: 4}\n", "2:5: channels[0]: missing required key 'name'");
    expect_error("channels:\n  - {name: c, group_name: ''}\n",
                 "2:27: channels[0].group_name: must not be empty");
    /* An unpinned index equal to a pinned one is not a clash here: the
     * agent's index map assigns around pinned indexes. */
    struct config *c = load_ok("channels:\n  - {name: b, index: 1}\n  - {name: a}\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->channels[0].group_index, 0);
    CU_ASSERT_EQUAL(c->channels[1].group_index, 1);
    config_free(c);
}

static void test_segment_and_daemon(void)
{
    expect_error("segment:\n  name: mtamon\n",
                 "2:9: segment.name: 'mtamon' is not a shared-memory name: '/' then 1 to 254 "
                 "characters, no other '/'");
    expect_error("segment:\n  name: /a/b\n",
                 "2:9: segment.name: '/a/b' is not a shared-memory name: '/' then 1 to 254 "
                 "characters, no other '/'");
    expect_error("segment:\n  name: /\n",
                 "2:9: segment.name: '/' is not a shared-memory name: '/' then 1 to 254 "
                 "characters, no other '/'");
    expect_error("segment:\n  name:\n", "2:8: segment.name: must not be empty");
    expect_error("daemon:\n  index_file: ''\n", "2:15: daemon.index_file: must not be empty");
    expect_error("daemon:\n  user: \"mt\\0amon\"\n",
                 "2:9: daemon.user: contains a control character (U+0000)");
    expect_error("daemon:\n  user: mt amon\n", "2:9: daemon.user: must not contain spaces");

    struct config *c = load_ok("segment:\n  trust_any_owner: true\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->trust_any_owner, 1);
    config_free(c);
    c = load_ok("segment:\n  trust_any_owner: false\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->trust_any_owner, 0);
    config_free(c);
    expect_error("segment:\n  trust_any_owner: yes\n",
                 "2:20: segment.trust_any_owner: 'yes' is not one of false, true");
    expect_error("segment:\n  trust_any_owner: [true]\n",
                 "2:20: segment.trust_any_owner: expected a name, found a sequence");
}

static void test_anchors_and_aliases(void)
{
    expect_error("channels:\n  - name: a\n    description: &d text\n"
                 "  - name: b\n    description: *d\n",
                 "3:18: anchors and aliases are not supported");
    expect_error("segment:\n  name: *n\n", "2:9: anchors and aliases are not supported");
    expect_error("agentx: &a {timeout: 5}\n", "1:9: anchors and aliases are not supported");
    expect_error("x: &a [1]\n", "1:4: anchors and aliases are not supported");
}

static void test_tags_and_keys(void)
{
    /* Every tag is refused, where it is written: on a scalar, a mapping
     * or a sequence, standard ("!!str", "!!binary"), language-specific
     * ("!!python/object/apply:"), local ("!foo"), verbatim, non-specific
     * ("!"), or declared with %TAG. */
    expect_error("agentx:\n  socket: !!str x\n", "2:11: tags are not supported");
    expect_error("agentx:\n  timeout: !!int 7\n", "2:12: tags are not supported");
    expect_error("segment:\n  name: !!binary L210YW1vbg==\n",
                 "2:9: tags are not supported");
    expect_error("probes:\n  - !!python/object/apply:os.system [\"id\"]\n",
                 "2:5: tags are not supported");
    expect_error("channels:\n  - {name: !foo c}\n", "2:12: tags are not supported");
    expect_error("agentx: !!map\n  timeout: 7\n", "1:9: tags are not supported");
    expect_error("channels: !!seq\n  - name: c\n", "1:11: tags are not supported");
    expect_error("daemon:\n  user: !<tag:yaml.org,2002:str> mtamon\n",
                 "2:9: tags are not supported");
    expect_error("daemon:\n  user: ! mtamon\n", "2:9: tags are not supported");
    expect_error("%TAG !m! tag:mtamon.example,2026:\n---\ndaemon:\n  user: !m!u x\n",
                 "4:9: tags are not supported");
    /* The key itself. */
    expect_error("agentx:\n  !!str timeout: 7\n", "2:3: tags are not supported");
    /* An anchor and a tag on one node: the anchor is reported. */
    expect_error("x: &a !!str y\n", "1:4: anchors and aliases are not supported");
    /* A quoted "!" is text, not a tag. */
    struct config *c = load_ok("agentx:\n  socket: \"!!str\"\n");
    UT_REQUIRE(c);
    CU_ASSERT_STRING_EQUAL(c->agentx_socket, "!!str");
    config_free(c);
    expect_error("agentx:\n  [timeout]: 5\n",
                 "2:3: agentx: a key must be a scalar, not a sequence");
    expect_error("? {a: 1}\n: 2\n", "1:3: a key must be a scalar, not a mapping");
    expect_error("probes:\n  - ? [a]\n    : 1\n",
                 "2:7: probes[0]: a key must be a scalar, not a sequence");
}

static void test_deep_nesting(void)
{
    char yaml[256];
    char *p = yaml + sprintf(yaml, "feed: ");
    for (int i = 0; i < 70; i++)
        *p++ = '[';
    for (int i = 0; i < 70; i++)
        *p++ = ']';
    strcpy(p, "\n");
    expect_error(yaml, "1:70: nested more than 64 levels deep");
    /* 63 levels below the top are fine. */
    p = yaml + sprintf(yaml, "feed: ");
    for (int i = 0; i < 63; i++)
        *p++ = '[';
    for (int i = 0; i < 63; i++)
        *p++ = ']';
    strcpy(p, "\n");
    struct config *c = load_ok(yaml);
    config_free(c);
}

/* Bytes a YAML parser may see as text end: NUL inside a file. */
static void test_nul_in_file(void)
{
    static const char yaml[] = "agentx:\n  timeout: 5\0\n";
    expect_error_len(yaml, sizeof yaml - 1,
                     "2:13: YAML error: control characters are not allowed (byte 0x00)");
}


/* ------------------------------------------------------------------------ */
/* The collectors' sections                                                  */

static void test_collectors(void)
{
    struct config *c = load_ok("queues:\n"
                               "  - {name: tcp_local, kind: directory, path: /tmp}\n"
                               "  - {name: pf, kind: postfix, path: /tmp, interval: 5}\n"
                               "  - {name: any, kind: generic, path: /, glob: 'x[!.]*',"
                               " depth: 0, interval: 86400}\n"
                               "partitions:\n"
                               "  - {name: root, path: /}\n"
                               "  - {name: tmp, path: /tmp, interval: 7}\n"
                               "connections: {ports: [993, 25, 587], top: 0}\n"
                               "processes:\n"
                               "  interval: 3\n"
                               "  watch:\n"
                               "    - {name: d, executable: dispatcher}\n"
                               "    - {name: j, executable: job_controller, argument: -x,"
                               " min: 2, max: 3}\n"
                               "    - {name: m, pidfile: /run/m.pid, min: 0}\n"
                               "applications:\n"
                               "  - {type: mta, name: M, port: 25, processes: [d, j]}\n"
                               "  - {type: service, name: S}\n"
                               "channels:\n"
                               "  - {name: b, queue: pf/deferred}\n"
                               "  - {name: a, queue: tcp_local}\n"
                               "  - {name: c}\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL_FATAL(c->n_queues, 3);
    const struct config_queue *q = config_queue_find(c, "tcp_local");
    UT_REQUIRE(q);
    CU_ASSERT_PTR_EQUAL(q, &c->queues[0]);
    CU_ASSERT_EQUAL(q->kind, CONFIG_QUEUE_DIRECTORY);
    CU_ASSERT_STRING_EQUAL(q->path, "/tmp");
    CU_ASSERT_STRING_EQUAL(q->glob, "*");
    CU_ASSERT_EQUAL(q->depth, 2);
    CU_ASSERT_EQUAL(q->interval_s, 60);
    CU_ASSERT_STRING_EQUAL(q->postqueue, "");
    q = &c->queues[1];
    CU_ASSERT_EQUAL(q->kind, CONFIG_QUEUE_POSTFIX);
    CU_ASSERT_EQUAL(q->interval_s, 5);
    CU_ASSERT_STRING_EQUAL(q->postqueue, "/usr/sbin/postqueue");
    CU_ASSERT_STRING_EQUAL(q->postfix_config, "");
    q = &c->queues[2];
    CU_ASSERT_EQUAL(q->kind, CONFIG_QUEUE_GENERIC);
    CU_ASSERT_STRING_EQUAL(q->glob, "x[!.]*");
    CU_ASSERT_EQUAL(q->depth, 0);
    CU_ASSERT_EQUAL(q->interval_s, 86400);
    CU_ASSERT_PTR_NULL(config_queue_find(c, "pf/deferred"));

    CU_ASSERT_EQUAL_FATAL(c->n_partitions, 2);
    CU_ASSERT_STRING_EQUAL(c->partitions[0].name, "root");
    CU_ASSERT_EQUAL(c->partitions[0].interval_s, 30);
    CU_ASSERT_EQUAL(c->partitions[1].interval_s, 7);

    CU_ASSERT_EQUAL_FATAL(c->connections.n_ports, 3);
    CU_ASSERT_EQUAL(c->connections.ports[0], 25);
    CU_ASSERT_EQUAL(c->connections.ports[1], 587);
    CU_ASSERT_EQUAL(c->connections.ports[2], 993);
    CU_ASSERT_EQUAL(c->connections.top, 0);
    CU_ASSERT_EQUAL(c->connections.interval_s, 10);

    CU_ASSERT_EQUAL(c->process_watch.interval_s, 3);
    CU_ASSERT_EQUAL_FATAL(c->n_processes, 3);
    const struct config_process *p = config_process_find(c, "j");
    UT_REQUIRE(p);
    CU_ASSERT_STRING_EQUAL(p->executable, "job_controller");
    CU_ASSERT_STRING_EQUAL(p->argument, "-x");
    CU_ASSERT_STRING_EQUAL(p->pidfile, "");
    CU_ASSERT_EQUAL(p->min, 2);
    CU_ASSERT_EQUAL(p->max, 3);
    p = config_process_find(c, "d");
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->min, 1);
    CU_ASSERT_EQUAL(p->max, 0);
    CU_ASSERT_STRING_EQUAL(p->argument, "");
    p = config_process_find(c, "m");
    UT_REQUIRE(p);
    CU_ASSERT_STRING_EQUAL(p->pidfile, "/run/m.pid");
    CU_ASSERT_STRING_EQUAL(p->executable, "");
    CU_ASSERT_EQUAL(p->min, 0);
    CU_ASSERT_PTR_NULL(config_process_find(c, "x"));

    const struct config_app *mta = config_mta_app(c);
    UT_REQUIRE(mta);
    CU_ASSERT_EQUAL(mta->port, 25);
    CU_ASSERT_EQUAL_FATAL(mta->n_processes, 2);
    CU_ASSERT_STRING_EQUAL(mta->processes[0], "d");
    CU_ASSERT_STRING_EQUAL(mta->processes[1], "j");
    CU_ASSERT_EQUAL(c->apps[1].port, 0);
    CU_ASSERT_EQUAL(c->apps[1].n_processes, 0);

    const struct config_channel *ch = config_channel_find(c, "b");
    UT_REQUIRE(ch);
    CU_ASSERT_STRING_EQUAL(ch->queue, "pf/deferred");
    ch = config_channel_find(c, "c");
    UT_REQUIRE(ch);
    CU_ASSERT_STRING_EQUAL(ch->queue, "");
    config_free(c);

    /* None configured: the collectors are off. */
    c = load_ok("queues: []\npartitions:\nconnections:\nprocesses: {watch: []}\n");
    UT_REQUIRE(c);
    CU_ASSERT_EQUAL(c->n_queues + c->n_partitions + c->connections.n_ports + c->n_processes, 0);
    CU_ASSERT_EQUAL(c->connections.top, 10);
    CU_ASSERT_EQUAL(c->process_watch.interval_s, 10);
    config_free(c);
}

/*
 * A queue directory the loading user cannot read is an error (checked as
 * an unprivileged user: root reads everything).
 */
static void test_unreadable_queue(void)
{
    char dir[] = "/tmp/mtamon-ut-queue.XXXXXX";
    UT_REQUIRE(mkdtemp(dir));
    UT_REQUIRE(chmod(dir, 0700) == 0);
    char yaml[256];
    snprintf(yaml, sizeof yaml, "queues:\n  - {name: q, kind: generic, path: %s}\n", dir);
    const char *file = write_yaml(yaml);
    UT_REQUIRE(file);
    UT_REQUIRE(chmod(file, 0644) == 0 && chmod(ut_config_dir(), 0755) == 0);
    int fds[2];
    UT_REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    UT_REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        /* As nobody (65534) when run as root; as ourselves otherwise,
         * where a 0700 directory of our own is readable: make it 0. */
        if (geteuid() == 0) {
            if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
                _exit(2);
        } else if (chmod(dir, 0) != 0) {
            _exit(2);
        }
        struct config *c = NULL;
        char err[CONFIG_ERROR_MAX] = "";
        int rc = config_load(file, &c, err, sizeof err);
        ssize_t w = write(fds[1], err, strlen(err));
        config_free(c);
        _exit(rc == -1 && w >= 0 ? 0 : 1);
    }
    close(fds[1]);
    char got[CONFIG_ERROR_MAX] = "";
    ssize_t n = read(fds[0], got, sizeof got - 1);
    close(fds[0]);
    got[n > 0 ? n : 0] = '\0';
    int status = 0;
    UT_REQUIRE(waitpid(pid, &status, 0) == pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char want[CONFIG_ERROR_MAX + 128];
    snprintf(want, sizeof want, "%s:2:40: queues[0].path: cannot read %s: Permission denied",
             file, dir);
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n    expected: %s\n    actual:   %s\n", want, got);
    chmod(dir, 0700);
    rmdir(dir);
}

UT_MAIN("config",
        {"defaults", test_defaults},
        {"empty file", test_empty_file},
        {"full file", test_full_file},
        {"protocol names", test_protocol_names},
        {"applIndex assignment", test_app_indexes},
        {"file errors", test_file_errors},
        {"YAML syntax errors", test_syntax_errors},
        {"top level", test_top_level},
        {"unknown keys", test_unknown_keys},
        {"wrong types", test_wrong_types},
        {"duplicate keys", test_duplicate_keys},
        {"numbers", test_numbers},
        {"enums and protocols", test_enums},
        {"applications", test_applications},
        {"string lengths", test_lengths},
        {"channels", test_channels},
        {"segment and daemon", test_segment_and_daemon},
        {"anchors and aliases", test_anchors_and_aliases},
        {"tags and keys", test_tags_and_keys},
        {"deep nesting", test_deep_nesting},
        {"NUL in the file", test_nul_in_file},
        {"collectors' sections", test_collectors},
        {"unreadable queue directory", test_unreadable_queue})
