/*
 * alarm_mail_internal.h - the parts of alarm_mail (alarm_mail.h) that
 * the queue and worker (alarm_mail.c) put together, and that the unit
 * suite tests on their own: the message (alarm_mail_message.c), the
 * command (alarm_mail_command.c) and the SMTP client
 * (alarm_mail_smtp.c).  Internal to mtamond.
 */
#ifndef MTAMON_ALARM_MAIL_INTERNAL_H
#define MTAMON_ALARM_MAIL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "alarm.h"

/** Room for a subject line's text (the subjects are far shorter). */
#define ALARM_MAIL_SUBJECT_MAX 256

/** What a message carries besides its event. */
struct alarm_mail_envelope {
    const char *from;          /**< From: */
    char *const *to;           /**< To:, n_to >= 1 addresses */
    size_t n_to;
    const char *host;          /**< this host, for the body */
    const char *message_id;    /**< Message-ID: without the <> */
};

/**
 * The message for @p ev: headers, a blank line, the body, lines ended by
 * LF (the command's form; alarm_mail_smtp_data() makes the SMTP form).
 * Every character is printable ASCII (others become '?'), no line is
 * longer than 998 bytes (To: is folded, one address a line).  The
 * subject's text goes into @p subject too (for the log).  Returns the
 * message (malloc'd, NUL-terminated, its length in *@p len), or NULL
 * when out of memory.
 */
char *alarm_mail_message_format(const struct alarm_event *ev,
                                const struct alarm_mail_envelope *env, size_t *len,
                                char *subject, size_t subject_len);

/**
 * Run @p argv (argv[0] the program: a path when it holds a '/', else
 * looked up in PATH) with @p msg (@p len bytes) on its standard input,
 * /dev/null as stdout and stderr, no other descriptor, default signals,
 * in a process group of its own.  When it has not exited within
 * @p timeout_ms, its process group is killed (SIGKILL) and it is
 * reaped.  0 when it exited 0, else -1 with why in @p err ("exited
 * with status 1", "killed by signal 15 (Terminated)", "timed out after
 * 30000 ms", "cannot run /x: No such file or directory").
 */
int alarm_mail_command_run(char *const *argv, const char *msg, size_t len,
                           unsigned timeout_ms, char *err, size_t errlen);

/** Where and how alarm_mail_smtp_send() delivers. */
struct alarm_mail_smtp {
    const char *host;          /**< name or address */
    uint16_t port;
    const char *helo;          /**< EHLO/HELO argument */
    const char *from;          /**< MAIL FROM:<from> */
    char *const *to;           /**< RCPT TO:<to[i]> each */
    size_t n_to;
};

/**
 * @p msg (the LF form, @p len bytes) as sent after DATA's 354: every line
 * ended by CRLF (a last line without LF too), a '.' doubled at the start
 * of a line, and the ending ".\r\n".  malloc'd (its length in
 * *@p out_len), or NULL when out of memory.
 */
char *alarm_mail_smtp_data(const char *msg, size_t len, size_t *out_len);

/**
 * Deliver @p msg (the LF form) over plain SMTP within @p timeout_ms.  0 once the server took the message (250 after the
 * '.'), else -1 with why in @p err: the step and the server's reply
 * ("RCPT: postmaster@example.com: 550 5.1.1 unknown"), or what failed
 * ("connect: Connection refused", "DATA: timed out after 30000 ms").
 */
int alarm_mail_smtp_send(const struct alarm_mail_smtp *s, const char *msg, size_t len,
                         unsigned timeout_ms, char *err, size_t errlen);

#endif /* MTAMON_ALARM_MAIL_INTERNAL_H */
