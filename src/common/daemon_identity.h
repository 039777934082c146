/*
 * daemon_identity.h - who mtamond runs as: daemon.user and daemon.group
 * resolved the way mtamond resolves them at start, and what that user
 * may then do with a file, computed from the file's owner, group and mode.
 *
 * mtamond looks the names up and switches with them (src/agent/daemon.c,
 * daemon_drop_privileges()); `mtamon check-config` looks them up the same
 * way and asks daemon_identity_may() what the switched process will be
 * allowed to do, without switching.
 */
#ifndef MTAMON_DAEMON_IDENTITY_H
#define MTAMON_DAEMON_IDENTITY_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/** Most supplementary groups daemon_identity_creds() keeps. */
#define DAEMON_IDENTITY_GROUPS_MAX 256

/** Who to become, resolved while the name service is still reachable. */
struct daemon_identity {
    int change;           /**< 1: daemon_drop_privileges() switches */
    uid_t uid;
    gid_t gid;
    char name[64];        /**< user name, for initgroups() */
};

/**
 * Resolve @p user and @p group ("" = the user's primary group).  An empty
 * @p user means no change.  The names are checked even when not running as
 * root (a typo must not wait for the production start), but id->change is
 * set only when the effective uid is 0 and the target differs.
 * Returns 0, or EX_NOUSER for an unknown user or group.
 */
int daemon_identity_lookup(const char *user, const char *group,
                           struct daemon_identity *id,
                           char *err, size_t errlen);

/** The credentials a process runs with: what the kernel checks. */
struct daemon_identity_creds {
    uid_t uid;
    gid_t gid;
    gid_t groups[DAEMON_IDENTITY_GROUPS_MAX];  /**< supplementary groups */
    int n_groups;
    char name[64];        /**< the user's name, or "uid N" without one */
};

/**
 * The credentials of the process once daemon_drop_privileges(@p id) has
 * run: id's uid and gid and the groups initgroups(id->name, id->gid)
 * gives (getgrouplist(3)) when id->change, else the calling process's
 * own (effective uid and gid, getgroups(2)).  Returns 0, or -1 with a
 * message in @p err.
 */
int daemon_identity_creds(const struct daemon_identity *id,
                          struct daemon_identity_creds *out,
                          char *err, size_t errlen);

/**
 * 1 when @p c may access a file of status @p st as @p want asks (an OR
 * of R_OK, W_OK, X_OK), else 0: the owner's bits when c->uid owns it, the
 * group's when c's gid or one of its groups is the file's group, else the
 * others' (the kernel looks at the first class that applies, never at
 * several).  uid 0 may read and write anything, and execute (search)
 * what has one x bit or is a directory.  ACLs and capabilities other than
 * root's are not considered.
 */
int daemon_identity_may(const struct daemon_identity_creds *c,
                        const struct stat *st, int want);

#endif /* MTAMON_DAEMON_IDENTITY_H */
