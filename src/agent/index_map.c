/*
 * index_map.c - stable mtaGroupIndex values for channel names (see
 * index_map.h for the rules).
 *
 * Entries live in one growing array; an open-addressing hash table of
 * array positions finds a name in O(1).  The file is only read by
 * index_map_open() and only written by index_map_flush().
 */
#include "index_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "fnv1a.h"
#include "log.h"
#include "mtamon.h"

#define INDEX_FILE_HEADER \
    "# mtamond group indexes: INDEX NAME; edit with mtamond stopped\n"

struct map_entry {
    char name[MTAMON_CHANNEL_NAME_MAX + 1];
    uint32_t index;     /* 0 only when every index was used up */
    uint32_t pin;       /* pinned by the configuration, 0 = not */
    unsigned line;      /* line in the file, 0 = not from the file */
    int persist;        /* belongs in the file (in it, or seen by get) */
};

struct index_map {
    char *path;                 /* NULL: memory only */
    struct map_entry *entries;
    size_t n, alloc;
    uint32_t *slots;            /* position + 1 in entries[], 0 = empty */
    size_t n_slots;             /* a power of two, at least 2 * n */
    uint32_t max_index;         /* highest ever handed out or pinned */
    int dirty;                  /* the file lags behind the map */
    int exhausted_logged;
};

static uint64_t hash_name(const char *s)
{
    return fnv1a_add(FNV1A_INIT, s, strlen(s));
}

/* Slot of @p name: where it is, or the empty slot where it would go. */
static size_t find_slot(const struct index_map *map, const char *name)
{
    size_t mask = map->n_slots - 1;
    size_t i = hash_name(name) & mask;
    while (map->slots[i] &&
           strcmp(map->entries[map->slots[i] - 1].name, name) != 0)
        i = (i + 1) & mask;
    return i;
}

static struct map_entry *lookup(const struct index_map *map, const char *name)
{
    size_t i = find_slot(map, name);
    return map->slots[i] ? &map->entries[map->slots[i] - 1] : NULL;
}

/* Double the hash table; keep the load factor at most 1/2. */
static int grow_slots(struct index_map *map)
{
    size_t n_slots = map->n_slots ? map->n_slots * 2 : 64;
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return -1;
    uint32_t *old = map->slots;
    map->slots = slots;
    map->n_slots = n_slots;
    for (size_t pos = 0; pos < map->n; pos++)
        map->slots[find_slot(map, map->entries[pos].name)] = (uint32_t)pos + 1;
    free(old);
    return 0;
}

