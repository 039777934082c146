/*
 * events.c - one call per MTA event.  The hot path: no lock, no system
 * call, one load of the segment's retired word, relaxed 64-bit fetch-adds
 * on the channel's counter line.
 */
#include "lib_internal.h"

static inline void add(struct channel_slot *s, enum mtamon_counter k, uint64_t v)
{
    atomic_fetch_add_explicit(&s->counter[k], v, memory_order_relaxed);
}

/* Messages, recipients and volume of one of the counter triples. */
static inline void add_triple(struct channel_slot *s, enum mtamon_counter msgs,
                              uint32_t recipients, uint64_t volume)
{
    add(s, msgs, 1);
    add(s, msgs + 1, recipients);
    add(s, msgs + 2, volume);
}

/* Move a last-activity time forward; skip the store when it would not. */
static inline void touch(_Atomic int64_t *t, int64_t now)
{
    if (atomic_load_explicit(t, memory_order_relaxed) < now)
        atomic_store_explicit(t, now, memory_order_relaxed);
}

/* The time of an event: the one the caller set (a log follower replaying
 * its log), or now. */
static inline int64_t event_now(mtamon_t *m)
{
    int64_t t = atomic_load_explicit(&m->event_time_ms, memory_order_relaxed);
    return t > 0 ? t : now_ms();
}

void mtamon_event_time(mtamon_t *m, int64_t ms)
{
    atomic_store_explicit(&m->event_time_ms, ms > 0 ? ms : 0, memory_order_relaxed);
}

/* The attachment an event counts into.  The fast path, while the segment
 * the writer opened is not retired: one relaxed load of its retired word,
 * in a header line only channel registration and clear ever write, and
 * its slots at fixed offsets of the handle - no lock, no system call, no
 * load on the way to the counter the code before the retired word had
 * not.  Relaxed is enough: the word is a hint, the slow path reads it
 * again with acquire.  After a re-attachment, mtamon__writer_current() does the
 * same with the current attachment. */
static inline struct event_target attached(mtamon_t *m)
{
    const _Atomic uint32_t *check =
        atomic_load_explicit(&m->first.check, memory_order_relaxed);
    if (__builtin_expect(atomic_load_explicit(check, memory_order_relaxed) == 0, 1))
        return (struct event_target){&m->first, 0};
    return mtamon__writer_current(m);
}

/* The active slot caller's handle @p ch names in @p a, or NULL. */
static inline struct channel_slot *event_slot(const struct attachment *a, int translate,
                                              mtamon_channel_t ch)
{
    return slot_if_active(&a->map, translate ? attachment_slot_index(a, ch) : ch);
}

/* Declares a (the attachment), translate and s (the slot of ch). */
#define SLOT_OR_INVALID(s, m, ch)                                  \
    struct event_target target = attached(m);                      \
    struct attachment *a = target.a;                               \
    int translate = target.translate;                              \
    struct channel_slot *s = event_slot(a, translate, (ch));       \
    if (!s)                                                        \
        return MTAMON_ERR_INVALID

/* An association token's entry: the table entry, and above it the epoch
 * of the attachment whose table it is in (0 for the segment the writer
 * opened, so those tokens are plain entry numbers). */
#define TOKEN_ENTRY_BITS 20
#define TOKEN_ENTRY_MASK ((1u << TOKEN_ENTRY_BITS) - 1)
_Static_assert(MTAMON_MAX_ASSOCS <= TOKEN_ENTRY_MASK, "entries must fit in a token");

static inline uint32_t token_epoch(uint32_t epoch)
{
    return epoch & (UINT32_MAX >> TOKEN_ENTRY_BITS);
}

static inline uint32_t slot_number(const struct attachment *a, const struct channel_slot *s)
{
    return (uint32_t)(s - a->map.channels) + 1;
}

/* mtamon_enqueue() with no destination: Submitted on @p src only. */
static mtamon_result submitted_only(mtamon_t *m, mtamon_channel_t src,
                                    uint32_t recipients, uint64_t volume)
{
    SLOT_OR_INVALID(s, m, src);
    add_triple(s, MTAMON_SUBMITTED_MSGS, recipients, volume);
    touch(&s->last_inbound_ms, event_now(m));
    return MTAMON_OK;
}

