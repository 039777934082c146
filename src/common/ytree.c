/*
 * ytree.c - libyaml events -> a small node tree (see ytree.h), and
 * the checks of a tree's shape.
 */
#include "ytree.h"

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* Deeper nesting than any valid file needs; bounds our recursion. */
#define DEPTH_MAX 64

/* ------------------------------------------------------------------------ */
/* The node tree                                                             */

void ytree_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_items; i++)
        ytree_free(n->items[i]);
    free(n->items);
    free(n->value);
    free(n);
}

static int node_add(struct node *parent, struct node *child)
{
    if (parent->n_items == parent->cap_items) {
        size_t cap = parent->cap_items ? parent->cap_items * 2 : 8;
        struct node **items = realloc(parent->items, cap * sizeof *items);
        if (!items)
            return -1;
        parent->items = items;
        parent->cap_items = cap;
    }
    parent->items[parent->n_items++] = child;
    return 0;
}

/* A plain empty, "~" or "null" scalar: YAML's null (an empty section). */
int ytree_after(const struct node *a, const struct node *b)
{
    return a->line > b->line || (a->line == b->line && a->col > b->col);
}

int ytree_is_null(const struct node *n)
{
    if (n->kind != NODE_SCALAR || !n->plain)
        return 0;
    return n->len == 0 || strcmp(n->value, "~") == 0 ||
           strcmp(n->value, "null") == 0 || strcmp(n->value, "Null") == 0 ||
           strcmp(n->value, "NULL") == 0;
}

const char *ytree_kind_name(const struct node *n)
{
    switch (n->kind) {
    case NODE_SCALAR: return "a scalar";
    case NODE_SEQUENCE: return "a sequence";
    case NODE_MAPPING: return "a mapping";
    }
    return "?";
}

/* ------------------------------------------------------------------------ */
/* Events to tree                                                            */

/* One ytree_read(): libyaml's parser and the text it reads. */
struct reader {
    struct cfg_report *rep;
    yaml_parser_t parser;
    const char *text;            /* the file's bytes, for reader errors */
    size_t text_len;
};

/* libyaml's error, at its problem mark (or, for a reader error, at the
 * line and column of its byte offset). */
static int fail_yaml(struct reader *rd)
{
    const yaml_parser_t *p = &rd->parser;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_MEMORY_ERROR)
        return cfg_fail_nomem(rd->rep);
    if (p->error == YAML_READER_ERROR) {
        unsigned line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < rd->text_len; i++) {
            if (rd->text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)rd->text[i] & 0xc0) != 0x80) {
                col++;
            }
        }
        if (p->problem_value != -1)
            return cfg_fail_at(rd->rep, line, col, "", "YAML error: %s (byte 0x%02x)",
                               problem, (unsigned)p->problem_value & 0xffu);
        return cfg_fail_at(rd->rep, line, col, "", "YAML error: %s", problem);
    }
    unsigned line = (unsigned)p->problem_mark.line + 1;
    unsigned col = (unsigned)p->problem_mark.column + 1;
    if (p->context)
        return cfg_fail_at(rd->rep, line, col, "", "YAML error: %s (%s at line %u, column %u)",
                           problem, p->context, (unsigned)p->context_mark.line + 1,
                           (unsigned)p->context_mark.column + 1);
    return cfg_fail_at(rd->rep, line, col, "", "YAML error: %s", problem);
}

static int next_event(struct reader *rd, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&rd->parser, ev))
        return fail_yaml(rd);
    return 0;
}

static struct node *node_new(struct reader *rd, enum node_kind kind,
                             const yaml_event_t *ev)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n) {
        cfg_fail_nomem(rd->rep);
        return NULL;
    }
    n->kind = kind;
    n->line = (unsigned)ev->start_mark.line + 1;
    n->col = (unsigned)ev->start_mark.column + 1;
    return n;
}

static int refuse_at(struct reader *rd, const yaml_event_t *ev,
                     const char *what)
{
    return cfg_fail_at(rd->rep, (unsigned)ev->start_mark.line + 1,
                       (unsigned)ev->start_mark.column + 1, "",
                       "%s are not supported", what);
}

