/*
 * gen_maillog.c - write a realistic MTA log of N lines to standard output,
 * the input of the `mtamon feed` benchmark (bench/feed/run).
 *
 *   gen_maillog --format postfix|sunmta|exim|sendmail --lines N [--seed S]
 *
 * postfix: traditional syslog lines ("Mar 10 00:00:01 mx1 postfix/smtpd[..]:")
 *   of an MX that also relays local mail: postscreen CONNECT/PASS/DNSBL,
 *   smtpd connect, client= and disconnect, cleanup message-id=, qmgr
 *   from=/size=/nrcpt= and removed, smtp/local/virtual deliveries that are
 *   sent, deferred (then retried) or bounced, NOQUEUE rejects, pickup,
 *   bounce notifications, warnings, and lines of other programs (dovecot,
 *   cron, sshd, systemd, the kernel).
 * sendmail: sm-mta and MSP syslog lines of an MX that relays local mail:
 *   from= of SMTP and command-line arrivals, to= of local, relay and esmtp
 *   deliveries (Sent, Deferred then Sent, User unknown with its DSN),
 *   check_relay/check_rcpt/check_mail rejects, "User unknown" at RCPT,
 *   STARTTLS=, AUTH=, lost input channel, did not issue MAIL, and the
 *   same other programs' lines as postfix.
 * sunmta: Messaging Server mail.log records ("10-Mar-2024 00:00:01.23
 *   [pid] src dst ACTION size from rfc822;to to ..."): E, D, Q, R and J
 *   records, some with process ids and message ids, and connection
 *   records (+/- O, C) of the SMTP channels.
 * exim: an Exim mainlog with Debian's default log_selector ("2024-03-10
 *   00:00:01 1xZZTw-0006ok-11 <= ..."): SMTP arrivals delivered locally
 *   (=>, -> and Completed), local submissions relayed out over SMTP
 *   (delivered, deferred after a failed connection then delivered, or
 *   bounced with a 550 5.1.1 and a notification), rejected RCPTs, queue
 *   runs, and the daemon's other lines.
 *
 * Sessions (one message or one connection each) run in a few dozen slots;
 * every line comes from a random slot, so the records of concurrent
 * messages interleave as in a real log, and every queue id, process id and
 * connection is consistent from its first line to its last.  The same
 * seed gives the same log from the same build (another compiler may
 * evaluate the random arguments of one call in another order).  Time
 * starts at 2024-03-10 00:00:00 UTC and moves on 0 to 20 ms per line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Concurrent sessions, and the lines one session may hold. */
#define SLOTS 48
#define SESSION_LINES 48
#define LINE_MAX_LEN 640

enum format { POSTFIX, SUNMTA, EXIM, SENDMAIL };

struct session {
    char lines[SESSION_LINES][LINE_MAX_LEN]; /* the bodies, after the time stamp */
    int count, next;
    int smtpd_pid;   /* Postfix: this slot's smtpd process */
};

struct gen {
    enum format format;
    uint64_t rng;
    int64_t now_ms;
    uint32_t queue_seq;
    uint32_t msg_seq;
    uint32_t log_seq; /* Sun: logging operations, for the process id field */
    struct session slots[SLOTS];
    char *out;
    size_t out_len;
};

#define OUT_SIZE (1u << 20)

