/*
 * test_alarm_sample.c - what each alarm kind measures, from a view built
 * by hand: partitions, probes (round trips apart), queues, channels,
 * connections, processes and the segment.
 */
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <string.h>

#include "alarm_sample.h"
#include "unit_util.h"

#define NOW_MS 1700000000000LL
/* The oldest message of pf/deferred arrived OLDEST_AGE_S seconds and a
 * half before NOW_MS (a fixed clock): queue_age is in whole seconds. */
#define OLDEST_AGE_S 7200

static struct config conf;
static struct collector_snapshot cs;
static struct view v;
static struct alarm_samples out;
static struct alarm_sampler st;

static struct config_partition parts[2] = {{.name = (char *)"spool"}, {.name = (char *)"store"}};
static struct partition_stats pstats[2];
static struct config_probe probes[3] = {
    {.name = (char *)"smtp", .kind = CONFIG_PROBE_SMTP},
    {.name = (char *)"e2e", .kind = CONFIG_PROBE_ROUNDTRIP},
    {.name = (char *)"imap", .kind = CONFIG_PROBE_IMAP},
};
static struct probe_result presults[3];
static struct queue_scan_stats queues[2];
static struct config_process procs[2] = {{.name = (char *)"dispatcher"}, {.name = (char *)"job_controller"}};
static struct process_watch_stats pwatch[2];
static struct mtamon_channel_stats chans[2];
static struct view_group groups[2];
static struct connections_remote remotes[2];
static struct connections_port port25;

static void build(void)
{
    memset(&conf, 0, sizeof conf);
    memset(&cs, 0, sizeof cs);
    memset(&v, 0, sizeof v);
    alarm_sampler_free(&st);
    memset(&st, 0, sizeof st);
    conf.partitions = parts;
    conf.n_partitions = 2;
    conf.probes = probes;
    conf.n_probes = 3;
    conf.processes = procs;
    conf.n_processes = 2;

    /* spool: 25 of 100 available, 10 of 1000 inodes free; store unread. */
    pstats[0] = (struct partition_stats){.status = PARTITION_OK, .size = 120,
                                         .used = 75, .available = 25,
                                         .inodes_total = 1000, .inodes_free = 10};
    pstats[1] = (struct partition_stats){.status = PARTITION_UNAVAILABLE};
    cs.partitions = pstats;
    cs.n_partitions = 2;

    presults[0] = (struct probe_result){.state = PROBE_SLOW, .last = {.ok = 1, .total_ms = 2500}};
    presults[1] = (struct probe_result){.state = PROBE_DOWN, .consecutive_failures = 3,
                                        .last = {.total_ms = 120000}};
    presults[2] = (struct probe_result){.state = PROBE_NOT_YET};
    cs.probes = presults;
    cs.n_probes = 3;

    queues[0] = (struct queue_scan_stats){.name = "pf/deferred", .status = QUEUE_SCAN_OK,
                                          .messages = 42, .oldest_ms = NOW_MS - OLDEST_AGE_S * 1000 - 500};
    queues[1] = (struct queue_scan_stats){.name = "pf/active", .status = QUEUE_SCAN_UNAVAILABLE};
    cs.queues = queues;
    cs.n_queues = 2;

    pwatch[0] = (struct process_watch_stats){.status = PROCESS_WATCH_RUNNING, .count = 1};
    pwatch[1] = (struct process_watch_stats){.status = PROCESS_WATCH_NOT_RUNNING};
    cs.processes = pwatch;
    cs.n_processes = 2;

    remotes[0] = (struct connections_remote){.family = AF_INET, .addr = {192, 0, 2, 7}, .count = 40};
    remotes[1] = (struct connections_remote){.family = AF_INET6, .count = 3};
    inet_pton(AF_INET6, "2001:db8::1", remotes[1].addr);
    port25 = (struct connections_port){.port = 25, .top = remotes, .n_top = 2};
    cs.connections = (struct connections_stats){.ok = 1, .ports = &port25, .n_ports = 1};

    memset(chans, 0, sizeof chans);
    snprintf(chans[0].name, sizeof chans[0].name, "tcp_local");
    chans[0].c[MTAMON_FAILED_MSGS] = 7;
    chans[0].c[MTAMON_ATTEMPTED_MSGS] = 3;
    chans[0].c[MTAMON_DELIVERED_MSGS] = 90;
    chans[0].c[MTAMON_QUEUE_TIME_MS] = 5000;
    chans[0].c[MTAMON_QUEUE_COUNT] = 10;
    snprintf(chans[1].name, sizeof chans[1].name, "tcp_intranet");
    groups[0] = (struct view_group){.ch = &chans[0], .queue = &queues[0], .stored_msgs = 12};
    groups[1] = (struct view_group){.ch = &chans[1], .stored_msgs = -4};
    v.groups = groups;
    v.n_groups = 2;

    v.conf = &conf;
    v.collect = &cs;
    v.segment_up = 1;
    v.generation = 0x1111;
    v.counters_since_ms = NOW_MS - 3600000;
    v.totals.last_inbound_ms = NOW_MS - 90000;
    v.totals.last_outbound_ms = NOW_MS - 30400;
}

