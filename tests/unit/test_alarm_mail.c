/*
 * test_alarm_mail.c - the postmaster's mail of alarm raises and clears
 * (src/agent/alarm_mail.[ch]).
 *
 *   message   the exact text of a raise, a reminder, a clear, a summary,
 *             a segment alarm (no object); names made printable; To:
 *             folded
 *   smtp data CRLF, dot-stuffing, the ending dot
 *   new       off, both paths set, no SMTP host, a blank command
 *   command   a stub (a shell script written here) saves what it gets:
 *             the exact message, its arguments, its descriptors and
 *             signals; PATH lookup; exit 1, a signal, a missing program
 *             fail, each logged once with why
 *   ordering  while the stub holds the first message, three more are
 *             queued at once (counters, not clocks), then all go in order
 *   timeout   a hanging stub is killed with its children after the
 *             timeout and the next message goes; alarm_mail_free() kills
 *             one still hanging
 *   overflow  past ALARM_MAIL_QUEUE_MAX the rest is dropped, counted and
 *             logged once
 *   smtp      against the scripted fake server: the dialog, two
 *             recipients, the exact DATA (dot-stuffed); HELO when EHLO is
 *             refused; 550 on RCPT, a refused connection and a silent
 *             server fail with the reply in the log
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "alarm_mail.h"
#include "alarm_mail_internal.h"
#include "fake_server.h"
#include "unit_util.h"

/* 2024-05-01T12:00:00Z, a Wednesday */
#define T_WALL 1714564800000LL
#define HOST "mx1.test.example"

/* ------------------------------------------------------------------------ */
/* Events                                                                    */

struct fixture {
    char name[CONFIG_NAME_MAX + 1];
    struct config_alarm alarm;
    struct alarm_row row;
};

static void fixture_init(struct fixture *f, const char *name, enum config_alarm_kind kind,
                         const char *object)
{
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->alarm.name = f->name;
    f->alarm.kind = kind;
    f->alarm.source = CONFIG_ALARM_ON_PARTITIONS;
    f->alarm.raise = 10;
    f->alarm.clear = 15;
    f->alarm.severity = CONFIG_SEVERITY_MAJOR;
    f->alarm.mail = 1;
    f->row.conf = &f->alarm;
    snprintf(f->row.object, sizeof f->row.object, "%s", object);
    f->row.state = ALARM_ACTIVE;
}

static struct alarm_event event_of(struct fixture *f, enum alarm_event_type type, int resend,
                                   double value, double threshold, uint32_t sequence)
{
    struct alarm_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.row = type == ALARM_EVENT_SUMMARY ? NULL : &f->row;
    ev.resend = resend;
    ev.value = value;
    ev.threshold = threshold;
    ev.sequence = sequence;
    ev.wall_ms = T_WALL;
    return ev;
}

static char *const two_to[] = {(char *)"postmaster@test.example", (char *)"ops@test.example"};
static char *const one_to[] = {(char *)"postmaster@test.example"};

static char *format(const struct alarm_event *ev, char *const *to, size_t n_to,
                    char *subject, size_t subject_len)
{
    struct alarm_mail_envelope env = {"mtamond@test.example", to, n_to, HOST,
                                      "id-1@test.example"};
    size_t len = 0;
    char *text = alarm_mail_message_format(ev, &env, &len, subject, subject_len);
    if (text)
        CU_ASSERT_EQUAL(len, strlen(text));
    return text;
}

/* ------------------------------------------------------------------------ */
/* The message                                                               */

#define HEADERS_TAIL                                                  \
    "Date: Wed, 01 May 2024 12:00:00 +0000\n"                         \
    "Message-ID: <id-1@test.example>\n"                               \
    "Auto-Submitted: auto-generated\n"                                \
    "MIME-Version: 1.0\n"                                             \
    "Content-Type: text/plain; charset=UTF-8\n"                       \
    "Content-Transfer-Encoding: 7bit\n"                               \
    "\n"

#define BODY_TAIL(seq)                                                \
    "Sequence:  " seq "\n"                                            \
    "Host:      mx1.test.example\n"                                   \
    "Time:      2024-05-01T12:00:00Z\n"                               \
    "\n"                                                              \
    "-- \n"                                                           \
    "mtamond (mtamon) on mx1.test.example\n"

static void check_text(const char *got, const char *want)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n--- want:\n%s--- got:\n%s---\n", want, got);
}

