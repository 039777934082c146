/*
 * atomic_file.h - the one way the mtamon programs write a file they keep
 * (mtamond's group-index file, the feed's state file): replace it as a
 * whole, durably, and without ever following a symbolic link.
 *
 * atomic_file_write() creates a temporary file of its own in the target's
 * directory (mkostemp: a new name, O_EXCL, so nothing planted at a fixed
 * name is opened), sets its mode, writes, fsyncs, renames it over the
 * target and fsyncs the directory.  rename() replaces the last component
 * of the path itself, never what a link there points to; a target that is
 * a symbolic link or not a regular file is refused before anything is
 * written, so a link planted there is reported, not silently replaced.
 * A reader sees the old file or the new one, never a mix.
 */
#ifndef MTAMON_ATOMIC_FILE_H
#define MTAMON_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/**
 * Replace @p path with the @p len bytes at @p data, mode @p mode (not
 * reduced by the umask), owned by the caller's effective uid and gid.
 * Returns 0, or -1 with a one-line message naming @p path and the reason
 * in @p err (size @p errlen): "PATH: is a symbolic link: not replaced",
 * "PATH: not a regular file: not replaced", "PATH: cannot create a
 * temporary file in DIR: REASON", "PATH: cannot write TMP: REASON",
 * "PATH: cannot rename TMP to it: REASON" or "PATH: cannot sync
 * directory DIR: REASON" (after the rename: the new content is in place,
 * but a crash may still lose it).  No temporary file is left behind.
 */
int atomic_file_write(const char *path, mode_t mode, const void *data,
                      size_t len, char *err, size_t errlen);

/**
 * What keeps @p path from being replaced as a plain file: NULL when it is a
 * regular file or does not exist (then st->st_mode is 0), else "is a
 * symbolic link", "not a regular file" or the strerror() text of a failed
 * lstat().  Fills *@p st from lstat(), never following a link.
 */
const char *atomic_file_not_regular(const char *path, struct stat *st);

/**
 * fsync() the directory holding @p path ("." when @p path has no '/'), so
 * a rename, creation or removal in it is on disk.  Returns 0, or -1 with
 * errno set.
 */
int atomic_file_sync_dir(const char *path);

/**
 * The directory part of @p path into @p buf (size @p len): "." when it has
 * no '/', "/" for a file in the root.  Returns 0, or -1 (ENAMETOOLONG)
 * when it does not fit.
 */
int atomic_file_dir_of(const char *path, char *buf, size_t len);

#endif /* MTAMON_ATOMIC_FILE_H */
