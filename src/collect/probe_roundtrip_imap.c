/*
 * probe_roundtrip_imap.c - the round trip's IMAP mailbox: one session,
 * polled with UID SEARCH HEADER X-Mtamon-Probe "NAME." until this
 * round's message shows up; earlier rounds' messages found on the way
 * are deleted (UID STORE \Deleted, then UID EXPUNGE or EXPUNGE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "monotonic.h"
#include "probe_imap.h"
#include "probe_roundtrip.h"

/* What one poll found. */
struct found {
    const char *name, *tag;
    unsigned long uids[PROBE_ROUNDTRIP_HITS_MAX];  /* SEARCH hits */
    size_t n_uids;
    unsigned long this_uid;                         /* 0 = not yet */
    unsigned long stale[PROBE_ROUNDTRIP_HITS_MAX];
    size_t n_stale;
};

/* "* SEARCH 3 7 9" */
static void on_search(void *ctx, const struct probe_imap_untagged *u)
{
    struct found *f = ctx;
    if (strncasecmp(u->text, "* SEARCH", 8) != 0)
        return;
    const char *p = u->text + 8;
    while (*p == ' ') {
        char *end;
        p++;
        unsigned long uid = strtoul(p, &end, 10);
        if (end == p)
            break;
        if (uid && f->n_uids < PROBE_ROUNDTRIP_HITS_MAX)
            f->uids[f->n_uids++] = uid;
        p = end;
    }
}

/* "* N FETCH (UID U BODY[HEADER.FIELDS (X-MTAMON-PROBE)] {L}" + literal */
static void on_fetch(void *ctx, const struct probe_imap_untagged *u)
{
    struct found *f = ctx;
    const char *p = u->text + 2;
    while (*p >= '0' && *p <= '9')
        p++;
    if (strncasecmp(p, " FETCH ", 7) != 0 || u->n_lits < 1)
        return;
    const char *k = strstr(p, "UID ");
    if (!k || (k[-1] != '(' && k[-1] != ' '))
        return;
    unsigned long uid = strtoul(k + 4, NULL, 10);
    if (!uid)
        return;
    const char *lit = u->lit[0];
    char line[512], tag[PROBE_ROUNDTRIP_TAG_MAX];
    while (*lit) {
        size_t n = strcspn(lit, "\r\n");
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), lit);
        lit += n;
        lit += strspn(lit, "\r\n");
        if (probe_roundtrip_header(line, tag, sizeof tag) < 0)
            continue;
        enum probe_roundtrip_match m = probe_roundtrip_match(tag, f->name, f->tag);
        if (m == PROBE_ROUNDTRIP_THIS)
            f->this_uid = uid;
        else if (m == PROBE_ROUNDTRIP_STALE && f->n_stale < PROBE_ROUNDTRIP_HITS_MAX)
            f->stale[f->n_stale++] = uid;
        break;
    }
}

