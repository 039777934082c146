/*
 * config_internal.h - what the parts of the mtamon.yaml schema walk share
 * (internal to src/common): config.c walks the file and reads the
 * segment, agentx, daemon, applications and channels sections;
 * config_collect.c reads the collectors' sections (queues, partitions,
 * connections, processes) and checks the references into them;
 * config_probe.c reads probes: and checks applications[].probe;
 * config_alarm.c reads alarms: and checks the names the alarms list;
 * config_alarm_options.c reads alarm_options:.
 */
#ifndef MTAMON_CONFIG_INTERNAL_H
#define MTAMON_CONFIG_INTERNAL_H

#include "cfg_fail.h"
#include "cfg_get.h"
#include "mtamon_config.h"
#include "ytree.h"

/* Longest SnmpAdminString / URL value, in bytes. */
#define CONFIG_TEXT_MAX 255
/* Longest file name or socket address. */
#define CONFIG_PATH_MAX 4095

/*
 * A key handler of a mapping: reads @p value (at key path @p path) into
 * @p target; returns 0, -1 after a message, or 1 when @p key is not one
 * of its keys.
 */
typedef int (*config_pair_fn)(struct cfg_report *rep, void *target, const char *key,
                              const struct node *value, const char *path);

/*
 * Calls @p fn for each pair of mapping @p m (after checking that it is
 * one, with unique scalar keys); an unknown key is an error there.
 * Returns 0 or -1.
 */
int config_each_pair(struct cfg_report *rep, const struct node *m, const char *path,
                     config_pair_fn fn, void *target);

/* false / true. */
extern const struct enum_value config_booleans[];

/* strdup(s), or of "" for NULL; NULL on ENOMEM. */
char *config_strdup(const char *s);

/*
 * The collectors' sections of mtamon.yaml into @p c: each returns 0 or -1
 * after a message.  Called by the top-level walk for the key of the same
 * name.
 */
int config_collect_queues(struct cfg_report *rep, struct config *c,
                          const struct node *v, const char *path);
int config_collect_partitions(struct cfg_report *rep, struct config *c,
                              const struct node *v, const char *path);
int config_collect_connections(struct cfg_report *rep, struct config *c,
                               const struct node *v, const char *path);
int config_collect_processes(struct cfg_report *rep, struct config *c,
                             const struct node *v, const char *path);

/*
 * A name of a queue, partition, process or probe at @p v: 1..CONFIG_NAME_MAX
 * bytes of printable ASCII without spaces or '/'.  0 or -1 after a message.
 */
int config_collect_name(struct cfg_report *rep, const struct node *v, const char *path,
                        char **out);

/* The name of entry @p i of a section of @p c. */
typedef const char *(*config_name_at_fn)(const struct config *c, size_t i);

/*
 * Entry @p i's name (whose value is @p v at key path @p path) is not the
 * name of an earlier entry of @p section; @p what names the thing in the
 * message ("duplicate WHAT 'x' (also SECTION[j])").  0 or -1 after it.
 */
int config_collect_unique(struct cfg_report *rep, const struct config *c, size_t i,
                          config_name_at_fn name_at, const struct node *v,
                          const char *path, const char *section, const char *what);

/*
 * The key path "applications[N]" of c->apps[@p i] as the file numbers it
 * (before the rows are sorted): a file without an mta row got the default
 * one first, at line 0, which the file does not count.
 */
void config_collect_app_path(char *out, const struct config *c, size_t i);

/*
 * The probes: section (config_probe.c): 0 or -1 after a message.
 */
int config_probe_load(struct cfg_report *rep, struct config *c, const struct node *v,
                      const char *path);

/*
 * applications[].probe names a probe, and only on a service row: checked
 * once everything is read (applications still in file order).  0 or -1
 * after a message.
 */
int config_probe_check_refs(struct cfg_report *rep, const struct config *c);

/*
 * config_probe_address(), or with @p unix_ok 0 without the /socket form
 * (an alarm mail's SMTP server): "host:port", "[v6addr]:port" or "host"
 * (port left 0).  0, or -1 with what is wrong in @p err.
 */
int config_probe_parse_address(struct config_probe_endpoint *ep, const char *text,
                               int unix_ok, char *err, size_t errlen);

/* Free the probes of @p c (their passwords zeroed first). */
void config_probe_free_all(struct config *c);

/*
 * applications[].port and .processes and channels[].queue name things
 * the collectors' sections define (in any order in the file): check them
 * once everything is read.  0 or -1 after a message.
 */
int config_collect_check_refs(struct cfg_report *rep, const struct config *c);

/*
 * A queue row @p row of @p c's queues: "NAME" of a queue, or "NAME/QUEUE"
 * of a postfix queue NAME, QUEUE one of the Postfix queues its scan
 * reports (maildrop, incoming, active, deferred, hold: the rows of
 * src/collect/queue_scan.c).  1 if it exists, else 0.
 */
int config_collect_queue_row_exists(const struct config *c, const char *row);

/* Defaults of the collectors' settings in a fresh config. */
void config_collect_defaults(struct config *c);

/* Free what the collectors' sections allocated in @p c. */
void config_collect_free(struct config *c);

/*
 * The alarms: section (config_alarm.c): 0 or -1 after a message.
 */
int config_alarm_load(struct cfg_report *rep, struct config *c, const struct node *v,
                      const char *path);

/*
 * The names alarms list exist in the sections they refer to, and an
 * alarm that watches every object of a section has some: checked once
 * everything is read, with the file's tree @p root (for the positions of
 * the names).  0 or -1 after a message.
 */
int config_alarm_check_refs(struct cfg_report *rep, const struct config *c,
                            const struct node *root);

/* Free the alarms of @p c. */
void config_alarm_free_all(struct config *c);

/*
 * The alarm_options: section (config_alarm_options.c): 0 or -1 after a
 * message.
 */
int config_alarm_options_load(struct cfg_report *rep, struct config *c,
                              const struct node *v, const char *path);

/* The alarm_options defaults in a fresh config: 0, or -1 on ENOMEM
 * (config_alarm_options_free() frees what was made). */
int config_alarm_options_defaults(struct config *c);

/* Free the alarm_options strings of @p c. */
void config_alarm_options_free(struct config *c);

#endif /* MTAMON_CONFIG_INTERNAL_H */