static void take(enum config_alarm_kind kind, enum config_alarm_source source,
                 char **objects, size_t n_objects)
{
    struct config_alarm a = {.name = (char *)"a", .kind = kind, .source = source,
                             .objects = objects, .n_objects = n_objects};
    /* A sampler belongs to one alarm: what it prepared for the previous
     * one goes (the segment's generation stays, as between two checks). */
    alarm_sampler_free(&st);
    CU_ASSERT_EQUAL(alarm_sample_take(&a, &v, &st, NOW_MS, &out), 0);
}

static void test_partitions(void)
{
    build();
    take(CONFIG_ALARM_DISK_FREE, CONFIG_ALARM_ON_PARTITIONS, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 1);              /* store not read: no sample */
    CU_ASSERT_STRING_EQUAL(out.s[0].object, "spool");
    CU_ASSERT_DOUBLE_EQUAL(out.s[0].value, 25.0, 1e-9);   /* df: 25 / (75 + 25) */
    take(CONFIG_ALARM_INODES_FREE, CONFIG_ALARM_ON_PARTITIONS, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 1);
    CU_ASSERT_DOUBLE_EQUAL(out.s[0].value, 1.0, 1e-9);
    char *none[] = {(char *)"st*"};
    pstats[1] = pstats[0];
    take(CONFIG_ALARM_DISK_FREE, CONFIG_ALARM_ON_PARTITIONS, none, 1);
    CU_ASSERT_EQUAL_FATAL(out.n, 1);
    CU_ASSERT_STRING_EQUAL(out.s[0].object, "store");
}

static void test_probes(void)
{
    build();
    take(CONFIG_ALARM_PROBE_SLOW, CONFIG_ALARM_ON_PROBES, NULL, 0);
    /* e2e is down (no response time), imap not checked yet. */
    CU_ASSERT_EQUAL_FATAL(out.n, 1);
    CU_ASSERT_STRING_EQUAL(out.s[0].object, "smtp");
    CU_ASSERT_EQUAL(out.s[0].value, 2500);
    take(CONFIG_ALARM_PROBE_DOWN, CONFIG_ALARM_ON_PROBES, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 2);
    CU_ASSERT_EQUAL(out.s[0].value, 0);
    CU_ASSERT_STRING_EQUAL(out.s[1].object, "e2e");
    CU_ASSERT_EQUAL(out.s[1].value, 3);
    take(CONFIG_ALARM_ROUNDTRIP_DOWN, CONFIG_ALARM_ON_PROBES, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 1);               /* round trips only */
    CU_ASSERT_STRING_EQUAL(out.s[0].object, "e2e");
    presults[1] = (struct probe_result){.state = PROBE_UP, .last = {.ok = 1, .total_ms = 61000}};
    take(CONFIG_ALARM_ROUNDTRIP_SLOW, CONFIG_ALARM_ON_PROBES, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 1);
    CU_ASSERT_EQUAL(out.s[0].value, 61000);
}

