/*
 * alarm_stubs.c - TEMPORARY stand-ins for the names and the value format
 * that src/common/config_alarm.c and src/agent/alarm.c will export
 * (being written alongside), so that test_alarm_mail and alarm-mail-once
 * link before they land.  Delete this file once main has them.
 */
#include <stdio.h>

#include "alarm.h"
#include "mtamon_config.h"

const char *config_alarm_kind_name(enum config_alarm_kind kind)
{
    static const char *const names[] = {
        "disk_free",    "inodes_free",   "probe_slow",   "probe_down",
        "roundtrip_slow", "roundtrip_down", "queue_length", "queue_age",
        "failure_rate", "delivery_time", "connections",  "process_down",
        "segment_missing", "segment_restarted", "segment_stale",
    };
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

int config_alarm_kind_below(enum config_alarm_kind kind)
{
    return kind == CONFIG_ALARM_DISK_FREE || kind == CONFIG_ALARM_INODES_FREE;
}

const char *config_alarm_severity_name(enum config_alarm_severity s)
{
    switch (s) {
    case CONFIG_SEVERITY_CRITICAL: return "critical";
    case CONFIG_SEVERITY_MAJOR: return "major";
    case CONFIG_SEVERITY_MINOR: return "minor";
    default: return "warning";
    }
}

const char *alarm_format_value(double v, char buf[ALARM_VALUE_MAX])
{
    snprintf(buf, ALARM_VALUE_MAX, "%.6g", v);
    return buf;
}

const char *alarm_state_name(enum alarm_state s)
{
    return s == ALARM_ACTIVE ? "active" : s == ALARM_PENDING ? "pending" : "clear";
}
