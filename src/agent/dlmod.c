/*
 * dlmod.c - mtamon.so: the MIB modules of mtamond (mib_*.c over the view),
 * loaded into snmpd itself by its dlmod directive, with no AgentX hop:
 *
 *     dlmod mtamon /usr/lib/x86_64-linux-gnu/snmp/dlmod/mtamon.so
 *     mtamonConfig /etc/mtamon/mtamon.yaml      (after the dlmod line)
 *
 * Net-SNMP's dlmod calls init_NAME() after dlopen() and deinit_NAME() (or,
 * if there is none, shutdown_NAME()) before dlclose(), NAME being the
 * dlmod line's first word: these three names are that protocol's, not
 * this file's.  snmpd unloads and reloads every module when it re-reads
 * its configuration (SIGHUP), so a reload is a deinit_ and a fresh
 * init_: mtamon.yaml and the group-index file are read again then.
 *
 * The life of the module:
 *   init_mtamon      registers the mtamonConfig token and two callbacks;
 *                    nothing else (the token's line comes after ours)
 *   POST_READ_CONFIG snmpd has read its configuration: load mtamon.yaml,
 *                    the group-index file, and register the tables.  A
 *                    bad configuration is logged through snmp_log() and
 *                    the module serves nothing until it is fixed and
 *                    snmpd reloads (kill -HUP)
 *   requests         the tables' handlers (oid_table.c) take the current
 *                    view: rebuilt from the segment at most once per
 *                    agentx.refresh_interval, never waiting for anything
 *   an alarm         every second, writes the group-index file if new
 *                    channels were given indexes (never while a request
 *                    waits)
 *   deinit_mtamon    unregister the tables, write the index file, free
 *                    everything; the token and the callback go too, so
 *                    nothing of the module is left for dlclose() to pull
 *                    from under snmpd.  snmpd calls it on a reload and
 *                    when it stops (shutdown_dlmod() unloads every
 *                    module), so the module needs no SHUTDOWN callback:
 *                    one would have to be unregistered from inside
 *                    snmpd's call of the SHUTDOWN callbacks, which Net-SNMP
 *                    resolves only after a 100 ms lock timeout and an
 *                    assertion message.
 *
 * Inside snmpd the module is stricter than mtamond: it never exits,
 * aborts, installs a signal handler, forks or starts a thread, and runs
 * no collector (queues, partitions, connections, processes: their tables
 * are empty here; they need mtamond).  Its messages go through
 * snmp_log() (log_snmp.c).
 */
#include "config.h"   /* from this directory: autoconf's, PACKAGE_VERSION */

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "file_trust.h"
#include "index_map.h"
#include "log.h"
#include "mib.h"
#include "mtamon_config.h"
#include "view.h"

/* The snmpd.conf token naming mtamon.yaml, and its default. */
#define MTAMON_DLMOD_TOKEN "mtamonConfig"

/* Net-SNMP's dlmod protocol (see the top of the file). */
void init_mtamon(void);
void deinit_mtamon(void);
void shutdown_mtamon(void);

/* Everything the module holds; all of it is released by stop(). */
static struct {
    char *config_path;        /* mtamonConfig; NULL: the default */
    struct config *conf;
    struct index_map *map;
    view_cache *vc;
    int registered;           /* the tables are registered */
    unsigned flush_alarm;     /* snmp_alarm id, 0 = none */
} mod;

static const char *config_path(void)
{
    return mod.config_path ? mod.config_path : CONFIG_DEFAULT_PATH;
}

/* --- the mtamonConfig token -------------------------------------------------- */

