/*
 * config_env.c - what mtamond needs from this machine at start (see
 * config_env.h).
 */
#include "config_env.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <net-snmp/net-snmp-config.h>   /* NETSNMP_AGENTX_SOCKET, as mtamond's */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sysexits.h>
#include <unistd.h>

#include "atomic_file.h"
#include "daemon_identity.h"
#include "file_trust.h"
#include "mtamon.h"
#include "segment_trust.h"

/* What one run of the checks knows. */
struct env {
    const struct config *conf;
    config_env_report_fn *report;
    void *ctx;
    struct daemon_identity_creds start;  /* who starts mtamond: this process */
    struct daemon_identity_creds run;    /* who it runs as after the switch */
    int run_known;                       /* 0: daemon.user/group unknown */
};

__attribute__((format(printf, 4, 5)))
static void finding(struct env *e, enum config_env_severity sev,
                    const char *key, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    e->report(e->ctx, sev, key, what);
}

/* "user mtamon (uid 108)", or "uid 4321" for a uid without a name. */
static const char *who(const struct daemon_identity_creds *c, char *buf,
                       size_t len)
{
    if (strncmp(c->name, "uid ", 4) == 0)
        snprintf(buf, len, "%s", c->name);
    else
        snprintf(buf, len, "user %s (uid %ld)", c->name, (long)c->uid);
    return buf;
}

/* "owner root, group mail, mode 0750" of @p st. */
static const char *owner_text(const struct stat *st, char *buf, size_t len)
{
    const struct passwd *pw = getpwuid(st->st_uid);
    const struct group *gr = getgrgid(st->st_gid);
    char u[32], g[32];
    snprintf(u, sizeof u, "%ld", (long)st->st_uid);
    snprintf(g, sizeof g, "%ld", (long)st->st_gid);
    snprintf(buf, len, "owner %s, group %s, mode %04o", pw ? pw->pw_name : u,
             gr ? gr->gr_name : g, (unsigned)(st->st_mode & 07777));
    return buf;
}

/*
 * Can @p c (NULL: only whether it exists) use directory @p dir: it exists,
 * is a directory, every directory on the way is searchable, and, with
 * @p write, @p c may create files in it on a file system mounted
 * read-write.  0, or -1 with why not in @p why.
 */
static int dir_usable(const struct daemon_identity_creds *c, const char *dir,
                      int write, char *why, size_t len)
{
    struct stat st;
    char owner[128], name[96];
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT)
            snprintf(why, len, "directory %s does not exist", dir);
        else
            snprintf(why, len, "directory %s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, len, "%s is not a directory", dir);
        return -1;
    }
    if (!c)
        return 0;
    /* Every directory from the root down must let c through (search). */
    if (dir[0] == '/') {
        char part[PATH_MAX];
        snprintf(part, sizeof part, "%s", dir);
        for (char *slash = part; slash; slash = strchr(slash + 1, '/')) {
            char keep = slash[1];
            slash[1] = '\0';   /* "/", "/var/", "/var/lib/"... */
            struct stat up;
            int ok = stat(part, &up) != 0 || daemon_identity_may(c, &up, X_OK);
            if (!ok) {
                snprintf(why, len, "directory %s (%s) is not searchable by %s",
                         part, owner_text(&up, owner, sizeof owner),
                         who(c, name, sizeof name));
                return -1;
            }
            slash[1] = keep;
        }
    }
    int want = write ? (W_OK | X_OK) : X_OK;
    if (!daemon_identity_may(c, &st, want)) {
        snprintf(why, len, "directory %s (%s) is not %s by %s", dir,
                 owner_text(&st, owner, sizeof owner),
                 write ? "writable" : "searchable", who(c, name, sizeof name));
        return -1;
    }
    struct statvfs vfs;
    if (write && statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
        snprintf(why, len, "directory %s is on a file system mounted read-only",
                 dir);
        return -1;
    }
    return 0;
}

/* A relative path: resolved against "/" once mtamond detaches. */
static void check_absolute(struct env *e, const char *key, const char *path)
{
    if (path[0] != '/')
        finding(e, CONFIG_ENV_WARNING, key,
                "%s is a relative path: mtamond resolves it against / once it "
                "detaches (against its working directory with -f)", path);
}

/* --- daemon.user, daemon.group, segment.owner ----------------------------- */

