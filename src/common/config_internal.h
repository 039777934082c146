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

#include <stddef.h>

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

/* Free the @p n strings of @p list, then @p list. */
void config_free_list(char **list, size_t n);

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

/* A section that is a sequence of entries, each a mapping. */
struct config_list {
    /* Names the thing in the message about a repeated name ("duplicate
     * WHAT 'x' (also SECTION[j])"); NULL: the names are not checked. */
    const char *what;
    size_t size;        /* of one entry */
    size_t name_offset; /* of the entry's char *name (with what) */
    /*
     * Read entry @p i (zeroed memory at @p entry) from @p v, at entry path
     * @p ep; @p ctx is config_list_load()'s.  Sets *@p name to the node
     * of the name key (with what).  0, or -1 after a message.
     */
    int (*read)(struct cfg_report *rep, void *entry, size_t i, const struct node *v,
                const char *ep, void *ctx, const struct node **name);
};

/*
 * The sequence @p v at @p path (null: no entries) into *@p items (an
 * array from calloc(), NULL for none) and *@p n, which counts every entry
 * begun, so that the caller frees a half-read one too.  0, or -1 after a
 * message.
 */
int config_list_load(struct cfg_report *rep, const struct node *v, const char *path,
                     const struct config_list *list, void *ctx, void **items, size_t *n);

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
