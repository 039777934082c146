/*
 * parse_postfix.c - Postfix syslog records into feed events.
 *
 * A line is "TIMESTAMP HOST TAG[PID]: MESSAGE".  TIMESTAMP is classic
 * syslog ("Nov 23 16:33:05", local time, year guessed: the current one, or
 * the previous one if that puts the line more than a day in the future) or
 * RFC 3339 ("2026-11-23T16:33:05.123456+01:00", "...+0100", "...Z").  TAG is
 * INSTANCE[/SERVICE]/PROGRAM, INSTANCE "postfix" or "postfix-NAME" (what
 * postmulti allows); any other tag is another program's line (SKIPPED).
 *
 * Channels: the service ("postfix/smtpd" -> "smtpd", "postfix/submission/
 * smtpd" -> "submission", "postfix/relay/smtp" -> "relay"), prefixed by the
 * instance when it is not "postfix" ("postfix-out/smtp").  On a delivery
 * channel a message is one recipient copy (README, "Postfix").
 *
 *  record (MESSAGE)                                  events
 *  ------------------------------------------------  -----------------------------
 *  connect from HOST[IP]                             ASSOC_OPEN in, remote HOST[IP],
 *                                                    key TAG[PID]
 *  disconnect from HOST[IP] ...                      ASSOC_CLOSE key TAG[PID]
 *  postscreen CONNECT from [IP]:PORT to ...          ASSOC_OPEN in on "postscreen",
 *                                                    key TAG[PID]:[IP]:PORT
 *  postscreen PASS NEW|PASS OLD|WHITELISTED|         ASSOC_CLOSE that key (the client
 *    ALLOWLISTED|DISCONNECT [IP]:PORT                goes to smtpd, which opens its own)
 *  postscreen HANGUP ..., PREGREET, DNSBL ...        KNOWN (DISCONNECT follows)
 *  NOQUEUE|QID: reject: VERB from CLIENT: 554 5.7.1  REJECT on the channel, rcpts 1,
 *    TEXT; from=<a> to=<b> ...                       octets 0, status 5.7.1 (or the
 *  (also milter-reject:, postscreen's)               3-digit code), reason TEXT
 *  QID: reject: header|body ...: 5.7.1 TEXT          REJECT on "cleanup" (status, TEXT);
 *    (cleanup header/body checks)                    the queue id is forgotten
 *  reject_warning:, hold:, discard:, filter: ...     KNOWN
 *  QID: client=HOST[IP]                              KNOWN; source of QID = channel
 *  pickup QID: uid=N from=<a> (or sender=)           KNOWN; source of QID = channel
 *  bounce QID: sender non-delivery notification: N   KNOWN; source of N = channel;
 *                                                    if N was delivered already
 *                                                    (the daemons log apart),
 *                                                    even removed already:
 *                                                    SUBMIT on the channel now
 *  QID: from=<a>, size=N, nrcpt=M (queue active)     KNOWN; size of QID = N
 *  QID: to=<b>, [orig_to=<c>,] relay=R, ...,         (per recipient, on the channel T)
 *    delay=D, delays=..., dsn=X.Y.Z, status=S (...)
 *      S = sent                                      ENQUEUE T unless the recipient is
 *                                                    pending on T, then DEQUEUE T rcpts 1,
 *                                                    octets size, queue_ms D*1000,
 *                                                    first = no deferral of QID before;
 *                                                    "(forwarded as N)": source of N = T
 *      S = bounced | expired                         ENQUEUE T unless pending, FAIL T
 *                                                    rcpts 1, octets size, status dsn
 *      S = deferred | SOFTBOUNCE                     by a delivery agent: ENQUEUE T and
 *                                                    mark the recipient pending on T,
 *                                                    unless already pending; by qmgr
 *                                                    (relay=none): nothing queued; then
 *                                                    TEMPFAIL T rcpts 1, octets size, dsn
 *      S = deliverable | undeliverable               KNOWN (address verification)
 *  qmgr QID: from=<a>, status=expired, returned ...  FAIL (5.4.7) of every recipient
 *                                                    pending, on its transport; if none,
 *                                                    ENQUEUE + FAIL on the last transport
 *                                                    that deferred QID, else "qmgr"
 *  qmgr QID: removed                                 FAIL (status 0) of every recipient
 *                                                    still pending (postsuper -d), then
 *                                                    QID is forgotten
 *  connect to HOST[IP]:PORT: REASON                  ASSOC_FAIL on the channel, 4.4.1,
 *                                                    reason = the message
 *  [QID: ]lost connection with HOST[IP] while ...,   ASSOC_FAIL on the channel, 4.4.2,
 *  [QID: ]conversation with HOST[IP] timed out ...   reason = the message
 *  warning: (SASL authentication failures too),      KNOWN (a failed AUTH does not
 *    anything else of a postfix tag                  refuse the association)
 *
 * Only the first ENQUEUE of a queue id carries its source: a source
 * channel's Submitted counts queue ids, once each.
 *
 * UNPARSED: a header that cannot be read (timestamp, host, tag, ": "), an
 * empty message, a channel name that is too long or not printable, and a
 * record of a counted kind that is malformed (a status line without
 * status=, an unknown status, a bad delay or size, a reject without client
 * or code, an empty remote).  An UNPARSED line emits nothing.
 *
 * State: queue ids in a chained hash table that doubles from PF_QIDS_START
 * up to PF_QIDS entries, then evicts the oldest; per queue id its source,
 * size, whether it was deferred, and up to PF_PENDING pending recipients (a
 * hash of transport and address).  A deferred recipient that does not fit is not counted as
 * queued (its later final status counts the ENQUEUE), so Stored stays
 * exact.  Channel names a queue id refers to are interned (feed_names.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "feed_event.h"
#include "feed_names.h"
#include "feed_text.h"
#include "feed_qid.h"
#include "feed_status.h"
#include "feed_syslog.h"
#include "feed_time.h"
#include "fnv1a.h"

#define PF_QIDS 65536u     /* queue ids remembered at most (power of two) */
#define PF_QIDS_START 1024u /* first table size; doubles up to PF_QIDS */
#define PF_PENDING 8       /* pending recipients per queue id */
#define PF_QID_MAX 23      /* longest queue id */
_Static_assert(PF_QID_MAX <= FEED_QID_MAX, "ids must fit feed_qid.h's entries");

