/*
 * config_alarm.c - the alarms: section of mtamon.yaml (struct
 * config_alarm), the references from alarms to the objects the other
 * sections define, and the names of the alarm kinds and severities
 * (alarm_options: is config_alarm_options.c's).
 *
 * An alarm's keys may come in any order, so an entry is read whole first
 * (values and their syntax, in file order), then checked as its kind
 * demands: which object key it takes, its thresholds' range and order.
 * The names it lists are checked against the other sections once the
 * whole file is read (config_alarm_check_refs()), since those may come
 * after alarms:.
 */
#include "config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtamon.h"
#include "parse_number.h"

/* Defaults and bounds (documented in mtamon.yaml(5) and conf/mtamon.yaml). */
#define ALARM_INTERVAL_S 60
#define ALARM_INTERVAL_MAX_S 86400
#define ALARM_RESEND_S 3600
#define ALARM_WEEK_S 604800        /* the longest for, resend and window */
#define ALARM_WINDOW_S 900
#define ALARM_MIN_MESSAGES 20
#define ALARM_MIN_MESSAGES_MAX 1000000000u
#define ALARM_BINARY_RAISE 1.0     /* the kinds whose value is 0 or 1, or a count of failures */
/* A queue row: "NAME" or "NAME/SUBQUEUE" (the longest Postfix queue name,
 * "incoming" or "deferred", is 8 bytes). */
#define QUEUE_ROW_MAX (CONFIG_NAME_MAX + 1 + 8)

/* ------------------------------------------------------------------------ */
/* Kinds                                                                     */

/* In the order of enum config_alarm_kind. */
static const struct enum_value alarm_kinds[] = {
    {"disk_free", CONFIG_ALARM_DISK_FREE},
    {"inodes_free", CONFIG_ALARM_INODES_FREE},
    {"probe_slow", CONFIG_ALARM_PROBE_SLOW},
    {"probe_down", CONFIG_ALARM_PROBE_DOWN},
    {"roundtrip_slow", CONFIG_ALARM_ROUNDTRIP_SLOW},
    {"roundtrip_down", CONFIG_ALARM_ROUNDTRIP_DOWN},
    {"queue_length", CONFIG_ALARM_QUEUE_LENGTH},
    {"queue_age", CONFIG_ALARM_QUEUE_AGE},
    {"failure_rate", CONFIG_ALARM_FAILURE_RATE},
    {"delivery_time", CONFIG_ALARM_DELIVERY_TIME},
    {"connections", CONFIG_ALARM_CONNECTIONS},
    {"process_down", CONFIG_ALARM_PROCESS_DOWN},
    {"segment_missing", CONFIG_ALARM_SEGMENT_MISSING},
    {"segment_restarted", CONFIG_ALARM_SEGMENT_RESTARTED},
    {"segment_stale", CONFIG_ALARM_SEGMENT_STALE},
    {NULL, 0},
};

#define N_KINDS (sizeof alarm_kinds / sizeof alarm_kinds[0] - 1)

enum kind_flags {
    KIND_BELOW = 1,      /* raises at or below raise */
    KIND_PERCENT = 2,    /* thresholds 0..100 */
    KIND_RAISE_1 = 4,    /* raise is optional, default 1 */
    KIND_WINDOW = 8,     /* window and min_messages */
    KIND_PULSE = 16,     /* true for one check only: no `for` */
};

/* What each kind watches and how (indexed by enum config_alarm_kind).
 * The queue kinds take queues: or channels:; their source here is the
 * first. */
