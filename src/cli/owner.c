/*
 * owner.c - the group and mode a new segment is given (`counters create
 * --group --mode`), and how the confirmation line names the group.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

/*
 * getgrnam_r() (@p name not NULL) or getgrgid_r(), growing the buffer as
 * needed.  Returns 0 with *@p gr filled (its strings in *@p buf, to free),
 * ENOENT if there is no such group, or another errno value.
 */
static int group_lookup(const char *name, gid_t gid, struct group *gr, char **buf)
{
    long hint = sysconf(_SC_GETGR_R_SIZE_MAX);
    size_t size = hint > 0 ? (size_t)hint : 1024;
    *buf = NULL;
    for (;;) {
        char *b = malloc(size);
        if (!b)
            return ENOMEM;
        struct group *found = NULL;
        int e = name ? getgrnam_r(name, gr, b, size, &found)
                     : getgrgid_r(gid, gr, b, size, &found);
        if (found) {
            *buf = b;
            return 0;
        }
        free(b);
        if (e == ERANGE && size < ((size_t)1 << 24)) {
            size *= 2;
            continue;
        }
        /* getgrnam_r(3): "not found" may also come as one of these. */
        if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM)
            return ENOENT;
        return e;
    }
}

/*
 * --group: a group name, else a numeric gid (like chown(1), a name wins).
 * Returns EX_OK and sets *@p gid, or an exit status after a message.
 */
int owner_parse_group(const char *text, uint32_t *gid)
{
    struct group gr;
    char *buf = NULL;
    int e = text[0] ? group_lookup(text, 0, &gr, &buf) : ENOENT;
    if (e == 0) {
        *gid = (uint32_t)gr.gr_gid;
        free(buf);
        return EX_OK;
    }
    uint64_t v = 0;
    /* (gid_t)-1 means "no change" to chown(2): not a group. */
    if (parse_number_uint(text, 0, UINT32_MAX - 1, &v) == 0) {
        *gid = (uint32_t)v;
        return EX_OK;
    }
    if (e == ENOENT)
        return cli_usage_error(cli_counters_usage,
                               "counters create: unknown group '%s' (--group takes "
                               "a group name or number)", text);
    cli_errorf("counters create: cannot look up group '%s': %s", text, strerror(e));
    return EX_OSERR;
}

/*
 * --mode: octal permission bits ("0640", "660"), at most 07777; the library
 * judges which of them are allowed.  Returns 0 and sets *@p mode, or -1.
 */
int owner_parse_mode(const char *text, uint32_t *mode)
{
    size_t len = strlen(text);
    if (len == 0 || len > 6 || strspn(text, "01234567") != len)
        return -1;
    unsigned long v = strtoul(text, NULL, 8);
    if (v > 07777)
        return -1;
    *mode = (uint32_t)v;
    return 0;
}

/* ", group mail (gid 8)" or ", gid 4711" for the confirmation line. */
void owner_group_text(uint32_t gid, char *text, size_t len)
{
    struct group gr;
    char *buf = NULL;
    if (group_lookup(NULL, (gid_t)gid, &gr, &buf) == 0)
        snprintf(text, len, ", group %s (gid %u)", gr.gr_name, (unsigned)gid);
    else
        snprintf(text, len, ", gid %u", (unsigned)gid);
    free(buf);
}
