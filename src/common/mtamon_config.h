/*
 * mtamon_config.h - mtamon.yaml, parsed with libyaml into one immutable struct.
 *
 * Every program that reads the configuration (mtamond, `mtamon
 * check-config`) goes through config_load().  A file
 * that is not valid gives one message naming the file, line, column and
 * key ("FILE:LINE:COL: KEY: what is wrong"); the caller exits with
 * EX_CONFIG (78) before touching anything.
 *
 * Sections read: segment, agentx, daemon, applications, channels, queues,
 * partitions, connections, processes, probes, alarms, alarm_options.  The
 * section feed has no reader yet: it is accepted when it is a mapping or
 * a sequence and otherwise ignored (`mtamon feed` takes its settings from
 * its options); any other key is an error.  The loader's parts: config.c
 * (the schema walk), config_collect.c (the collectors' sections),
 * config_probe.c (probes: and the parts of a probe `mtamon probe` builds
 * from a URL), config_alarm.c (alarms:), config_alarm_options.c
 * (alarm_options:), ytree.c (the YAML tree), cfg_get.c (scalar values),
 * cfg_fail.c and cfg_path.c (the messages and the key paths they name).
 */
#ifndef MTAMON_MTAMON_CONFIG_H
#define MTAMON_MTAMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/** Where mtamond, mtamon.so and `mtamon queue` look without an option. */
#define CONFIG_DEFAULT_PATH "/etc/mtamon/mtamon.yaml"

/** A size of message buffer for config_load() that never cuts one. */
#define CONFIG_ERROR_MAX 512

/** Longest OBJECT IDENTIFIER accepted for a mail protocol. */
#define CONFIG_OID_MAX 32

/** Longest name of a queue, partition or watched process (bytes). */
#define CONFIG_NAME_MAX 63

/** Most local ports the connection collector watches. */
#define CONFIG_PORTS_MAX 64

/** Where a value was in the file (1-based), for messages about it. */
struct config_pos {
    unsigned line, col;
};

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
    /** Local TCP port whose ESTABLISHED connections are the row's
     * applInboundAssociations (needs connections.ports to list it);
     * 0 = none. */
    uint16_t port;
    /** Names of processes[] entries that must all run for the row to be
     * up(1); down(2) when one of them does not.  Empty = no watch. */
    char **processes;
    size_t n_processes;
    /** Name of a probes[] entry whose state is the row's applOperStatus
     * (up, congested when slow, down); "" = none.  With processes too,
     * the row is down when either says so. */
    char *probe;
    struct config_pos port_pos, processes_pos, probe_pos;  /**< of those values */
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
    /** Name of a queue row (queues[].name, or "NAME/SUBQUEUE" of a
     * postfix queue) whose scan gives the channel's stored messages,
     * volume, oldest message and scheduled retry; "" = none. */
    char *queue;
    struct config_pos queue_pos;
    unsigned line;
};

/** What kind of tree a queue is. */
enum config_queue_kind {
    /** Sun/Oracle Messaging Server: data/queue/<channel>/ with message
     * files matched by glob, subdirectories searched to depth. */
    CONFIG_QUEUE_DIRECTORY,
    /** Postfix's queue directory (incoming, active, deferred, hold,
     * maildrop, hashed subdirectories), one row per Postfix queue. */
    CONFIG_QUEUE_POSTFIX,
    /** Any tree: every file matching glob, to depth. */
    CONFIG_QUEUE_GENERIC,
};

/** One queue to scan (queues: section). */
struct config_queue {
    char *name;            /**< 1..CONFIG_NAME_MAX printable, no '/', unique */
    enum config_queue_kind kind;
    char *path;            /**< absolute directory, required */
    char *glob;            /**< fnmatch(3) pattern for a file's name;
                                default "*" (postfix: not used) */
    unsigned depth;        /**< subdirectory levels searched below path:
                                0 = path only; default 2 (directory),
                                16 (generic); postfix: not used */
    unsigned interval_s;   /**< seconds between scans, default 60 */
    /** postfix: the postqueue(1) command used when the spool cannot be
     * read (`postqueue -j` works for any user); "" = no fallback.
     * Default "/usr/sbin/postqueue". */
    char *postqueue;
    /** postfix: Postfix's config_directory for postqueue -c; "" = its
     * default. */
    char *postfix_config;
    unsigned line;
};

