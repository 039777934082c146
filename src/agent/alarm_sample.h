/*
 * alarm_sample.h - what each alarm kind measures, read from a view (the
 * segment's snapshot and the collectors' last results): one sample per
 * watched object, for alarm_engine_update().
 *
 * Objects the view has no figure for are left out (a queue not scanned
 * yet or unreadable, a probe not checked yet or down for a *_slow kind, a
 * channel without a queue scan for queue_age, the segment's figures while
 * it is down): their rows keep their state.  No SNMP here.
 */
#ifndef MTAMON_ALARM_SAMPLE_H
#define MTAMON_ALARM_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "alarm.h"
#include "view.h"

/** Samples of one alarm, and the storage of their object names. */
struct alarm_samples {
    struct alarm_sample *s;
    char (*names)[ALARM_OBJECT_MAX + 1];
    size_t n, cap;
};

/** What one alarm's sampler remembers between its checks. */
struct alarm_sampler {
    uint64_t generation;   /**< segment_restarted: the segment's generation
                                at the previous check, 0 = none yet */
    /* The alarm's objects, prepared at its first check: the plain names
     * sorted (a binary search each), the patterns apart (fnmatch). */
    int prepared;
    const char **names, **patterns;
    size_t n_names, n_patterns;
};

/**
 * Fill @p out (emptied first; its storage is reused) with the samples of
 * @p a in @p v at wall-clock @p wall_ms.  @p st is the alarm's own (zeroed
 * before its first check) and updated.  Returns 0, or -1 on ENOMEM
 * (@p out then holds the samples taken so far).
 */
int alarm_sample_take(const struct config_alarm *a, const struct view *v,
                      struct alarm_sampler *st, int64_t wall_ms,
                      struct alarm_samples *out);

/**
 * 1 when @p name is one of @p a's objects: every object when it names
 * none, else one of the names, or a match of one of the patterns
 * (fnmatch(3)).
 */
int alarm_sample_watches(const struct config_alarm *a, const char *name);

/**
 * 1 when @p name is one of @p a's objects, as alarm_sample_watches(), in
 * O(log names + patterns) once @p st is prepared (done on the first
 * call).  The names stay those of @p a (not copied).
 */
int alarm_sampler_watches(struct alarm_sampler *st, const struct config_alarm *a,
                          const char *name);

/** Free what @p st prepared and zero it (it may be used again). */
void alarm_sampler_free(struct alarm_sampler *st);

/** Free the storage of @p s and zero it. */
void alarm_samples_free(struct alarm_samples *s);

#endif /* MTAMON_ALARM_SAMPLE_H */
