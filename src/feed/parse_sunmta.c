/*
 * parse_sunmta.c - Sun/Oracle Messaging Server (and PMDF) mail.log records.
 *
 * A message record (LOG_FORMAT 1 or 2, one line per recipient):
 *
 *   dd-Mon-yyyy hh:mm:ss.cc [pid] src [dst] CODE blocks from orig-to to [optional...]
 *
 * The channel columns are padded with spaces; dequeue-side records leave
 * the destination blank, so the one channel shown is the one acting.  With
 * LOG_PROCESS a process id ("501d.0b.9": hex pid, hex thread, counter)
 * precedes the channels.  After the size the fields are separated by one
 * space: LOG_FORMAT 1 leaves an empty address blank (two spaces in a row),
 * LOG_FORMAT 2 writes "<>"; both are read.  Optional fields (file name,
 * message id, host names, "(TCP|...)", diagnostics "smtp;550 5.1.1 ...")
 * follow; only the diagnostic is used.  Size is in blocks: octets = blocks
 * x 1024 (the default BLOCK_SIZE).
 *
 * A connection record (LOG_CONNECTION):
 *
 *   dd-Mon-yyyy hh:mm:ss.cc [pid] channel +|- CODE TCP|lip|lport|rip|rport PROTO [text]
 *
 * "+" is inbound (to the SMTP server), "-" outbound (the SMTP client).
 *
 * Action letters (the first letter of CODE; the letters after it are
 * modifiers -- E ESMTP, L LMTP, S TLS, A SASL, C chunking, ... -- read but
 * not counted):
 *
 *   message records
 *   E  enqueue                     FEED_ENQUEUE src = 1st channel, channel = 2nd
 *   D  successful dequeue          FEED_DEQUEUE on the acting (1st) channel;
 *                                  first_attempt 0 if this parser saw a Q/Z
 *                                  for the same channel, from and recipient
 *   Q  temporary dequeue failure   FEED_TEMPFAIL (status from the diagnostic)
 *   Z  temporary failure of this   FEED_TEMPFAIL
 *      recipient, others delivered
 *   J  enqueue rejected            FEED_REJECT on the 1st (source) channel,
 *                                  status and reason from the diagnostic
 *   R  recipient rejected on       FEED_FAIL (status from the diagnostic)
 *      dequeue / bounce generated
 *   K  recipient's message         FEED_FAIL: it leaves the queue undelivered,
 *      returned without a notice   like R, only no bounce is sent
 *      (NOTIFY=NEVER, expiry, ...)
 *   B  bad SMTP command            FEED_LINE_KNOWN (nothing to count)
 *   I  ETRN received               FEED_LINE_KNOWN
 *   V  warning / verification      FEED_LINE_KNOWN
 *   W  warning (delay notice) sent FEED_LINE_KNOWN (the message stays queued)
 *   other letters                  FEED_LINE_UNPARSED
 *
 *   connection records (after "+" or "-")
 *   O  connection opened           FEED_ASSOC_OPEN  (inbound for +, outbound for -)
 *   C  connection closed           FEED_ASSOC_CLOSE (same key as its O)
 *   X  connection rejected         + : FEED_ASSOC_REJECT, - : FEED_ASSOC_FAIL
 *   Y  connection try failed       - : FEED_ASSOC_FAIL,   + : FEED_LINE_KNOWN
 *   I  ETRN received               FEED_LINE_KNOWN
 *   A  authentication failed       FEED_LINE_KNOWN
 *   other letters                  FEED_LINE_UNPARSED
 *
 * The key pairing a close with its open is "pid|remote-ip|remote-port", or
 * "channel|remote-ip|remote-port" without LOG_PROCESS (cut to FEED_KEY_MAX,
 * which only a channel name near its 63-byte limit with a long IPv6
 * address reaches).
 *
 * Lines that do not start with a valid "dd-Mon-yyyy hh:mm:ss.cc " are
 * another program's: FEED_LINE_SKIPPED.  After a valid date, anything that
 * does not fit is FEED_LINE_UNPARSED and emits nothing.  Not supported:
 * LOG_FORMAT 3 (counted fields) and 4/5 (XML/JSON), LOG_NODE.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "fnv1a.h"

/* Octets per block (the MTA's default BLOCK_SIZE). */
#define SUN_BLOCK_SIZE 1024u
/* Longest accepted size field, in digits (keeps octets far from overflow). */
#define SUN_SIZE_DIGITS 12
/* Longest action code (action letter plus modifiers). */
#define SUN_CODE_MAX 8
/* Longest process id field ("501d.0b.9"). */
#define SUN_PID_MAX 31
/* Retry memory: fingerprints of (channel, from, recipient) seen in a Q or
 * Z record, direct-mapped so it stays bounded: a newer entry evicts an
 * older one in its slot.  Power of two. */
