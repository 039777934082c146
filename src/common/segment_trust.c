/*
 * segment_trust.c - the owner rule for the counter segment (see
 * segment_trust.h).
 */
#include "segment_trust.h"

#include <stdio.h>
#include <sys/stat.h>

int segment_trust_check(const struct mtamon_owner *o, uid_t daemon_uid,
                        int has_owner_uid, uid_t owner_uid,
                        char *why, size_t len)
{
    if (o->uid != 0 && o->uid != daemon_uid &&
        !(has_owner_uid && o->uid == owner_uid)) {
        if (has_owner_uid)
            snprintf(why, len, "owned by uid %ld, neither root, uid %ld nor "
                     "segment.owner (uid %ld)", (long)o->uid,
                     (long)daemon_uid, (long)owner_uid);
        else
            snprintf(why, len, "owned by uid %ld, neither root nor uid %ld",
                     (long)o->uid, (long)daemon_uid);
        return 0;
    }
    if (o->mode & S_IWOTH) {
        snprintf(why, len, "writable by anyone (mode %04o)", (unsigned)o->mode);
        return 0;
    }
    return 1;
}
