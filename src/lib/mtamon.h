/*
 * mtamon.h - libmtamon: per-channel MTA counters in a shared-memory segment.
 *
 * Writers (MTA processes, `mtamon feed`, `mtamon simulate`) open the segment
 * with mtamon_open(), look channels up with mtamon_channel(), then report one
 * call per MTA event (mtamon_enqueue(), mtamon_dequeue(), ...).  Event calls
 * take no lock and make no system call: each counter is a 64-bit C11 atomic
 * updated with a relaxed fetch-add, so concurrent threads and processes never
 * lose an update.
 *
 * Readers (mtamond, `mtamon counters show`) attach read-only with
 * mtamon_reader_open() and copy the segment with mtamon_snapshot_take().
 *
 * Every function that can fail returns an mtamon_result (0 on success) and,
 * when given a struct mtamon_error, fills it with a one-line message that
 * names the segment and the problem.  The library never exits or prints.
 */
#ifndef MTAMON_H
#define MTAMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

/** Result codes.  0 is success; every error is negative. */
typedef enum mtamon_result {
    MTAMON_OK = 0,
    MTAMON_ERR_INVALID = -1,   /**< bad argument (name, capacity, channel) */
    MTAMON_ERR_NOENT = -2,     /**< no segment by that name */
    MTAMON_ERR_EXISTS = -3,    /**< segment already exists (exclusive create) */
    MTAMON_ERR_FOREIGN = -4,   /**< object at that name is not an mtamon segment */
    MTAMON_ERR_VERSION = -5,   /**< segment layout newer than this library */
    MTAMON_ERR_CORRUPT = -6,   /**< header or slot inconsistent with the mapping */
    MTAMON_ERR_FULL = -7,      /**< no free channel or association slot */
    MTAMON_ERR_PERM = -8,      /**< permission denied */
    MTAMON_ERR_BUSY = -9,      /**< segment being initialised or cleared */
    MTAMON_ERR_SYSTEM = -10,   /**< other system error (errno in the message) */
    MTAMON_ERR_STALE = -11,    /**< reader: segment deleted or re-created */
} mtamon_result;

/** Longest message mtamon_error carries, including the NUL. */
#define MTAMON_ERROR_MAX 256

/** Detail of a failure: the code and a human-readable message. */
struct mtamon_error {
    mtamon_result code;
    char message[MTAMON_ERROR_MAX];
};

/** Static English text for a status code ("segment not found", ...). */
const char *mtamon_strerror(mtamon_result code);

/* ------------------------------------------------------------------------ */
/* Segment                                                                   */

/** Default POSIX shared-memory object name. */
#define MTAMON_DEFAULT_SEGMENT "/mtamon"
/** Environment variable that overrides the default segment name. */
#define MTAMON_SEGMENT_ENV "MTAMON_SEGMENT"

/** Channel capacity of a segment created without an explicit one. */
#define MTAMON_DEFAULT_CHANNELS 1024u
/** Largest channel capacity a segment may have. */
#define MTAMON_MAX_CHANNELS 1000000u
/** Association-table capacity of a segment created without one. */
#define MTAMON_DEFAULT_ASSOCS 1024u
/** Largest association-table capacity. */
#define MTAMON_MAX_ASSOCS 1000000u

/** Longest channel name in bytes, without the NUL. */
#define MTAMON_CHANNEL_NAME_MAX 63
/** Longest stored reason text (rejection, connect failure), without NUL. */
#define MTAMON_REASON_MAX 127
/** Longest stored remote address of an association, without NUL. */
#define MTAMON_REMOTE_MAX 63
/** Distinct status codes tracked per channel (mtaGroupErrorTable rows). */
#define MTAMON_STATUS_SLOTS 32

/** Writer handle; safe to share between threads. */
typedef struct mtamon mtamon_t;

/** Flags for mtamon_open(). */
enum mtamon_open_flags {
    MTAMON_OPEN_CREATE = 1u << 0, /**< create the segment if it is missing */
    MTAMON_OPEN_EXCL = 1u << 1,   /**< with CREATE: fail if it exists */
};

/** Geometry of a segment to create; zero fields take the defaults. */
struct mtamon_create_params {
    uint32_t channel_capacity; /**< 1..MTAMON_MAX_CHANNELS */
    uint32_t assoc_capacity;   /**< 1..MTAMON_MAX_ASSOCS */
    uint32_t mode;             /**< permission bits, 0 = 0660; needs 0600 */
    uint32_t flags;            /**< MTAMON_CREATE_SET_GROUP */
    uint32_t gid;              /**< group to give the segment to */
};

