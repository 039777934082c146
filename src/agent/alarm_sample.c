/*
 * alarm_sample.c - one sample per watched object of an alarm, from a
 * view (see alarm_sample.h).
 */
#include "alarm_sample.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_wildcard(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

int alarm_sample_watches(const struct config_alarm *a, const char *name)
{
    if (a->n_objects == 0)
        return 1;
    for (size_t i = 0; i < a->n_objects; i++)
        if (strcmp(a->objects[i], name) == 0 ||
            (has_wildcard(a->objects[i]) && fnmatch(a->objects[i], name, 0) == 0))
            return 1;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void prepare(struct alarm_sampler *st, const struct config_alarm *a)
{
    st->prepared = 1;
    if (a->n_objects == 0)
        return;
    st->names = malloc(a->n_objects * sizeof *st->names);
    st->patterns = malloc(a->n_objects * sizeof *st->patterns);
    if (!st->names || !st->patterns) {   /* fall back to the plain scan */
        alarm_sampler_free(st);
        st->prepared = -1;
        return;
    }
    for (size_t i = 0; i < a->n_objects; i++) {
        if (has_wildcard(a->objects[i]))
            st->patterns[st->n_patterns++] = a->objects[i];
        else
            st->names[st->n_names++] = a->objects[i];
    }
    qsort(st->names, st->n_names, sizeof *st->names, cmp_names);
}

int alarm_sampler_watches(struct alarm_sampler *st, const struct config_alarm *a,
                          const char *name)
{
    if (a->n_objects == 0)
        return 1;
    if (!st->prepared)
        prepare(st, a);
    if (st->prepared < 0)
        return alarm_sampler_watches(st, a, name);
    if (st->n_names &&
        bsearch(&name, st->names, st->n_names, sizeof *st->names, cmp_names))
        return 1;
    for (size_t i = 0; i < st->n_patterns; i++)
        if (fnmatch(st->patterns[i], name, 0) == 0)
            return 1;
    return 0;
}

void alarm_sampler_free(struct alarm_sampler *st)
{
    free(st->names);
    free(st->patterns);
    uint64_t generation = st->generation;
    memset(st, 0, sizeof *st);
    st->generation = generation;
}

static int add(struct alarm_samples *out, const char *name, double value,
               uint64_t num, uint64_t den)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        struct alarm_sample *s = realloc(out->s, cap * sizeof *s);
        if (!s)
            return -1;
        out->s = s;
        char (*names)[ALARM_OBJECT_MAX + 1] = realloc(out->names, cap * sizeof *names);
        if (!names)
            return -1;
        out->names = names;
        out->cap = cap;
    }
    snprintf(out->names[out->n], sizeof out->names[out->n], "%s", name);
    out->s[out->n] = (struct alarm_sample){.value = value, .num = num, .den = den};
    out->n++;
    return 0;
}

/* After the array may have moved: point every sample at its name. */
static void link_names(struct alarm_samples *out)
{
    for (size_t i = 0; i < out->n; i++)
        out->s[i].object = out->names[i];
}

static const struct collector_snapshot *collect_of(const struct view *v)
{
    static const struct collector_snapshot none;
    return v->collect ? v->collect : &none;
}

