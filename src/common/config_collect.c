/*
 * config_collect.c - the collectors' sections of mtamon.yaml: queues,
 * partitions, connections, processes; and the keys of applications and
 * channels that refer to them (port, processes, queue).
 *
 * A directory or path a collector will read must exist when the file is
 * loaded (a typing mistake is found by check-config, not by a queue that
 * stays "unavailable"); once mtamond runs, a path that vanishes is only
 * reported, never fatal.  The checks run as the user who loads the file:
 * mtamond loads it as root, before dropping privileges.
 */
#include "config_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Defaults (documented in mtamon.yaml(5) and conf/mtamon.yaml). */
#define QUEUE_INTERVAL_S 60
#define QUEUE_DEPTH_DIRECTORY 2
#define QUEUE_DEPTH_GENERIC 16
#define QUEUE_DEPTH_MAX 64
#define PARTITION_INTERVAL_S 30
#define CONNECTIONS_INTERVAL_S 10
#define CONNECTIONS_TOP 10
#define CONNECTIONS_TOP_MAX 1000
#define PROCESS_INTERVAL_S 10
#define PROCESS_COUNT_MAX 100000
#define DEFAULT_POSTQUEUE "/usr/sbin/postqueue"

/* The Postfix queues a postfix queue reports, in row order after the
 * whole queue (queue_scan.h keeps the same order). */
static const char *const postfix_queues[] = {
    "maildrop", "incoming", "active", "deferred", "hold",
};

/* ------------------------------------------------------------------------ */
/* Shared checks                                                             */

/* A name of a queue, partition or process: 1..CONFIG_NAME_MAX bytes of
 * printable ASCII without spaces or '/' (a postfix queue's rows are
 * "NAME/deferred"). */
int config_collect_name(struct cfg_report *rep, const struct node *v, const char *path,
                        char **out)
{
    if (cfg_get_text(rep, v, path, CONFIG_NAME_MAX, TEXT_REQUIRED | TEXT_NO_SPACE, out) != 0)
        return -1;
    for (const char *p = *out; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            return cfg_fail_node(rep, v, path,
                                 "'%s' is not a name: printable ASCII without "
                                 "spaces or '/'", *out);
    return 0;
}

/* An absolute path that exists now; @p want_dir: it must be a directory. */
static int get_existing_path(struct cfg_report *rep, const struct node *v, const char *path,
                             int want_dir, char **out)
{
    if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, TEXT_REQUIRED, out) != 0)
        return -1;
    if ((*out)[0] != '/')
        return cfg_fail_node(rep, v, path, "'%s' is not an absolute path", *out);
    struct stat st;
    if (stat(*out, &st) != 0)
        return cfg_fail_node(rep, v, path, "%s: %s", *out, strerror(errno));
    if (want_dir && !S_ISDIR(st.st_mode))
        return cfg_fail_node(rep, v, path, "%s: not a directory", *out);
    return 0;
}

/* A directory this process can list and enter. */
static int check_readable(struct cfg_report *rep, const struct node *v, const char *path,
                          const char *dir)
{
    if (access(dir, R_OK | X_OK) != 0)
        return cfg_fail_node(rep, v, path, "cannot read %s: %s", dir, strerror(errno));
    return 0;
}

/*
 * A file-name pattern for fnmatch(3): not empty, no '/', brackets closed,
 * no '\' at the end.  fnmatch() takes an unclosed '[' literally, which
 * would silently match nothing the writer meant.
 */
static int check_glob(struct cfg_report *rep, const struct node *v, const char *path,
                      const char *glob)
{
    const char *why = NULL;
    for (const char *p = glob; *p && !why; p++) {
        if (*p == '/') {
            why = "'/' (the pattern matches a file's name, not its path)";
        } else if (*p == '\\') {
            if (!*++p)
                why = "a '\\' at the end";
        } else if (*p == '[') {
            const char *q = p + 1;
            if (*q == '!' || *q == '^')
                q++;
            if (*q == ']')
                q++;
            while (*q && *q != ']')
                q++;
            if (!*q)
                why = "a '[' without its ']'";
            else
                p = q;
        }
    }
    if (why)
        return cfg_fail_node(rep, v, path, "bad pattern '%s': %s", glob, why);
    return 0;
}

