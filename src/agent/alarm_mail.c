/*
 * alarm_mail.c - the alarm mailer (see alarm_mail.h): the configuration
 * it keeps, the bounded queue the engine's thread fills, and the worker
 * thread that empties it through the command (alarm_mail_command.c) or
 * the SMTP client (alarm_mail_smtp.c).
 *
 * The lock is held only to move a message in or out of the queue and to
 * count: never while a message is formatted or sent, so
 * alarm_mail_event() waits for nothing the mail path does.
 */
#include "alarm_mail.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "alarm_mail_internal.h"
#include "log.h"
#include "monotonic.h"
#include "probe_smtp.h"

/* One formatted message waiting to go. */
struct alarm_mail_item {
    char subject[ALARM_MAIL_SUBJECT_MAX];
    char *text;                /* the LF form */
    size_t len;
};

struct alarm_mail {
    /* The configuration, copied (read-only once made). */
    char **argv;               /* command words, NULL-terminated; NULL: SMTP */
    char *smtp_host;
    uint16_t smtp_port;
    char *from;
    char **to;
    size_t n_to;
    unsigned timeout_ms;
    char helo[256];            /* this host's name: EHLO, default From: */
    char where[300];           /* "command PATH" or "smtp HOST:PORT", for the log */
    char run_id[17];           /* random, in every Message-ID */

    pthread_mutex_t lock;
    pthread_cond_t wake;       /* a message queued, or stop */
    struct alarm_mail_item *queue[ALARM_MAIL_QUEUE_MAX];
    size_t head, count;
    uint64_t made;             /* messages made, for the Message-ID */
    int full_logged;           /* the queue's filling up was logged */
    int stopping;
    int64_t stop_by;           /* monotonic: the worker gives up then */
    int started;
    pthread_t thread;
    struct alarm_mail_stats stats;
};

/* ------------------------------------------------------------------------ */
/* Making and freeing                                                        */

static void free_words(char **words)
{
    if (!words)
        return;
    for (char **w = words; *w; w++)
        free(*w);
    free(words);
}

/* @p s split on blanks: a NULL-terminated array (malloc'd, each word
 * too), or NULL when out of memory; *@p n the words. */
static char **split_words(const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        if (*p == ' ' || *p == '\t')
            cap++;
    char **words = calloc(cap + 1, sizeof *words);
    if (!words)
        return NULL;
    *n = 0;
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, " \t");
        words[*n] = strndup(p, len);
        if (!words[*n]) {
            free_words(words);
            return NULL;
        }
        (*n)++;
        p += len;
    }
    return words;
}

static void free_config(alarm_mail *m)
{
    free_words(m->argv);
    free(m->smtp_host);
    free(m->from);
    if (m->to)
        for (size_t i = 0; i < m->n_to; i++)
            free(m->to[i]);
    free(m->to);
}

static int is_set(const char *s)
{
    return s && s[0];
}

