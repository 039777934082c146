/*
 * alarm_mail_command.c - hand a message to a sendmail-compatible
 * command (see alarm_mail_internal.h): posix_spawn with the message on a
 * pipe, then wait for the exit until the deadline, killing the command's
 * process group when it passes.
 *
 * Runs on alarm_mail's worker thread, whose signals are all blocked:
 * the child gets an empty mask and default dispositions back (mtamond
 * ignores SIGPIPE, which a sendmail must not inherit).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alarm_mail_internal.h"
#include "monotonic.h"
#include "signals.h"

extern char **environ;

/* posix_spawn_file_actions_addclosefrom_np: glibc 2.34 and later.
 * Without it the child gets what mtamond opened without O_CLOEXEC. */
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 34)
#define ALARM_MAIL_CLOSEFROM 1
#endif
#endif

/* Start @p argv with @p in_fd as its stdin: 0 with *@p pid, or an errno. */
static int spawn(char *const *argv, int in_fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0)
        return rc;
    rc = posix_spawnattr_init(&at);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return rc;
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if ((rc = posix_spawn_file_actions_adddup2(&fa, in_fd, 0)) == 0 &&
        (rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) == 0 &&
        (rc = posix_spawn_file_actions_adddup2(&fa, 1, 2)) == 0 &&
#ifdef ALARM_MAIL_CLOSEFROM
        (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
#endif
        (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                                POSIX_SPAWN_SETPGROUP)) == 0 &&
        (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
        (rc = posix_spawnattr_setsigdefault(&at, &all)) == 0 &&
        (rc = posix_spawnattr_setpgroup(&at, 0)) == 0) {
        rc = strchr(argv[0], '/') ? posix_spawn(pid, argv[0], &fa, &at, argv, environ)
                                  : posix_spawnp(pid, argv[0], &fa, &at, argv, environ);
    }
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* Write @p msg into the non-blocking pipe @p fd by @p deadline_ms: 0,
 * 1 timed out, or -1 with the reason in @p err. */
static int feed(int fd, const char *msg, size_t len, int64_t deadline_ms, char *err,
                size_t errlen)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, msg + off, len - off);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EPIPE) {
            /* It went away without reading it all: its status says why.
             * The SIGPIPE raised on this thread (blocked here) is taken
             * so that it stays nobody's. */
            sigset_t pipe_set;
            sigemptyset(&pipe_set);
            sigaddset(&pipe_set, SIGPIPE);
            const struct timespec zero = {0, 0};
            while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE) {
            }
            return 0;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            snprintf(err, errlen, "writing to its standard input: %s", strerror(errno));
            return -1;
        }
        int64_t left = deadline_ms - monotonic_ms();
        if (left <= 0)
            return 1;
        struct pollfd p = {fd, POLLOUT, 0};
        poll(&p, 1, left > 1000 ? 1000 : (int)left);
    }
    return 0;
}

/* Wait for @p pid until @p deadline_ms: 1 with *@p status when it
 * exited, 0 when the time is up, -1 when waitpid fails. */
static int wait_child(pid_t pid, int64_t deadline_ms, int *status)
{
    long step_ms = 1;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
        int64_t left = deadline_ms - monotonic_ms();
        if (left <= 0)
            return 0;
        /* No SIGCHLD to wait for on this thread: short naps, growing
         * to 25 ms (a sendmail takes a few). */
        long nap = left < step_ms ? (long)left : step_ms;
        struct timespec ts = {nap / 1000, (nap % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        if (step_ms < 25)
            step_ms *= 2;
    }
}

int alarm_mail_command_run(char *const *argv, const char *msg, size_t len,
                           unsigned timeout_ms, char *err, size_t errlen)
{
    int64_t deadline_ms = monotonic_ms() + timeout_ms;
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = -1;
    int rc = spawn(argv, pfd[0], &pid);
    close(pfd[0]);
    if (rc != 0) {
        close(pfd[1]);
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    int fl = fcntl(pfd[1], F_GETFL);
    if (fl >= 0)
        fcntl(pfd[1], F_SETFL, fl | O_NONBLOCK);
    char why[160] = "";
    int fed = feed(pfd[1], msg, len, deadline_ms, why, sizeof why);
    close(pfd[1]);  /* its end of file */

    int status = 0;
    int done = fed == 1 ? 0 : wait_child(pid, deadline_ms, &status);
    if (done < 0) {
        snprintf(err, errlen, "waitpid: %s", strerror(errno));
        return -1;
    }
    if (done == 0) {
        /* The time is up: the group goes, whatever it started, and the
         * child is reaped. */
        kill(-pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        snprintf(err, errlen, "timed out after %u ms", timeout_ms);
        return -1;
    }
    if (fed < 0) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status)) {
        snprintf(err, errlen, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        char name[SIGNALS_NAME_MAX];
        snprintf(err, errlen, "killed by %s", signals_name(WTERMSIG(status), name));
    } else {
        snprintf(err, errlen, "ended with wait status %d", status);
    }
    return -1;
}
