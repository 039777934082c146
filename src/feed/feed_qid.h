/*
 * feed_qid.h - the queue-id table of the log parsers (Postfix queue ids,
 * Exim message ids, Sendmail queue ids): what a parser remembers of a
 * message between the lines that name it.
 *
 * A chained hash table of fixed-size entries, each starting with a
 * struct feed_qid (the id, the links) followed by what the parser keeps.
 * It starts at `start` entries and doubles up to `max`; when it is full
 * (or cannot grow) a new id evicts the oldest one created.  Lookups do
 * not refresh an entry's age: the oldest is the one first seen longest
 * ago.  Entries are 1-based in the links (0 = none) and move when the
 * table grows: an entry pointer is good until the next feed_qid_get().
 */
#ifndef MTAMON_FEED_QID_H
#define MTAMON_FEED_QID_H

#include <stddef.h>
#include <stdint.h>

/** Longest id (Exim's 6-11-4 is 23). */
#define FEED_QID_MAX 23

/** Pending recipients an entry keeps at most (FEED_QID_PENDING). */
#define FEED_QID_PENDING 8

/** The head of every entry (its first member). */
struct feed_qid {
    char id[FEED_QID_MAX + 1];
    uint8_t len;             /**< 0: a free entry */
    uint32_t next;           /**< hash chain, 1-based */
    uint32_t older, newer;   /**< age list (or free list through newer) */
};

/** A recipient deferred and not yet final, so counted as queued once. */
struct feed_qid_pending {
    uint32_t hash;      /**< of the transport (mailer) and the address */
    uint16_t transport; /**< feed_names index, 0 = none */
};

/** The table.  Its fields are the module's. */
struct feed_qid_table {
    unsigned char *q;    /* cap entries of esize bytes */
    uint32_t *buckets;   /* 2 * cap heads, 1-based */
    size_t esize;
    uint32_t cap, max;
    uint32_t free_head;  /* 1-based list of removed entries */
    uint32_t n_fresh;    /* entries ever handed out (the rest untouched) */
    uint32_t oldest, newest;
};

/**
 * Make @p t an empty table of entries of @p entry_size bytes (at least
 * sizeof(struct feed_qid), a struct feed_qid first), @p start entries
 * growing to @p max (powers of two, start <= max).  0, or -1 on ENOMEM
 * (then nothing is held).
 */
int feed_qid_init(struct feed_qid_table *t, size_t entry_size, uint32_t start,
                  uint32_t max);

/** Free what @p t holds (an initialised or zeroed table). */
void feed_qid_free(struct feed_qid_table *t);

/** The entry of id [@p id, @p id + @p len) (len 1..FEED_QID_MAX), or NULL. */
void *feed_qid_find(const struct feed_qid_table *t, const char *id,
                    size_t len);

/**
 * The entry of id [@p id, @p id + @p len) (len 1..FEED_QID_MAX): the
 * existing one, or a new one, all zero but for its head, made by growing
 * the table or, when it cannot, by evicting the oldest entry.  Never NULL.
 */
void *feed_qid_get(struct feed_qid_table *t, const char *id, size_t len);

/** Forget @p entry (one of @p t's), zeroing it. */
void feed_qid_remove(struct feed_qid_table *t, void *entry);

/**
 * A zeroed parser state of @p state_size bytes whose first member is its
 * struct feed_qid_table, that table made by feed_qid_init(@p entry_size,
 * @p start, @p max); NULL on ENOMEM.  Free it with feed_qid_state_free().
 */
void *feed_qid_state_new(size_t state_size, size_t entry_size, uint32_t start,
                         uint32_t max);

/** Free a state of feed_qid_state_new() and its table (NULL: nothing). */
void feed_qid_state_free(void *state);

/** Entries in use (for tests). */
uint32_t feed_qid_count(const struct feed_qid_table *t);

/** Index of the pending recipient of @p hash among the @p n at @p p, or -1. */
int feed_qid_pending_find(const struct feed_qid_pending *p, unsigned n,
                          uint32_t hash);

#endif /* MTAMON_FEED_QID_H */