static const struct kind_info {
    enum config_alarm_source source;
    unsigned flags;
    const char *unit;    /* of the thresholds, for messages */
} kind_info[N_KINDS] = {
    [CONFIG_ALARM_DISK_FREE] = {CONFIG_ALARM_ON_PARTITIONS, KIND_BELOW | KIND_PERCENT,
                                "% of the space free"},
    [CONFIG_ALARM_INODES_FREE] = {CONFIG_ALARM_ON_PARTITIONS, KIND_BELOW | KIND_PERCENT,
                                  "% of the inodes free"},
    [CONFIG_ALARM_PROBE_SLOW] = {CONFIG_ALARM_ON_PROBES, 0, "milliseconds"},
    [CONFIG_ALARM_PROBE_DOWN] = {CONFIG_ALARM_ON_PROBES, KIND_RAISE_1, "failed checks"},
    [CONFIG_ALARM_ROUNDTRIP_SLOW] = {CONFIG_ALARM_ON_PROBES, 0, "milliseconds"},
    [CONFIG_ALARM_ROUNDTRIP_DOWN] = {CONFIG_ALARM_ON_PROBES, KIND_RAISE_1, "failed checks"},
    [CONFIG_ALARM_QUEUE_LENGTH] = {CONFIG_ALARM_ON_QUEUES, 0, "messages"},
    [CONFIG_ALARM_QUEUE_AGE] = {CONFIG_ALARM_ON_QUEUES, 0, "seconds"},
    [CONFIG_ALARM_FAILURE_RATE] = {CONFIG_ALARM_ON_CHANNELS, KIND_PERCENT | KIND_WINDOW,
                                   "% of the messages"},
    [CONFIG_ALARM_DELIVERY_TIME] = {CONFIG_ALARM_ON_CHANNELS, KIND_WINDOW, "seconds"},
    [CONFIG_ALARM_CONNECTIONS] = {CONFIG_ALARM_ON_PORTS, 0, "connections"},
    [CONFIG_ALARM_PROCESS_DOWN] = {CONFIG_ALARM_ON_PROCESSES, KIND_RAISE_1, "1 = down"},
    [CONFIG_ALARM_SEGMENT_MISSING] = {CONFIG_ALARM_ON_SEGMENT, KIND_RAISE_1, "1 = missing"},
    [CONFIG_ALARM_SEGMENT_RESTARTED] = {CONFIG_ALARM_ON_SEGMENT, KIND_RAISE_1 | KIND_PULSE,
                                        "1 = restarted"},
    [CONFIG_ALARM_SEGMENT_STALE] = {CONFIG_ALARM_ON_SEGMENT, 0, "seconds"},
};

static const struct enum_value severities[] = {
    {"critical", CONFIG_SEVERITY_CRITICAL},
    {"major", CONFIG_SEVERITY_MAJOR},
    {"minor", CONFIG_SEVERITY_MINOR},
    {"warning", CONFIG_SEVERITY_WARNING},
    {NULL, 0},
};

const char *config_alarm_kind_name(enum config_alarm_kind kind)
{
    return (size_t)kind < N_KINDS ? alarm_kinds[kind].name : "?";
}

int config_alarm_kind_below(enum config_alarm_kind kind)
{
    return (size_t)kind < N_KINDS && (kind_info[kind].flags & KIND_BELOW) != 0;
}

const char *config_alarm_severity_name(enum config_alarm_severity s)
{
    for (const struct enum_value *e = severities; e->name; e++)
        if (e->value == (int)s)
            return e->name;
    return "?";
}

/* The keys that list objects, by the source they name (indexed by enum
 * config_alarm_source; the segment has none). */
static const char *const object_keys[] = {
    [CONFIG_ALARM_ON_SEGMENT] = NULL,
    [CONFIG_ALARM_ON_PARTITIONS] = "partitions",
    [CONFIG_ALARM_ON_PROBES] = "probes",
    [CONFIG_ALARM_ON_QUEUES] = "queues",
    [CONFIG_ALARM_ON_CHANNELS] = "channels",
    [CONFIG_ALARM_ON_PORTS] = "ports",
    [CONFIG_ALARM_ON_PROCESSES] = "processes",
};

#define N_SOURCES (sizeof object_keys / sizeof object_keys[0])

static int is_queue_kind(enum config_alarm_kind k)
{
    return k == CONFIG_ALARM_QUEUE_LENGTH || k == CONFIG_ALARM_QUEUE_AGE;
}

/* May an alarm of kind @p k list objects under the key of source @p s? */
static int kind_takes(enum config_alarm_kind k, enum config_alarm_source s)
{
    if (is_queue_kind(k))
        return s == CONFIG_ALARM_ON_QUEUES || s == CONFIG_ALARM_ON_CHANNELS;
    return s != CONFIG_ALARM_ON_SEGMENT && kind_info[k].source == s;
}

