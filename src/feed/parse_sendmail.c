/*
 * parse_sendmail.c - Sendmail syslog records into feed events.
 *
 * A line is "TIMESTAMP HOST TAG[PID]: [ID N FAC.LEVEL ]MESSAGE" (the
 * bracketed "ID" is Solaris syslog's).  TIMESTAMP is classic syslog ("Nov
 * 23 16:33:05", local time, year guessed: the current one, or the previous
 * one if that puts the line more than a day in the future) or RFC 3339
 * ("2026-11-23T16:33:05.123456+01:00", "...+0100", "...Z"; what the
 * journal source writes).  TAG is "sendmail", "sendmail-*" or "sm-*"
 * (Debian's sm-mta, sm-msp-queue); any other tag is another program's line
 * (SKIPPED).  MESSAGE starts with a queue id ("p1NGX5Zb012345: "), with
 * "NOQUEUE: " or with neither.
 *
 * Channels are sendmail's mailers, the names net-snmp's mta_sendmail
 * gives mtaGroupName (from sendmail.cf and the statistics file), so a
 * site moving from it keeps its groups: a delivery counts on its
 * "mailer=" (esmtp, smtp, relay, local, prog, ...; "error" when the line
 * names none: sendmail's built-in error mailer, which refused the
 * address).  Arrivals and rejections count on the channel of the client:
 * "esmtp" for a client over the network (the from= line has proto=, or a
 * relay= of "HOST [IP]"), "local" for a command-line submission
 * ("relay=user@localhost") and for notifications sendmail makes itself.
 * mailstats counts arrivals the same way (msgsfr and bytes_from: one
 * message on the sender's mailer).  Sendmail writes one to= line per
 * group of recipients that one delivery (mailer, host) had with one
 * result, and regroups them on a retry: as for Postfix, a delivery channel
 * counts recipient copies, one message of one recipient per address
 * listed, so that Stored stays exact (mailstats' msgsto counts one per
 * to= line: it differs where a line lists several addresses).
 *
 *  record (MESSAGE)                                  events
 *  ------------------------------------------------  -----------------------------
 *  QID: from=<a>, size=N, class=C, nrcpts=M, ...,    SUBMIT on esmtp or local (see
 *    [proto=P, daemon=D,] relay=R                    above), rcpts M, octets N;
 *                                                    QID's size = N.  nrcpts=0 (every
 *                                                    recipient refused): KNOWN
 *  QID: to=<b>[,<c>...], [ctladdr=..,] delay=D,      for each address listed, on the
 *    [xdelay=X,] mailer=T, pri=P, [relay=R,]         mailer T, rcpts 1, octets = QID's
 *    [dsn=X.Y.Z,] stat=S                             size (0 if unknown):
 *      S = Sent ...                                  ENQUEUE T unless pending on T,
 *                                                    then DEQUEUE T, queue_ms D, first =
 *                                                    no deferral of QID before
 *      S = Deferred...                               ENQUEUE T and mark it pending unless
 *                                                    it is, then TEMPFAIL T, status dsn;
 *                                                    once a line: a connection failure
 *                                                    ("Connection refused by", "timed
 *                                                    out with", ...) also ASSOC_FAIL on
 *                                                    T, 4.4.1, reason the stat= text
 *      S = queued                                    ENQUEUE T and mark it pending unless
 *                                                    it is (KNOWN if it was)
 *      S = anything else (User unknown, Service      ENQUEUE T unless pending, then FAIL
 *        unavailable, Cannot send message for 5      T, status dsn (4.4.7 for the
 *        days, ...)                                  expired)
 *  NEWQID: QID: DSN: TEXT (also "postmaster          SUBMIT on "local", rcpts 1 (the
 *    notify:", "return to sender:")                  notification sendmail made)
 *  [QID: ]ruleset=check_relay, ..., reject=C TEXT    ASSOC_REJECT on the client's
 *                                                    channel, status C, reason TEXT
 *  [QID: ]ruleset=check_* (mail, rcpt, compat, ...), REJECT on the client's channel,
 *    ..., reject=C TEXT; QID: Milter: ...,           rcpts 1, status C (the enhanced
 *    reject=C TEXT; QID: milter=M, ..., reject=      code if any), reason TEXT
 *  QID: <b>... User unknown (refused at RCPT)       REJECT on esmtp, rcpts 1, 5.1.1
 *  [QID: ]lost input channel from H to D after C     KNOWN (sendmail logs no
 *  [QID: ]H did not issue MAIL/EXPN/VRFY/ETRN ...    connection's start: inbound
 *                                                    associations are not counted)
 *  STARTTLS=, AUTH=, alias, SYSERR, discard,         KNOWN
 *    quarantine, anything else of a sendmail tag
 *
 * "Pending": the hash of mailer and address of a recipient that was
 * deferred or queued and has no final status yet (up to SM_PENDING per
 * queue id); its later final line does not count it Received again, so
 * Stored stays exact (one that does not fit is not counted as queued: its
 * final line counts its Received).  A queue id is
 * forgotten when as many recipients as its nrcpts had a final status and
 * none is pending (alias expansion can end it early: its later lines then
 * count no size), or when the table is full (the oldest first).
 *
 * UNPARSED: a header that cannot be read (timestamp, host, tag, ": "), an
 * empty message, and a record of a counted kind that is malformed (a to=
 * line without stat=, mailer= or delay= of the wrong form, an empty
 * address list, a from= line without a valid size= or nrcpts=, a reject=
 * without a reply code, a mailer name that is no valid channel name).  An
 * UNPARSED line emits nothing.
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

#define SM_QIDS 65536u      /* queue ids remembered at most (power of two) */
#define SM_QIDS_START 1024u /* first table size; doubles up to SM_QIDS */
#define SM_PENDING 8        /* pending recipients per queue id */
#define SM_QID_MIN 7        /* shortest queue id ("JAA12345" is 8) */
#define SM_QID_MAX 23       /* longest queue id */
_Static_assert(SM_QID_MAX <= FEED_QID_MAX, "ids must fit feed_qid.h's entries");