mtamon_result mtamon_enqueue(mtamon_t *m, mtamon_channel_t src, mtamon_channel_t dst,
                             uint32_t recipients, uint64_t volume)
{
    if (dst == 0)
        return submitted_only(m, src, recipients, volume);
    SLOT_OR_INVALID(d, m, dst);
    struct channel_slot *s = NULL;
    if (src != 0 && !(s = event_slot(a, translate, src)))
        return MTAMON_ERR_INVALID;
    add_triple(d, MTAMON_RECEIVED_MSGS, recipients, volume);
    if (s) {
        add_triple(s, MTAMON_SUBMITTED_MSGS, recipients, volume);
        touch(&s->last_inbound_ms, event_now(m));
    }
    return MTAMON_OK;
}

mtamon_result mtamon_dequeue(mtamon_t *m, mtamon_channel_t ch, uint32_t recipients,
                             uint64_t volume, int first_attempt, int64_t queue_ms)
{
    SLOT_OR_INVALID(s, m, ch);
    add_triple(s, MTAMON_DELIVERED_MSGS, recipients, volume);
    if (queue_ms >= 0) {
        add(s, MTAMON_QUEUE_TIME_MS, (uint64_t)queue_ms);
        add(s, MTAMON_QUEUE_COUNT, 1);
    }
    if (first_attempt) {
        add(s, MTAMON_DELIVERED_FIRST_MSGS, 1);
        if (queue_ms >= 0) {
            add(s, MTAMON_QUEUE_FIRST_TIME_MS, (uint64_t)queue_ms);
            add(s, MTAMON_QUEUE_FIRST_COUNT, 1);
        }
    }
    int64_t now = event_now(m);
    touch(&s->last_outbound_ms, now);
    touch(&s->last_outbound_attempt_ms, now);
    return MTAMON_OK;
}

/* An outbound attempt that did not deliver: the @p msgs triple, the
 * outbound status, the last attempt's time. */
static mtamon_result undelivered(mtamon_t *m, mtamon_channel_t ch, enum mtamon_counter msgs,
                                 uint32_t recipients, uint64_t volume,
                                 mtamon_status_code code)
{
    SLOT_OR_INVALID(s, m, ch);
    add_triple(s, msgs, recipients, volume);
    status_count(s, code, STATUS_OUTBOUND);
    touch(&s->last_outbound_attempt_ms, event_now(m));
    return MTAMON_OK;
}

mtamon_result mtamon_tempfail(mtamon_t *m, mtamon_channel_t ch, uint32_t recipients,
                              uint64_t volume, mtamon_status_code code)
{
    return undelivered(m, ch, MTAMON_ATTEMPTED_MSGS, recipients, volume, code);
}

mtamon_result mtamon_reject(mtamon_t *m, mtamon_channel_t ch, uint32_t recipients,
                            uint64_t volume, mtamon_status_code code,
                            const char *reason)
{
    SLOT_OR_INVALID(s, m, ch);
    add_triple(s, MTAMON_REJECTED_MSGS, recipients, volume);
    status_count(s, code, STATUS_INBOUND);
    if (reason)
        mtamon__reason_publish(&s->rejection_reason, reason);
    touch(&s->last_inbound_ms, event_now(m));
    return MTAMON_OK;
}

mtamon_result mtamon_fail(mtamon_t *m, mtamon_channel_t ch, uint32_t recipients,
                          uint64_t volume, mtamon_status_code code)
{
    return undelivered(m, ch, MTAMON_FAILED_MSGS, recipients, volume, code);
}

mtamon_result mtamon_convert(mtamon_t *m, mtamon_channel_t ch, int ok)
{
    SLOT_OR_INVALID(s, m, ch);
    add(s, ok ? MTAMON_CONVERTED_OK : MTAMON_CONVERTED_FAILED, 1);
    if (!ok) /* RFC 3463 5.6.5: conversion failed */
        status_count(s, MTAMON_STATUS_CONVERSION_FAILED, STATUS_INTERNAL);
    return MTAMON_OK;
}