static void make_run_id(char run_id[17])
{
    unsigned char raw[8];
    if (getrandom(raw, sizeof raw, GRND_NONBLOCK) != (ssize_t)sizeof raw) {
        uint64_t v = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
                     (uint64_t)monotonic_ms();
        memcpy(raw, &v, sizeof raw);
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(run_id + 2 * i, 3, "%02x", raw[i]);
}

/* Copy @p conf into @p m: 0, or -1 with the reason in @p err. */
static int copy_config(alarm_mail *m, const struct config_alarm_mail *conf, char *err,
                       size_t errlen)
{
    struct config_probe none;
    memset(&none, 0, sizeof none);
    probe_smtp_helo_name(&none, m->helo, sizeof m->helo);
    m->timeout_ms = conf->timeout_ms ? conf->timeout_ms : ALARM_MAIL_TIMEOUT_DEFAULT_MS;
    if (is_set(conf->command)) {
        size_t n = 0;
        m->argv = split_words(conf->command, &n);
        if (!m->argv)
            goto oom;
        if (n == 0) {
            snprintf(err, errlen, "alarm_options.mail.command: no program in '%s'",
                     conf->command);
            return -1;
        }
        snprintf(m->where, sizeof m->where, "command %s", m->argv[0]);
    } else {
        if (!is_set(conf->smtp_host)) {
            snprintf(err, errlen, "alarm_options.mail.smtp: no host in '%s'", conf->smtp);
            return -1;
        }
        m->smtp_host = strdup(conf->smtp_host);
        if (!m->smtp_host)
            goto oom;
        m->smtp_port = conf->smtp_port ? conf->smtp_port : 25;
        /* as written ("[::1]:25"), else HOST:PORT */
        if (strchr(conf->smtp, ':'))
            snprintf(m->where, sizeof m->where, "smtp %s", conf->smtp);
        else
            snprintf(m->where, sizeof m->where, "smtp %s:%u", m->smtp_host,
                     (unsigned)m->smtp_port);
    }
    if (is_set(conf->from)) {
        m->from = strdup(conf->from);
    } else if (asprintf(&m->from, "mtamond@%s", m->helo) < 0) {
        m->from = NULL;
    }
    if (!m->from)
        goto oom;
    size_t n_to = conf->n_to ? conf->n_to : 1;
    m->to = calloc(n_to, sizeof *m->to);
    if (!m->to)
        goto oom;
    m->n_to = n_to;
    for (size_t i = 0; i < n_to; i++) {
        m->to[i] = strdup(conf->n_to ? conf->to[i] : "postmaster");
        if (!m->to[i])
            goto oom;
    }
    return 0;
oom:
    snprintf(err, errlen, "alarm_options.mail: out of memory");
    return -1;
}

alarm_mail *alarm_mail_new(const struct config_alarm_mail *conf, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    int has_command = is_set(conf->command), has_smtp = is_set(conf->smtp);
    if (!has_command && !has_smtp)
        return NULL;  /* off */
    if (has_command && has_smtp) {
        snprintf(err, errlen, "alarm_options.mail: command and smtp are both set");
        return NULL;
    }
    alarm_mail *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "alarm_options.mail: out of memory");
        return NULL;
    }
    if (copy_config(m, conf, err, errlen) < 0) {
        free_config(m);
        free(m);
        return NULL;
    }
    make_run_id(m->run_id);
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->wake, NULL);
    return m;
}

/* ------------------------------------------------------------------------ */
/* The worker                                                                */

static void send_one(alarm_mail *m, struct alarm_mail_item *it, unsigned timeout_ms)
{
    char err[512] = "";
    int rc;
    if (m->argv) {
        rc = alarm_mail_command_run(m->argv, it->text, it->len, timeout_ms, err, sizeof err);
    } else {
        struct alarm_mail_smtp s = {m->smtp_host, m->smtp_port, m->helo, m->from,
                                    m->to, m->n_to};
        rc = alarm_mail_smtp_send(&s, it->text, it->len, timeout_ms, err, sizeof err);
    }
    if (rc == 0)
        log_msg(LOG_DEBUG, "alarm mail sent (%s): %s", m->where, it->subject);
    else
        log_msg(LOG_WARNING, "alarm mail not sent (%s): %s: %s", m->where, it->subject, err);
    pthread_mutex_lock(&m->lock);
    if (rc == 0)
        m->stats.sent++;
    else
        m->stats.failed++;
    pthread_mutex_unlock(&m->lock);
}

static void item_free(struct alarm_mail_item *it)
{
    if (!it)
        return;
    free(it->text);
    free(it);
}

