/*
 * probe.c - one check of a probe target and the running result of its
 * checks (see probe.h).  The dialogs (probe_dialog_*.c) do the talking;
 * this file makes what stays between checks, sets the check's one
 * deadline, picks the dialog by kind and adds the results up.
 */
#include "probe.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monotonic.h"
#include "probe_conn.h"
#include "probe_dialog.h"

struct probe {
    const struct config_probe *conf;
    probe_tls *tls;            /* the server's */
    probe_tls *mailbox_tls;    /* the round trip's mailbox; NULL otherwise */
    struct probe_roundtrip_state roundtrip;
};

/* A random run id (hex), so a round trip's tags differ from those of an
 * earlier mtamond; falls back to the pid and the clock. */
static void probe_run_id(char *out, size_t len)
{
    unsigned char raw[8] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, raw, sizeof raw) : -1;
    if (fd >= 0)
        close(fd);
    if (n != (ssize_t)sizeof raw) {
        uint64_t v = (uint64_t)getpid() << 32 ^ (uint64_t)monotonic_ms();
        memcpy(raw, &v, sizeof raw);
    }
    size_t o = 0;
    for (size_t i = 0; i < sizeof raw && o + 2 < len; i++)
        o += (size_t)snprintf(out + o, len - o, "%02x", raw[i]);
}

probe *probe_new(const struct config_probe *conf, char *err, size_t errlen)
{
    probe *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "%s: out of memory", conf->name);
        return NULL;
    }
    p->conf = conf;
    char why[512] = "";
    p->tls = probe_tls_new(&conf->server, why, sizeof why);
    if (p->tls && conf->kind == CONFIG_PROBE_ROUNDTRIP)
        p->mailbox_tls = probe_tls_new(&conf->mailbox, why, sizeof why);
    if (!p->tls || (conf->kind == CONFIG_PROBE_ROUNDTRIP && !p->mailbox_tls)) {
        snprintf(err, errlen, "probe %s: %s", conf->name, why);
        probe_free(p);
        return NULL;
    }
    probe_run_id(p->roundtrip.run_id, sizeof p->roundtrip.run_id);
    return p;
}

void probe_check(probe *p, struct probe_check *out)
{
    const struct config_probe *conf = p->conf;
    memset(out, 0, sizeof *out);
    int64_t start = monotonic_ms();
    int64_t deadline = start + (int64_t)conf->timeout_ms;
    switch (conf->kind) {
    case CONFIG_PROBE_TCP:
        probe_dialog_tcp(conf, p->tls, deadline, out);
        break;
    case CONFIG_PROBE_SMTP:
    case CONFIG_PROBE_LMTP:
        probe_dialog_smtp(conf, p->tls, deadline, out);
        break;
    case CONFIG_PROBE_IMAP:
        probe_dialog_imap(conf, p->tls, deadline, out);
        break;
    case CONFIG_PROBE_POP3:
        probe_dialog_pop3(conf, p->tls, deadline, out);
        break;
    case CONFIG_PROBE_HTTP:
        probe_dialog_http(conf, p->tls, deadline, out);
        break;
    case CONFIG_PROBE_LDAP:
        probe_dialog_ldap(conf, p->tls, deadline, out);
        break;
    case CONFIG_PROBE_ROUNDTRIP:
        probe_dialog_roundtrip(conf, p->tls, p->mailbox_tls, &p->roundtrip, deadline, out);
        break;
    default:
        probe_fail(out, "check", "unknown kind %d", (int)conf->kind);
        break;
    }
    int64_t ms = monotonic_ms() - start;
    out->total_ms = ms < 0 ? 0 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
    if (out->ok)
        out->error[0] = '\0';
    else if (!out->error[0])
        probe_fail(out, "check", "failed");
}

void probe_free(probe *p)
{
    if (!p)
        return;
    probe_tls_free(p->tls);
    probe_tls_free(p->mailbox_tls);
    free(p);
}

void probe_result_add(struct probe_result *r, const struct probe_check *check,
                      unsigned slow_ms, time_t now)
{
    enum probe_state state;
    if (!check->ok)
        state = PROBE_DOWN;
    else if (slow_ms && check->total_ms > slow_ms)
        state = PROBE_SLOW;
    else
        state = PROBE_UP;
    r->last = *check;
    r->last_check = now;
    r->checks++;
    if (state == PROBE_DOWN) {
        r->failures++;
        r->consecutive_failures++;
        r->last_failure = now;
        memcpy(r->last_error, check->error, sizeof r->last_error);
        r->last_error[sizeof r->last_error - 1] = '\0';
    } else {
        r->consecutive_failures = 0;
        r->last_success = now;
    }
    if (state != r->state) {
        r->state = state;
        r->last_change = now;
    }
}

const char *probe_state_name(enum probe_state state)
{
    switch (state) {
    case PROBE_UP:
        return "up";
    case PROBE_SLOW:
        return "slow";
    case PROBE_DOWN:
        return "down";
    case PROBE_NOT_YET:
    default:
        return "notYet";
    }
}