mtamon_result mtamon_loop(mtamon_t *m, mtamon_channel_t ch)
{
    SLOT_OR_INVALID(s, m, ch);
    add(s, MTAMON_LOOPS, 1);
    status_count(s, MTAMON_STATUS_ROUTING_LOOP, STATUS_INTERNAL);
    return MTAMON_OK;
}

mtamon_result mtamon_assoc_reject(mtamon_t *m, mtamon_channel_t ch,
                                  mtamon_status_code code, const char *reason)
{
    SLOT_OR_INVALID(s, m, ch);
    add(s, MTAMON_IN_ASSOCS_REJECTED, 1);
    status_count(s, code, STATUS_INBOUND);
    if (reason)
        mtamon__reason_publish(&s->rejection_reason, reason);
    return MTAMON_OK;
}

mtamon_result mtamon_assoc_fail(mtamon_t *m, mtamon_channel_t ch,
                                mtamon_status_code code, const char *reason)
{
    SLOT_OR_INVALID(s, m, ch);
    add(s, MTAMON_OUT_ASSOCS_FAILED, 1);
    status_count(s, code, STATUS_OUTBOUND);
    if (reason)
        mtamon__reason_publish(&s->connect_failure, reason);
    touch(&s->last_outbound_attempt_ms, event_now(m));
    return MTAMON_OK;
}

mtamon_result mtamon_assoc_open(mtamon_t *m, mtamon_channel_t ch, mtamon_direction dir,
                                const char *remote, mtamon_assoc *out)
{
    out->channel = ch;
    out->direction = 0;
    out->entry = 0;
    if (dir != MTAMON_INBOUND && dir != MTAMON_OUTBOUND)
        return MTAMON_ERR_INVALID;
    SLOT_OR_INVALID(s, m, ch);
    int64_t now = event_now(m);
    /* Listed first, counted after: a writer that dies before publishing
     * its entry leaves one the reclaimer frees without counting it
     * closed; only the instant between publishing and counting is open. */
    out->direction = dir;
    uint32_t entry = mtamon__assoc_record(m, &a->map, slot_number(a, s), dir, remote, now);
    out->entry = token_epoch(a->epoch) << TOKEN_ENTRY_BITS | entry;
    if (dir == MTAMON_INBOUND) {
        add(s, MTAMON_IN_ASSOCS, 1);
        touch(&s->last_inbound_ms, now);
    } else {
        add(s, MTAMON_OUT_ASSOCS, 1);
        touch(&s->last_outbound_ms, now);
        touch(&s->last_outbound_attempt_ms, now);
    }
    return MTAMON_OK;
}

mtamon_result mtamon_assoc_close(mtamon_t *m, const mtamon_assoc *t)
{
    if (t->direction != MTAMON_INBOUND && t->direction != MTAMON_OUTBOUND)
        return MTAMON_ERR_INVALID;
    SLOT_OR_INVALID(s, m, t->channel);
    uint32_t entry = t->entry & TOKEN_ENTRY_MASK;
    uint32_t epoch = t->entry >> TOKEN_ENTRY_BITS;
    if (epoch != token_epoch(a->epoch)) {
        /* Opened in a segment since deleted: nothing to count here -
         * unless in a limbo whose counts (the open too) moved here. */
        if (!a->prev || !a->prev->limbo || epoch != token_epoch(a->prev->epoch))
            return MTAMON_OK;
        entry = 0; /* its table entry was the limbo's */
    }
    if (entry != 0 && !mtamon__assoc_forget(&a->map, entry, slot_number(a, s),
                                            (mtamon_direction)t->direction))
        return MTAMON_ERR_INVALID; /* closed twice, or reclaimed */
    add(s, t->direction == MTAMON_INBOUND ? MTAMON_IN_ASSOCS_CLOSED
                                          : MTAMON_OUT_ASSOCS_CLOSED, 1);
    return MTAMON_OK;
}
