/*
 * mib.h - the MIB modules mtamond and mtamon.so serve, registered as
 * plain Net-SNMP handlers (the same code in the AgentX subagent and, as
 * the dlmod module, inside snmpd):
 *
 *   mib_network_services.c  NETWORK-SERVICES-MIB (RFC 2788): applTable,
 *                           assocTable              1.3.6.1.2.1.27
 *   mib_mta.c               MTA-MIB (RFC 2789): mtaTable, mtaGroupTable,
 *                           mtaGroupAssociationTable,
 *                           mtaGroupErrorTable      1.3.6.1.2.1.28
 *   mib_mtamon.c            MTAMON-MIB: the segment, collectors, probes
 *   mib_mtamon_alarm.c      MTAMON-MIB: mtamonAlarms, from the alarm engine
 *
 * Every request takes the current view from the view_cache (rebuilt at
 * most once per refresh interval) with "now" as the wall clock and the
 * master's sysUpTime (netsnmp_get_agent_uptime(): snmpd's own inside it,
 * and a subagent keeps it in step with the master).
 */
#ifndef MTAMON_MIB_H
#define MTAMON_MIB_H

#include "alarm.h"
#include "oid_table.h"
#include "view.h"

/**
 * Every table served, in OID order, NULL-terminated: what
 * mib_register_all() registers, and what the golden unit test walks
 * (with its own ops.fetch).
 */
extern struct oid_table *const mib_tables[];

/**
 * Register every table, serving views from @p vc (which must outlive the
 * registrations).  Call after init_agent().  Returns 0, or -1 after
 * logging which registration failed (and removing what it registered).
 */
int mib_register_all(view_cache *vc);

/**
 * Remove every registration mib_register_all() made (mtamon.so, before
 * snmpd unloads it or re-reads its configuration).
 */
void mib_unregister_all(void);

/** The view for a request now (used by every table's fetch callback). */
const struct view *mib_current_view(view_cache *vc);

/**
 * Serve MTAMON-MIB's mtamonAlarms (the notification statistics and
 * mtamonAlarmTable) from @p e, or from nothing (NULL): mtamond sets its
 * engine, when alarms are configured, before mib_register_all(), and
 * NULL before freeing it.  The engine is read on the request path, so it
 * must be run by the thread that handles requests (alarm.h: one thread
 * calls everything).  Without an engine the table has no rows and the
 * scalars are absent (noSuchObject), as the collectors' tables are empty
 * in mtamon.so: an agent that evaluates no alarm (mtamon.so, which never
 * sets one; mtamond without alarms:) shows no figure that would read as
 * "no notification sent", and both front ends serve the same OIDs.
 */
void mib_mtamon_set_alarms(const alarm_engine *e);

/**
 * mtamonAlarmNotificationsPending: @p fn(@p ctx) gives the notifications
 * waiting for the master now (mtamond's queue, alarms_pending()).  NULL
 * (the default): 0.  Called on the request path.
 */
void mib_mtamon_set_alarm_pending(unsigned (*fn)(const void *ctx), const void *ctx);

#endif /* MTAMON_MIB_H */