/* Where each key of an entry was, for the checks after all are read. */
struct entry_nodes {
    const struct node *entry, *name, *kind, *path, *glob, *depth, *postqueue,
        *postfix_config, *pidfile, *executable, *argument, *min, *max;
};

/* ------------------------------------------------------------------------ */
/* queues                                                                    */

static const struct enum_value queue_kinds[] = {
    {"directory", CONFIG_QUEUE_DIRECTORY},
    {"postfix", CONFIG_QUEUE_POSTFIX},
    {"generic", CONFIG_QUEUE_GENERIC},
    {NULL, 0},
};

struct queue_target {
    struct config_queue *q;
    struct entry_nodes *at;
};

static int queue_pair(struct cfg_report *rep, void *target, const char *key,
                      const struct node *v, const char *path)
{
    struct queue_target *t = target;
    struct config_queue *q = t->q;
    if (strcmp(key, "name") == 0) {
        t->at->name = v;
        return config_collect_name(rep, v, path, &q->name);
    }
    if (strcmp(key, "kind") == 0) {
        int e;
        t->at->kind = v;
        if (cfg_get_enum(rep, v, path, queue_kinds, &e) != 0)
            return -1;
        q->kind = (enum config_queue_kind)e;
        return 0;
    }
    if (strcmp(key, "path") == 0) {
        t->at->path = v;
        return get_existing_path(rep, v, path, 1, &q->path);
    }
    if (strcmp(key, "glob") == 0) {
        t->at->glob = v;
        if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, TEXT_REQUIRED, &q->glob) != 0)
            return -1;
        return check_glob(rep, v, path, q->glob);
    }
    if (strcmp(key, "depth") == 0) {
        t->at->depth = v;
        return cfg_get_unsigned(rep, v, path, 0, QUEUE_DEPTH_MAX, &q->depth);
    }
    if (strcmp(key, "interval") == 0)
        return cfg_get_unsigned(rep, v, path, 1, 86400, &q->interval_s);
    if (strcmp(key, "postqueue") == 0) {
        t->at->postqueue = v;
        if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, 0, &q->postqueue) != 0)
            return -1;
        if (q->postqueue[0] && q->postqueue[0] != '/')
            return cfg_fail_node(rep, v, path, "'%s' is not an absolute path", q->postqueue);
        return 0;
    }
    if (strcmp(key, "postfix_config") == 0) {
        t->at->postfix_config = v;
        if (q->postfix_config)
            free(q->postfix_config);
        q->postfix_config = NULL;
        return get_existing_path(rep, v, path, 1, &q->postfix_config);
    }
    return 1;
}

/*
 * A postfix queue is usable when its queues can be listed, or else when
 * postqueue(1) can be run instead.
 */
static int check_postfix_readable(struct cfg_report *rep, const struct config_queue *q,
                                  const struct entry_nodes *at, const char *ep)
{
    char kp[KEY_PATH_MAX];
    for (size_t i = 0; i < sizeof postfix_queues / sizeof postfix_queues[0]; i++) {
        char dir[CONFIG_PATH_MAX + 16];
        snprintf(dir, sizeof dir, "%s/%s", q->path, postfix_queues[i]);
        if (access(dir, R_OK | X_OK) == 0 || errno == ENOENT)
            continue;
        int why = errno;
        if (!q->postqueue[0])
            return cfg_fail_node(rep, at->path, cfg_path_field(kp, ep, "path"),
                                 "cannot read %s: %s, and postqueue is \"\" (no fallback)",
                                 dir, strerror(why));
        if (access(q->postqueue, X_OK) != 0)
            return cfg_fail_node(rep, at->postqueue ? at->postqueue : at->path,
                                 cfg_path_field(kp, ep, at->postqueue ? "postqueue" : "path"),
                                 "cannot read %s (%s), and cannot run the fallback %s: %s",
                                 dir, strerror(why), q->postqueue, strerror(errno));
        break;
    }
    return 0;
}