static void test_message(void)
{
    struct fixture f;
    char subject[ALARM_MAIL_SUBJECT_MAX];
    fixture_init(&f, "spool-disk", CONFIG_ALARM_DISK_FREE, "spool");

    struct alarm_event ev = event_of(&f, ALARM_EVENT_RAISE, 0, 4.7, 10, 7);
    char *text = format(&ev, two_to, 2, subject, sizeof subject);
    check_text(text,
               "From: mtamond@test.example\n"
               "To: postmaster@test.example,\n"
               " ops@test.example\n"
               "Subject: [mtamon] RAISED major: spool-disk spool: disk_free 4.7 <= 10\n"
               HEADERS_TAIL
               "spool-disk raised on spool: disk_free 4.7 <= 10.\n"
               "\n"
               "Alarm:     spool-disk\n"
               "Kind:      disk_free\n"
               "Object:    spool\n"
               "Value:     4.7\n"
               "Threshold: 10\n"
               "Severity:  major\n"
               "State:     active\n"
               BODY_TAIL("7"));
    CU_ASSERT_STRING_EQUAL(subject,
                           "[mtamon] RAISED major: spool-disk spool: disk_free 4.7 <= 10");
    free(text);

    /* a re-sent raise */
    ev = event_of(&f, ALARM_EVENT_RAISE, 1, 3.25, 10, 8);
    text = format(&ev, one_to, 1, subject, sizeof subject);
    check_text(text,
               "From: mtamond@test.example\n"
               "To: postmaster@test.example\n"
               "Subject: [mtamon] REMINDER major: spool-disk spool: disk_free 3.25 <= 10\n"
               HEADERS_TAIL
               "spool-disk is still raised on spool: disk_free 3.25 <= 10.\n"
               "\n"
               "Alarm:     spool-disk\n"
               "Kind:      disk_free\n"
               "Object:    spool\n"
               "Value:     3.25\n"
               "Threshold: 10\n"
               "Severity:  major\n"
               "State:     active\n"
               BODY_TAIL("8"));
    free(text);

    /* a clear: the value past the clear threshold */
    ev = event_of(&f, ALARM_EVENT_CLEAR, 0, 16, 15, 9);
    text = format(&ev, one_to, 1, subject, sizeof subject);
    check_text(text,
               "From: mtamond@test.example\n"
               "To: postmaster@test.example\n"
               "Subject: [mtamon] CLEARED major: spool-disk spool: disk_free 16 > 15\n"
               HEADERS_TAIL
               "spool-disk cleared on spool: disk_free 16 > 15.\n"
               "\n"
               "Alarm:     spool-disk\n"
               "Kind:      disk_free\n"
               "Object:    spool\n"
               "Value:     16\n"
               "Threshold: 15\n"
               "Severity:  major\n"
               "State:     clear\n"
               BODY_TAIL("9"));
    free(text);

    /* a kind that raises above, on the segment (no object) */
    fixture_init(&f, "segment-gone", CONFIG_ALARM_SEGMENT_MISSING, "");
    f.alarm.severity = CONFIG_SEVERITY_CRITICAL;
    ev = event_of(&f, ALARM_EVENT_RAISE, 0, 1, 1, 10);
    text = format(&ev, one_to, 1, subject, sizeof subject);
    CU_ASSERT_STRING_EQUAL(subject,
                           "[mtamon] RAISED critical: segment-gone: segment_missing 1 >= 1");
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nsegment-gone raised: segment_missing 1 >= 1.\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nObject:    \n"));
    free(text);
    ev = event_of(&f, ALARM_EVENT_CLEAR, 0, 0, 1, 11);
    text = format(&ev, one_to, 1, subject, sizeof subject);
    CU_ASSERT_STRING_EQUAL(subject,
                           "[mtamon] CLEARED critical: segment-gone: segment_missing 0 < 1");
    free(text);

    /* a summary */
    ev = event_of(&f, ALARM_EVENT_SUMMARY, 0, 0, 0, 12);
    ev.suppressed = 12;
    text = format(&ev, one_to, 1, subject, sizeof subject);
    check_text(text,
               "From: mtamond@test.example\n"
               "To: postmaster@test.example\n"
               "Subject: [mtamon] SUMMARY: 12 notifications not sent (rate limit)\n"
               HEADERS_TAIL
               "12 notifications were not sent: more than alarm_options.max_per_second\n"
               "in one second.  The alarms changed state all the same: `mtamon alarms`\n"
               "shows them.\n"
               "\n"
               "Not sent:  12\n"
               BODY_TAIL("12"));
    free(text);
    ev.suppressed = 1;
    text = format(&ev, one_to, 1, subject, sizeof subject);
    CU_ASSERT_STRING_EQUAL(subject, "[mtamon] SUMMARY: 1 notification not sent (rate limit)");
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n1 notification was not sent: "));
    free(text);
}

/* Names holding line ends, controls and UTF-8 cannot break the headers:
 * every such byte is a '?', in the headers and in the body. */
static void test_message_printable(void)
{
    struct fixture f;
    char subject[ALARM_MAIL_SUBJECT_MAX];
    fixture_init(&f, "bad\r\nBcc: x@evil", CONFIG_ALARM_QUEUE_LENGTH, "chan\n\xc3\xa9\x01");
    struct alarm_event ev = event_of(&f, ALARM_EVENT_RAISE, 0, 1234, 1000, 1);
    char *const to[] = {(char *)"a@b\nBcc: c@d"};
    struct alarm_mail_envelope env = {"me@x\r\nX-Evil: 1", to, 1, "h\nost", "id\n@x"};
    size_t len = 0;
    char *text = alarm_mail_message_format(&ev, &env, &len, subject, sizeof subject);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(subject,
                           "[mtamon] RAISED major: bad??Bcc: x@evil chan????: queue_length 1234 >= 1000");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        CU_ASSERT(c == '\n' || (c >= 0x20 && c <= 0x7e));
    }
    CU_ASSERT_PTR_NULL(strstr(text, "\nBcc:"));
    CU_ASSERT_PTR_NULL(strstr(text, "\nX-Evil:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "From: me@x??X-Evil: 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "To: a@b?Bcc: c@d\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Message-ID: <id?@x>\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Host:      h?ost\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Object:    chan????\n"));
    /* no line longer than RFC 5322's 998 */
    size_t line = 0;
    for (size_t i = 0; i < len; i++) {
        line = text[i] == '\n' ? 0 : line + 1;
        CU_ASSERT(line <= 998);
    }
    free(text);
}

