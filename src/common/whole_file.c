/*
 * whole_file.c - a small file read whole into memory.
 */
#include "whole_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* The first allocation: most such files fit. */
#define WHOLE_FILE_FIRST 4096

int whole_file_read(const char *path, size_t max, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    /* Up to @p max bytes and one more, to tell a longer file; the buffer
     * always has room for the NUL after them. */
    size_t limit = max < SIZE_MAX - 1 ? max + 1 : SIZE_MAX - 1;
    size_t cap = limit < WHOLE_FILE_FIRST ? limit : WHOLE_FILE_FIRST;
    size_t n = 0;
    int err = 0;
    char *b = malloc(cap + 1);
    if (!b) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    for (;;) {
        if (n == cap) {
            if (cap == limit)
                break;
            size_t more = cap <= limit / 2 ? cap * 2 : limit;
            char *bigger = realloc(b, more + 1);
            if (!bigger) {
                err = ENOMEM;
                break;
            }
            b = bigger;
            cap = more;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err = errno;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (err) {
        free(b);
        errno = err;
        return -1;
    }
    int longer = n > max;
    if (longer)
        n = max;
    b[n] = '\0';
    *buf = b;
    *len = n;
    return longer;
}
