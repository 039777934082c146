/*
 * segment_trust.h - may mtamond serve the counter segment it found?
 *
 * Whoever may write the segment publishes figures under the MTA's name,
 * so mtamond serves only an object owned by root, by the user it runs as
 * or by segment.owner, and not writable by others (unless
 * segment.trust_any_owner).  mtamond applies the rule at every attach
 * (src/agent/view.c); `mtamon check-config` tells beforehand.
 */
#ifndef MTAMON_SEGMENT_TRUST_H
#define MTAMON_SEGMENT_TRUST_H

#include <stddef.h>
#include <sys/types.h>

#include "mtamon.h"

/**
 * 1 when the segment of owner and mode @p o may be served by a daemon
 * running as @p daemon_uid, with @p owner_uid (when @p has_owner_uid)
 * the segment.owner user; else 0 with why not in @p why ("owned by uid
 * 1000, neither root nor uid 108", "writable by anyone (mode 0666)").
 */
int segment_trust_check(const struct mtamon_owner *o, uid_t daemon_uid,
                        int has_owner_uid, uid_t owner_uid,
                        char *why, size_t len);

#endif /* MTAMON_SEGMENT_TRUST_H */