#define SUN_RETRY_SLOTS 16384u

struct span {
    const char *p;
    size_t n;
};

struct sunmta_state {
    /* Local-time start of the hour last converted, to call mktime() once
     * an hour rather than once a line. */
    int hour_key;           /* ((year*12+mon)*31+day)*24+hour, -1 none */
    int64_t hour_ms;        /* that hour in ms since the epoch, -1 unknown */
    uint64_t retry[SUN_RETRY_SLOTS];
};

static void *sunmta_create(void)
{
    struct sunmta_state *s = calloc(1, sizeof *s);
    if (s)
        s->hour_key = -1;
    return s;
}

static void sunmta_destroy(void *state)
{
    free(state);
}

/* ------------------------------------------------------------------------ */
/* Small scanners                                                            */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Two digits at @p p, or -1. */
static int two_digits(const char *p)
{
    if (!is_digit(p[0]) || !is_digit(p[1]))
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static int span_eq(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* Channel names as libmtamon accepts them: 1..63 bytes of 0x21..0x7e. */
static int valid_name(struct span s)
{
    if (s.n == 0 || s.n > FEED_NAME_MAX)
        return 0;
    for (size_t i = 0; i < s.n; i++)
        if ((unsigned char)s.p[i] < 0x21 || (unsigned char)s.p[i] > 0x7e)
            return 0;
    return 1;
}

/* LOG_PROCESS's field: hex '.' hex '.' hex ("501d.0b.9"). */
static int looks_like_pid(struct span s)
{
    if (s.n < 5 || s.n > SUN_PID_MAX)
        return 0;
    int dots = 0;
    size_t run = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == '.') {
            if (run == 0)
                return 0;
            dots++;
            run = 0;
        } else if (is_hex(s.p[i])) {
            run++;
        } else {
            return 0;
        }
    }
    return dots == 2 && run > 0;
}

/* Whether @p s is 1..@p max characters, each one @p is_class's. */
static int span_of(struct span s, size_t max, int (*is_class)(char))
{
    if (s.n == 0 || s.n > max)
        return 0;
    for (size_t i = 0; i < s.n; i++)
        if (!is_class(s.p[i]))
            return 0;
    return 1;
}

/* Action code: 1..SUN_CODE_MAX capital letters. */
static int looks_like_code(struct span s)
{
    return span_of(s, SUN_CODE_MAX, is_upper);
}

static int looks_like_size(struct span s)
{
    return span_of(s, SUN_SIZE_DIGITS, is_digit);
}

static uint64_t span_number(struct span s)
{
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++)
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    return v;
}

/* Copy a span into a NUL-terminated buffer of @p cap bytes, cut to fit,
 * bytes outside printable ASCII replaced by '?' (reasons end up in
 * DisplayStrings). */
static void copy_text(char *dst, size_t cap, struct span s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[n] = '\0';
}