/* splitmix64: small, fast and the same everywhere. */
static uint64_t next_random(struct gen *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A number in [0, n). */
static unsigned pick(struct gen *g, unsigned n)
{
    return (unsigned)(next_random(g) % n);
}

/* True with probability percent / 100. */
static int chance(struct gen *g, unsigned percent)
{
    return pick(g, 100) < percent;
}

static void flush_out(struct gen *g)
{
    if (g->out_len > 0 && fwrite(g->out, 1, g->out_len, stdout) != g->out_len) {
        perror("gen_maillog: write");
        exit(74);
    }
    g->out_len = 0;
}

static void emit_bytes(struct gen *g, const char *s, size_t n)
{
    if (g->out_len + n > OUT_SIZE)
        flush_out(g);
    memcpy(g->out + g->out_len, s, n);
    g->out_len += n;
}

/* Append one formatted line to session @p s (silently dropped when full:
 * the sessions below never need that many). */
__attribute__((format(printf, 2, 3)))
static void add_line(struct session *s, const char *fmt, ...)
{
    if (s->count >= SESSION_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->lines[s->count], LINE_MAX_LEN, fmt, ap);
    va_end(ap);
    if (n > 0)
        s->count++;
}

/* --- names and numbers ------------------------------------------------------- */

static const char *const users[] = {
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
    "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent",
    "victor", "walter", "postmaster", "billing", "noreply", "newsletter", "support",
};
static const char *const local_domains[] = {"example.com", "mail.example.com", "example.net"};
static const char *const remote_domains[] = {
    "example.org", "gmail.com", "outlook.com", "yahoo.co.uk", "web.de", "orange.fr",
    "uni-example.edu", "lists.example.info", "mailer.shop.example", "corp.example.biz",
};
static const char *const remote_hosts[] = {
    "mail.example.org", "mail-wr1-f54.google.com", "mail-db8eur05on2071.outbound.protection.outlook.com",
    "sonic301-20.consmr.mail.ir2.yahoo.com", "mout.web.de", "smtp-out.orange.fr",
    "mx.uni-example.edu", "bounce.lists.example.info", "o1.ptr1234.mailer.shop.example", "unknown",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static unsigned remote_index(struct gen *g)
{
    return pick(g, COUNT(remote_domains));
}

static void make_ip(struct gen *g, char *buf, size_t size)
{
    snprintf(buf, size, "%u.%u.%u.%u", 192 + pick(g, 32), pick(g, 256), pick(g, 256), 1 + pick(g, 254));
}

/* A Postfix short queue id: 10 upper-case hex digits, unique in the log. */
static void make_queue_id(struct gen *g, char *buf, size_t size)
{
    uint32_t seq = ++g->queue_seq;
    snprintf(buf, size, "%02X%08" PRIX32, pick(g, 256), seq * 2654435761u);
}

/* --- Postfix --------------------------------------------------------------------- */

static void postfix_delivery(struct gen *g, struct session *s, const char *qid,
                             const char *rcpt, int local, int retry, int *deferred)
{
    double delay = (double)pick(g, 3000) / 100.0 + (retry ? 1800.0 : 0.0);
    double d1 = (double)pick(g, 50) / 100.0, d2 = (double)pick(g, 5) / 100.0;
    double d3 = (double)pick(g, 80) / 100.0, d4 = (double)pick(g, 100) / 100.0;
    unsigned roll = pick(g, 100);
    if (local) {
        const char *agent = chance(g, 50) ? "local" : "virtual";
        int pid = 5000 + (int)pick(g, 40);
        if (roll < 97) {
            add_line(s, "postfix/%s[%d]: %s: to=<%s>, relay=%s, delay=%.2f, delays=%.2g/%.2g/%.2g/%.2g, "
                        "dsn=2.0.0, status=sent (delivered to %s)",
                     agent, pid, qid, rcpt, agent, delay, d1, d2, d3, d4,
                     agent[0] == 'l' ? "mailbox" : "maildir");
        } else if (roll < 99) {
            add_line(s, "postfix/%s[%d]: %s: to=<%s>, relay=%s, delay=%.2f, delays=%.2g/%.2g/%.2g/%.2g, "
                        "dsn=4.2.2, status=deferred (maildir delivery failed: Disk quota exceeded)",
                     agent, pid, qid, rcpt, agent, delay, d1, d2, d3, d4);
            *deferred = 1;
        } else {
            add_line(s, "postfix/%s[%d]: %s: to=<%s>, relay=%s, delay=%.2f, delays=%.2g/%.2g/%.2g/%.2g, "
                        "dsn=5.1.1, status=bounced (unknown user: \"%.*s\")",
                     agent, pid, qid, rcpt, agent, delay, d1, d2, d3, d4,
                     (int)strcspn(rcpt, "@"), rcpt);
        }
        return;
    }
    int pid = 6000 + (int)pick(g, 60);
    unsigned r = remote_index(g);
    char ip[20];
    make_ip(g, ip, sizeof ip);
    const char *host = remote_hosts[r][0] == 'u' ? "mx.example.org" : remote_hosts[r];
    if (roll < 88 || retry) {
        add_line(s, "postfix/smtp[%d]: %s: to=<%s>, relay=%s[%s]:25, delay=%.2f, delays=%.2g/%.2g/%.2g/%.2g, "
                    "dsn=2.0.0, status=sent (250 2.0.0 OK  1710028800 %08" PRIx64 " - gsmtp)",
                 pid, qid, rcpt, host, ip, delay, d1, d2, d3, d4, next_random(g) >> 32);
    } else if (roll < 96) {
        if (chance(g, 50)) {
            add_line(s, "postfix/smtp[%d]: connect to %s[%s]:25: Connection timed out", pid, host, ip);
            add_line(s, "postfix/smtp[%d]: %s: to=<%s>, relay=none, delay=%.2f, delays=%.2g/%.2g/%.2g/%.2g, "
                        "dsn=4.4.1, status=deferred (connect to %s[%s]:25: Connection timed out)",
                     pid, qid, rcpt, delay, d1, d2, d3, d4, host, ip);
        } else {
            add_line(s, "postfix/smtp[%d]: %s: to=<%s>, relay=%s[%s]:25, delay=%.2f, delays=%.2g/%.2g/%.2g/%.2g, "
                        "dsn=4.7.1, status=deferred (host %s[%s] said: 451 4.7.1 Greylisted, please try "
                        "again later (in reply to RCPT TO command))",
                     pid, qid, rcpt, host, ip, delay, d1, d2, d3, d4, host, ip);
        }
        *deferred = 1;
    } else {
        add_line(s, "postfix/smtp[%d]: %s: to=<%s>, relay=%s[%s]:25, delay=%.2f, delays=%.2g/%.2g/%.2g/%.2g, "
                    "dsn=5.1.1, status=bounced (host %s[%s] said: 550 5.1.1 <%s>: Recipient address "
                    "rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))",
                 pid, qid, rcpt, host, ip, delay, d1, d2, d3, d4, host, ip, rcpt);
    }
}

/* The queue manager's part of a message: from=, deliveries, retries, removed. */
static void postfix_queue(struct gen *g, struct session *s, const char *qid, const char *from,
                          int inbound)
{
    unsigned nrcpt = 1 + (chance(g, 20) ? pick(g, 4) : 0);
    unsigned size = 800 + pick(g, 60000) + (chance(g, 5) ? pick(g, 5000000) : 0);
    char rcpts[5][96];
    int qmgr = 900;
    for (unsigned i = 0; i < nrcpt; i++) {
        if (inbound)
            snprintf(rcpts[i], sizeof rcpts[i], "%s@%s", users[pick(g, COUNT(users))],
                     local_domains[pick(g, COUNT(local_domains))]);
        else
            snprintf(rcpts[i], sizeof rcpts[i], "%s%u@%s", users[pick(g, COUNT(users))], pick(g, 100),
                     remote_domains[remote_index(g)]);
    }
    add_line(s, "postfix/qmgr[%d]: %s: from=<%s>, size=%u, nrcpt=%u (queue active)", qmgr, qid, from, size,
             nrcpt);
    int deferred_any = 0, bounced = 0;
    int deferred[5] = {0};
    for (unsigned i = 0; i < nrcpt; i++) {
        int before = s->count;
        postfix_delivery(g, s, qid, rcpts[i], inbound, 0, &deferred[i]);
        deferred_any |= deferred[i];
        if (s->count > before && strstr(s->lines[s->count - 1], "status=bounced"))
            bounced = 1;
    }
    if (bounced) {
        char bqid[16];
        make_queue_id(g, bqid, sizeof bqid);
        add_line(s, "postfix/bounce[%d]: %s: sender non-delivery notification: %s", 7000 + (int)pick(g, 10),
                 qid, bqid);
    }
    if (deferred_any) {
        /* Back from the deferred queue half an hour later: every recipient
         * still pending is delivered now. */
        add_line(s, "postfix/qmgr[%d]: %s: from=<%s>, size=%u, nrcpt=%u (queue active)", qmgr, qid, from,
                 size, nrcpt);
        for (unsigned i = 0; i < nrcpt; i++) {
            int ignored = 0;
            if (deferred[i])
                postfix_delivery(g, s, qid, rcpts[i], inbound, 1, &ignored);
        }
    }
    add_line(s, "postfix/qmgr[%d]: %s: removed", qmgr, qid);
}

static void postfix_inbound(struct gen *g, struct session *s)
{
    unsigned r = remote_index(g);
    char ip[20], qid[16], from[96];
    make_ip(g, ip, sizeof ip);
    make_queue_id(g, qid, sizeof qid);
    const char *host = remote_hosts[r];
    int port = 30000 + (int)pick(g, 30000);
    if (chance(g, 40)) {
        int ps = 800 + (int)pick(g, 4);
        add_line(s, "postfix/postscreen[%d]: CONNECT from [%s]:%d to [203.0.113.25]:25", ps, ip, port);
        add_line(s, "postfix/postscreen[%d]: PASS %s [%s]:%d", ps, chance(g, 80) ? "OLD" : "NEW", ip, port);
    }
    add_line(s, "postfix/smtpd[%d]: connect from %s[%s]", s->smtpd_pid, host, ip);
    if (chance(g, 30))
        add_line(s, "postfix/smtpd[%d]: Anonymous TLS connection established from %s[%s]: TLSv1.3 with "
                    "cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
                 s->smtpd_pid, host, ip);
    add_line(s, "postfix/smtpd[%d]: %s: client=%s[%s]", s->smtpd_pid, qid, host, ip);
    if (chance(g, 10))
        snprintf(from, sizeof from, "%s", "");
    else
        snprintf(from, sizeof from, "%s@%s", users[pick(g, COUNT(users))], remote_domains[r]);
    add_line(s, "postfix/cleanup[%d]: %s: message-id=<%" PRIx64 ".%u@%s>", 3000 + (int)pick(g, 8), qid,
             next_random(g) >> 20, ++g->msg_seq, remote_domains[r]);
    postfix_queue(g, s, qid, from, 1);
    /* The disconnect comes right after the queue manager took the message:
     * move it before the deliveries that postfix_queue() added. */
    char disc[LINE_MAX_LEN];
    snprintf(disc, sizeof disc,
             "postfix/smtpd[%d]: disconnect from %s[%s] ehlo=1 starttls=%d mail=1 rcpt=1 data=1 quit=1 commands=%d",
             s->smtpd_pid, host, ip, chance(g, 50), 6);
    for (int i = 0; i < s->count; i++) {
        if (strstr(s->lines[i], "(queue active)") && s->count < SESSION_LINES) {
            memmove(s->lines[i + 2], s->lines[i + 1], (size_t)(s->count - i - 1) * LINE_MAX_LEN);
            memcpy(s->lines[i + 1], disc, sizeof disc);
            s->count++;
            break;
        }
    }
}

static void postfix_reject(struct gen *g, struct session *s)
{
    char ip[20];
    make_ip(g, ip, sizeof ip);
    unsigned r = remote_index(g);
    add_line(s, "postfix/smtpd[%d]: connect from unknown[%s]", s->smtpd_pid, ip);
    switch (pick(g, 4)) {
    case 0:
        add_line(s, "postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 <%s@%s>: Relay "
                    "access denied; from=<spam%u@%s> to=<%s@%s> proto=ESMTP helo=<%s>",
                 s->smtpd_pid, ip, users[pick(g, COUNT(users))], remote_domains[r], pick(g, 1000),
                 remote_domains[r], users[0], remote_domains[r], ip);
        break;
    case 1:
        add_line(s, "postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 550 5.1.1 <nosuch%u@%s>: "
                    "Recipient address rejected: User unknown in virtual mailbox table; from=<%s@%s> "
                    "to=<nosuch%u@%s> proto=ESMTP helo=<mail.%s>",
                 s->smtpd_pid, ip, pick(g, 100), local_domains[0], users[pick(g, COUNT(users))],
                 remote_domains[r], pick(g, 100), local_domains[0], remote_domains[r]);
        break;
    case 2:
        add_line(s, "postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 450 4.7.1 Client host "
                    "rejected: cannot find your reverse hostname, [%s]; from=<%s@%s> to=<%s@%s> proto=ESMTP "
                    "helo=<localhost>",
                 s->smtpd_pid, ip, ip, users[pick(g, COUNT(users))], remote_domains[r],
                 users[pick(g, COUNT(users))], local_domains[0]);
        break;
    default:
        add_line(s, "postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 Service "
                    "unavailable; Client host [%s] blocked using zen.spamhaus.org; from=<%s@%s> to=<%s@%s> "
                    "proto=SMTP helo=<%s>",
                 s->smtpd_pid, ip, ip, users[pick(g, COUNT(users))], remote_domains[r],
                 users[pick(g, COUNT(users))], local_domains[1], ip);
        break;
    }
    if (chance(g, 30))
        add_line(s, "postfix/smtpd[%d]: lost connection after RCPT from unknown[%s]", s->smtpd_pid, ip);
    add_line(s, "postfix/smtpd[%d]: disconnect from unknown[%s] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
             s->smtpd_pid, ip);
}

static void postfix_postscreen_drop(struct gen *g, struct session *s)
{
    char ip[20];
    make_ip(g, ip, sizeof ip);
    int ps = 800 + (int)pick(g, 4), port = 30000 + (int)pick(g, 30000);
    add_line(s, "postfix/postscreen[%d]: CONNECT from [%s]:%d to [203.0.113.25]:25", ps, ip, port);
    if (chance(g, 50)) {
        add_line(s, "postfix/dnsblog[%d]: addr %s listed by domain zen.spamhaus.org as 127.0.0.%u",
                 850 + (int)pick(g, 4), ip, 2 + pick(g, 10));
        add_line(s, "postfix/postscreen[%d]: DNSBL rank %u for [%s]:%d", ps, 1 + pick(g, 5), ip, port);
        add_line(s, "postfix/postscreen[%d]: NOQUEUE: reject: RCPT from [%s]:%d: 550 5.7.1 Service "
                    "unavailable; client [%s] blocked using zen.spamhaus.org; from=<x@%s>, to=<%s@%s>, "
                    "proto=ESMTP, helo=<%s>",
                 ps, ip, port, ip, remote_domains[remote_index(g)], users[pick(g, COUNT(users))],
                 local_domains[0], ip);
    } else {
        add_line(s, "postfix/postscreen[%d]: PREGREET 11 after 0.%02u from [%s]:%d: EHLO %s\\r\\n", ps,
                 pick(g, 100), ip, port, ip);
    }
    add_line(s, "postfix/postscreen[%d]: DISCONNECT [%s]:%d", ps, ip, port);
}

static void postfix_pickup(struct gen *g, struct session *s)
{
    char qid[16], from[64];
    make_queue_id(g, qid, sizeof qid);
    const char *user = users[pick(g, COUNT(users))];
    snprintf(from, sizeof from, "%s@%s", user, local_domains[1]);
    add_line(s, "postfix/pickup[%d]: %s: uid=%u from=<%s>", 950, qid, 1000 + pick(g, 50), user);
    add_line(s, "postfix/cleanup[%d]: %s: message-id=<%u.%" PRIx64 "@%s>", 3000 + (int)pick(g, 8), qid,
             ++g->msg_seq, next_random(g) >> 24, local_domains[1]);
    postfix_queue(g, s, qid, from, 0);
}

/* A line of another program on the same host, or one the feed ignores. */
static void postfix_other(struct gen *g, char *buf, size_t size)
{
    char ip[20];
    make_ip(g, ip, sizeof ip);
    const char *user = users[pick(g, COUNT(users))];
    switch (pick(g, 8)) {
    case 0:
        snprintf(buf, size, "dovecot: imap-login: Login: user=<%s@%s>, method=PLAIN, rip=%s, lip=203.0.113.25, "
                            "mpid=%u, TLS, session=<%012" PRIx64 ">",
                 user, local_domains[0], ip, 20000 + pick(g, 9999), next_random(g) >> 16);
        break;
    case 1:
        snprintf(buf, size, "dovecot: imap(%s@%s)<%u><%012" PRIx64 ">: Logged out in=%u out=%u deleted=0 "
                            "expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0",
                 user, local_domains[0], 20000 + pick(g, 9999), next_random(g) >> 16, pick(g, 2000),
                 pick(g, 200000));
        break;
    case 2:
        snprintf(buf, size, "CRON[%u]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
                 30000 + pick(g, 9999));
        break;
    case 3:
        snprintf(buf, size, "sshd[%u]: Connection closed by invalid user admin %s port %u [preauth]",
                 40000 + pick(g, 9999), ip, 30000 + pick(g, 30000));
        break;
    case 4:
        snprintf(buf, size, "systemd[1]: Started session-%u.scope - Session %u of User %s.", pick(g, 9999),
                 pick(g, 9999), user);
        break;
    case 5:
        snprintf(buf, size, "kernel: [%u.%06u] [UFW BLOCK] IN=eth0 OUT= MAC= SRC=%s DST=203.0.113.25 LEN=44 "
                            "TOS=0x00 PREC=0x00 TTL=241 ID=54321 PROTO=TCP SPT=%u DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0",
                 pick(g, 900000), pick(g, 1000000), ip, 1024 + pick(g, 60000));
        break;
    case 6:
        snprintf(buf, size, "postfix/smtpd[%u]: warning: hostname %s does not resolve to address %s: Name or "
                            "service not known",
                 2000 + pick(g, 60), remote_hosts[remote_index(g)], ip);
        break;
    default:
        snprintf(buf, size, "postfix/anvil[%d]: statistics: max connection rate 3/60s for (smtp:%s) at Mar 10 "
                            "00:%02u:%02u",
                 920, ip, pick(g, 60), pick(g, 60));
        break;
    }
}

static void postfix_new_session(struct gen *g, struct session *s)
{
    /* A new smtpd process now and then (the old one reached max_use); its
     * pid stays apart from every other slot's, as live processes' do. */
    if (chance(g, 10) || s->smtpd_pid == 0)
        s->smtpd_pid = 2000 + (int)(s - g->slots) + SLOTS * (int)pick(g, 600);
    unsigned roll = pick(g, 100);
    if (roll < 62)
        postfix_inbound(g, s);
    else if (roll < 80)
        postfix_reject(g, s);
    else if (roll < 88)
        postfix_postscreen_drop(g, s);
    else
        postfix_pickup(g, s);
}

/* --- Sun / Oracle Messaging Server ---------------------------------------------- */

/* The optional process id field of LOG_PROCESS=1: "pid.thread.seq " (pid
 * and thread in hex), seq counting the process's logging operations, so
 * that the open and the close of one connection differ in it. */
static void sun_pid(struct gen *g, char *buf, size_t size, unsigned pid, unsigned thread, int with)
{
    if (with)
        snprintf(buf, size, "%x.%x.%u ", pid, thread, ++g->log_seq % 1000);
    else
        buf[0] = '\0';
}

static void sun_tcp(char *buf, size_t size, const char *lip, unsigned lport, const char *rip, unsigned rport)
{
    snprintf(buf, size, "TCP|%s|%u|%s|%u", lip, lport, rip, rport);
}

/* Mail arriving over SMTP for local mailboxes (ims-ms), some rejected. */
static void sun_inbound(struct gen *g, struct session *s, int with_pid)
{
    char p[40], ip[20], tcp[80], from[96];
    unsigned r = remote_index(g);
    unsigned pid = 0x1000 + pick(g, 0xe000), thread = 1 + pick(g, 40);
    unsigned kb = 1 + pick(g, 40) + (chance(g, 5) ? pick(g, 4000) : 0);
    unsigned nrcpt = 1 + (chance(g, 20) ? pick(g, 4) : 0);
    int conn = chance(g, 60);
    make_ip(g, ip, sizeof ip);
    sun_tcp(tcp, sizeof tcp, "203.0.113.25", 25, ip, 30000 + pick(g, 30000));
    const char *host = remote_hosts[r];
    snprintf(from, sizeof from, "%s@%s", users[pick(g, COUNT(users))], remote_domains[r]);
    if (conn) {
        sun_pid(g, p, sizeof p, pid, thread, with_pid);
        add_line(s, "%stcp_local + O %s SMTP/mx.example.com/%s", p, tcp, host);
    }
    int rejected = chance(g, 15);
    char rcpts[5][96];
    const char *user[5];
    for (unsigned i = 0; i < nrcpt; i++) {
        user[i] = users[pick(g, COUNT(users))];
        snprintf(rcpts[i], sizeof rcpts[i], "%s@%s", user[i], local_domains[0]);
        sun_pid(g, p, sizeof p, pid, thread, with_pid);
        if (rejected)
            add_line(s, "%stcp_local J 0 %s rfc822;%s %s 550 5.1.1 unknown or illegal alias: %s", p, from,
                     rcpts[i], rcpts[i], rcpts[i]);
        else
            add_line(s, "%stcp_local ims-ms EE %u %s rfc822;%s %s@ims-ms-daemon <%" PRIx64 ".%u@%s>", p, kb,
                     from, rcpts[i], user[i], next_random(g) >> 24, ++g->msg_seq, remote_domains[r]);
    }
    if (conn) {
        sun_pid(g, p, sizeof p, pid, thread, with_pid);
        add_line(s, "%stcp_local + C %s SMTP/mx.example.com/%s %s SMTP %u", p, tcp, host, host, 0 + nrcpt);
    }
    if (rejected)
        return;
    unsigned spid = 0x800 + pick(g, 0x100);
    for (unsigned i = 0; i < nrcpt; i++) {
        sun_pid(g, p, sizeof p, spid, 1 + pick(g, 8), with_pid);
        if (chance(g, 98)) {
            add_line(s, "%sims-ms D %u %s rfc822;%s %s@ims-ms-daemon", p, kb, from, rcpts[i], user[i]);
        } else {
            add_line(s, "%sims-ms Q %u %s rfc822;%s %s@ims-ms-daemon 4.2.2 - mailbox full", p, kb, from,
                     rcpts[i], user[i]);
            add_line(s, "%sims-ms D %u %s rfc822;%s %s@ims-ms-daemon", p, kb, from, rcpts[i], user[i]);
        }
    }
}

/* Mail of local users relayed out over SMTP: delivered, retried or bounced. */
static void sun_outbound(struct gen *g, struct session *s, int with_pid)
{
    char p[40], ip[20], tcp[80], from[96], rcpt[96];
    unsigned r = remote_index(g);
    unsigned kb = 1 + pick(g, 60) + (chance(g, 5) ? pick(g, 8000) : 0);
    const char *src = chance(g, 70) ? "tcp_intranet" : "tcp_submit";
    snprintf(from, sizeof from, "%s@%s", users[pick(g, COUNT(users))], local_domains[0]);
    snprintf(rcpt, sizeof rcpt, "%s%u@%s", users[pick(g, COUNT(users))], pick(g, 100), remote_domains[r]);
    unsigned epid = 0x2000 + pick(g, 0x1000);
    sun_pid(g, p, sizeof p, epid, 1 + pick(g, 20), with_pid);
    add_line(s, "%s%s tcp_local E %u %s rfc822;%s %s <%u.%" PRIx64 "@%s>", p, src, kb, from, rcpt, rcpt,
             ++g->msg_seq, next_random(g) >> 24, local_domains[0]);
    const char *host = remote_hosts[r][0] == 'u' ? "mx.example.org" : remote_hosts[r];
    unsigned dpid = 0x3000 + pick(g, 0x1000), thread = 1 + pick(g, 30);
    make_ip(g, ip, sizeof ip);
    sun_tcp(tcp, sizeof tcp, "203.0.113.25", 40000 + pick(g, 20000), ip, 25);
    unsigned roll = pick(g, 100);
    if (roll < 4) {
        /* No connection at all: requeued with a zero size, delivered later. */
        sun_pid(g, p, sizeof p, dpid, thread, with_pid);
        add_line(s, "%stcp_local Q 0 %s rfc822;%s %s dns;%s (TCP active open: Failed connect()    Error: "
                    "Connection refused)",
                 p, from, rcpt, rcpt, host);
    }
    int conn = chance(g, 70);
    if (conn) {
        sun_pid(g, p, sizeof p, dpid, thread, with_pid);
        add_line(s, "%stcp_local - O %s SMTP/mx.example.com/%s", p, tcp, host);
    }
    sun_pid(g, p, sizeof p, dpid, thread, with_pid);
    if (roll >= 4 && roll < 10) {
        add_line(s, "%stcp_local Q %u %s rfc822;%s %s dns;%s (%s) (%s ESMTP) smtp;451 4.7.1 Greylisted, "
                    "try again later",
                 p, kb, from, rcpt, rcpt, host, tcp, host);
        sun_pid(g, p, sizeof p, dpid, thread, with_pid);
        add_line(s, "%stcp_local DE %u %s rfc822;%s %s dns;%s (%s) (%s ESMTP) smtp;250 2.0.0 Ok: queued", p,
                 kb, from, rcpt, rcpt, host, tcp, host);
    } else if (roll >= 10 && roll < 14) {
        add_line(s, "%stcp_local R %u %s rfc822;%s %s dns;%s (%s) (%s ESMTP) smtp;550 5.1.1 <%s>: Recipient "
                    "address rejected: User unknown",
                 p, kb, from, rcpt, rcpt, host, tcp, host, rcpt);
    } else {
        add_line(s, "%stcp_local D%s %u %s rfc822;%s %s dns;%s (%s) (%s ESMTP) smtp;250 2.0.0 Ok: queued as "
                    "%08" PRIX64,
                 p, chance(g, 80) ? "E" : "", kb, from, rcpt, rcpt, host, tcp, host, next_random(g) >> 32);
    }
    if (conn) {
        sun_pid(g, p, sizeof p, dpid, thread, with_pid);
        add_line(s, "%stcp_local - C %s SMTP/mx.example.com/%s %s SMTP 1", p, tcp, host, host);
    }
}

/* Local mail through the conversion channel (virus scan) into the store. */
static void sun_conversion(struct gen *g, struct session *s, int with_pid)
{
    char p[40], from[96], rcpt[96];
    unsigned kb = 1 + pick(g, 30);
    const char *user = users[pick(g, COUNT(users))];
    snprintf(from, sizeof from, "%s@%s", users[pick(g, COUNT(users))], local_domains[0]);
    snprintf(rcpt, sizeof rcpt, "%s@%s", user, local_domains[0]);
    sun_pid(g, p, sizeof p, 0x4000 + pick(g, 0x100), 1, with_pid);
    add_line(s, "%stcp_intranet conversion E %u %s rfc822;%s %s", p, kb, from, rcpt, rcpt);
    sun_pid(g, p, sizeof p, 0x4800 + pick(g, 0x100), 1, with_pid);
    add_line(s, "%sconversion ims-ms E %u %s rfc822;%s %s@ims-ms-daemon", p, kb, from, rcpt, user);
    add_line(s, "%sconversion D %u %s rfc822;%s %s@ims-ms-daemon", p, kb, from, rcpt, user);
    sun_pid(g, p, sizeof p, 0x800 + pick(g, 0x100), 1, with_pid);
    add_line(s, "%sims-ms D %u %s rfc822;%s %s@ims-ms-daemon", p, kb, from, rcpt, user);
}

/* Pad the channel columns as the MTA does (each at least 12 wide; a
 * dequeue-side record leaves the second blank): the record generators
 * above write single spaces. */
static void sun_pad_columns(char *line)
{
    char out[LINE_MAX_LEN];
    const char *p = line;
    size_t n = 0;
    /* The optional process id: "hex.hex.counter". */
    const char *sp = strchr(p, ' ');
    if (sp == NULL)
        return;
    if (memchr(p, '.', (size_t)(sp - p)) != NULL) {
        n = (size_t)(sp - p) + 1;
        memcpy(out, p, n);
        p = sp + 1;
    }
    const char *col[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        sp = strchr(p, ' ');
        if (sp == NULL)
            return;
        int code = 1; /* an action code: capital letters only */
        for (const char *q = p; q < sp; q++)
            code &= *q >= 'A' && *q <= 'Z';
        if (code && i == 1)
            break;
        col[i] = p;
        len[i] = (size_t)(sp - p);
        p = sp + 1;
    }
    int w = snprintf(out + n, sizeof out - n, "%-12.*s %-12.*s %s", (int)len[0], col[0], (int)len[1],
                     col[1] ? col[1] : "", p);
    if (w > 0 && n + (size_t)w < sizeof out)
        memcpy(line, out, n + (size_t)w + 1);
}

static void sun_new_session(struct gen *g, struct session *s)
{
    /* A third of the sessions log with LOG_PROCESS=1: the same site after
     * the option was turned on. */
    int with_pid = chance(g, 35);
    unsigned roll = pick(g, 100);
    if (roll < 55)
        sun_inbound(g, s, with_pid);
    else if (roll < 90)
        sun_outbound(g, s, with_pid);
    else
        sun_conversion(g, s, with_pid);
    for (int i = 0; i < s->count; i++)
        sun_pad_columns(s->lines[i]);
}

/* --- Exim ---------------------------------------------------------------------- */

/* An Exim 4.96 message id ("1xZZTw-0006ok-11"): base 62, unique in the log. */
static void make_exim_id(struct gen *g, char *buf, size_t size)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t t = (uint64_t)(g->now_ms / 1000), seq = ++g->queue_seq;
    char id[17];
    for (int i = 5; i >= 0; i--, t /= 62)
        id[i] = b62[t % 62];
    id[6] = '-';
    for (int i = 12; i >= 7; i--, seq /= 62)
        id[i] = b62[seq % 62];
    id[13] = '-';
    id[14] = b62[pick(g, 62)];
    id[15] = b62[pick(g, 62)];
    id[16] = '\0';
    snprintf(buf, size, "%s", id);
}

/* Mail arriving over SMTP for local mailboxes. */
static void exim_inbound(struct gen *g, struct session *s)
{
    char id[24], ip[20];
    unsigned r = remote_index(g);
    unsigned size = 800 + pick(g, 40000) + (chance(g, 5) ? pick(g, 4000000) : 0);
    make_exim_id(g, id, sizeof id);
    make_ip(g, ip, sizeof ip);
    const char *host = remote_hosts[r];
    const char *user = users[pick(g, COUNT(users))];
    add_line(s, "%s <= %s@%s H=%s [%s] P=%s X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=%u id=%" PRIx64 ".%u@%s",
             id, users[pick(g, COUNT(users))], remote_domains[r], host, ip,
             chance(g, 80) ? "esmtps" : "esmtp", size, next_random(g) >> 24, ++g->msg_seq, remote_domains[r]);
    add_line(s, "%s => %s <%s@%s> R=local_user T=maildir_home", id, user, user, local_domains[0]);
    if (chance(g, 20)) {
        const char *other = users[pick(g, COUNT(users))];
        add_line(s, "%s => %s <%s@%s> R=local_user T=maildir_home", id, other, other, local_domains[0]);
    }
    add_line(s, "%s Completed", id);
}

/* Local mail relayed out: delivered, deferred then delivered, or bounced. */
static void exim_outbound(struct gen *g, struct session *s)
{
    char id[24], ip[20], rcpt[96];
    unsigned r = remote_index(g);
    unsigned size = 500 + pick(g, 60000);
    const char *user = users[pick(g, COUNT(users))];
    const char *host = remote_hosts[r][0] == 'u' ? "mx.example.org" : remote_hosts[r];
    make_exim_id(g, id, sizeof id);
    make_ip(g, ip, sizeof ip);
    snprintf(rcpt, sizeof rcpt, "%s%u@%s", users[pick(g, COUNT(users))], pick(g, 100), remote_domains[r]);
    add_line(s, "%s <= %s@%s U=%s P=local S=%u", id, user, local_domains[0], user, size);
    unsigned roll = pick(g, 100);
    if (roll < 8) {
        add_line(s, "%s H=%s [%s] Connection timed out", id, host, ip);
        add_line(s, "%s == %s R=dnslookup T=remote_smtp defer (110): Connection timed out", id, rcpt);
        add_line(s, "%s == %s R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for '%s'",
                 id, rcpt, remote_domains[r]);
    } else if (roll < 12) {
        add_line(s, "%s ** %s R=dnslookup T=remote_smtp H=%s [%s] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes: "
                    "SMTP error from remote mail server after RCPT TO:<%s>: 550 5.1.1 <%s>: Recipient address "
                    "rejected: User unknown",
                 id, rcpt, host, ip, rcpt, rcpt);
        char nid[24];
        make_exim_id(g, nid, sizeof nid);
        add_line(s, "%s <= <> R=%s U=Debian-exim P=local S=%u", nid, id, size + 1500);
        add_line(s, "%s Completed", id);
        add_line(s, "%s => %s <%s@%s> R=local_user T=maildir_home", nid, user, user, local_domains[0]);
        add_line(s, "%s Completed", nid);
        return;
    }
    add_line(s, "%s => %s R=dnslookup T=remote_smtp H=%s [%s] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes "
                "C=\"250 2.0.0 OK %08" PRIX64 "\"",
             id, rcpt, host, ip, next_random(g) >> 32);
    if (chance(g, 10))
        add_line(s, "%s -> %s%u@%s R=dnslookup T=remote_smtp H=%s [%s]", id, users[pick(g, COUNT(users))],
                 pick(g, 100), remote_domains[r], host, ip);
    add_line(s, "%s Completed", id);
}

/* A client refused at RCPT, and the daemon's other lines. */
static void exim_other(struct gen *g, struct session *s)
{
    char ip[20];
    make_ip(g, ip, sizeof ip);
    unsigned roll = pick(g, 100);
    if (roll < 60) {
        add_line(s, "H=(%s) [%s] F=<%s@%s> rejected RCPT <%s@%s>: relay not permitted", remote_hosts[remote_index(g)],
                 ip, users[pick(g, COUNT(users))], remote_domains[remote_index(g)], users[pick(g, COUNT(users))],
                 remote_domains[remote_index(g)]);
        add_line(s, "H=(%s) [%s] incomplete transaction (RSET) from <%s@%s>", remote_hosts[remote_index(g)], ip,
                 users[pick(g, COUNT(users))], remote_domains[remote_index(g)]);
    } else if (roll < 80) {
        unsigned pid = 10000 + pick(g, 50000);
        add_line(s, "Start queue run: pid=%u", pid);
        add_line(s, "End queue run: pid=%u", pid);
    } else if (roll < 90) {
        add_line(s, "no host name found for IP address %s", ip);
    } else {
        add_line(s, "SMTP connection from [%s] lost D=%us", ip, pick(g, 30));
    }
}

static void exim_new_session(struct gen *g, struct session *s)
{
    unsigned roll = pick(g, 100);
    if (roll < 50)
        exim_inbound(g, s);
    else if (roll < 80)
        exim_outbound(g, s);
    else
        exim_other(g, s);
}

/* --- Sendmail ------------------------------------------------------------------------ */

/* A sendmail 8.12+ queue id: 14 letters and digits, unique in the log. */
static void sm_queue_id(struct gen *g, char *buf, size_t size)
{
    uint32_t seq = ++g->queue_seq;
    snprintf(buf, size, "4%c%c%07" PRIX32 "%04u", 'A' + (int)pick(g, 26), 'a' + (int)pick(g, 26),
             (seq * 2654435761u) >> 4, pick(g, 10000));
}

/* "H:MM:SS" of a delay in seconds (sendmail's "[D+]HH:MM:SS"). */
static void sm_delay(char *buf, size_t size, unsigned secs)
{
    if (secs >= 86400)
        snprintf(buf, size, "%u+%02u:%02u:%02u", secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    else
        snprintf(buf, size, "%02u:%02u:%02u", secs / 3600, secs / 60 % 60, secs % 60);
}

/* The deliveries of queue id @p qid to remote recipients over esmtp. */
static void sendmail_remote(struct gen *g, struct session *s, const char *qid, const char *from,
                            unsigned size, int pid)
{
    unsigned r = remote_index(g), nrcpt = 1 + (chance(g, 15) ? pick(g, 3) : 0);
    char ip[20], list[400] = "", d[24], x[24];
    make_ip(g, ip, sizeof ip);
    const char *host = remote_hosts[r][0] == 'u' ? "mx.example.org" : remote_hosts[r];
    for (unsigned i = 0; i < nrcpt; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s<%s%u@%s>", i ? "," : "", users[pick(g, COUNT(users))],
                 pick(g, 100), remote_domains[r]);
    }
    unsigned roll = pick(g, 100);
    sm_delay(d, sizeof d, pick(g, 5));
    sm_delay(x, sizeof x, pick(g, 3));
    if (roll < 8) {
        int refused = chance(g, 50);
        add_line(s, "sm-mta[%d]: %s: to=%s, delay=%s, xdelay=%s, mailer=esmtp, pri=%u, relay=%s. [%s], "
                    "dsn=%s, stat=Deferred: %s",
                 pid, qid, list, d, x, 120000 + size, host, ip, refused ? "4.0.0" : "4.7.1",
                 refused ? "Connection refused by mx.example.org." : "451 4.7.1 Greylisted, try again later");
        sm_delay(d, sizeof d, 1800 + pick(g, 600));
        add_line(s, "sm-mta[%d]: %s: to=%s, delay=%s, xdelay=%s, mailer=esmtp, pri=%u, relay=%s. [%s], "
                    "dsn=2.0.0, stat=Sent (Ok: queued as %08" PRIX64 ")",
                 pid + 1, qid, list, d, x, 210000 + size, host, ip, next_random(g) >> 32);
    } else if (roll < 12) {
        add_line(s, "sm-mta[%d]: %s: to=%s, delay=%s, xdelay=%s, mailer=esmtp, pri=%u, relay=%s. [%s], "
                    "dsn=5.1.1, stat=User unknown",
                 pid, qid, list, d, x, 120000 + size, host, ip);
        char dsn[24];
        sm_queue_id(g, dsn, sizeof dsn);
        add_line(s, "sm-mta[%d]: %s: %s: DSN: User unknown", pid, dsn, qid);
        add_line(s, "sm-mta[%d]: %s: to=<%s>, delay=00:00:00, xdelay=00:00:00, mailer=local, pri=%u, "
                    "dsn=2.0.0, stat=Sent",
                 pid, dsn, from, 30000 + size);
    } else {
        add_line(s, "sm-mta[%d]: %s: to=%s, delay=%s, xdelay=%s, mailer=esmtp, pri=%u, relay=%s. [%s], "
                    "dsn=2.0.0, stat=Sent (OK id=1r%08" PRIX64 ")",
                 pid, qid, list, d, x, 120000 + size, host, ip, next_random(g) >> 32);
    }
}

static void sendmail_inbound(struct gen *g, struct session *s)
{
    unsigned r = remote_index(g), nrcpt = 1 + (chance(g, 20) ? pick(g, 3) : 0);
    unsigned size = 800 + pick(g, 60000) + (chance(g, 5) ? pick(g, 5000000) : 0);
    char ip[20], qid[24], list[400] = "", d[24];
    make_ip(g, ip, sizeof ip);
    sm_queue_id(g, qid, sizeof qid);
    int pid = 2000 + (int)pick(g, 30000);
    const char *host = remote_hosts[r];
    if (chance(g, 40))
        add_line(s, "sm-mta[%d]: STARTTLS=server, relay=%s [%s], version=TLSv1.3, verify=NO, "
                    "cipher=TLS_AES_256_GCM_SHA384, bits=256/256",
                 pid, host, ip);
    if (chance(g, 10))
        add_line(s, "sm-mta[%d]: %s: <nosuch%u@%s>... User unknown", pid, qid, pick(g, 100),
                 local_domains[0]);
    add_line(s, "sm-mta[%d]: %s: from=<%s@%s>, size=%u, class=0, nrcpts=%u, msgid=<%" PRIx64 ".%u@%s>, "
                "bodytype=8BITMIME, proto=ESMTP%s, daemon=MTA-v4, relay=%s [%s]",
             pid, qid, users[pick(g, COUNT(users))], remote_domains[r], size, nrcpt, next_random(g) >> 20,
             ++g->msg_seq, remote_domains[r], chance(g, 40) ? "S" : "", host, ip);
    for (unsigned i = 0; i < nrcpt; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s<%s@%s>", i ? "," : "", users[pick(g, COUNT(users))],
                 local_domains[pick(g, COUNT(local_domains))]);
    }
    sm_delay(d, sizeof d, pick(g, 3));
    if (chance(g, 98))
        add_line(s, "sm-mta[%d]: %s: to=%s, delay=%s, xdelay=00:00:00, mailer=local, pri=%u, dsn=2.0.0, "
                    "stat=Sent",
                 pid + 1, qid, list, d, 30000 + size * nrcpt);
    else
        add_line(s, "sm-mta[%d]: %s: to=%s, delay=%s, xdelay=00:00:00, mailer=local, pri=%u, dsn=4.2.2, "
                    "stat=Deferred: Disk quota exceeded",
                 pid + 1, qid, list, d, 30000 + size * nrcpt);
}