/** mtamon_create_params.flags: give the new segment to group @c gid, so
 * MTA processes running under that group can open it. */
#define MTAMON_CREATE_SET_GROUP 1u

/**
 * Resolve a segment name: @p name if not NULL, else $MTAMON_SEGMENT if set,
 * else MTAMON_DEFAULT_SEGMENT.  Never returns NULL.
 */
const char *mtamon_segment_name(const char *name);

/**
 * Open a segment for writing.  With MTAMON_OPEN_CREATE a missing segment is
 * created (mode 0660, geometry from @p params or the defaults), and one
 * left uninitialised by a creator that died is replaced.  Validates the
 * header like a reader does.  Also reclaims association-table entries left
 * by writer processes that died.
 *
 * @return the handle, or NULL with @p err filled.
 */
mtamon_t *mtamon_open(const char *segment, unsigned flags,
                      const struct mtamon_create_params *params,
                      struct mtamon_error *err);

/** Unmap and free the handle.  Counters stay in the segment. */
void mtamon_close(mtamon_t *m);

/**
 * Delete the segment: mark it retired (a word in its header), then remove
 * the name.  Mappings already open stay valid, but every writer notices
 * the mark on its next event and follows the name (see
 * mtamon_reattached()); readers report the segment as deleted
 * (MTAMON_ERR_STALE).  If the name cannot be removed the mark is undone.
 */
mtamon_result mtamon_unlink(const char *segment, struct mtamon_error *err);

/**
 * How many times @p m followed its segment's name after a delete.
 *
 * Each event of a writer loads one word of the segment header (no system
 * call, no lock).  When a delete has marked the segment retired, the
 * event re-opens the name: if the name is missing and @p m was opened
 * with MTAMON_OPEN_CREATE, it re-creates the segment with the deleted
 * one's capacities, mode and group (without the group if this process
 * may not give it); then it registers again every channel it gave out a
 * handle for, and counts the event there.  Channel handles and
 * association tokens held by the caller keep working, from any number of
 * threads.  While the name cannot be followed (missing, and @p m may not
 * create; or still being initialised) events count into a private
 * stand-in of the deleted segment, tried again at most every 10 ms, and
 * are moved into the segment that appears there.  An association opened
 * before the delete belongs to the deleted segment: closing it counts
 * nothing in the new one.
 */
uint64_t mtamon_reattached(const mtamon_t *m);

/* ------------------------------------------------------------------------ */
/* Channels                                                                  */

/**
 * A channel: its stable 1-based slot index (the future mtaGroupIndex).
 * 0 is never a valid channel.  After the writer followed a re-created
 * segment (mtamon_reattached()) it is a handle that keeps naming the same
 * channel, whatever its slot there.
 */
typedef uint32_t mtamon_channel_t;

/**
 * Check a channel name: 1..MTAMON_CHANNEL_NAME_MAX bytes of printable ASCII
 * (0x21..0x7e, so no spaces or control characters).
 */
mtamon_result mtamon_channel_name_check(const char *name,
                                        struct mtamon_error *err);

/**
 * Find the channel called @p name, registering it in a free slot if it is
 * new.  Concurrent registrations of one name from any number of processes
 * yield the same slot.  Fails with MTAMON_ERR_FULL when every slot is taken
 * (channels already registered keep counting).
 */
mtamon_result mtamon_channel(mtamon_t *m, const char *name,
                             mtamon_channel_t *out, struct mtamon_error *err);

/** Like mtamon_channel() but never registers: MTAMON_ERR_NOENT if absent. */
mtamon_result mtamon_channel_find(mtamon_t *m, const char *name,
                                  mtamon_channel_t *out,
                                  struct mtamon_error *err);

/* ------------------------------------------------------------------------ */
/* Events.  Each returns MTAMON_ERR_INVALID for a channel that is not an     */
/* active slot of this segment, else MTAMON_OK.  Volume is in octets.        */

/**
 * A status code as RFC 2789's mtaStatusCode: (class*1000+subject)*1000+detail
 * for an enhanced status class.subject.detail (RFC 3463).  0 = none.
 */
typedef uint32_t mtamon_status_code;

/** Build an mtaStatusCode; 0 if class is not 4 or 5 or a part exceeds 999. */
mtamon_status_code mtamon_status_make(unsigned cls, unsigned subject,
                                      unsigned detail);

