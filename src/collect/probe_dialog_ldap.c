/*
 * probe_dialog_ldap.c - the ldap kind (RFC 4511), as immonitor-access
 * checked a directory: [StartTLS], a simple bind (the credentials' user
 * as the DN and its password; anonymous without credentials), and when
 * conf->ldap_search is set a base-object search of that entry, then an
 * UnbindRequest and close.  Steps: "starttls" (the extended operation
 * and the TLS handshake), "bind", "search".
 *
 * Each step sends one request and reads whole LDAPMessages (header, then
 * content, at most BER_MESSAGE_MAX bytes each, through ber.c) until the
 * answer to it.  A resultCode other than success fails the step with
 * reply_code = resultCode and the error "STEP: CODE NAME: diagnostic"
 * ("search: 32 noSuchObject: no such entry").  The search passes when a
 * SearchResultEntry came and SearchResultDone says success.
 */
#include "probe_dialog.h"

#include <stdlib.h>
#include <string.h>

#include "ber.h"
#include "monotonic.h"

/* Most messages read for one request (entries, references, intermediate
 * responses) before the probe gives up on the server. */
#define PROBE_LDAP_REPLIES_MAX 32

/* Room for the probe's own requests: a DN and a password from the
 * configuration plus a few dozen bytes of structure. */
#define PROBE_LDAP_REQUEST_MAX 4096

/* The dialog's state: the connection, the next messageID, the buffer of
 * the last message read (which the decoded strings point into). */
struct probe_ldap {
    probe_conn *c;
    int64_t deadline_ms;
    struct probe_check *out;
    int32_t next_id;
    uint8_t *buf;
    size_t cap;
};

/* Send one request made by ber_encode_*; 0 or -1 with out->error. */
static int probe_ldap_send(struct probe_ldap *l, const char *step, const uint8_t *req,
                           size_t len)
{
    char why[PROBE_ERROR_MAX] = "";
    if (probe_conn_write(l->c, req, len, l->deadline_ms, why, sizeof why) < 0) {
        probe_fail(l->out, step, "%s", why);
        return -1;
    }
    return 0;
}

/* Read one whole LDAPMessage and decode it into @p msg; 0, or -1 with
 * out->error set. */
static int probe_ldap_read(struct probe_ldap *l, const char *step, struct ber_message *msg)
{
    char why[PROBE_ERROR_MAX] = "";
    uint8_t head[BER_HEAD_MAX];
    size_t more, content;
    if (probe_conn_read_exact(l->c, head, 2, l->deadline_ms, why, sizeof why) < 0) {
        probe_fail(l->out, step, "%s", why);
        return -1;
    }
    if (ber_head_more(head, &more, why, sizeof why) < 0) {
        probe_fail(l->out, step, "malformed reply: %s", why);
        return -1;
    }
    if (more && probe_conn_read_exact(l->c, head + 2, more, l->deadline_ms, why, sizeof why) < 0) {
        probe_fail(l->out, step, "%s", why);
        return -1;
    }
    if (ber_head_length(head, 2 + more, &content, why, sizeof why) < 0) {
        probe_fail(l->out, step, "malformed reply: %s", why);
        return -1;
    }
    size_t total = 2 + more + content;
    if (total > l->cap) {
        uint8_t *grown = realloc(l->buf, total);
        if (!grown) {
            probe_fail(l->out, step, "out of memory");
            return -1;
        }
        l->buf = grown;
        l->cap = total;
    }
    memcpy(l->buf, head, 2 + more);
    if (content && probe_conn_read_exact(l->c, l->buf + 2 + more, content, l->deadline_ms,
                                         why, sizeof why) < 0) {
        probe_fail(l->out, step, "%s", why);
        return -1;
    }
    if (ber_message_decode(l->buf, total, msg, why, sizeof why) < 0) {
        probe_fail(l->out, step, "malformed reply: %s", why);
        return -1;
    }
    return 0;
}

