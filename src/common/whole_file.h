/*
 * whole_file.h - a small file read whole into memory: the configuration,
 * a process's /proc/PID/cmdline, a test's input.
 */
#ifndef MTAMON_WHOLE_FILE_H
#define MTAMON_WHOLE_FILE_H

#include <stddef.h>

/**
 * Read the file at @p path to its end, at most @p max bytes of it
 * (SIZE_MAX: no bound but memory), into *@p buf: malloc'd, the caller
 * frees it; a NUL follows the *@p len bytes read, so a text file is a C
 * string.  The file is opened read-only, close-on-exec, never as a
 * controlling terminal, and read until read(2) says it ended (interrupted
 * reads are retried), so files whose size stat(2) does not tell (/proc)
 * come whole.
 *
 * Returns 0; 1 when the file holds more than @p max bytes (*@p buf then
 * holds the first @p max, *@p len is @p max); -1 with errno set (from
 * open(2) or read(2), or ENOMEM) when it cannot be opened or read, and
 * then *@p buf is NULL and *@p len 0.
 */
int whole_file_read(const char *path, size_t max, char **buf, size_t *len);

#endif /* MTAMON_WHOLE_FILE_H */
