/*
 * ytree.h - a YAML document as a small tree of scalars, sequences and
 * mappings with their line and column (internal to src/common; used by the
 * mtamon.yaml loader).
 *
 * Why a tree of our own rather than libyaml's document loader: the loader
 * resolves aliases silently, and we must refuse them (an alias bomb is a
 * denial of service, and a configuration that shares nodes is hard to
 * read).  With events we see every anchor, alias and tag (refused too:
 * the loader would ignore a tag, and read something else than its writer
 * meant), keep each node's start mark for the messages, and bound the
 * nesting depth.
 *
 * The reader checks only what YAML itself defines; the shape checks below
 * (scalar, unique keys) run when the schema walk reaches a mapping, so
 * that messages come in file order as far as the checks allow.
 */
#ifndef MTAMON_YTREE_H
#define MTAMON_YTREE_H

#include <stddef.h>

#include "cfg_fail.h"
#include "cfg_path.h"

enum node_kind { NODE_SCALAR, NODE_SEQUENCE, NODE_MAPPING };

struct node {
    enum node_kind kind;
    unsigned line, col;          /* 1-based start mark */
    char *value;                 /* scalar bytes, NUL-terminated */
    size_t len;                  /* scalar length (may hold NUL bytes) */
    int plain;                   /* scalar written without quotes */
    struct node **items;         /* sequence: items; mapping: key, value, ... */
    size_t n_items;
    size_t cap_items;
};

/*
 * Parse the @p len bytes at @p text (one YAML stream) into *@p root: NULL
 * for a stream without a document (an empty file, or only comments).
 * Anchors, aliases, tags (any "!..." property, "!!str" included),
 * nesting deeper than 64 levels and more than one document are errors.  Returns 0, or -1 after a message to @p rep.
 */
int ytree_read(struct cfg_report *rep, const char *text, size_t len,
               struct node **root);

/* Free node @p n and everything under it (NULL is fine). */
void ytree_free(struct node *n);

/* Mapping helpers: the number of pairs, pair i's key and value. */
static inline size_t map_size(const struct node *m) { return m->n_items / 2; }
static inline const struct node *map_key(const struct node *m, size_t i)
{
    return m->items[2 * i];
}
static inline const struct node *map_value(const struct node *m, size_t i)
{
    return m->items[2 * i + 1];
}

/* A plain empty, "~" or "null" scalar: YAML's null (an empty section). */
int ytree_is_null(const struct node *n);

/* Does node @p a start after node @p b in the file? */
int ytree_after(const struct node *a, const struct node *b);

/* "a scalar", "a sequence" or "a mapping", for messages. */
const char *ytree_kind_name(const struct node *n);

/* @p n (at key path @p path) is a mapping whose keys are scalars, each
 * once (of several duplicated keys, the repetition earliest in the file
 * is reported).  0, or -1 after a message. */
int ytree_expect_mapping(struct cfg_report *rep, const struct node *n, const char *path);

/* @p n (at key path @p path) is a sequence.  0, or -1 after a message. */
int ytree_expect_sequence(struct cfg_report *rep, const struct node *n, const char *path);

/* A section this version does not read: any well-formed tree of mappings
 * and sequences (keys scalar and unique) is accepted and ignored. */
int ytree_check_ignored(struct cfg_report *rep, const struct node *n, const char *path);

#endif /* MTAMON_YTREE_H */
