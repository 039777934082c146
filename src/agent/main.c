/*
 * main.c - mtamond: the AgentX subagent serving the mtamon counters as
 * NETWORK-SERVICES-MIB and MTA-MIB.
 *
 * Start-up order (each step may fail with a sysexits status, and nothing
 * after a failed step is done):
 *   options -> configuration (78) -> logging -> service manager's
 *   environment (service_status_init(): before any thread) ->
 *   user lookup (67) ->
 *   pidfile check (75) -> detach (unless -f) -> pidfile ->
 *   drop privileges (a warning when still root) -> group-index file:
 *   StrictModes check and reading (78) -> view cache -> collector threads -> alarms
 *   -> Net-SNMP subagent,
 *   first connection attempt -> READY=1 to systemd (service_status.h) ->
 *   serve until SIGTERM/SIGINT -> STOPPING=1.
 * Root writes nothing but the pidfile: the group-index file is read and
 * written by the daemon user only.  A failure after detaching reaches the
 * waiting foreground process as its exit status (daemon_ready()).
 * The signal handlers are installed first of all (signals.h): a signal
 * received during start-up is acted on once serving begins.  Every exit
 * after the options were read is logged with its status.
 */
#include "config.h"   /* from this directory: autoconf's, PACKAGE_VERSION */

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "agentx.h"
#include "alarms.h"
#include "daemon.h"
#include "exit_status.h"
#include "file_trust.h"
#include "index_map.h"
#include "log.h"
#include "mib.h"
#include "mtamon_config.h"
#include "service_status.h"
#include "signals.h"
#include "view.h"

/* The one place the default configuration file is named. */

struct options {
    const char *config;
    const char *pidfile;   /* NULL: daemon.pidfile of the configuration */
    int foreground;
    int to_stderr;
    int debug;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mtamond [-c FILE] [-f] [-e] [-d] [-p PIDFILE]\n"
            "  -c, --config FILE     configuration (default %s)\n"
            "  -f, --foreground      do not detach\n"
            "  -e, --stderr          log to stderr whatever the configuration says\n"
            "  -d, --debug           log debug messages too\n"
            "  -p, --pidfile FILE    pidfile (\"\" for none; default: daemon.pidfile)\n"
            "  -h, --help            this text\n"
            "  -V, --version         print the version\n",
            CONFIG_DEFAULT_PATH);
}

