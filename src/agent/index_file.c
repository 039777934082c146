/*
 * index_file.c - the group-index file of mtamond (see index_map.h): one
 * "INDEX NAME" line per channel, parsed strictly by index_map_open() and
 * written through atomic_file_write() by index_map_flush().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "index_map_internal.h"
#include "mtamon.h"

#define INDEX_FILE_HEADER \
    "# mtamond group indexes: INDEX NAME; edit with mtamond stopped\n"

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

/*
 * Open @p path to read it.  Returns 0 with the stream in *out, or 0 with
 * *out NULL when there is no such file; -1 with a message in @p err.
 *
 * O_NONBLOCK: a FIFO put in its place must not hang the start (its open
 * would wait for a writer); only a regular file is read (a device such as
 * /dev/zero would be one endless line), and never through a symbolic link
 * (whatever it points to would be quoted in the error messages).
 */
static int open_regular_file(const char *path, FILE **out, char *err,
                             size_t errlen)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno == ELOOP) {
            errbuf_set(err, errlen,
                              "%s: is a symbolic link: not read", path);
            return -1;
        }
        errbuf_set(err, errlen,
                          "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        errbuf_set(err, errlen,
                          "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* (A directory fails in read_lines(), with the error of reading
         * it.) */
        errbuf_set(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        errbuf_set(err, errlen,
                          "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    *out = f;
    return 0;
}

/* What reading the file keeps from line to line. */
struct loader {
    struct index_map *map;
    const char *path;
    unsigned lineno;            /* of the line being read */
    struct index_set seen;      /* the indexes read so far */
};

/* Add the entry of one parsed line, refusing a name or an index an
 * earlier line has. */
static int add_entry(struct loader *ld, const char *name, uint32_t index,
                     char *err, size_t errlen)
{
    struct index_map *map = ld->map;
    const struct map_entry *dup = index_map_lookup(map, name);
    if (dup) {
        errbuf_set(err, errlen,
                          "%s:%u: duplicate name \"%s\" (also line %u)",
                          ld->path, ld->lineno, name, dup->line);
        return -1;
    }
    if ((map->n + 1) * 2 > ld->seen.n_slots &&
        index_set_grow(&ld->seen) != 0) {
        errbuf_set(err, errlen, "%s: out of memory", ld->path);
        return -1;
    }
    unsigned *first = index_set_slot(&ld->seen, index);
    if (*first) {
        errbuf_set(err, errlen,
                          "%s:%u: duplicate index %u (also line %u)",
                          ld->path, ld->lineno, index, *first);
        return -1;
    }
    *first = ld->lineno;
    struct map_entry *e = index_map_insert(map, name, index);
    if (!e) {
        errbuf_set(err, errlen, "%s: out of memory", ld->path);
        return -1;
    }
    e->line = ld->lineno;
    e->persist = 1;
    if (index > map->max_index)
        map->max_index = index;
    return 0;
}

/* One line of @p len bytes as getline() read it: a comment or a blank
 * line is skipped, any other line is an entry. */
static int load_line(struct loader *ld, char *buf, ssize_t len, char *err,
                     size_t errlen)
{
    ld->lineno++;
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    if ((size_t)len != strlen(buf)) {
        errbuf_set(err, errlen,
                          "%s:%u: NUL byte in line", ld->path, ld->lineno);
        return -1;
    }
    if (buf[0] == '#' || buf[strspn(buf, " \t\r")] == '\0')
        return 0;
    uint32_t index;
    char *name;
    char why[160];
    const char *bad = parse_line(buf, &index, &name, why, sizeof why);
    if (bad) {
        errbuf_set(err, errlen, "%s:%u: %s", ld->path, ld->lineno, bad);
        return -1;
    }
    return add_entry(ld, name, index, err, errlen);
}

/* Every line of @p f, up to the first bad one. */
static int read_lines(struct loader *ld, FILE *f, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = getline(&buf, &cap, f)) >= 0)
        rc = load_line(ld, buf, len, err, errlen);
    if (rc == 0 && ferror(f)) {
        errbuf_set(err, errlen,
                          "%s: read error: %s", ld->path, strerror(errno));
        rc = -1;
    }
    free(buf);
    return rc;
}

int index_file_load(struct index_map *map, const char *path, char *err,
                    size_t errlen)
{
    FILE *f;
    if (open_regular_file(path, &f, err, errlen) != 0)
        return -1;
    if (!f)
        return 0;
    struct loader ld = {map, path, 0, {NULL, NULL, 0}};
    int rc = read_lines(&ld, f, err, errlen);
    free(ld.seen.index);
    free(ld.seen.line);
    fclose(f);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Writing the file                                                          */

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

int index_file_write(const struct index_map *map, char *err, size_t errlen)
{
    struct map_entry **rows = malloc((map->n ? map->n : 1) * sizeof *rows);
    if (!rows) {
        errbuf_set(err, errlen, "%s: out of memory", map->path);
        return -1;
    }
    size_t n = 0;
    for (size_t pos = 0; pos < map->n; pos++)
        if (map->entries[pos].persist && map->entries[pos].index)
            rows[n++] = &map->entries[pos];
    qsort(rows, n, sizeof *rows, index_map_compare_index);
    size_t len = 0;
    char *text = format_rows(rows, n, &len);
    free(rows);
    if (!text) {
        errbuf_set(err, errlen, "%s: out of memory", map->path);
        return -1;
    }
    int rc = atomic_file_write(map->path, 0644, text, len, err, errlen);
    free(text);
    return rc;
}
