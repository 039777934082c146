/*
 * daemon.c - detaching, pidfile, dropping root (see daemon.h).
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

/* --- detaching ------------------------------------------------------------ */

/* Write end of the pipe to the process waiting in daemon_detach(). */
static int ready_fd = -1;

/* The waiting side: exit with the status the daemon reports. */
_Noreturn static void wait_for_daemon(int fd, pid_t child)
{
    unsigned char status = EX_SOFTWARE;
    ssize_t n;
    do
        n = read(fd, &status, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1)
        status = EX_SOFTWARE;   /* died before it could say anything */
    /* Reap the intermediate child (it exits right after its fork). */
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    _exit(status);   /* not exit(): no atexit handler of the libraries */
}

static int redirect_stdio(int keep_stderr)
{
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0)
        return -1;
    int ok = dup2(fd, STDIN_FILENO) >= 0 && dup2(fd, STDOUT_FILENO) >= 0 &&
             (keep_stderr || dup2(fd, STDERR_FILENO) >= 0);
    if (fd > STDERR_FILENO)
        close(fd);
    return ok ? 0 : -1;
}

int daemon_detach(int keep_stderr, char *err, size_t errlen)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return EX_OSERR;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot fork: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return EX_OSERR;
    }
    if (pid > 0) {
        close(pfd[1]);
        wait_for_daemon(pfd[0], pid);
    }

    /* First child: a new session without a controlling terminal, then fork
     * again so the daemon is not a session leader and can never acquire
     * one.  Failures here can only be reported through the pipe. */
    close(pfd[0]);
    unsigned char status = EX_OSERR;
    if (setsid() < 0) {
        (void)!write(pfd[1], &status, 1);
        _exit(EX_OSERR);
    }
    pid = fork();
    if (pid < 0) {
        (void)!write(pfd[1], &status, 1);
        _exit(EX_OSERR);
    }
    if (pid > 0)
        _exit(0);

    /* The daemon. */
    ready_fd = pfd[1];
    if (chdir("/") < 0 || redirect_stdio(keep_stderr) < 0) {
        snprintf(err, errlen, "cannot detach: %s", strerror(errno));
        daemon_ready(EX_OSERR);
        return EX_OSERR;
    }
    return 0;
}

void daemon_ready(int status)
{
    if (ready_fd < 0)
        return;
    unsigned char s = (unsigned char)status;
    ssize_t n;
    do
        n = write(ready_fd, &s, 1);
    while (n < 0 && errno == EINTR);
    close(ready_fd);
    ready_fd = -1;
}

/* --- pidfile ------------------------------------------------------------- */

struct daemon_pidfile {
    int fd;
    pid_t owner;        /* only the process that wrote it removes it */
    char path[];
};

/* The pid written in the file open on @p fd, or 0. */
static long pidfile_read_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *end;
    long pid = strtol(buf, &end, 10);
    return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

static int pidfile_held(int fd, const char *path, char *err, size_t errlen)
{
    long pid = pidfile_read_pid(fd);
    if (pid > 0)
        snprintf(err, errlen, "already running (pid %ld, pidfile %s)", pid,
                 path);
    else
        snprintf(err, errlen, "already running (pidfile %s is locked)", path);
    return EX_TEMPFAIL;
}

int daemon_pidfile_check(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "cannot open pidfile %s: %s", path,
                 strerror(errno));
        return EX_CANTCREAT;
    }
    int rc = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            rc = pidfile_held(fd, path, err, errlen);
        else {
            snprintf(err, errlen, "cannot lock pidfile %s: %s", path,
                     strerror(errno));
            rc = EX_OSERR;
        }
    }
    close(fd);   /* also releases the shared lock */
    return rc;
}

int daemon_pidfile_create(const char *path, struct daemon_pidfile **out,
                          char *err, size_t errlen)
{
    *out = NULL;
    size_t len = strlen(path);
    struct daemon_pidfile *pf = malloc(sizeof *pf + len + 1);
    if (!pf) {
        snprintf(err, errlen, "out of memory");
        return EX_OSERR;
    }
    memcpy(pf->path, path, len + 1);
    pf->owner = getpid();
    pf->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (pf->fd < 0) {
        snprintf(err, errlen, "cannot create pidfile %s: %s", path,
                 strerror(errno));
        free(pf);
        return EX_CANTCREAT;
    }
    /* Written as root and truncated below: never another file's content
     * (a hard link planted in a directory someone else owns), never a
     * device or a FIFO. */
    struct stat st;
    if (fstat(pf->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
        snprintf(err, errlen, "cannot create pidfile %s: not a regular file "
                              "with a single link", path);
        close(pf->fd);
        free(pf);
        return EX_CANTCREAT;
    }
    if (flock(pf->fd, LOCK_EX | LOCK_NB) < 0) {
        int rc = errno == EWOULDBLOCK
                     ? pidfile_held(pf->fd, path, err, errlen)
                     : (snprintf(err, errlen, "cannot lock pidfile %s: %s",
                                 path, strerror(errno)),
                        EX_OSERR);
        close(pf->fd);
        free(pf);
        return rc;
    }
    /* Ours now: whatever it held was stale. */
    char text[32];
    int n = snprintf(text, sizeof text, "%ld\n", (long)pf->owner);
    if (ftruncate(pf->fd, 0) < 0 || pwrite(pf->fd, text, (size_t)n, 0) != n) {
        snprintf(err, errlen, "cannot write pidfile %s: %s", path,
                 strerror(errno));
        unlink(path);
        close(pf->fd);
        free(pf);
        return EX_CANTCREAT;
    }
    *out = pf;
    return 0;
}

int daemon_pidfile_remove(struct daemon_pidfile *pf, char *err, size_t errlen)
{
    if (!pf)
        return 0;
    int rc = 0;
    /* Unlink while still holding the lock, so no new instance can lock
     * the file we are about to remove. */
    if (pf->owner == getpid() && unlink(pf->path) < 0 && errno != ENOENT) {
        snprintf(err, errlen, "cannot remove pidfile %s: %s", pf->path,
                 strerror(errno));
        rc = -1;
    }
    close(pf->fd);
    free(pf);
    return rc;
}

/* --- privileges ---------------------------------------------------------- */

int daemon_drop_privileges(const struct daemon_identity *id,
                           char *err, size_t errlen)
{
    if (!id->change)
        return 0;
    /* Groups first: after setuid() we could no longer change them. */
    if (initgroups(id->name, id->gid) < 0 || setgid(id->gid) < 0 ||
        setuid(id->uid) < 0) {
        snprintf(err, errlen, "cannot switch to user %s (uid %ld, gid %ld): %s",
                 id->name, (long)id->uid, (long)id->gid, strerror(errno));
        return EX_OSERR;
    }
    if (getuid() != id->uid || geteuid() != id->uid ||
        getgid() != id->gid || getegid() != id->gid ||
        (id->uid != 0 && setuid(0) == 0)) {
        snprintf(err, errlen, "switching to user %s did not take effect",
                 id->name);
        return EX_OSERR;
    }
    return 0;
}