/* Copy an already validated name. */
static void copy_name(char *dst, struct span s)
{
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Date                                                                      */

#define SUN_DATE_LEN 23 /* "dd-Mon-yyyy hh:mm:ss.cc" */

static int month_index(const char *p)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (memcmp(p, names + 3 * i, 3) == 0)
            return i;
    return -1;
}

static int days_in_month(int year, int mon)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon == 1 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return days[mon];
}

/*
 * Read the date at the start of @p line (local time) into *@p ms (0 if the
 * local time cannot be converted).  Returns 0 if it is not a valid date.
 */
static int parse_date(struct sunmta_state *s, const char *line, size_t len,
                      int64_t *ms)
{
    if (len < SUN_DATE_LEN || line[2] != '-' || line[6] != '-' ||
        line[11] != ' ' || line[14] != ':' || line[17] != ':' || line[20] != '.')
        return 0;
    int day = two_digits(line);
    int mon = month_index(line + 3);
    int y1 = two_digits(line + 7), y2 = two_digits(line + 9);
    int hour = two_digits(line + 12), min = two_digits(line + 15);
    int sec = two_digits(line + 18), cs = two_digits(line + 21);
    if (day < 1 || mon < 0 || y1 < 0 || y2 < 0 || hour < 0 || hour > 23 ||
        min < 0 || min > 59 || sec < 0 || sec > 60 || cs < 0)
        return 0;
    int year = y1 * 100 + y2;
    if (year < 1970 || day > days_in_month(year, mon))
        return 0;

    int key = ((year * 12 + mon) * 31 + day) * 24 + hour;
    if (key != s->hour_key) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        tm.tm_year = year - 1900;
        tm.tm_mon = mon;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        s->hour_key = key;
        s->hour_ms = t == (time_t)-1 ? -1 : (int64_t)t * 1000;
    }
    *ms = s->hour_ms < 0 ? 0
                         : s->hour_ms + (int64_t)(min * 60 + sec) * 1000 + cs * 10;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Retry memory                                                              */

/* One field of a key, then a separator: ("ab","c") differs from ("a","bc"). */
static uint64_t hash_field(uint64_t h, struct span s)
{
    static const unsigned char separator = 0xff;
    return fnv1a_add(fnv1a_add(h, s.p, s.n), &separator, 1);
}

static uint64_t retry_hash(struct span ch, struct span from, struct span orig,
                           struct span to)
{
    uint64_t h = FNV1A_INIT;
    h = hash_field(h, ch);
    h = hash_field(h, from);
    h = hash_field(h, orig);
    h = hash_field(h, to);
    return h | 1; /* 0 marks an empty slot */
}

static void retry_remember(struct sunmta_state *s, uint64_t h)
{
    s->retry[h & (SUN_RETRY_SLOTS - 1)] = h;
}

/* Was @p h remembered?  Forgets it either way (the message left the queue). */
static int retry_forget(struct sunmta_state *s, uint64_t h)
{
    uint64_t *slot = &s->retry[h & (SUN_RETRY_SLOTS - 1)];
    if (*slot != h)
        return 0;
    *slot = 0;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Diagnostics                                                               */

/* A token that is a bare SMTP reply code of class 4 or 5 ("550"). */
static int is_reply_code(const char *p, size_t n)
{
    return n == 3 && (p[0] == '4' || p[0] == '5') && is_digit(p[1]) &&
           is_digit(p[2]);
}

static int starts_with(const char *p, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(p, lit, k) == 0;
}

/*
 * Find the diagnostic among the optional fields @p rest: the text after a
 * "smtp;" or "lmtp;" field, else from a bare reply code ("550 5.7.1 ...")
 * on.  Without either, the reason is the optional text minus a leading
 * file name (LOG_FILENAME) and message id (LOG_MESSAGE_ID).
 */
static void find_diagnostic(struct span rest, mtamon_status_code *status,
                            struct span *reason)
{
    const char *p = rest.p, *end = rest.p + rest.n;
    const char *diag = NULL;
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        const char *tok = p;
        while (p < end && *p != ' ')
            p++;
        size_t n = (size_t)(p - tok);
        if (n == 0)
            break;
        if (starts_with(tok, n, "smtp;") || starts_with(tok, n, "lmtp;") ||
            starts_with(tok, n, "SMTP;") || starts_with(tok, n, "LMTP;")) {
            diag = tok + 5;
            break;
        }
        if (is_reply_code(tok, n)) {
            diag = tok;
            break;
        }
    }
    *status = 0;
    if (diag) {
        char buf[32];
        size_t n = (size_t)(end - diag);
        if (n > sizeof buf - 1)
            n = sizeof buf - 1;
        memcpy(buf, diag, n);
        buf[n] = '\0';
        *status = mtamon_status_parse(buf);
        reason->p = diag;
        reason->n = (size_t)(end - diag);
        return;
    }
    p = rest.p;
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        if (p == end || (*p != '/' && *p != '<'))
            break;
        while (p < end && *p != ' ')
            p++;
    }
    reason->p = p;
    reason->n = (size_t)(end - p);
}