/* "it takes partitions:" ... for a message about a key of another kind. */
static const char *takes_text(enum config_alarm_kind k)
{
    if (is_queue_kind(k))
        return "it takes queues: or channels:";
    switch (kind_info[k].source) {
    case CONFIG_ALARM_ON_PARTITIONS: return "it takes partitions:";
    case CONFIG_ALARM_ON_PROBES: return "it takes probes:";
    case CONFIG_ALARM_ON_CHANNELS: return "it takes channels:";
    case CONFIG_ALARM_ON_PORTS: return "it takes ports:";
    case CONFIG_ALARM_ON_PROCESSES: return "it takes processes:";
    default: break;
    }
    return "it takes no objects: it watches the counter segment";
}

/* "a" or "an" before kind @p k's name in a message. */
static const char *article(enum config_alarm_kind k)
{
    return strchr("aeiou", config_alarm_kind_name(k)[0]) ? "an" : "a";
}

/* A name with a character fnmatch(3) gives a meaning to. */
static int is_pattern(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* ------------------------------------------------------------------------ */
/* Allocation and defaults                                                   */

static void alarm_free(struct config_alarm *a)
{
    free(a->name);
    config_free_list(a->objects, a->n_objects);
}

void config_alarm_free_all(struct config *c)
{
    for (size_t i = 0; i < c->n_alarms; i++)
        alarm_free(&c->alarms[i]);
    free(c->alarms);
    c->alarms = NULL;
    c->n_alarms = 0;
}

/* ------------------------------------------------------------------------ */
/* alarms                                                                    */

/* Where each key of an entry was, for the checks after all are read. */
struct alarm_nodes {
    const struct node *entry, *name, *kind, *raise, *clear, *for_s, *interval, *window,
        *min_messages;
    const struct node *objects[N_SOURCES];
};

struct alarm_target {
    struct config_alarm *a;
    struct alarm_nodes *at;
};

/* A threshold: a plain decimal number ("10", "2.5"); its range depends
 * on the kind and is checked with the entry. */
static int get_threshold(struct cfg_report *rep, const struct node *v, const char *path,
                         double *out)
{
    char shown[CFG_SHOWN_MAX];
    if (cfg_get_plain(rep, v, path, "a number", shown) != 0)
        return -1;
    if (strlen(v->value) != v->len || parse_number_decimal(v->value, out) != 0)
        return cfg_fail_node(rep, v, path,
                             "'%s' is not a number of at least 0 (such as 10 or 2.5, "
                             "at most %d digits)",
                             shown, PARSE_NUMBER_DECIMAL_DIGITS);
    return 0;
}

static int alarm_pair(struct cfg_report *rep, void *target, const char *key,
                      const struct node *v, const char *path)
{
    struct alarm_target *t = target;
    struct config_alarm *a = t->a;
    struct alarm_nodes *at = t->at;
    int e;
    for (size_t s = 0; s < N_SOURCES; s++) {
        if (object_keys[s] && strcmp(key, object_keys[s]) == 0) {
            /* Read once the kind is known: what a name may be depends on it. */
            at->objects[s] = v;
            return 0;
        }
    }
    if (strcmp(key, "name") == 0) {
        at->name = v;
        return config_collect_name(rep, v, path, &a->name);
    }
    if (strcmp(key, "kind") == 0) {
        at->kind = v;
        if (cfg_get_enum(rep, v, path, alarm_kinds, &e) != 0)
            return -1;
        a->kind = (enum config_alarm_kind)e;
        return 0;
    }
    if (strcmp(key, "raise") == 0) {
        at->raise = v;
        return get_threshold(rep, v, path, &a->raise);
    }
    if (strcmp(key, "clear") == 0) {
        at->clear = v;
        return get_threshold(rep, v, path, &a->clear);
    }
    if (strcmp(key, "for") == 0) {
        at->for_s = v;
        return cfg_get_unsigned(rep, v, path, 0, ALARM_WEEK_S, &a->for_s);
    }
    if (strcmp(key, "interval") == 0) {
        at->interval = v;
        return cfg_get_unsigned(rep, v, path, 1, ALARM_INTERVAL_MAX_S, &a->interval_s);
    }
    if (strcmp(key, "resend") == 0)
        return cfg_get_unsigned(rep, v, path, 0, ALARM_WEEK_S, &a->resend_s);
    if (strcmp(key, "window") == 0) {
        at->window = v;
        return cfg_get_unsigned(rep, v, path, 1, ALARM_WEEK_S, &a->window_s);
    }
    if (strcmp(key, "min_messages") == 0) {
        at->min_messages = v;
        return cfg_get_unsigned(rep, v, path, 0, ALARM_MIN_MESSAGES_MAX, &a->min_messages);
    }
    if (strcmp(key, "severity") == 0) {
        if (cfg_get_enum(rep, v, path, severities, &e) != 0)
            return -1;
        a->severity = (enum config_alarm_severity)e;
        return 0;
    }
    if (strcmp(key, "mail") == 0)
        return cfg_get_enum(rep, v, path, config_booleans, &a->mail);
    return 1;
}

/* The items of an object key: a sequence's, or the one scalar. */
static size_t object_count(const struct node *v)
{
    return v->kind == NODE_SEQUENCE ? v->n_items : 1;
}

static const struct node *object_node(const struct node *v, size_t i)
{
    return v->kind == NODE_SEQUENCE ? v->items[i] : v;
}

/* The key path of item @p i of object key value @p v at @p path. */
static void object_path(char out[KEY_PATH_MAX], const struct node *v, const char *path,
                        size_t i)
{
    if (v->kind == NODE_SEQUENCE)
        cfg_path_index(out, path, i);
    else
        cfg_path_join(out, path, "", "");
}

/*
 * Why fnmatch(3) pattern @p p is not one a writer means, or NULL: an
 * unclosed '[' (fnmatch takes it literally: it would match nothing
 * meant), a '\' at the end.
 */
static const char *pattern_problem(const char *p)
{
    for (; *p; p++) {
        if (*p == '\\') {
            if (!*++p)
                return "a '\\' at the end";
        } else if (*p == '[') {
            const char *q = p + 1;
            if (*q == '!' || *q == '^')
                q++;
            if (*q == ']')
                q++;
            while (*q && *q != ']')
                q++;
            if (!*q)
                return "a '[' without its ']'";
            p = q;
        }
    }
    return NULL;
}

/* Printable ASCII without spaces, at most @p max bytes, not empty. */
static int check_word(struct cfg_report *rep, const struct node *v, const char *path,
                      const char *s, size_t max, const char *what)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            return cfg_fail_node(rep, v, path,
                                 "'%s' is not %s: printable ASCII without spaces", s, what);
    if (strlen(s) > max)
        return cfg_fail_node(rep, v, path, "too long: %zu bytes, at most %zu", strlen(s), max);
    return 0;
}

