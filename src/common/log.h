/*
 * log.h - one logging call for mtamond (and whatever else calls
 * log_open()): to syslog or to stderr, chosen once at start.
 *
 * Before log_open() messages go to stderr, so configuration errors are
 * seen by whoever started the program.
 */
#ifndef MTAMON_LOG_H
#define MTAMON_LOG_H

#include <syslog.h>

#include "mtamon_config.h"

/**
 * Send further messages to @p target as @p ident; @p facility is used for
 * syslog (LOG_DAEMON, ...).  @p min_priority drops less urgent messages
 * (LOG_INFO normally, LOG_DEBUG with -d).
 */
void log_open(const char *ident, enum config_log_target target, int facility,
              int min_priority);

/** Log one message at @p priority (LOG_ERR, LOG_WARNING, LOG_INFO, ...). */
void log_msg(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Close syslog if it was opened. */
void log_close(void);

#endif /* MTAMON_LOG_H */
