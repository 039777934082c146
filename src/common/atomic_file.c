/*
 * atomic_file.c - replace a file as a whole (see atomic_file.h).
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_file_dir_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    int n;
    if (!slash)
        n = snprintf(buf, len, ".");
    else if (slash == path)
        n = snprintf(buf, len, "/");
    else
        n = snprintf(buf, len, "%.*s", (int)(slash - path), path);
    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

int atomic_file_sync_dir(const char *path)
{
    char dir[PATH_MAX];
    if (atomic_file_dir_of(path, dir, sizeof dir) != 0)
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

const char *atomic_file_not_regular(const char *path, struct stat *st)
{
    if (lstat(path, st) != 0) {
        int e = errno;
        st->st_mode = 0;
        return e == ENOENT ? NULL : strerror(e);
    }
    if (S_ISLNK(st->st_mode))
        return "is a symbolic link";
    return S_ISREG(st->st_mode) ? NULL : "not a regular file";
}

int atomic_file_write(const char *path, mode_t mode, const void *data,
                      size_t len, char *err, size_t errlen)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof tmp ||
        atomic_file_dir_of(path, dir, sizeof dir) != 0) {
        snprintf(err, errlen, "%.200s...: name too long", path);
        return -1;
    }
    struct stat st;
    const char *why = atomic_file_not_regular(path, &st);
    if (why) {
        snprintf(err, errlen, "%s: %s: not replaced", path, why);
        return -1;
    }
    /* A new name, created with O_EXCL: never a file (or a link) someone
     * prepared, nor another writer's temporary file. */
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a temporary file in %s: %s",
                 path, dir, strerror(errno));
        return -1;
    }
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 ||
        fsync(fd) != 0) {
        snprintf(err, errlen, "%s: cannot write %s: %s", path, tmp,
                 strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) != 0) {
        snprintf(err, errlen, "%s: cannot write %s: %s", path, tmp,
                 strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot rename %s to it: %s", path, tmp,
                 strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (atomic_file_sync_dir(path) != 0) {
        snprintf(err, errlen, "%s: cannot sync directory %s: %s", path, dir,
                 strerror(errno));
        return -1;
    }
    return 0;
}