/*
 * Anchors and aliases (an alias bomb is a denial of service), and tags:
 * "!!binary", "!!python/object", a local "!tag", even "!!str", would ask
 * for a type or a constructor this reader does not have; ignoring them
 * would read something else than the writer meant.  The start mark of a
 * node is that of its first property, so the message points at it.
 */
static int refuse_properties(struct reader *rd, const yaml_event_t *ev,
                             const yaml_char_t *anchor, const yaml_char_t *tag)
{
    if (anchor)
        return refuse_at(rd, ev, "anchors and aliases");
    if (tag)
        return refuse_at(rd, ev, "tags");
    return 0;
}

/*
 * Build the node that starts with event @p ev (which this call owns and
 * deletes).  Returns the node, or NULL after a message.
 */
static struct node *build_node(struct reader *rd, yaml_event_t *ev, int depth)
{
    struct node *n = NULL;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        refuse_at(rd, ev, "anchors and aliases");
        break;
    case YAML_SCALAR_EVENT:
        if (refuse_properties(rd, ev, ev->data.scalar.anchor,
                              ev->data.scalar.tag) != 0)
            break;
        n = node_new(rd, NODE_SCALAR, ev);
        if (!n)
            break;
        n->len = ev->data.scalar.length;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->value = malloc(n->len + 1);
        if (!n->value) {
            ytree_free(n);
            n = NULL;
            cfg_fail_nomem(rd->rep);
            break;
        }
        memcpy(n->value, ev->data.scalar.value, n->len);
        n->value[n->len] = '\0';
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int seq = ev->type == YAML_SEQUENCE_START_EVENT;
        if (seq ? refuse_properties(rd, ev, ev->data.sequence_start.anchor,
                                    ev->data.sequence_start.tag)
                : refuse_properties(rd, ev, ev->data.mapping_start.anchor,
                                    ev->data.mapping_start.tag))
            break;
        if (depth >= DEPTH_MAX) {
            cfg_fail_at(rd->rep, (unsigned)ev->start_mark.line + 1,
                        (unsigned)ev->start_mark.column + 1, "",
                        "nested more than %d levels deep", DEPTH_MAX);
            break;
        }
        n = node_new(rd, seq ? NODE_SEQUENCE : NODE_MAPPING, ev);
        if (!n)
            break;
        yaml_event_type_t end = seq ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT;
        for (;;) {
            yaml_event_t child_ev;
            if (next_event(rd, &child_ev) != 0)
                goto fail_collection;
            if (child_ev.type == end) {
                yaml_event_delete(&child_ev);
                break;
            }
            struct node *child = build_node(rd, &child_ev, depth + 1);
            if (!child)
                goto fail_collection;
            if (node_add(n, child) != 0) {
                ytree_free(child);
                cfg_fail_nomem(rd->rep);
                goto fail_collection;
            }
        }
        break;
    fail_collection:
        ytree_free(n);
        n = NULL;
        break;
    }
    default:
        /* The parser only ever gives node events here. */
        cfg_fail_at(rd->rep, (unsigned)ev->start_mark.line + 1,
                    (unsigned)ev->start_mark.column + 1, "", "unexpected YAML event");
        break;
    }
    yaml_event_delete(ev);
    return n;
}

/*
 * Parse the whole stream into *@p root: NULL for a stream without a
 * document (an empty file, or only comments).  More than one document is
 * an error.
 */
static int build_tree(struct reader *rd, struct node **root)
{
    yaml_event_t ev;
    *root = NULL;
    if (next_event(rd, &ev) != 0)
        return -1;
    yaml_event_delete(&ev); /* STREAM-START */
    if (next_event(rd, &ev) != 0)
        return -1;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return 0;
    }
    yaml_event_delete(&ev); /* DOCUMENT-START */
    if (next_event(rd, &ev) != 0)
        return -1;
    struct node *n = build_node(rd, &ev, 0);
    if (!n)
        return -1;
    if (next_event(rd, &ev) != 0) { /* DOCUMENT-END */
        ytree_free(n);
        return -1;
    }
    yaml_event_delete(&ev);
    if (next_event(rd, &ev) != 0) {
        ytree_free(n);
        return -1;
    }
    if (ev.type != YAML_STREAM_END_EVENT) {
        cfg_fail_at(rd->rep, (unsigned)ev.start_mark.line + 1,
                    (unsigned)ev.start_mark.column + 1, "",
                    "only one YAML document is allowed");
        yaml_event_delete(&ev);
        ytree_free(n);
        return -1;
    }
    yaml_event_delete(&ev);
    *root = n;
    return 0;
}

