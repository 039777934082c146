/*
 * mtamon_config.h - mtamon.yaml, parsed with libyaml into one immutable struct.
 *
 * Every program that reads the configuration (mtamond, `mtamon
 * check-config`) goes through config_load().  A file
 * that is not valid gives one message naming the file, line, column and
 * key ("FILE:LINE:COL: KEY: what is wrong"); the caller exits with
 * EX_CONFIG (78) before touching anything.
 *
 * Sections read: segment, agentx, daemon, applications, channels.  The
 * sections partitions, probes, alarms and feed have no reader yet: they
 * are accepted when they are mappings or sequences and otherwise ignored
 * (`mtamon feed` takes its settings from its options); any other key is
 * an error.  The loader's parts: config.c (the schema walk), ytree.c (the
 * YAML tree), cfg_get.c (scalar values), cfg_fail.c and cfg_path.c (the
 * messages and the key paths they name).
 */
#ifndef MTAMON_MTAMON_CONFIG_H
#define MTAMON_MTAMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/** A size of message buffer for config_load() that never cuts one. */
#define CONFIG_ERROR_MAX 512

/** Longest OBJECT IDENTIFIER accepted for a mail protocol. */
#define CONFIG_OID_MAX 32

/** Where an applTable row's data comes from. */
enum config_app_kind {
    CONFIG_APP_MTA,     /**< the MTA itself: the counter segment */
    CONFIG_APP_SERVICE, /**< another service (IMAP, POP, LMTP, ...) */
};

/** One applTable row (NETWORK-SERVICES-MIB). */
struct config_app {
    enum config_app_kind kind;
    uint32_t index;        /**< applIndex, 1..2147483647, unique */
    char *name;            /**< applName, required */
    char *version;         /**< applVersion, "" when not given */
    char *description;     /**< applDescription, "" when not given */
    char *url;             /**< applURL, "" when not given */
    char *directory_name;  /**< applDirectoryName, "" when not given */
    unsigned line;         /**< where the entry starts, for messages */
};

/** A channel as the configuration describes it (one mtaGroupTable row). */
struct config_channel {
    char *name;            /**< channel name in the segment, required */
    uint32_t group_index;  /**< pinned mtaGroupIndex, 0 = assigned */
    char *group_name;      /**< mtaGroupName; defaults to name */
    char *description;     /**< mtaGroupDescription, "" when not given */
    char *url;             /**< mtaGroupURL, "" when not given */
    /** mtaGroupMailProtocol; length 0 = not given (served as 0.0). */
    uint32_t protocol[CONFIG_OID_MAX];
    size_t protocol_len;
    int32_t hierarchy;     /**< mtaGroupHierarchy, 0 = not implemented */
    unsigned line;
};

/** How mtamond logs. */
enum config_log_target {
    CONFIG_LOG_SYSLOG,
    CONFIG_LOG_STDERR,
};

/** The whole file.  Strings are never NULL (empty when not given). */
struct config {
    char *path;                  /**< the file it was read from */

    /* segment: */
    char *segment;               /**< shared-memory name, default /mtamon */
    char *segment_owner;         /**< a user besides root and the daemon
                                      user who may own the segment (the
                                      MTA's account), "" = none */
    int trust_any_owner;         /**< serve a segment owned by anyone, or
                                      writable by others (default 0: only
                                      root's or the daemon user's, not
                                      writable by others) */

    /* agentx: */
    char *agentx_socket;         /**< default: Net-SNMP's (/var/agentx/master) */
    unsigned ping_interval_s;    /**< reconnect/ping interval, default 15 */
    unsigned timeout_ms;         /**< per-request timeout to the master, default 5000 */
    unsigned retries;            /**< default 1 */
    unsigned refresh_ms;         /**< snapshot refresh interval, default 1000 */

    /* daemon: */
    char *pidfile;               /**< "" = none */
    char *user;                  /**< drop privileges to it, "" = keep */
    char *group;                 /**< "" = the user's primary group */
    enum config_log_target log;  /**< default syslog */
    int syslog_facility;         /**< LOG_DAEMON by default */
    char *index_file;            /**< persistent mtaGroupIndex assignments;
                                      default /var/lib/mtamon/group-index */

    /* applications: exactly one of kind CONFIG_APP_MTA (a default MTA row
     * with applIndex 1 and name "mta" is made when none is given); sorted
     * by index. */
    struct config_app *apps;
    size_t n_apps;

    /* channels: sorted by name; pinned indexes are unique. */
    struct config_channel *channels;
    size_t n_channels;
};

/**
 * Read and validate @p path.  On success returns 0 and sets *@p out (free
 * with config_free()).  On error returns -1 and writes
 * "FILE:LINE:COL: KEY: message" (or "FILE: message" when the file cannot be
 * read) into @p err (@p errlen bytes, CONFIG_ERROR_MAX are enough; NULL
 * for none).
 */
int config_load(const char *path, struct config **out,
                char *err, size_t errlen);

/** The defaults, as if an empty file had been read.  NULL on ENOMEM. */
struct config *config_defaults(void);

/** Free what config_load()/config_defaults() returned (NULL is fine). */
void config_free(struct config *conf);

/** The MTA's applTable row (always present). */
const struct config_app *config_mta_app(const struct config *conf);

/** The configured channel called @p name, or NULL (binary search). */
const struct config_channel *config_channel_find(const struct config *conf,
                                                 const char *name);

#endif /* MTAMON_MTAMON_CONFIG_H */