static void test_queues_and_channels(void)
{
    build();
    take(CONFIG_ALARM_QUEUE_LENGTH, CONFIG_ALARM_ON_QUEUES, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 1);               /* pf/active unreadable */
    CU_ASSERT_STRING_EQUAL(out.s[0].object, "pf/deferred");
    CU_ASSERT_EQUAL(out.s[0].value, 42);
    take(CONFIG_ALARM_QUEUE_AGE, CONFIG_ALARM_ON_QUEUES, NULL, 0);
    CU_ASSERT_EQUAL(out.s[0].value, OLDEST_AGE_S);   /* the half second dropped */
    take(CONFIG_ALARM_QUEUE_LENGTH, CONFIG_ALARM_ON_CHANNELS, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 2);
    CU_ASSERT_EQUAL(out.s[0].value, 12);
    CU_ASSERT_EQUAL(out.s[1].value, 0);            /* a negative gauge is 0 */
    take(CONFIG_ALARM_QUEUE_AGE, CONFIG_ALARM_ON_CHANNELS, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 1);               /* tcp_intranet: no scan */
    CU_ASSERT_EQUAL(out.s[0].value, OLDEST_AGE_S);
    char *one[] = {(char *)"tcp_local"};
    take(CONFIG_ALARM_FAILURE_RATE, CONFIG_ALARM_ON_CHANNELS, one, 1);
    CU_ASSERT_EQUAL_FATAL(out.n, 1);
    CU_ASSERT_EQUAL(out.s[0].num, 10);             /* failed + attempted */
    CU_ASSERT_EQUAL(out.s[0].den, 100);            /* + delivered */
    take(CONFIG_ALARM_DELIVERY_TIME, CONFIG_ALARM_ON_CHANNELS, one, 1);
    CU_ASSERT_EQUAL(out.s[0].num, 5000);
    CU_ASSERT_EQUAL(out.s[0].den, 10);
}

static void test_ports_and_processes(void)
{
    build();
    take(CONFIG_ALARM_CONNECTIONS, CONFIG_ALARM_ON_PORTS, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 2);
    CU_ASSERT_STRING_EQUAL(out.s[0].object, "25/192.0.2.7");
    CU_ASSERT_EQUAL(out.s[0].value, 40);
    CU_ASSERT_STRING_EQUAL(out.s[1].object, "25/2001:db8::1");
    char *other[] = {(char *)"587"};
    take(CONFIG_ALARM_CONNECTIONS, CONFIG_ALARM_ON_PORTS, other, 1);
    CU_ASSERT_EQUAL(out.n, 0);
    cs.connections.ok = 0;
    take(CONFIG_ALARM_CONNECTIONS, CONFIG_ALARM_ON_PORTS, NULL, 0);
    CU_ASSERT_EQUAL(out.n, 0);
    take(CONFIG_ALARM_PROCESS_DOWN, CONFIG_ALARM_ON_PROCESSES, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 2);
    CU_ASSERT_EQUAL(out.s[0].value, 0);
    CU_ASSERT_STRING_EQUAL(out.s[1].object, "job_controller");
    CU_ASSERT_EQUAL(out.s[1].value, 1);
}

