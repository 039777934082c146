/*
 * cli.h - the `mtamon` command: what its parts share.
 *
 * main.c picks the command, counters.c runs `counters create|show|clear|
 * delete`, sun_options.c translates the Sun spellings of its options,
 * owner.c parses --group and --mode, show_text.c and show_json.c print a
 * snapshot, simulate.c writes synthetic mail traffic, feed.c follows MTA
 * logs, check_config.c validates a configuration file (config_env.c checks
 * the machine it is meant for), queue.c scans the
 * queues (src/collect), probe.c runs the probes (src/collect) and
 * probe_report.c prints them, alarms.c prints mtamond's alarm state file,
 * interval.c runs the --interval loop of show, queue, probe and alarms
 * (interval.h), show_interval.c prints `counters show --interval`,
 * cli_util.c holds the small helpers below.
 *
 * Every command function returns a sysexits(3) status up to main(); none of
 * them exits.  Errors are printed as "mtamon: <message>" on stderr.
 */
#ifndef MTAMON_CLI_H
#define MTAMON_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>

#include "mtamon.h"
#include "parse_number.h"

/** Program name used in messages. */
#define CLI_NAME "mtamon"

/** Exit status of `counters show` when a CHANNEL pattern matched nothing. */
#define CLI_EXIT_NOMATCH 1

/** Default block size of `counters show`, in bytes. */
#define CLI_DEFAULT_BLOCK_SIZE 1024u

/* ------------------------------------------------------------------------ */
/* Commands (argv[0] is the command word itself)                             */

/** `mtamon counters ...` on @p segment (NULL: environment or default). */
int cli_counters(const char *segment, int argc, char **argv);

/** `mtamon simulate ...` on @p segment (NULL: environment or default). */
int cli_simulate(const char *segment, int argc, char **argv);

/**
 * `mtamon feed --format F [--state FILE] [--from-start] [--once] [--stats]
 * FILE|-` on @p segment (NULL: environment or default): follow an MTA log
 * and count its records (feed.c).  Returns EX_OK, EX_USAGE, EX_NOINPUT
 * (file missing with --once), EX_DATAERR (malformed state file), or the
 * status of a libmtamon error.
 */
int cli_feed(const char *segment, int argc, char **argv);

/**
 * `mtamon check-config [--syntax-only] FILE`: load FILE with config_load(),
 * then (unless --syntax-only) check this machine with config_env_check(),
 * printing "FILE: KEY: error|warning: ..." per finding and "FILE: ok (N
 * applications, N channels)[, N warnings]", or the error.  Returns EX_OK,
 * EX_CONFIG for an invalid or unreadable file, EX_UNAVAILABLE when the
 * environment has errors, EX_USAGE for bad arguments.
 */
int cli_check_config(int argc, char **argv);

/**
 * `mtamon queue [--json] [--config FILE] [NAME ...]`, or `--path DIR
 * [--kind K] [--glob G] [--depth N] [--name N] [--postqueue CMD]
 * [--postfix-config DIR]` for one directory without a configuration
 * (queue.c): scan once, print a summary per queue row.  Returns EX_OK,
 * CLI_EXIT_NOMATCH (a NAME matched no queue, or none is configured),
 * EX_UNAVAILABLE (a queue could not be read), EX_CONFIG, EX_USAGE.
 */
int cli_queue(int argc, char **argv);

/**
 * `mtamon probe [-c FILE] [--json | --nagios] [--timeout SEC] [--slow SEC]
 * [--starttls] [--insecure] [--credentials FILE] [NAME ... | URL ...]`
 * (probe.c): run the configured probes (or those called NAME, or ad hoc
 * URL targets) once, side by side, and print them.  Returns 0 when all
 * are up, 1 when one is slow and none down, 2 when one is down; EX_CONFIG
 * or EX_USAGE, both 3 (UNKNOWN) under --nagios.
 */
int cli_probe(int argc, char **argv);

/** Print the usage of `mtamon probe` to @p out. */
void cli_probe_usage(FILE *out);

/**
 * `mtamon alarms [-c FILE | --state FILE] [--json]` (alarms.c): print
 * mtamond's alarm state file (alarm_options.state_file of the
 * configuration, or FILE), as a table or as JSON.  Returns EX_OK (also
 * when no alarm is configured), EX_NOINPUT (no state file), EX_NOPERM or
 * EX_IOERR (it cannot be read), EX_DATAERR (malformed), EX_UNAVAILABLE
 * (the configuration names no state file), EX_CONFIG, EX_USAGE.
 */
int cli_alarms(int argc, char **argv);

