/*
 * file_trust.h - is a file only in the hands of root and the daemon user?
 *
 * The rule of OpenSSH's StrictModes: a file a daemon reads (and rewrites)
 * must not be changeable by anyone else, or whoever can change it (or
 * replace it, through its directory) steers the daemon.  mtamond applies
 * it to its group-index file.
 */
#ifndef MTAMON_FILE_TRUST_H
#define MTAMON_FILE_TRUST_H

#include <stddef.h>
#include <sys/types.h>

/**
 * Check @p path and the directory holding it: each must be owned by root
 * or by @p owner, and writable by neither its group nor others.  The file
 * is examined with lstat(): a symbolic link is refused, and so is anything
 * but a regular file; the directory with stat() (reaching it through a
 * link, as /var/run often is, is fine: its owner and mode are checked).
 * A missing file passes when its directory does (it will be created
 * there); a missing directory passes too (nothing can be created in it).
 *
 * Returns 0, or -1 with one line in @p err (size @p errlen) naming what
 * is wrong, such as "directory /var/lib/mtamon: writable by its group
 * (mode 0775): only its owner may write it", "file /var/lib/mtamon/x:
 * owned by uid 1000: must be owned by root or uid 108" or "file ...: is a
 * symbolic link".
 */
int file_trust_check(const char *path, uid_t owner, char *err, size_t errlen);

#endif /* MTAMON_FILE_TRUST_H */
