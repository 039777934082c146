/*
 * parse_exim.c - Exim main log (mainlog) records into feed events.
 *
 * A line is "DATE TIME[.mmm][ +hhmm][ [PID]][ MSGID] TEXT": DATE TIME is
 * "2026-12-04 20:02:12", local time unless log_timezone adds the offset;
 * ".mmm" comes with +millisec, "[PID]" with +pid.  MSGID is Exim's message
 * id: "1xZZTw-0006ok-11" (up to 4.96) or "1rYrGw-00000000kCj-3FIb" (4.97
 * on).  A message record is a two-character flag after the id, then the
 * address, then fields "KEY=value" (H= may run over "name (helo)
 * [ip]:port"; a quoted value such as T="subject" runs to its closing quote).
 * Any log_selector is read: Debian's exim4 default (Exim's own defaults)
 * and +all (pid, milliseconds, ports, I=, QT=, DT=, S= on deliveries,
 * "from <a> for b c" on arrivals, smtp_connection...).
 *
 * Channels: an arrival counts on its receiving protocol (P=esmtp, esmtps,
 * esmtpa, esmtpsa, smtp, local, local-esmtp, ...; "local" when P= is
 * missing); a delivery on its transport (T=remote_smtp, T=local_delivery,
 * ...), or on its router (R=) when the line has no transport (":blackhole:",
 * routing deferrals), or on "routing" when it has neither ("Unrouteable
 * address").  The SMTP server's own events (connections, rejections,
 * synchronization errors) count on "smtp", which P=smtp arrivals (clients
 * that said HELO) share.  On a delivery channel a message is one recipient
 * copy, as for Postfix.
 *
 *  record (TEXT)                                   events
 *  ----------------------------------------------  ------------------------------
 *  ID <= sender ... P=PROTO S=SIZE ... [for a b]   SUBMIT on PROTO, octets SIZE,
 *  ID (= ... (arrival after a fake reject)         rcpts = the "for" addresses
 *                                                  (+received_recipients), else 1;
 *                                                  remember SIZE and the time
 *  ID => addr [<orig>] R=r T=t ... [QT=time]       ENQUEUE t unless addr is pending
 *  ID -> addr ... (more addresses, same delivery)  on t, then DEQUEUE t rcpts 1,
 *  ID >> addr ... (cutthrough delivery)            octets = the arrival's size (or
 *                                                  this line's S=), queue_ms = QT=
 *                                                  or the time since the arrival,
 *                                                  first = no deferral of ID before
 *  ID *> addr ... (delivery suppressed, -N)        KNOWN; a recipient pending on t
 *                                                  leaves the queue: DEQUEUE
 *  ID ** addr ... [R=r T=t]: REASON                ENQUEUE t unless pending, FAIL t
 *                                                  rcpts 1, status of REASON
 *  ID == addr ... [R=r T=t] defer (N): REASON      ENQUEUE t and mark addr pending
 *                                                  unless pending; TEMPFAIL t, status
 *                                                  of REASON
 *  ID == ...: retry time not reached ...           no attempt was made: only the
 *                                                  ENQUEUE (when not pending), else
 *                                                  KNOWN
 *  ID Completed [QT=...]                           KNOWN; ID is forgotten
 *  ID H=host [ip]:port Connection refused (timed   ASSOC_FAIL on the transport of
 *    out, No route..., Network is unreachable)     ID's next delivery line (4.4.1),
 *                                                  emitted with that line
 *  ID H=... rejected after DATA: REASON            REJECT on "smtp", rcpts 1
 *  [H=... ][F=<a> ]rejected RCPT|MAIL <b>: REASON  REJECT on "smtp" ("local" for
 *  ... rejected after DATA|DATA|from <a>: ...      "rejected by non-SMTP ACL"), status
 *  ... rejected by non-SMTP ACL|local_scan ...     5.0.0, 4.0.0 when "temporarily
 *                                                  rejected" (the log has no code),
 *                                                  reason = REASON
 *  ... rejected connection ... (connect ACL)       ASSOC_REJECT on "smtp" (5.0.0/4.0.0)
 *  ... rejected EHLO|HELO|AUTH|VRFY|EXPN|ETRN ...  KNOWN (no message or connection
 *                                                  refused by it)
 *  SMTP protocol synchronization error (...):      ASSOC_REJECT on "smtp", 5.0.0
 *    rejected connection|"CMD" ...
 *  [SMTP ]connection from [ip]:port ... refused    ASSOC_REJECT on "smtp", 4.0.0
 *  SMTP connection from [ip]:port ... (TCP/IP      ASSOC_OPEN in on "smtp", remote and
 *    connection count = N)  (+smtp_connection)     key "[ip]:port" ("[ip]" without
 *                                                  +incoming_port)
 *  SMTP connection from ... [ip]:port closed by    ASSOC_CLOSE of that key, once
 *                                                  an open was read (a log without
 *                                                  +smtp_connection: KNOWN)
 *    QUIT|DROP..., ... lost [...], SMTP call from
 *    ... dropped, SMTP command|data timeout ...
 *    on connection from ..., unexpected
 *    disconnection while reading SMTP command
 *    from ...
 *  Frozen, Unfrozen, Message is frozen, queue      KNOWN
 *    runs, daemon, cwd=, anything else with a
 *    valid date; a continuation line (starts
 *    with a space or a tab)
 *
 * Status of a REASON: the reply of "SMTP error from remote mail server
 * after RCPT TO:<b>: 550 5.1.1 ..." (5.1.1; "550 ..." alone gives 5.0.0);
 * "retry timeout exceeded" 5.4.7; a connection that failed ("Connection
 * refused", "Connection timed out", "No route to host", "Network is
 * unreachable") 4.4.1; otherwise none (0).
 *
 * UNPARSED: a line with no valid date that is not a continuation, a flag
 * record without its address, an arrival without S=, a delivery record
 * whose channel name is not a valid one, and an association record
 * without an address.  An UNPARSED line emits nothing.
 *
 * State: message ids in a chained hash table that doubles from
 * EX_IDS_START up to EX_IDS entries, then evicts the oldest; per id the
 * arrival's size and time, whether it was deferred, up to EX_PENDING
 * pending recipients (a hash of transport and address) and the outbound
 * connection failures waiting for their transport.  A deferred recipient
 * that does not fit is not counted as queued (its final line counts the
 * ENQUEUE), so Stored stays exact.  Channel names are interned (feed_names.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "feed_event.h"
#include "feed_names.h"
#include "feed_text.h"
#include "feed_qid.h"
#include "feed_status.h"
#include "feed_time.h"
#include "fnv1a.h"

#define EX_IDS 65536u       /* message ids remembered at most (power of two) */
#define EX_IDS_START 1024u  /* first table size; doubles up to EX_IDS */
#define EX_PENDING 8        /* pending recipients per message id */
#define EX_ID_MAX 23        /* longest message id (6-11-4) */
_Static_assert(EX_ID_MAX <= FEED_QID_MAX, "ids must fit feed_qid.h's entries");