#define STATUS_EXPIRED 5004007u       /* 5.4.7 delivery time expired */
#define STATUS_CONNECT_FAILED 4004001u /* 4.4.1 no answer from host */
#define STATUS_BAD_CONNECTION 4004002u /* 4.4.2 bad connection */

enum pf_flags {
    PF_DEFERRED = 1u << 0,  /* a recipient was deferred */
    PF_SUBMITTED = 1u << 1, /* its first ENQUEUE (with the source) is done */
    PF_HAS_SIZE = 1u << 2,
    PF_NO_SOURCE = 1u << 3, /* its first ENQUEUE had no source yet */
    PF_REMOVED = 1u << 4,   /* qmgr removed it with PF_NO_SOURCE: kept only
                             * for bounce(8)'s line naming it, which may
                             * come even later */
};

struct pf_qid {
    struct feed_qid head; /* first: the table's */
    uint8_t flags;
    uint8_t n_pending;
    uint16_t source;         /* interned name index + 1, 0 = unknown */
    uint16_t last_transport; /* last one that deferred it, 0 = none */
    uint64_t size;
    struct feed_qid_pending pending[PF_PENDING];
};

struct pf_state {
    struct feed_qid_table qids; /* struct pf_qid entries */
    struct feed_names names; /* channels the entries name */
    struct feed_time_classic classic; /* classic timestamps' cache */
};

/* What the header of the line being parsed says. */
struct pf_line {
    struct pf_state *st;
    feed_emit_fn emit;
    void *ctx;
    int64_t time_ms;
    const char *tag;       /* INSTANCE/.../PROGRAM[PID] */
    size_t key_len;        /* tag through "]" (or the name without pid) */
    const char *prog;      /* last component of the tag */
    size_t prog_len;
    char channel[FEED_NAME_MAX + 1];
    size_t channel_len;
};

/* ------------------------------------------------------------------------ */
/* Small scanning helpers                                                    */

#define LIT(s) (s), (sizeof(s) - 1)


/* ------------------------------------------------------------------------ */
/* Interned channel names and queue ids                                      */

/* Length of a queue id at @p p followed by ": ", else 0.  Short ids are
 * upper-case hex; long ids are 10+ characters of Postfix's vowel-free
 * base-51 alphabet, a 'z', then more (so no English word passes). */