/* A local user's mail: the MSP takes it, relays it to the MTA, which
 * sends it out. */
static void sendmail_outbound(struct gen *g, struct session *s)
{
    unsigned size = 400 + pick(g, 30000);
    char mqid[24], qid[24];
    sm_queue_id(g, mqid, sizeof mqid);
    sm_queue_id(g, qid, sizeof qid);
    const char *user = users[pick(g, COUNT(users))];
    char from[96];
    snprintf(from, sizeof from, "%s@%s", user, local_domains[1]);
    int msp = 3000 + (int)pick(g, 30000), pid = 3000 + (int)pick(g, 30000);
    add_line(s, "sendmail[%d]: %s: from=%s, size=%u, class=0, nrcpts=1, msgid=<%u.%s@%s>, relay=%s@localhost",
             msp, mqid, user, size, ++g->msg_seq, mqid, local_domains[1], user);
    add_line(s, "sm-mta[%d]: %s: from=<%s>, size=%u, class=0, nrcpts=1, msgid=<%u.%s@%s>, proto=ESMTP, "
                "daemon=MTA-v4, relay=localhost [127.0.0.1]",
             pid, qid, from, size + 300, g->msg_seq, mqid, local_domains[1]);
    add_line(s, "sendmail[%d]: %s: to=%s%u@%s, ctladdr=%s (1000/1000), delay=00:00:00, xdelay=00:00:00, "
                "mailer=relay, pri=%u, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (%s Message "
                "accepted for delivery)",
             msp, mqid, users[pick(g, COUNT(users))], pick(g, 100), remote_domains[remote_index(g)], user,
             30000 + size, qid);
    sendmail_remote(g, s, qid, from, size + 300, pid + 1);
}