/* Checks of one queue that need all its keys. */
static int queue_finish(struct cfg_report *rep, struct config_queue *q,
                        const struct entry_nodes *at, const char *ep)
{
    char kp[KEY_PATH_MAX];
    if (!at->name)
        return cfg_fail_node(rep, at->entry, ep, "missing required key 'name'");
    if (!at->kind)
        return cfg_fail_node(rep, at->entry, ep,
                             "missing required key 'kind' (directory, postfix or generic)");
    if (!at->path)
        return cfg_fail_node(rep, at->entry, ep, "missing required key 'path'");
    if (q->kind == CONFIG_QUEUE_POSTFIX) {
        if (at->glob)
            return cfg_fail_node(rep, at->glob, cfg_path_field(kp, ep, "glob"),
                                 "not used by a postfix queue");
        if (at->depth)
            return cfg_fail_node(rep, at->depth, cfg_path_field(kp, ep, "depth"),
                                 "not used by a postfix queue");
        if (!q->postqueue && !(q->postqueue = config_strdup(DEFAULT_POSTQUEUE)))
            return cfg_fail_nomem(rep);
        if (!q->postfix_config && !(q->postfix_config = config_strdup(NULL)))
            return cfg_fail_nomem(rep);
        return check_postfix_readable(rep, q, at, ep);
    }
    if (at->postqueue)
        return cfg_fail_node(rep, at->postqueue, cfg_path_field(kp, ep, "postqueue"),
                             "only for a postfix queue");
    if (at->postfix_config)
        return cfg_fail_node(rep, at->postfix_config, cfg_path_field(kp, ep, "postfix_config"),
                             "only for a postfix queue");
    if (!at->depth)
        q->depth = q->kind == CONFIG_QUEUE_DIRECTORY ? QUEUE_DEPTH_DIRECTORY
                                                     : QUEUE_DEPTH_GENERIC;
    if ((!q->glob && !(q->glob = config_strdup("*"))) ||
        !(q->postqueue = config_strdup(NULL)) || !(q->postfix_config = config_strdup(NULL)))
        return cfg_fail_nomem(rep);
    return check_readable(rep, at->path, cfg_path_field(kp, ep, "path"), q->path);
}

static int queue_read(struct cfg_report *rep, void *entry, size_t i, const struct node *v,
                      const char *ep, void *ctx, const struct node **name)
{
    struct config_queue *q = entry;
    struct entry_nodes at = {.entry = v};
    struct queue_target t = {q, &at};
    (void)i, (void)ctx;
    q->interval_s = QUEUE_INTERVAL_S;
    q->line = v->line;
    if (config_each_pair(rep, v, ep, queue_pair, &t) != 0 || queue_finish(rep, q, &at, ep) != 0)
        return -1;
    *name = at.name;
    return 0;
}

static const struct config_list queue_list = {
    "queue", sizeof(struct config_queue), offsetof(struct config_queue, name), queue_read,
};