#define STATUS_REJECT 5000000u          /* 5.0.0: a refusal, code not logged */
#define STATUS_TEMP_REJECT 4000000u     /* 4.0.0 */
#define STATUS_EXPIRED 5004007u         /* 5.4.7 delivery time expired */
#define STATUS_CONNECT_FAILED 4004001u  /* 4.4.1 no answer from host */

#define CH_SMTP "smtp"       /* the SMTP server's own events */
#define CH_LOCAL "local"     /* arrivals without P=, non-SMTP rejections */
#define CH_ROUTING "routing" /* delivery lines with neither T= nor R= */

enum ex_flags {
    EX_DEFERRED = 1u << 0, /* a recipient was deferred */
    EX_HAS_SIZE = 1u << 1,
    EX_HAS_TIME = 1u << 2,
};

struct ex_id {
    struct feed_qid head; /* first: the table's */
    uint8_t flags;
    uint8_t n_pending;
    uint8_t n_connfail;      /* outbound connection failures to emit */
    uint8_t connfail_reason; /* index into connfail_phrases */
    uint64_t size;
    int64_t arrival_ms;
    struct feed_qid_pending pending[EX_PENDING];
};

struct ex_state {
    struct feed_qid_table qids; /* struct ex_id entries */
    struct feed_names names; /* channels the entries name */
    int seen_open;       /* an "SMTP connection from" open was read */
    /* local timestamps: start of the last (year, month, day, hour) seen */
    int cache_year, cache_mon, cache_day, cache_hour;
    int64_t cache_base_s;
};

/* The line being parsed. */
struct ex_line {
    struct ex_state *st;
    feed_emit_fn emit;
    void *ctx;
    int64_t time_ms;
};

/* The outbound connection failures an "ID H=... PHRASE" line reports. */
static const char *const connfail_phrases[] = {
    "Connection refused",
    "Connection timed out",
    "No route to host",
    "Network is unreachable",
};
#define N_CONNFAIL (sizeof connfail_phrases / sizeof connfail_phrases[0])

/* ------------------------------------------------------------------------ */
/* Small scanning helpers                                                    */

#define LIT(s) (s), (sizeof(s) - 1)

