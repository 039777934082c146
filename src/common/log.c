/*
 * log.c - syslog or stderr, chosen once (see log.h).
 */
#include "log.h"

#include <stdio.h>
#include <time.h>

#include "log_msg.h"

static enum config_log_target log_target = CONFIG_LOG_STDERR;
static int log_syslog_open;
static char log_ident[32] = "mtamon";

void log_open(const char *ident, enum config_log_target target, int facility,
              int min_priority)
{
    snprintf(log_ident, sizeof log_ident, "%s", ident);
    log_msg_threshold(min_priority);
    log_target = target;
    if (target == CONFIG_LOG_SYSLOG && !log_syslog_open) {
        /* syslog keeps the pointer: log_ident is static. */
        openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
        log_syslog_open = 1;
    }
}

static const char *priority_name(int priority)
{
    switch (priority) {
    case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: return "critical";
    case LOG_ERR: return "error";
    case LOG_WARNING: return "warning";
    case LOG_NOTICE: return "notice";
    case LOG_INFO: return "info";
    default: return "debug";
    }
}

void log_msg_write(int priority, const char *text)
{
    if (log_target == CONFIG_LOG_SYSLOG) {
        syslog(priority, "%s", text);
        return;
    }
    /* stderr: a timestamp so a foreground run reads like a log file. */
    struct timespec ts;
    struct tm tm;
    char stamp[32] = "";
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && localtime_r(&ts.tv_sec, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ld %s[%s]: %s\n", stamp, ts.tv_nsec / 1000000L,
            log_ident, priority_name(priority), text);
}

void log_close(void)
{
    if (log_syslog_open) {
        closelog();
        log_syslog_open = 0;
    }
    log_target = CONFIG_LOG_STDERR;
}
