/*
 * config.c - mtamon.yaml: the schema walk over the node tree (ytree.h)
 * into a validated struct config (see mtamon_config.h), its defaults, and
 * the lookups in it.
 *
 * The first problem found ends the load: one message, in file order as far
 * as the checks allow, "FILE:LINE:COL: KEY: what is wrong".
 */
#include "mtamon_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cfg_fail.h"
#include "cfg_path.h"
#include "cfg_get.h"
#include "config_internal.h"
#include "mtamon.h"
#include "whole_file.h"
#include "ytree.h"

/* Defaults (documented in mtamon.yaml(5) and conf/mtamon.yaml). */
#define DEFAULT_INDEX_FILE "/var/lib/mtamon/group-index"
#define DEFAULT_MTA_NAME "mta"

/* A configuration file is a few kilobytes; this only stops a mistake (a
 * log file given by accident) from eating memory. */
#define CONFIG_FILE_MAX ((size_t)4 << 20)

/* Largest applIndex / mtaGroupIndex (Integer32 1..2147483647). */
#define INDEX_MAX 2147483647u

#define TEXT_MAX CONFIG_TEXT_MAX
#define PATH_TEXT_MAX CONFIG_PATH_MAX

/* ------------------------------------------------------------------------ */
/* Sections                                                                  */

int config_each_pair(struct cfg_report *rep, const struct node *m, const char *path,
                     config_pair_fn fn, void *target)
{
    if (ytree_expect_mapping(rep, m, path) != 0)
        return -1;
    for (size_t i = 0; i < map_size(m); i++) {
        const struct node *k = map_key(m, i);
        char kp[KEY_PATH_MAX];
        cfg_path_key(kp, path, k->value, k->len);
        /* A key with a NUL byte can never match a name. */
        const char *key = strlen(k->value) == k->len ? k->value : "";
        int rc = fn(rep, target, key, map_value(m, i), kp);
        if (rc < 0)
            return -1;
        if (rc > 0)
            return cfg_fail_node(rep, k, kp, "unknown key");
    }
    return 0;
}

const struct enum_value config_booleans[] = {
    {"false", 0}, {"true", 1}, {NULL, 0},
};

/* name: a shared-memory name: "/" then 1..254 bytes, no other '/'. */
static int segment_pair(struct cfg_report *rep, void *target, const char *key,
                        const struct node *v, const char *path)
{
    struct config *c = target;
    if (strcmp(key, "trust_any_owner") == 0)
        return cfg_get_enum(rep, v, path, config_booleans, &c->trust_any_owner);
    if (strcmp(key, "owner") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, TEXT_NO_SPACE,
                            &c->segment_owner);
    if (strcmp(key, "name") != 0)
        return 1;
    if (cfg_get_text(rep, v, path, 255, TEXT_REQUIRED | TEXT_NO_SPACE, &c->segment) != 0)
        return -1;
    if (c->segment[0] != '/' || c->segment[1] == '\0' || strchr(c->segment + 1, '/'))
        return cfg_fail_node(rep, v, path,
                             "'%s' is not a shared-memory name: '/' then 1 to 254 "
                             "characters, no other '/'", c->segment);
    return 0;
}

static int agentx_pair(struct cfg_report *rep, void *target, const char *key,
                       const struct node *v, const char *path)
{
    struct config *c = target;
    unsigned s;
    if (strcmp(key, "socket") == 0)
        return cfg_get_text(rep, v, path, PATH_TEXT_MAX, TEXT_NO_SPACE, &c->agentx_socket);
    if (strcmp(key, "ping_interval") == 0)
        return cfg_get_unsigned(rep, v, path, 1, 3600, &c->ping_interval_s);
    if (strcmp(key, "timeout") == 0) {
        if (cfg_get_unsigned(rep, v, path, 1, 60, &s) != 0)
            return -1;
        c->timeout_ms = s * 1000u;
        return 0;
    }
    if (strcmp(key, "retries") == 0)
        return cfg_get_unsigned(rep, v, path, 0, 10, &c->retries);
    if (strcmp(key, "refresh_interval") == 0)
        return cfg_get_unsigned(rep, v, path, 10, 60000, &c->refresh_ms);
    return 1;
}

static const struct enum_value log_targets[] = {
    {"syslog", CONFIG_LOG_SYSLOG},
    {"stderr", CONFIG_LOG_STDERR},
    {NULL, 0},
};