/* Add @p name (not present, at most MTAMON_CHANNEL_NAME_MAX bytes). */
static struct map_entry *insert(struct index_map *map, const char *name,
                                uint32_t index)
{
    if (map->n >= UINT32_MAX - 1)
        return NULL;
    if ((map->n + 1) * 2 > map->n_slots && grow_slots(map) != 0)
        return NULL;
    if (map->n == map->alloc) {
        size_t alloc = map->alloc ? map->alloc * 2 : 64;
        struct map_entry *e = realloc(map->entries, alloc * sizeof *e);
        if (!e)
            return NULL;
        map->entries = e;
        map->alloc = alloc;
    }
    struct map_entry *e = &map->entries[map->n];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->index = index;
    map->slots[find_slot(map, name)] = (uint32_t)map->n + 1;
    map->n++;
    return e;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------ */
/* Reading the file                                                          */

/* Index -> line of the entry holding it, to find duplicates while loading
 * (a sorted copy would lose the line numbers of the first occurrence). */
struct index_set {
    uint32_t *index;
    unsigned *line;
    size_t n_slots;
};

static unsigned *index_set_slot(struct index_set *set, uint32_t index)
{
    size_t mask = set->n_slots - 1;
    size_t i = (index * 2654435761u) & mask;
    while (set->index[i] && set->index[i] != index)
        i = (i + 1) & mask;
    set->index[i] = index;
    return &set->line[i];
}

static int index_set_grow(struct index_set *set)
{
    struct index_set bigger = {NULL, NULL, set->n_slots ? set->n_slots * 2 : 64};
    bigger.index = calloc(bigger.n_slots, sizeof *bigger.index);
    bigger.line = calloc(bigger.n_slots, sizeof *bigger.line);
    if (!bigger.index || !bigger.line) {
        free(bigger.index);
        free(bigger.line);
        return -1;
    }
    for (size_t i = 0; i < set->n_slots; i++)
        if (set->index[i])
            *index_set_slot(&bigger, set->index[i]) = set->line[i];
    free(set->index);
    free(set->line);
    *set = bigger;
    return 0;
}

/* Parse one line (without its newline) into index and name; NULL on
 * success, else what is wrong. */
static const char *parse_line(char *text, uint32_t *index, char **name,
                              char *why, size_t whylen)
{
    char *p = text;
    if (*p < '0' || *p > '9') {
        snprintf(why, whylen, "expected \"INDEX NAME\", got \"%.40s\"", text);
        return why;
    }
    uint64_t v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v <= INDEX_MAP_MAX)
            v = v * 10 + (uint64_t)(*p - '0');
        p++;
    }
    if (*p == '\0') {
        snprintf(why, whylen, "expected \"INDEX NAME\", got \"%.40s\"", text);
        return why;
    }
    if (*p != ' ' && *p != '\t') {
        snprintf(why, whylen, "bad index \"%.*s\"", (int)strcspn(text, " \t"),
                 text);
        return why;
    }
    if (v == 0 || v > INDEX_MAP_MAX) {
        snprintf(why, whylen, "index %.*s out of range 1..%u",
                 (int)(p - text), text, INDEX_MAP_MAX);
        return why;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    char *end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    struct mtamon_error e;
    if (mtamon_channel_name_check(p, &e) != MTAMON_OK) {
        snprintf(why, whylen, "invalid channel name \"%.70s\"", p);
        return why;
    }
    *index = (uint32_t)v;
    *name = p;
    return NULL;
}