/* The next space-separated token at or after *@p pp (NULL at the end);
 * its end in *@p tend.  A token KEY="..." runs to its closing quote
 * (backslash escapes), spaces included. */
static const char *next_token(const char **pp, const char *end,
                              const char **tend)
{
    const char *p = *pp;
    while (p < end && *p == ' ')
        p++;
    if (p == end) {
        *pp = p;
        return NULL;
    }
    const char *t = p;
    const char *eq = NULL;
    while (p < end && *p != ' ') {
        if (*p == '=' && !eq) {
            eq = p;
            if (p + 1 < end && p[1] == '"') {
                p += 2;
                while (p < end && *p != '"')
                    p += (*p == '\\' && p + 1 < end) ? 2 : 1;
                if (p < end)
                    p++;
                continue;
            }
        }
        p++;
    }
    *tend = p;
    *pp = p;
    return t;
}

/* ------------------------------------------------------------------------ */
/* Timestamps                                                                */

/* Start of the local hour (y, mon 1..12, day, hour), cached per hour. */
static int64_t local_hour_start(struct ex_state *st, int y, int mon, int day,
                                int hour)
{
    if (st->cache_year == y && st->cache_mon == mon && st->cache_day == day &&
        st->cache_hour == hour)
        return st->cache_base_s;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    int64_t base = t == (time_t)-1
                       ? feed_time_days_from_civil(y, mon, day) * 86400 +
                             hour * 3600
                       : (int64_t)t;
    st->cache_year = y;
    st->cache_mon = mon;
    st->cache_day = day;
    st->cache_hour = hour;
    st->cache_base_s = base;
    return base;
}