static size_t qid_len(const char *p, const char *end)
{
    size_t n = 0, max = (size_t)(end - p);
    int hex = 1, lng = 1, z = 0;
    while (n < max && n <= PF_QID_MAX) {
        char c = p[n];
        int digit = feed_text_is_digit(c);
        int up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z';
        if (!digit && !up && !low)
            break;
        if (!digit && !(c >= 'A' && c <= 'F'))
            hex = 0;
        if (strchr("AEIOUaeiou", c))
            lng = 0;
        if (c == 'z') {
            if (z || n < 10)
                lng = 0;
            z = 1;
        }
        n++;
    }
    if (n > PF_QID_MAX || n + 2 > max || p[n] != ':' || p[n + 1] != ' ')
        return 0;
    if (hex && n >= 6)
        return n;
    if (lng && z && p[n - 1] != 'z')
        return n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */

/* Emit a message-counting event: @p kind on @p channel, one recipient. */
static void emit_msg(const struct pf_line *L, enum feed_event_kind kind,
                     const char *channel, const char *src, uint64_t octets,
                     mtamon_status_code status)
{
    struct feed_event ev;
    feed_event_init(&ev, kind, L->time_ms, channel);
    feed_text_copy_bounded(ev.src, sizeof ev.src, src, strlen(src));
    ev.recipients = 1;
    ev.octets = octets;
    ev.status = status;
    L->emit(L->ctx, &ev);
}

/* ENQUEUE one recipient copy of @p e to @p channel; the first of a queue
 * id carries its source. */
static void emit_enqueue(const struct pf_line *L, struct pf_qid *e,
                         const char *channel)
{
    const char *src = "";
    if (!(e->flags & PF_SUBMITTED)) {
        src = feed_names_of(&L->st->names, e->source);
        e->flags |= PF_SUBMITTED;
        if (!e->source)
            e->flags |= PF_NO_SOURCE;
    }
    emit_msg(L, FEED_ENQUEUE, channel, src,
             (e->flags & PF_HAS_SIZE) ? e->size : 0, 0);
}

/* FAIL every pending recipient of @p e with @p status, and forget them. */
static int fail_pending(const struct pf_line *L, struct pf_qid *e,
                        mtamon_status_code status)
{
    int n = e->n_pending;
    for (int i = 0; i < n; i++)
        emit_msg(L, FEED_FAIL, feed_names_of(&L->st->names, e->pending[i].transport), "",
                 (e->flags & PF_HAS_SIZE) ? e->size : 0, status);
    e->n_pending = 0;
    return n;
}

/* Skip "ddd " and "d.d.d " at *@p p; returns the status they make. */
static mtamon_status_code skip_codes(const char **pp, const char *end)
{
    const char *p = *pp, *start = p;
    if (end - p >= 3 && feed_text_is_digit(p[0]) && feed_text_is_digit(p[1]) && feed_text_is_digit(p[2]) &&
        (end - p == 3 || p[3] == ' ' || p[3] == '-')) {
        p += 3;
        if (p < end)
            p++;
    }
    const char *q = p;
    int dots = 0, ok = 0;
    while (q < end && (feed_text_is_digit(*q) || *q == '.')) {
        dots += *q == '.';
        q++;
    }
    if (q > p && dots == 2 && feed_text_is_digit(*p) && feed_text_is_digit(q[-1]))
        ok = 1;
    if (ok) {
        p = q;
        if (p < end && *p == ' ')
            p++;
    }
    mtamon_status_code code = feed_status_of(start, p);
    *pp = p;
    return code;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                   */

/* Key of an association: the tag through its pid, plus @p extra. */
static int make_key(const struct pf_line *L, char *key, const char *extra,
                    size_t extra_len)
{
    if (L->key_len + extra_len > FEED_KEY_MAX)
        return 0;
    memcpy(key, L->tag, L->key_len);
    memcpy(key + L->key_len, extra, extra_len);
    key[L->key_len + extra_len] = '\0';
    return 1;
}

/* "connect from HOST[IP]" / "disconnect from HOST[IP] ...". */
static enum feed_line_result assoc_smtpd(const struct pf_line *L,
                                         const char *p, const char *end,
                                         int open)
{
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    const char *rend = sp ? sp : end;
    if (rend == p)
        return FEED_LINE_UNPARSED;
    struct feed_event ev;
    feed_event_init(&ev, open ? FEED_ASSOC_OPEN : FEED_ASSOC_CLOSE, L->time_ms,
                    L->channel);
    ev.direction = MTAMON_INBOUND;
    if (!make_key(L, ev.key, "", 0))
        return FEED_LINE_UNPARSED;
    if (open)
        feed_text_copy_bounded(ev.remote, sizeof ev.remote, p, (size_t)(rend - p));
    L->emit(L->ctx, &ev);
    return FEED_LINE_COUNTED;
}

/* A postscreen client "[IP]:PORT" at p (ends at a space or the end). */
static enum feed_line_result assoc_postscreen(const struct pf_line *L,
                                              const char *p, const char *end,
                                              int open)
{
    const char *sp = memchr(p, ' ', (size_t)(end - p));
    const char *rend = sp ? sp : end;
    if (rend - p < 3 || *p != '[')
        return FEED_LINE_UNPARSED;
    struct feed_event ev;
    feed_event_init(&ev, open ? FEED_ASSOC_OPEN : FEED_ASSOC_CLOSE, L->time_ms,
                    L->channel);
    ev.direction = MTAMON_INBOUND;
    char extra[FEED_KEY_MAX + 2];
    extra[0] = ':';
    size_t n = (size_t)(rend - p);
    if (n > FEED_KEY_MAX)
        return FEED_LINE_UNPARSED;
    memcpy(extra + 1, p, n);
    if (!make_key(L, ev.key, extra, n + 1))
        return FEED_LINE_UNPARSED;
    if (open)
        feed_text_copy_bounded(ev.remote, sizeof ev.remote, p, n);
    L->emit(L->ctx, &ev);
    return FEED_LINE_COUNTED;
}

/* "connect to ...", "lost connection with ...", "conversation with ...". */
static enum feed_line_result assoc_fail(const struct pf_line *L, const char *p,
                                        const char *end,
                                        mtamon_status_code status)
{
    struct feed_event ev;
    feed_event_init(&ev, FEED_ASSOC_FAIL, L->time_ms, L->channel);
    ev.status = status;
    return feed_event_emit_reason(&ev, p, end, L->emit, L->ctx);
}

/* After "reject: " or "milter-reject: ": "VERB from CLIENT: CODES TEXT;
 * from=<...". */
static enum feed_line_result reject_smtp(const struct pf_line *L, const char *p,
                                         const char *end)
{
    const char *from = feed_text_find(p, end, LIT(" from "));
    if (!from || from == p)
        return FEED_LINE_UNPARSED;
    const char *client = from + 6;
    const char *colon = feed_text_find(client, end, LIT(": "));
    if (!colon || colon == client)
        return FEED_LINE_UNPARSED;
    const char *text = colon + 2;
    mtamon_status_code status = skip_codes(&text, end);
    const char *tend = feed_text_find(text, end, LIT("; from=<"));
    if (!tend)
        tend = end;
    if (tend == text && status == 0)
        return FEED_LINE_UNPARSED;
    struct feed_event ev;
    feed_event_init(&ev, FEED_REJECT, L->time_ms, L->channel);
    ev.recipients = 1;
    ev.status = status;
    return feed_event_emit_reason(&ev, text, tend, L->emit, L->ctx);
}

/* cleanup "reject: header|body ...; from=<a> to=<b> ... helo=<h>: 5.7.1 TEXT". */
static enum feed_line_result reject_content(const struct pf_line *L,
                                            const char *p, const char *end)
{
    const char *last = NULL;
    for (const char *q = p; (q = feed_text_find(q, end, LIT(">: "))) != NULL; q += 3)
        last = q;
    if (!last)
        return FEED_LINE_UNPARSED;
    const char *text = last + 3;
    mtamon_status_code status = skip_codes(&text, end);
    if (status == 0)
        return FEED_LINE_UNPARSED;
    struct feed_event ev;
    feed_event_init(&ev, FEED_REJECT, L->time_ms, L->channel);
    ev.recipients = 1;
    ev.status = status;
    return feed_event_emit_reason(&ev, text, end, L->emit, L->ctx);
}

/* Either kind of reject, after "reject: " or "milter-reject: ". */
static enum feed_line_result reject_any(const struct pf_line *L, const char *p,
                                        const char *end)
{
    if (feed_text_has_prefix(p, end, LIT("header ")) || feed_text_has_prefix(p, end, LIT("body ")))
        return reject_content(L, p, end);
    return reject_smtp(L, p, end);
}

/* Remember the current channel as the source of the queue id at @p p (a
 * new one); 1 when that counted a late Submitted (an event), else 0. */
static int set_source_of(const struct pf_line *L, const char *p,
                         const char *end)
{
    size_t n = 0;
    while (p + n < end && n <= PF_QID_MAX &&
           ((p[n] >= '0' && p[n] <= '9') || (p[n] >= 'A' && p[n] <= 'Z') ||
            (p[n] >= 'a' && p[n] <= 'z')))
        n++;
    if (n == 0 || n > PF_QID_MAX)
        return 0;
    struct pf_qid *e = feed_qid_get(&L->st->qids, p, n);
    e->source = feed_names_intern(&L->st->names, L->channel);
    /* Logged after the queue id was delivered, or even removed (bounce(8)
     * and qmgr log independently): its Submitted is counted now, once. */
    if ((e->flags & PF_NO_SOURCE) && e->source) {
        e->flags &= ~PF_NO_SOURCE;
        emit_msg(L, FEED_SUBMIT, L->channel, "",
                 (e->flags & PF_HAS_SIZE) ? e->size : 0, 0);
        if (e->flags & PF_REMOVED)
            feed_qid_remove(&L->st->qids, e);
        return 1;
    }
    return 0;
}

/* The entry of a queue id that a line of its message names: a removed one
 * kept for a late bounce(8) line (PF_REMOVED) starts afresh, for Postfix
 * reuses short queue ids. */
static struct pf_qid *live_qid(const struct pf_line *L, const char *qid,
                               size_t qn)
{
    struct pf_qid *e = feed_qid_get(&L->st->qids, qid, qn);
    if (e->flags & PF_REMOVED) {
        struct feed_qid head = e->head;
        memset(e, 0, sizeof *e);
        e->head = head;
    }
    return e;
}

/* Parse "delay=12.345" into milliseconds. */
static int parse_delay(const char *p, const char *end, int64_t *ms)
{
    int64_t whole = 0;
    int n = 0, frac = 0, fn = 0;
    while (p < end && feed_text_is_digit(*p)) {
        if (++n > 12)
            return 0;
        whole = whole * 10 + (*p++ - '0');
    }
    if (n == 0)
        return 0;
    if (p < end && *p == '.') {
        p++;
        while (p < end && feed_text_is_digit(*p)) {
            if (fn < 3) {
                frac = frac * 10 + (*p - '0');
                fn++;
            }
            p++;
        }
    }
    if (p != end)
        return 0;
    for (; fn < 3; fn++)
        frac *= 10;
    *ms = whole * 1000 + frac;
    return 1;
}

static int is_qmgr(const struct pf_line *L)
{
    return feed_text_span_is(L->prog, L->prog_len, LIT("qmgr")) ||
           feed_text_span_is(L->prog, L->prog_len, LIT("oqmgr"));
}

/* The fields of a delivery status line that count. */
struct pf_delivery {
    const char *addr;            /* recipient, without the <> */
    size_t addr_len;
    int64_t queue_ms;            /* delay=, in ms; -1 when absent */
    mtamon_status_code status;   /* dsn=; 0 when absent */
    const char *st_word, *st_end; /* the word after status= */
};

/* Read "b>, [orig_to=<c>,] relay=R, ..., delay=D, ..., dsn=X.Y.Z,
 * status=S (TEXT)" (p is just after "to=<") into @p d; 0, or -1 when a
 * field is malformed or status= is missing. */
static int delivery_fields(const char *p, const char *end,
                           struct pf_delivery *d)
{
    const char *q = feed_text_find(p, end, LIT(">, "));
    if (!q)
        return -1;
    d->addr = p;
    d->addr_len = (size_t)(q - p);
    d->queue_ms = -1;
    d->status = 0;
    for (p = q + 3; p < end;) {
        if (feed_text_has_prefix(p, end, LIT("status="))) {
            d->st_word = p + 7;
            d->st_end = memchr(d->st_word, ' ', (size_t)(end - d->st_word));
            if (!d->st_end)
                d->st_end = end;
            return 0;
        }
        if (feed_text_has_prefix(p, end, LIT("orig_to=<"))) {
            q = feed_text_find(p, end, LIT(">, "));
            if (!q)
                return -1;
            p = q + 3;
            continue;
        }
        q = feed_text_find(p, end, LIT(", "));
        if (!q)
            return -1;
        if (feed_text_has_prefix(p, q, LIT("delay="))) {
            if (!parse_delay(p + 6, q, &d->queue_ms))
                return -1;
        } else if (feed_text_has_prefix(p, q, LIT("dsn="))) {
            d->status = feed_status_of(p + 4, q);
        }
        p = q + 2;
    }
    return -1;
}

enum pf_outcome { PF_OUT_SENT, PF_OUT_DEFERRED, PF_OUT_FAILED, PF_OUT_VERIFY, PF_OUT_UNKNOWN };

/* What status=WORD says of the recipient. */
static enum pf_outcome delivery_outcome(const struct pf_delivery *d)
{
    const char *w = d->st_word;
    size_t n = (size_t)(d->st_end - w);
    if (feed_text_span_is(w, n, LIT("sent")))
        return PF_OUT_SENT;
    if (feed_text_span_is(w, n, LIT("deferred")) || feed_text_span_is(w, n, LIT("SOFTBOUNCE")))
        return PF_OUT_DEFERRED;
    if (feed_text_span_is(w, n, LIT("bounced")) || feed_text_span_is(w, n, LIT("expired")))
        return PF_OUT_FAILED;
    if (feed_text_span_is(w, n, LIT("deliverable")) || feed_text_span_is(w, n, LIT("undeliverable")))
        return PF_OUT_VERIFY;   /* address verification: nothing delivered */
    return PF_OUT_UNKNOWN;
}

/* A deferral of recipient hash @p h of @p e: queued on the delivery
 * agent's channel once (not by qmgr, which has no transport), then a
 * TEMPFAIL. */
static void delivery_deferred(const struct pf_line *L, struct pf_qid *e,
                              uint32_t h, int pend,
                              const struct pf_delivery *d, uint64_t octets)
{
    uint16_t transport =
        is_qmgr(L) ? 0 : feed_names_intern(&L->st->names, L->channel);
    if (pend < 0 && transport && e->n_pending < PF_PENDING) {
        emit_enqueue(L, e, L->channel);
        e->pending[e->n_pending].hash = h;
        e->pending[e->n_pending].transport = transport;
        e->n_pending++;
    }
    if (transport)
        e->last_transport = transport;
    e->flags |= PF_DEFERRED;
    emit_msg(L, FEED_TEMPFAIL, L->channel, "", octets, d->status);
}

/* "to=<b>, ..., status=S (TEXT)" of queue id [qid, qid+qn); p is just
 * after "to=<". */
static enum feed_line_result delivery(const struct pf_line *L, const char *qid,
                                      size_t qn, const char *p, const char *end)
{
    struct pf_delivery d;
    if (delivery_fields(p, end, &d) != 0)
        return FEED_LINE_UNPARSED;
    enum pf_outcome what = delivery_outcome(&d);
    if (what == PF_OUT_VERIFY)
        return FEED_LINE_KNOWN;
    if (what == PF_OUT_UNKNOWN)
        return FEED_LINE_UNPARSED;

    struct pf_qid *e = live_qid(L, qid, qn);
    uint64_t octets = (e->flags & PF_HAS_SIZE) ? e->size : 0;
    /* channel_len + 1: the separator keeps ("ab","c") apart from ("a","bc"). */
    uint32_t h = (uint32_t)fnv1a_add(fnv1a_add(FNV1A_INIT, L->channel,
                                               L->channel_len + 1),
                                     d.addr, d.addr_len);
    int pend = feed_qid_pending_find(e->pending, e->n_pending, h);
    if (what == PF_OUT_DEFERRED) {
        delivery_deferred(L, e, h, pend, &d, octets);
        return FEED_LINE_COUNTED;
    }
    /* Final: no longer pending; queued now if it never was. */
    if (pend >= 0)
        e->pending[pend] = e->pending[--e->n_pending];
    else
        emit_enqueue(L, e, L->channel);
    if (what == PF_OUT_FAILED) {
        emit_msg(L, FEED_FAIL, L->channel, "", octets, d.status);
        return FEED_LINE_COUNTED;
    }
    struct feed_event ev;
    feed_event_init(&ev, FEED_DEQUEUE, L->time_ms, L->channel);
    ev.recipients = 1;
    ev.octets = octets;
    ev.first_attempt = !(e->flags & PF_DEFERRED);
    ev.queue_ms = d.queue_ms;
    L->emit(L->ctx, &ev);
    const char *fwd = feed_text_find(d.st_end, end, LIT("forwarded as "));
    if (fwd)
        (void)set_source_of(L, fwd + 13, end);
    return FEED_LINE_COUNTED;
}

/* qmgr "from=<a>, size=N, nrcpt=M (queue active)" or "from=<a>,
 * status=expired, returned to sender"; p is just after "from=<". */
static enum feed_line_result qmgr_from(const struct pf_line *L, const char *qid,
                                       size_t qn, const char *p,
                                       const char *end)
{
    const char *q = feed_text_find(p, end, LIT(">, "));
    if (!q)
        return FEED_LINE_UNPARSED;
    p = q + 3;
    if (feed_text_has_prefix(p, end, LIT("size="))) {
        p += 5;
        uint64_t size = 0;
        int n = 0;
        while (p < end && feed_text_is_digit(*p)) {
            if (++n > 18)
                return FEED_LINE_UNPARSED;
            size = size * 10 + (uint64_t)(*p++ - '0');
        }
        if (n == 0 || (p < end && *p != ','))
            return FEED_LINE_UNPARSED;
        struct pf_qid *e = live_qid(L, qid, qn);
        e->size = size;
        e->flags |= PF_HAS_SIZE;
        return FEED_LINE_KNOWN;
    }
    if (feed_text_has_prefix(p, end, LIT("status=expired"))) {
        struct pf_qid *e = live_qid(L, qid, qn);
        if (fail_pending(L, e, STATUS_EXPIRED) == 0) {
            const char *ch = e->last_transport
                                 ? feed_names_of(&L->st->names, e->last_transport)
                                 : L->channel;
            emit_enqueue(L, e, ch);
            emit_msg(L, FEED_FAIL, ch, "",
                     (e->flags & PF_HAS_SIZE) ? e->size : 0, STATUS_EXPIRED);
        }
        return FEED_LINE_COUNTED;
    }
    return FEED_LINE_KNOWN;
}

/* The line's channel becomes the source of queue id [qid, qid + qn). */
static void set_source(const struct pf_line *L, const char *qid, size_t qn)
{
    struct pf_qid *e = live_qid(L, qid, qn);
    e->source = feed_names_intern(&L->st->names, L->channel);
}

/* A record that starts with a queue id [qid, qid+qn); p is after ": ". */
static enum feed_line_result qid_record(const struct pf_line *L,
                                        const char *qid, size_t qn,
                                        const char *p, const char *end)
{
    struct pf_state *st = L->st;
    if (feed_text_has_prefix(p, end, LIT("to=<")))
        return delivery(L, qid, qn, p + 4, end);
    if (feed_text_has_prefix(p, end, LIT("from=<")))
        return qmgr_from(L, qid, qn, p + 6, end);
    if (feed_text_has_prefix(p, end, LIT("client="))) {
        set_source(L, qid, qn);
        return FEED_LINE_KNOWN;
    }
    if (feed_text_span_is(L->prog, L->prog_len, LIT("pickup")) &&
        (feed_text_has_prefix(p, end, LIT("uid=")) || feed_text_has_prefix(p, end, LIT("sender=")))) {
        set_source(L, qid, qn);
        return FEED_LINE_KNOWN;
    }
    if (feed_text_span_is(p, (size_t)(end - p), LIT("removed"))) {
        struct pf_qid *e = feed_qid_find(&st->qids, qid, qn);
        if (!e || (e->flags & PF_REMOVED))
            return FEED_LINE_KNOWN;
        int n = fail_pending(L, e, 0);
        /* Delivered, its source still unknown: a bounce(8) notification
         * whose line is still to come (the table's age limit bounds how
         * long it waits). */
        if (e->flags & PF_NO_SOURCE)
            e->flags |= PF_REMOVED;
        else
            feed_qid_remove(&st->qids, e);
        return n ? FEED_LINE_COUNTED : FEED_LINE_KNOWN;
    }
    if (feed_text_has_prefix(p, end, LIT("reject: ")) ||
        feed_text_has_prefix(p, end, LIT("milter-reject: "))) {
        p += *p == 'r' ? 8 : 15;
        enum feed_line_result r = reject_any(L, p, end);
        if (r == FEED_LINE_COUNTED &&
            feed_text_span_is(L->prog, L->prog_len, LIT("cleanup"))) {
            struct pf_qid *e = feed_qid_find(&st->qids, qid, qn);
            if (e) /* never queued: no "removed" will follow */
                feed_qid_remove(&st->qids, e);
        }
        return r;
    }
    if (feed_text_has_prefix(p, end, LIT("lost connection with ")) ||
        feed_text_has_prefix(p, end, LIT("conversation with ")))
        return assoc_fail(L, p, end, STATUS_BAD_CONNECTION);
    if (feed_text_has_prefix(p, end, LIT("connect to ")))
        return assoc_fail(L, p, end, STATUS_CONNECT_FAILED);
    const char *note = feed_text_find(p, end, LIT(" notification: "));
    /* KNOWN, unless its source came late and was counted now. */
    if (note && feed_text_span_is(L->prog, L->prog_len, LIT("bounce")) &&
        set_source_of(L, note + 15, end))
        return FEED_LINE_COUNTED;
    return FEED_LINE_KNOWN;
}

/* postscreen's own records. */
static enum feed_line_result postscreen(const struct pf_line *L, const char *p,
                                        const char *end)
{
    if (feed_text_has_prefix(p, end, LIT("CONNECT from ")))
        return assoc_postscreen(L, p + 13, end, 1);
    if (feed_text_has_prefix(p, end, LIT("PASS NEW ")) ||
        feed_text_has_prefix(p, end, LIT("PASS OLD ")))
        return assoc_postscreen(L, p + 9, end, 0);
    if (feed_text_has_prefix(p, end, LIT("DISCONNECT ")))
        return assoc_postscreen(L, p + 11, end, 0);
    if (feed_text_has_prefix(p, end, LIT("WHITELISTED ")))
        return assoc_postscreen(L, p + 12, end, 0);
    if (feed_text_has_prefix(p, end, LIT("ALLOWLISTED ")))
        return assoc_postscreen(L, p + 12, end, 0);
    return FEED_LINE_KNOWN;
}

/* The message part of a Postfix line. */
static enum feed_line_result message(const struct pf_line *L, const char *p,
                                     const char *end)
{
    if (p == end)
        return FEED_LINE_UNPARSED;
    if (feed_text_has_prefix(p, end, LIT("NOQUEUE: "))) {
        p += 9;
        if (feed_text_has_prefix(p, end, LIT("reject: ")))
            return reject_any(L, p + 8, end);
        if (feed_text_has_prefix(p, end, LIT("milter-reject: ")))
            return reject_any(L, p + 15, end);
        return FEED_LINE_KNOWN;
    }
    size_t qn = qid_len(p, end);
    if (qn)
        return qid_record(L, p, qn, p + qn + 2, end);
    if (feed_text_has_prefix(p, end, LIT("connect from ")))
        return assoc_smtpd(L, p + 13, end, 1);
    if (feed_text_has_prefix(p, end, LIT("disconnect from ")))
        return assoc_smtpd(L, p + 16, end, 0);
    if (feed_text_has_prefix(p, end, LIT("connect to ")))
        return assoc_fail(L, p, end, STATUS_CONNECT_FAILED);
    if (feed_text_has_prefix(p, end, LIT("lost connection with ")) ||
        feed_text_has_prefix(p, end, LIT("conversation with ")))
        return assoc_fail(L, p, end, STATUS_BAD_CONNECTION);
    if (feed_text_span_is(L->prog, L->prog_len, LIT("postscreen")))
        return postscreen(L, p, end);
    return FEED_LINE_KNOWN;
}

/* Is [p, p+n) a Postfix instance name: "postfix" or "postfix-NAME"? */
static int is_instance(const char *p, size_t n)
{
    return (n == 7 && memcmp(p, "postfix", 7) == 0) ||
           (n > 8 && memcmp(p, "postfix-", 8) == 0);
}

/* The channel and program of a tag [tag, tag+n): see the top of the file. */
static int set_channel(struct pf_line *L, const char *tag, size_t n)
{
    const char *tend = tag + n;
    const char *first = memchr(tag, '/', n), *last = first;
    while (last && last + 1 < tend) {
        const char *s = memchr(last + 1, '/', (size_t)(tend - last - 1));
        if (!s)
            break;
        last = s;
    }
    L->prog = last ? last + 1 : tag;
    L->prog_len = (size_t)(tend - L->prog);
    /* INSTANCE/PROGRAM: the service is the program; INSTANCE/SERVICE/PROGRAM:
     * the service is what lies between the first and the last slash. */
    const char *svc_end = (last && last != first) ? last : tend;
    const char *svc = first ? first + 1 : tag;
    if (first && (size_t)(first - tag) != 7) /* "postfix-NAME": keep it */
        svc = tag;
    size_t svc_len = (size_t)(svc_end - svc);
    if (svc_len == 0 || svc_len > FEED_NAME_MAX)
        return 0;
    for (size_t i = 0; i < svc_len; i++)
        if ((unsigned char)svc[i] < 0x21 || (unsigned char)svc[i] > 0x7e)
            return 0;
    memcpy(L->channel, svc, svc_len);
    L->channel[svc_len] = '\0';
    L->channel_len = svc_len;
    return 1;
}

/* Is the tag [p, p+n) a Postfix program's: "postfix/...", "postfix-*\/..."? */
static int is_postfix_tag(const char *p, size_t n)
{
    const char *slash = memchr(p, '/', n);
    return is_instance(p, slash ? (size_t)(slash - p) : n);
}

static enum feed_line_result pf_parse(void *state, const char *line,
                                      size_t len, feed_emit_fn emit, void *ctx)
{
    struct pf_state *st = state;
    const char *end = line + len;
    struct feed_syslog h;
    enum feed_line_result r =
        feed_syslog_header(&st->classic, line, end, is_postfix_tag, &h);
    if (r != FEED_LINE_KNOWN)
        return r;
    struct pf_line L;
    L.st = st;
    L.emit = emit;
    L.ctx = ctx;
    L.time_ms = h.time_ms;
    L.tag = h.tag;
    L.key_len = h.key_len;
    if (!set_channel(&L, h.tag, h.tag_len))
        return FEED_LINE_UNPARSED;
    return message(&L, h.msg, end);
}

/* feed_qid_state_new() wants the table first */
_Static_assert(offsetof(struct pf_state, qids) == 0, "qids first");

static void *pf_create(void)
{
    struct pf_state *st = feed_qid_state_new(sizeof *st, sizeof(struct pf_qid),
                                             PF_QIDS_START, PF_QIDS);
    if (st)
        feed_time_classic_init(&st->classic);
    return st;
}

const struct feed_format feed_format_postfix = {
    .name = "postfix",
    .create = pf_create,
    .destroy = feed_qid_state_free,
    .parse = pf_parse,
};