static void check_identity(struct env *e)
{
    const struct config *conf = e->conf;
    char err[256], started[96];
    if (daemon_identity_creds(&(struct daemon_identity){0}, &e->start, err,
                              sizeof err) != 0) {
        finding(e, CONFIG_ENV_ERROR, "daemon.user", "%s", err);
        return;
    }
    struct daemon_identity id;
    int rc = daemon_identity_lookup(conf->user, "", &id, err, sizeof err);
    if (rc != 0) {
        finding(e, CONFIG_ENV_ERROR, "daemon.user",
                "%s on this system: mtamond would exit with status %d (EX_NOUSER)",
                err, rc);
        return;
    }
    if (!conf->user[0] && conf->group[0])
        finding(e, CONFIG_ENV_WARNING, "daemon.group",
                "'%s' is ignored: daemon.user is empty", conf->group);
    rc = daemon_identity_lookup(conf->user, conf->group, &id, err, sizeof err);
    if (rc != 0) {
        finding(e, CONFIG_ENV_ERROR, "daemon.group",
                "%s on this system: mtamond would exit with status %d (EX_NOUSER)",
                err, rc);
        return;
    }
    if (daemon_identity_creds(&id, &e->run, err, sizeof err) != 0) {
        finding(e, CONFIG_ENV_ERROR, "daemon.user", "%s", err);
        return;
    }
    e->run_known = 1;
    if (e->start.uid == 0 && e->run.uid == 0)
        finding(e, CONFIG_ENV_WARNING, "daemon.user",
                "%s: mtamond started as root keeps every privilege; set it to "
                "an unprivileged user such as mtamon",
                conf->user[0] ? "is root" : "is empty");
    else if (conf->user[0] && e->start.uid != 0 && id.uid != e->start.uid)
        finding(e, CONFIG_ENV_WARNING, "daemon.user",
                "mtamond switches to '%s' only when started as root: checked "
                "for %s, who runs check-config; run it as root to check for '%s'",
                conf->user, who(&e->start, started, sizeof started), conf->user);
}

static void check_segment_owner(struct env *e)
{
    const char *owner = e->conf->segment_owner;
    if (!owner[0])
        return;
    errno = 0;
    if (!getpwnam(owner))
        finding(e, CONFIG_ENV_ERROR, "segment.owner",
                "unknown user '%s' on this system: mtamond would exit with "
                "status %d (EX_NOUSER)", owner, EX_NOUSER);
}

/* --- daemon.pidfile ----------------------------------------------------- */

/* Written by whoever starts mtamond, before it drops root. */
static void check_pidfile(struct env *e)
{
    const char *path = e->conf->pidfile;
    if (!path[0])
        return;
    check_absolute(e, "daemon.pidfile", path);
    char dir[PATH_MAX], why[PATH_MAX + 256];
    if (atomic_file_dir_of(path, dir, sizeof dir) != 0) {
        finding(e, CONFIG_ENV_ERROR, "daemon.pidfile", "%.200s...: name too long",
                path);
        return;
    }
    if (dir_usable(&e->start, dir, 1, why, sizeof why) != 0) {
        finding(e, CONFIG_ENV_ERROR, "daemon.pidfile",
                "%s: mtamond cannot create %s and would exit with status %d "
                "(EX_CANTCREAT)", why, path, EX_CANTCREAT);
        return;
    }
    struct stat st;
    const char *bad = atomic_file_not_regular(path, &st);
    if (!bad && st.st_mode && st.st_nlink != 1)
        bad = "has more than one link";
    if (!bad && st.st_mode && !daemon_identity_may(&e->start, &st, R_OK | W_OK)) {
        char name[96], owner[128];
        snprintf(why, sizeof why, "is not writable by %s (%s)",
                 who(&e->start, name, sizeof name),
                 owner_text(&st, owner, sizeof owner));
        bad = why;
    }
    if (bad)
        finding(e, CONFIG_ENV_ERROR, "daemon.pidfile",
                "%s %s: mtamond would exit with status %d (EX_CANTCREAT)", path,
                bad, EX_CANTCREAT);
}

/* --- daemon.index_file -------------------------------------------------- */

/* Read at start and rewritten in its directory (atomic_file_write()) by
 * the daemon user. */
static void check_index_file(struct env *e)
{
    const char *path = e->conf->index_file;
    const char *key = "daemon.index_file";
    check_absolute(e, key, path);
    char dir[PATH_MAX], why[PATH_MAX + 256];
    if (atomic_file_dir_of(path, dir, sizeof dir) != 0) {
        finding(e, CONFIG_ENV_ERROR, key, "%.200s...: name too long", path);
        return;
    }
    const struct daemon_identity_creds *c = e->run_known ? &e->run : NULL;
    if (dir_usable(c, dir, 1, why, sizeof why) != 0) {
        finding(e, CONFIG_ENV_ERROR, key,
                "%s: mtamond could not keep %s, and mtaGroupIndex values would "
                "change at its next start", why, path);
        return;
    }
    if (!c)
        return;
    /* mtamond's own StrictModes check, for the user it runs as. */
    char err[PATH_MAX + 256];
    if (file_trust_check(path, c->uid, err, sizeof err) != 0) {
        finding(e, CONFIG_ENV_ERROR, key,
                "%s: mtamond would refuse it and exit with status %d (EX_CONFIG)",
                err, EX_CONFIG);
        return;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && !daemon_identity_may(c, &st, R_OK)) {
        char name[96], owner[128];
        finding(e, CONFIG_ENV_ERROR, key,
                "file %s (%s) is not readable by %s: mtamond would exit with "
                "status %d (EX_CONFIG)", path, owner_text(&st, owner, sizeof owner),
                who(c, name, sizeof name), EX_CONFIG);
    }
}