/** One file system to watch (partitions: section). */
struct config_partition {
    char *name;            /**< unique, 1..CONFIG_NAME_MAX printable */
    char *path;            /**< absolute path on the file system */
    unsigned interval_s;   /**< seconds between statvfs calls, default 30 */
    unsigned line;
};

/** The connection collector (connections: section). */
struct config_connections {
    uint16_t ports[CONFIG_PORTS_MAX]; /**< local TCP ports, sorted, unique */
    size_t n_ports;                   /**< 0 = collector off */
    unsigned top;          /**< remote addresses listed per port, default 10 */
    unsigned interval_s;   /**< seconds between reads, default 10 */
};

/** One process to watch (processes: section). */
struct config_process {
    char *name;            /**< unique, 1..CONFIG_NAME_MAX printable */
    /** Exactly one of pidfile and executable is set ("" = not given). */
    char *pidfile;         /**< the process whose pid this file holds */
    /** A process matches when the base name of its executable
     * (/proc/PID/exe, or /proc/PID/comm when exe is unreadable) equals
     * this... */
    char *executable;
    /** ...and, when not "", one of its arguments (argv[1..]) contains
     * this text. */
    char *argument;
    unsigned min;          /**< running means at least min... (default 1) */
    unsigned max;          /**< ...and at most max processes (0 = any) */
    unsigned line;
};

/** When the process watch runs (one /proc scan for every entry). */
struct config_process_watch {
    unsigned interval_s;   /**< seconds between scans, default 10 */
};

/** What a probe checks (probes[].kind). */
enum config_probe_kind {
    CONFIG_PROBE_TCP,       /**< connect (and TLS handshake when asked) */
    CONFIG_PROBE_SMTP,      /**< greeting, EHLO, QUIT */
    CONFIG_PROBE_LMTP,      /**< greeting, LHLO, QUIT */
    CONFIG_PROBE_IMAP,      /**< greeting, [LOGIN], LOGOUT */
    CONFIG_PROBE_POP3,      /**< greeting, [USER/PASS], QUIT */
    CONFIG_PROBE_HTTP,      /**< GET path, expected status */
    CONFIG_PROBE_LDAP,      /**< simple bind, base search of an entry */
    CONFIG_PROBE_ROUNDTRIP, /**< submit over SMTP, find it over IMAP/POP3 */
};

/** How a probe uses TLS (probes[].tls). */
enum config_probe_tls {
    CONFIG_TLS_NONE,        /**< plain text */
    CONFIG_TLS_IMPLICIT,    /**< TLS from the first byte (smtps, imaps...) */
    CONFIG_TLS_STARTTLS,    /**< STARTTLS / STLS / StartTLS extended op */
};

/** Longest host name or Unix socket path of a probe address (bytes). */
#define CONFIG_PROBE_HOST_MAX 255

/** Where a probe connects, and how. */
struct config_probe_endpoint {
    /** As written in the file ("host:port", "[v6]:port", "/path"), for
     * messages and for mtamonProbeAddress. */
    char *address;
    char *host;            /**< host name or address; "" for a Unix socket */
    uint16_t port;         /**< the kind's default port when not written */
    char *unix_path;       /**< absolute socket path; "" for TCP */
    enum config_probe_tls tls;
    /** Verify the server's certificate chain and name (default 1); 0
     * accepts any certificate, e.g. a self-signed one (tls_verify: false). */
    int tls_verify;
    char *tls_ca;          /**< CA file instead of the system's, "" = system */
    /** Name checked against the certificate and sent as SNI; default host. */
    char *tls_name;
    /** Credentials file ("" = none): first line USER:PASSWORD.  Refused
     * when others may read it, when it is not a regular file, or when it
     * has no ':' on its first line.  Read at load time (before privileges
     * are dropped) into user and password. */
    char *credentials;
    char *user;            /**< "" = no login (LDAP: the bind DN) */
    char *password;        /**< "" when user is "" */
};