/* "1,5,9" of @p uids into @p buf (fits: HITS_MAX numbers of <= 20 digits). */
static void uid_set(char *buf, size_t len, const unsigned long *uids, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < len; i++) {
        int w = snprintf(buf + o, len - o, "%s%lu", i ? "," : "", uids[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* Flag @p uids \Deleted and expunge them. */
static int delete_uids(struct probe_imap *im, const unsigned long *uids, size_t n,
                       const struct probe_roundtrip_poll *p, const char *step)
{
    char set[PROBE_ROUNDTRIP_HITS_MAX * 22], cmd[sizeof set + 64];
    uid_set(set, sizeof set, uids, n);
    snprintf(cmd, sizeof cmd, "UID STORE %s +FLAGS.SILENT (\\Deleted)", set);
    if (probe_imap_command(im, cmd, p->deadline_ms, NULL, NULL, p->out, step, "store") < 0)
        return -1;
    if (!im->have_caps &&
        probe_imap_command(im, "CAPABILITY", p->deadline_ms, NULL, NULL, p->out, step,
                           "capability") < 0)
        return -1;
    if (probe_imap_has_cap(im, "UIDPLUS"))
        snprintf(cmd, sizeof cmd, "UID EXPUNGE %s", set);
    else
        snprintf(cmd, sizeof cmd, "EXPUNGE");
    return probe_imap_command(im, cmd, p->deadline_ms, NULL, NULL, p->out, step, "expunge");
}

/* One poll: search, fetch the hits' tags, delete stale ones.  0, or -1. */
static int poll_once(struct probe_imap *im, struct found *f, int first,
                     const struct probe_roundtrip_poll *p)
{
    char quoted[PROBE_ROUNDTRIP_TAG_MAX * 2 + 4], prefix[CONFIG_NAME_MAX * 2 + 4];
    char cmd[sizeof quoted + 64];
    f->n_uids = f->n_stale = 0;
    f->this_uid = 0;
    if (!first && probe_imap_command(im, "NOOP", p->deadline_ms, NULL, NULL, p->out, "deliver",
                                     "noop") < 0)
        return -1;
    snprintf(prefix, sizeof prefix, "%s.", f->name);
    if (probe_imap_quote(prefix, quoted, sizeof quoted) != 0) {
        probe_fail(p->out, "deliver", "probe name cannot be searched for");
        return -1;
    }
    snprintf(cmd, sizeof cmd, "UID SEARCH HEADER %s %s", PROBE_ROUNDTRIP_HEADER, quoted);
    if (probe_imap_command(im, cmd, p->deadline_ms, on_search, f, p->out, "deliver",
                           "search") < 0)
        return -1;
    if (f->n_uids == 0)
        return 0;
    char set[PROBE_ROUNDTRIP_HITS_MAX * 22], fetch[sizeof set + 80];
    uid_set(set, sizeof set, f->uids, f->n_uids);
    snprintf(fetch, sizeof fetch, "UID FETCH %s (UID BODY.PEEK[HEADER.FIELDS (%s)])", set,
             PROBE_ROUNDTRIP_HEADER);
    if (probe_imap_command(im, fetch, p->deadline_ms, on_fetch, f, p->out, "deliver",
                           "fetch") < 0)
        return -1;
    if (f->n_stale > 0 && delete_uids(im, f->stale, f->n_stale, p, "deliver") < 0)
        return -1;
    return 0;
}

int probe_roundtrip_imap(const struct probe_roundtrip_poll *p)
{
    const struct config_probe_endpoint *ep = &p->conf->mailbox;
    struct probe_check scratch;
    struct probe_imap im;
    struct found *f = calloc(1, sizeof *f);
    int rc = -1;
    memset(&im, 0, sizeof im);
    memset(&scratch, 0, sizeof scratch);
    if (!f) {
        probe_fail(p->out, "deliver", "out of memory");
        return -1;
    }
    f->name = p->conf->name;
    f->tag = p->tag;
    im.c = probe_conn_open(ep, p->tls, p->deadline_ms, &scratch);
    if (!im.c) {
        probe_fail(p->out, "deliver", "%s", scratch.error);
        goto out;
    }
    if (probe_imap_greeting(&im, p->deadline_ms, p->out, "deliver", "greeting") < 0)
        goto out;
    if (ep->tls == CONFIG_TLS_STARTTLS &&
        probe_imap_starttls(&im, p->deadline_ms, p->out, "deliver", "starttls") < 0)
        goto out;
    if (!im.preauth) {
        if (!ep->user || !ep->user[0]) {
            probe_fail(p->out, "deliver", "login: the mailbox has no credentials");
            goto out;
        }
        if (probe_imap_login(&im, ep->user, ep->password ? ep->password : "", p->deadline_ms,
                             p->out, "deliver", "login") < 0)
            goto out;
    }
    if (probe_imap_command(&im, "SELECT INBOX", p->deadline_ms, NULL, NULL, p->out, "deliver",
                           "select") < 0)
        goto out;
    for (int first = 1;; first = 0) {
        int64_t next = monotonic_ms() + (p->conf->poll_ms ? p->conf->poll_ms : 1000);
        if (poll_once(&im, f, first, p) < 0) {
            if (monotonic_ms() >= p->deadline_ms)
                probe_roundtrip_late(p);
            goto out;
        }
        if (f->this_uid)
            break;
        if (probe_roundtrip_wait(next, p->deadline_ms) < 0) {
            probe_roundtrip_late(p);
            goto out;
        }
    }
    probe_step_add(p->out, "deliver", p->sent_ms);
    int64_t start = monotonic_ms();
    if (delete_uids(&im, &f->this_uid, 1, p, "delete") < 0)
        goto out;
    /* the message is gone: a LOGOUT that fails does not fail the round */
    probe_imap_command(&im, "LOGOUT", p->deadline_ms, NULL, NULL, &scratch, "delete", "logout");
    probe_step_add(p->out, "delete", start);
    rc = 0;
out:
    probe_conn_close(im.c);
    free(f);
    return rc;
}