/* Fail @p step with the LDAPResult of @p msg. */
static void probe_ldap_fail_result(struct probe_ldap *l, const char *step,
                                   const struct ber_message *msg)
{
    l->out->reply_code = msg->result_code;
    if (msg->diagnostic.len)
        probe_fail(l->out, step, "%d %s: %.*s", (int)msg->result_code,
                   ber_result_name(msg->result_code), (int)msg->diagnostic.len,
                   (const char *)msg->diagnostic.p);
    else
        probe_fail(l->out, step, "%d %s", (int)msg->result_code,
                   ber_result_name(msg->result_code));
}

/*
 * Read the answer to request @p id: the message of op @p want_op (0, or
 * -1 with out->error).  SearchResultEntry messages on the way are counted
 * into *@p entries (when not NULL); references and intermediate
 * responses are skipped; a notice of disconnection (messageID 0) or a
 * message for another request fails the step.
 */
static int probe_ldap_answer(struct probe_ldap *l, const char *step, int32_t id,
                             unsigned want_op, struct ber_message *msg, unsigned *entries)
{
    for (unsigned n = 0; n < PROBE_LDAP_REPLIES_MAX; n++) {
        if (probe_ldap_read(l, step, msg) < 0)
            return -1;
        if (msg->message_id == 0 && msg->op == BER_OP_EXTENDED_RESPONSE) {
            /* RFC 4511 4.4.1: the server is about to close. */
            l->out->reply_code = msg->result_code;
            probe_fail(l->out, step, "notice of disconnection: %d %s: %.*s",
                       (int)msg->result_code, ber_result_name(msg->result_code),
                       (int)msg->diagnostic.len, (const char *)msg->diagnostic.p);
            return -1;
        }
        if (msg->message_id != id) {
            probe_fail(l->out, step, "reply to messageID %ld, expected %ld",
                       (long)msg->message_id, (long)id);
            return -1;
        }
        if (msg->op == want_op)
            return 0;
        if (msg->op == BER_OP_SEARCH_ENTRY && entries) {
            (*entries)++;
            continue;
        }
        if ((msg->op == BER_OP_SEARCH_REFERENCE && entries) ||
            msg->op == BER_OP_INTERMEDIATE_RESPONSE)
            continue;
        const char *got = ber_op_name(msg->op), *wanted = ber_op_name(want_op);
        probe_fail(l->out, step, "unexpected %s, expected %s", got ? got : "op",
                   wanted ? wanted : "another");
        return -1;
    }
    probe_fail(l->out, step, "more than %d replies", PROBE_LDAP_REPLIES_MAX);
    return -1;
}

/* StartTLS extended operation, then the handshake. */
static int probe_ldap_starttls(struct probe_ldap *l)
{
    int64_t start = monotonic_ms();
    uint8_t req[64];
    size_t len;
    char why[PROBE_ERROR_MAX] = "";
    struct ber_message msg;
    int32_t id = l->next_id++;
    if (ber_encode_starttls(req, sizeof req, &len, id, why, sizeof why) < 0) {
        probe_fail(l->out, "starttls", "%s", why);
        return -1;
    }
    if (probe_ldap_send(l, "starttls", req, len) < 0 ||
        probe_ldap_answer(l, "starttls", id, BER_OP_EXTENDED_RESPONSE, &msg, NULL) < 0)
        return -1;
    if (msg.result_code != BER_RESULT_SUCCESS) {
        probe_ldap_fail_result(l, "starttls", &msg);
        return -1;
    }
    if (probe_conn_start_tls(l->c, l->deadline_ms, why, sizeof why) < 0) {
        probe_fail(l->out, "starttls", "%s", why);
        return -1;
    }
    probe_step_add(l->out, "starttls", start);
    return 0;
}