/** Print the usage of `mtamon alarms` to @p out. */
void cli_alarms_usage(FILE *out);

/** Print the top-level usage to @p out. */
void cli_usage(FILE *out);

/** Print the usage of `mtamon counters` to @p out. */
void cli_counters_usage(FILE *out);

/** Print the usage of `mtamon simulate` to @p out. */
void cli_simulate_usage(FILE *out);

/** Print the usage of `mtamon feed` to @p out. */
void cli_feed_usage(FILE *out);

/** Print the usage of `mtamon check-config` to @p out. */
void cli_check_config_usage(FILE *out);

/** Print the usage of `mtamon queue` to @p out. */
void cli_queue_usage(FILE *out);

/* ------------------------------------------------------------------------ */
/* Printing a snapshot                                                       */

/** What `counters show` was asked to print. */
struct show_request {
    const char *segment;        /**< resolved segment name */
    int all;                    /**< --all: everything the segment holds */
    uint64_t block_size;        /**< --block-size, > 0 */
    /** One flag per snap->channels[] entry, or NULL for every channel. */
    const unsigned char *selected;
    /* Text output only (Sun -[no]headers, -[no]channels, -[no]associations). */
    int headers;                /**< print the two header lines */
    int channels;               /**< print the channel blocks */
    int associations;           /**< print the Total In/Out Assocs lines and,
                                     with all, the current associations */
};

/**
 * Print @p snap in the `imsimta counters -show` layout (plus the --all
 * extras).  Returns 0, or -1 if writing to @p out failed.
 */
int show_text(FILE *out, const struct mtamon_snapshot *snap,
              const struct show_request *req);

/**
 * Print @p snap as one JSON object (always with every field; --all is not
 * needed).  Returns 0, or -1 if writing to @p out failed.
 */
int show_json(FILE *out, const struct mtamon_snapshot *snap,
              const struct show_request *req);

/**
 * Print @p s as a JSON string (quoted).  Control characters, DEL and (never
 * expected, but the output must stay valid UTF-8) bytes above 0x7f become
 * \u00XX.
 */
void show_json_string(FILE *out, const char *s);

/* ------------------------------------------------------------------------ */
/* `counters show --interval` (show_interval.c)                              */

/** One channel of an interval report. */
struct show_interval_row {
    int have_rates;     /**< rates[] hold the rates since the previous report */
    int went_down;      /**< a counter went down: no rates this time */
    double rates[MTAMON_COUNTER_COUNT];   /**< per second, by counter */
};

/** One report of `counters show --interval`. */
struct show_interval_report {
    const char *segment;          /**< resolved segment name */
    uint64_t number;              /**< 1 for the first report */
    int64_t wall_ms;              /**< when, ms since the epoch */
    int64_t elapsed_ms;           /**< since the previous report, -1: first */
    int deleted;                  /**< the segment is gone: no snapshot */
    const struct mtamon_snapshot *snap;
    const unsigned char *selected; /**< one flag per snap channel, NULL: all */
    const struct show_interval_row *rows;  /**< one per snap channel */
    const char *restart;          /**< why every counter restarted, or NULL */
    char *const *gone;            /**< channels gone since the previous report */
    size_t n_gone;
    int headers;                  /**< text: print the column headings */
};

/**
 * Why every counter restarted between snapshots @p before and @p now (the
 * segment re-created: another generation or @p restarted from
 * mtamon_snapshot_take(); a clear), or NULL when they did not.
 */
const char *show_interval_restart(const struct mtamon_snapshot *before,
                                  const struct mtamon_snapshot *now, int restarted);

/**
 * The copy in @p before of channel @p ch (same slot, name and creation
 * time), or NULL: @p ch is new since then.
 */
const struct mtamon_channel_stats *
show_interval_before(const struct mtamon_snapshot *before,
                     const struct mtamon_channel_stats *ch);

/**
 * The per-second rate of every counter of @p now since @p before (NULL:
 * the channel is new, it counted from zero) over @p elapsed_ms, into
 * @p rates.  Returns 0, or -1 when a counter went down (or @p elapsed_ms
 * is not positive): no rates.
 */
int show_interval_rates(const struct mtamon_channel_stats *before,
                        const struct mtamon_channel_stats *now, int64_t elapsed_ms,
                        double rates[MTAMON_COUNTER_COUNT]);

/**
 * Print report @p r in the compact layout: a TIME CHANNEL RCVD/S DLVD/S
 * FAIL/S RJCT/S ATMP/S STORED RECEIVED DELIVERED FAILED line per channel
 * ("-" for rates it has none of), after a line for a restart, a channel
 * gone or the segment deleted.  The headings are printed when *@p name_w
 * (the channel column's width, 0 at first) grows; it is updated.
 * Returns 0, or -1 if writing failed.
 */