static const struct enum_value facilities[] = {
    {"daemon", LOG_DAEMON}, {"mail", LOG_MAIL},     {"user", LOG_USER},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}, {NULL, 0},
};

static int daemon_pair(struct cfg_report *rep, void *target, const char *key,
                       const struct node *v, const char *path)
{
    struct config *c = target;
    int e;
    if (strcmp(key, "user") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, TEXT_NO_SPACE, &c->user);
    if (strcmp(key, "group") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, TEXT_NO_SPACE, &c->group);
    if (strcmp(key, "pidfile") == 0)
        return cfg_get_text(rep, v, path, PATH_TEXT_MAX, 0, &c->pidfile);
    if (strcmp(key, "index_file") == 0)
        return cfg_get_text(rep, v, path, PATH_TEXT_MAX, TEXT_REQUIRED, &c->index_file);
    if (strcmp(key, "log") == 0) {
        if (cfg_get_enum(rep, v, path, log_targets, &e) != 0)
            return -1;
        c->log = (enum config_log_target)e;
        return 0;
    }
    if (strcmp(key, "syslog_facility") == 0)
        return cfg_get_enum(rep, v, path, facilities, &c->syslog_facility);
    return 1;
}

/* --- applications ------------------------------------------------------- */

/* Where an entry was, for messages about it after sorting. */
struct entry_ref {
    size_t pos;                  /* position in its sequence */
    const struct node *entry;    /* the entry's mapping */
    const struct node *index;    /* its index value, NULL if not pinned */
    uint32_t pinned;             /* that index */
    const struct node *name;     /* its name value (channels) */
    const struct node *type;     /* its type value (applications) */
};

struct app_target {
    struct config_app *app;
    struct entry_ref *ref;
};

static const struct enum_value app_kinds[] = {
    {"mta", CONFIG_APP_MTA},
    {"service", CONFIG_APP_SERVICE},
    {NULL, 0},
};

/* processes: a sequence of names of processes.watch entries. */
static int app_processes(struct cfg_report *rep, struct config_app *a,
                         const struct node *v, const char *path)
{
    if (ytree_expect_sequence(rep, v, path) != 0)
        return -1;
    a->processes = calloc(v->n_items ? v->n_items : 1, sizeof *a->processes);
    if (!a->processes)
        return cfg_fail_nomem(rep);
    for (size_t i = 0; i < v->n_items; i++) {
        char ip[KEY_PATH_MAX];
        cfg_path_index(ip, path, i);
        if (cfg_get_text(rep, v->items[i], ip, CONFIG_NAME_MAX, TEXT_REQUIRED | TEXT_NO_SPACE,
                         &a->processes[a->n_processes++]) != 0)
            return -1;
    }
    return 0;
}

static int app_pair(struct cfg_report *rep, void *target, const char *key,
                    const struct node *v, const char *path)
{
    struct app_target *t = target;
    struct config_app *a = t->app;
    if (strcmp(key, "type") == 0) {
        int e;
        if (cfg_get_enum(rep, v, path, app_kinds, &e) != 0)
            return -1;
        a->kind = (enum config_app_kind)e;
        t->ref->type = v;
        return 0;
    }
    if (strcmp(key, "index") == 0) {
        int64_t i;
        if (cfg_get_integer(rep, v, path, 1, INDEX_MAX, &i) != 0)
            return -1;
        a->index = (uint32_t)i;
        t->ref->index = v;
        t->ref->pinned = a->index;
        return 0;
    }
    if (strcmp(key, "name") == 0) {
        t->ref->name = v;
        return cfg_get_text(rep, v, path, TEXT_MAX, TEXT_REQUIRED, &a->name);
    }
    if (strcmp(key, "version") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, 0, &a->version);
    if (strcmp(key, "description") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, 0, &a->description);
    if (strcmp(key, "url") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, TEXT_NO_SPACE, &a->url);
    if (strcmp(key, "directory_name") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, 0, &a->directory_name);
    if (strcmp(key, "port") == 0) {
        unsigned port;
        if (cfg_get_unsigned(rep, v, path, 1, 65535, &port) != 0)
            return -1;
        a->port = (uint16_t)port;
        a->port_pos = (struct config_pos){v->line, v->col};
        return 0;
    }
    if (strcmp(key, "processes") == 0) {
        a->processes_pos = (struct config_pos){v->line, v->col};
        return app_processes(rep, a, v, path);
    }
    if (strcmp(key, "probe") == 0) {
        a->probe_pos = (struct config_pos){v->line, v->col};
        return cfg_get_text(rep, v, path, CONFIG_NAME_MAX, TEXT_REQUIRED | TEXT_NO_SPACE,
                            &a->probe);
    }
    return 1;
}