/* ------------------------------------------------------------------------ */
/* Records                                                                   */

static void event_init(struct feed_event *ev, enum feed_event_kind kind,
                       int64_t ms)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->time_ms = ms;
    ev->queue_ms = -1;
}

/* The header of a record: date, process id, channels, code. */
struct record {
    int64_t ms;
    struct span pid;   /* n = 0 without LOG_PROCESS */
    struct span ch[2]; /* channels as written; ch[1].n = 0 when blank */
    int n_ch;
    struct span code;
};

/* The next field, ending at a space or the end of the line (may be empty). */
static const char *take_field(const char *p, const char *end, struct span *f)
{
    f->p = p;
    while (p < end && *p != ' ')
        p++;
    f->n = (size_t)(p - f->p);
    return p;
}

/* Message records (E D Q Z J R K B I V W): @p p is just after the size. */
static enum feed_line_result message_record(struct sunmta_state *s,
                                            const struct record *r,
                                            uint64_t blocks, const char *p,
                                            const char *end, feed_emit_fn emit,
                                            void *ctx)
{
    struct span from, orig, to, rest;
    if (p == end)
        return FEED_LINE_UNPARSED;
    p = take_field(p + 1, end, &from);
    if (p == end)
        return FEED_LINE_UNPARSED;
    p = take_field(p + 1, end, &orig);
    if (p == end)
        return FEED_LINE_UNPARSED;
    p = take_field(p + 1, end, &to);
    rest.p = p < end ? p + 1 : end;
    rest.n = (size_t)(end - rest.p);
    if (span_eq(from, "<>")) /* LOG_FORMAT 2 writes the empty address so */
        from.n = 0;
    if (orig.n == 0 && to.n == 0)
        return FEED_LINE_UNPARSED;

    struct feed_event ev;
    mtamon_status_code status;
    struct span reason;
    uint64_t octets = blocks * SUN_BLOCK_SIZE;
    struct span acting = r->ch[0];

    switch (r->code.p[0]) {
    case 'E':
        if (r->n_ch != 2)
            return FEED_LINE_UNPARSED;
        event_init(&ev, FEED_ENQUEUE, r->ms);
        copy_name(ev.src, r->ch[0]);
        copy_name(ev.channel, r->ch[1]);
        break;
    case 'D':
        event_init(&ev, FEED_DEQUEUE, r->ms);
        copy_name(ev.channel, acting);
        ev.first_attempt = !retry_forget(s, retry_hash(acting, from, orig, to));
        break;
    case 'Q':
    case 'Z':
        event_init(&ev, FEED_TEMPFAIL, r->ms);
        copy_name(ev.channel, acting);
        find_diagnostic(rest, &status, &reason);
        ev.status = status;
        retry_remember(s, retry_hash(acting, from, orig, to));
        break;
    case 'J':
        event_init(&ev, FEED_REJECT, r->ms);
        copy_name(ev.channel, r->ch[0]);
        find_diagnostic(rest, &status, &reason);
        ev.status = status;
        copy_text(ev.reason, sizeof ev.reason, reason);
        break;
    case 'R':
    case 'K':
        event_init(&ev, FEED_FAIL, r->ms);
        copy_name(ev.channel, acting);
        find_diagnostic(rest, &status, &reason);
        ev.status = status;
        retry_forget(s, retry_hash(acting, from, orig, to));
        break;
    case 'B':
    case 'I':
    case 'V':
    case 'W':
        return FEED_LINE_KNOWN;
    default:
        return FEED_LINE_UNPARSED;
    }
    ev.recipients = 1;
    ev.octets = octets;
    emit(ctx, &ev);
    return FEED_LINE_COUNTED;
}

