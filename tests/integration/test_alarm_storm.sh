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

SUMMARY=$ROOT.0.3
SEGMENT_STATUS=$ROOT.1.1.1.0
T=$IT_TMP

new_segment MTAMON_SEGMENT
SEG=$MTAMON_SEGMENT
cli --segment "$SEG" counters create --capacity 1100
assert_exit 0 "a segment for 1,100 channels"
emit --segment "$SEG" channel special
assert_exit 0 "channel special"

snmp_start_master_and_trapd

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
assert_exit 0 "one message queued on each of 1,000 channels"

# GETs while mtamond sends: every one answered.
answered=0
for i in $(seq 1 30); do
    if snmp_get v "$SEGMENT_STATUS" && [ "$v" = "INTEGER: 1" ]; then
        answered=$((answered + 1))
    fi
    sleep 0.1
done
assert_eq 30 "$answered" "30 GETs during the storm: all answered"

has_summary() { [ "$(snmp_trap_count "$SUMMARY")" -ge 1 ]; }
wait_until 20 has_summary
sleep 2   # anything that would come after the summary
assert_eq 50 "$(snmp_trap_count "$RAISED")" "50 mtamonAlarmRaised (the limit)"
assert_eq 1 "$(snmp_trap_count "$SUMMARY")" "then one mtamonAlarmSummary"
SUMMARY_LINE=$(snmp_trap_lines | grep -F "|.1.3.6.1.6.3.1.1.4.1.0 = OID: .$SUMMARY|")
assert_contains "$SUMMARY_LINE" ".$ROOT.1.9.9.0 = Gauge32: 950" \
    "the summary counts the 950 others"
assert_contains "$SUMMARY_LINE" ".$ROOT.1.9.8.0 = Gauge32: 51" \
    "the summary has sequence number 51"
assert_agent_logs "mtamond logs the summary" "alarms: 950 notifications not sent in the last second"
snmp_require_agent "mtamond still runs after the storm"

# --- the master away ------------------------------------------------------------

before=$(snmp_trap_count "$RAISED")
snmp_stop_master
emit --segment "$SEG" enqueue - special 1 100 enqueue - special 1 100
assert_exit 0 "two messages queued on special while the master is away"
wait_for_text "$SNMP_AGENT_LOG" "alarm special-backlog special raised" 20
assert_agent_logs "mtamond logs the raise" "alarm special-backlog special raised: queue_length 2 >= 2 (critical"
snmp_require_agent "mtamond keeps running without its master"
sleep 2
assert_eq "$before" "$(snmp_trap_count "$RAISED")" \
    "nothing reaches snmptrapd while the master is away"
snmp_start_master || { fail "master starts again"; finish; }
snmp_wait_agent || snmp_require_agent "mtamond registers again"
more_raised() { [ "$(snmp_trap_count "$RAISED")" -gt "$before" ]; }
wait_until 20 more_raised
sleep 2
assert_eq $((before + 1)) "$(snmp_trap_count "$RAISED")" \
    "the waiting notification arrives once the master is back, once"
assert_contains "$(snmp_trap_lines | tail -n 1)" '= STRING: "special-backlog"' \
    "it is the one of special-backlog"
assert_contains "$(snmp_trap_lines | tail -n 1)" ".$ROOT.1.9.8.0 = Gauge32: 52" \
    "with the next sequence number, 52"

snmp_stop_agent
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond stops with status 0"
snmp_stop_master
snmp_stop_trapd
finish