static double percent(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

static int partitions(const struct config_alarm *a, struct alarm_sampler *st,
                      const struct view *v,
                      struct alarm_samples *out)
{
    const struct collector_snapshot *cs = collect_of(v);
    for (size_t i = 0; i < cs->n_partitions && i < v->conf->n_partitions; i++) {
        const struct partition_stats *p = &cs->partitions[i];
        const char *name = v->conf->partitions[i].name;
        if (p->status != PARTITION_OK || !alarm_sampler_watches(st, a, name))
            continue;
        double value;
        if (a->kind == CONFIG_ALARM_DISK_FREE)   /* df's Avail / (Used + Avail) */
            value = percent(p->available, p->used + p->available);
        else if (p->inodes_total == 0)
            continue;   /* a file system without inodes (btrfs...) */
        else
            value = percent(p->inodes_free, p->inodes_total);
        if (add(out, name, value, 0, 0) != 0)
            return -1;
    }
    return 0;
}

static int probes(const struct config_alarm *a, struct alarm_sampler *st,
                      const struct view *v,
                  struct alarm_samples *out)
{
    const struct collector_snapshot *cs = collect_of(v);
    int roundtrip_only = a->kind == CONFIG_ALARM_ROUNDTRIP_SLOW ||
                         a->kind == CONFIG_ALARM_ROUNDTRIP_DOWN;
    int slow = a->kind == CONFIG_ALARM_PROBE_SLOW ||
               a->kind == CONFIG_ALARM_ROUNDTRIP_SLOW;
    for (size_t i = 0; i < cs->n_probes && i < v->conf->n_probes; i++) {
        const struct config_probe *pc = &v->conf->probes[i];
        const struct probe_result *r = &cs->probes[i];
        if (roundtrip_only && pc->kind != CONFIG_PROBE_ROUNDTRIP)
            continue;
        if (r->state == PROBE_NOT_YET || !alarm_sampler_watches(st, a, pc->name))
            continue;
        /* A failed check has no response time: *_down says it. */
        if (slow && r->state == PROBE_DOWN)
            continue;
        double value = slow ? (double)r->last.total_ms : (double)r->consecutive_failures;
        if (add(out, pc->name, value, 0, 0) != 0)
            return -1;
    }
    return 0;
}

static double age_s(int64_t since_ms, int64_t wall_ms)
{
    return since_ms && wall_ms > since_ms ? (double)((wall_ms - since_ms) / 1000) : 0;
}

static int queues(const struct config_alarm *a, struct alarm_sampler *st,
                  const struct view *v,
                  int64_t wall_ms, struct alarm_samples *out)
{
    const struct collector_snapshot *cs = collect_of(v);
    for (size_t i = 0; i < cs->n_queues; i++) {
        const struct queue_scan_stats *q = &cs->queues[i];
        if (q->status != QUEUE_SCAN_OK || !alarm_sampler_watches(st, a, q->name))
            continue;
        double value = a->kind == CONFIG_ALARM_QUEUE_LENGTH
                           ? (double)q->messages
                           : age_s(q->oldest_ms, wall_ms);
        if (add(out, q->name, value, 0, 0) != 0)
            return -1;
    }
    return 0;
}

static int channels(const struct config_alarm *a, struct alarm_sampler *st,
                    const struct view *v,
                    int64_t wall_ms, struct alarm_samples *out)
{
    for (size_t i = 0; i < v->n_groups; i++) {
        const struct view_group *g = &v->groups[i];
        const struct mtamon_channel_stats *ch = g->ch;
        if (!alarm_sampler_watches(st, a, ch->name))
            continue;
        const uint64_t *c = ch->c;
        double value = 0;
        uint64_t num = 0, den = 0;
        switch (a->kind) {
        case CONFIG_ALARM_QUEUE_LENGTH:
            value = g->stored_msgs > 0 ? (double)g->stored_msgs : 0;
            break;
        case CONFIG_ALARM_QUEUE_AGE:
            if (!g->queue)
                continue;   /* the segment has no arrival times */
            value = age_s(g->queue->oldest_ms, wall_ms);
            break;
        case CONFIG_ALARM_FAILURE_RATE:
            num = c[MTAMON_FAILED_MSGS] + c[MTAMON_ATTEMPTED_MSGS];
            den = num + c[MTAMON_DELIVERED_MSGS];
            break;
        case CONFIG_ALARM_DELIVERY_TIME:
            num = c[MTAMON_QUEUE_TIME_MS];
            den = c[MTAMON_QUEUE_COUNT];
            break;
        default:
            continue;
        }
        if (add(out, ch->name, value, num, den) != 0)
            return -1;
    }
    return 0;
}

static int ports(const struct config_alarm *a, struct alarm_sampler *st,
                      const struct view *v,
                 struct alarm_samples *out)
{
    const struct connections_stats *cs = &collect_of(v)->connections;
    if (!cs->ok)
        return 0;
    for (size_t i = 0; i < cs->n_ports; i++) {
        const struct connections_port *p = &cs->ports[i];
        char port[8];
        snprintf(port, sizeof port, "%u", (unsigned)p->port);
        if (!alarm_sampler_watches(st, a, port))
            continue;
        for (size_t j = 0; j < p->n_top; j++) {
            const struct connections_remote *r = &p->top[j];
            char addr[INET6_ADDRSTRLEN], name[ALARM_OBJECT_MAX + 1];
            if (!inet_ntop(r->family, r->addr, addr, sizeof addr))
                continue;
            snprintf(name, sizeof name, "%s/%s", port, addr);
            if (add(out, name, r->count, 0, 0) != 0)
                return -1;
        }
    }
    return 0;
}

static int processes(const struct config_alarm *a, struct alarm_sampler *st,
                      const struct view *v,
                     struct alarm_samples *out)
{
    const struct collector_snapshot *cs = collect_of(v);
    for (size_t i = 0; i < cs->n_processes && i < v->conf->n_processes; i++) {
        const struct process_watch_stats *p = &cs->processes[i];
        const char *name = v->conf->processes[i].name;
        if (p->status == PROCESS_WATCH_NOT_YET || !alarm_sampler_watches(st, a, name))
            continue;
        if (add(out, name, p->status == PROCESS_WATCH_RUNNING ? 0 : 1, 0, 0) != 0)
            return -1;
    }
    return 0;
}

static int segment(const struct config_alarm *a, const struct view *v,
                   struct alarm_sampler *st, int64_t wall_ms,
                   struct alarm_samples *out)
{
    double value;
    switch (a->kind) {
    case CONFIG_ALARM_SEGMENT_MISSING:
        value = v->segment_up ? 0 : 1;
        break;
    case CONFIG_ALARM_SEGMENT_RESTARTED:
        /* The first attach after mtamond started is no restart. */
        value = v->segment_up && st->generation && v->generation != st->generation;
        if (v->segment_up && v->generation)
            st->generation = v->generation;
        break;
    case CONFIG_ALARM_SEGMENT_STALE: {
        if (!v->segment_up)
            return 0;
        int64_t last = v->totals.last_inbound_ms > v->totals.last_outbound_ms
                           ? v->totals.last_inbound_ms
                           : v->totals.last_outbound_ms;
        value = age_s(last ? last : v->counters_since_ms, wall_ms);
        break;
    }
    default:
        return 0;
    }
    return add(out, "", value, 0, 0);
}

int alarm_sample_take(const struct config_alarm *a, const struct view *v,
                      struct alarm_sampler *st, int64_t wall_ms,
                      struct alarm_samples *out)
{
    out->n = 0;
    int rc;
    switch (a->source) {
    case CONFIG_ALARM_ON_PARTITIONS: rc = partitions(a, st, v, out); break;
    case CONFIG_ALARM_ON_PROBES: rc = probes(a, st, v, out); break;
    case CONFIG_ALARM_ON_QUEUES: rc = queues(a, st, v, wall_ms, out); break;
    case CONFIG_ALARM_ON_CHANNELS: rc = channels(a, st, v, wall_ms, out); break;
    case CONFIG_ALARM_ON_PORTS: rc = ports(a, st, v, out); break;
    case CONFIG_ALARM_ON_PROCESSES: rc = processes(a, st, v, out); break;
    case CONFIG_ALARM_ON_SEGMENT: rc = segment(a, v, st, wall_ms, out); break;
    default: rc = 0; break;
    }
    link_names(out);
    return rc;
}

void alarm_samples_free(struct alarm_samples *s)
{
    free(s->s);
    free(s->names);
    memset(s, 0, sizeof *s);
}