/**
 * Parse "4.2.2" (enhanced status) or "550" (basic reply code, mapped to
 * class.0.0) at the start of @p text; 0 if it is neither or not an error
 * class.
 */
mtamon_status_code mtamon_status_parse(const char *text);

/**
 * A message was enqueued by channel @p src to channel @p dst: src Submitted
 * and dst Received (messages +1, recipients, volume); dst Stored rises
 * until the message is dequeued or fails.  @p src may be 0 when unknown.
 * @p dst may be 0 when the destination's Received was counted already
 * (a source learned late, as from a log whose lines arrive out of
 * order): then only src's Submitted is counted.  Both 0: invalid.
 */
mtamon_result mtamon_enqueue(mtamon_t *m, mtamon_channel_t src,
                             mtamon_channel_t dst, uint32_t recipients,
                             uint64_t volume);

/**
 * A message was delivered (dequeued) by @p ch: Delivered, Stored falls.
 * @p first_attempt counts it as delivered on the first attempt.
 * @p queue_ms is its time in queue in milliseconds, or negative if unknown.
 */
mtamon_result mtamon_dequeue(mtamon_t *m, mtamon_channel_t ch,
                             uint32_t recipients, uint64_t volume,
                             int first_attempt, int64_t queue_ms);

/** A delivery attempt failed temporarily (Attempted); the message stays. */
mtamon_result mtamon_tempfail(mtamon_t *m, mtamon_channel_t ch,
                              uint32_t recipients, uint64_t volume,
                              mtamon_status_code code);

/**
 * An enqueue to @p ch was rejected (Rejected).  @p reason (may be NULL)
 * becomes the channel's last inbound rejection reason.
 */
mtamon_result mtamon_reject(mtamon_t *m, mtamon_channel_t ch,
                            uint32_t recipients, uint64_t volume,
                            mtamon_status_code code, const char *reason);

/** A message failed permanently and was returned (Failed); Stored falls. */
mtamon_result mtamon_fail(mtamon_t *m, mtamon_channel_t ch, uint32_t recipients,
                          uint64_t volume, mtamon_status_code code);

/** Status a failed conversion is counted under (internal errors): 5.6.5. */
#define MTAMON_STATUS_CONVERSION_FAILED 5006005u
/** Status a detected loop is counted under (internal errors): 5.4.6. */
#define MTAMON_STATUS_ROUTING_LOOP 5004006u

/**
 * A content conversion by @p ch succeeded (@p ok != 0) or failed; a failure
 * is also an internal error of status MTAMON_STATUS_CONVERSION_FAILED.
 */
mtamon_result mtamon_convert(mtamon_t *m, mtamon_channel_t ch, int ok);

/** A mail loop was detected on @p ch: an internal error of status
 * MTAMON_STATUS_ROUTING_LOOP. */
mtamon_result mtamon_loop(mtamon_t *m, mtamon_channel_t ch);

/* ------------------------------------------------------------------------ */
/* Associations (SMTP/LMTP connections)                                      */

/** Direction of an association, as seen from the MTA. */
typedef enum mtamon_direction {
    MTAMON_INBOUND = 1,
    MTAMON_OUTBOUND = 2,
} mtamon_direction;

/** Token for an open association; pass it back to mtamon_assoc_close(). */
typedef struct mtamon_assoc {
    mtamon_channel_t channel;
    uint32_t direction; /**< mtamon_direction, 0 if the open failed */
    uint32_t entry;     /**< low 20 bits: 1-based association-table entry,
                             0 if none; above them, opaque: which segment
                             the writer had (0 for the one it opened) */
} mtamon_assoc;

/**
 * An association opened: counts it (current and accumulated, in or out) and,
 * if the table has room, records channel, direction, @p remote (may be NULL)
 * and start time for assocTable.  A full table costs only that record.
 */
mtamon_result mtamon_assoc_open(mtamon_t *m, mtamon_channel_t ch,
                                mtamon_direction dir, const char *remote,
                                mtamon_assoc *out);

/**
 * The association ended.  Call it from the process that opened it (the
 * table entry belongs to that process; a close from another process is
 * refused with MTAMON_ERR_INVALID and counts nothing).
 */
mtamon_result mtamon_assoc_close(mtamon_t *m, const mtamon_assoc *a);

