/*
 * probe_roundtrip_pop3.c - the round trip's POP3 mailbox: a session per
 * poll (a POP3 maildrop does not change under an open session): STAT,
 * TOP n 0 of the newest messages for their X-Mtamon-Probe header, DELE
 * of this round's message and of earlier rounds' ones, QUIT (which
 * commits the deletions).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monotonic.h"
#include "probe_pop3.h"
#include "probe_roundtrip.h"

/* The tag of the header read by TOP, "" when there is none. */
struct top {
    char tag[PROBE_ROUNDTRIP_TAG_MAX];
};

static void on_top_line(void *ctx, const char *line)
{
    struct top *t = ctx;
    if (!t->tag[0])
        probe_roundtrip_header(line, t->tag, sizeof t->tag);
}

/* DELE message @p n. */
static int dele(probe_conn *c, unsigned long n, const struct probe_roundtrip_poll *p,
                const char *step)
{
    char cmd[48];
    snprintf(cmd, sizeof cmd, "DELE %lu", n);
    return probe_pop3_command(c, cmd, p->deadline_ms, NULL, 0, p->out, step, "dele");
}

/* One session: 1 with this round's message deleted (steps added), 0
 * when it is not there yet, -1 on failure. */
static int poll_once(const struct probe_roundtrip_poll *p)
{
    struct probe_check scratch;
    memset(&scratch, 0, sizeof scratch);
    probe_conn *c = probe_conn_open(&p->conf->mailbox, p->tls, p->deadline_ms, &scratch);
    if (!c) {
        probe_fail(p->out, "deliver", "%s", scratch.error);
        return -1;
    }
    int rc = -1;
    char text[PROBE_POP3_LINE_MAX];
    if (probe_pop3_open_session(c, &p->conf->mailbox, 0, "deliver", p->deadline_ms, p->out) < 0)
        goto out;
    if (probe_pop3_command(c, "STAT", p->deadline_ms, text, sizeof text, p->out, "deliver",
                           "stat") < 0)
        goto out;
    char *end;
    unsigned long count = strtoul(text, &end, 10);
    if (end == text) {
        probe_fail(p->out, "deliver", "stat: not a POP3 STAT reply: +OK %s", text);
        goto out;
    }
    unsigned long found = 0;
    /* the newest first: a dedicated mailbox holds few messages */
    for (unsigned long n = count, seen = 0; n >= 1 && seen < PROBE_ROUNDTRIP_HITS_MAX;
         n--, seen++) {
        char cmd[48];
        struct top t = {""};
        snprintf(cmd, sizeof cmd, "TOP %lu 0", n);
        if (probe_pop3_command(c, cmd, p->deadline_ms, NULL, 0, p->out, "deliver", "top") < 0 ||
            probe_pop3_read_multi(c, p->deadline_ms, on_top_line, &t, p->out, "deliver",
                                  "top") < 0)
            goto out;
        if (!t.tag[0])
            continue;
        enum probe_roundtrip_match m = probe_roundtrip_match(t.tag, p->conf->name, p->tag);
        if (m == PROBE_ROUNDTRIP_THIS)
            found = n;
        else if (m == PROBE_ROUNDTRIP_STALE && dele(c, n, p, "deliver") < 0)
            goto out;
    }
    if (!found) {
        /* QUIT commits the stale messages' deletion */
        rc = probe_pop3_command(c, "QUIT", p->deadline_ms, NULL, 0, p->out, "deliver",
                                "quit") < 0 ? -1 : 0;
        goto out;
    }
    probe_step_add(p->out, "deliver", p->sent_ms);
    int64_t start = monotonic_ms();
    if (dele(c, found, p, "delete") < 0 ||
        probe_pop3_command(c, "QUIT", p->deadline_ms, NULL, 0, p->out, "delete", "quit") < 0)
        goto out;
    probe_step_add(p->out, "delete", start);
    rc = 1;
out:
    probe_conn_close(c);
    return rc;
}

int probe_roundtrip_pop3(const struct probe_roundtrip_poll *p)
{
    for (;;) {
        int64_t next = monotonic_ms() + (p->conf->poll_ms ? p->conf->poll_ms : 1000);
        int rc = poll_once(p);
        if (rc > 0)
            return 0;
        if (rc < 0) {
            /* a poll cut by the deadline is a message that did not come */
            if (monotonic_ms() >= p->deadline_ms && p->out->n_steps == 1)
                probe_roundtrip_late(p);
            return -1;
        }
        if (probe_roundtrip_wait(next, p->deadline_ms) < 0) {
            probe_roundtrip_late(p);
            return -1;
        }
    }
}
