/*
 * alarm_mail_message.c - the text of an alarm mail (see
 * alarm_mail_internal.h): RFC 5322 headers and a body that names every
 * field, printable ASCII throughout.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alarm_mail_internal.h"

/* A growing text; on ENOMEM it stops growing and remembers it. */
struct mbuf {
    char *p;
    size_t len, cap;
    int oom;
};

static void mb_reserve(struct mbuf *b, size_t more)
{
    if (b->oom || b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

/* Append printf-style text; its %s arguments must be clean already. */
static void mb_printf(struct mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mb_printf(struct mbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    mb_reserve(b, (size_t)n);
    if (b->oom)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* The byte as the message may carry it: printable ASCII, else '?'. */
static char clean_char(unsigned char c)
{
    return c >= 0x20 && c <= 0x7e ? (char)c : '?';
}

/* Append @p s made printable (a name may hold anything). */
static void mb_clean(struct mbuf *b, const char *s)
{
    size_t n = strlen(s);
    mb_reserve(b, n);
    if (b->oom)
        return;
    for (size_t i = 0; i < n; i++)
        b->p[b->len++] = clean_char((unsigned char)s[i]);
    b->p[b->len] = '\0';
}

/* @p s made printable into @p dst (@p cap bytes, cut to fit). */
static const char *clean_copy(char *dst, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < cap; i++)
        dst[i] = clean_char((unsigned char)s[i]);
    dst[i] = '\0';
    return dst;
}

/* RFC 5322 date of @p wall_ms in UTC, whatever the locale. */
static void rfc5322_date(int64_t wall_ms, char *buf, size_t len)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, len, "Thu, 01 Jan 1970 00:00:00 +0000");
        return;
    }
    snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

/* RFC 3339 time of @p wall_ms in UTC: "2024-05-01T12:00:00Z". */
static void rfc3339_time(int64_t wall_ms, char *buf, size_t len)
{
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "1970-01-01T00:00:00Z");
}

/* What a raise or clear says, cleaned: the parts of its subject. */
struct alarm_text {
    const char *verb;      /* RAISED, REMINDER, CLEARED */
    const char *state;     /* the row's state after it */
    char name[CONFIG_NAME_MAX + 1];
    char object[ALARM_OBJECT_MAX + 1];
    const char *kind;
    const char *severity;
    const char *op;        /* how value compares with threshold */
    char value[ALARM_VALUE_MAX];
    char threshold[ALARM_VALUE_MAX];
};

static void alarm_text_of(const struct alarm_event *ev, struct alarm_text *t)
{
    const struct config_alarm *a = ev->row->conf;
    int below = config_alarm_kind_below(a->kind);
    int raise = ev->type == ALARM_EVENT_RAISE;
    t->verb = !raise ? "CLEARED" : ev->resend ? "REMINDER" : "RAISED";
    t->state = alarm_state_name(raise ? ALARM_ACTIVE : ALARM_CLEAR);
    clean_copy(t->name, sizeof t->name, a->name);
    clean_copy(t->object, sizeof t->object, ev->row->object);
    t->kind = config_alarm_kind_name(a->kind);
    t->severity = config_alarm_severity_name(a->severity);
    /* A raise is value at or past raise; a clear, value past clear. */
    t->op = raise ? (below ? "<=" : ">=") : (below ? ">" : "<");
    char v[ALARM_VALUE_MAX];
    clean_copy(t->value, sizeof t->value, alarm_format_value(ev->value, v));
    clean_copy(t->threshold, sizeof t->threshold, alarm_format_value(ev->threshold, v));
}

static void format_subject(const struct alarm_event *ev, const struct alarm_text *t,
                           char *subject, size_t len)
{
    if (ev->type == ALARM_EVENT_SUMMARY) {
        snprintf(subject, len, "[mtamon] SUMMARY: %" PRIu32 " notification%s not sent (rate limit)",
                 ev->suppressed, ev->suppressed == 1 ? "" : "s");
        return;
    }
    snprintf(subject, len, "[mtamon] %s %s: %s%s%s: %s %s %s %s", t->verb, t->severity, t->name,
             t->object[0] ? " " : "", t->object, t->kind, t->value, t->op, t->threshold);
}

static void format_headers(struct mbuf *b, const struct alarm_mail_envelope *env,
                           const char *subject, int64_t wall_ms)
{
    char date[64];
    rfc5322_date(wall_ms, date, sizeof date);
    mb_printf(b, "From: ");
    mb_clean(b, env->from);
    mb_printf(b, "\nTo: ");
    for (size_t i = 0; i < env->n_to; i++) {
        /* folded: one address a line, however many there are */
        if (i > 0)
            mb_printf(b, ",\n ");
        mb_clean(b, env->to[i]);
    }
    mb_printf(b, "\nSubject: %s\nDate: %s\nMessage-ID: <", subject, date);
    mb_clean(b, env->message_id);
    mb_printf(b, ">\n"
                 "Auto-Submitted: auto-generated\n"
                 "MIME-Version: 1.0\n"
                 "Content-Type: text/plain; charset=UTF-8\n"
                 "Content-Transfer-Encoding: 7bit\n"
                 "\n");
}

static void format_alarm_body(struct mbuf *b, const struct alarm_event *ev,
                              const struct alarm_text *t)
{
    const char *what = ev->type == ALARM_EVENT_CLEAR ? "cleared"
                       : ev->resend                  ? "is still raised"
                                                     : "raised";
    mb_printf(b, "%s %s%s%s: %s %s %s %s.\n\n", t->name, what, t->object[0] ? " on " : "",
              t->object, t->kind, t->value, t->op, t->threshold);
    mb_printf(b,
              "Alarm:     %s\n"
              "Kind:      %s\n"
              "Object:    %s\n"
              "Value:     %s\n"
              "Threshold: %s\n"
              "Severity:  %s\n"
              "State:     %s\n",
              t->name, t->kind, t->object, t->value, t->threshold, t->severity, t->state);
}

char *alarm_mail_message_format(const struct alarm_event *ev,
                                const struct alarm_mail_envelope *env, size_t *len,
                                char *subject, size_t subject_len)
{
    struct alarm_text t;
    memset(&t, 0, sizeof t);
    if (ev->type != ALARM_EVENT_SUMMARY)
        alarm_text_of(ev, &t);
    format_subject(ev, &t, subject, subject_len);

    int64_t wall_ms = ev->wall_ms;
    if (wall_ms <= 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    char host[256], when[32];
    clean_copy(host, sizeof host, env->host);
    rfc3339_time(wall_ms, when, sizeof when);

    struct mbuf b = {NULL, 0, 0, 0};
    format_headers(&b, env, subject, wall_ms);
    if (ev->type == ALARM_EVENT_SUMMARY)
        mb_printf(&b,
                  "%" PRIu32 " notification%s not sent: more than alarm_options.max_per_second\n"
                  "in one second.  The alarms changed state all the same: `mtamon alarms`\n"
                  "shows them.\n\n"
                  "Not sent:  %" PRIu32 "\n",
                  ev->suppressed, ev->suppressed == 1 ? " was" : "s were", ev->suppressed);
    else
        format_alarm_body(&b, ev, &t);
    mb_printf(&b,
              "Sequence:  %" PRIu32 "\n"
              "Host:      %s\n"
              "Time:      %s\n"
              "\n"
              "-- \n"
              "mtamond (mtamon) on %s\n",
              ev->sequence, host, when, host);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}