static int load_file(struct index_map *map, const char *path, char *err,
                     size_t errlen)
{
    /* O_NONBLOCK: a FIFO put in its place must not hang the start (its
     * open would wait for a writer); only a regular file is read (a
     * device such as /dev/zero would be one endless line), and never
     * through a symbolic link (whatever it points to would be quoted in
     * the error messages). */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno == ELOOP) {
            set_err(err, errlen, "%s: is a symbolic link: not read", path);
            return -1;
        }
        set_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        set_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* (A directory fails below, with the error of reading it.) */
        set_err(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        set_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    struct index_set seen = {NULL, NULL, 0};
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned lineno = 0;
    int rc = 0;
    while ((len = getline(&buf, &cap, f)) >= 0) {
        lineno++;
        if (len > 0 && buf[len - 1] == '\n')
            buf[--len] = '\0';
        if ((size_t)len != strlen(buf)) {
            set_err(err, errlen, "%s:%u: NUL byte in line", path, lineno);
            rc = -1;
            break;
        }
        if (buf[0] == '#' || buf[strspn(buf, " \t\r")] == '\0')
            continue;
        uint32_t index;
        char *name;
        char why[160];
        const char *bad = parse_line(buf, &index, &name, why, sizeof why);
        if (bad) {
            set_err(err, errlen, "%s:%u: %s", path, lineno, bad);
            rc = -1;
            break;
        }
        const struct map_entry *dup = lookup(map, name);
        if (dup) {
            set_err(err, errlen, "%s:%u: duplicate name \"%s\" (also line %u)",
                    path, lineno, name, dup->line);
            rc = -1;
            break;
        }
        if ((map->n + 1) * 2 > seen.n_slots && index_set_grow(&seen) != 0) {
            set_err(err, errlen, "%s: out of memory", path);
            rc = -1;
            break;
        }
        unsigned *first = index_set_slot(&seen, index);
        if (*first) {
            set_err(err, errlen, "%s:%u: duplicate index %u (also line %u)",
                    path, lineno, index, *first);
            rc = -1;
            break;
        }
        *first = lineno;
        struct map_entry *e = insert(map, name, index);
        if (!e) {
            set_err(err, errlen, "%s: out of memory", path);
            rc = -1;
            break;
        }
        e->line = lineno;
        e->persist = 1;
        if (index > map->max_index)
            map->max_index = index;
    }
    if (rc == 0 && ferror(f)) {
        set_err(err, errlen, "%s: read error: %s", path, strerror(errno));
        rc = -1;
    }
    free(buf);
    free(seen.index);
    free(seen.line);
    fclose(f);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Pins from the configuration                                               */

struct pin {
    uint32_t index;
    const char *name;
};

static int compare_pin(const void *a, const void *b)
{
    const struct pin *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

static int compare_entry_index(const void *a, const void *b)
{
    const struct map_entry *const *x = a, *const *y = b;
    return ((*x)->index > (*y)->index) - ((*x)->index < (*y)->index);
}

/* Next never-used index, 0 when none is left. */
static uint32_t next_index(struct index_map *map)
{
    if (map->max_index >= INDEX_MAP_MAX)
        return 0;
    return ++map->max_index;
}

/* Pinned names get their pins; a name the file gave an index that a pin
 * now claims for another name moves to a new index. */
static int apply_pins(struct index_map *map, const struct config *conf,
                      char *err, size_t errlen)
{
    struct pin *pins = calloc(conf->n_channels ? conf->n_channels : 1,
                              sizeof *pins);
    struct map_entry **moved = calloc(map->n ? map->n : 1, sizeof *moved);
    if (!pins || !moved) {
        free(pins);
        free(moved);
        set_err(err, errlen, "out of memory");
        return -1;
    }
    size_t n_pins = 0, n_moved = 0;
    for (size_t i = 0; i < conf->n_channels; i++) {
        const struct config_channel *c = &conf->channels[i];
        if (c->group_index == 0 || c->group_index > INDEX_MAP_MAX ||
            mtamon_channel_name_check(c->name, NULL) != MTAMON_OK)
            continue; /* config_load() refuses these already */
        pins[n_pins].index = c->group_index;
        pins[n_pins].name = c->name;
        n_pins++;
        if (c->group_index > map->max_index)
            map->max_index = c->group_index;
    }
    qsort(pins, n_pins, sizeof *pins, compare_pin);

    int rc = 0;
    for (size_t i = 0; i < n_pins && rc == 0; i++) {
        struct map_entry *e = lookup(map, pins[i].name);
        if (!e && !(e = insert(map, pins[i].name, pins[i].index))) {
            set_err(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        e->pin = pins[i].index;
    }
    /* Displaced: from the file, not pinned, holding a pinned index. */
    for (size_t pos = 0; pos < map->n && rc == 0; pos++) {
        struct map_entry *e = &map->entries[pos];
        struct pin key = {e->index, NULL};
        if (e->line && !e->pin &&
            bsearch(&key, pins, n_pins, sizeof *pins, compare_pin))
            moved[n_moved++] = e;
    }
    /* Pinned names take their pins (after the search above, which needs
     * the indexes of the file). */
    for (size_t pos = 0; pos < map->n && rc == 0; pos++) {
        struct map_entry *e = &map->entries[pos];
        if (!e->pin || e->index == e->pin)
            continue;
        if (e->line)
            log_msg(LOG_NOTICE,
                    "group index of channel %s: %u pinned by the "
                    "configuration (was %u in %s)",
                    e->name, e->pin, e->index, map->path ? map->path : "memory");
        e->index = e->pin;
        map->dirty = 1;
    }
    /* In the order of their old indexes, so the result does not depend on
     * the order of the file. */
    qsort(moved, n_moved, sizeof *moved, compare_entry_index);
    for (size_t i = 0; i < n_moved; i++) {
        struct map_entry *e = moved[i];
        uint32_t old = e->index;
        const char *owner = "";
        struct pin key = {old, NULL};
        const struct pin *p = bsearch(&key, pins, n_pins, sizeof *pins,
                                      compare_pin);
        if (p)
            owner = p->name;
        e->index = next_index(map);
        map->dirty = 1;
        if (e->index)
            log_msg(LOG_WARNING,
                    "group index %u of channel %s is now pinned to channel %s "
                    "by the configuration; %s gets index %u",
                    old, e->name, owner, e->name, e->index);
        else
            log_msg(LOG_WARNING,
                    "group index %u of channel %s is now pinned to channel %s "
                    "by the configuration, and no index is left for %s",
                    old, e->name, owner, e->name);
    }
    free(pins);
    free(moved);
    return rc;
}

/* ------------------------------------------------------------------------ */

struct index_map *index_map_open(const char *path, const struct config *conf,
                                 char *err, size_t errlen)
{
    struct index_map *map = calloc(1, sizeof *map);
    if (!map || grow_slots(map) != 0 || (path && !(map->path = strdup(path)))) {
        set_err(err, errlen, "out of memory");
        index_map_free(map);
        return NULL;
    }
    if ((path && load_file(map, path, err, errlen) != 0) ||
        (conf && apply_pins(map, conf, err, errlen) != 0)) {
        index_map_free(map);
        return NULL;
    }
    if (!path)
        log_msg(LOG_NOTICE, "no group-index file: mtaGroupIndex values are "
                            "stable for the life of this process only");
    return map;
}

uint32_t index_map_get(struct index_map *map, const char *name)
{
    struct map_entry *e = lookup(map, name);
    if (e) {
        if (!e->persist && e->index) {
            e->persist = 1;
            map->dirty = 1;
        }
        return e->index;
    }
    if (mtamon_channel_name_check(name, NULL) != MTAMON_OK)
        return 0;
    if (map->max_index >= INDEX_MAP_MAX) {
        if (!map->exhausted_logged)
            log_msg(LOG_ERR, "every mtaGroupIndex up to %u is used: channel %s "
                             "and later new channels get none",
                    INDEX_MAP_MAX, name);
        map->exhausted_logged = 1;
        return 0;
    }
    e = insert(map, name, map->max_index + 1);
    if (!e)
        return 0;
    map->max_index++;
    e->persist = 1;
    map->dirty = 1;
    return e->index;
}

/* The file's text: the header, then "INDEX NAME" lines by index. */
static char *format_rows(struct map_entry *const *rows, size_t n, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f)
        return NULL;
    fputs(INDEX_FILE_HEADER, f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%u %s\n", rows[i]->index, rows[i]->name);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(text);
        return NULL;
    }
    return text;
}

static int write_file(struct index_map *map, char *err, size_t errlen)
{
    struct map_entry **rows = malloc((map->n ? map->n : 1) * sizeof *rows);
    if (!rows) {
        set_err(err, errlen, "%s: out of memory", map->path);
        return -1;
    }
    size_t n = 0;
    for (size_t pos = 0; pos < map->n; pos++)
        if (map->entries[pos].persist && map->entries[pos].index)
            rows[n++] = &map->entries[pos];
    qsort(rows, n, sizeof *rows, compare_entry_index);
    size_t len = 0;
    char *text = format_rows(rows, n, &len);
    free(rows);
    if (!text) {
        set_err(err, errlen, "%s: out of memory", map->path);
        return -1;
    }
    int rc = atomic_file_write(map->path, 0644, text, len, err, errlen);
    free(text);
    return rc;
}

int index_map_flush(struct index_map *map, char *err, size_t errlen)
{
    if (!map->dirty)
        return 0;
    if (map->path && write_file(map, err, errlen) != 0)
        return -1;
    map->dirty = 0;
    return 0;
}

void index_map_free(struct index_map *map)
{
    if (!map)
        return;
    free(map->path);
    free(map->entries);
    free(map->slots);
    free(map);
}