/* --- channels ------------------------------------------------------------ */

struct channel_target {
    struct config_channel *ch;
    struct entry_ref *ref;
};


static int channel_pair(struct cfg_report *rep, void *target, const char *key,
                        const struct node *v, const char *path)
{
    struct channel_target *t = target;
    struct config_channel *ch = t->ch;
    if (strcmp(key, "name") == 0) {
        t->ref->name = v;
        if (cfg_get_text(rep, v, path, MTAMON_CHANNEL_NAME_MAX, TEXT_REQUIRED, &ch->name) != 0)
            return -1;
        struct mtamon_error e;
        if (mtamon_channel_name_check(ch->name, &e) != MTAMON_OK)
            return cfg_fail_node(rep, v, path, "%s", e.message);
        return 0;
    }
    if (strcmp(key, "index") == 0) {
        int64_t i;
        if (cfg_get_integer(rep, v, path, 1, INDEX_MAX, &i) != 0)
            return -1;
        ch->group_index = (uint32_t)i;
        t->ref->index = v;
        t->ref->pinned = ch->group_index;
        return 0;
    }
    if (strcmp(key, "group_name") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, TEXT_REQUIRED, &ch->group_name);
    if (strcmp(key, "description") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, 0, &ch->description);
    if (strcmp(key, "url") == 0)
        return cfg_get_text(rep, v, path, TEXT_MAX, TEXT_NO_SPACE, &ch->url);
    if (strcmp(key, "protocol") == 0)
        return cfg_get_protocol(rep, v, path, ch);
    if (strcmp(key, "hierarchy") == 0) {
        int64_t h;
        if (cfg_get_integer(rep, v, path, INT32_MIN, INT32_MAX, &h) != 0)
            return -1;
        ch->hierarchy = (int32_t)h;
        return 0;
    }
    if (strcmp(key, "queue") == 0) {
        ch->queue_pos = (struct config_pos){v->line, v->col};
        return cfg_get_text(rep, v, path, CONFIG_NAME_MAX + 16, TEXT_REQUIRED | TEXT_NO_SPACE,
                            &ch->queue);
    }
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */

char *config_strdup(const char *s)
{
    return strdup(s ? s : "");
}

void config_free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void app_free(struct config_app *a)
{
    free(a->name);
    free(a->version);
    free(a->description);
    free(a->url);
    free(a->directory_name);
    free(a->probe);
    config_free_list(a->processes, a->n_processes);
}

static void channel_free(struct config_channel *ch)
{
    free(ch->name);
    free(ch->group_name);
    free(ch->description);
    free(ch->url);
    free(ch->queue);
}

/* Give every string of @p a that is still NULL the value "". */
static int app_fill(struct config_app *a)
{
    char **s[] = {&a->name, &a->version, &a->description, &a->url, &a->directory_name,
                  &a->probe};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (!*s[i] && !(*s[i] = config_strdup(NULL)))
            return -1;
    return 0;
}

void config_free(struct config *conf)
{
    if (!conf)
        return;
    free(conf->path);
    free(conf->segment);
    free(conf->segment_owner);
    free(conf->agentx_socket);
    free(conf->pidfile);
    free(conf->user);
    free(conf->group);
    free(conf->index_file);
    for (size_t i = 0; i < conf->n_apps; i++)
        app_free(&conf->apps[i]);
    free(conf->apps);
    for (size_t i = 0; i < conf->n_channels; i++)
        channel_free(&conf->channels[i]);
    free(conf->channels);
    config_collect_free(conf);
    config_probe_free_all(conf);
    config_alarm_free_all(conf);
    config_alarm_options_free(conf);
    free(conf);
}

/* The defaults without the default MTA row. */
static struct config *config_base(void)
{
    struct config *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->ping_interval_s = 15;
    c->timeout_ms = 5000;
    c->retries = 1;
    c->refresh_ms = 1000;
    c->log = CONFIG_LOG_SYSLOG;
    c->syslog_facility = LOG_DAEMON;
    c->path = config_strdup(NULL);
    c->segment = config_strdup(MTAMON_DEFAULT_SEGMENT);
    c->segment_owner = config_strdup(NULL);
    c->agentx_socket = config_strdup(NULL);
    c->pidfile = config_strdup(NULL);
    c->user = config_strdup(NULL);
    c->group = config_strdup(NULL);
    c->index_file = config_strdup(DEFAULT_INDEX_FILE);
    config_collect_defaults(c);
    if (config_alarm_options_defaults(c) != 0 || !c->path || !c->segment || !c->segment_owner ||
        !c->agentx_socket || !c->pidfile || !c->user || !c->group || !c->index_file) {
        config_free(c);
        return NULL;
    }
    return c;
}

/* Append the default MTA row {mta, unassigned index, "mta"}. */
static int add_default_mta(struct config *c)
{
    struct config_app *apps = realloc(c->apps, (c->n_apps + 1) * sizeof *apps);
    if (!apps)
        return -1;
    c->apps = apps;
    struct config_app *a = &apps[c->n_apps];
    memset(a, 0, sizeof *a);
    a->kind = CONFIG_APP_MTA;
    a->name = config_strdup(DEFAULT_MTA_NAME);
    c->n_apps++;
    return app_fill(a);
}

static int u32_cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static int app_order_cmp(const void *x, const void *y)
{
    const struct config_app *a = x, *b = y;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int channel_name_cmp(const void *x, const void *y)
{
    const struct config_channel *a = x, *b = y;
    return strcmp(a->name, b->name);
}

struct config *config_defaults(void)
{
    struct config *c = config_base();
    if (!c)
        return NULL;
    if (add_default_mta(c) != 0) {
        config_free(c);
        return NULL;
    }
    c->apps[0].index = 1;
    return c;
}

/* ------------------------------------------------------------------------ */
/* applications: and channels:                                               */

/* Order of pinned indexes, then of file position. */
static int ref_index_cmp(const void *x, const void *y)
{
    const struct entry_ref *a = x, *b = y;
    if (a->pinned != b->pinned)
        return a->pinned < b->pinned ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/*
 * The pinned index of no two of @p refs (in file order) is equal; on a
 * clash the later entry is named.  @p what names the index in messages.
 */
static int check_unique_index(struct cfg_report *rep, const struct entry_ref *refs,
                              size_t n, const char *section, const char *what)
{
    struct entry_ref *pinned = malloc((n ? n : 1) * sizeof *pinned);
    if (!pinned)
        return cfg_fail_nomem(rep);
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        if (refs[i].index)
            pinned[np++] = refs[i];
    qsort(pinned, np, sizeof *pinned, ref_index_cmp);
    const struct entry_ref *dup = NULL, *first = NULL;
    for (size_t i = 1; i < np; i++) {
        const struct entry_ref *a = &pinned[i - 1], *b = &pinned[i];
        /* Equal indexes sort by position: the earliest repetition of one
         * follows its first occurrence. */
        if (a->pinned == b->pinned && (!dup || b->pos < dup->pos)) {
            dup = b;
            first = a;
        }
    }
    int rc = 0;
    if (dup) {
        char p[KEY_PATH_MAX], kp[KEY_PATH_MAX];
        cfg_path_index(p, section, dup->pos);
        cfg_path_join(kp, p, ".", "index");
        rc = cfg_fail_node(rep, dup->index, kp, "duplicate %s %u (also %s[%zu] at line %u)",
                           what, (unsigned)dup->pinned, section, first->pos,
                           first->index->line);
    }
    free(pinned);
    return rc;
}

/* Give each app without an index the lowest free one, in file order. */
static int assign_app_indexes(struct cfg_report *rep, struct config *c)
{
    uint32_t *pinned = malloc((c->n_apps ? c->n_apps : 1) * sizeof *pinned);
    if (!pinned)
        return cfg_fail_nomem(rep);
    size_t np = 0;
    for (size_t i = 0; i < c->n_apps; i++)
        if (c->apps[i].index)
            pinned[np++] = c->apps[i].index;
    qsort(pinned, np, sizeof *pinned, u32_cmp);
    uint32_t next = 1;
    size_t p = 0;
    for (size_t i = 0; i < c->n_apps; i++) {
        if (c->apps[i].index)
            continue;
        for (;;) {
            while (p < np && pinned[p] < next)
                p++;
            if (p < np && pinned[p] == next)
                next++;
            else
                break;
        }
        /* n_apps entries never exhaust 2^31 indexes. */
        c->apps[i].index = next++;
    }
    free(pinned);
    return 0;
}

/*
 * Entries of applications: and channels: note where they were in @p ctx,
 * an array of struct entry_ref (one for each entry), for the checks once
 * all are read.
 */
static struct entry_ref *ref_of(void *ctx, size_t i, const struct node *v)
{
    struct entry_ref *ref = (struct entry_ref *)ctx + i;
    ref->pos = i;
    ref->entry = v;
    return ref;
}

static int app_read(struct cfg_report *rep, void *entry, size_t i, const struct node *v,
                    const char *ep, void *ctx, const struct node **name)
{
    struct config_app *a = entry;
    struct app_target t = {a, ref_of(ctx, i, v)};
    if (config_each_pair(rep, v, ep, app_pair, &t) != 0)
        return -1;
    a->line = v->line;
    if (!t.ref->type)
        return cfg_fail_node(rep, v, ep, "missing required key 'type' (mta or service)");
    if (!t.ref->name)
        return cfg_fail_node(rep, v, ep, "missing required key 'name'");
    *name = t.ref->name;
    return app_fill(a) == 0 ? 0 : cfg_fail_nomem(rep);
}

static const struct config_list app_list = {
    NULL, sizeof(struct config_app), offsetof(struct config_app, name), app_read,
};

/* At most one of the @p n applications of @p c (still in file order) is
 * of type mta. */
static int check_one_mta(struct cfg_report *rep, const struct config *c,
                         const struct entry_ref *refs, size_t n, const char *path)
{
    const struct entry_ref *mta = NULL;
    for (size_t i = 0; i < n; i++) {
        if (c->apps[i].kind != CONFIG_APP_MTA)
            continue;
        if (mta) {
            char ep[KEY_PATH_MAX], kp[KEY_PATH_MAX];
            cfg_path_index(ep, path, i);
            return cfg_fail_node(rep, refs[i].type, cfg_path_field(kp, ep, "type"),
                                 "only one application may be of type mta (the first is "
                                 "%s[%zu] at line %u)", path, mta->pos, mta->entry->line);
        }
        mta = &refs[i];
    }
    return 0;
}

/* The entries of sequence @p v (if it is one) for ref_of(), or NULL. */
static struct entry_ref *refs_for(const struct node *v)
{
    size_t n = v->kind == NODE_SEQUENCE ? v->n_items : 0;
    return calloc(n ? n : 1, sizeof(struct entry_ref));
}

static int load_applications(struct cfg_report *rep, struct config *c,
                             const struct node *v, const char *path)
{
    struct entry_ref *refs = refs_for(v);
    if (!refs)
        return cfg_fail_nomem(rep);
    void *items;
    int rc = config_list_load(rep, v, path, &app_list, refs, &items, &c->n_apps);
    c->apps = items;
    if (rc == 0 && (check_one_mta(rep, c, refs, c->n_apps, path) != 0 ||
                    check_unique_index(rep, refs, c->n_apps, path, "applIndex") != 0))
        rc = -1;
    free(refs);
    return rc;
}

struct channel_order {
    const char *name;
    size_t pos;
    const struct node *name_node;
};

static int channel_order_cmp(const void *x, const void *y)
{
    const struct channel_order *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    if (c != 0)
        return c;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* No two channels of @p c (still in file order) have one name. */
static int check_unique_names(struct cfg_report *rep, const struct config *c,
                              const struct entry_ref *refs, const char *path)
{
    size_t n = c->n_channels;
    struct channel_order *o = malloc((n ? n : 1) * sizeof *o);
    if (!o)
        return cfg_fail_nomem(rep);
    for (size_t i = 0; i < n; i++)
        o[i] = (struct channel_order){c->channels[i].name, i, refs[i].name};
    qsort(o, n, sizeof *o, channel_order_cmp);
    const struct channel_order *dup = NULL, *first = NULL;
    for (size_t i = 1; i < n; i++) {
        /* As for indexes: a repetition follows its first occurrence. */
        if (strcmp(o[i - 1].name, o[i].name) == 0 && (!dup || o[i].pos < dup->pos)) {
            dup = &o[i];
            first = &o[i - 1];
        }
    }
    int rc = 0;
    if (dup) {
        char ep[KEY_PATH_MAX], kp[KEY_PATH_MAX];
        cfg_path_index(ep, path, dup->pos);
        cfg_path_join(kp, ep, ".", "name");
        rc = cfg_fail_node(rep, dup->name_node, kp,
                           "duplicate channel '%s' (also %s[%zu] at line %u)", dup->name,
                           path, first->pos, first->name_node->line);
    }
    free(o);
    return rc;
}

static int channel_read(struct cfg_report *rep, void *entry, size_t i, const struct node *v,
                        const char *ep, void *ctx, const struct node **name)
{
    struct config_channel *ch = entry;
    struct channel_target t = {ch, ref_of(ctx, i, v)};
    if (config_each_pair(rep, v, ep, channel_pair, &t) != 0)
        return -1;
    ch->line = v->line;
    if (!t.ref->name)
        return cfg_fail_node(rep, v, ep, "missing required key 'name'");
    *name = t.ref->name;
    if ((!ch->group_name && !(ch->group_name = strdup(ch->name))) ||
        (!ch->description && !(ch->description = config_strdup(NULL))) ||
        (!ch->url && !(ch->url = config_strdup(NULL))) ||
        (!ch->queue && !(ch->queue = config_strdup(NULL))))
        return cfg_fail_nomem(rep);
    return 0;
}

/* Channel names are checked once all are read (check_unique_names()). */
static const struct config_list channel_list = {
    NULL, sizeof(struct config_channel), offsetof(struct config_channel, name), channel_read,
};

static int load_channels(struct cfg_report *rep, struct config *c, const struct node *v,
                         const char *path)
{
    struct entry_ref *refs = refs_for(v);
    if (!refs)
        return cfg_fail_nomem(rep);
    void *items;
    int rc = config_list_load(rep, v, path, &channel_list, refs, &items, &c->n_channels);
    c->channels = items;
    if (rc == 0 && (check_unique_names(rep, c, refs, path) != 0 ||
                    check_unique_index(rep, refs, c->n_channels, path, "mtaGroupIndex") != 0))
        rc = -1;
    free(refs);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The top level                                                             */

/* A section given as null (only a comment under it) is empty. */
static int section(struct cfg_report *rep, const struct node *v, const char *path,
                   config_pair_fn fn, void *target)
{
    if (ytree_is_null(v))
        return 0;
    return config_each_pair(rep, v, path, fn, target);
}

static int top_pair(struct cfg_report *rep, void *target, const char *key,
                    const struct node *v, const char *path)
{
    struct config *c = target;
    static const char *const later[] = {"feed"};
    if (strcmp(key, "segment") == 0)
        return section(rep, v, path, segment_pair, c);
    if (strcmp(key, "agentx") == 0)
        return section(rep, v, path, agentx_pair, c);
    if (strcmp(key, "daemon") == 0)
        return section(rep, v, path, daemon_pair, c);
    if (strcmp(key, "applications") == 0)
        return load_applications(rep, c, v, path);
    if (strcmp(key, "channels") == 0)
        return load_channels(rep, c, v, path);
    if (strcmp(key, "queues") == 0)
        return config_collect_queues(rep, c, v, path);
    if (strcmp(key, "partitions") == 0)
        return config_collect_partitions(rep, c, v, path);
    if (strcmp(key, "connections") == 0)
        return config_collect_connections(rep, c, v, path);
    if (strcmp(key, "processes") == 0)
        return config_collect_processes(rep, c, v, path);
    if (strcmp(key, "probes") == 0)
        return config_probe_load(rep, c, v, path);
    if (strcmp(key, "alarms") == 0)
        return config_alarm_load(rep, c, v, path);
    if (strcmp(key, "alarm_options") == 0)
        return config_alarm_options_load(rep, c, v, path);
    for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
        if (strcmp(key, later[i]) != 0)
            continue;
        if (v->kind == NODE_SCALAR && !ytree_is_null(v))
            return cfg_fail_node(rep, v, path, "expected a mapping or a sequence, found %s",
                                 ytree_kind_name(v));
        return ytree_check_ignored(rep, v, path);
    }
    return 1;
}

/* Default MTA row, indexes, order: what every valid file ends with
 * (@p root: the file's tree, for the positions of references). */
static int finish(struct cfg_report *rep, struct config *c, const struct node *root)
{
    int have_mta = 0;
    for (size_t i = 0; i < c->n_apps; i++)
        have_mta |= c->apps[i].kind == CONFIG_APP_MTA;
    if (!have_mta) {
        if (add_default_mta(c) != 0)
            return cfg_fail_nomem(rep);
        /* First in file order, so it gets applIndex 1 unless pinned away. */
        struct config_app mta = c->apps[c->n_apps - 1];
        memmove(c->apps + 1, c->apps, (c->n_apps - 1) * sizeof *c->apps);
        c->apps[0] = mta;
    }
    if (config_collect_check_refs(rep, c) != 0 || config_probe_check_refs(rep, c) != 0 ||
        config_alarm_check_refs(rep, c, root) != 0 || assign_app_indexes(rep, c) != 0)
        return -1;
    qsort(c->apps, c->n_apps, sizeof *c->apps, app_order_cmp);
    if (c->n_channels)
        qsort(c->channels, c->n_channels, sizeof *c->channels, channel_name_cmp);
    return 0;
}

/* The whole of @p path into *@p buf (malloc'd, NUL-terminated). */
static int read_text(struct cfg_report *rep, const char *path, char **buf, size_t *len)
{
    int rc = whole_file_read(path, CONFIG_FILE_MAX, buf, len);
    if (rc < 0)
        return errno == ENOMEM ? cfg_fail_nomem(rep) : cfg_fail_file(rep, "%s", strerror(errno));
    if (rc > 0) {
        free(*buf);
        *buf = NULL;
        return cfg_fail_file(rep, "larger than %zu bytes: not a configuration file",
                             CONFIG_FILE_MAX);
    }
    return 0;
}

int config_load(const char *path, struct config **out, char *err,
                size_t errlen)
{
    struct cfg_report rep = {.file = path ? path : "(null)", .err = err,
                             .errlen = errlen};
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return cfg_fail_file(&rep, "no place for the result");
    *out = NULL;
    if (!path || !*path)
        return cfg_fail_file(&rep, "no file name given");

    char *text = NULL;
    size_t len = 0;
    if (read_text(&rep, path, &text, &len) != 0)
        return -1;

    struct node *root = NULL;
    struct config *c = NULL;
    int rc = ytree_read(&rep, text, len, &root);
    if (rc == 0) {
        c = config_base();
        char *copy = c ? strdup(path) : NULL;
        if (!copy) {
            rc = cfg_fail_nomem(&rep);
        } else {
            free(c->path);
            c->path = copy;
        }
    }
    if (rc == 0 && root && !ytree_is_null(root)) {
        if (root->kind != NODE_MAPPING)
            rc = cfg_fail_node(&rep, root, "", "the top level must be a mapping, found %s",
                               ytree_kind_name(root));
        else
            rc = config_each_pair(&rep, root, "", top_pair, c);
    }
    if (rc == 0)
        rc = finish(&rep, c, root);

    ytree_free(root);
    free(text);
    if (rc != 0) {
        config_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

const struct config_app *config_mta_app(const struct config *conf)
{
    if (!conf)
        return NULL;
    for (size_t i = 0; i < conf->n_apps; i++)
        if (conf->apps[i].kind == CONFIG_APP_MTA)
            return &conf->apps[i];
    return NULL;
}

static int channel_key_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct config_channel *)elem)->name);
}

const struct config_channel *config_channel_find(const struct config *conf,
                                                 const char *name)
{
    if (!conf || !name || conf->n_channels == 0)
        return NULL;
    return bsearch(name, conf->channels, conf->n_channels, sizeof *conf->channels,
                   channel_key_cmp);
}

const struct config_queue *config_queue_find(const struct config *conf,
                                             const char *name)
{
    for (size_t i = 0; conf && name && i < conf->n_queues; i++)
        if (strcmp(conf->queues[i].name, name) == 0)
            return &conf->queues[i];
    return NULL;
}

const struct config_process *config_process_find(const struct config *conf,
                                                 const char *name)
{
    for (size_t i = 0; conf && name && i < conf->n_processes; i++)
        if (strcmp(conf->processes[i].name, name) == 0)
            return &conf->processes[i];
    return NULL;
}
