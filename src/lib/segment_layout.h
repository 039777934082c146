/*
 * segment_layout.h - the binary layout of an mtamon counter segment.
 *
 * Internal to libmtamon (and its tests).  Any change to these structures
 * must bump MTAMON_LAYOUT_VERSION: readers refuse layouts newer than theirs.
 * (struct segment_tail is the exception: it uses padding every version-1
 * segment already has, and zero there means what it meant before.)
 *
 *   [header][channel slot 0 .. capacity-1][association entry 0 .. n-1]
 *
 * All offsets and sizes are recorded in the header so a reader can check
 * them against the size of the object it mapped before touching anything.
 */
#ifndef MTAMON_SEGMENT_LAYOUT_H
#define MTAMON_SEGMENT_LAYOUT_H

#include <stdatomic.h>
#include <stdint.h>

#include "mtamon.h"

/* "MTAMONSG" read as a little-endian 64-bit integer. */
#define MTAMON_MAGIC UINT64_C(0x47534e4f4d41544d)
#define MTAMON_LAYOUT_VERSION 1u

#define MTAMON_CACHELINE 64

/* States of channel slots and association entries: FREE -> claimed (by
 * CAS) -> ACTIVE (release store).  A claimed state carries the claimer's
 * pid, so an entry whose claimer died before publishing it is recognised
 * and claimed again.  Association entries go back to FREE on close, and a
 * reclaimer holds a dead writer's entry in its own claimed state while it
 * closes it. */
enum { SLOT_FREE = 0, SLOT_ACTIVE = 2 };
enum { ASSOC_FREE = 0, ASSOC_ACTIVE = 2 };
#define CLAIMED_FLAG 0x80000000u

static inline uint32_t claim_state(int32_t pid)
{
    return CLAIMED_FLAG | ((uint32_t)pid & ~CLAIMED_FLAG);
}

static inline int is_claim_state(uint32_t state)
{
    return (state & CLAIMED_FLAG) != 0;
}

static inline int32_t claim_owner(uint32_t state)
{
    return (int32_t)(state & ~CLAIMED_FLAG);
}

/* Reason strings are kept in a small ring of seqlocked entries so that
 * writers never wait for each other.  An entry's seq says which text
 * number n it holds: n << REASON_N_SHIFT once complete (even), and with
 * the writer's pid and bit 0 set while being written.  A writer that dies
 * mid-copy spoils one entry until a later writer, seeing its pid gone,
 * takes the entry over; readers fall back to the newest complete one.  A
 * live writer is never taken over, so no reader sees two texts mixed. */
#define REASON_RING 4
#define REASON_N_SHIFT 24
#define REASON_PID_MASK 0x7fffffu /* Linux pid_max is at most 2^22 */

static inline uint64_t reason_seq_done(uint64_t n)
{
    return n << REASON_N_SHIFT;
}

static inline uint64_t reason_seq_writing(uint64_t n, int32_t pid)
{
    return (n << REASON_N_SHIFT) | (((uint64_t)pid & REASON_PID_MASK) << 1) | 1;
}

static inline uint64_t reason_seq_number(uint64_t seq)
{
    return seq >> REASON_N_SHIFT;
}

static inline int32_t reason_seq_writer(uint64_t seq)
{
    return (int32_t)((seq >> 1) & REASON_PID_MASK);
}

struct reason_entry {
    _Atomic uint64_t seq; /* see reason_seq_done() / reason_seq_writing() */
    char text[MTAMON_REASON_MAX + 1];
};

struct reason_ring {
    _Atomic uint64_t latest; /* number of the newest entry started */
    struct reason_entry entry[REASON_RING];
};

/* One mtaGroupErrorTable row: a status code claimed by CAS (0 -> code). */
struct status_slot {
    _Atomic uint32_t code;
    uint32_t pad;
    _Atomic uint64_t count[3];      /* inbound, internal, outbound */
    _Atomic uint64_t baseline[3];   /* values at the last clear */
};

enum { STATUS_INBOUND = 0, STATUS_INTERNAL = 1, STATUS_OUTBOUND = 2 };