int config_collect_queues(struct cfg_report *rep, struct config *c,
                          const struct node *v, const char *path)
{
    void *items;
    int rc = config_list_load(rep, v, path, &queue_list, NULL, &items, &c->n_queues);
    c->queues = items;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* partitions                                                                */

struct partition_target {
    struct config_partition *p;
    struct entry_nodes *at;
};

static int partition_pair(struct cfg_report *rep, void *target, const char *key,
                          const struct node *v, const char *path)
{
    struct partition_target *t = target;
    if (strcmp(key, "name") == 0) {
        t->at->name = v;
        return config_collect_name(rep, v, path, &t->p->name);
    }
    if (strcmp(key, "path") == 0) {
        t->at->path = v;
        return get_existing_path(rep, v, path, 0, &t->p->path);
    }
    if (strcmp(key, "interval") == 0)
        return cfg_get_unsigned(rep, v, path, 1, 86400, &t->p->interval_s);
    return 1;
}

static int partition_read(struct cfg_report *rep, void *entry, size_t i,
                          const struct node *v, const char *ep, void *ctx,
                          const struct node **name)
{
    struct config_partition *p = entry;
    struct entry_nodes at = {.entry = v};
    struct partition_target t = {p, &at};
    (void)i, (void)ctx;
    p->interval_s = PARTITION_INTERVAL_S;
    p->line = v->line;
    if (config_each_pair(rep, v, ep, partition_pair, &t) != 0)
        return -1;
    if (!at.name)
        return cfg_fail_node(rep, v, ep, "missing required key 'name'");
    if (!at.path)
        return cfg_fail_node(rep, v, ep, "missing required key 'path'");
    *name = at.name;
    return 0;
}

static const struct config_list partition_list = {
    "partition", sizeof(struct config_partition), offsetof(struct config_partition, name),
    partition_read,
};

int config_collect_partitions(struct cfg_report *rep, struct config *c,
                              const struct node *v, const char *path)
{
    void *items;
    int rc = config_list_load(rep, v, path, &partition_list, NULL, &items, &c->n_partitions);
    c->partitions = items;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* connections                                                               */

static int connection_ports(struct cfg_report *rep, struct config_connections *cc,
                            const struct node *v, const char *path)
{
    if (ytree_expect_sequence(rep, v, path) != 0)
        return -1;
    if (v->n_items > CONFIG_PORTS_MAX)
        return cfg_fail_node(rep, v, path, "%zu ports: at most %d may be watched",
                             v->n_items, CONFIG_PORTS_MAX);
    cc->n_ports = 0;
    for (size_t i = 0; i < v->n_items; i++) {
        char ip[KEY_PATH_MAX];
        unsigned port;
        cfg_path_index(ip, path, i);
        if (cfg_get_unsigned(rep, v->items[i], ip, 1, 65535, &port) != 0)
            return -1;
        /* Insertion keeps the list sorted, and finds a repetition. */
        size_t at = cc->n_ports;
        while (at > 0 && cc->ports[at - 1] > port)
            at--;
        if (at > 0 && cc->ports[at - 1] == port)
            return cfg_fail_node(rep, v->items[i], ip, "duplicate port %u", port);
        memmove(cc->ports + at + 1, cc->ports + at, (cc->n_ports - at) * sizeof cc->ports[0]);
        cc->ports[at] = (uint16_t)port;
        cc->n_ports++;
    }
    return 0;
}

static int connection_pair(struct cfg_report *rep, void *target, const char *key,
                           const struct node *v, const char *path)
{
    struct config_connections *cc = target;
    if (strcmp(key, "ports") == 0)
        return connection_ports(rep, cc, v, path);
    if (strcmp(key, "top") == 0)
        return cfg_get_unsigned(rep, v, path, 0, CONNECTIONS_TOP_MAX, &cc->top);
    if (strcmp(key, "interval") == 0)
        return cfg_get_unsigned(rep, v, path, 1, 3600, &cc->interval_s);
    return 1;
}

int config_collect_connections(struct cfg_report *rep, struct config *c,
                               const struct node *v, const char *path)
{
    if (ytree_is_null(v))
        return 0;
    return config_each_pair(rep, v, path, connection_pair, &c->connections);
}

/* ------------------------------------------------------------------------ */
/* processes                                                                 */

struct process_target {
    struct config_process *p;
    struct entry_nodes *at;
};

static int process_pair(struct cfg_report *rep, void *target, const char *key,
                        const struct node *v, const char *path)
{
    struct process_target *t = target;
    struct config_process *p = t->p;
    if (strcmp(key, "name") == 0) {
        t->at->name = v;
        return config_collect_name(rep, v, path, &p->name);
    }
    if (strcmp(key, "pidfile") == 0) {
        t->at->pidfile = v;
        if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, TEXT_REQUIRED, &p->pidfile) != 0)
            return -1;
        if (p->pidfile[0] != '/')
            return cfg_fail_node(rep, v, path, "'%s' is not an absolute path", p->pidfile);
        return 0;
    }
    if (strcmp(key, "executable") == 0) {
        t->at->executable = v;
        if (cfg_get_text(rep, v, path, CONFIG_TEXT_MAX, TEXT_REQUIRED, &p->executable) != 0)
            return -1;
        if (strchr(p->executable, '/'))
            return cfg_fail_node(rep, v, path,
                                 "'%s': the executable's base name, without '/'",
                                 p->executable);
        return 0;
    }
    if (strcmp(key, "argument") == 0) {
        t->at->argument = v;
        return cfg_get_text(rep, v, path, CONFIG_TEXT_MAX, TEXT_REQUIRED, &p->argument);
    }
    if (strcmp(key, "min") == 0) {
        t->at->min = v;
        return cfg_get_unsigned(rep, v, path, 0, PROCESS_COUNT_MAX, &p->min);
    }
    if (strcmp(key, "max") == 0) {
        t->at->max = v;
        return cfg_get_unsigned(rep, v, path, 0, PROCESS_COUNT_MAX, &p->max);
    }
    return 1;
}

