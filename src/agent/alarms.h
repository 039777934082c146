/*
 * alarms.h - mtamond's alarms: every second, the alarms that are due are
 * sampled from the current view (alarm_sample.h) and run through the
 * engine (alarm.h); what it emits is logged, mailed when configured
 * (alarm_mail.h), and sent to the AgentX master as an MTAMON-MIB
 * notification (mtamonAlarmRaised, mtamonAlarmCleared,
 * mtamonAlarmSummary), which the master forwards to its trap sinks.
 *
 * A notification is an AgentX Notify PDU on the master session; it is
 * counted sent when the master's Response says noAgentXError, failed when
 * the Response carries an error or none comes within the session's
 * timeout.  While the master is away, notifications wait in a queue of
 * alarm_options.pending_max (the oldest are dropped, counted failed) and
 * go out, in order, within a second of the master coming back.  Nothing
 * here blocks the main loop: the mail goes from a thread of its own.
 */
#ifndef MTAMON_ALARMS_H
#define MTAMON_ALARMS_H

#include "alarm.h"
#include "mtamon_config.h"
#include "view.h"

typedef struct alarms alarms;

/**
 * The alarms of @p conf over views of @p vc (both must outlive them), not
 * started.  NULL with the reason in @p err (ENOMEM, the mail path).
 */
alarms *alarms_new(const struct config *conf, view_cache *vc, char *err,
                   size_t errlen);

/** The engine, for the MIB table (mib_tables.h) and status reports. */
const alarm_engine *alarms_engine(const alarms *a);

/** Notifications waiting for the master now. */
unsigned alarms_pending(const alarms *a);

/**
 * Start checking: a one-second timer in Net-SNMP's main loop (call after
 * agentx_start()) and the mail thread.  Returns 0, or -1 with the reason
 * in @p err.
 */
int alarms_start(alarms *a, char *err, size_t errlen);

/**
 * Stop the timer and the mail thread and free everything (NULL is fine).
 * Call after agentx_stop(): notifications still unanswered then are
 * counted failed.
 */
void alarms_free(alarms *a);

#endif /* MTAMON_ALARMS_H */
