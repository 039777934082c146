/*
 * config_internal.h - what the parts of the mtamon.yaml schema walk share
 * (internal to src/common): config.c walks the file and reads the
 * segment, agentx, daemon, applications and channels sections;
 * config_collect.c reads the collectors' sections (queues, partitions,
 * connections, processes) and checks the references into them.
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
 * applications[].port and .processes and channels[].queue name things
 * the collectors' sections define (in any order in the file): check them
 * once everything is read.  0 or -1 after a message.
 */
int config_collect_check_refs(struct cfg_report *rep, const struct config *c);

/* Defaults of the collectors' settings in a fresh config. */
void config_collect_defaults(struct config *c);

/* Free what the collectors' sections allocated in @p c. */
void config_collect_free(struct config *c);

#endif /* MTAMON_CONFIG_INTERNAL_H */