static int probe_ldap_bind(struct probe_ldap *l, const struct config_probe_endpoint *ep)
{
    int64_t start = monotonic_ms();
    uint8_t req[PROBE_LDAP_REQUEST_MAX];
    size_t len;
    char why[PROBE_ERROR_MAX] = "";
    struct ber_message msg;
    int32_t id = l->next_id++;
    const char *dn = ep->user ? ep->user : "";
    const char *password = dn[0] && ep->password ? ep->password : "";
    if (ber_encode_bind(req, sizeof req, &len, id, dn, password, why, sizeof why) < 0) {
        probe_fail(l->out, "bind", "%s", why);
        return -1;
    }
    int rc = probe_ldap_send(l, "bind", req, len);
    /* The password leaves no copy on the stack. */
    memset(req, 0, sizeof req);
    if (rc < 0 || probe_ldap_answer(l, "bind", id, BER_OP_BIND_RESPONSE, &msg, NULL) < 0)
        return -1;
    if (msg.result_code != BER_RESULT_SUCCESS) {
        probe_ldap_fail_result(l, "bind", &msg);
        return -1;
    }
    probe_step_add(l->out, "bind", start);
    return 0;
}

static int probe_ldap_search(struct probe_ldap *l, const char *base)
{
    int64_t start = monotonic_ms();
    uint8_t req[PROBE_LDAP_REQUEST_MAX];
    size_t len;
    char why[PROBE_ERROR_MAX] = "";
    struct ber_message msg;
    int32_t id = l->next_id++;
    /* The server's own time limit: what is left of the check, in whole
     * seconds rounded up (timeLimit 0 would mean none). */
    int64_t left_ms = l->deadline_ms - start;
    int32_t limit_s = left_ms <= 1000 ? 1 : left_ms >= 86400000 ? 86400
                                                                : (int32_t)((left_ms + 999) / 1000);
    if (ber_encode_search(req, sizeof req, &len, id, base, limit_s, why, sizeof why) < 0) {
        probe_fail(l->out, "search", "%s", why);
        return -1;
    }
    unsigned entries = 0;
    if (probe_ldap_send(l, "search", req, len) < 0 ||
        probe_ldap_answer(l, "search", id, BER_OP_SEARCH_DONE, &msg, &entries) < 0)
        return -1;
    if (msg.result_code != BER_RESULT_SUCCESS) {
        probe_ldap_fail_result(l, "search", &msg);
        return -1;
    }
    if (entries == 0) {
        probe_fail(l->out, "search", "no entry returned for \"%s\"", base);
        return -1;
    }
    probe_step_add(l->out, "search", start);
    return 0;
}

void probe_dialog_ldap(const struct config_probe *conf, probe_tls *tls,
                       int64_t deadline_ms, struct probe_check *out)
{
    probe_conn *c = probe_conn_open(&conf->server, tls, deadline_ms, out);
    if (!c)
        return;
    struct probe_ldap l = {c, deadline_ms, out, 1, NULL, 0};
    if (conf->server.tls == CONFIG_TLS_STARTTLS && probe_ldap_starttls(&l) < 0)
        goto out;
    if (probe_ldap_bind(&l, &conf->server) < 0)
        goto out;
    if (conf->ldap_search && conf->ldap_search[0] &&
        probe_ldap_search(&l, conf->ldap_search) < 0)
        goto out;
    out->ok = 1;
out:
    /* While the session stands (it passed, or the server answered with
     * a resultCode), say goodbye: UnbindRequest has no answer, so it is
     * sent and nothing is awaited; failing to send it fails nothing. */
    if (out->ok || out->reply_code) {
        uint8_t req[16];
        size_t len;
        char why[PROBE_ERROR_MAX];
        if (ber_encode_unbind(req, sizeof req, &len, l.next_id, why, sizeof why) == 0)
            (void)probe_conn_write(c, req, len, deadline_ms, why, sizeof why);
    }
    probe_conn_close(c);
    free(l.buf);
}
