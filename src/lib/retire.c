/*
 * retire.c - deleting a segment so that running writers follow the name.
 *
 * `delete` first sets the retired word in the segment's header tail, then
 * unlinks the name.  Writers load that word on every event (one relaxed
 * load of a line that is read-mostly) and, once it is set, re-open the
 * name (follow.c).  Set before the unlink so that no writer can miss it:
 * a deleter that dies in between leaves a retired segment that writers
 * still leave, never a deleted one they keep writing into.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "lib_internal.h"

/* Store @p value into the retired word of the segment at @p name. */
static int set_retired(const char *name, uint32_t value)
{
    struct segment_map map;
    if (mtamon__segment_attach(name, 1, 1, &map, NULL) != MTAMON_OK)
        return 0;
    /* Release: a writer that reads it with acquire (the follow path) also
     * sees everything this process wrote before. */
    atomic_store_explicit(&segment_tail_of(map.header)->retired, value,
                          memory_order_release);
    mtamon__segment_detach(&map);
    return 1;
}

int mtamon__segment_retire(const char *name)
{
    return set_retired(name, SEGMENT_RETIRED);
}

void mtamon__segment_unretire(const char *name)
{
    set_retired(name, 0);
}

mtamon_result mtamon_unlink(const char *segment, struct mtamon_error *err)
{
    const char *name = mtamon_segment_name(segment);
    mtamon_result st = mtamon__segment_name_check(name, err);
    if (st != MTAMON_OK)
        return st;
    /* A foreign or unreadable object is unlinked unmarked: no mtamon
     * writer can have it mapped. */
    int marked = mtamon__segment_retire(name);
    if (shm_unlink(name) != 0) {
        int e = errno;
        /* Still there: writers that looked found the same object and
         * stayed; let them stop looking. */
        if (marked && e != ENOENT)
            mtamon__segment_unretire(name);
        return mtamon__segment_errno(err, e, "delete", name);
    }
    return MTAMON_OK;
}
