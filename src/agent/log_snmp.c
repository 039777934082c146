/*
 * log_snmp.c - the log.h API for mtamon.so, inside snmpd: every message
 * goes through snmp_log(), so it lands wherever snmpd logs (its -L
 * options: syslog, a file, stderr), prefixed "mtamon: ".  mtamond links
 * src/common/log.c instead; the view and the MIB modules call log_msg()
 * and do not know which.
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "log_msg.h"

void log_open(const char *ident, enum config_log_target target, int facility,
              int min_priority)
{
    /* snmpd's own options decide where messages go and under which name. */
    (void)ident;
    (void)target;
    (void)facility;
    log_msg_threshold(min_priority);
}

void log_msg_write(int priority, const char *text)
{
    snmp_log(priority, "mtamon: %s\n", text);
}

void log_close(void)
{
    log_msg_threshold(LOG_INFO);
}