#define STATUS_CONNECT_FAILED 4004001u /* 4.4.1 no answer from host */
#define STATUS_USER_UNKNOWN 5001001u   /* 5.1.1 bad destination mailbox */

enum sm_flags {
    SM_DEFERRED = 1u << 0, /* a recipient was deferred */
    SM_HAS_SIZE = 1u << 1,
    SM_HAS_NRCPTS = 1u << 2,
};

struct sm_qid {
    struct feed_qid head; /* first: the table's */
    uint8_t flags;
    uint8_t n_pending;
    uint32_t rcpts_left;   /* nrcpts less the final statuses seen */
    uint64_t size;
    uint32_t pending[SM_PENDING]; /* hashes of mailer and address */
};

struct sm_state {
    struct feed_qid_table qids; /* struct sm_qid entries */
    struct feed_time_classic classic; /* classic timestamps' cache */
};

/* What the header of the line being parsed says. */
struct sm_line {
    struct sm_state *st;
    feed_emit_fn emit;
    void *ctx;
    int64_t time_ms;
};

/* ------------------------------------------------------------------------ */
/* Small scanning helpers                                                    */

#define LIT(s) (s), (sizeof(s) - 1)

/* A decimal number of 1..18 digits at [p, end) exactly. */
static int number(const char *p, const char *end, uint64_t *out)
{
    if (p == end || end - p > 18)
        return 0;
    uint64_t v = 0;
    for (; p < end; p++) {
        if (!feed_text_is_digit(*p))
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Queue ids                                                                 */

/* Length of a queue id at @p p followed by ": ", else 0: SM_QID_MIN to
 * SM_QID_MAX letters and digits, at least one digit ("p1NGX5Zb012345",
 * "JAA12345"; no English word passes). */
static size_t qid_len(const char *p, const char *end)
{
    size_t n = 0, max = (size_t)(end - p);
    int digit = 0;
    while (n < max && n <= SM_QID_MAX && feed_text_is_alnum(p[n])) {
        digit |= feed_text_is_digit(p[n]);
        n++;
    }
    if (n < SM_QID_MIN || n > SM_QID_MAX || !digit || n + 2 > max ||
        p[n] != ':' || p[n + 1] != ' ')
        return 0;
    return n;
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */

/* Emit a message-counting event: @p kind on @p channel. */
static void emit_msg(const struct sm_line *L, enum feed_event_kind kind,
                     const char *channel, uint32_t rcpts, uint64_t octets,
                     mtamon_status_code status)
{
    struct feed_event ev;
    feed_event_init(&ev, kind, L->time_ms, channel);
    ev.recipients = rcpts;
    ev.octets = octets;
    ev.status = status;
    L->emit(L->ctx, &ev);
}

/* Skip "ddd " and "d.d.d " at *@p pp; returns the status they make (the
 * enhanced one when there is one), 0 when there is no reply code. */
static mtamon_status_code skip_codes(const char **pp, const char *end)
{
    const char *p = *pp;
    if (!(end - p >= 3 && feed_text_is_digit(p[0]) && feed_text_is_digit(p[1]) && feed_text_is_digit(p[2]) &&
          (end - p == 3 || p[3] == ' ' || p[3] == '-')))
        return 0;
    mtamon_status_code code = feed_status_of(p, p + 3);
    p += 3;
    if (p < end)
        p++;
    const char *q = p;
    int dots = 0;
    while (q < end && (feed_text_is_digit(*q) || *q == '.')) {
        dots += *q == '.';
        q++;
    }
    if (q > p && dots == 2 && feed_text_is_digit(*p) && feed_text_is_digit(q[-1])) {
        mtamon_status_code enh = feed_status_of(p, q);
        if (enh)
            code = enh;
        p = q;
        if (p < end && *p == ' ')
            p++;
    }
    *pp = p;
    return code ? code : 1; /* 1: a code of no error class (2xx) */
}

/* ------------------------------------------------------------------------ */
/* Fields: "key=value, key=value, ..." (a value may hold spaces)            */

/* The value of field @p key ("relay=") in [p, end): fields start at p or
 * after ", "; the value ends at the next ", " (or at the end when
 * @p to_end).  1 and [*v, *vend), or 0. */
static int field(const char *p, const char *end, const char *key, size_t klen,
                 int to_end, const char **v, const char **vend)
{
    const char *q = p;
    while (q < end) {
        if (feed_text_has_prefix(q, end, key, klen)) {
            *v = q + klen;
            const char *e = to_end ? NULL : feed_text_find(*v, end, LIT(", "));
            /* (a line cut just after a field's comma ends it too) */
            if (!e && !to_end && end > *v && end[-1] == ',')
                e = end - 1;
            *vend = e ? e : end;
            return 1;
        }
        const char *c = feed_text_find(q, end, LIT(", "));
        if (!c)
            return 0;
        q = c + 2;
    }
    return 0;
}

/* The client's channel from a relay= value: "HOST [IP]" (or "[IP]") is
 * the network, anything else ("user@localhost") a local submission. */
static const char *client_channel(const char *v, const char *vend)
{
    return memchr(v, '[', (size_t)(vend - v)) ? "esmtp" : "local";
}

/* Is [p, p+n) a valid channel name of mailer= (printable, no space)? */
static int mailer_ok(const char *p, size_t n)
{
    if (n == 0 || n > FEED_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e || p[i] == ',')
            return 0;
    return 1;
}

/* "delay=[D+]HH:MM:SS" value into milliseconds. */
static int parse_delay(const char *p, const char *end, int64_t *ms)
{
    int64_t days = 0;
    const char *plus = memchr(p, '+', (size_t)(end - p));
    if (plus) {
        uint64_t d;
        if (!number(p, plus, &d) || d > 100000)
            return 0;
        days = (int64_t)d;
        p = plus + 1;
    }
    int h, m, s;
    if (!feed_text_digits(&p, end, 2, &h) || p == end || *p++ != ':' ||
        !feed_text_digits(&p, end, 2, &m) || p == end || *p++ != ':' ||
        !feed_text_digits(&p, end, 2, &s) || p != end || m > 59 || s > 59)
        return 0;
    *ms = ((days * 24 + h) * 60 + m) * 60000 + s * 1000;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                   */

/* "from=<a>, size=N, class=C, nrcpts=M, ..., relay=R" of queue id [qid,
 * qid+qn); p is just after "from=". */
static enum feed_line_result from_line(const struct sm_line *L, const char *qid,
                                       size_t qn, const char *p, const char *end)
{
    const char *v, *vend;
    uint64_t size, nrcpts;
    /* The sender may hold ", " in a quoted full name: the fields are
     * looked for from the last "size=" on. */
    const char *s = NULL;
    for (const char *q = p; (q = feed_text_find(q, end, LIT(", size="))) != NULL; q += 7)
        s = q + 2;
    if (!s || !field(s, end, LIT("size="), 0, &v, &vend) || !number(v, vend, &size))
        return FEED_LINE_UNPARSED;
    if (!field(s, end, LIT("nrcpts="), 0, &v, &vend) || !number(v, vend, &nrcpts) ||
        nrcpts > UINT32_MAX)
        return FEED_LINE_UNPARSED;
    if (nrcpts == 0)
        return FEED_LINE_KNOWN; /* nothing was queued */
    const char *channel = "local";
    if (field(s, end, LIT("proto="), 0, &v, &vend))
        channel = "esmtp";
    else if (field(s, end, LIT("relay="), 0, &v, &vend))
        channel = client_channel(v, vend);
    struct sm_qid *e = feed_qid_get(&L->st->qids, qid, qn);
    e->size = size;
    e->rcpts_left = (uint32_t)nrcpts;
    e->flags |= SM_HAS_SIZE | SM_HAS_NRCPTS;
    emit_msg(L, FEED_SUBMIT, channel, (uint32_t)nrcpts, size, 0);
    return FEED_LINE_COUNTED;
}

/* Calls @p fn for each address of the to= list [list, lend): separated
 * by ',' outside <> and quotes. */
static void each_address(const char *list, const char *lend,
                         void (*fn)(void *arg, const char *a, size_t n), void *arg)
{
    int angle = 0, quote = 0;
    const char *a = list;
    for (const char *p = list; p <= lend; p++) {
        if (p < lend) {
            if (*p == '"')
                quote = !quote;
            else if (!quote && *p == '<')
                angle++;
            else if (!quote && *p == '>' && angle)
                angle--;
            if (quote || angle || *p != ',')
                continue;
        }
        fn(arg, a, (size_t)(p - a));
        a = p + 1;
    }
}

/* What count_addresses() has seen. */
struct address_count {
    uint32_t n;
    int empty; /* a part of the list is empty */
};

static void count_one(void *arg, const char *a, size_t n)
{
    struct address_count *c = arg;
    (void)a;
    c->n++;
    if (n == 0)
        c->empty = 1;
}

/* The recipients of a to= list [p, end): its addresses (each_address());
 * 0 if the list is empty or a part of it is. */
static uint32_t count_addresses(const char *p, const char *end)
{
    struct address_count c = {0, 0};
    each_address(p, end, count_one, &c);
    return c.empty ? 0 : c.n;
}

enum sm_outcome { SM_SENT, SM_DEFERRED_OUT, SM_QUEUED, SM_FAILED };

/* One to= line being counted, address by address. */
struct sm_delivery {
    const struct sm_line *L;
    struct sm_qid *e;
    const char *mailer;
    uint32_t mailer_hash;
    enum sm_outcome what;
    uint64_t octets;
    int64_t queue_ms;
    int first;
    mtamon_status_code status;
    int events;
};

/* One recipient copy of a to= line: Received on the mailer unless it is
 * pending there, then its outcome. */
static void deliver_one(void *arg, const char *a, size_t n)
{
    struct sm_delivery *d = arg;
    struct sm_qid *e = d->e;
    const struct sm_line *L = d->L;
    uint32_t h = (uint32_t)fnv1a_add(d->mailer_hash, a, n);
    int pend = -1;
    for (int i = 0; i < e->n_pending; i++)
        if (e->pending[i] == h)
            pend = i;
    int stays = d->what == SM_DEFERRED_OUT || d->what == SM_QUEUED;
    if (pend < 0 && stays) {
        /* One that does not fit is not counted as queued: its final line
         * counts it then, so Stored stays exact. */
        if (e->n_pending < SM_PENDING) {
            e->pending[e->n_pending++] = h;
            emit_msg(L, FEED_ENQUEUE, d->mailer, 1, d->octets, 0);
            d->events++;
        }
    } else if (pend < 0) {
        emit_msg(L, FEED_ENQUEUE, d->mailer, 1, d->octets, 0);
        d->events++;
    } else if (!stays) {
        e->pending[pend] = e->pending[--e->n_pending];
    }
    switch (d->what) {
    case SM_QUEUED:
        return;
    case SM_DEFERRED_OUT:
        emit_msg(L, FEED_TEMPFAIL, d->mailer, 1, d->octets, d->status);
        break;
    case SM_FAILED:
        emit_msg(L, FEED_FAIL, d->mailer, 1, d->octets, d->status);
        break;
    case SM_SENT: {
        struct feed_event ev;
        feed_event_init(&ev, FEED_DEQUEUE, L->time_ms, d->mailer);
        ev.recipients = 1;
        ev.octets = d->octets;
        ev.first_attempt = d->first;
        ev.queue_ms = d->queue_ms;
        L->emit(L->ctx, &ev);
        break;
    }
    }
    d->events++;
}

/* A text of stat= that tells of a connection that could not be made. */
static int connect_failure(const char *p, const char *end)
{
    static const struct {
        const char *s;
        size_t n;
    } texts[] = {
        {LIT("Connection refused by ")}, {LIT("Connection timed out with ")},
        {LIT("Connection reset by ")},   {LIT("No route to host")},
        {LIT("Network is unreachable")}, {LIT("Host is unreachable")},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (feed_text_find(p, end, texts[i].s, texts[i].n))
            return 1;
    return 0;
}

/* "to=LIST, [ctladdr=..,] delay=D, ..., mailer=T, ..., stat=S" of queue
 * id [qid, qid+qn); p is just after "to=". */
static enum feed_line_result to_line(const struct sm_line *L, const char *qid,
                                     size_t qn, const char *p, const char *end)
{
    /* The list ends where the fields sendmail always writes after it begin. */
    const char *lend = feed_text_find(p, end, LIT(", delay="));
    const char *c = feed_text_find(p, end, LIT(", ctladdr="));
    if (c && (!lend || c < lend))
        lend = c;
    if (!lend)
        return FEED_LINE_UNPARSED;
    uint32_t rcpts = count_addresses(p, lend);
    if (rcpts == 0)
        return FEED_LINE_UNPARSED;
    /* One pass over the fields; stat= is the last and its text may hold
     * anything. */
    const char *delay = NULL, *delay_end = NULL, *stat = NULL, *stat_end = end;
    const char *mailer_v = NULL, *mailer_end = NULL;
    mtamon_status_code status = 0;
    for (const char *f = lend + 2; f < end;) {
        if (feed_text_has_prefix(f, end, LIT("stat="))) {
            stat = f + 5;
            break;
        }
        const char *fe = feed_text_find(f, end, LIT(", "));
        if (!fe)
            fe = end;
        if (feed_text_has_prefix(f, fe, LIT("delay="))) {
            delay = f + 6;
            delay_end = fe;
        } else if (feed_text_has_prefix(f, fe, LIT("xdelay="))) {
            int64_t xdelay;
            if (!parse_delay(f + 7, fe, &xdelay))
                return FEED_LINE_UNPARSED;
        } else if (feed_text_has_prefix(f, fe, LIT("mailer="))) {
            mailer_v = f + 7;
            mailer_end = fe;
        } else if (feed_text_has_prefix(f, fe, LIT("dsn="))) {
            status = feed_status_of(f + 4, fe);
        }
        f = fe + 2;
    }
    int64_t queue_ms = -1;
    if (!stat || stat == stat_end || !delay || !parse_delay(delay, delay_end, &queue_ms))
        return FEED_LINE_UNPARSED;
    char mailer[FEED_NAME_MAX + 1] = "error";
    if (mailer_v) {
        if (!mailer_ok(mailer_v, (size_t)(mailer_end - mailer_v)))
            return FEED_LINE_UNPARSED;
        feed_text_copy_bounded(mailer, sizeof mailer, mailer_v, (size_t)(mailer_end - mailer_v));
    }

    struct sm_delivery d = { .L = L, .mailer = mailer, .what = SM_FAILED,
                             .queue_ms = queue_ms, .status = status };
    if (feed_text_has_prefix(stat, stat_end, LIT("Sent")))
        d.what = SM_SENT;
    else if (feed_text_has_prefix(stat, stat_end, LIT("Deferred")))
        d.what = SM_DEFERRED_OUT;
    else if (stat_end - stat == 6 && memcmp(stat, "queued", 6) == 0)
        d.what = SM_QUEUED;

    struct sm_qid *e = feed_qid_get(&L->st->qids, qid, qn);
    d.e = e;
    d.octets = (e->flags & SM_HAS_SIZE) ? e->size : 0;
    d.first = !(e->flags & SM_DEFERRED);
    /* mailer + NUL: ("ab","c") and ("a","bc") hash apart. */
    d.mailer_hash = (uint32_t)fnv1a_add(FNV1A_INIT, mailer, strlen(mailer) + 1);
    each_address(p, lend, deliver_one, &d);
    if (d.what == SM_DEFERRED_OUT) {
        e->flags |= SM_DEFERRED;
        if (connect_failure(stat, stat_end)) {
            struct feed_event ev;
            feed_event_init(&ev, FEED_ASSOC_FAIL, L->time_ms, mailer);
            ev.status = STATUS_CONNECT_FAILED;
            feed_text_copy_bounded(ev.reason, sizeof ev.reason, stat, (size_t)(stat_end - stat));
            L->emit(L->ctx, &ev);
        }
    } else if (d.what != SM_QUEUED && (e->flags & SM_HAS_NRCPTS)) {
        /* Final for these recipients: forget the message once all are. */
        e->rcpts_left = e->rcpts_left > rcpts ? e->rcpts_left - rcpts : 0;
        if (e->rcpts_left == 0 && e->n_pending == 0)
            feed_qid_remove(&L->st->qids, e);
    }
    return d.events ? FEED_LINE_COUNTED : FEED_LINE_KNOWN;
}

/* "... reject=CODE TEXT" at [p, end): REJECT, or ASSOC_REJECT for
 * check_relay (the connection itself refused). */
static enum feed_line_result reject(const struct sm_line *L, const char *p,
                                    const char *end, int connection)
{
    const char *r = feed_text_find(p, end, LIT("reject="));
    if (!r || (r != p && (r - p < 2 || r[-2] != ',' || r[-1] != ' ')))
        return FEED_LINE_UNPARSED;
    const char *text = r + 7;
    mtamon_status_code status = skip_codes(&text, end);
    if (status == 0)
        return FEED_LINE_UNPARSED;
    if (status == 1) /* a 2xx "reject": no error */
        status = 0;
    const char *v, *vend;
    const char *channel = "esmtp";
    if (field(p, r, LIT("relay="), 0, &v, &vend))
        channel = client_channel(v, vend);
    struct feed_event ev;
    feed_event_init(&ev, connection ? FEED_ASSOC_REJECT : FEED_REJECT,
                    L->time_ms, channel);
    ev.recipients = connection ? 0 : 1;
    ev.status = status;
    return feed_event_emit_reason(&ev, text, end, L->emit, L->ctx);
}

/* "QID: DSN: ..." after the new queue id: the notification sendmail made. */
static enum feed_line_result notification(const struct sm_line *L, const char *qid,
                                          size_t qn)
{
    struct sm_qid *e = feed_qid_get(&L->st->qids, qid, qn);
    e->rcpts_left = 1;
    e->flags |= SM_HAS_NRCPTS;
    emit_msg(L, FEED_SUBMIT, "local", 1, 0, 0);
    return FEED_LINE_COUNTED;
}

/* The message part of a sendmail line, after "QID: " when @p qid. */
static enum feed_line_result message(const struct sm_line *L, const char *qid,
                                     size_t qn, const char *p, const char *end)
{
    if (p == end)
        return FEED_LINE_UNPARSED;
    if (qid) {
        if (feed_text_has_prefix(p, end, LIT("to=")))
            return to_line(L, qid, qn, p + 3, end);
        if (feed_text_has_prefix(p, end, LIT("from=")))
            return from_line(L, qid, qn, p + 5, end);
        size_t on = qid_len(p, end);
        if (on) {
            const char *q = p + on + 2;
            if (feed_text_has_prefix(q, end, LIT("DSN: ")) ||
                feed_text_has_prefix(q, end, LIT("postmaster notify: ")) ||
                feed_text_has_prefix(q, end, LIT("return to sender: ")))
                return notification(L, qid, qn);
            return FEED_LINE_KNOWN;
        }
    }
    if (feed_text_has_prefix(p, end, LIT("ruleset=check_"))) {
        const char *name = p + 14;
        int relay = feed_text_has_prefix(name, end, LIT("relay,"));
        if (feed_text_find(p, end, LIT("reject=")))
            return reject(L, p, end, relay);
        return FEED_LINE_KNOWN; /* discard=, quarantine=, ... */
    }
    if (feed_text_has_prefix(p, end, LIT("Milter: ")) || feed_text_has_prefix(p, end, LIT("milter="))) {
        if (feed_text_find(p, end, LIT("reject=")))
            return reject(L, p, end, 0);
        return FEED_LINE_KNOWN;
    }
    if (p[0] == '<') {
        const char *dots = feed_text_find(p, end, LIT(">... "));
        if (dots && feed_text_has_prefix(dots + 5, end, LIT("User unknown"))) {
            /* A recipient refused at RCPT: sendmail says no code. */
            struct feed_event ev;
            feed_event_init(&ev, FEED_REJECT, L->time_ms, "esmtp");
            ev.recipients = 1;
            ev.status = STATUS_USER_UNKNOWN;
            return feed_event_emit_reason(&ev, dots + 5, end, L->emit, L->ctx);
        }
    }
    /* "lost input channel from ...", "... did not issue MAIL/EXPN/VRFY/ETRN
     * ...", STARTTLS=, AUTH=, SYSERR, ...: known, nothing to count. */
    return FEED_LINE_KNOWN;
}

/* Is the tag [p, p+n) sendmail's: "sendmail", "sendmail-*", "sm-*"? */
static int is_sendmail_tag(const char *p, size_t n)
{
    return (n == 8 && memcmp(p, "sendmail", 8) == 0) ||
           (n > 9 && memcmp(p, "sendmail-", 9) == 0) ||
           (n > 3 && memcmp(p, "sm-", 3) == 0);
}

static enum feed_line_result sm_parse(void *state, const char *line, size_t len,
                                      feed_emit_fn emit, void *ctx)
{
    struct sm_state *st = state;
    const char *end = line + len;
    struct feed_syslog h;
    enum feed_line_result r =
        feed_syslog_header(&st->classic, line, end, is_sendmail_tag, &h);
    if (r != FEED_LINE_KNOWN)
        return r;
    struct sm_line L;
    L.st = st;
    L.emit = emit;
    L.ctx = ctx;
    L.time_ms = h.time_ms;
    const char *p = h.msg;
    /* Solaris: "[ID 801593 mail.info] " */
    if (feed_text_has_prefix(p, end, LIT("[ID "))) {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close || end - close < 2 || close[1] != ' ')
            return FEED_LINE_UNPARSED;
        p = close + 2;
    }
    if (feed_text_has_prefix(p, end, LIT("NOQUEUE: ")))
        return message(&L, NULL, 0, p + 9, end);
    size_t qn = qid_len(p, end);
    if (qn)
        return message(&L, p, qn, p + qn + 2, end);
    return message(&L, NULL, 0, p, end);
}

/* feed_qid_state_new() wants the table first */
_Static_assert(offsetof(struct sm_state, qids) == 0, "qids first");

static void *sm_create(void)
{
    struct sm_state *st = feed_qid_state_new(sizeof *st, sizeof(struct sm_qid),
                                             SM_QIDS_START, SM_QIDS);
    if (st)
        feed_time_classic_init(&st->classic);
    return st;
}

const struct feed_format feed_format_sendmail = {
    .name = "sendmail",
    .create = sm_create,
    .destroy = feed_qid_state_free,
    .parse = sm_parse,
};