/* One name or pattern of source @p s, at @p v, into *@p out. */
static int object_name(struct cfg_report *rep, enum config_alarm_source s,
                       const struct node *v, const char *path, char **out)
{
    if (s == CONFIG_ALARM_ON_PORTS) {
        unsigned port;
        char text[8];
        if (cfg_get_unsigned(rep, v, path, 1, 65535, &port) != 0)
            return -1;
        snprintf(text, sizeof text, "%u", port);
        *out = strdup(text);
        return *out ? 0 : cfg_fail_nomem(rep);
    }
    if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, TEXT_REQUIRED | TEXT_NO_SPACE, out) != 0)
        return -1;
    const char *name = *out;
    if (is_pattern(name)) {
        if (check_word(rep, v, path, name, CONFIG_NAME_MAX, "a pattern") != 0)
            return -1;
        const char *why = pattern_problem(name);
        return why ? cfg_fail_node(rep, v, path, "bad pattern '%s': %s", name, why) : 0;
    }
    switch (s) {
    case CONFIG_ALARM_ON_QUEUES:
        /* "NAME" or "NAME/SUBQUEUE": which exist is checked with the refs. */
        return check_word(rep, v, path, name, QUEUE_ROW_MAX, "a queue row");
    case CONFIG_ALARM_ON_CHANNELS: {
        struct mtamon_error e;
        if (mtamon_channel_name_check(name, &e) != MTAMON_OK)
            return cfg_fail_node(rep, v, path, "%s", e.message);
        return 0;
    }
    default:
        free(*out);
        *out = NULL;
        return config_collect_name(rep, v, path, out);
    }
}

