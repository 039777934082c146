#!/bin/bash
# test_agent_stock_master.sh - mtamond behind the distribution's snmpd as
# it comes, with Net-SNMP's own in-process MTA-MIB module
# (mibII/mta_sendmail) loaded, serves exactly what it serves behind a
# master with that module switched off.
#
# mta_sendmail registers single columns of mtaTable and mtaGroupTable
# (with no sendmail it answers Gauge32 0 for the MTA's stored figures,
# mtaGroupHierarchy -1 and rows 1..26 of its mailer table).  mtamond
# registers every column itself at a better priority, so:
#
#   1. master A, -I -smux,mta_sendmail: walk NETWORK-SERVICES-MIB and
#      MTA-MIB through mtamond (the reference);
#   2. master B, Debian's snmpd.service modules (-I -smux,mteTrigger,
#      mteTriggerConf): the module is there (it answers before mtamond
#      connects), then the same walks through mtamond give the same OIDs
#      and values, OID by OID (TimeStamps and TimeIntervals, which move
#      with the clock and each master's sysUpTime, compared by type);
#   3. the mtaTable gauges equal the segment's stored figures, and once
#      mtamond is gone the module's values are what the master serves
#      again (the test would notice a master that never had the module).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup

STOCK_MODULES=-smux,mteTrigger,mteTriggerConf

new_segment SEG
export MTAMON_SEGMENT=$SEG
CONF="$IT_TMP/mtamon.yaml"

# Four channels with traffic in every column mta_sendmail also serves,
# stored messages on two of them, status codes and a closed association.
cli counters create --capacity 16
assert_exit 0 "segment created"
emit --segment "$SEG" \
    channel tcp_local channel ims-ms channel tcp_intranet channel conversion \
    enqueue - tcp_local 2 1 \
    enqueue - tcp_local 1 5000 \
    enqueue - tcp_local 5 3000 \
    dequeue tcp_local 2 1 first 500 \
    reject tcp_local 4 1025 5.7.1 "relaying denied" \
    tempfail tcp_local 1 1024 4.4.1 \
    fail tcp_local 1 1024 5.1.1 \
    assoc-open tcp_local in 192.0.2.1 assoc-close tcp_local in \
    enqueue tcp_local ims-ms 3 2048 \
    dequeue ims-ms 3 1024 first 100 \
    enqueue - tcp_intranet 1 7000 \
    repeat 3 convert conversion failed
assert_exit 0 "mtamon-emit: the traffic"

snmp_write_agent_config "$CONF" 'applications:
  - type: mta
    index: 1
    name: "stock master MTA"
  - type: service
    index: 2
    name: IMAP
channels:
  - name: tcp_local
    index: 10
    protocol: smtp'

# walk_normalised VAR: walk both MIBs; TimeTicks values and the
# TimeInterval columns of mtaGroupTable (12, 17, 18, 23, 30, 34) keep
# their type only.
walk_normalised()
{
    local ns mta
    snmp_walk ns "$NS"
    snmp_walk mta "$MTA"
    printf -v "$1" '%s' "$(printf '%s\n%s\n' "$ns" "$mta" | sed -E \
        -e 's/= Timeticks: .*/= Timeticks/' \
        -e "s/^(\.$GRP\.(12|17|18|23|30|34)\.[0-9.]+ = INTEGER): .*/\1/")"
}

# start_master_then_agent MODULES EXPECT_UNDER_MTA DESC: a master with
# -I MODULES; check what it alone answers at mtaEntry (EXPECT_UNDER_MTA
# yes: something of mta_sendmail's; no: nothing under MTA-MIB); then
# mtamond, registered.
start_master_then_agent()
{
    local alone
    SNMP_MASTER_MODULES=$1
    snmp_start_master || { fail "snmpd (-I $1) answers"; finish; }
    snmp_getnext alone "$MTAT"
    if [ "$2" = yes ]; then
        assert_contains "$alone" ".$MTA." "$3 ($alone)"
    else
        assert_not_contains "$alone" ".$MTA." "$3"
    fi
    snmp_start_agent "$CONF"
    snmp_wait_agent 20 || { fail "mtamond registers"; finish; }
}