/* --- segment.name ------------------------------------------------------- */

static void check_segment(struct env *e)
{
    const struct config *conf = e->conf;
    const char *seg = mtamon_segment_name(conf->segment[0] ? conf->segment : NULL);
    const char *key = "segment.name";
    struct mtamon_error err = {MTAMON_OK, ""};
    mtamon_reader *r = mtamon_reader_open_flags(seg, MTAMON_READER_NOWAIT, &err);
    if (!r) {
        if (err.code == MTAMON_ERR_NOENT)
            finding(e, CONFIG_ENV_WARNING, key,
                    "segment %s does not exist yet: mtamond serves the MTA as "
                    "down until it is created (mtamon counters create, or the "
                    "MTA's first write)", seg);
        else
            finding(e, CONFIG_ENV_WARNING, key,
                    "segment %s: %s: mtamond serves the MTA as down", seg,
                    err.message[0] ? err.message : mtamon_strerror(err.code));
        return;
    }
    struct mtamon_owner o;
    mtamon_reader_owner(r, &o);
    mtamon_reader_close(r);
    if (!e->run_known)
        return;
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_uid = o.uid;
    st.st_gid = o.gid;
    st.st_mode = S_IFREG | o.mode;
    if (!daemon_identity_may(&e->run, &st, R_OK)) {
        char name[96], owner[128];
        finding(e, CONFIG_ENV_WARNING, key,
                "segment %s (%s) is not readable by %s: mtamond serves the "
                "MTA as down (create it with --group %s, or set daemon.group)",
                seg, owner_text(&st, owner, sizeof owner),
                who(&e->run, name, sizeof name),
                conf->group[0] ? conf->group : "GROUP");
        return;
    }
    if (conf->trust_any_owner)
        return;
    char why[MTAMON_ERROR_MAX];
    const struct passwd *pw = conf->segment_owner[0] ? getpwnam(conf->segment_owner)
                                                      : NULL;
    if (!segment_trust_check(&o, e->run.uid, pw != NULL, pw ? pw->pw_uid : 0, why,
                             sizeof why))
        finding(e, CONFIG_ENV_WARNING, key,
                "segment %s: %s: mtamond will not serve it (see segment.owner)",
                seg, why);
}

/* --- agentx.socket ------------------------------------------------------ */

static void check_agentx(struct env *e)
{
    const struct config *conf = e->conf;
    const char *sock = conf->agentx_socket[0] ? conf->agentx_socket
                                              : NETSNMP_AGENTX_SOCKET;
    const char *key = "agentx.socket";
    const char *path = strncmp(sock, "unix:", 5) == 0 ? sock + 5 : sock;
    if (path[0] != '/')
        return;   /* tcp:HOST:PORT and the like: nothing to see here */
    char dir[PATH_MAX], why[PATH_MAX + 256], name[96], owner[128];
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            finding(e, CONFIG_ENV_WARNING, key,
                    "no AgentX socket %s yet: mtamond retries every %u s until "
                    "the master agent creates it (snmpd.conf: master agentx)",
                    path, conf->ping_interval_s);
        else
            finding(e, CONFIG_ENV_WARNING, key, "AgentX socket %s: %s", path,
                    strerror(errno));
        return;
    }
    if (!S_ISSOCK(st.st_mode)) {
        finding(e, CONFIG_ENV_WARNING, key,
                "%s is not a socket: mtamond cannot reach the master there", path);
        return;
    }
    if (!e->run_known || atomic_file_dir_of(path, dir, sizeof dir) != 0)
        return;
    const char *hint = "snmpd.conf: agentXPerms SOCKPERMS DIRPERMS USER GROUP";
    if (dir_usable(&e->run, dir, 0, why, sizeof why) != 0)
        finding(e, CONFIG_ENV_WARNING, key,
                "%s: mtamond cannot reach the AgentX socket %s (%s)", why, path,
                hint);
    else if (!daemon_identity_may(&e->run, &st, W_OK))
        finding(e, CONFIG_ENV_WARNING, key,
                "AgentX socket %s (%s) is not writable by %s: mtamond cannot "
                "connect to the master (%s)", path,
                owner_text(&st, owner, sizeof owner),
                who(&e->run, name, sizeof name), hint);
}

void config_env_check(const struct config *conf, config_env_report_fn *report,
                      void *ctx)
{
    struct env e;
    memset(&e, 0, sizeof e);
    e.conf = conf;
    e.report = report;
    e.ctx = ctx;
    /* mtamond's order: user lookup, segment.owner, pidfile (as the
     * starting user), then as the daemon user the group-index file, the
     * segment and the master. */
    check_identity(&e);
    check_segment_owner(&e);
    check_pidfile(&e);
    check_index_file(&e);
    check_segment(&e);
    check_agentx(&e);
}
