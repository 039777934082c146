/*
 * daemon.h - the life of a Unix daemon, without anything SNMP: detaching
 * from the terminal, the pidfile, dropping root, and signals.
 *
 * Every function that can fail returns 0 or a sysexits(3) status (EX_OSERR,
 * EX_NOUSER, ...) and writes a one-line message into the caller's buffer;
 * none of them exits, except the parent side of daemon_detach(), which by
 * design ends the foreground process.
 */
#ifndef MTAMON_DAEMON_H
#define MTAMON_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

#include "daemon_identity.h"   /* struct daemon_identity, daemon_identity_lookup() */

/* --- detaching ------------------------------------------------------------ */

/**
 * Become a daemon: fork, setsid, fork again, chdir("/"), and point stdin
 * and stdout (and stderr unless @p keep_stderr) at /dev/null.
 *
 * The process that called it does not return: it waits until the daemon
 * calls daemon_ready() and exits with the status given there (or with
 * EX_SOFTWARE if the daemon died before saying anything), so whoever
 * started the program (a shell, systemd's Type=forking) learns whether the
 * start worked.  Returns 0 in the daemon, or EX_OSERR (message in @p err)
 * in the caller if the first fork failed.
 */
int daemon_detach(int keep_stderr, char *err, size_t errlen);

/**
 * Tell the process waiting in daemon_detach() to exit with @p status
 * (0: the daemon is up).  Only the first call counts; does nothing when
 * the program did not detach.
 */
void daemon_ready(int status);

/* --- pidfile ------------------------------------------------------------- */

/**
 * The pidfile is locked (flock) for as long as the daemon lives: the lock,
 * not the pid written in it, says whether an instance runs, so a pidfile
 * left by a crash is replaced even if its pid was reused since.
 */
struct daemon_pidfile;

/**
 * Check, without writing anything, whether @p path is held by a running
 * instance: returns 0 when it is free (missing, or not locked), EX_TEMPFAIL
 * with "already running (pid N, pidfile PATH)" when it is held, or
 * EX_CANTCREAT/EX_OSERR when it cannot be read.  Lets a second instance
 * refuse to start before it connects anywhere.
 */
int daemon_pidfile_check(const char *path, char *err, size_t errlen);

/**
 * Create or take over @p path, lock it and write this process's pid.
 * A symbolic link at @p path is not followed, and anything but a regular
 * file with a single link (a hard link to another file, a FIFO) is
 * refused before it is truncated.
 * Returns 0 and sets *@p out, EX_TEMPFAIL when another live instance holds
 * it, EX_CANTCREAT when it cannot be created or written.
 */
int daemon_pidfile_create(const char *path, struct daemon_pidfile **out,
                          char *err, size_t errlen);

/**
 * Remove the pidfile and release the lock (NULL is fine).  Returns 0, or
 * -1 with a message in @p err when it could not be unlinked (after
 * dropping root, the directory may no longer be writable: the stale file
 * is harmless, since nobody holds its lock).
 */
int daemon_pidfile_remove(struct daemon_pidfile *pf, char *err, size_t errlen);

/* --- privileges ---------------------------------------------------------- */

/**
 * Switch to @p id (initgroups, setgid, setuid) and verify that it worked,
 * including that root cannot be regained.  Does nothing when id->change
 * is 0.  Returns 0 or EX_OSERR.
 */
int daemon_drop_privileges(const struct daemon_identity *id,
                           char *err, size_t errlen);

#endif /* MTAMON_DAEMON_H */
