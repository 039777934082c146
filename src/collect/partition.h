/*
 * partition.h - size and free space of a file system (partitions: in
 * mtamon.yaml), as `counterutil -o diskusage` and df(1) show them, from
 * statvfs(3).  No SNMP here.
 */
#ifndef MTAMON_PARTITION_H
#define MTAMON_PARTITION_H

#include <stdint.h>

/** Longest error text kept. */
#define PARTITION_ERROR_MAX 256

/** State of a partition row. */
enum partition_status {
    PARTITION_NOT_YET = 0,       /**< not read yet */
    PARTITION_OK = 1,
    PARTITION_UNAVAILABLE = 2,   /**< the path is gone or unreadable */
};

/** One statvfs(3) of a partition's path, in octets and inodes. */
struct partition_stats {
    enum partition_status status;
    char error[PARTITION_ERROR_MAX];  /**< why UNAVAILABLE, else "" */
    uint64_t size;           /**< f_blocks * f_frsize (df's 1B-blocks) */
    uint64_t used;           /**< (f_blocks - f_bfree) * f_frsize (df's Used) */
    uint64_t available;      /**< f_bavail * f_frsize: for unprivileged users */
    uint32_t used_percent;   /**< df's Use%: used / (used + available),
                                  rounded up, 0..100 */
    uint64_t inodes_total;   /**< f_files (df -i's Inodes) */
    uint64_t inodes_free;    /**< f_ffree (df -i's IFree) */
    int64_t read_ms;         /**< when it was read (wall clock) */
};

/**
 * Read the file system holding @p path into @p out.  Returns 0, or -1
 * with out->status UNAVAILABLE and the reason in out->error (figures 0).
 */
int partition_read(const char *path, struct partition_stats *out);

#endif /* MTAMON_PARTITION_H */