int show_interval_text(FILE *out, const struct show_interval_report *r, int *name_w);

/**
 * Print report @p r as one JSON document on one line: time, report,
 * elapsed_s, segment, deleted, generation, restart, channels (index,
 * name, counters, stored, rates or null) and gone.  Returns 0, or -1 if
 * writing failed.
 */
int show_interval_json(FILE *out, const struct show_interval_report *r);

/* ------------------------------------------------------------------------ */
/* Sun spellings of the counters options (sun_options.c)                     */

/* A Sun Messaging Server option ("-noheaders", "-output=file_spec") and the
 * GNU option that means the same. */
struct sun_option {
    const char *sun;  /* without its leading '-' */
    const char *gnu;  /* "--no-headers" */
    int has_value;    /* takes "=value" (or, like GNU, the next word) */
};

/*
 * Copy argv[0..argc) into the new array *@p out_argv (NULL-terminated, to
 * free()), spelling the Sun options of @p sun the GNU way: "-noheaders"
 * becomes "--no-headers", "-output=FILE" becomes "--output" "FILE".  Values
 * of options that take one and everything after "--" are copied as they
 * are.  Any other single-dash word that is not a bundle of @p shortopts is
 * refused here, so "-bogus" is reported as itself.  Returns EX_OK or a
 * usage error.
 */
int sun_options_translate(const char *what, const struct sun_option *sun,
                          const struct option *longopts,
                          const char *shortopts, int argc, char **argv,
                          int *out_argc, char ***out_argv);

/* ------------------------------------------------------------------------ */
/* Group and mode of a new segment (owner.c)                                 */

/**
 * --group: a group name, else a numeric gid (like chown(1), a name wins).
 * Returns EX_OK and sets *@p gid, or an exit status after a message.
 */
int owner_parse_group(const char *text, uint32_t *gid);

/** --mode: octal permission bits, at most 07777; 0 and sets *@p mode, or -1. */
int owner_parse_mode(const char *text, uint32_t *mode);

/** ", group mail (gid 8)" or ", gid 4711", for the create confirmation. */
void owner_group_text(uint32_t gid, char *text, size_t len);

/* ------------------------------------------------------------------------ */
/* Helpers (cli_util.c)                                                      */

/**
 * Print "mtamon: <err->message>" (or the generic text of @p err->code when
 * the message is empty) on stderr and return exit_status_for(err->code).
 */
int cli_report(const struct mtamon_error *err);

/** Print "mtamon: <formatted text>" and a newline on stderr. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Print "mtamon: <formatted text>", then @p usage's text, on stderr and
 * return EX_USAGE.  @p usage may be NULL.
 */
int cli_usage_error(void (*usage)(FILE *), const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * Report a getopt_long() failure ('?' or ':') for the option at
 * argv[optind - 1] / @p optopt as a usage error; returns EX_USAGE.
 * @p what names the command ("counters show").
 */
int cli_option_error(void (*usage)(FILE *), const char *what, int ret,
                     char **argv);

/**
 * After getopt_long(): EX_OK when it has read every word of @p argv, else
 * the usage error "WHAT: unexpected argument 'WORD'" (EX_USAGE).
 */
int cli_no_arguments(void (*usage)(FILE *), const char *what, int argc, char **argv);

/** Parse a finite decimal number > 0.  Returns 0 and sets *@p out, or -1. */
int cli_parse_positive(const char *text, double *out);

/** Room for any time string below. */
#define CLI_TIME_MAX 40

/**
 * Format milliseconds since the epoch as local ISO-8601 time with the UTC
 * offset ("2024-05-01T14:03:07+02:00"), or "never" for 0.
 */
void cli_time_local(int64_t ms, char *buf, size_t len);

/**
 * Format milliseconds since the epoch as ISO-8601 UTC with milliseconds
 * ("2024-05-01T12:03:07.123Z").  Returns 0, or -1 (and "") for 0 = never.
 */
int cli_time_utc(int64_t ms, char *buf, size_t len);

/** Format an mtaStatusCode as "5.1.1" (class.subject.detail). */
void cli_status_text(mtamon_status_code code, char *buf, size_t len);

/** The channel with slot index @p index in @p snap, or NULL. */
const struct mtamon_channel_stats *
cli_channel_by_index(const struct mtamon_snapshot *snap, mtamon_channel_t index);

#endif /* MTAMON_CLI_H */