static void sendmail_reject(struct gen *g, struct session *s)
{
    char ip[20], qid[24];
    make_ip(g, ip, sizeof ip);
    sm_queue_id(g, qid, sizeof qid);
    int pid = 9000 + (int)pick(g, 30000);
    unsigned r = remote_index(g);
    switch (pick(g, 5)) {
    case 0:
        add_line(s, "sm-mta[%d]: ruleset=check_relay, arg1=[%s], arg2=127.0.0.2, relay=[%s], reject=550 "
                    "5.7.1 Rejected: %s listed at zen.spamhaus.org",
                 pid, ip, ip, ip);
        break;
    case 1:
        add_line(s, "sm-mta[%d]: %s: ruleset=check_rcpt, arg1=<%s@%s>, relay=unknown [%s], reject=550 "
                    "5.7.1 <%s@%s>... Relaying denied. IP name lookup failed [%s]",
                 pid, qid, users[0], remote_domains[r], ip, users[0], remote_domains[r], ip);
        add_line(s, "sm-mta[%d]: %s: from=<spam%u@%s>, size=0, class=0, nrcpts=0, proto=ESMTP, "
                    "daemon=MTA-v4, relay=unknown [%s]",
                 pid, qid, pick(g, 1000), remote_domains[r], ip);
        break;
    case 2:
        add_line(s, "sm-mta[%d]: %s: ruleset=check_mail, arg1=<x@nx%u.example>, relay=unknown [%s], "
                    "reject=553 5.1.8 <x@nx%u.example>... Domain of sender address x@nx%u.example does not "
                    "exist",
                 pid, qid, pick(g, 100), ip, 7u, 7u);
        break;
    case 3:
        add_line(s, "sm-mta[%d]: %s: unknown [%s] did not issue MAIL/EXPN/VRFY/ETRN during connection to "
                    "MTA-v4",
                 pid, qid, ip);
        break;
    default:
        add_line(s, "sm-mta[%d]: %s: lost input channel from unknown [%s] to MTA-v4 after rcpt", pid, qid,
                 ip);
        break;
    }
}

