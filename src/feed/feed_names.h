/*
 * feed_names.h - interned channel names: a parser that remembers a
 * channel per message (a queue id's source, a pending recipient's
 * transport) keeps a small index into this table instead of the name.
 */
#ifndef MTAMON_FEED_NAMES_H
#define MTAMON_FEED_NAMES_H

#include <stdint.h>

#include "feed.h"

/** Names a table holds at most. */
#define FEED_NAMES_MAX 256

/** The table (zeroed = empty).  Names are never removed. */
struct feed_names {
    unsigned n;
    char names[FEED_NAMES_MAX][FEED_NAME_MAX + 1];
};

/** Index + 1 of @p name (a string, cut to FEED_NAME_MAX) in @p t, adding
 * it if new; 0 if it is new and the table is full. */
uint16_t feed_names_intern(struct feed_names *t, const char *name);

/** The name of index @p idx (from feed_names_intern()), "" for 0.  The
 * string is the table's. */
const char *feed_names_of(const struct feed_names *t, uint16_t idx);

#endif /* MTAMON_FEED_NAMES_H */
