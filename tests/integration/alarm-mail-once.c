/*
 * alarm-mail-once.c - send one alarm raise and its clear through
 * alarm_mail (the code mtamond runs: queue, worker, command or SMTP) and
 * say what became of them, for tests/integration/test_alarm_mail.sh and
 * whatever else needs alarm mail in a real mailbox.
 *
 *   alarm-mail-once (-s HOST:PORT | -c COMMAND) [-f FROM] [-t TO]...
 *                   [-n ALARM] [-o OBJECT] [-H HOST] [-T TIMEOUT_MS]
 *
 * The alarm is a disk_free alarm ALARM (default spool-disk, severity
 * major) on OBJECT (default spool): the raise says 4.7 <= 10 (sequence
 * 1), the clear 16 > 15 (sequence 2), so the subjects are
 *
 *   [mtamon] RAISED major: spool-disk spool: disk_free 4.7 <= 10
 *   [mtamon] CLEARED major: spool-disk spool: disk_free 16 > 15
 *
 * HOST (default "alarm-mail-once.test") is the host the body names.
 * Waits until both messages were sent or failed, then prints
 * "queued=N sent=N failed=N dropped=N"; failures are logged on stderr.
 * Exit status 0 when both were sent, 1 when not, 64 on a usage error, 70
 * when the mailer cannot be made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alarm_mail.h"

#define TO_MAX 16

static int usage(void)
{
    fprintf(stderr, "usage: alarm-mail-once (-s HOST:PORT | -c COMMAND) [-f FROM] [-t TO]... "
                    "[-n ALARM] [-o OBJECT] [-H HOST] [-T TIMEOUT_MS]\n");
    return 64;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    char empty[] = "";
    char *to[TO_MAX];
    char *smtp = empty, *command = empty, *from = empty;
    char *name = (char *)"spool-disk", *object = (char *)"spool";
    const char *host = "alarm-mail-once.test";
    size_t n_to = 0;
    unsigned timeout_ms = 30000;
    int opt;
    while ((opt = getopt(argc, argv, "s:c:f:t:n:o:H:T:")) != -1) {
        switch (opt) {
        case 's': smtp = optarg; break;
        case 'c': command = optarg; break;
        case 'f': from = optarg; break;
        case 't':
            if (n_to == TO_MAX)
                return usage();
            to[n_to++] = optarg;
            break;
        case 'n': name = optarg; break;
        case 'o': object = optarg; break;
        case 'H': host = optarg; break;
        case 'T': timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
        default: return usage();
        }
    }
    if (optind != argc || (!smtp[0] && !command[0]))
        return usage();

    struct config_alarm_mail conf;
    memset(&conf, 0, sizeof conf);
    conf.command = command;
    conf.smtp = smtp;
    char host_buf[256] = "";
    if (smtp[0]) {
        const char *colon = strrchr(smtp, ':');
        if (!colon || colon == smtp || (size_t)(colon - smtp) >= sizeof host_buf)
            return usage();
        memcpy(host_buf, smtp, (size_t)(colon - smtp));
        long port = strtol(colon + 1, NULL, 10);
        if (port < 1 || port > 65535)
            return usage();
        conf.smtp_port = (uint16_t)port;
    }
    conf.smtp_host = host_buf;
    conf.from = from;
    conf.to = to;
    conf.n_to = n_to;
    conf.timeout_ms = timeout_ms;

    char err[512] = "";
    alarm_mail *m = alarm_mail_new(&conf, err, sizeof err);
    if (!m || alarm_mail_start(m, err, sizeof err) < 0) {
        fprintf(stderr, "alarm-mail-once: %s\n", err[0] ? err : "mail is off");
        alarm_mail_free(m);
        return 70;
    }

    struct config_alarm alarm;
    memset(&alarm, 0, sizeof alarm);
    alarm.name = name;
    alarm.kind = CONFIG_ALARM_DISK_FREE;
    alarm.source = CONFIG_ALARM_ON_PARTITIONS;
    alarm.raise = 10;
    alarm.clear = 15;
    alarm.severity = CONFIG_SEVERITY_MAJOR;
    alarm.mail = 1;
    struct alarm_row row;
    memset(&row, 0, sizeof row);
    row.conf = &alarm;
    snprintf(row.object, sizeof row.object, "%s", object);

    struct alarm_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = ALARM_EVENT_RAISE;
    ev.row = &row;
    ev.value = 4.7;
    ev.threshold = 10;
    ev.sequence = 1;
    ev.wall_ms = wall_ms();
    alarm_mail_event(m, &ev, host);
    ev.type = ALARM_EVENT_CLEAR;
    ev.value = 16;
    ev.threshold = 15;
    ev.sequence = 2;
    ev.wall_ms = wall_ms();
    alarm_mail_event(m, &ev, host);

    /* Each message ends within its timeout: both by twice that. */
    struct alarm_mail_stats s = alarm_mail_stats(m);
    for (uint64_t waited = 0; s.sent + s.failed < s.queued && waited < 2ull * timeout_ms + 5000;
         waited += 10) {
        struct timespec nap = {0, 10 * 1000000L};
        nanosleep(&nap, NULL);
        s = alarm_mail_stats(m);
    }
    alarm_mail_free(m);
    printf("queued=%llu sent=%llu failed=%llu dropped=%llu\n", (unsigned long long)s.queued,
           (unsigned long long)s.sent, (unsigned long long)s.failed,
           (unsigned long long)s.dropped);
    return s.sent == 2 ? 0 : 1;
}