/* Returns -1 to go on, or the status to exit with. */
static int parse_options(int argc, char **argv, struct options *opt)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "foreground", no_argument, NULL, 'f' },
        { "stderr", no_argument, NULL, 'e' },
        { "debug", no_argument, NULL, 'd' },
        { "pidfile", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    memset(opt, 0, sizeof *opt);
    opt->config = CONFIG_DEFAULT_PATH;
    int c;
    opterr = 0;   /* our messages say "mtamond:", not the libtool path */
    while ((c = getopt_long(argc, argv, ":c:fedp:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': opt->config = optarg; break;
        case 'f': opt->foreground = 1; break;
        case 'e': opt->to_stderr = 1; break;
        case 'd': opt->debug = 1; break;
        case 'p': opt->pidfile = optarg; break;
        case 'h': usage(stdout); return EX_OK;
        case 'V': printf("mtamond %s\n", PACKAGE_VERSION); return EX_OK;
        case ':':
            fprintf(stderr, "mtamond: option '%s' needs an argument\n",
                    argv[optind - 1]);
            usage(stderr);
            return EX_USAGE;
        default:
            fprintf(stderr, "mtamond: unknown option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return EX_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mtamond: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return EX_USAGE;
    }
    return -1;
}

/* Everything main() owns, released by cleanup() in reverse order. */
struct state {
    struct options opt;
    struct config *conf;
    struct index_map *map;
    collector *coll;
    view_cache *vc;
    alarms *alarms;
    int agent_started;
    int detached;
    struct daemon_pidfile *pidfile;
    enum config_log_target log_target;
};

/* A start-up failure: logged and, while the terminal is still ours and the
 * log goes to syslog, printed there too.  Tells a waiting parent. */
static int fail(struct state *st, int status, const char *what,
                const char *detail)
{
    log_msg(LOG_ERR, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
    if (!st->detached && st->log_target != CONFIG_LOG_STDERR)
        fprintf(stderr, "mtamond: %s%s%s\n", what, detail ? ": " : "",
                detail ? detail : "");
    daemon_ready(status);
    return status;
}

static void cleanup(struct state *st)
{
    char err[256];
    if (st->agent_started)
        agentx_stop();
    /* After the session is closed: the notifications it still had are
     * counted failed by then. */
    mib_mtamon_set_alarms(NULL);
    alarms_free(st->alarms);
    service_status_close();
    if (st->map && index_map_flush(st->map, err, sizeof err) != 0)
        log_msg(LOG_WARNING, "%s", err);
    if (daemon_pidfile_remove(st->pidfile, err, sizeof err) != 0)
        log_msg(LOG_WARNING, "%s", err);
    collector_free(st->coll);
    view_cache_free(st->vc);
    index_map_free(st->map);
    config_free(st->conf);
    log_close();
}

/* mtamonAlarmNotificationsPending's source (mib_mtamon_set_alarm_pending). */
static unsigned pending_of(const void *a)
{
    return alarms_pending(a);
}

/* The view's source of the collectors' results (view_collect_fn). */
static int copy_collected(void *coll, struct collector_snapshot *out)
{
    return collector_snapshot(coll, out);
}

/* The pidfile: --pidfile, else daemon.pidfile ("" for none). */
static const char *pidfile_path(const struct state *st)
{
    return st->opt.pidfile ? st->opt.pidfile : st->conf->pidfile;
}

/* The start as a daemon: the identity to run as and segment.owner looked
 * up, the pidfile checked, detached, the pidfile written and root given
 * up.  EX_OK, or the failure's status (logged). */
static int become_daemon(struct state *st, uid_t *owner_uid)
{
    char err[CONFIG_ERROR_MAX];
    const struct options *opt = &st->opt;
    const struct config *conf = st->conf;
    struct daemon_identity id;
    int rc = daemon_identity_lookup(conf->user, conf->group, &id, err,
                                    sizeof err);
    if (rc != 0)
        return fail(st, rc, "cannot drop privileges", err);
    /* segment.owner: looked up now, while a bad name can still stop the
     * start in the foreground. */
    *owner_uid = 0;
    if (conf->segment_owner[0]) {
        const struct passwd *pw = getpwnam(conf->segment_owner);
        if (!pw)
            return fail(st, EX_NOUSER, "unknown segment.owner user",
                        conf->segment_owner);
        *owner_uid = pw->pw_uid;
    }
    const char *pidpath = pidfile_path(st);
    /* Refuse before connecting to the master if an instance runs. */
    if (pidpath[0] && (rc = daemon_pidfile_check(pidpath, err, sizeof err)))
        return fail(st, rc, err, NULL);

    if (!opt->foreground) {
        rc = daemon_detach(st->log_target == CONFIG_LOG_STDERR, err, sizeof err);
        if (rc != 0)
            return fail(st, rc, err, NULL);
        st->detached = 1;
    }
    if (pidpath[0] &&
        (rc = daemon_pidfile_create(pidpath, &st->pidfile, err, sizeof err)))
        return fail(st, rc, err, NULL);
    /* The pidfile (in /run) is the last thing done as root: the
     * group-index file lives in a directory the daemon user owns, where
     * root must neither read nor write. */
    if ((rc = daemon_drop_privileges(&id, err, sizeof err)) != 0)
        return fail(st, rc, err, NULL);
    if (id.change)
        log_msg(LOG_INFO, "running as user %s (uid %ld, gid %ld)", id.name,
                (long)id.uid, (long)id.gid);
    else if (conf->user[0] && geteuid() != 0)
        log_msg(LOG_DEBUG, "not started as root: daemon.user %s ignored",
                conf->user);
    if (geteuid() == 0)
        log_msg(LOG_WARNING, "running as root with every privilege: "
                             "daemon.user is %s%s%s; set it to an "
                             "unprivileged user such as mtamon",
                conf->user[0] ? "'" : "empty", conf->user,
                conf->user[0] ? "'" : "");
    return EX_OK;
}

/* What serves the requests, as the daemon user: the group-index map, the
 * view, the collectors (threads: after detaching, since threads do not
 * survive fork()) and the alarms.  EX_OK, or the failure's status. */
static int build_sources(struct state *st, uid_t owner_uid)
{
    char err[CONFIG_ERROR_MAX];
    const struct config *conf = st->conf;
    const char *index_file = conf->index_file[0] ? conf->index_file : NULL;
    if (index_file &&
        file_trust_check(index_file, geteuid(), err, sizeof err) != 0)
        return fail(st, EX_CONFIG, "unsafe daemon.index_file", err);
    st->map = index_map_open(index_file, conf, err, sizeof err);
    if (!st->map)
        return fail(st, EX_CONFIG, err, NULL);
    st->vc = view_cache_new(conf, st->map);
    if (!st->vc)
        return fail(st, EX_OSERR, "out of memory", NULL);
    if (conf->segment_owner[0])
        view_cache_trust_owner(st->vc, owner_uid);
    st->coll = collector_new(conf, "/proc");
    if (!st->coll)
        return fail(st, EX_OSERR, "out of memory", NULL);
    if (collector_start(st->coll, err, sizeof err) != 0)
        return fail(st, EX_OSERR, err, NULL);
    view_cache_set_collector(st->vc, copy_collected, st->coll);
    st->alarms = alarms_new(conf, st->vc, err, sizeof err);
    if (!st->alarms)
        return fail(st, EX_OSERR, err, NULL);
    /* mtamonAlarms only with alarms: without, mtamond serves what
     * mtamon.so serves (no alarm objects). */
    if (conf->n_alarms) {
        mib_mtamon_set_alarms(alarms_engine(st->alarms));
        mib_mtamon_set_alarm_pending(pending_of, st->alarms);
    }
    return EX_OK;
}

static int run(struct state *st)
{
    char err[CONFIG_ERROR_MAX];
    const struct options *opt = &st->opt;

    if (config_load(opt->config, &st->conf, err, sizeof err) != 0) {
        fprintf(stderr, "mtamond: %s\n", err);
        return EX_CONFIG;
    }
    const struct config *conf = st->conf;
    st->log_target = opt->to_stderr ? CONFIG_LOG_STDERR : conf->log;
    log_open("mtamond", st->log_target, conf->syslog_facility,
             opt->debug ? LOG_DEBUG : LOG_INFO);
    log_msg(LOG_INFO, "mtamond %s starting: config %s, segment %s, "
            "AgentX socket %s, ping interval %u s, timeout %u ms, retries %u",
            PACKAGE_VERSION, conf->path, conf->segment,
            agentx_socket_name(conf), conf->ping_interval_s, conf->timeout_ms,
            conf->retries);
    service_status_init(conf, opt->foreground);

    uid_t owner_uid = 0;
    int rc = become_daemon(st, &owner_uid);
    if (rc != EX_OK)
        return rc;
    if ((rc = build_sources(st, owner_uid)) != EX_OK)
        return rc;

    rc = agentx_start(conf, st->vc);
    st->agent_started = 1;
    if (rc != 0)
        return fail(st, rc, "cannot start the AgentX subagent", NULL);
    if (alarms_start(st->alarms, err, sizeof err) != 0)
        return fail(st, EX_SOFTWARE, err, NULL);

    daemon_ready(EX_OK);
    log_msg(LOG_INFO, "ready: pid %ld%s%s", (long)getpid(),
            st->pidfile ? ", pidfile " : "", st->pidfile ? pidfile_path(st) : "");
    service_status_ready(st->vc);

    agentx_run(service_status_turn, NULL);
    char name[SIGNALS_NAME_MAX];
    log_msg(LOG_NOTICE, "stopping on %s",
            signals_name(signals_stop_requested(), name));
    service_status_stopping();
    return EX_OK;
}

/* The last line of every run: why mtamond ends, with its exit status. */
static void log_exit(int status)
{
    log_msg(status == EX_OK ? LOG_NOTICE : LOG_ERR,
            "exiting with status %d (%s)", status, exit_status_name(status));
}

int main(int argc, char **argv)
{
    /* First of all: no signal may end the daemon unlogged, not even
     * during the first connection attempt (which may wait timeout x
     * tries for a stalled master); a SIGPIPE from a master that goes away
     * is ignored. */
    if (signals_init() != 0) {
        fprintf(stderr, "mtamond: cannot install signal handlers: %s\n",
                strerror(errno));
        return EX_OSERR;
    }

    struct state st;
    memset(&st, 0, sizeof st);
    st.log_target = CONFIG_LOG_STDERR;
    int rc = parse_options(argc, argv, &st.opt);
    if (rc >= 0)
        return rc;
    rc = run(&st);
    log_exit(rc);
    cleanup(&st);
    return rc;
}