/** An inbound association was refused (code and reason may be 0/NULL). */
mtamon_result mtamon_assoc_reject(mtamon_t *m, mtamon_channel_t ch,
                                  mtamon_status_code code, const char *reason);

/** An outbound connection attempt failed (code and reason may be 0/NULL). */
mtamon_result mtamon_assoc_fail(mtamon_t *m, mtamon_channel_t ch,
                                mtamon_status_code code, const char *reason);

/**
 * Stamp the following events of @p m with @p ms (ms since the epoch) as
 * their last-activity and association times, instead of the clock: for a
 * log follower, which reports events when it reads them, maybe long after
 * they happened.  0 goes back to the clock.  Times only move forward.
 */
void mtamon_event_time(mtamon_t *m, int64_t ms);

/* ------------------------------------------------------------------------ */
/* Administration                                                            */

/**
 * Zero every counter of every channel and record the clear time.  Gauges
 * (Stored, current associations) are not touched.  Updates that race with
 * the clear are counted either before or after it, never lost.  Fails with
 * MTAMON_ERR_BUSY while another process clears; a clear left unfinished by
 * a process that died (or running for over 10 s) is taken over.
 */
mtamon_result mtamon_clear(mtamon_t *m, struct mtamon_error *err);

/* ------------------------------------------------------------------------ */
/* Reading                                                                   */

/** Monotonic per-channel counters, the index into mtamon_channel_stats.c. */
enum mtamon_counter {
    MTAMON_RECEIVED_MSGS, MTAMON_RECEIVED_RCPTS, MTAMON_RECEIVED_VOLUME,
    MTAMON_DELIVERED_MSGS, MTAMON_DELIVERED_RCPTS, MTAMON_DELIVERED_VOLUME,
    MTAMON_DELIVERED_FIRST_MSGS,
    MTAMON_SUBMITTED_MSGS, MTAMON_SUBMITTED_RCPTS, MTAMON_SUBMITTED_VOLUME,
    MTAMON_ATTEMPTED_MSGS, MTAMON_ATTEMPTED_RCPTS, MTAMON_ATTEMPTED_VOLUME,
    MTAMON_REJECTED_MSGS, MTAMON_REJECTED_RCPTS, MTAMON_REJECTED_VOLUME,
    MTAMON_FAILED_MSGS, MTAMON_FAILED_RCPTS, MTAMON_FAILED_VOLUME,
    MTAMON_QUEUE_TIME_MS, MTAMON_QUEUE_COUNT,
    MTAMON_QUEUE_FIRST_TIME_MS, MTAMON_QUEUE_FIRST_COUNT,
    MTAMON_IN_ASSOCS, MTAMON_OUT_ASSOCS,               /* accumulated */
    MTAMON_IN_ASSOCS_CLOSED, MTAMON_OUT_ASSOCS_CLOSED,
    MTAMON_IN_ASSOCS_REJECTED, MTAMON_OUT_ASSOCS_FAILED,
    MTAMON_CONVERTED_OK, MTAMON_CONVERTED_FAILED,
    MTAMON_LOOPS,
    MTAMON_COUNTER_COUNT
};

/** Short stable name of a counter ("received_msgs", ...), for JSON. */
const char *mtamon_counter_name(enum mtamon_counter c);

/** Error counts for one status code (one mtaGroupErrorTable row). */
struct mtamon_status_count {
    mtamon_status_code code;
    uint64_t inbound, internal, outbound;
};

/** A copy of one channel, taken by mtamon_snapshot_take(). */
struct mtamon_channel_stats {
    mtamon_channel_t index;                 /**< stable 1-based slot index */
    char name[MTAMON_CHANNEL_NAME_MAX + 1];
    int64_t created_ms;                   /**< registration, ms since epoch */
    uint64_t c[MTAMON_COUNTER_COUNT];     /**< counters since the last clear */
    /* Gauges, never cleared.  Signed: a feed that starts with mail already
     * queued sees more dequeues than enqueues. */
    int64_t stored_msgs, stored_rcpts, stored_volume;
    int64_t in_assocs_current, out_assocs_current;
    /* Last activity, ms since epoch, 0 = never. */
    int64_t last_inbound_ms, last_outbound_ms, last_outbound_attempt_ms;
    char last_rejection_reason[MTAMON_REASON_MAX + 1];
    char last_connect_failure[MTAMON_REASON_MAX + 1];
    unsigned n_status;                    /**< rows used in status[] */
    struct mtamon_status_count status[MTAMON_STATUS_SLOTS]; /**< by code */
};