/** One server-response probe (probes: section). */
struct config_probe {
    char *name;            /**< unique, 1..CONFIG_NAME_MAX printable, no '/' */
    enum config_probe_kind kind;
    /** The server probed; for a round trip, the SMTP submission server. */
    struct config_probe_endpoint server;
    unsigned interval_s;   /**< seconds between checks, default 60 */
    unsigned timeout_ms;   /**< a check taking longer is down; default
                                10 s (round trip: 120 s) */
    unsigned slow_ms;      /**< a check taking longer is slow; default
                                2 s (round trip: 60 s); 0 = never slow */
    char *helo;            /**< EHLO/LHLO argument; default the host name */
    /* http: */
    char *http_path;       /**< default "/" */
    char *http_host;       /**< Host: header; default server.host */
    unsigned http_expect;  /**< expected status, default 200 */
    /* ldap: */
    char *ldap_search;     /**< DN of the entry searched (base scope,
                                (objectClass=*)); "" = bind only */
    /* roundtrip: */
    enum config_probe_kind mailbox_kind;  /**< CONFIG_PROBE_IMAP or _POP3 */
    struct config_probe_endpoint mailbox; /**< where the message is read */
    char *mail_from;       /**< envelope sender, required */
    char *mail_to;         /**< recipient delivered to the mailbox, required */
    unsigned poll_ms;      /**< mailbox poll interval, default 1000 */
    unsigned line;
};

/** What an alarm measures (alarms[].kind); the unit of its value, raise
 * and clear thresholds, and whether it raises above or below. */
enum config_alarm_kind {
    CONFIG_ALARM_DISK_FREE,          /**< partitions: free space, % (below) */
    CONFIG_ALARM_INODES_FREE,        /**< partitions: free inodes, % (below) */
    CONFIG_ALARM_PROBE_SLOW,         /**< probes: response time, ms (above) */
    CONFIG_ALARM_PROBE_DOWN,         /**< probes: consecutive failed checks (above) */
    CONFIG_ALARM_ROUNDTRIP_SLOW,     /**< roundtrip probes: ms (above) */
    CONFIG_ALARM_ROUNDTRIP_DOWN,     /**< roundtrip probes: failed checks (above) */
    CONFIG_ALARM_QUEUE_LENGTH,       /**< queues or channels: messages (above) */
    CONFIG_ALARM_QUEUE_AGE,          /**< queues or channels: oldest message, s (above) */
    CONFIG_ALARM_FAILURE_RATE,       /**< channels: (Failed + Attempted) /
                                          (Delivered + Failed + Attempted)
                                          messages over window, % (above) */
    CONFIG_ALARM_DELIVERY_TIME,      /**< channels: mean queue time of the
                                          messages dequeued over window, s (above) */
    CONFIG_ALARM_CONNECTIONS,        /**< ports: connections from one remote
                                          address (above) */
    CONFIG_ALARM_PROCESS_DOWN,       /**< processes: 1 when not running, else 0 (above) */
    CONFIG_ALARM_SEGMENT_MISSING,    /**< the segment: 1 while unreadable (above) */
    CONFIG_ALARM_SEGMENT_RESTARTED,  /**< the segment: 1 at the first check after
                                          it was re-created (new generation), else 0 (above) */
    CONFIG_ALARM_SEGMENT_STALE,      /**< the segment: s since the last event (above) */
};

/** Which objects an alarm's names refer to: the key that listed them. */
enum config_alarm_source {
    CONFIG_ALARM_ON_SEGMENT,     /**< segment kinds: no key, the one segment */
    CONFIG_ALARM_ON_PARTITIONS,  /**< partitions: (partitions[].name) */
    CONFIG_ALARM_ON_PROBES,      /**< probes: (probes[].name) */
    CONFIG_ALARM_ON_QUEUES,      /**< queues: (queue rows: NAME or NAME/SUBQUEUE) */
    CONFIG_ALARM_ON_CHANNELS,    /**< channels: (channel names in the segment) */
    CONFIG_ALARM_ON_PORTS,       /**< ports: (connections.ports) */
    CONFIG_ALARM_ON_PROCESSES,   /**< processes: (processes.watch[].name) */
};