/* "2026-12-04 20:02:12[.mmm][ +hhmm]" at *pp; leaves *pp after it. */
static int parse_date(struct ex_state *st, const char **pp, const char *end,
                      int64_t *ms)
{
    const char *p = *pp;
    struct feed_time_civil c;
    if (!feed_time_civil(&p, end, ' ', &c))
        return 0;
    /* " +0100": log_timezone */
    if (end - p >= 6 && p[0] == ' ' && (p[1] == '+' || p[1] == '-') &&
        feed_text_is_digit(p[2]) && feed_text_is_digit(p[3]) &&
        feed_text_is_digit(p[4]) && feed_text_is_digit(p[5]) &&
        (end - p == 6 || p[6] == ' ')) {
        int sign = p[1] == '-' ? -1 : 1;
        int oh = (p[2] - '0') * 10 + (p[3] - '0');
        int om = (p[4] - '0') * 10 + (p[5] - '0');
        if (oh > 23 || om > 59)
            return 0;
        *ms = feed_time_civil_ms(&c, sign * (oh * 60 + om));
        *pp = p + 6;
        return 1;
    }
    *ms = (local_hour_start(st, c.year, c.mon, c.day, c.hour) + c.min * 60 +
           c.sec) * 1000 + c.frac_ms;
    *pp = p;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Interned channel names and message ids                                    */

/* Length of a message id at @p p followed by a space or the end, else 0:
 * 6 base-62 characters, '-', 6 or 11, '-', 2 or 4. */
static size_t msgid_len(const char *p, const char *end)
{
    static const int parts[2][3] = {{6, 6, 2}, {6, 11, 4}};
    for (int f = 0; f < 2; f++) {
        size_t n = (size_t)(parts[f][0] + parts[f][1] + parts[f][2] + 2);
        if ((size_t)(end - p) < n || ((size_t)(end - p) > n && p[n] != ' '))
            continue;
        size_t i = 0;
        int ok = 1;
        for (int k = 0; k < 3 && ok; k++) {
            for (int j = 0; j < parts[f][k]; j++, i++)
                if (!feed_text_is_alnum(p[i]))
                    ok = 0;
            if (ok && k < 2 && p[i++] != '-')
                ok = 0;
        }
        if (ok)
            return n;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */

/* Emit a message-counting event: @p kind on @p channel. */
static void emit_msg(const struct ex_line *L, enum feed_event_kind kind,
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

/* The status a delivery failure's text gives (see the top of the file). */
static mtamon_status_code reason_status(const char *p, const char *end)
{
    const char *smtp = feed_text_find(p, end, LIT("SMTP error from remote mail"));
    if (smtp) {
        /* the reply follows the first ": " that is followed by 3 digits */
        for (const char *q = smtp; (q = feed_text_find(q, end, LIT(": "))) != NULL;
             q += 2) {
            const char *r = q + 2;
            if (end - r >= 3 && feed_text_is_digit(r[0]) && feed_text_is_digit(r[1]) &&
                feed_text_is_digit(r[2]) && (end - r == 3 || r[3] == ' ' || r[3] == '-')) {
                const char *e = r + 4 < end ? r + 4 : end;
                while (e < end && (feed_text_is_digit(*e) || *e == '.'))
                    e++;
                return feed_status_of(r, e);
            }
        }
    }
    if (feed_text_find(p, end, LIT("retry timeout exceeded")))
        return STATUS_EXPIRED;
    for (size_t i = 0; i < N_CONNFAIL; i++)
        if (feed_text_find(p, end, connfail_phrases[i], strlen(connfail_phrases[i])))
            return STATUS_CONNECT_FAILED;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Message records                                                           */

/* "<= sender ... P=PROTO S=SIZE ... [for a b c]"; p after the flag. */
static enum feed_line_result arrival(const struct ex_line *L, const char *id,
                                     size_t idn, const char *p,
                                     const char *end)
{
    const char *tend, *t;
    const char *proto = NULL;
    size_t proto_len = 0;
    int have_size = 0;
    uint64_t size = 0;
    uint32_t rcpts = 0;
    int in_for = 0;
    if (!next_token(&p, end, &tend)) /* the sender */
        return FEED_LINE_UNPARSED;
    while ((t = next_token(&p, end, &tend)) != NULL) {
        size_t n = (size_t)(tend - t);
        if (in_for) {
            if (rcpts < UINT32_MAX)
                rcpts++;
            continue;
        }
        if (feed_text_span_is(t, n, LIT("for"))) {
            in_for = 1;
        } else if (n > 2 && t[0] == 'P' && t[1] == '=' && !proto) {
            proto = t + 2;
            proto_len = n - 2;
        } else if (n > 2 && t[0] == 'S' && t[1] == '=' && !have_size) {
            int nd = 0;
            for (const char *q = t + 2; q < tend; q++) {
                if (!feed_text_is_digit(*q) || ++nd > 18)
                    return FEED_LINE_UNPARSED;
                size = size * 10 + (uint64_t)(*q - '0');
            }
            have_size = 1;
        }
    }
    if (!have_size)
        return FEED_LINE_UNPARSED;
    char channel[FEED_NAME_MAX + 1];
    if (!proto) {
        memcpy(channel, CH_LOCAL, sizeof CH_LOCAL);
    } else {
        if (proto_len > FEED_NAME_MAX)
            return FEED_LINE_UNPARSED;
        for (size_t i = 0; i < proto_len; i++)
            if ((unsigned char)proto[i] < 0x21 || (unsigned char)proto[i] > 0x7e)
                return FEED_LINE_UNPARSED;
        memcpy(channel, proto, proto_len);
        channel[proto_len] = '\0';
    }
    struct ex_id *e = feed_qid_get(&L->st->qids, id, idn);
    e->size = size;
    e->arrival_ms = L->time_ms;
    e->flags |= EX_HAS_SIZE | EX_HAS_TIME;
    emit_msg(L, FEED_SUBMIT, channel, rcpts ? rcpts : 1, size, 0);
    return FEED_LINE_COUNTED;
}

/* Parse an Exim time "1d2h3m4s", "0.586s", "5s" into milliseconds. */
static int parse_exim_time(const char *p, const char *end, int64_t *ms)
{
    int64_t total = 0;
    if (p == end)
        return 0;
    while (p < end) {
        int64_t v = 0;
        int n = 0, frac = 0;
        while (p < end && feed_text_is_digit(*p)) {
            if (++n > 9)
                return 0;
            v = v * 10 + (*p++ - '0');
        }
        if (p < end && *p == '.') {
            int fn = 0;
            p++;
            while (p < end && feed_text_is_digit(*p)) {
                if (fn < 3) {
                    frac = frac * 10 + (*p - '0');
                    fn++;
                }
                p++;
            }
            for (; fn < 3; fn++)
                frac *= 10;
        }
        if (n == 0 || p == end)
            return 0;
        int64_t unit;
        switch (*p++) {
        case 'w': unit = 7 * 86400000LL; break;
        case 'd': unit = 86400000LL; break;
        case 'h': unit = 3600000LL; break;
        case 'm': unit = 60000LL; break;
        case 's': unit = 1000LL; break;
        default: return 0;
        }
        total += v * unit + (unit == 1000 ? frac : 0);
    }
    *ms = total;
    return 1;
}

/* What a delivery-side line says. */
struct ex_delivery {
    const char *addr;
    size_t addr_len;
    char channel[FEED_NAME_MAX + 1];
    int64_t queue_ms;       /* QT=, -1 when absent */
    int have_size;
    uint64_t size;          /* S= */
    const char *reason;     /* after the fields: the text, or end */
};

/* Read "addr [<orig>] [(parent)] KEY=value ... [: REASON]" at p into @p d;
 * 0, or -1 when malformed. */
static int delivery_fields(const char *p, const char *end,
                           struct ex_delivery *d)
{
    const char *tend;
    const char *t = next_token(&p, end, &tend);
    if (!t)
        return -1;
    d->addr = t;
    d->addr_len = (size_t)(tend - t);
    d->queue_ms = -1;
    d->have_size = 0;
    d->size = 0;
    d->reason = end;
    const char *router = NULL, *transport = NULL;
    size_t router_len = 0, transport_len = 0;
    if (d->addr_len && t[d->addr_len - 1] == ':' && (d->addr_len == 1 || t[0] != ':')) {
        /* "** addr: REASON" */
        d->addr_len--;
        d->reason = tend;
    } else {
        while ((t = next_token(&p, end, &tend)) != NULL) {
            size_t n = (size_t)(tend - t);
            if (n > 2 && t[0] == 'R' && t[1] == '=') {
                router = t + 2;
                router_len = n - 2;
            } else if (n > 2 && t[0] == 'T' && t[1] == '=') {
                transport = t + 2;
                transport_len = n - 2;
            } else if (n > 2 && t[0] == 'S' && t[1] == '=') {
                uint64_t v = 0;
                int nd = 0, ok = 1;
                for (const char *q = t + 2; q < tend && ok; q++) {
                    if (!feed_text_is_digit(*q) || ++nd > 18)
                        ok = 0;
                    else
                        v = v * 10 + (uint64_t)(*q - '0');
                }
                if (ok) {
                    d->have_size = 1;
                    d->size = v;
                }
            } else if (n > 3 && memcmp(t, "QT=", 3) == 0) {
                if (!parse_exim_time(t + 3, tend, &d->queue_ms))
                    d->queue_ms = -1;
            }
            if (feed_text_span_is(t, n, LIT("defer")) || t[n - 1] == ':') {
                d->reason = tend;
                break;
            }
        }
    }
    if (d->addr_len == 0)
        return -1;
    const char *ch = transport ? transport : router;
    size_t chn = transport ? transport_len : router_len;
    if (!ch) {
        ch = CH_ROUTING;
        chn = sizeof CH_ROUTING - 1;
    }
    if (chn && ch[chn - 1] == ':') /* "T=remote_smtp:" ends the fields */
        chn--;
    if (chn == 0 || chn > FEED_NAME_MAX)
        return -1;
    for (size_t i = 0; i < chn; i++)
        if ((unsigned char)ch[i] < 0x21 || (unsigned char)ch[i] > 0x7e)
            return -1;
    memcpy(d->channel, ch, chn);
    d->channel[chn] = '\0';
    return 0;
}

/* Emit the outbound connection failures waiting on @p e, on @p channel. */
static void flush_connfail(const struct ex_line *L, struct ex_id *e,
                           const char *channel)
{
    for (unsigned i = 0; i < e->n_connfail; i++) {
        struct feed_event ev;
        feed_event_init(&ev, FEED_ASSOC_FAIL, L->time_ms, channel);
        ev.status = STATUS_CONNECT_FAILED;
        const char *why = connfail_phrases[e->connfail_reason % N_CONNFAIL];
        feed_text_copy_bounded(ev.reason, sizeof ev.reason, why, strlen(why));
        L->emit(L->ctx, &ev);
    }
    e->n_connfail = 0;
}

enum ex_kind { EX_DELIVERED, EX_SUPPRESSED, EX_FAILED, EX_DEFERRED_K };

/* A delivery-side record of message id [id, id+idn); p after the flag. */
static enum feed_line_result delivery(const struct ex_line *L, const char *id,
                                      size_t idn, enum ex_kind kind,
                                      const char *p, const char *end)
{
    struct ex_delivery d;
    if (delivery_fields(p, end, &d) != 0)
        return FEED_LINE_UNPARSED;
    struct ex_id *e = feed_qid_get(&L->st->qids, id, idn);
    uint64_t octets = (e->flags & EX_HAS_SIZE) ? e->size
                      : d.have_size             ? d.size
                                                : 0;
    size_t chn = strlen(d.channel);
    uint32_t h = (uint32_t)fnv1a_add(fnv1a_add(FNV1A_INIT, d.channel, chn + 1),
                                     d.addr, d.addr_len);
    int pend = feed_qid_pending_find(e->pending, e->n_pending, h);
    int counted = e->n_connfail > 0;
    flush_connfail(L, e, d.channel);

    if (kind == EX_DEFERRED_K) {
        int retry_wait = feed_text_find(d.reason, end, LIT("retry time not reached")) != NULL;
        if (pend < 0 && e->n_pending < EX_PENDING) {
            uint16_t tr = feed_names_intern(&L->st->names, d.channel);
            if (tr) {
                emit_msg(L, FEED_ENQUEUE, d.channel, 1, octets, 0);
                e->pending[e->n_pending].hash = h;
                e->pending[e->n_pending].transport = tr;
                e->n_pending++;
                counted = 1;
            }
        }
        if (retry_wait)
            return counted ? FEED_LINE_COUNTED : FEED_LINE_KNOWN;
        e->flags |= EX_DEFERRED;
        emit_msg(L, FEED_TEMPFAIL, d.channel, 1, octets,
                 reason_status(d.reason, end));
        return FEED_LINE_COUNTED;
    }
    if (kind == EX_SUPPRESSED) {
        if (pend < 0)
            return counted ? FEED_LINE_COUNTED : FEED_LINE_KNOWN;
        e->pending[pend] = e->pending[--e->n_pending];
    } else if (pend >= 0) {
        e->pending[pend] = e->pending[--e->n_pending];
    } else {
        emit_msg(L, FEED_ENQUEUE, d.channel, 1, octets, 0);
    }
    if (kind == EX_FAILED) {
        emit_msg(L, FEED_FAIL, d.channel, 1, octets,
                 reason_status(d.reason, end));
        return FEED_LINE_COUNTED;
    }
    struct feed_event ev;
    feed_event_init(&ev, FEED_DEQUEUE, L->time_ms, d.channel);
    ev.recipients = 1;
    ev.octets = octets;
    ev.first_attempt = !(e->flags & EX_DEFERRED);
    ev.queue_ms = d.queue_ms;
    if (ev.queue_ms < 0 && (e->flags & EX_HAS_TIME) &&
        L->time_ms >= e->arrival_ms)
        ev.queue_ms = L->time_ms - e->arrival_ms;
    L->emit(L->ctx, &ev);
    return FEED_LINE_COUNTED;
}

/* ------------------------------------------------------------------------ */
/* Rejections and connections                                                */

/* "... [temporarily ]rejected VERB ...: REASON"; r points at "rejected ". */
static enum feed_line_result rejection(const struct ex_line *L,
                                       const char *line_start, const char *r,
                                       const char *end)
{
    int temp = r - line_start >= 12 && memcmp(r - 12, "temporarily ", 12) == 0;
    const char *v = r + 9;
    enum feed_event_kind kind;
    const char *channel = CH_SMTP;
    if (feed_text_has_prefix(v, end, LIT("RCPT")) || feed_text_has_prefix(v, end, LIT("MAIL")) ||
        feed_text_has_prefix(v, end, LIT("after DATA")) || feed_text_has_prefix(v, end, LIT("DATA")) ||
        feed_text_has_prefix(v, end, LIT("from <")) || feed_text_has_prefix(v, end, LIT("by local_scan"))) {
        kind = FEED_REJECT;
    } else if (feed_text_has_prefix(v, end, LIT("by non-SMTP ACL"))) {
        kind = FEED_REJECT;
        channel = CH_LOCAL;
    } else if (feed_text_has_prefix(v, end, LIT("connection"))) {
        kind = FEED_ASSOC_REJECT;
    } else {
        return FEED_LINE_KNOWN; /* EHLO, HELO, AUTH, VRFY, EXPN, ETRN, ... */
    }
    const char *text = feed_text_find(v, end, LIT(": "));
    text = text ? text + 2 : v;
    struct feed_event ev;
    feed_event_init(&ev, kind, L->time_ms, channel);
    if (kind == FEED_REJECT)
        ev.recipients = 1;
    /* The log has no reply code; a message= text may start with one. */
    mtamon_status_code code = 0;
    if (end - text >= 3 && feed_text_is_digit(text[0]) && feed_text_is_digit(text[1]) &&
        feed_text_is_digit(text[2]))
        code = feed_status_of(text, end);
    ev.status = code ? code : temp ? STATUS_TEMP_REJECT : STATUS_REJECT;
    if (text == end)
        text = v;
    feed_text_copy_bounded(ev.reason, sizeof ev.reason, text, (size_t)(end - text));
    /* A text that starts with a NUL byte copies as "": a refused
     * association always has a reason. */
    if (!ev.reason[0])
        feed_text_copy_bounded(ev.reason, sizeof ev.reason, LIT("rejected"));
    L->emit(L->ctx, &ev);
    return FEED_LINE_COUNTED;
}

/* The "[ip]:port" (or "[ip]") token after "from " at or after p; 0 if none. */
static int remote_token(const char *p, const char *end, const char **rs,
                        const char **re)
{
    const char *tend, *t;
    while ((t = next_token(&p, end, &tend)) != NULL) {
        if (t[0] == '[' && tend - t >= 3) {
            const char *close = memchr(t, ']', (size_t)(tend - t));
            if (!close || close == t + 1)
                return 0;
            *rs = t;
            *re = tend;
            if (tend[-1] == ':' || tend[-1] == ',') /* "[ip]:port:" */
                (*re)--;
            return (size_t)(*re - t) <= FEED_KEY_MAX;
        }
        if (t[0] == 'H' && tend - t > 3 && t[1] == '=' && t[2] == '[') {
            /* "H=[ip]:port" of synchronization errors */
            return remote_token(t + 2, tend, rs, re);
        }
    }
    return 0;
}

/* An inbound association opened or closed: the "[ip]:port" after p. */
static enum feed_line_result assoc_conn(const struct ex_line *L,
                                        enum feed_event_kind kind,
                                        const char *p, const char *end)
{
    const char *rs, *re;
    if (!remote_token(p, end, &rs, &re))
        return FEED_LINE_UNPARSED;
    if (kind == FEED_ASSOC_OPEN)
        L->st->seen_open = 1;
    else if (!L->st->seen_open) /* no +smtp_connection: nothing opened */
        return FEED_LINE_KNOWN;
    struct feed_event ev;
    feed_event_init(&ev, kind, L->time_ms, CH_SMTP);
    ev.direction = MTAMON_INBOUND;
    feed_text_copy_bounded(ev.key, sizeof ev.key, rs, (size_t)(re - rs));
    if (kind == FEED_ASSOC_OPEN)
        feed_text_copy_bounded(ev.remote, sizeof ev.remote, rs, (size_t)(re - rs));
    L->emit(L->ctx, &ev);
    return FEED_LINE_COUNTED;
}

/* An inbound association refused, the whole text [p, end) its reason. */
static enum feed_line_result assoc_refused(const struct ex_line *L,
                                           mtamon_status_code status,
                                           const char *p, const char *end)
{
    struct feed_event ev;
    feed_event_init(&ev, FEED_ASSOC_REJECT, L->time_ms, CH_SMTP);
    ev.status = status;
    return feed_event_emit_reason(&ev, p, end, L->emit, L->ctx);
}

/* A line with no message id. */
static enum feed_line_result no_id_record(const struct ex_line *L,
                                          const char *p, const char *end)
{
    const char *from;
    if (feed_text_has_prefix(p, end, LIT("SMTP protocol synchronization error")))
        return assoc_refused(L, STATUS_REJECT, p, end);
    if (feed_text_has_prefix(p, end, LIT("SMTP connection from ")) ||
        feed_text_has_prefix(p, end, LIT("Connection from "))) {
        from = p + (*p == 'S' ? 21 : 16);
        if (feed_text_find(from, end, LIT(" refused")))
            return assoc_refused(L, STATUS_TEMP_REJECT, p, end);
        if (feed_text_find(from, end, LIT("connection count")))
            return assoc_conn(L, FEED_ASSOC_OPEN, from, end);
        if (feed_text_find(from, end, LIT(" closed")) || feed_text_find(from, end, LIT(" lost")))
            return assoc_conn(L, FEED_ASSOC_CLOSE, from, end);
        return FEED_LINE_KNOWN;
    }
    if (feed_text_has_prefix(p, end, LIT("SMTP call from ")) &&
        feed_text_find(p, end, LIT(" dropped")))
        return assoc_conn(L, FEED_ASSOC_CLOSE, p + 15, end);
    if (feed_text_has_prefix(p, end, LIT("SMTP command timeout on connection from ")) ||
        feed_text_has_prefix(p, end, LIT("SMTP data timeout (message abandoned) on connection from ")) ||
        feed_text_has_prefix(p, end, LIT("unexpected disconnection while reading SMTP command from "))) {
        from = feed_text_find(p, end, LIT(" from "));
        return assoc_conn(L, FEED_ASSOC_CLOSE, from + 6, end);
    }
    const char *r = feed_text_has_prefix(p, end, LIT("rejected ")) ? p
                                                          : feed_text_find(p, end, LIT(" rejected "));
    if (r) {
        if (r != p)
            r++;
        return rejection(L, p, r, end);
    }
    return FEED_LINE_KNOWN;
}

/* The two-character flags after "ID " of arrivals and deliveries. */
static const struct {
    char flag[3];
    int arrival;       /* an arrival; else a delivery of kind */
    enum ex_kind kind;
} record_flags[] = {
    {"<=", 1, EX_DELIVERED},  {"(=", 1, EX_DELIVERED},
    {"=>", 0, EX_DELIVERED},  {"==", 0, EX_DEFERRED_K},
    {"->", 0, EX_DELIVERED},  {">>", 0, EX_DELIVERED},
    {"*>", 0, EX_SUPPRESSED}, {"**", 0, EX_FAILED},
};
#define N_RECORD_FLAGS (sizeof record_flags / sizeof record_flags[0])

/* A line with message id [id, id+idn); p after "ID ". */
static enum feed_line_result id_record(const struct ex_line *L, const char *id,
                                       size_t idn, const char *p,
                                       const char *end)
{
    struct ex_state *st = L->st;
    if (end - p >= 2 && (end - p == 2 || p[2] == ' ')) {
        const char *rest = p + 2;
        for (size_t i = 0; i < N_RECORD_FLAGS; i++) {
            if (memcmp(p, record_flags[i].flag, 2) != 0)
                continue;
            if (record_flags[i].arrival)
                return arrival(L, id, idn, rest, end);
            return delivery(L, id, idn, record_flags[i].kind, rest, end);
        }
    }
    if (feed_text_has_prefix(p, end, LIT("Completed")) &&
        (end - p == 9 || p[9] == ' ')) {
        struct ex_id *e = feed_qid_find(&st->qids, id, idn);
        if (e)
            feed_qid_remove(&st->qids, e);
        return FEED_LINE_KNOWN;
    }
    if (feed_text_has_prefix(p, end, LIT("H="))) {
        for (size_t i = 0; i < N_CONNFAIL; i++) {
            size_t n = strlen(connfail_phrases[i]);
            if (end - p > (ptrdiff_t)n && memcmp(end - n, connfail_phrases[i], n) == 0 &&
                end[-(ptrdiff_t)n - 1] == ' ') {
                struct ex_id *e = feed_qid_get(&st->qids, id, idn);
                if (e->n_connfail < UINT8_MAX)
                    e->n_connfail++;
                e->connfail_reason = (uint8_t)i;
                return FEED_LINE_KNOWN;
            }
        }
    }
    const char *r = feed_text_find(p, end, LIT(" rejected "));
    if (r && (feed_text_has_prefix(r + 10, end, LIT("after DATA")) ||
              feed_text_has_prefix(r + 10, end, LIT("DATA")) ||
              feed_text_has_prefix(r + 10, end, LIT("by non-SMTP ACL")) ||
              feed_text_has_prefix(r + 10, end, LIT("by local_scan"))))
        return rejection(L, p, r + 1, end);
    return FEED_LINE_KNOWN;
}

static enum feed_line_result ex_parse(void *state, const char *line,
                                      size_t len, feed_emit_fn emit, void *ctx)
{
    struct ex_state *st = state;
    const char *p = line, *end = line + len;
    struct ex_line L;
    L.st = st;
    L.emit = emit;
    L.ctx = ctx;
    if (p == end)
        return FEED_LINE_UNPARSED;
    if (*p == ' ' || *p == '\t') /* the second line of a long entry */
        return FEED_LINE_KNOWN;
    if (!parse_date(st, &p, end, &L.time_ms) || p == end || *p++ != ' ')
        return FEED_LINE_UNPARSED;
    if (p < end && *p == '[') { /* +pid */
        const char *pid = ++p;
        while (p < end && feed_text_is_digit(*p))
            p++;
        if (p == pid || p == end || *p != ']' || p + 1 == end || p[1] != ' ')
            return FEED_LINE_UNPARSED;
        p += 2;
    }
    if (p == end)
        return FEED_LINE_UNPARSED;
    size_t idn = msgid_len(p, end);
    if (idn) {
        if (end - p == (ptrdiff_t)idn)
            return FEED_LINE_UNPARSED;
        return id_record(&L, p, idn, p + idn + 1, end);
    }
    return no_id_record(&L, p, end);
}

/* feed_qid_state_new() wants the table first */
_Static_assert(offsetof(struct ex_state, qids) == 0, "qids first");

static void *ex_create(void)
{
    struct ex_state *st = feed_qid_state_new(sizeof *st, sizeof(struct ex_id),
                                             EX_IDS_START, EX_IDS);
    if (st)
        st->cache_year = -1;
    return st;
}

const struct feed_format feed_format_exim = {
    .name = "exim",
    .create = ex_create,
    .destroy = feed_qid_state_free,
    .parse = ex_parse,
};
