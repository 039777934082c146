/*
 * reason.c - last-reason texts, published through a ring of seqlocked
 * entries so writers never wait and readers never see a torn string.
 */
#include <string.h>

#include "lib_internal.h"

void copy_printable(char *dst, size_t dstlen, const char *src)
{
    size_t i = 0;
    for (; i + 1 < dstlen && src[i]; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    memset(dst + i, 0, dstlen - i);
}

void reason_publish(struct reason_ring *ring, const char *text)
{
    uint64_t n = atomic_fetch_add_explicit(&ring->latest, 1, memory_order_relaxed) + 1;
    struct reason_entry *e = &ring->entry[n % REASON_RING];
    uint64_t old = atomic_load_explicit(&e->seq, memory_order_relaxed);
    /* Odd: another writer is on this entry (or died on it); >= 2n+1: a newer
     * text is already there.  Either way this one is not the latest. */
    if ((old & 1) || old >= 2 * n + 1 ||
        !atomic_compare_exchange_strong_explicit(&e->seq, &old, 2 * n + 1,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        return;
    atomic_thread_fence(memory_order_release);
    copy_printable(e->text, sizeof e->text, text);
    atomic_store_explicit(&e->seq, 2 * n + 2, memory_order_release);
}

void reason_read(const struct reason_ring *ring, char *out, size_t outlen)
{
    char buf[MTAMON_REASON_MAX + 1];
    uint64_t latest = atomic_load_explicit(&ring->latest, memory_order_acquire);
    for (uint64_t k = 0; k < REASON_RING && k < latest; k++) {
        uint64_t n = latest - k;
        const struct reason_entry *e = &ring->entry[n % REASON_RING];
        uint64_t before = atomic_load_explicit(&e->seq, memory_order_acquire);
        if (before != 2 * n + 2)
            continue; /* being written, abandoned or overtaken */
        memcpy(buf, e->text, sizeof buf);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&e->seq, memory_order_relaxed) != before)
            continue;
        buf[sizeof buf - 1] = '\0';
        copy_printable(out, outlen, buf);
        return;
    }
    if (outlen)
        memset(out, 0, outlen);
}