static void check_data(const char *in, const char *want)
{
    size_t n = 0;
    char *out = alarm_mail_smtp_data(in, strlen(in), &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(n, strlen(want));
    CU_ASSERT(n == strlen(want) && memcmp(out, want, n) == 0);
    free(out);
}

static void test_smtp_data(void)
{
    check_data("a\nb\n", "a\r\nb\r\n.\r\n");
    check_data(".a\nb\n.\n..x\nlast", "..a\r\nb\r\n..\r\n...x\r\nlast\r\n.\r\n");
    check_data("", ".\r\n");
    check_data(".", "..\r\n.\r\n");
    check_data("x.\n.", "x.\r\n..\r\n.\r\n");
    check_data("cr\r\nbare\rcr\n", "cr\r\nbarecr\r\n.\r\n");
    check_data("\n\n", "\r\n\r\n.\r\n");
}

/* ------------------------------------------------------------------------ */
/* alarm_mail_new                                                            */

static struct config_alarm_mail mail_conf(char *command, char *smtp, char *host, uint16_t port)
{
    struct config_alarm_mail c;
    memset(&c, 0, sizeof c);
    c.command = command;
    c.smtp = smtp;
    c.smtp_host = host;
    c.smtp_port = port;
    c.from = (char *)"mtamond@test.example";
    c.to = (char **)one_to;
    c.n_to = 1;
    c.timeout_ms = 5000;
    return c;
}

static void test_new(void)
{
    char err[256];
    char empty[] = "", cmd[] = "/bin/true", smtp[] = "127.0.0.1:25", host[] = "127.0.0.1";
    struct config_alarm_mail c = mail_conf(empty, empty, empty, 0);
    snprintf(err, sizeof err, "junk");
    CU_ASSERT_PTR_NULL(alarm_mail_new(&c, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "");
    c = mail_conf(NULL, NULL, NULL, 0);
    snprintf(err, sizeof err, "junk");
    CU_ASSERT_PTR_NULL(alarm_mail_new(&c, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "");

    c = mail_conf(cmd, smtp, host, 25);
    CU_ASSERT_PTR_NULL(alarm_mail_new(&c, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "alarm_options.mail: command and smtp are both set");

    c = mail_conf(empty, smtp, empty, 25);
    CU_ASSERT_PTR_NULL(alarm_mail_new(&c, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "alarm_options.mail.smtp: no host in '127.0.0.1:25'");

    char blank[] = " \t ";
    c = mail_conf(blank, empty, empty, 0);
    CU_ASSERT_PTR_NULL(alarm_mail_new(&c, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "alarm_options.mail.command: no program in ' \t '");

    c = mail_conf(cmd, NULL, NULL, 0);
    alarm_mail *m = alarm_mail_new(&c, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(m);
    CU_ASSERT_STRING_EQUAL(err, "");
    struct alarm_mail_stats s = alarm_mail_stats(m);
    CU_ASSERT(s.queued == 0 && s.sent == 0 && s.failed == 0 && s.dropped == 0);
    alarm_mail_free(m);
    c = mail_conf(empty, smtp, host, 25);
    m = alarm_mail_new(&c, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(m);
    alarm_mail_free(m);

    /* NULL is mail off everywhere */
    struct fixture f;
    fixture_init(&f, "a", CONFIG_ALARM_DISK_FREE, "p");
    struct alarm_event ev = event_of(&f, ALARM_EVENT_RAISE, 0, 1, 2, 1);
    alarm_mail_event(NULL, &ev, HOST);
    s = alarm_mail_stats(NULL);
    CU_ASSERT(s.queued == 0 && s.sent == 0 && s.failed == 0 && s.dropped == 0);
    alarm_mail_free(NULL);
}

/* ------------------------------------------------------------------------ */
/* The command stub                                                          */

struct stub {
    char dir[256];
    char script[300];
    int leak_fd;               /* open without O_CLOEXEC: must not reach it */
};

/*
 * A sendmail stand-in in a fresh directory.  Message N (0, 1, ...) ends
 * up in msg.N, its arguments in args.N, its stdout, stderr, fd
 * @p leak_fd and signal masks in env.N.  Its behaviour follows the
 * message's Object: line: "fail" exits 1, "kill" kills itself with
 * SIGTERM, "hang" writes its PID (and its child's) and waits for a
 * "sleep 60", "block" writes block.started and waits for the file
 * "release"; anything else is saved.
 */
static void stub_make(struct stub *st)
{
    ut_make_dir(st->dir, sizeof st->dir, "alarm-mail");
    snprintf(st->script, sizeof st->script, "%s/sendmail", st->dir);
    st->leak_fd = open("/dev/null", O_RDONLY);
    CU_ASSERT(st->leak_fd > 2);
    char text[4096];
    snprintf(text, sizeof text,
             "#!/bin/sh\n"
             "d='%s'\n"
             "n=0\n"
             "while [ -e \"$d/msg.$n\" ]; do n=$((n + 1)); done\n"
             "printf '%%s\\n' \"$@\" >\"$d/args.$n\"\n"
             "o1=$(readlink /proc/$$/fd/1)\n"
             "o2=$(readlink /proc/$$/fd/2)\n"
             "{\n"
             "    echo \"$o1\"\n"
             "    echo \"$o2\"\n"
             "    if [ -e /proc/$$/fd/%d ]; then echo 'fd %d open'; else echo 'fd %d closed'; fi\n"
             "    grep -E '^(SigBlk|SigIgn):' /proc/$$/status\n"
             "} >\"$d/env.$n\"\n"
             "cat >\"$d/part.$n\"\n"
             "case $(sed -n 's/^Object: *//p' \"$d/part.$n\") in\n"
             "fail) exit 1 ;;\n"
             "kill) kill -TERM $$; sleep 60 ;;\n"
             "hang) sleep 60 & echo \"$$ $!\" >\"$d/hang.tmp\"; mv \"$d/hang.tmp\" \"$d/hang.pids\"; wait; exit 0 ;;\n"
             "block)\n"
             "    : >\"$d/block.started\"\n"
             "    i=0\n"
             "    while [ ! -e \"$d/release\" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done ;;\n"
             "esac\n"
             "mv \"$d/part.$n\" \"$d/msg.$n\"\n",
             st->dir, st->leak_fd, st->leak_fd, st->leak_fd);
    ut_write_file(st->script, text, strlen(text));
    CU_ASSERT_EQUAL(chmod(st->script, 0755), 0);
}

static void stub_free(struct stub *st)
{
    if (st->leak_fd >= 0)
        close(st->leak_fd);
    ut_remove_tree(st->dir);
}

/* The contents of DIR/NAME (malloc'd), or NULL. */
static char *stub_file(const struct stub *st, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", st->dir, name);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, fp) : 0;
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static int stub_has(const struct stub *st, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", st->dir, name);
    return access(path, F_OK) == 0;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait (30 s at most: a bound for a broken build, not a measure) until
 * @p n messages were sent or failed; 1 when they were. */
static int wait_done(alarm_mail *m, uint64_t n)
{
    for (int i = 0; i < 3000; i++) {
        struct alarm_mail_stats s = alarm_mail_stats(m);
        if (s.sent + s.failed >= n)
            return 1;
        nap_ms(10);
    }
    return 0;
}

/* Wait (30 s at most) until DIR/NAME exists. */
static int wait_file(const struct stub *st, const char *name)
{
    for (int i = 0; i < 3000; i++) {
        if (stub_has(st, name))
            return 1;
        nap_ms(10);
    }
    return 0;
}

/* Has @p pid ended (gone, or a zombie its new parent has not reaped)? */
static int process_gone(pid_t pid)
{
    if (kill(pid, 0) < 0 && errno == ESRCH)
        return 1;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] == 'Z';
}

static int wait_gone(pid_t pid)
{
    for (int i = 0; i < 3000; i++) {
        if (process_gone(pid))
            return 1;
        nap_ms(10);
    }
    return 0;
}

static alarm_mail *stub_mail(const char *command, unsigned timeout_ms)
{
    char err[256];
    struct config_alarm_mail c = mail_conf((char *)command, NULL, NULL, 0);
    c.timeout_ms = timeout_ms;
    alarm_mail *m = alarm_mail_new(&c, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(m);
    if (!m)
        fprintf(stderr, "\nalarm_mail_new: %s\n", err);
    return m;
}

static int start(alarm_mail *m)
{
    char err[256];
    int rc = alarm_mail_start(m, err, sizeof err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "\nalarm_mail_start: %s\n", err);
    return rc;
}

/* Queue one raise of alarm "spool-disk" on @p object. */
static void raise_on(alarm_mail *m, const char *object, uint32_t sequence)
{
    struct fixture f;
    fixture_init(&f, "spool-disk", CONFIG_ALARM_DISK_FREE, object);
    struct alarm_event ev = event_of(&f, ALARM_EVENT_RAISE, 0, 4.7, 10, sequence);
    alarm_mail_event(m, &ev, HOST);
}

/* How often @p needle occurs in @p hay. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* @p text with the inside of its Message-ID's <> replaced by "X"
 * (malloc'd); the original id into @p id. */
static char *without_message_id(const char *text, char *id, size_t idlen)
{
    char *copy = strdup(text);
    id[0] = '\0';
    char *p = copy ? strstr(copy, "Message-ID: <") : NULL;
    char *q = p ? strchr(p, '>') : NULL;
    if (!p || !q)
        return copy;
    p += strlen("Message-ID: <");
    snprintf(id, idlen, "%.*s", (int)(q - p), p);
    *p = 'X';
    memmove(p + 1, q, strlen(q) + 1);
    return copy;
}

/* A Message-ID made by alarm_mail_event() for sequence @p seq on HOST:
 * "mtamon.alarm.SEQ.<16 hex>.N@mx1.test.example". */
static int message_id_ok(const char *id, const char *seq)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "mtamon.alarm.%s.", seq);
    if (strncmp(id, prefix, strlen(prefix)) != 0)
        return 0;
    const char *p = id + strlen(prefix);
    for (int i = 0; i < 16; i++, p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    const char *at = strchr(p, '@');
    return *p == '.' && at && strcmp(at, "@" HOST) == 0;
}

static void test_command(void)
{
    struct stub st;
    stub_make(&st);
    char command[512];
    /* blanks split the words, tabs too, runs of them count once */
    snprintf(command, sizeof command, "%s -t\t-i  -f mtamond@test.example", st.script);
    alarm_mail *m = stub_mail(command, 20000);
    UT_REQUIRE(m);
    /* a sendmail must not inherit mtamond's ignored SIGPIPE */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);

    struct fixture f;
    fixture_init(&f, "spool-disk", CONFIG_ALARM_DISK_FREE, "spool");
    struct alarm_event ev = event_of(&f, ALARM_EVENT_RAISE, 0, 4.7, 10, 7);
    alarm_mail_event(m, &ev, HOST);
    ev = event_of(&f, ALARM_EVENT_CLEAR, 0, 16, 15, 8);
    alarm_mail_event(m, &ev, HOST);
    /* mail: false: not even queued */
    f.alarm.mail = 0;
    alarm_mail_event(m, &ev, HOST);
    f.alarm.mail = 1;
    if (start(m) == 0)
        CU_ASSERT(wait_done(m, 2));
    struct alarm_mail_stats s = alarm_mail_stats(m);
    CU_ASSERT_EQUAL(s.queued, 2);
    CU_ASSERT_EQUAL(s.sent, 2);
    CU_ASSERT_EQUAL(s.failed, 0);
    CU_ASSERT_EQUAL(s.dropped, 0);
    alarm_mail_free(m);
    sigaction(SIGPIPE, &old, NULL);

    /* the exact message, as formatted, with a Message-ID of its own */
    char subject[ALARM_MAIL_SUBJECT_MAX], id[256];
    ev = event_of(&f, ALARM_EVENT_RAISE, 0, 4.7, 10, 7);
    char *want = format(&ev, one_to, 1, subject, sizeof subject);
    char *got = stub_file(&st, "msg.0");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    char *norm = without_message_id(got, id, sizeof id);
    char *want_norm = without_message_id(want, subject, sizeof subject);
    check_text(norm, want_norm);
    CU_ASSERT(message_id_ok(id, "7"));
    free(norm);
    free(want_norm);
    free(want);
    free(got);
    got = stub_file(&st, "msg.1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\nSubject: [mtamon] CLEARED major: spool-disk spool: "
                                       "disk_free 16 > 15\n"));
    CU_ASSERT(strstr(got, "\nMessage-ID: <") && !strstr(got, id));  /* another id */
    free(got);
    CU_ASSERT(!stub_has(&st, "msg.2"));

    got = stub_file(&st, "args.0");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got, "-t\n-i\n-f\nmtamond@test.example\n");
    free(got);
    /* stdout and stderr /dev/null, no other descriptor, nothing blocked,
     * no standard signal ignored (glibc's posix_spawn leaves its own two,
     * 32 and 33, ignored: bits 31 and 32) */
    got = stub_file(&st, "env.0");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    char want_env[256];
    snprintf(want_env, sizeof want_env,
             "/dev/null\n/dev/null\nfd %d closed\nSigBlk:\t0000000000000000\nSigIgn:\t",
             st.leak_fd);
    CU_ASSERT_EQUAL(strncmp(got, want_env, strlen(want_env)), 0);
    if (strncmp(got, want_env, strlen(want_env)) != 0)
        fprintf(stderr, "\n--- want:\n%s...\n--- got:\n%s---\n", want_env, got);
    unsigned long long ignored_sigs = strtoull(got + strlen(want_env), NULL, 16);
    CU_ASSERT_EQUAL(ignored_sigs & 0x7fffffffULL, 0);
    free(got);
    stub_free(&st);

    /* no '/': looked up in PATH */
    m = stub_mail("true", 20000);
    UT_REQUIRE(m);
    raise_on(m, "spool", 1);
    if (start(m) == 0)
        CU_ASSERT(wait_done(m, 1));
    s = alarm_mail_stats(m);
    CU_ASSERT_EQUAL(s.sent, 1);
    CU_ASSERT_EQUAL(s.failed, 0);
    alarm_mail_free(m);
}

static void test_command_failures(void)
{
    struct stub st;
    stub_make(&st);
    ut_capture_stderr_start();
    alarm_mail *m = stub_mail(st.script, 20000);
    alarm_mail *missing = stub_mail("/nonexistent/mtamon-sendmail -t", 20000);
    alarm_mail *unknown = stub_mail("mtamon-no-such-sendmail -t", 20000);
    if (m && missing && unknown) {
        raise_on(m, "fail", 1);
        raise_on(m, "kill", 2);
        raise_on(m, "spool", 3);  /* and the next one goes */
        raise_on(missing, "spool", 4);
        raise_on(unknown, "spool", 5);
        if (start(m) == 0 && start(missing) == 0 && start(unknown) == 0) {
            CU_ASSERT(wait_done(m, 3));
            CU_ASSERT(wait_done(missing, 1));
            CU_ASSERT(wait_done(unknown, 1));
        }
        struct alarm_mail_stats s = alarm_mail_stats(m);
        CU_ASSERT_EQUAL(s.queued, 3);
        CU_ASSERT_EQUAL(s.sent, 1);
        CU_ASSERT_EQUAL(s.failed, 2);
        s = alarm_mail_stats(missing);
        CU_ASSERT(s.queued == 1 && s.sent == 0 && s.failed == 1);
        s = alarm_mail_stats(unknown);
        CU_ASSERT(s.queued == 1 && s.sent == 0 && s.failed == 1);
    }
    alarm_mail_free(m);
    alarm_mail_free(missing);
    alarm_mail_free(unknown);
    char *log = ut_capture_stderr_stop();
    char want[1024];
    snprintf(want, sizeof want,
             "alarm mail not sent (command %s): [mtamon] RAISED major: spool-disk fail: "
             "disk_free 4.7 <= 10: exited with status 1\n", st.script);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, want));
    snprintf(want, sizeof want,
             "alarm mail not sent (command %s): [mtamon] RAISED major: spool-disk kill: "
             "disk_free 4.7 <= 10: killed by SIGTERM\n", st.script);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "alarm mail not sent (command /nonexistent/mtamon-sendmail): "
                                       "[mtamon] RAISED major: spool-disk spool: disk_free 4.7 <= 10: "
                                       "cannot run /nonexistent/mtamon-sendmail: "
                                       "No such file or directory\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "alarm mail not sent (command mtamon-no-such-sendmail): "
                                       "[mtamon] RAISED major: spool-disk spool: disk_free 4.7 <= 10: "
                                       "cannot run mtamon-no-such-sendmail: "
                                       "No such file or directory\n"));
    /* each failure once, nothing else */
    CU_ASSERT_EQUAL(count_of(log, "alarm mail not sent"), 4);
    CU_ASSERT_EQUAL(count_of(log, "\n"), 4);
    if (count_of(log, "\n") != 4)
        fprintf(stderr, "\n--- log:\n%s---\n", log);
    free(log);
    char *got = stub_file(&st, "msg.0");
    CU_ASSERT(got && strstr(got, "\nObject:    spool\n"));
    free(got);
    stub_free(&st);
}

/* While the command holds the first message, alarm_mail_event() queues
 * more at once: the counters show them queued, none sent, none failed;
 * then all go, in order. */
static void test_ordering(void)
{
    struct stub st;
    stub_make(&st);
    alarm_mail *m = stub_mail(st.script, 60000);
    UT_REQUIRE(m);
    if (start(m) != 0) {
        alarm_mail_free(m);
        stub_free(&st);
        return;
    }
    raise_on(m, "block", 1);
    CU_ASSERT_FATAL(wait_file(&st, "block.started"));
    raise_on(m, "a", 2);
    raise_on(m, "b", 3);
    raise_on(m, "c", 4);
    struct alarm_mail_stats s = alarm_mail_stats(m);
    CU_ASSERT_EQUAL(s.queued, 4);
    CU_ASSERT_EQUAL(s.sent, 0);
    CU_ASSERT_EQUAL(s.failed, 0);
    CU_ASSERT_EQUAL(s.dropped, 0);
    CU_ASSERT(!stub_has(&st, "msg.0"));  /* the first is still at the command */

    char path[512];
    snprintf(path, sizeof path, "%s/release", st.dir);
    ut_write_file(path, "", 0);
    CU_ASSERT(wait_done(m, 4));
    s = alarm_mail_stats(m);
    CU_ASSERT_EQUAL(s.sent, 4);
    CU_ASSERT_EQUAL(s.failed, 0);
    alarm_mail_free(m);
    static const char *const objects[] = {"block", "a", "b", "c"};
    for (int i = 0; i < 4; i++) {
        char name[16], want[64];
        snprintf(name, sizeof name, "msg.%d", i);
        snprintf(want, sizeof want, "\nObject:    %s\nValue:", objects[i]);
        char *got = stub_file(&st, name);
        CU_ASSERT(got && strstr(got, want));
        snprintf(want, sizeof want, "\nSequence:  %d\n", i + 1);
        CU_ASSERT(got && strstr(got, want));
        free(got);
    }
    stub_free(&st);
}

/* The PIDs a hanging stub wrote: itself and its sleep. */
static int hang_pids(const struct stub *st, pid_t *sh, pid_t *child)
{
    char *got = stub_file(st, "hang.pids");
    int a = 0, b = 0;
    int ok = got && sscanf(got, "%d %d", &a, &b) == 2 && a > 0 && b > 0;
    free(got);
    *sh = a;
    *child = b;
    return ok;
}

static void test_timeout(void)
{
    struct stub st;
    stub_make(&st);
    ut_capture_stderr_start();
    /* 2 s: long enough for the stub's quick messages on a busy machine */
    alarm_mail *m = stub_mail(st.script, 2000);
    if (m && start(m) == 0) {
        raise_on(m, "hang", 1);
        raise_on(m, "after", 2);
        CU_ASSERT(wait_done(m, 2));
        struct alarm_mail_stats s = alarm_mail_stats(m);
        CU_ASSERT_EQUAL(s.queued, 2);
        CU_ASSERT_EQUAL(s.failed, 1);
        CU_ASSERT_EQUAL(s.sent, 1);
        pid_t sh, child;
        CU_ASSERT(hang_pids(&st, &sh, &child));
        /* the stub and what it started are gone: the group was killed */
        CU_ASSERT(sh > 0 && process_gone(sh));
        CU_ASSERT(child > 0 && wait_gone(child));
        char *got = stub_file(&st, "msg.0");
        CU_ASSERT(got && strstr(got, "\nObject:    after\n"));
        free(got);

        /* alarm_mail_free() while it hangs: killed too */
        char path[512];
        snprintf(path, sizeof path, "%s/hang.pids", st.dir);
        unlink(path);
        raise_on(m, "hang", 3);
        raise_on(m, "hang", 4);
        CU_ASSERT(wait_file(&st, "hang.pids"));
        CU_ASSERT(hang_pids(&st, &sh, &child));
        alarm_mail_free(m);
        m = NULL;
        CU_ASSERT(sh > 0 && process_gone(sh));
        CU_ASSERT(child > 0 && wait_gone(child));
    }
    alarm_mail_free(m);
    char *log = ut_capture_stderr_stop();
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "[mtamon] RAISED major: spool-disk hang: disk_free 4.7 <= 10: "
                                       "timed out after 2000 ms\n"));
    free(log);
    stub_free(&st);
}