static int process_finish(struct cfg_report *rep, struct config_process *p,
                          const struct entry_nodes *at, const char *ep)
{
    char kp[KEY_PATH_MAX];
    if (!at->name)
        return cfg_fail_node(rep, at->entry, ep, "missing required key 'name'");
    if (!at->pidfile == !at->executable)
        return cfg_fail_node(rep, at->entry, ep,
                             "exactly one of 'pidfile' and 'executable' is required");
    if (at->argument && !at->executable)
        return cfg_fail_node(rep, at->argument, cfg_path_field(kp, ep, "argument"),
                             "only with 'executable'");
    if (p->max && p->max < p->min)
        return cfg_fail_node(rep, at->max, cfg_path_field(kp, ep, "max"),
                             "%u is less than min (%u)", p->max, p->min);
    if ((!p->pidfile && !(p->pidfile = config_strdup(NULL))) ||
        (!p->executable && !(p->executable = config_strdup(NULL))) ||
        (!p->argument && !(p->argument = config_strdup(NULL))))
        return cfg_fail_nomem(rep);
    return 0;
}

static int process_read(struct cfg_report *rep, void *entry, size_t i, const struct node *v,
                        const char *ep, void *ctx, const struct node **name)
{
    struct config_process *p = entry;
    struct entry_nodes at = {.entry = v};
    struct process_target t = {p, &at};
    (void)i, (void)ctx;
    p->min = 1;
    p->line = v->line;
    if (config_each_pair(rep, v, ep, process_pair, &t) != 0 ||
        process_finish(rep, p, &at, ep) != 0)
        return -1;
    *name = at.name;
    return 0;
}

static const struct config_list process_list = {
    "process", sizeof(struct config_process), offsetof(struct config_process, name),
    process_read,
};

static int process_watch(struct cfg_report *rep, struct config *c, const struct node *v,
                         const char *path)
{
    void *items;
    int rc = config_list_load(rep, v, path, &process_list, NULL, &items, &c->n_processes);
    c->processes = items;
    return rc;
}

static int processes_pair(struct cfg_report *rep, void *target, const char *key,
                          const struct node *v, const char *path)
{
    struct config *c = target;
    if (strcmp(key, "interval") == 0)
        return cfg_get_unsigned(rep, v, path, 1, 3600, &c->process_watch.interval_s);
    if (strcmp(key, "watch") == 0)
        return process_watch(rep, c, v, path);
    return 1;
}

int config_collect_processes(struct cfg_report *rep, struct config *c,
                             const struct node *v, const char *path)
{
    if (ytree_is_null(v))
        return 0;
    return config_each_pair(rep, v, path, processes_pair, c);
}

/* ------------------------------------------------------------------------ */
/* References into the sections                                              */

