#!/bin/bash
# test_alarm_storm.sh - alarm notifications under stress, through a real
# master and snmptrapd:
#
#  - a storm: 1,000 channels cross one alarm at once; with
#    max_notifications_per_second 50, snmptrapd gets 50 mtamonAlarmRaised
#    and then one mtamonAlarmSummary counting the 950 others, and mtamond
#    answers every GET meanwhile;
#  - the master stops while an alarm is raised: mtamond keeps running,
#    the notification waits, and arrives once the master is back; nothing
#    is sent twice.

# Helpers set the variables named by their first argument (printf -v):
# shellcheck disable=SC2154

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup

ROOT=1.3.6.1.4.1.8072.9999.9999.25
RAISED=$ROOT.0.1
SUMMARY=$ROOT.0.3
SEGMENT_STATUS=$ROOT.1.1.1.0
T=$IT_TMP

new_segment MTAMON_SEGMENT
SEG=$MTAMON_SEGMENT
cli --segment "$SEG" counters create --capacity 1100
assert_exit "a segment for 1,100 channels" 0
emit --segment "$SEG" channel special
assert_exit "channel special" 0

snmp_start_trapd || { fail "snmptrapd starts"; finish; }
SNMP_MASTER_EXTRA="trap2sink 127.0.0.1:$SNMP_TRAP_PORT public"
snmp_start_master || { fail "master starts"; finish; }

CONF=$T/mtamon.yaml
snmp_write_agent_config "$CONF" "channels:
  - name: special
alarm_options:
  max_notifications_per_second: 50
alarms:
  - name: backlog
    kind: queue_length
    channels: 'c*'
    raise: 1
    interval: 1
  - name: special-backlog
    kind: queue_length
    channels: [special]
    raise: 2
    interval: 1
    severity: critical"
snmp_start_agent "$CONF"
snmp_wait_agent || snmp_require_agent "mtamond starts"

# --- the storm ----------------------------------------------------------------

args=()
for i in $(seq 1 1000); do args+=(enqueue - "c$i" 1 100); done
emit --segment "$SEG" "${args[@]}"
assert_exit "one message queued on each of 1,000 channels" 0

# GETs while mtamond sends: every one answered.
answered=0
for i in $(seq 1 30); do
    if snmp_get v "$SEGMENT_STATUS" && [ "$v" = "INTEGER: 1" ]; then
        answered=$((answered + 1))
    fi
    sleep 0.1
done
assert_eq "30 GETs during the storm: all answered" 30 "$answered"

has_summary() { [ "$(snmp_trap_count "$SUMMARY")" -ge 1 ]; }
wait_until 20 has_summary
sleep 2   # anything that would come after the summary
assert_eq "50 mtamonAlarmRaised (the limit)" 50 "$(snmp_trap_count "$RAISED")"
assert_eq "then one mtamonAlarmSummary" 1 "$(snmp_trap_count "$SUMMARY")"
assert_contains "the summary counts the 950 others" \
    "$(grep -F "|.1.3.6.1.6.3.1.1.4.1.0 = OID: .$SUMMARY|" "$SNMP_TRAPD_LOG")" \
    ".$ROOT.1.9.9.0 = Gauge32: 950"
assert_contains "the summary has sequence number 51" \
    "$(grep -F "|.1.3.6.1.6.3.1.1.4.1.0 = OID: .$SUMMARY|" "$SNMP_TRAPD_LOG")" \
    ".$ROOT.1.9.8.0 = Gauge32: 51"
assert_agent_logs "alarms: 950 notifications not sent in the last second"
snmp_require_agent "mtamond still runs after the storm"

# --- the master away ------------------------------------------------------------

before=$(snmp_trap_count "$RAISED")
snmp_stop_master
emit --segment "$SEG" enqueue - special 1 100 enqueue - special 1 100
assert_exit "two messages queued on special while the master is away" 0
wait_for_text "$SNMP_AGENT_LOG" "alarm special-backlog special raised" 20
assert_agent_logs "alarm special-backlog special raised: queue_length 2 >= 2 (critical"
snmp_require_agent "mtamond keeps running without its master"
sleep 2
assert_eq "nothing reaches snmptrapd while the master is away" "$before" \
    "$(snmp_trap_count "$RAISED")"
snmp_start_master || { fail "master starts again"; finish; }
snmp_wait_agent || snmp_require_agent "mtamond registers again"
more_raised() { [ "$(snmp_trap_count "$RAISED")" -gt "$before" ]; }
wait_until 20 more_raised
sleep 2
assert_eq "the waiting notification arrives once the master is back, once" \
    $((before + 1)) "$(snmp_trap_count "$RAISED")"
assert_contains "it is special-backlog's" "$(tail -n 1 "$SNMP_TRAPD_LOG")" \
    '= STRING: "special-backlog"'
assert_contains "with the next sequence number, 52" "$(tail -n 1 "$SNMP_TRAPD_LOG")" \
    ".$ROOT.1.9.8.0 = Gauge32: 52"

snmp_stop_agent
assert_eq "mtamond stops with status 0" 0 "$SNMP_AGENT_STATUS"
snmp_stop_master
snmp_stop_trapd
finish
