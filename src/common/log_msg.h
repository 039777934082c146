/*
 * log_msg.h - what the two backends of log.h share (internal to them):
 * log_msg() itself, in log_msg.c, filters by priority and formats; the
 * backend (src/common/log.c for the programs, src/agent/log_snmp.c for
 * mtamon.so inside snmpd) decides the threshold and writes the line.
 */
#ifndef MTAMON_LOG_MSG_H
#define MTAMON_LOG_MSG_H

#include "log.h"

/* log_msg() drops messages less urgent than @p min_priority (LOG_INFO
 * until a backend says otherwise). */
void log_msg_threshold(int min_priority);

/* Defined by the backend: write one formatted message of @p priority. */
void log_msg_write(int priority, const char *text);

#endif /* MTAMON_LOG_MSG_H */