/* "TCP|lip|lport|rip|rport": the remote address and port, 0 if not that. */
static int connection_data(struct span f, struct span *rip, struct span *rport)
{
    struct span part[5];
    int n = 0;
    const char *p = f.p, *end = f.p + f.n;
    while (n < 5) {
        part[n].p = p;
        while (p < end && *p != '|')
            p++;
        part[n].n = (size_t)(p - part[n].p);
        n++;
        if (p == end)
            break;
        p++;
    }
    if (n != 5 || p != end || part[0].n == 0 || !looks_like_code(part[0]))
        return 0;
    *rip = part[3];
    *rport = part[4];
    if (!valid_name(*rip) || rip->n > FEED_REMOTE_MAX || rport->n > 5)
        return 0;
    for (size_t i = 0; i < rport->n; i++)
        if (!is_digit(rport->p[i]))
            return 0;
    return 1;
}

/* The process of a LOG_PROCESS field "pid.thread.seq": its last part is a
 * sequence number that changes with every entry, so an open and its close
 * differ there; "pid.thread" names the connection's process. */
static struct span process_of(struct span pid)
{
    for (size_t i = pid.n; i > 0; i--)
        if (pid.p[i - 1] == '.')
            return (struct span){pid.p, i - 1};
    return pid;
}

/* Append @p s to the key at *@p len, cut to FEED_KEY_MAX. */
static void key_append(char *key, size_t *len, struct span s)
{
    size_t room = FEED_KEY_MAX - *len;
    size_t n = s.n < room ? s.n : room;
    memcpy(key + *len, s.p, n);
    *len += n;
    key[*len] = '\0';
}

/* Connection records (LOG_CONNECTION): @p p is just after the code. */
static enum feed_line_result connection_record(const struct record *r, int inbound,
                                               const char *p, const char *end,
                                               feed_emit_fn emit, void *ctx)
{
    struct span data = {end, 0}, rip = {end, 0}, rport = {end, 0}, rest;
    int have_data = 0;
    while (p < end && *p == ' ')
        p++;
    const char *q = take_field(p, end, &data);
    if (data.n > 0 && connection_data(data, &rip, &rport)) {
        have_data = 1;
        /* Skip the protocol name that follows ("SMTP"). */
        while (q < end && *q == ' ')
            q++;
        struct span proto;
        const char *after = take_field(q, end, &proto);
        if (looks_like_code(proto))
            q = after;
        p = q;
    }
    while (p < end && *p == ' ')
        p++;
    rest.p = p;
    rest.n = (size_t)(end - p);

    struct feed_event ev;
    mtamon_status_code status;
    struct span reason;
    enum feed_event_kind kind;
    switch (r->code.p[0]) {
    case 'O':
        kind = FEED_ASSOC_OPEN;
        break;
    case 'C':
        kind = FEED_ASSOC_CLOSE;
        break;
    case 'X':
        kind = inbound ? FEED_ASSOC_REJECT : FEED_ASSOC_FAIL;
        break;
    case 'Y':
        if (inbound)
            return FEED_LINE_KNOWN;
        kind = FEED_ASSOC_FAIL;
        break;
    case 'I':
    case 'A':
        return FEED_LINE_KNOWN;
    default:
        return FEED_LINE_UNPARSED;
    }
    if ((kind == FEED_ASSOC_OPEN || kind == FEED_ASSOC_CLOSE) && !have_data)
        return FEED_LINE_UNPARSED;

    event_init(&ev, kind, r->ms);
    copy_name(ev.channel, r->ch[0]);
    ev.direction = inbound ? MTAMON_INBOUND : MTAMON_OUTBOUND;
    if (have_data) {
        copy_name(ev.remote, rip);
        size_t klen = 0;
        static const struct span bar = {"|", 1};
        key_append(ev.key, &klen, r->pid.n ? process_of(r->pid) : r->ch[0]);
        key_append(ev.key, &klen, bar);
        key_append(ev.key, &klen, rip);
        key_append(ev.key, &klen, bar);
        key_append(ev.key, &klen, rport);
    }
    if (kind == FEED_ASSOC_REJECT || kind == FEED_ASSOC_FAIL) {
        find_diagnostic(rest, &status, &reason);
        ev.status = status;
        copy_text(ev.reason, sizeof ev.reason, reason);
    }
    emit(ctx, &ev);
    return FEED_LINE_COUNTED;
}