int ytree_read(struct cfg_report *rep, const char *text, size_t len,
               struct node **root)
{
    struct reader rd = {.rep = rep, .text = text, .text_len = len};
    *root = NULL;
    if (!yaml_parser_initialize(&rd.parser))
        return cfg_fail_nomem(rep);
    yaml_parser_set_input_string(&rd.parser, (const unsigned char *)text, len);
    int rc = build_tree(&rd, root);
    yaml_parser_delete(&rd.parser);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Structure checks                                                          */

struct key_ref {
    const struct node *key;
    size_t pos;
};

static int key_ref_cmp(const void *a, const void *b)
{
    const struct key_ref *x = a, *y = b;
    size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
    int c = memcmp(x->key->value, y->key->value, n);
    if (c != 0)
        return c;
    if (x->key->len != y->key->len)
        return x->key->len < y->key->len ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Every key of mapping @p m is a scalar and appears once.  Of several
 * duplicated keys, the repetition earliest in the file is reported.
 */
static int check_keys(struct cfg_report *rep, const struct node *m, const char *path)
{
    size_t n = map_size(m);
    for (size_t i = 0; i < n; i++) {
        const struct node *k = map_key(m, i);
        if (k->kind != NODE_SCALAR)
            return cfg_fail_node(rep, k, path, "a key must be a scalar, not %s",
                                 ytree_kind_name(k));
    }
    if (n < 2)
        return 0;
    struct key_ref *refs = malloc(n * sizeof *refs);
    if (!refs)
        return cfg_fail_nomem(rep);
    for (size_t i = 0; i < n; i++)
        refs[i] = (struct key_ref){map_key(m, i), i};
    qsort(refs, n, sizeof *refs, key_ref_cmp);
    const struct key_ref *dup = NULL, *first = NULL;
    for (size_t i = 1; i < n; i++) {
        const struct key_ref *a = &refs[i - 1], *b = &refs[i];
        if (a->key->len == b->key->len &&
            memcmp(a->key->value, b->key->value, a->key->len) == 0 &&
            (!dup || b->pos < dup->pos)) {
            /* Equal keys sort by position, so the earliest repetition of
             * a key follows its first occurrence. */
            dup = b;
            first = a;
        }
    }
    int rc = 0;
    if (dup) {
        char kp[KEY_PATH_MAX];
        cfg_path_key(kp, path, dup->key->value, dup->key->len);
        rc = cfg_fail_node(rep, dup->key, kp, "duplicate key (first at line %u, column %u)",
                           first->key->line, first->key->col);
    }
    free(refs);
    return rc;
}

int ytree_expect_mapping(struct cfg_report *rep, const struct node *n, const char *path)
{
    if (n->kind != NODE_MAPPING)
        return cfg_fail_node(rep, n, path, "expected a mapping, found %s", ytree_kind_name(n));
    return check_keys(rep, n, path);
}

int ytree_expect_sequence(struct cfg_report *rep, const struct node *n, const char *path)
{
    if (n->kind != NODE_SEQUENCE)
        return cfg_fail_node(rep, n, path, "expected a sequence, found %s", ytree_kind_name(n));
    return 0;
}

/* A section this version does not read: any well-formed tree of mappings
 * and sequences (keys scalar and unique) is accepted and ignored. */
int ytree_check_ignored(struct cfg_report *rep, const struct node *n, const char *path)
{
    char sub[KEY_PATH_MAX];
    if (n->kind == NODE_MAPPING) {
        if (check_keys(rep, n, path) != 0)
            return -1;
        for (size_t i = 0; i < map_size(n); i++) {
            const struct node *k = map_key(n, i);
            cfg_path_key(sub, path, k->value, k->len);
            if (ytree_check_ignored(rep, map_value(n, i), sub) != 0)
                return -1;
        }
    } else if (n->kind == NODE_SEQUENCE) {
        for (size_t i = 0; i < n->n_items; i++) {
            cfg_path_index(sub, path, i);
            if (ytree_check_ignored(rep, n->items[i], sub) != 0)
                return -1;
        }
    }
    return 0;
}
