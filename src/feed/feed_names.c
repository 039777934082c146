/*
 * feed_names.c - interned channel names (feed_names.h).
 */
#include <string.h>

#include "feed_names.h"
#include "feed_text.h"

uint16_t feed_names_intern(struct feed_names *t, const char *name)
{
    for (unsigned i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0)
            return (uint16_t)(i + 1);
    if (t->n == FEED_NAMES_MAX)
        return 0;
    feed_text_copy_bounded(t->names[t->n], sizeof t->names[0], name,
                           strlen(name));
    return (uint16_t)++t->n;
}

const char *feed_names_of(const struct feed_names *t, uint16_t idx)
{
    return idx ? t->names[idx - 1] : "";
}