static void test_overflow(void)
{
    ut_capture_stderr_start();
    alarm_mail *m = stub_mail("/bin/true", 20000);
    if (m) {
        /* not started: nothing leaves the queue */
        for (int i = 0; i < ALARM_MAIL_QUEUE_MAX + 5; i++)
            raise_on(m, "spool", (uint32_t)i + 1);
        struct alarm_mail_stats s = alarm_mail_stats(m);
        CU_ASSERT_EQUAL(s.queued, ALARM_MAIL_QUEUE_MAX);
        CU_ASSERT_EQUAL(s.dropped, 5);
        CU_ASSERT_EQUAL(s.sent + s.failed, 0);
    }
    alarm_mail_free(m);
    char *log = ut_capture_stderr_stop();
    CU_ASSERT_EQUAL(count_of(log, "the queue is full (256 messages)"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "alarm mail dropped (command /bin/true): [mtamon] RAISED "
                                       "major: spool-disk spool: disk_free 4.7 <= 10: the queue "
                                       "is full (256 messages)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "256 alarm mails not sent (command /bin/true): stopping\n"));
    CU_ASSERT_EQUAL(count_of(log, "\n"), 2);
    free(log);
}

/* ------------------------------------------------------------------------ */
/* SMTP against the fake server                                              */

static alarm_mail *smtp_mail(uint16_t port, char *const *to, size_t n_to, unsigned timeout_ms)
{
    char err[256], smtp[64];
    snprintf(smtp, sizeof smtp, "127.0.0.1:%u", (unsigned)port);
    struct config_alarm_mail c = mail_conf(NULL, smtp, (char *)"127.0.0.1", port);
    c.to = (char **)to;
    c.n_to = n_to;
    c.timeout_ms = timeout_ms;
    alarm_mail *m = alarm_mail_new(&c, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(m);
    if (!m)
        fprintf(stderr, "\nalarm_mail_new: %s\n", err);
    return m;
}

/* Wait (30 s at most) until the server finished @p n scripts. */
static int wait_completed(fake_server *fs, unsigned n)
{
    for (int i = 0; i < 3000; i++) {
        if (fake_server_completed(fs) >= n)
            return 1;
        nap_ms(10);
    }
    return 0;
}

static size_t lines_of(const char *text)
{
    return (size_t)count_of(text, "\n");
}

/* The rest of an SMTP script from DATA on, at script[k]: the go-ahead
 * @p go, an EXPECT for each line of @p text, the dot answered @p queued,
 * QUIT answered @p bye, the end.  The script's new length. */
static size_t script_data(struct fake_action *script, size_t k, const char *text, const char *go,
                          const char *queued, const char *bye)
{
    script[k++] = (struct fake_action)FAKE_EXPECT("DATA\r");
    script[k++] = (struct fake_action)FAKE_SEND(go);
    for (size_t i = 0; i < lines_of(text) && k < 70; i++)
        script[k++] = (struct fake_action)FAKE_EXPECT(NULL);
    script[k++] = (struct fake_action)FAKE_EXPECT(".\r");
    script[k++] = (struct fake_action)FAKE_SEND(queued);
    script[k++] = (struct fake_action)FAKE_EXPECT("QUIT\r");
    script[k++] = (struct fake_action)FAKE_SEND(bye);
    script[k++] = (struct fake_action)FAKE_END;
    return k;
}

/* Mail @p ev over SMTP to @p fs for @p n_to recipients: done, the
 * server's script finished, one sent, none failed. */
static void send_one(fake_server *fs, char *const *to, size_t n_to, const struct alarm_event *ev)
{
    alarm_mail *m = smtp_mail(fake_server_port(fs), to, n_to, 20000);
    if (m && start(m) == 0) {
        alarm_mail_event(m, ev, HOST);
        CU_ASSERT(wait_done(m, 1));
        CU_ASSERT(wait_completed(fs, 1));
        struct alarm_mail_stats st = alarm_mail_stats(m);
        CU_ASSERT_EQUAL(st.sent, 1);
        CU_ASSERT_EQUAL(st.failed, 0);
    }
    alarm_mail_free(m);
}

static void test_smtp(void)
{
    struct fixture f;
    char subject[ALARM_MAIL_SUBJECT_MAX], id[256], ignored[256];
    /* a name that starts a body line with a dot */
    fixture_init(&f, ".dots", CONFIG_ALARM_DISK_FREE, "spool");
    struct alarm_event ev = event_of(&f, ALARM_EVENT_RAISE, 0, 4.7, 10, 7);
    char *text = format(&ev, two_to, 2, subject, sizeof subject);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n.dots raised on spool"));
    size_t wire_len;
    char *wire = alarm_mail_smtp_data(text, strlen(text), &wire_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(wire);
    char *want = without_message_id(wire, ignored, sizeof ignored);

    struct fake_action script[80];
    size_t k = 0;
    script[k++] = (struct fake_action)FAKE_SEND("220 fake ESMTP\r\n");
    script[k++] = (struct fake_action)FAKE_EXPECT("EHLO ");
    script[k++] = (struct fake_action)FAKE_SEND("250-fake\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
    script[k++] = (struct fake_action)FAKE_EXPECT("MAIL FROM:<mtamond@test.example>\r");
    script[k++] = (struct fake_action)FAKE_SEND("250 2.1.0 Ok\r\n");
    script[k++] = (struct fake_action)FAKE_EXPECT("RCPT TO:<postmaster@test.example>\r");
    script[k++] = (struct fake_action)FAKE_SEND("250 2.1.5 Ok\r\n");
    script[k++] = (struct fake_action)FAKE_EXPECT("RCPT TO:<ops@test.example>\r");
    script[k++] = (struct fake_action)FAKE_SEND("250 2.1.5 Ok\r\n");
    k = script_data(script, k, text, "354 End data with <CR><LF>.<CR><LF>\r\n",
                    "250 2.0.0 Ok: queued as 4ABC\r\n", "221 2.0.0 Bye\r\n");
    CU_ASSERT_FATAL(k < 80);

    fake_server *fs = fake_server_start(script, NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
    send_one(fs, two_to, 2, &ev);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    CU_ASSERT_EQUAL(fake_server_connections(fs), 1);
    char *got = fake_server_received(fs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    char *norm = without_message_id(got, id, sizeof id);
    CU_ASSERT(message_id_ok(id, "7"));
    /* the DATA part exactly, dot-stuffed, then QUIT */
    const char *data = strstr(norm, "DATA\r\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    data += strlen("DATA\r\n");
    CU_ASSERT(strncmp(data, want, strlen(want)) == 0);
    CU_ASSERT_STRING_EQUAL(data + strlen(want), "QUIT\r\n");
    CU_ASSERT_PTR_NOT_NULL(strstr(norm, "\r\n..dots raised on spool: disk_free 4.7 <= 10.\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(norm, "\r\nAlarm:     .dots\r\n"));
    CU_ASSERT_EQUAL(strncmp(norm, "EHLO ", 5), 0);
    free(norm);
    free(got);
    fake_server_stop(fs);
    free(want);
    free(wire);
    free(text);
}

/* EHLO refused with 5xx: HELO, and the message goes all the same. */
static void test_smtp_helo(void)
{
    struct fixture f;
    char subject[ALARM_MAIL_SUBJECT_MAX];
    fixture_init(&f, "spool-disk", CONFIG_ALARM_DISK_FREE, "spool");
    struct alarm_event ev = event_of(&f, ALARM_EVENT_RAISE, 0, 4.7, 10, 1);
    char *text = format(&ev, one_to, 1, subject, sizeof subject);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);

    struct fake_action script[80];
    size_t k = 0;
    script[k++] = (struct fake_action)FAKE_SEND("220 old SMTP\r\n");
    script[k++] = (struct fake_action)FAKE_EXPECT("EHLO ");
    script[k++] = (struct fake_action)FAKE_SEND("502 5.5.2 Error: command not recognized\r\n");
    script[k++] = (struct fake_action)FAKE_EXPECT("HELO ");
    script[k++] = (struct fake_action)FAKE_SEND("250 old\r\n");
    script[k++] = (struct fake_action)FAKE_EXPECT("MAIL FROM:<mtamond@test.example>\r");
    script[k++] = (struct fake_action)FAKE_SEND("250 Ok\r\n");
    script[k++] = (struct fake_action)FAKE_EXPECT("RCPT TO:<postmaster@test.example>\r");
    script[k++] = (struct fake_action)FAKE_SEND("250 Ok\r\n");
    k = script_data(script, k, text, "354 go\r\n", "250 Ok: queued\r\n", "221 Bye\r\n");
    CU_ASSERT_FATAL(k < 80);
    free(text);

    fake_server *fs = fake_server_start(script, NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
    send_one(fs, one_to, 1, &ev);
    CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
    char *got = fake_server_received(fs);
    CU_ASSERT(got && strstr(got, "\r\nHELO ") && strstr(got, "\r\n.\r\nQUIT\r\n"));
    free(got);
    fake_server_stop(fs);
}

static void test_smtp_failures(void)
{
    static const struct fake_action rcpt550[] = {
        FAKE_SEND("220 fake ESMTP\r\n"),
        FAKE_EXPECT("EHLO "),
        FAKE_SEND("250 fake\r\n"),
        FAKE_EXPECT("MAIL FROM:<mtamond@test.example>\r"),
        FAKE_SEND("250 2.1.0 Ok\r\n"),
        FAKE_EXPECT("RCPT TO:<postmaster@test.example>\r"),
        FAKE_SEND("550 5.1.1 <postmaster@test.example>: Recipient address rejected\r\n"),
        FAKE_EXPECT("QUIT\r"),
        FAKE_SEND("221 2.0.0 Bye\r\n"),
        FAKE_END,
    };
    static const struct fake_action silent[] = {
        FAKE_SILENT,
        FAKE_END,
    };
    ut_capture_stderr_start();
    fake_server *fs = fake_server_start(rcpt550, NULL, NULL, NULL);
    fake_server *quiet = fake_server_start(silent, NULL, NULL, NULL);
    uint16_t closed = fake_server_closed_port();
    alarm_mail *m = fs ? smtp_mail(fake_server_port(fs), two_to, 2, 20000) : NULL;
    alarm_mail *refused = closed ? smtp_mail(closed, one_to, 1, 20000) : NULL;
    alarm_mail *slow = quiet ? smtp_mail(fake_server_port(quiet), one_to, 1, 500) : NULL;
    if (m && refused && slow && start(m) == 0 && start(refused) == 0 && start(slow) == 0) {
        raise_on(m, "spool", 1);
        raise_on(refused, "spool", 2);
        raise_on(slow, "spool", 3);
        CU_ASSERT(wait_done(m, 1));
        CU_ASSERT(wait_done(refused, 1));
        CU_ASSERT(wait_done(slow, 1));
        CU_ASSERT(wait_completed(fs, 1));
        CU_ASSERT_EQUAL(alarm_mail_stats(m).failed, 1);
        CU_ASSERT_EQUAL(alarm_mail_stats(refused).failed, 1);
        CU_ASSERT_EQUAL(alarm_mail_stats(slow).failed, 1);
        CU_ASSERT_EQUAL(alarm_mail_stats(m).sent + alarm_mail_stats(refused).sent +
                            alarm_mail_stats(slow).sent, 0);
    }
    alarm_mail_free(m);
    alarm_mail_free(refused);
    alarm_mail_free(slow);
    char *log = ut_capture_stderr_stop();
    char want[512];
    snprintf(want, sizeof want,
             "alarm mail not sent (smtp 127.0.0.1:%u): [mtamon] RAISED major: spool-disk spool: "
             "disk_free 4.7 <= 10: RCPT: postmaster@test.example: 550 5.1.1 "
             "<postmaster@test.example>: Recipient address rejected\n",
             fs ? (unsigned)fake_server_port(fs) : 0u);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, want));
    snprintf(want, sizeof want, "alarm mail not sent (smtp 127.0.0.1:%u): [mtamon] RAISED major: "
                                "spool-disk spool: disk_free 4.7 <= 10: connect: Connection refused\n",
             (unsigned)closed);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(log, ": greeting: timed out after "));
    CU_ASSERT_EQUAL(count_of(log, "alarm mail not sent"), 3);
    CU_ASSERT_EQUAL(count_of(log, "\n"), 3);
    if (count_of(log, "\n") != 3)
        fprintf(stderr, "\n--- log:\n%s---\n", log);
    free(log);
    if (fs) {
        CU_ASSERT_EQUAL(fake_server_mismatches(fs), 0);
        char *got = fake_server_received(fs);
        /* the second recipient and DATA never came: QUIT ended it */
        CU_ASSERT(got && !strstr(got, "ops@test.example") && !strstr(got, "DATA"));
        free(got);
    }
    fake_server_stop(fs);
    fake_server_stop(quiet);
}

UT_MAIN("alarm_mail",
        {"message", test_message},
        {"message printable", test_message_printable},
        {"smtp data", test_smtp_data},
        {"new", test_new},
        {"command", test_command},
        {"command failures", test_command_failures},
        {"ordering", test_ordering},
        {"timeout", test_timeout},
        {"overflow", test_overflow},
        {"smtp", test_smtp},
        {"smtp helo", test_smtp_helo},
        {"smtp failures", test_smtp_failures})
