/*
 * config_list.c - a section of mtamon.yaml that is a sequence of entries
 * (queues, partitions, processes.watch, probes, alarms, applications,
 * channels): the walk they share, see config_internal.h.
 */
#include "config_internal.h"

#include <stdlib.h>
#include <string.h>

/* The name of the entry at @p entry. */
static const char *name_of(const struct config_list *list, const void *entry)
{
    return *(char *const *)(const void *)((const char *)entry + list->name_offset);
}

int config_list_load(struct cfg_report *rep, const struct node *v, const char *path,
                     const struct config_list *list, void *ctx, void **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (ytree_is_null(v))
        return 0;
    if (ytree_expect_sequence(rep, v, path) != 0)
        return -1;
    char *base = calloc(v->n_items ? v->n_items : 1, list->size);
    if (!base)
        return cfg_fail_nomem(rep);
    *items = base;
    for (size_t i = 0; i < v->n_items; i++) {
        void *entry = base + i * list->size;
        const struct node *name = NULL;
        char ep[KEY_PATH_MAX], kp[KEY_PATH_MAX];
        /* Counted before it is read: a half-read entry is freed too. */
        ++*n;
        cfg_path_index(ep, path, i);
        if (list->read(rep, entry, i, v->items[i], ep, ctx, &name) != 0)
            return -1;
        if (!list->what)
            continue;
        for (size_t j = 0; j < i; j++)
            if (strcmp(name_of(list, base + j * list->size), name_of(list, entry)) == 0)
                return cfg_fail_node(rep, name, cfg_path_field(kp, ep, "name"),
                                     "duplicate %s '%s' (also %s[%zu])", list->what,
                                     name_of(list, entry), path, j);
    }
    return 0;
}