/* The objects of alarm @p a from the value @p v of its key (@p path) for
 * source @p s: a sequence or one scalar, not empty, no repetition. */
static int read_objects(struct cfg_report *rep, struct config_alarm *a,
                        enum config_alarm_source s, const struct node *v, const char *path)
{
    if (v->kind == NODE_MAPPING)
        return cfg_fail_node(rep, v, path, "expected a %s or a sequence, found a mapping",
                             s == CONFIG_ALARM_ON_PORTS ? "number" : "name");
    size_t n = object_count(v);
    if (n == 0)
        return cfg_fail_node(rep, v, path, "must not be empty (%s)",
                             is_queue_kind(a->kind) ? "\"*\" watches all"
                                                    : "leave it out to watch all");
    a->objects = calloc(n, sizeof *a->objects);
    if (!a->objects)
        return cfg_fail_nomem(rep);
    for (size_t i = 0; i < n; i++) {
        char ip[KEY_PATH_MAX];
        const struct node *item = object_node(v, i);
        object_path(ip, v, path, i);
        if (object_name(rep, s, item, ip, &a->objects[a->n_objects++]) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(a->objects[j], a->objects[i]) == 0) {
                char jp[KEY_PATH_MAX];
                cfg_path_index(jp, path, j);
                return cfg_fail_node(rep, item, ip, "duplicate '%s' (also %s)",
                                     a->objects[i], jp);
            }
    }
    return 0;
}

/* The object key of @p a, as its kind takes it. */
static int alarm_objects(struct cfg_report *rep, struct config_alarm *a,
                         const struct alarm_nodes *at, const char *ep)
{
    char kp[KEY_PATH_MAX];
    const char *kind = config_alarm_kind_name(a->kind);
    /* A key of another kind: the first in the file is named. */
    const struct node *wrong = NULL;
    size_t wrong_s = 0;
    for (size_t s = 0; s < N_SOURCES; s++)
        if (at->objects[s] && !kind_takes(a->kind, (enum config_alarm_source)s) &&
            (!wrong || ytree_after(wrong, at->objects[s]))) {
            wrong = at->objects[s];
            wrong_s = s;
        }
    if (wrong)
        return cfg_fail_node(rep, wrong, cfg_path_field(kp, ep, object_keys[wrong_s]),
                             "not used by %s %s alarm (%s)", article(a->kind), kind,
                             takes_text(a->kind));
    enum config_alarm_source s = kind_info[a->kind].source;
    if (is_queue_kind(a->kind)) {
        const struct node *q = at->objects[CONFIG_ALARM_ON_QUEUES],
                          *ch = at->objects[CONFIG_ALARM_ON_CHANNELS];
        if (q && ch) {
            int ch_last = ytree_after(ch, q);
            return cfg_fail_node(rep, ch_last ? ch : q,
                                 cfg_path_field(kp, ep, ch_last ? "channels" : "queues"),
                                 "only one of queues: and channels: may be given");
        }
        if (!q && !ch)
            return cfg_fail_node(rep, at->entry, ep, "%s needs queues: or channels:", kind);
        s = q ? CONFIG_ALARM_ON_QUEUES : CONFIG_ALARM_ON_CHANNELS;
    }
    a->source = s;
    if (s == CONFIG_ALARM_ON_SEGMENT || !at->objects[s])
        return 0;
    return read_objects(rep, a, s, at->objects[s], cfg_path_field(kp, ep, object_keys[s]));
}

/* Text of a threshold for a message: as written, or the default. */
static const char *threshold_text(const struct node *n, const char *dflt)
{
    return n ? n->value : dflt;
}

