/*
 * partition.c - a file system's size and free space from statvfs(3), in
 * the figures df(1) prints (see partition.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "partition.h"

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * df's Use%: used / (used + available), rounded up; counted in blocks as
 * df does (the block size cancels out).  0 when both are 0 (df prints
 * "-" there).  Integer arithmetic while used * 100 fits, as in df, and
 * floating point beyond.
 */
static uint32_t used_percent(uint64_t used, uint64_t avail)
{
    if (used == 0 && avail == 0)
        return 0;
    uint64_t total = used + avail;
    if (used <= UINT64_MAX / 100 && total >= used) {
        uint64_t u100 = used * 100;
        return (uint32_t)(u100 / total + (u100 % total != 0));
    }
    double pct = (double)used * 100.0 / ((double)used + (double)avail);
    uint32_t whole = (uint32_t)pct;
    return whole + ((double)whole < pct);
}

int partition_read(const char *path, struct partition_stats *out)
{
    memset(out, 0, sizeof *out);
    out->read_ms = wall_ms();
    struct statvfs vfs;
    if (!path || statvfs(path, &vfs) != 0) {
        out->status = PARTITION_UNAVAILABLE;
        snprintf(out->error, sizeof out->error, "%s: %s",
                 path ? path : "(null)", strerror(path ? errno : EINVAL));
        return -1;
    }
    /* f_frsize is the unit of the block counts; a few old file systems
     * leave it 0 and mean f_bsize (df falls back the same way). */
    uint64_t unit = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize;
    uint64_t blocks = vfs.f_blocks;
    uint64_t used = blocks > vfs.f_bfree ? blocks - vfs.f_bfree : 0;
    uint64_t avail = vfs.f_bavail;

    out->status = PARTITION_OK;
    out->size = blocks * unit;
    out->used = used * unit;
    out->available = avail * unit;
    out->used_percent = used_percent(used, avail);
    out->inodes_total = vfs.f_files;
    out->inodes_free = vfs.f_ffree;
    return 0;
}