# --- 1. the reference: mta_sendmail off ----------------------------------------

section "master without mta_sendmail"
start_master_then_agent -smux,mta_sendmail no \
    "with -I -mta_sendmail the master alone serves nothing under MTA-MIB"
walk_normalised REFERENCE
assert_not_contains "$REFERENCE" "ERROR" "the reference walks end cleanly"
ref_lines=$(printf '%s\n' "$REFERENCE" | grep -c '^\.1\.3\.6\.1\.2\.1\.2[78]\.')
if [ "$ref_lines" -gt 100 ]; then
    pass "the reference walk has $ref_lines objects"
else
    fail "the reference walk has more than 100 objects" "got $ref_lines"
fi
snmp_stop_agent
snmp_stop_master

# --- 2. Debian's modules: mta_sendmail loaded ----------------------------------

section "master with Debian's modules (mta_sendmail in)"
# The module is really there: before mtamond connects it answers
# mtaStoredMessages of its own (non-existent) MTA.
start_master_then_agent "$STOCK_MODULES" yes \
    "before mtamond connects, mta_sendmail serves mtaTable"
walk_normalised STOCK
if [ "$STOCK" = "$REFERENCE" ]; then
    pass "walks of mib-2.27 and mib-2.28 equal the reference OID by OID ($ref_lines objects)"
else
    fail "walks of mib-2.27 and mib-2.28 equal the reference OID by OID" \
        "$(diff <(printf '%s\n' "$REFERENCE") <(printf '%s\n' "$STOCK") | head -n 40)"
fi
# Every column mta_sendmail registers, by GET, for the MTA row and the
# channel rows: mtamond's values, never the module's.
snmp_get got "$GRP.31.1.10"
assert_eq "INTEGER: 0" "$got" "mtaGroupHierarchy of tcp_local is mtamond's 0, not -1"
snmp_get got "$GRP.25.1.10"
assert_eq 'STRING: "tcp_local"' "$got" "mtaGroupName of tcp_local"
# The rows are the segment's four channels (tcp_local pinned at 10, the
# others next in slot order), none of the module's mailer table.
snmp_walk got "$GRP.31"
assert_eq ".$GRP.31.1.10 = INTEGER: 0
.$GRP.31.1.11 = INTEGER: 0
.$GRP.31.1.12 = INTEGER: 0
.$GRP.31.1.13 = INTEGER: 0" "$got" "mtaGroupHierarchy: the 4 channels' rows, no phantom rows"

section "the MTA's gauges are the segment's stored figures"
cli counters show --json
assert_exit 0 "counters show --json"
read -r want_msgs want_k < <(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
msgs = sum(max(0, c["stored"]["messages"]) for c in d["channels"])
vol = sum(max(0, c["stored"]["volume"]) for c in d["channels"])
print(msgs, (vol + 1023) // 1024)')
if [ "${want_msgs:-0}" -gt 0 ]; then
    pass "the segment stores $want_msgs messages ($want_k K-octets)"
else
    fail "the segment stores messages" "counters show --json: $OUT"
fi
assert_snmp_get "mtaStoredMessages = the segment's" "$MTAT.2.1" "Gauge32: $want_msgs"
assert_snmp_get "mtaStoredVolume = the segment's" "$MTAT.5.1" "Gauge32: $want_k"
assert_snmp_get "mtaReceivedMessages" "$MTAT.1.1" "Counter32: 5"
assert_snmp_get "mtaTransmittedMessages" "$MTAT.3.1" "Counter32: 2"

section "mtamond gone: the module shows through again"
snmp_stop_agent
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond stops on TERM"
if snmp_wait_agent_gone 20; then
    pass "the master dropped mtamond"
else
    fail "the master dropped mtamond"
fi
snmp_get got "$MTAT.2.1"
assert_eq "Gauge32: 0" "$got" "mtaStoredMessages.1 is mta_sendmail's 0 without mtamond"
snmp_stop_master

finish