static void test_segment(void)
{
    build();
    take(CONFIG_ALARM_SEGMENT_MISSING, CONFIG_ALARM_ON_SEGMENT, NULL, 0);
    CU_ASSERT_EQUAL_FATAL(out.n, 1);
    CU_ASSERT_STRING_EQUAL(out.s[0].object, "");
    CU_ASSERT_EQUAL(out.s[0].value, 0);
    take(CONFIG_ALARM_SEGMENT_STALE, CONFIG_ALARM_ON_SEGMENT, NULL, 0);
    CU_ASSERT_EQUAL(out.s[0].value, 30);           /* the latest event */
    /* Restarted: not at the first attach, once per new generation. */
    take(CONFIG_ALARM_SEGMENT_RESTARTED, CONFIG_ALARM_ON_SEGMENT, NULL, 0);
    CU_ASSERT_EQUAL(out.s[0].value, 0);
    v.segment_up = 0;
    v.generation = 0;
    take(CONFIG_ALARM_SEGMENT_RESTARTED, CONFIG_ALARM_ON_SEGMENT, NULL, 0);
    CU_ASSERT_EQUAL(out.s[0].value, 0);
    take(CONFIG_ALARM_SEGMENT_MISSING, CONFIG_ALARM_ON_SEGMENT, NULL, 0);
    CU_ASSERT_EQUAL(out.s[0].value, 1);
    take(CONFIG_ALARM_SEGMENT_STALE, CONFIG_ALARM_ON_SEGMENT, NULL, 0);
    CU_ASSERT_EQUAL(out.n, 0);                     /* no figure while down */
    v.segment_up = 1;
    v.generation = 0x2222;
    take(CONFIG_ALARM_SEGMENT_RESTARTED, CONFIG_ALARM_ON_SEGMENT, NULL, 0);
    CU_ASSERT_EQUAL(out.s[0].value, 1);
    take(CONFIG_ALARM_SEGMENT_RESTARTED, CONFIG_ALARM_ON_SEGMENT, NULL, 0);
    CU_ASSERT_EQUAL(out.s[0].value, 0);
    /* No event ever: stale since the segment was created. */
    v.totals.last_inbound_ms = v.totals.last_outbound_ms = 0;
    take(CONFIG_ALARM_SEGMENT_STALE, CONFIG_ALARM_ON_SEGMENT, NULL, 0);
    CU_ASSERT_EQUAL(out.s[0].value, 3600);
}

static void test_watches(void)
{
    char *objs[] = {(char *)"tcp_local", (char *)"ims*", (char *)"[ab]x"};
    struct config_alarm a = {.objects = objs, .n_objects = 3};
    CU_ASSERT_TRUE(alarm_sample_watches(&a, "tcp_local"));
    CU_ASSERT_TRUE(alarm_sample_watches(&a, "ims-ms"));
    CU_ASSERT_TRUE(alarm_sample_watches(&a, "bx"));
    CU_ASSERT_FALSE(alarm_sample_watches(&a, "tcp_intranet"));
    CU_ASSERT_FALSE(alarm_sample_watches(&a, "cx"));
    a.n_objects = 0;
    CU_ASSERT_TRUE(alarm_sample_watches(&a, "anything"));

    /* The prepared matcher says the same. */
    char *many[] = {(char *)"zeta", (char *)"alpha", (char *)"t?p_*", (char *)"mid"};
    struct config_alarm b = {.objects = many, .n_objects = 4};
    struct alarm_sampler m = {.generation = 7};
    const char *names[] = {"alpha", "zeta", "mid", "tcp_local", "top_x", "beta", "", "alph"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CU_ASSERT_EQUAL(alarm_sampler_watches(&m, &b, names[i]),
                        alarm_sample_watches(&b, names[i]));
    CU_ASSERT_EQUAL(m.n_names, 3);
    CU_ASSERT_EQUAL(m.n_patterns, 1);
    alarm_sampler_free(&m);
    CU_ASSERT_EQUAL(m.generation, 7);
    CU_ASSERT_PTR_NULL(m.names);
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"partitions: free space and inodes", test_partitions},
        {"probes and round trips", test_probes},
        {"queues and channels", test_queues_and_channels},
        {"ports and processes", test_ports_and_processes},
        {"the segment", test_segment},
        {"names and patterns", test_watches},
        {NULL, NULL},
    };
    int rc = unit_main("alarm_sample", tests);
    alarm_samples_free(&out);
    alarm_sampler_free(&st);
    return rc;
}
