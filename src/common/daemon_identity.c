/*
 * daemon_identity.c - daemon.user and daemon.group resolved, and what
 * the resulting credentials may do with a file (see daemon_identity.h).
 */
#include "daemon_identity.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* "unknown WHAT 'NAME'", with why when the lookup set errno. */
static int unknown(char *err, size_t errlen, const char *what, const char *name)
{
    snprintf(err, errlen, "unknown %s '%s'%s%s", what, name, errno ? ": " : "",
             errno ? strerror(errno) : "");
    return EX_NOUSER;
}

int daemon_identity_lookup(const char *user, const char *group,
                           struct daemon_identity *id,
                           char *err, size_t errlen)
{
    memset(id, 0, sizeof *id);
    if (!user || !*user)
        return 0;
    errno = 0;
    const struct passwd *pw = getpwnam(user);
    if (!pw)
        return unknown(err, errlen, "user", user);
    if (strlen(pw->pw_name) >= sizeof id->name) {
        snprintf(err, errlen, "user name '%s' is too long", user);
        return EX_NOUSER;
    }
    snprintf(id->name, sizeof id->name, "%s", pw->pw_name);
    id->uid = pw->pw_uid;
    id->gid = pw->pw_gid;
    if (group && *group) {
        errno = 0;
        const struct group *gr = getgrnam(group);
        if (!gr)
            return unknown(err, errlen, "group", group);
        id->gid = gr->gr_gid;
    }
    id->change = geteuid() == 0 && (id->uid != 0 || id->gid != getegid());
    return 0;
}

int daemon_identity_creds(const struct daemon_identity *id,
                          struct daemon_identity_creds *out,
                          char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (id->change) {
        out->uid = id->uid;
        out->gid = id->gid;
        snprintf(out->name, sizeof out->name, "%s", id->name);
        /* What initgroups(name, gid) in daemon_drop_privileges() sets. */
        int n = DAEMON_IDENTITY_GROUPS_MAX;
        if (getgrouplist(id->name, id->gid, out->groups, &n) < 0) {
            snprintf(err, errlen, "user %s: more than %d groups", id->name,
                     DAEMON_IDENTITY_GROUPS_MAX);
            return -1;
        }
        out->n_groups = n;
        return 0;
    }
    out->uid = geteuid();
    out->gid = getegid();
    int n = getgroups(DAEMON_IDENTITY_GROUPS_MAX, out->groups);
    if (n < 0) {
        snprintf(err, errlen, "cannot read this process's groups: %s",
                 strerror(errno));
        return -1;
    }
    out->n_groups = n;
    const struct passwd *pw = getpwuid(out->uid);
    if (pw && strlen(pw->pw_name) < sizeof out->name)
        snprintf(out->name, sizeof out->name, "%s", pw->pw_name);
    else
        snprintf(out->name, sizeof out->name, "uid %ld", (long)out->uid);
    return 0;
}

static int in_group(const struct daemon_identity_creds *c, gid_t gid)
{
    if (c->gid == gid)
        return 1;
    for (int i = 0; i < c->n_groups; i++)
        if (c->groups[i] == gid)
            return 1;
    return 0;
}

int daemon_identity_may(const struct daemon_identity_creds *c,
                        const struct stat *st, int want)
{
    if (c->uid == 0) {
        if (!(want & X_OK) || S_ISDIR(st->st_mode))
            return 1;
        return (st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
    }
    unsigned shift = st->st_uid == c->uid ? 6 : in_group(c, st->st_gid) ? 3 : 0;
    unsigned bits = ((unsigned)st->st_mode >> shift) & 7u;
    unsigned need = ((want & R_OK) ? 4u : 0) | ((want & W_OK) ? 2u : 0) |
                    ((want & X_OK) ? 1u : 0);
    return (bits & need) == need;
}
