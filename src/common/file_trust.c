/*
 * file_trust.c - StrictModes for the files the daemons keep (see
 * file_trust.h).
 */
#include "file_trust.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"

/* Owner and write bits of @p st, the @p what called @p path. */
static int check_stat(const struct stat *st, const char *what,
                      const char *path, uid_t owner, char *err, size_t errlen)
{
    if (st->st_uid != 0 && st->st_uid != owner) {
        snprintf(err, errlen, "%s %s: owned by uid %ld: must be owned by "
                              "root or uid %ld",
                 what, path, (long)st->st_uid, (long)owner);
        return -1;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, errlen, "%s %s: writable by %s (mode %04o): only its "
                              "owner may write it",
                 what, path,
                 (st->st_mode & S_IWOTH) ? "anyone" : "its group",
                 (unsigned)(st->st_mode & 07777));
        return -1;
    }
    return 0;
}

int file_trust_check(const char *path, uid_t owner, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    struct stat st;
    if (atomic_file_dir_of(path, dir, sizeof dir) != 0) {
        snprintf(err, errlen, "file %.200s...: name too long", path);
        return -1;
    }
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "directory %s: %s", dir, strerror(errno));
        return -1;
    }
    if (check_stat(&st, "directory", dir, owner, err, errlen) != 0)
        return -1;
    const char *why = atomic_file_not_regular(path, &st);
    if (why) {
        snprintf(err, errlen, "file %s: %s", path, why);
        return -1;
    }
    if (st.st_mode == 0)
        return 0; /* not there yet: created in a directory checked above */
    return check_stat(&st, "file", path, owner, err, errlen);
}