struct channel_slot {
    _Atomic uint32_t state;
    uint32_t index;                 /* 1-based, == slot position + 1 */
    int64_t created_ms;
    char name[MTAMON_CHANNEL_NAME_MAX + 1];

    /* Written on every event: keep together, away from the cold parts. */
    _Alignas(MTAMON_CACHELINE) _Atomic uint64_t counter[MTAMON_COUNTER_COUNT];
    _Atomic int64_t last_inbound_ms;
    _Atomic int64_t last_outbound_ms;
    _Atomic int64_t last_outbound_attempt_ms;

    /* Written only by mtamon_clear(): counter value at the last clear. */
    _Alignas(MTAMON_CACHELINE) _Atomic uint64_t baseline[MTAMON_COUNTER_COUNT];

    _Alignas(MTAMON_CACHELINE) struct status_slot status[MTAMON_STATUS_SLOTS];
    struct reason_ring rejection_reason;
    struct reason_ring connect_failure;
};

struct assoc_entry {
    _Atomic uint32_t state;
    uint32_t channel;
    uint32_t direction;
    int32_t pid;
    int64_t start_ms;
    char remote[MTAMON_REMOTE_MAX + 1];
};

struct segment_header {
    _Atomic uint64_t magic;         /* written last, with release */
    uint32_t layout_version;
    uint32_t header_size;
    uint64_t segment_size;
    uint32_t channel_capacity;
    uint32_t channel_slot_size;
    uint32_t assoc_capacity;
    uint32_t assoc_entry_size;
    uint64_t channels_offset;
    uint64_t assocs_offset;
    uint64_t generation;
    int64_t created_ms;

    /* Slots 0 .. channels_used-1 have been claimed; readers stop there. */
    _Atomic uint32_t channels_used;
    /* Association entries 0 .. assocs_used-1 have ever been claimed. */
    _Atomic uint32_t assocs_used;
    /* Clear protocol: clear_pid is the lock (0 = free, taken by CAS, taken
     * over from a dead owner); clear_seq is odd while the baselines are
     * being written, a seqlock for readers. */
    _Atomic uint32_t clear_seq;
    _Atomic int32_t clear_pid;
    _Atomic int64_t cleared_ms;
    /* When the holder of clear_pid took it: a clear older than
     * CLEAR_STALE_MS was abandoned even if its pid now names a live
     * process (pid reuse). */
    _Atomic int64_t clear_started_ms;
};

/* Words kept in the padding between the header and the channel table
 * (which starts at the next cache line, offset 128 for a 104-byte
 * header).  Creators leave the padding zero (ftruncate), layout version 1
 * readers never look at it, and header_size stays sizeof(struct
 * segment_header): adding them needs no version bump, and segments made
 * before them read as "not retired". */
struct segment_tail {
    /* 0 while the segment is in use; SEGMENT_RETIRED once `delete` is
     * about to unlink it (written before shm_unlink, so every writer that
     * still has it mapped learns it is gone and follows the name). */
    _Atomic uint32_t retired;
    uint32_t spare;
};

#define SEGMENT_RETIRED 1u

_Static_assert(sizeof(struct segment_header) + sizeof(struct segment_tail) <=
                   (sizeof(struct segment_header) + MTAMON_CACHELINE - 1) /
                       MTAMON_CACHELINE * MTAMON_CACHELINE,
               "the segment tail must fit in the header's padding");

/* The tail of a validated mapping's header. */
static inline struct segment_tail *segment_tail_of(struct segment_header *h)
{
    return (struct segment_tail *)(void *)((char *)h + sizeof *h);
}

/* Cross-process atomics must not fall back to libatomic's process-local
 * locks. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2,
               "mtamon needs lock-free 32- and 64-bit atomics");

/* Layout of a segment of the given geometry (offsets are cache aligned). */
struct segment_geometry {
    uint32_t channel_capacity;
    uint32_t assoc_capacity;
    uint64_t channels_offset;
    uint64_t assocs_offset;
    uint64_t size;
};

#endif /* MTAMON_SEGMENT_LAYOUT_H */