/** A current association, from the segment's association table. */
struct mtamon_assoc_stats {
    uint32_t entry;                       /**< 1-based table entry */
    mtamon_channel_t channel;
    mtamon_direction direction;
    int32_t pid;                          /**< writer process that opened it */
    int64_t start_ms;
    char remote[MTAMON_REMOTE_MAX + 1];
};

/** A consistent copy of a whole segment. */
struct mtamon_snapshot {
    uint64_t generation;      /**< random id, new for each created segment */
    int64_t created_ms;       /**< segment creation, ms since epoch */
    int64_t cleared_ms;       /**< last clear, 0 = never */
    int64_t taken_ms;         /**< when this copy was taken */
    uint32_t channel_capacity;
    uint32_t assoc_capacity;
    uint32_t n_channels;      /**< entries used in channels[] */
    uint32_t n_assocs;        /**< entries used in assocs[] */
    struct mtamon_channel_stats *channels; /**< sorted by index */
    struct mtamon_assoc_stats *assocs;     /**< sorted by entry */
    uint32_t channels_alloc, assocs_alloc; /**< internal: buffer sizes */
};

/** Read-only attachment to a segment; one per thread. */
typedef struct mtamon_reader mtamon_reader;

/**
 * Attach read-only to @p segment and validate it.  A short, foreign,
 * corrupt or newer-version object is refused with a message, never mapped
 * blindly.
 */
mtamon_reader *mtamon_reader_open(const char *segment,
                                  struct mtamon_error *err);

/** Flags for mtamon_reader_open_flags(). */
enum mtamon_reader_flags {
    /** Never wait for an object that is still being initialised (empty or
     * without its magic): fail at once with MTAMON_ERR_BUSY, here and when
     * mtamon_snapshot_take() follows a re-created segment.  Without it the
     * reader waits up to 1 s for the creator, then reports
     * MTAMON_ERR_FOREIGN.  For a daemon that must answer requests. */
    MTAMON_READER_NOWAIT = 1u << 0,
};

/** mtamon_reader_open() with @p flags (enum mtamon_reader_flags). */
mtamon_reader *mtamon_reader_open_flags(const char *segment, unsigned flags,
                                        struct mtamon_error *err);

/** Detach and free. */
void mtamon_reader_close(mtamon_reader *r);

/** Generation of the segment this reader is attached to. */
uint64_t mtamon_reader_generation(const mtamon_reader *r);

/** Owner and permissions of a shared-memory object (see mtamon_reader_owner). */
struct mtamon_owner {
    uid_t uid;       /**< owner: whoever created it, or chown(1)'d it */
    gid_t gid;       /**< group */
    mode_t mode;     /**< permission bits (st_mode & 07777) */
};

/**
 * Owner and permission bits of the object @p r is attached to, as they
 * were when it attached: at mtamon_reader_open(), or when
 * mtamon_snapshot_take() re-attached to a re-created segment (it sets
 * *restarted then).  No system call.  Lets a reader decide whom it
 * trusts: the library has no policy about users; anyone allowed to write
 * the object can publish any figures in it.
 */
void mtamon_reader_owner(const mtamon_reader *r, struct mtamon_owner *out);

/** Flags for mtamon_snapshot_take(). */
enum mtamon_snapshot_flags {
    MTAMON_SNAP_LIFETIME = 1u << 0, /**< counters since creation, not clear */
};

/**
 * Copy every active channel and association into @p snap, reusing its
 * buffers (start from a zeroed struct; free with mtamon_snapshot_free()).
 *
 * First checks that the name still refers to the attached segment.  If it
 * was deleted, returns MTAMON_ERR_STALE (the reader stays attached to the
 * old object).  If it was re-created, the reader re-attaches, takes the
 * copy and sets *@p restarted to 1: the counters restarted (a
 * discontinuity).  @p restarted may be NULL.
 */
mtamon_result mtamon_snapshot_take(mtamon_reader *r, unsigned flags,
                                   struct mtamon_snapshot *snap,
                                   int *restarted, struct mtamon_error *err);

/** Free the buffers of a snapshot (not the struct itself). */
void mtamon_snapshot_free(struct mtamon_snapshot *snap);

/** The channel called @p name in @p snap, or NULL. */
const struct mtamon_channel_stats *
mtamon_snapshot_find(const struct mtamon_snapshot *snap, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* MTAMON_H */