static void sendmail_new_session(struct gen *g, struct session *s)
{
    unsigned roll = pick(g, 100);
    if (roll < 55)
        sendmail_inbound(g, s);
    else if (roll < 82)
        sendmail_outbound(g, s);
    else
        sendmail_reject(g, s);
}

/* --- the log ------------------------------------------------------------------------ */

/* "Mar 10 00:00:01 mx1 " or "10-Mar-2024 00:00:01.23 ", rebuilt only when
 * the second (Sun: the hundredth) changes. */
static size_t stamp(struct gen *g, char *buf, size_t size)
{
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t sec = (time_t)(g->now_ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    int n;
    if (g->format == POSTFIX || g->format == SENDMAIL)
        n = snprintf(buf, size, "%s %2d %02d:%02d:%02d mx1 ", months[tm.tm_mon], tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
    else if (g->format == EXIM)
        n = snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        n = snprintf(buf, size, "%02d-%s-%04d %02d:%02d:%02d.%02d ", tm.tm_mday, months[tm.tm_mon],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(g->now_ms % 1000 / 10));
    return n > 0 ? (size_t)n : 0;
}

static void emit_line(struct gen *g, const char *body)
{
    static char cached[64];
    static size_t cached_len;
    static int64_t cached_key = -1;
    int64_t key = g->format == SUNMTA ? g->now_ms / 10 : g->now_ms / 1000;
    if (key != cached_key) {
        cached_len = stamp(g, cached, sizeof cached);
        cached_key = key;
    }
    emit_bytes(g, cached, cached_len);
    emit_bytes(g, body, strlen(body));
    emit_bytes(g, "\n", 1);
    g->now_ms += pick(g, 21);
}

static int parse_count(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    *out = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0' ? 0 : -1;
}

static int usage(FILE *to, int rc)
{
    fputs("usage: gen_maillog --format postfix|sunmta|exim|sendmail --lines N [--seed S]\n", to);
    return rc;
}

int main(int argc, char **argv)
{
    static struct gen g;
    unsigned long long lines = 0, seed = 1;
    const char *format = NULL;
    for (int i = 1; i < argc; i += 2) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
            return usage(stdout, 0);
        if (val == NULL)
            return usage(stderr, 64);
        if (strcmp(arg, "--format") == 0)
            format = val;
        else if (strcmp(arg, "--lines") == 0) {
            if (parse_count(val, &lines) != 0)
                return usage(stderr, 64);
        } else if (strcmp(arg, "--seed") == 0) {
            if (parse_count(val, &seed) != 0)
                return usage(stderr, 64);
        } else
            return usage(stderr, 64);
    }
    if (format == NULL)
        return usage(stderr, 64);
    if (strcmp(format, "postfix") == 0)
        g.format = POSTFIX;
    else if (strcmp(format, "sunmta") == 0)
        g.format = SUNMTA;
    else if (strcmp(format, "exim") == 0)
        g.format = EXIM;
    else if (strcmp(format, "sendmail") == 0)
        g.format = SENDMAIL;
    else
        return usage(stderr, 64);
    g.rng = seed;
    g.now_ms = 1710028800000; /* 2024-03-10 00:00:00 UTC */
    g.out = malloc(OUT_SIZE);
    if (g.out == NULL) {
        perror("gen_maillog");
        return 71;
    }

    for (unsigned long long n = 0; n < lines; n++) {
        if ((g.format == POSTFIX || g.format == SENDMAIL) && chance(&g, 8)) {
            char other[LINE_MAX_LEN];
            postfix_other(&g, other, sizeof other);
            emit_line(&g, other);
            continue;
        }
        struct session *s = &g.slots[pick(&g, SLOTS)];
        if (s->next >= s->count) {
            s->count = s->next = 0;
            if (g.format == POSTFIX)
                postfix_new_session(&g, s);
            else if (g.format == EXIM)
                exim_new_session(&g, s);
            else if (g.format == SENDMAIL)
                sendmail_new_session(&g, s);
            else
                sun_new_session(&g, s);
        }
        emit_line(&g, s->lines[s->next++]);
    }
    flush_out(&g);
    free(g.out);
    if (fflush(stdout) != 0) {
        perror("gen_maillog: write");
        return 74;
    }
    return 0;
}