/* raise and clear: present where required, in range, in order. */
static int alarm_thresholds(struct cfg_report *rep, struct config_alarm *a,
                            const struct alarm_nodes *at, const char *ep)
{
    char kp[KEY_PATH_MAX];
    const struct kind_info *ki = &kind_info[a->kind];
    const char *kind = config_alarm_kind_name(a->kind);
    int below = (ki->flags & KIND_BELOW) != 0;
    if (!at->raise) {
        if (!(ki->flags & KIND_RAISE_1))
            return cfg_fail_node(rep, at->entry, ep,
                                 "missing required key 'raise' (the threshold, in %s)",
                                 ki->unit);
        a->raise = ALARM_BINARY_RAISE;
    }
    if (!at->clear)
        a->clear = a->raise;
    const struct node *nodes[] = {at->raise, at->clear};
    const char *names[] = {"raise", "clear"};
    const double values[] = {a->raise, a->clear};
    for (size_t i = 0; i < 2; i++)
        if (nodes[i] && (ki->flags & KIND_PERCENT) && values[i] > 100)
            return cfg_fail_node(rep, nodes[i], cfg_path_field(kp, ep, names[i]),
                                 "%s is out of range (0..100, a percentage)",
                                 nodes[i]->value);
    const char *raise_text = threshold_text(at->raise, "1");
    if (at->clear && !below && a->clear > a->raise)
        return cfg_fail_node(rep, at->clear, cfg_path_field(kp, ep, "clear"),
                             "%s is above raise (%s): %s %s alarm raises at or above its "
                             "raise threshold and clears below clear",
                             at->clear->value, raise_text, article(a->kind), kind);
    if (at->clear && below && a->clear < a->raise)
        return cfg_fail_node(rep, at->clear, cfg_path_field(kp, ep, "clear"),
                             "%s is below raise (%s): %s %s alarm raises at or below its "
                             "raise threshold and clears above clear",
                             at->clear->value, raise_text, article(a->kind), kind);
    /* A value is never below 0 nor above 100%: such a clear never comes. */
    if ((!below && a->clear <= 0) || (below && a->clear >= 100)) {
        const struct node *n = at->clear ? at->clear : at->raise;
        const char *key = at->clear ? "clear" : "raise";
        return cfg_fail_node(rep, n, cfg_path_field(kp, ep, key),
                             "%s would never clear%s: %s %s alarm clears %s clear",
                             n->value, at->clear ? "" : " (clear defaults to raise)",
                             article(a->kind), kind, below ? "above" : "below");
    }
    return 0;
}

/* Checks of one alarm that need all its keys. */
static int alarm_finish(struct cfg_report *rep, struct config_alarm *a,
                        const struct alarm_nodes *at, const char *ep)
{
    char kp[KEY_PATH_MAX];
    if (!at->name)
        return cfg_fail_node(rep, at->entry, ep, "missing required key 'name'");
    if (!at->kind)
        return cfg_fail_node(rep, at->entry, ep,
                             "missing required key 'kind' (disk_free, inodes_free, "
                             "probe_slow, probe_down, roundtrip_slow, roundtrip_down, "
                             "queue_length, queue_age, failure_rate, delivery_time, "
                             "connections, process_down, segment_missing, "
                             "segment_restarted or segment_stale)");
    const struct kind_info *ki = &kind_info[a->kind];
    const char *kind = config_alarm_kind_name(a->kind);
    if (alarm_objects(rep, a, at, ep) != 0 || alarm_thresholds(rep, a, at, ep) != 0)
        return -1;
    if (!(ki->flags & KIND_WINDOW)) {
        const struct node *n = at->window ? at->window : at->min_messages;
        if (at->window && at->min_messages && ytree_after(at->window, at->min_messages))
            n = at->min_messages;
        if (n)
            return cfg_fail_node(rep, n,
                                 cfg_path_field(kp, ep,
                                                n == at->window ? "window" : "min_messages"),
                                 "not used by %s %s alarm (only by failure_rate and "
                                 "delivery_time)", article(a->kind), kind);
    }
    if ((ki->flags & KIND_PULSE) && at->for_s)
        return cfg_fail_node(rep, at->for_s, cfg_path_field(kp, ep, "for"),
                             "not used by %s %s alarm: it is crossed for one check only",
                             article(a->kind), kind);
    if ((ki->flags & KIND_WINDOW) && a->window_s < a->interval_s) {
        if (at->window)
            return cfg_fail_node(rep, at->window, cfg_path_field(kp, ep, "window"),
                                 "%u is shorter than interval (%u): a window holds at "
                                 "least one check", a->window_s, a->interval_s);
        return cfg_fail_node(rep, at->interval, cfg_path_field(kp, ep, "interval"),
                             "%u is longer than window (%u, the default): give a window "
                             "of at least one interval", a->interval_s, a->window_s);
    }
    return 0;
}

