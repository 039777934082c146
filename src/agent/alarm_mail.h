/*
 * alarm_mail.h - the postmaster's copy of alarm raises and clears, as
 * Sun Messaging Server's msprobe mailed them: one short plain-text mail
 * per notification the alarm engine emits (alarm.h), sent by a worker
 * thread so that a slow or broken mail path never delays mtamond's main
 * loop.
 *
 * Configured by alarm_options.mail (struct config_alarm_mail), off
 * unless it names a command or an SMTP server:
 *
 *   command  a sendmail-compatible command ("/usr/sbin/sendmail -t -i"),
 *            split on blanks (no quoting, no shell), run without a shell
 *            and without PATH search when it holds a '/'.  It gets the
 *            message on its standard input (LF line ends, no
 *            dot-stuffing), /dev/null as stdout and stderr, no other
 *            descriptor, default signal dispositions, an empty signal
 *            mask and a process group of its own.  Nothing is added to
 *            its arguments: the recipients are in the To: header (hence
 *            -t), the envelope sender is the command's choice (-f).
 *            Exit status 0 is success; any other status, a signal, a
 *            failed exec or the timeout is a failure.  At the timeout the
 *            whole process group is killed (SIGKILL) and the child
 *            reaped.
 *   smtp     a host and port: plain SMTP, no TLS and no AUTH (a local
 *            MTA, or a relay that accepts mail from this host): greeting,
 *            EHLO (HELO when EHLO is refused with 5xx), MAIL FROM, one
 *            RCPT TO per recipient, DATA, the message (CRLF, dot-stuffed),
 *            '.', QUIT.  Any unexpected reply fails the message (the
 *            reply is logged); there is no retry.  The connection and
 *            the replies are read with the probes' client
 *            (src/collect/probe_conn.h, probe_smtp.h).
 *
 * One message may take timeout_ms; every failure is logged once
 * (log_msg, LOG_WARNING: the subject and why) and counted.  Messages
 * wait in a bounded queue (ALARM_MAIL_QUEUE_MAX); when it is full a new
 * one is dropped and counted, never waited for.
 *
 * The message: From, To, Subject, Date, Message-ID, Auto-Submitted:
 * auto-generated (RFC 3834, so that vacation programs do not answer it),
 * MIME-Version, Content-Type text/plain; charset=UTF-8 (the text is
 * printable ASCII: anything else in a name becomes '?').  Subjects:
 *
 *   [mtamon] RAISED major: spool-disk spool: disk_free 4.7 <= 10
 *   [mtamon] REMINDER major: spool-disk spool: disk_free 4.7 <= 10   (re-send)
 *   [mtamon] CLEARED major: spool-disk spool: disk_free 16 > 15
 *   [mtamon] SUMMARY: 12 notifications not sent (rate limit)
 *
 * (no object for the segment kinds).  The body names every field:
 * alarm, kind, object, value, threshold, severity, state, sequence,
 * host, time.
 */
#ifndef MTAMON_ALARM_MAIL_H
#define MTAMON_ALARM_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "alarm.h"
#include "mtamon_config.h"

/** Messages waiting at most; a further one is dropped. */
#define ALARM_MAIL_QUEUE_MAX 256

/** timeout_ms when the configuration leaves it 0. */
#define ALARM_MAIL_TIMEOUT_DEFAULT_MS 30000

typedef struct alarm_mail alarm_mail;

/** What became of the messages so far. */
struct alarm_mail_stats {
    uint64_t queued;    /**< accepted into the queue */
    uint64_t sent;      /**< the command exited 0 / the server took it */
    uint64_t failed;    /**< command or server failed, or the timeout */
    uint64_t dropped;   /**< not queued: the queue was full, or no memory */
};

/**
 * The mailer for @p conf (copied: @p conf may go away afterwards).
 * NULL with @p err "" when mail is off (neither command nor smtp set);
 * NULL with the reason in @p err on failure (both set, an SMTP server
 * without a host, no memory).  Defaults for what @p conf leaves empty:
 * from "mtamond@HOSTNAME", to "postmaster", timeout_ms 30 s.  Nothing
 * runs until alarm_mail_start().
 */
alarm_mail *alarm_mail_new(const struct config_alarm_mail *conf, char *err, size_t errlen);

/**
 * Start the worker thread (every signal blocked in it).  0, or -1 with
 * the reason in @p err.  Call once.
 */
int alarm_mail_start(alarm_mail *m, char *err, size_t errlen);

/**
 * Format the message for @p ev (a raise, a re-sent raise, a clear or a
 * summary) and queue it; @p host is this host's name, for the body and
 * the Message-ID.  Returns at once: the message is dropped (and counted)
 * when the queue is full.  Does nothing when @p m is NULL (mail off) or
 * when the event's alarm has mail: false.  Messages queued before
 * alarm_mail_start() wait for it.  Thread-safe.
 */
void alarm_mail_event(alarm_mail *m, const struct alarm_event *ev, const char *host);

/** The counts so far (any thread; zeros for NULL). */
struct alarm_mail_stats alarm_mail_stats(alarm_mail *m);

/**
 * Stop the worker and free @p m (NULL is fine).  The worker goes on with
 * the queue for at most about timeout_ms: a command still running then
 * is killed, a connection closed; messages left are dropped and logged.
 */
void alarm_mail_free(alarm_mail *m);

#endif /* MTAMON_ALARM_MAIL_H */
