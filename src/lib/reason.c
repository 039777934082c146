/*
 * reason.c - last-reason texts, published through a ring of seqlocked
 * entries so writers never wait and readers never see a torn string.
 */
#include <sched.h>
#include <string.h>

#include "lib_internal.h"

size_t mtamon__copy_printable_text(char *dst, size_t dstlen, const char *src)
{
    size_t i = 0;
    for (; i + 1 < dstlen && src[i]; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    if (dstlen)
        dst[i] = '\0';
    return i;
}

void mtamon__copy_printable(char *dst, size_t dstlen, const char *src)
{
    size_t len = mtamon__copy_printable_text(dst, dstlen, src);
    if (dstlen)
        memset(dst + len, 0, dstlen - len);
}

void mtamon__reason_publish(struct reason_ring *ring, const char *text)
{
    uint64_t n = atomic_fetch_add_explicit(&ring->latest, 1, memory_order_relaxed) + 1;
    struct reason_entry *e = &ring->entry[n % REASON_RING];
    uint64_t old = atomic_load_explicit(&e->seq, memory_order_relaxed);
    /* A newer text is there already, or another writer is on the entry and
     * alive: this text is not the latest one anyway, drop it. */
    if (reason_seq_number(old) >= n ||
        ((old & 1) && !mtamon__process_gone(reason_seq_writer(old))))
        return;
    uint64_t writing = reason_seq_writing(n, mtamon__cached_pid());
    if (!atomic_compare_exchange_strong_explicit(&e->seq, &old, writing,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        return;
    atomic_thread_fence(memory_order_release);
    /* Only up to the NUL: the hot path need not clear the rest. */
    mtamon__copy_printable_text(e->text, sizeof e->text, text);
    atomic_store_explicit(&e->seq, reason_seq_done(n), memory_order_release);
}

/* Read passes before giving up when every entry is being written at once
 * (writers finish a copy in well under a microsecond). */
#define READ_PASSES 100

void mtamon__reason_read(const struct reason_ring *ring, char *out, size_t outlen)
{
    /* The newest complete entry: any entry with an even, non-zero seq holds
     * a finished text, and the highest number is the newest.  Looking only
     * at the entries of the last REASON_RING numbers is not enough: with
     * that many concurrent writers each of them can be in progress or
     * dropped while an older complete text is still in the ring. */
    char buf[MTAMON_REASON_MAX + 1], copy[MTAMON_REASON_MAX + 1];
    for (int pass = 0; pass < READ_PASSES; pass++) {
        uint64_t best = 0;
        for (int i = 0; i < REASON_RING; i++) {
            const struct reason_entry *e = &ring->entry[i];
            uint64_t before = atomic_load_explicit(&e->seq, memory_order_acquire);
            if (before == 0 || (before & 1) || before <= best)
                continue; /* never written, being written, or older */
            memcpy(copy, e->text, sizeof copy);
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&e->seq, memory_order_relaxed) != before)
                continue; /* overwritten while we copied */
            memcpy(buf, copy, sizeof buf);
            best = before;
        }
        if (best) {
            buf[sizeof buf - 1] = '\0';
            mtamon__copy_printable(out, outlen, buf);
            return;
        }
        if (atomic_load_explicit(&ring->latest, memory_order_relaxed) == 0)
            break; /* nothing was ever published */
        sched_yield();
    }
    if (outlen)
        memset(out, 0, outlen);
}