static void *worker(void *arg)
{
    alarm_mail *m = arg;
    pthread_mutex_lock(&m->lock);
    for (;;) {
        while (m->count == 0 && !m->stopping)
            pthread_cond_wait(&m->wake, &m->lock);
        if (m->count == 0)
            break;
        unsigned timeout_ms = m->timeout_ms;
        if (m->stopping) {
            int64_t left = m->stop_by - monotonic_ms();
            if (left <= 0)
                break;  /* alarm_mail_free() drops the rest */
            if (left < (int64_t)timeout_ms)
                timeout_ms = (unsigned)left;
        }
        struct alarm_mail_item *it = m->queue[m->head];
        m->queue[m->head] = NULL;
        m->head = (m->head + 1) % ALARM_MAIL_QUEUE_MAX;
        m->count--;
        pthread_mutex_unlock(&m->lock);
        send_one(m, it, timeout_ms);
        item_free(it);
        pthread_mutex_lock(&m->lock);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int alarm_mail_start(alarm_mail *m, char *err, size_t errlen)
{
    if (m->started) {
        snprintf(err, errlen, "alarm mail: started already");
        return -1;
    }
    /* The thread inherits a mask with every signal blocked: they are
     * the main loop's. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&m->thread, NULL, worker, m);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "alarm mail: cannot start a thread: %s", strerror(rc));
        return -1;
    }
    m->started = 1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Queueing                                                                  */

/* @p host as the right side of a Message-ID: letters, digits, '-', '.'. */
static void id_host(const char *host, char *buf, size_t len)
{
    size_t o = 0;
    for (const char *p = host ? host : ""; *p && o + 1 < len; p++) {
        char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.')
            buf[o++] = c;
    }
    buf[o] = '\0';
    if (o == 0)
        snprintf(buf, len, "localhost");
}

void alarm_mail_event(alarm_mail *m, const struct alarm_event *ev, const char *host)
{
    if (!m || !ev)
        return;
    if (ev->type != ALARM_EVENT_SUMMARY && (!ev->row || !ev->row->conf || !ev->row->conf->mail))
        return;
    if (!host || !host[0])
        host = m->helo;

    pthread_mutex_lock(&m->lock);
    uint64_t n = ++m->made;
    pthread_mutex_unlock(&m->lock);
    char idh[256], msgid[400];
    id_host(host, idh, sizeof idh);
    snprintf(msgid, sizeof msgid, "mtamon.alarm.%" PRIu32 ".%s.%" PRIu64 "@%s", ev->sequence,
             m->run_id, n, idh);
    struct alarm_mail_envelope env = {m->from, m->to, m->n_to, host, msgid};

    struct alarm_mail_item *it = calloc(1, sizeof *it);
    if (it)
        it->text = alarm_mail_message_format(ev, &env, &it->len, it->subject,
                                             sizeof it->subject);
    int queued = 0, log_full = 0;
    pthread_mutex_lock(&m->lock);
    if (it && it->text && m->count < ALARM_MAIL_QUEUE_MAX) {
        m->queue[(m->head + m->count) % ALARM_MAIL_QUEUE_MAX] = it;
        m->count++;
        m->stats.queued++;
        m->full_logged = 0;
        queued = 1;
        pthread_cond_signal(&m->wake);
    } else {
        m->stats.dropped++;
        log_full = !m->full_logged;
        m->full_logged = 1;
    }
    pthread_mutex_unlock(&m->lock);
    if (queued)
        return;
    /* Once per run of drops, not once per drop. */
    if (log_full && it && it->text)
        log_msg(LOG_WARNING, "alarm mail dropped (%s): %s: the queue is full (%d messages)",
                m->where, it->subject, ALARM_MAIL_QUEUE_MAX);
    else if (log_full)
        log_msg(LOG_WARNING, "alarm mail dropped (%s): out of memory", m->where);
    item_free(it);
}

struct alarm_mail_stats alarm_mail_stats(alarm_mail *m)
{
    struct alarm_mail_stats s = {0, 0, 0, 0};
    if (!m)
        return s;
    pthread_mutex_lock(&m->lock);
    s = m->stats;
    pthread_mutex_unlock(&m->lock);
    return s;
}

void alarm_mail_free(alarm_mail *m)
{
    if (!m)
        return;
    if (m->started) {
        pthread_mutex_lock(&m->lock);
        m->stopping = 1;
        m->stop_by = monotonic_ms() + m->timeout_ms;
        pthread_cond_signal(&m->wake);
        pthread_mutex_unlock(&m->lock);
        pthread_join(m->thread, NULL);
    }
    if (m->count > 0)
        log_msg(LOG_WARNING, "%zu alarm mail%s not sent (%s): stopping", m->count,
                m->count == 1 ? "" : "s", m->where);
    while (m->count > 0) {
        item_free(m->queue[m->head]);
        m->head = (m->head + 1) % ALARM_MAIL_QUEUE_MAX;
        m->count--;
    }
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    free_config(m);
    free(m);
}