/** alarms[].severity, as ITU-T X.733's perceived severity. */
enum config_alarm_severity {
    CONFIG_SEVERITY_CRITICAL = 1,
    CONFIG_SEVERITY_MAJOR = 2,
    CONFIG_SEVERITY_MINOR = 3,
    CONFIG_SEVERITY_WARNING = 4,
};

/** One alarm (alarms: section). */
struct config_alarm {
    char *name;            /**< unique, 1..CONFIG_NAME_MAX printable, no '/' */
    enum config_alarm_kind kind;
    enum config_alarm_source source;
    /** The watched objects: names or fnmatch(3) patterns (a name with
     * '*', '?' or '['); n_objects 0 = every object of the source.  A
     * plain name must exist in the configuration (channels: in the
     * channels: section; ports: in connections.ports). */
    char **objects;
    size_t n_objects;
    /** Thresholds in the kind's unit.  Above kinds raise at value >=
     * raise and clear at value < clear (clear <= raise); below kinds
     * raise at value <= raise and clear at value > clear (clear >=
     * raise).  clear defaults to raise (no hysteresis). */
    double raise, clear;
    unsigned for_s;        /**< crossed this long before raising, default 0 */
    unsigned interval_s;   /**< check interval, default 60 */
    unsigned resend_s;     /**< re-send while active, default 3600; 0 = never */
    unsigned window_s;     /**< failure_rate, delivery_time: default 900 */
    unsigned min_messages; /**< failure_rate, delivery_time: messages in the
                                window below which nothing is raised
                                (the value is 0); default 20 */
    enum config_alarm_severity severity;  /**< default warning */
    int mail;              /**< mail raises and clears when alarm_options.mail
                                has a command or an smtp server (default 1) */
    unsigned line;
};

/** alarm_options.mail: the postmaster's copy of raises and clears. */
struct config_alarm_mail {
    /** A sendmail-compatible command ("/usr/sbin/sendmail -t -i"), split
     * on blanks, given the message on its standard input; "" = none. */
    char *command;
    /** Or an SMTP server, "host:port" or "host" (port 25); "" = none.
     * At most one of command and smtp is set. */
    char *smtp;
    char *smtp_host;       /**< parsed from smtp */
    uint16_t smtp_port;
    char *from;            /**< envelope and From:, default "mtamond@HOSTNAME" */
    char **to;             /**< recipients, default { "postmaster" } */
    size_t n_to;
    unsigned timeout_ms;   /**< one message may take this long, default 30 s */
};

/** alarm_options: how notifications go out. */
struct config_alarm_options {
    /** Notifications sent in one second at most (default 20; 0 = no
     * limit); past it, one mtamonAlarmSummary per second says how many
     * were not sent. */
    unsigned max_per_second;
    /** Notifications kept while the AgentX master is away (default 1000;
     * the oldest go first, counted as failed). */
    unsigned pending_max;
    /** Where mtamond writes the alarm statistics for `mtamon alarms`
     * (JSON, rewritten atomically); default /var/lib/mtamon/alarms.json,
     * "" = none. */
    char *state_file;
    struct config_alarm_mail mail;
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