static void parse_config_token(const char *token, char *line)
{
    (void)token;
    char *end = line ? line + strlen(line) : NULL;
    while (end && end > line && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    if (!line || !line[0]) {
        config_perror(MTAMON_DLMOD_TOKEN " needs the path of mtamon.yaml");
        return;
    }
    char *copy = strdup(line);
    if (!copy) {
        config_perror("out of memory");
        return;
    }
    free(mod.config_path);
    mod.config_path = copy;
}

/* Before snmpd re-reads its files: back to the default. */
static void free_config_token(void)
{
    free(mod.config_path);
    mod.config_path = NULL;
}

/* --- serving ------------------------------------------------------------------ */

/* Write the group-index file off the request path (snmp_alarm). */
static void flush_alarm(unsigned int reg, void *arg)
{
    (void)reg;
    (void)arg;
    if (mod.vc)
        (void)view_cache_flush_index(mod.vc);
}

/* Stop serving and free everything but the token and the callbacks. */
static void stop(void)
{
    if (mod.flush_alarm) {
        snmp_alarm_unregister(mod.flush_alarm);
        mod.flush_alarm = 0;
    }
    if (mod.registered) {
        mib_unregister_all();
        mod.registered = 0;
    }
    if (mod.vc)
        (void)view_cache_flush_index(mod.vc);
    view_cache_free(mod.vc);
    mod.vc = NULL;
    index_map_free(mod.map);
    mod.map = NULL;
    config_free(mod.conf);
    mod.conf = NULL;
}

/*
 * Is @p path a group-index file the module may read?  Like mtamond, it
 * must be in the hands of root and of the user who maintains it: here
 * snmpd's user, or daemon.user (mtamond's account, when mtamond kept the
 * file before).  0, or -1 with why in @p err.
 */
static int index_file_trusted(const char *path, const struct config *conf,
                              char *err, size_t errlen)
{
    if (file_trust_check(path, geteuid(), err, errlen) == 0)
        return 0;
    if (conf->user && conf->user[0]) {
        const struct passwd *pw = getpwnam(conf->user);
        char err2[CONFIG_ERROR_MAX];
        if (pw && file_trust_check(path, pw->pw_uid, err2, sizeof err2) == 0)
            return 0;
    }
    return -1;
}

/* The group-index map: the file's, or, when the file exists but cannot
 * be read by snmpd's user, one in memory (logged).  NULL after logging
 * why nothing can be served. */
static struct index_map *open_index_map(const struct config *conf)
{
    char err[CONFIG_ERROR_MAX];
    const char *path = conf->index_file && conf->index_file[0] ? conf->index_file
                                                               : NULL;
    if (path && index_file_trusted(path, conf, err, sizeof err) != 0) {
        log_msg(LOG_ERR, "unsafe daemon.index_file: %s; serving nothing", err);
        return NULL;
    }
    if (path && access(path, R_OK) != 0 && errno != ENOENT) {
        log_msg(LOG_WARNING, "daemon.index_file %s: cannot be read by snmpd's "
                             "user (uid %ld): %s; mtaGroupIndex values are kept "
                             "in memory and may differ from mtamond's",
                path, (long)geteuid(), strerror(errno));
        path = NULL;
    }
    struct index_map *map = index_map_open(path, conf, err, sizeof err);
    if (!map)
        log_msg(LOG_ERR, "%s; serving nothing", err);
    return map;
}

/* Load the configuration and register the tables; on any failure, log it
 * and serve nothing. */
static void start(void)
{
    char err[CONFIG_ERROR_MAX];
    stop();
    if (config_load(config_path(), &mod.conf, err, sizeof err) != 0) {
        log_msg(LOG_ERR, "%s; serving nothing until it is fixed and snmpd "
                         "reloads its configuration", err);
        mod.conf = NULL;
        return;
    }
    const struct config *conf = mod.conf;
    uid_t owner_uid = 0;
    if (conf->segment_owner && conf->segment_owner[0]) {
        const struct passwd *pw = getpwnam(conf->segment_owner);
        if (!pw) {
            log_msg(LOG_ERR, "%s: unknown segment.owner user %s; serving nothing",
                    conf->path, conf->segment_owner);
            stop();
            return;
        }
        owner_uid = pw->pw_uid;
    }
    mod.map = open_index_map(conf);
    if (!mod.map) {
        stop();
        return;
    }
    mod.vc = view_cache_new(conf, mod.map);
    if (!mod.vc) {
        log_msg(LOG_ERR, "out of memory; serving nothing");
        stop();
        return;
    }
    if (conf->segment_owner && conf->segment_owner[0])
        view_cache_trust_owner(mod.vc, owner_uid);
    view_cache_defer_index_flush(mod.vc);
    if (mib_register_all(mod.vc) != 0) {
        log_msg(LOG_ERR, "serving nothing");
        stop();
        return;
    }
    mod.registered = 1;
    mod.flush_alarm = snmp_alarm_register(1, SA_REPEAT, flush_alarm, NULL);
    if (!mod.flush_alarm)
        log_msg(LOG_WARNING, "cannot schedule the group-index file's writes; "
                             "it is written when snmpd stops");
    log_msg(LOG_INFO, "mtamon.so %s serving: config %s, segment %s, "
                      "refresh interval %u ms (queue, partition, connection "
                      "and process tables need mtamond)",
            PACKAGE_VERSION, conf->path, conf->segment, conf->refresh_ms);
}

static int on_config_read(int major, int minor, void *server_arg, void *client_arg)
{
    (void)major;
    (void)minor;
    (void)server_arg;
    (void)client_arg;
    start();
    return SNMPERR_SUCCESS;
}

/* --- the dlmod entry points -------------------------------------------------- */

void init_mtamon(void)
{
    memset(&mod, 0, sizeof mod);
    log_open("mtamon", CONFIG_LOG_SYSLOG, 0, LOG_INFO);
    snmpd_register_config_handler(MTAMON_DLMOD_TOKEN, parse_config_token,
                                  free_config_token, "FILE (mtamon.yaml)");
    if (snmp_register_callback(SNMP_CALLBACK_LIBRARY,
                               SNMP_CALLBACK_POST_READ_CONFIG, on_config_read,
                               NULL) != SNMPERR_SUCCESS)
        log_msg(LOG_ERR, "cannot register with snmpd's callbacks; serving nothing");
}

void deinit_mtamon(void)
{
    stop();
    snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                             on_config_read, NULL, 0);
    snmpd_unregister_config_handler(MTAMON_DLMOD_TOKEN);
    free_config_token();
    log_close();
}

/* Net-SNMP calls it only where there is no deinit_mtamon(); kept for
 * whatever loader looks for it first. */
void shutdown_mtamon(void)
{
    deinit_mtamon();
}