/* Most fields a record's header has before the size: pid, 2 channels,
 * code, size. */
#define SUN_HEAD_TOKENS 5

static enum feed_line_result sunmta_parse(void *state, const char *line,
                                          size_t len, feed_emit_fn emit,
                                          void *ctx)
{
    struct sunmta_state *s = state;
    struct record r;
    memset(&r, 0, sizeof r);
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (!parse_date(s, line, len, &r.ms))
        return FEED_LINE_SKIPPED;
    const char *p = line + SUN_DATE_LEN, *end = line + len;
    if (p == end || *p != ' ')
        return FEED_LINE_UNPARSED;

    /* The header's fields, separated by runs of spaces (the channel
     * columns are padded). */
    struct span tok[SUN_HEAD_TOKENS];
    int nt = 0;
    while (nt < SUN_HEAD_TOKENS) {
        while (p < end && *p == ' ')
            p++;
        if (p == end)
            break;
        p = take_field(p, end, &tok[nt]);
        nt++;
    }

    for (int i = 1; i <= 3 && i + 1 < nt; i++) {
        int conn = span_eq(tok[i], "+") || span_eq(tok[i], "-");
        if (!conn && !(looks_like_code(tok[i]) && looks_like_size(tok[i + 1])))
            continue;
        /* tok[0..i-1]: [pid] channel [channel] */
        int first = 0;
        if (i == 3 || (i == 2 && looks_like_pid(tok[0]))) {
            if (!looks_like_pid(tok[0]))
                return FEED_LINE_UNPARSED;
            r.pid = tok[0];
            first = 1;
        }
        r.n_ch = i - first;
        for (int c = 0; c < r.n_ch; c++) {
            if (!valid_name(tok[first + c]))
                return FEED_LINE_UNPARSED;
            r.ch[c] = tok[first + c];
        }
        if (conn) {
            if (r.n_ch != 1 || !looks_like_code(tok[i + 1]))
                return FEED_LINE_UNPARSED;
            r.code = tok[i + 1];
            return connection_record(&r, tok[i].p[0] == '+',
                                     tok[i + 1].p + tok[i + 1].n, end, emit,
                                     ctx);
        }
        r.code = tok[i];
        return message_record(s, &r, span_number(tok[i + 1]),
                              tok[i + 1].p + tok[i + 1].n, end, emit, ctx);
    }
    return FEED_LINE_UNPARSED;
}

const struct feed_format feed_format_sunmta = {
    .name = "sunmta",
    .create = sunmta_create,
    .destroy = sunmta_destroy,
    .parse = sunmta_parse,
    .message_only = 1, /* mail.log lines, not syslog's */
};