    /* queues, partitions, processes (processes.watch): in file order
     * (their rows' indexes in MTAMON-MIB are these positions, 1-based;
     * a postfix queue takes six rows); names unique. */
    struct config_queue *queues;
    size_t n_queues;
    struct config_partition *partitions;
    size_t n_partitions;
    struct config_connections connections;
    struct config_process *processes;
    size_t n_processes;
    struct config_process_watch process_watch;
    /* probes: in file order (mtamonProbeIndex is the position, 1-based);
     * names unique. */
    struct config_probe *probes;
    size_t n_probes;
    /* alarms: in file order (mtamonAlarmIndex is the position, 1-based);
     * names unique. */
    struct config_alarm *alarms;
    size_t n_alarms;
    struct config_alarm_options alarm_options;
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

/** The configured queue called @p name, or NULL. */
const struct config_queue *config_queue_find(const struct config *conf,
                                             const char *name);

/** The configured process watch called @p name, or NULL. */
const struct config_process *config_process_find(const struct config *conf,
                                                 const char *name);

/** The configured probe called @p name, or NULL. */
const struct config_probe *config_probe_find(const struct config *conf,
                                             const char *name);

/** The configured alarm called @p name, or NULL. */
const struct config_alarm *config_alarm_find(const struct config *conf,
                                             const char *name);

/** The name of @p kind as written in the file ("disk_free"...). */
const char *config_alarm_kind_name(enum config_alarm_kind kind);

/** 1 when alarms of @p kind raise below their threshold (disk_free,
 * inodes_free), 0 when above. */
int config_alarm_kind_below(enum config_alarm_kind kind);

/** "critical", "major", "minor" or "warning". */
const char *config_alarm_severity_name(enum config_alarm_severity s);

/** The name of @p kind as written in the file ("smtp", "roundtrip"...). */
const char *config_probe_kind_name(enum config_probe_kind kind);

/** "none", "implicit" or "starttls". */
const char *config_probe_tls_name(enum config_probe_tls tls);

/*
 * The parts of a probe that `mtamon probe` also builds from a URL
 * (probe_url.h) without a file: the same rules, messages without a
 * position.
 */

/**
 * The port the servers of @p kind listen on with @p tls (smtp 25, 465
 * with implicit TLS; lmtp 24; imap 143/993; pop3 110/995; http 80/443;
 * ldap 389/636; roundtrip: its SMTP server's), 0 for tcp (none).
 */
uint16_t config_probe_default_port(enum config_probe_kind kind,
                                   enum config_probe_tls tls);

/** The slow threshold a probe of @p kind gets when none is written:
 * 2 s (round trip 60 s), or 0 (never slow) when that is not below
 * @p timeout_ms. */
unsigned config_probe_default_slow_ms(enum config_probe_kind kind,
                                      unsigned timeout_ms);

/**
 * A probe of @p kind with every default: strings "" (never NULL),
 * tls none, tls_verify 1, interval 60 s, timeout 10 s (round trip
 * 120 s), slow per config_probe_default_slow_ms(), http_expect 200,
 * mailbox imap, poll 1 s.  Returns 0, or -1 on ENOMEM (then
 * config_probe_clear() it all the same).
 */
int config_probe_init(struct config_probe *p, enum config_probe_kind kind);

/**
 * Parse @p text into @p ep's address, host, port and unix_path (replacing
 * them): "host:port", "[v6addr]:port", "host" (port left 0: the kind's
 * default comes with config_probe_complete()) or "/absolute/socket".
 * Returns 0, or -1 with what is wrong in @p err ("port 0 is out of range
 * (1..65535)").
 */
int config_probe_address(struct config_probe_endpoint *ep, const char *text,
                         char *err, size_t errlen);

/**
 * Read the credentials file @p file into @p ep (credentials, user,
 * password): a regular file that neither its group nor others may read
 * or write (mode & 077 == 0, like ssh's private keys), whose first line
 * is USER:PASSWORD (split at the first ':'; USER not empty).  Returns 0,
 * or -1 with a message naming the file (and its mode, with the chmod that
 * fixes it) but never the password.
 */
int config_probe_credentials(struct config_probe_endpoint *ep, const char *file,
                             char *err, size_t errlen);

/**
 * Fill what follows from the rest once @p p is read: a port left 0 (the
 * default of the kind and TLS mode; the mailbox's of mailbox_kind),
 * tls_name (the host), http_host (the host, "localhost" for a socket) and
 * helo (this machine's host name).  Returns 0, or -1 on ENOMEM.
 */
int config_probe_complete(struct config_probe *p);

/** Free the strings of @p p, its password zeroed first, and zero it. */
void config_probe_clear(struct config_probe *p);

#endif /* MTAMON_MTAMON_CONFIG_H */