int config_collect_queue_row_exists(const struct config *c, const char *row)
{
    const char *slash = strchr(row, '/');
    size_t len = slash ? (size_t)(slash - row) : strlen(row);
    for (size_t i = 0; i < c->n_queues; i++) {
        const struct config_queue *q = &c->queues[i];
        if (strlen(q->name) != len || strncmp(q->name, row, len) != 0)
            continue;
        if (!slash)
            return 1;
        if (q->kind != CONFIG_QUEUE_POSTFIX)
            return 0;
        for (size_t j = 0; j < sizeof postfix_queues / sizeof postfix_queues[0]; j++)
            if (strcmp(slash + 1, postfix_queues[j]) == 0)
                return 1;
    }
    return 0;
}

void config_collect_app_path(char *out, const struct config *c, size_t i)
{
    size_t shift = c->n_apps && c->apps[0].kind == CONFIG_APP_MTA && c->apps[0].line == 0;
    cfg_path_index(out, "applications", i - shift);
}

static int check_app_refs(struct cfg_report *rep, const struct config *c)
{
    char ep[KEY_PATH_MAX], kp[KEY_PATH_MAX];
    /* Applications are still in file order here. */
    for (size_t i = 0; i < c->n_apps; i++) {
        const struct config_app *a = &c->apps[i];
        config_collect_app_path(ep, c, i);
        if (a->port) {
            const struct config_connections *cc = &c->connections;
            size_t k = 0;
            while (k < cc->n_ports && cc->ports[k] != a->port)
                k++;
            if (k == cc->n_ports)
                return cfg_fail_at(rep, a->port_pos.line, a->port_pos.col,
                                   cfg_path_field(kp, ep, "port"),
                                   "port %u is not watched: add it to connections.ports",
                                   (unsigned)a->port);
        }
        for (size_t k = 0; k < a->n_processes; k++)
            if (!config_process_find(c, a->processes[k]))
                return cfg_fail_at(rep, a->processes_pos.line, a->processes_pos.col,
                                   cfg_path_field(kp, ep, "processes"),
                                   "no process '%s' in processes.watch", a->processes[k]);
    }
    return 0;
}

int config_collect_check_refs(struct cfg_report *rep, const struct config *c)
{
    if (check_app_refs(rep, c) != 0)
        return -1;
    for (size_t i = 0; i < c->n_channels; i++) {
        const struct config_channel *ch = &c->channels[i];
        if (!ch->queue[0] || config_collect_queue_row_exists(c, ch->queue))
            continue;
        char ep[KEY_PATH_MAX], kp[KEY_PATH_MAX];
        cfg_path_index(ep, "channels", i);
        return cfg_fail_at(rep, ch->queue_pos.line, ch->queue_pos.col,
                           cfg_path_field(kp, ep, "queue"),
                           "no queue '%s' in queues (a postfix queue NAME also has "
                           "NAME/maildrop, NAME/incoming, NAME/active, NAME/deferred "
                           "and NAME/hold)", ch->queue);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */

void config_collect_defaults(struct config *c)
{
    c->connections.top = CONNECTIONS_TOP;
    c->connections.interval_s = CONNECTIONS_INTERVAL_S;
    c->process_watch.interval_s = PROCESS_INTERVAL_S;
}

void config_collect_free(struct config *c)
{
    for (size_t i = 0; i < c->n_queues; i++) {
        struct config_queue *q = &c->queues[i];
        free(q->name);
        free(q->path);
        free(q->glob);
        free(q->postqueue);
        free(q->postfix_config);
    }
    free(c->queues);
    for (size_t i = 0; i < c->n_partitions; i++) {
        free(c->partitions[i].name);
        free(c->partitions[i].path);
    }
    free(c->partitions);
    for (size_t i = 0; i < c->n_processes; i++) {
        struct config_process *p = &c->processes[i];
        free(p->name);
        free(p->pidfile);
        free(p->executable);
        free(p->argument);
    }
    free(c->processes);
}