static int alarm_read(struct cfg_report *rep, void *entry, size_t i, const struct node *v,
                      const char *ep, void *ctx, const struct node **name)
{
    struct config_alarm *a = entry;
    struct alarm_nodes at = {.entry = v};
    struct alarm_target t = {a, &at};
    (void)i, (void)ctx;
    a->interval_s = ALARM_INTERVAL_S;
    a->resend_s = ALARM_RESEND_S;
    a->window_s = ALARM_WINDOW_S;
    a->min_messages = ALARM_MIN_MESSAGES;
    a->severity = CONFIG_SEVERITY_WARNING;
    a->mail = 1;
    a->line = v->line;
    if (config_each_pair(rep, v, ep, alarm_pair, &t) != 0 || alarm_finish(rep, a, &at, ep) != 0)
        return -1;
    *name = at.name;
    return 0;
}

static const struct config_list alarm_list = {
    "alarm", sizeof(struct config_alarm), offsetof(struct config_alarm, name), alarm_read,
};

int config_alarm_load(struct cfg_report *rep, struct config *c, const struct node *v,
                      const char *path)
{
    void *items;
    int rc = config_list_load(rep, v, path, &alarm_list, NULL, &items, &c->n_alarms);
    c->alarms = items;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* References                                                                */

/* The value of key @p key in mapping @p m, or NULL. */
static const struct node *map_get(const struct node *m, const char *key)
{
    if (!m || m->kind != NODE_MAPPING)
        return NULL;
    for (size_t i = 0; i < map_size(m); i++)
        if (strcmp(map_key(m, i)->value, key) == 0)
            return map_value(m, i);
    return NULL;
}

static int partition_exists(const struct config *c, const char *name)
{
    for (size_t i = 0; i < c->n_partitions; i++)
        if (strcmp(c->partitions[i].name, name) == 0)
            return 1;
    return 0;
}

/* Channels may not be sorted yet: no config_channel_find() here. */
static int channel_exists(const struct config *c, const char *name)
{
    for (size_t i = 0; i < c->n_channels; i++)
        if (strcmp(c->channels[i].name, name) == 0)
            return 1;
    return 0;
}

static int port_watched(const struct config *c, const char *port)
{
    for (size_t i = 0; i < c->connections.n_ports; i++) {
        char text[8];
        snprintf(text, sizeof text, "%u", (unsigned)c->connections.ports[i]);
        if (strcmp(text, port) == 0)
            return 1;
    }
    return 0;
}

static int n_roundtrip_probes(const struct config *c)
{
    int n = 0;
    for (size_t i = 0; i < c->n_probes; i++)
        n += c->probes[i].kind == CONFIG_PROBE_ROUNDTRIP;
    return n;
}

static int roundtrip_kind(enum config_alarm_kind k)
{
    return k == CONFIG_ALARM_ROUNDTRIP_SLOW || k == CONFIG_ALARM_ROUNDTRIP_DOWN;
}

/* Object @p name of alarm @p a (a plain name) exists in @p c; else a
 * message at @p v (@p path). */
static int check_object(struct cfg_report *rep, const struct config *c,
                        const struct config_alarm *a, const char *name,
                        const struct node *v, const char *path)
{
    const struct config_probe *p;
    switch (a->source) {
    case CONFIG_ALARM_ON_PARTITIONS:
        if (!partition_exists(c, name))
            return cfg_fail_node(rep, v, path, "no partition '%s' in partitions", name);
        return 0;
    case CONFIG_ALARM_ON_PROBES:
        p = config_probe_find(c, name);
        if (!p)
            return cfg_fail_node(rep, v, path, "no probe '%s' in probes", name);
        if (roundtrip_kind(a->kind) && p->kind != CONFIG_PROBE_ROUNDTRIP)
            return cfg_fail_node(rep, v, path,
                                 "probe '%s' is of kind %s: %s %s alarm watches roundtrip "
                                 "probes (probe_%s watches any)",
                                 name, config_probe_kind_name(p->kind), article(a->kind),
                                 config_alarm_kind_name(a->kind),
                                 a->kind == CONFIG_ALARM_ROUNDTRIP_SLOW ? "slow" : "down");
        return 0;
    case CONFIG_ALARM_ON_QUEUES:
        if (!config_collect_queue_row_exists(c, name))
            return cfg_fail_node(rep, v, path,
                                 "no queue '%s' in queues (a postfix queue NAME also has "
                                 "NAME/maildrop, NAME/incoming, NAME/active, NAME/deferred "
                                 "and NAME/hold)", name);
        return 0;
    case CONFIG_ALARM_ON_CHANNELS:
        if (!channel_exists(c, name))
            return cfg_fail_node(rep, v, path,
                                 "no channel '%s' in channels (list it there: a channel "
                                 "only the segment has is matched by patterns only)",
                                 name);
        return 0;
    case CONFIG_ALARM_ON_PORTS:
        if (!port_watched(c, name))
            return cfg_fail_node(rep, v, path,
                                 "port %s is not watched: add it to connections.ports", name);
        return 0;
    case CONFIG_ALARM_ON_PROCESSES:
        if (!config_process_find(c, name))
            return cfg_fail_node(rep, v, path, "no process '%s' in processes.watch", name);
        return 0;
    case CONFIG_ALARM_ON_SEGMENT:
        break;
    }
    return 0;
}

/* An alarm without objects watches all of its source: there must be some
 * (channels come from the segment too, so any number will do). */
static int check_all(struct cfg_report *rep, const struct config *c,
                     const struct config_alarm *a, const struct node *kind, const char *path)
{
    const char *what = NULL;
    switch (a->source) {
    case CONFIG_ALARM_ON_PARTITIONS:
        what = c->n_partitions ? NULL : "every partition, and partitions: has none";
        break;
    case CONFIG_ALARM_ON_PROBES:
        /* roundtrip_*: all = the roundtrip probes (the sampler leaves the
         * others out). */
        if (roundtrip_kind(a->kind))
            what = n_roundtrip_probes(c) ? NULL
                                         : "every roundtrip probe, and probes: has none";
        else
            what = c->n_probes ? NULL : "every probe, and probes: has none";
        break;
    case CONFIG_ALARM_ON_PORTS:
        what = c->connections.n_ports ? NULL
                                      : "every port of connections.ports, and it is empty";
        break;
    case CONFIG_ALARM_ON_PROCESSES:
        what = c->n_processes ? NULL : "every process of processes.watch, and it has none";
        break;
    default:
        break;
    }
    if (!what)
        return 0;
    return cfg_fail_node(rep, kind, path, "%s %s alarm without %s: watches %s",
                         article(a->kind), config_alarm_kind_name(a->kind),
                         object_keys[a->source], what);
}

int config_alarm_check_refs(struct cfg_report *rep, const struct config *c,
                            const struct node *root)
{
    const struct node *v = map_get(root, "alarms");
    /* Every alarm read came from this sequence, in its order. */
    for (size_t i = 0; v && v->kind == NODE_SEQUENCE && i < c->n_alarms && i < v->n_items;
         i++) {
        const struct config_alarm *a = &c->alarms[i];
        const struct node *e = v->items[i];
        char ep[KEY_PATH_MAX], kp[KEY_PATH_MAX], ip[KEY_PATH_MAX];
        cfg_path_index(ep, "alarms", i);
        if (a->source == CONFIG_ALARM_ON_SEGMENT)
            continue;
        const char *key = object_keys[a->source];
        const struct node *objs = map_get(e, key);
        if (!objs) {
            if (check_all(rep, c, a, map_get(e, "kind"), cfg_path_field(kp, ep, "kind")) != 0)
                return -1;
            continue;
        }
        cfg_path_field(kp, ep, key);
        for (size_t k = 0; k < a->n_objects && k < object_count(objs); k++) {
            if (a->source != CONFIG_ALARM_ON_PORTS && is_pattern(a->objects[k]))
                continue;
            object_path(ip, objs, kp, k);
            if (check_object(rep, c, a, a->objects[k], object_node(objs, k), ip) != 0)
                return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */

const struct config_alarm *config_alarm_find(const struct config *conf, const char *name)
{
    for (size_t i = 0; conf && name && i < conf->n_alarms; i++)
        if (strcmp(conf->alarms[i].name, name) == 0)
            return &conf->alarms[i];
    return NULL;
}
