#!/bin/bash
# test_agent_mib.sh - mtamond behind a private snmpd: the exact value and
# type of every served object of NETWORK-SERVICES-MIB (applTable,
# assocTable) and MTA-MIB (mtaTable, mtaGroupTable,
# mtaGroupAssociationTable, mtaGroupErrorTable) after known traffic, plus
# the edges: a missing segment, a fresh one, absent columns, the ends of
# the tables, extreme indexes, SETs, a counter clear, OID order.
#
# The traffic (mtamon-emit) and what it must give:
#
#   channel        index        what happens
#   tcp_local      10 (pinned)  smtp, hierarchy -1; messages, rejects,
#                               failures, conversions, a loop, assocs
#   ims-ms         3 (pinned)   lmtp; receives from tcp_local, delivers
#   tcp_intranet   11 (first unpinned name: one more than the highest pin)
#                               receives 5 TiB: K-octets beyond 2^32
#   conversion     12 (not configured at all)
#
# Times (TimeStamp, TimeInterval) are checked for type and for bounds
# taken from the clock around the events, never for how long anything took.

# Helpers set the variables named by their first argument (printf -v):
# shellcheck disable=SC2154

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup

GASSOC=$MTA.3.1            # mtaGroupAssociationEntry
GERR=$MTA.5.1              # mtaGroupErrorEntry
SMTP_OID=.1.3.6.1.2.1.27.4.25
LMTP_OID=.1.3.6.1.2.1.27.4.24
TCP2525_OID=.1.3.6.1.2.1.27.4.2525

NO_INSTANCE="No Such Instance currently exists at this OID"
NO_OBJECT="No Such Object available on this agent at this OID"
T0="Timeticks: (0) 0:00:00.00"

# check_row DESC BASE INDEX SPEC...: GET every column of one row in one
# request (sysUpTime.0 first, so TimeStamps can be bounded by it) and
# compare.  SPEC is COL=EXPECTED (the exact snmpget value), COL=absent,
# COL=ticks (TimeTicks in [0, sysUpTime]) or COL=interval (an INTEGER
# TimeInterval in [0, hundredths since ROW_SINCE_MS], when that is set).
# Values also go to ROW[COL].
declare -a ROW
ROW_SINCE_MS=
check_row()
{
    local desc=$1 base=$2 index=$3 spec col want got up n i=1
    local max_interval=2147483647
    shift 3
    local oids=("$SNMP_SYSUPTIME_OID")
    for spec in "$@"; do
        oids+=("$base.${spec%%=*}.$index")
    done
    local vals
    snmp_get_many vals "${oids[@]}"
    snmp_ticks up "${vals[0]}"
    if [ -n "$ROW_SINCE_MS" ]; then
        # +2: rounding, and the coarse clock of the events (see below)
        max_interval=$(( ($(now_ms) - ROW_SINCE_MS) / 10 + 2 ))
    fi
    ROW=()
    for spec in "$@"; do
        col=${spec%%=*}
        want=${spec#*=}
        got=${vals[$i]}
        i=$((i + 1))
        ROW[col]=$got
        case $want in
        absent)
            if [ "$got" = "$NO_INSTANCE" ] || [ "$got" = "$NO_OBJECT" ]; then
                pass "$desc: column $col absent"
            else
                fail "$desc: column $col absent" "GET $base.$col.$index" \
                    "expected: $NO_OBJECT (or $NO_INSTANCE)" "got:      $got"
            fi ;;
        ticks)
            snmp_ticks n "$got"
            if [ -n "$n" ] && [ -n "$up" ] && [ "$n" -le "$up" ]; then
                pass "$desc: column $col is a TimeStamp <= sysUpTime"
            else
                fail "$desc: column $col is a TimeStamp <= sysUpTime" \
                    "GET $base.$col.$index" "expected: Timeticks: (N) with N <= $up" \
                    "got:      $got"
            fi ;;
        interval)
            snmp_integer n "$got"
            if [ -n "$n" ] && [ "$n" -ge 0 ] && [ "$n" -le "$max_interval" ]; then
                pass "$desc: column $col is a TimeInterval in [0, time since the channel was made]"
            else
                fail "$desc: column $col is a TimeInterval in [0, $max_interval]" \
                    "GET $base.$col.$index" "got: $got"
            fi ;;
        *)
            if [ "$got" = "$want" ]; then
                pass "$desc: column $col = $want"
            else
                fail "$desc: column $col" "GET $base.$col.$index" \
                    "expected: $want" "got:      $got"
            fi ;;
        esac
    done
}

# check_activity_after_creation DESC: in the row just read by check_row,
# the last inbound, outbound and attempt intervals (17, 18, 34) are no
# longer than the creation interval (30): nothing happened before the
# channel existed.  libmtamon stamps events with the coarse clock (up to
# a jiffy, 10 ms at most, behind the precise one it stamps creation
# with), hence 2 hundredths of slack.
check_activity_after_creation()
{
    local col n c
    interval_of c "${ROW[30]}"
    for col in 17 18 34; do
        interval_of n "${ROW[$col]}"
        if [ -n "$n" ] && [ -n "$c" ] && [ "$n" -le $((c + 2)) ]; then
            pass "$1: column $col <= mtaGroupCreationTime"
        else
            fail "$1: column $col <= mtaGroupCreationTime (+2)" "column $col: ${ROW[$col]}" \
                "column 30: ${ROW[30]}"
        fi
    done
}

# interval_of VAR VALUE: the number of "INTEGER: N" (a TimeInterval).
interval_of() { snmp_integer "$1" "$2"; }

# emit_ok DESC ARG...: run mtamon-emit on the test segment; must succeed.
emit_ok()
{
    local desc=$1
    shift
    emit --segment "$SEG" "$@"
    assert_exit 0 "$desc"
}

APPS_AND_CHANNELS='applications:
  - type: mta
    index: 1
    name: "mtamon test MTA"
    version: "8.1"
    description: "the MTA under test"
    url: "http://mta.example/"
    directory_name: "cn=mta,o=example"
  - type: service
    index: 2
    name: IMAP
    version: "6.2"
  - type: service
    index: 5
    name: POP
channels:
  - name: tcp_local
    index: 10
    group_name: "Internet SMTP"
    description: "SMTP to and from the Internet"
    url: "http://mta.example/tcp_local"
    protocol: smtp
    hierarchy: -1
  - name: ims-ms
    index: 3
    description: "message store"
    protocol: lmtp
  - name: tcp_intranet
    description: "intranet relay"
    protocol: tcp/2525'

new_segment SEG
MTAMON_SEGMENT=$SEG
CONF="$IT_TMP/mtamon.yaml"
snmp_write_agent_config "$CONF" "$APPS_AND_CHANNELS"

section "master and agent"
snmp_start_master || { fail "snmpd answers on 127.0.0.1"; finish; }
pass "snmpd answers on 127.0.0.1:$SNMP_PORT"
snmp_start_agent "$CONF"
if snmp_wait_agent 20; then
    pass "mtamond registers with the master (segment $SEG missing)"
else
    fail "mtamond registers with the master (segment $SEG missing)"
    finish
fi
# What the master alone answers after MTA-MIB: the GETNEXT that ends a
# walk of our last table must give the same.
snmp_getnext AFTER_MTA_MIB 1.3.6.1.2.1.29
assert_not_contains "$AFTER_MTA_MIB" ".1.3.6.1.2.1.28." \
    "the master itself serves nothing under MTA-MIB (mta_sendmail off)"

# --- the segment is missing ----------------------------------------------------

section "segment missing: the MTA is down"
check_row "applTable MTA row (down)" "$APPL" 1 \
    '2=STRING: "mtamon test MTA"' '3=STRING: "cn=mta,o=example"' \
    '4=STRING: "8.1"' "5=$T0" '6=INTEGER: 2' 7=ticks \
    '8=Gauge32: 0' '9=Gauge32: 0' '10=Counter32: 0' '11=Counter32: 0' \
    "12=$T0" "13=$T0" '14=Counter32: 0' '15=Counter32: 0' \
    '16=STRING: "the MTA under test"' '17=STRING: "http://mta.example/"'
assert_snmp_absent "mtaTable has no row while the segment is missing" "$MTAT.1.1"
assert_snmp_absent "mtaGroupTable has no row while the segment is missing" "$GRP.2.1.10"
snmp_getnext got "$MTA"
assert_eq "$AFTER_MTA_MIB" "$got" "GETNEXT of MTA-MIB skips it whole while the segment is missing"

# --- a fresh, empty segment ----------------------------------------------------

section "fresh segment: no channel yet"
cli --segment "$SEG" counters create
assert_exit 0 "mtamon counters create"
if snmp_wait_get "$APPL.6.1" "INTEGER: 1"; then
    pass "applOperStatus becomes up(1) once the segment exists"
else
    fail "applOperStatus becomes up(1) once the segment exists" "got: $(snmp_get g "$APPL.6.1"; echo "$g")"
fi
check_row "applTable MTA row (empty segment)" "$APPL" 1 \
    5=ticks '6=INTEGER: 1' 7=ticks '8=Gauge32: 0' '9=Gauge32: 0' \
    '10=Counter32: 0' '11=Counter32: 0' "12=$T0" "13=$T0" \
    '14=Counter32: 0' '15=Counter32: 0'
check_row "mtaTable (empty segment)" "$MTAT" 1 \
    '1=Counter32: 0' '2=Gauge32: 0' '3=Counter32: 0' '4=Counter32: 0' \
    '5=Gauge32: 0' '6=Counter32: 0' '7=Counter32: 0' '8=Gauge32: 0' \
    '9=Counter32: 0' '10=Counter32: 0' '11=Counter32: 0' '12=Counter32: 0'
assert_snmp_getnext "GETNEXT after mtaTable: no group, no association, no error: out of MTA-MIB" \
    "$MTAT.12.1" "$AFTER_MTA_MIB"
assert_snmp_getnext "GETNEXT at mtaGroupTable: empty" "$GRP" "$AFTER_MTA_MIB"
assert_snmp_getnext "GETNEXT after applTable: assocTable empty, next is mtaTable" \
    "$APPL.17.5" ".$MTAT.1.1 = Counter32: 0"
assert_snmp_getnext "GETNEXT at assocTable: empty" "$ASSOC" ".$MTAT.1.1 = Counter32: 0"

# --- known traffic -------------------------------------------------------------

section "traffic"
snmp_require_agent "mtamond is running"
T_EMIT0=$(now_ms)
emit_ok "mtamon-emit: the traffic" \
    channel tcp_local channel ims-ms channel tcp_intranet channel conversion \
    enqueue - tcp_local 2 1 \
    enqueue - tcp_local 1 1024 \
    enqueue - tcp_local 5 3000 \
    dequeue tcp_local 2 1 first 500 \
    reject tcp_local 4 1025 5.7.1 "relaying denied" \
    reject tcp_local 1 10 550 "no such user" \
    tempfail tcp_local 1 1024 4.4.1 \
    fail tcp_local 1 1024 5.1.1 \
    repeat 2 convert tcp_local ok \
    convert tcp_local failed \
    loop tcp_local \
    assoc-open tcp_local in 192.0.2.1 assoc-close tcp_local in \
    assoc-open tcp_local out 198.51.100.7 assoc-close tcp_local out \
    assoc-reject tcp_local 5.7.1 "blocked by RBL" \
    assoc-fail tcp_local 4.4.1 "connection refused" \
    enqueue tcp_local ims-ms 3 1024 \
    enqueue tcp_local ims-ms 1 1025 \
    dequeue ims-ms 3 1024 first 100 \
    enqueue - tcp_intranet 1 5497558138880 \
    dequeue tcp_intranet 1 1 retry - \
    tempfail tcp_intranet 1 1 4.2.2 \
    assoc-fail tcp_intranet - "" \
    repeat 3 convert conversion failed \
    loop conversion \
    assoc-reject conversion - ""
T_EMIT1=$(now_ms)
if snmp_wait_get "$MTAT.1.1" "Counter32: 6"; then
    pass "mtaReceivedMessages reaches 6"
else
    fail "mtaReceivedMessages reaches 6"
fi
# The group indexes: pinned ones, then the unpinned names in slot order.
snmp_walk w "$GRP.25"
assert_eq ".$GRP.25.1.3 = STRING: \"ims-ms\"
.$GRP.25.1.10 = STRING: \"Internet SMTP\"
.$GRP.25.1.11 = STRING: \"tcp_intranet\"
.$GRP.25.1.12 = STRING: \"conversion\"" "$w" \
    "mtaGroupIndex: ims-ms 3, tcp_local 10 (pinned), tcp_intranet 11, conversion 12"

# Bounds for the creation intervals of the channels (hundredths): created
# between T_EMIT0 and T_EMIT1; the view may be up to refresh_interval
# (10 ms) old; one hundredth of rounding either way.
q0=$(now_ms)
snmp_get_many created "$GRP.30.1.3" "$GRP.30.1.10" "$GRP.30.1.11" "$GRP.30.1.12"
q1=$(now_ms)
lo=$(( (q0 - T_EMIT1 - 20) / 10 - 1 )); [ "$lo" -lt 0 ] && lo=0
hi=$(( (q1 - T_EMIT0) / 10 + 1 ))
for i in 0 1 2 3; do
    interval_of n "${created[$i]}"
    assert_in_range "mtaGroupCreationTime of group $((i + 1)) of 4 is the time since the emit ($lo..$hi)" \
        "$lo" "$hi" "$n"
done
ROW_SINCE_MS=$T_EMIT0

section "applTable after the traffic"
snmp_require_agent "mtamond is running"
check_row "applTable MTA row" "$APPL" 1 \
    '2=STRING: "mtamon test MTA"' '3=STRING: "cn=mta,o=example"' \
    '4=STRING: "8.1"' 5=ticks '6=INTEGER: 1' 7=ticks \
    '8=Gauge32: 0' '9=Gauge32: 0' '10=Counter32: 1' '11=Counter32: 1' \
    12=ticks 13=ticks '14=Counter32: 2' '15=Counter32: 2' \
    '16=STRING: "the MTA under test"' '17=STRING: "http://mta.example/"'
snmp_ticks up12 "${ROW[12]}"
assert_ne "0" "$up12" "applLastInboundActivity is set (not 0 = never)"
check_row "applTable IMAP row" "$APPL" 2 \
    '2=STRING: "IMAP"' '3=""' '4=STRING: "6.2"' \
    5=absent 6=absent 7=absent 8=absent 9=absent 10=absent 11=absent \
    12=absent 13=absent 14=absent 15=absent '16=""' '17=""'
check_row "applTable POP row" "$APPL" 5 \
    '2=STRING: "POP"' '3=""' '4=""' \
    5=absent 6=absent 7=absent 8=absent 9=absent 10=absent 11=absent \
    12=absent 13=absent 14=absent 15=absent '16=""' '17=""'
assert_snmp_absent "applTable column 1 (applIndex) is not-accessible" "$APPL.1.1"
assert_snmp_absent "applTable has no row 3" "$APPL.2.3"
assert_snmp_absent "applTable has no column 18" "$APPL.18.1"

section "mtaTable after the traffic"
# Sums over the channels; volumes in K-octets of the summed octets,
# rounded up: received 4025 + 2049 + 5 TiB octets = 5368709126 K
# -> Counter32 1073741830; stored 5368709124 K -> Gauge32 clamps.
check_row "mtaTable" "$MTAT" 1 \
    '1=Counter32: 6' '2=Gauge32: 2' '3=Counter32: 3' \
    '4=Counter32: 1073741830' '5=Gauge32: 4294967295' '6=Counter32: 2' \
    '7=Counter32: 13' '8=Gauge32: 6' '9=Counter32: 6' \
    '10=Counter32: 2' '11=Counter32: 4' '12=Counter32: 2'
assert_snmp_absent "mtaTable has no column 13" "$MTAT.13.1"
assert_snmp_absent "mtaTable has no row for the IMAP applIndex" "$MTAT.1.2"
assert_snmp_absent "mtaTable has no row for applIndex 0" "$MTAT.1.0"

section "mtaGroupTable after the traffic"
# tcp_local: received 3 (1+1024+3000 octets = 4 K), delivered 1 (1 octet,
# 1 K), failed 1: stored 1 message, 5 recipients, 3000 octets (3 K).
check_row "mtaGroupTable tcp_local (10)" "$GRP" 1.10 \
    '2=Counter32: 3' '3=Counter32: 2' '4=Gauge32: 1' '5=Counter32: 1' \
    '6=Counter32: 4' '7=Gauge32: 3' '8=Counter32: 1' '9=Counter32: 8' \
    '10=Gauge32: 5' '11=Counter32: 2' 12=absent '13=Gauge32: 0' \
    '14=Gauge32: 0' '15=Counter32: 1' '16=Counter32: 1' 17=interval \
    18=interval '19=Counter32: 1' '20=Counter32: 1' \
    '21=STRING: "blocked by RBL"' '22=STRING: "connection refused"' \
    23=absent "24=OID: $SMTP_OID" '25=STRING: "Internet SMTP"' \
    '26=Counter32: 2' '27=Counter32: 1' \
    '28=STRING: "SMTP to and from the Internet"' \
    '29=STRING: "http://mta.example/tcp_local"' 30=interval \
    '31=INTEGER: -1' 32=absent '33=Counter32: 1' 34=interval
check_activity_after_creation "mtaGroupTable tcp_local (10)"
# ims-ms: received 2 (1024 + 1025 octets = 3 K), delivered 1 (1024: 1 K),
# stored 1 message, 1 recipient, 1025 octets (2 K); never inbound.
check_row "mtaGroupTable ims-ms (3)" "$GRP" 1.3 \
    '2=Counter32: 2' '3=Counter32: 0' '4=Gauge32: 1' '5=Counter32: 1' \
    '6=Counter32: 3' '7=Gauge32: 2' '8=Counter32: 1' '9=Counter32: 4' \
    '10=Gauge32: 1' '11=Counter32: 3' 12=absent '13=Gauge32: 0' \
    '14=Gauge32: 0' '15=Counter32: 0' '16=Counter32: 0' 17=interval \
    18=interval '19=Counter32: 0' '20=Counter32: 0' \
    '21=STRING: "never"' '22=STRING: "never"' 23=absent \
    "24=OID: $LMTP_OID" '25=STRING: "ims-ms"' '26=Counter32: 0' \
    '27=Counter32: 0' '28=STRING: "message store"' '29=""' 30=interval \
    '31=INTEGER: 0' 32=absent '33=Counter32: 0' 34=interval
check_activity_after_creation "mtaGroupTable ims-ms (3)"
assert_eq "${ROW[30]}" "${ROW[17]}" \
    "ims-ms never had inbound activity: mtaGroupLastInboundActivity = mtaGroupCreationTime"
# tcp_intranet: 5 TiB received = 5368709120 K -> Counter32 1073741824;
# stored 5 TiB - 1 octet = 5368709120 K -> Gauge32 clamps at 2^32-1;
# an outbound connection failed with no reason: "" (not "never").
check_row "mtaGroupTable tcp_intranet (11)" "$GRP" 1.11 \
    '2=Counter32: 1' '3=Counter32: 0' '4=Gauge32: 0' '5=Counter32: 1' \
    '6=Counter32: 1073741824' '7=Gauge32: 4294967295' '8=Counter32: 1' \
    '9=Counter32: 1' '10=Gauge32: 0' '11=Counter32: 1' 12=absent \
    '13=Gauge32: 0' '14=Gauge32: 0' '15=Counter32: 0' '16=Counter32: 0' \
    17=interval 18=interval '19=Counter32: 0' '20=Counter32: 1' \
    '21=STRING: "never"' '22=""' 23=absent "24=OID: $TCP2525_OID" \
    '25=STRING: "tcp_intranet"' '26=Counter32: 0' '27=Counter32: 0' \
    '28=STRING: "intranet relay"' '29=""' 30=interval '31=INTEGER: 0' \
    32=absent '33=Counter32: 0' 34=interval
check_activity_after_creation "mtaGroupTable tcp_intranet (11)"
assert_eq "${ROW[30]}" "${ROW[17]}" \
    "tcp_intranet never had inbound activity: mtaGroupLastInboundActivity = mtaGroupCreationTime"
# conversion: in the segment only, no configuration at all.
check_row "mtaGroupTable conversion (12, not configured)" "$GRP" 1.12 \
    '2=Counter32: 0' '3=Counter32: 0' '4=Gauge32: 0' '5=Counter32: 0' \
    '6=Counter32: 0' '7=Gauge32: 0' '8=Counter32: 0' '9=Counter32: 0' \
    '10=Gauge32: 0' '11=Counter32: 0' 12=absent '13=Gauge32: 0' \
    '14=Gauge32: 0' '15=Counter32: 0' '16=Counter32: 0' 17=interval \
    18=interval '19=Counter32: 1' '20=Counter32: 0' '21=""' \
    '22=STRING: "never"' 23=absent '24=OID: .0.0' \
    '25=STRING: "conversion"' '26=Counter32: 0' '27=Counter32: 3' \
    '28=""' '29=""' 30=interval '31=INTEGER: 0' 32=absent \
    '33=Counter32: 1' 34=interval
check_activity_after_creation "mtaGroupTable conversion (12, not configured)"
assert_eq "${ROW[30]}|${ROW[30]}|${ROW[30]}" "${ROW[17]}|${ROW[18]}|${ROW[34]}" \
    "conversion never had activity: last inbound/outbound/attempt = mtaGroupCreationTime"

section "mtaGroupErrorTable after the traffic"
# (class*1000+subject)*1000+detail; 550 counts as 5.0.0.  Columns:
# 1 inbound, 2 internal, 3 outbound.
check_error_row()
{
    check_row "mtaGroupErrorTable group $1 code $2" "$GERR" "1.$1.$2" \
        "1=Counter32: $3" "2=Counter32: $4" "3=Counter32: $5" 4=absent
}
check_error_row 10 4004001 0 0 2   # tempfail 4.4.1 + assoc-fail 4.4.1
check_error_row 10 5000000 1 0 0   # reject 550
check_error_row 10 5001001 0 0 1   # fail 5.1.1
check_error_row 10 5004006 0 1 0   # loop
check_error_row 10 5006005 0 1 0   # conversion failed
check_error_row 10 5007001 2 0 0   # reject 5.7.1 + assoc-reject 5.7.1
check_error_row 11 4002002 0 0 1   # tempfail 4.2.2
check_error_row 12 5004006 0 1 0
check_error_row 12 5006005 0 3 0
snmp_walk w "$GERR.1"
assert_eq ".$GERR.1.1.10.4004001 = Counter32: 0
.$GERR.1.1.10.5000000 = Counter32: 1
.$GERR.1.1.10.5001001 = Counter32: 0
.$GERR.1.1.10.5004006 = Counter32: 0
.$GERR.1.1.10.5006005 = Counter32: 0
.$GERR.1.1.10.5007001 = Counter32: 2
.$GERR.1.1.11.4002002 = Counter32: 0
.$GERR.1.1.12.5004006 = Counter32: 0
.$GERR.1.1.12.5006005 = Counter32: 0" "$w" \
    "mtaGroupErrorTable: exactly these 9 rows (ims-ms has none)"
assert_snmp_absent "mtaGroupErrorTable: no row for a code never seen" "$GERR.1.1.10.5001002"
assert_snmp_absent "mtaGroupErrorTable: no row for ims-ms" "$GERR.1.1.3.5000000"
assert_snmp_getnext "GETNEXT after the last error row leaves MTA-MIB" \
    "$GERR.3.1.12.5006005" "$AFTER_MTA_MIB"
assert_snmp_getnext "GETNEXT after mtaGroupTable (no open association) is the error table" \
    "$GRP.34.1.12" ".$GERR.1.1.10.4004001 = Counter32: 0"
assert_snmp_getnext "GETNEXT after mtaTable is the first group" \
    "$MTAT.12.1" ".$GRP.2.1.3 = Counter32: 2"
assert_snmp_getnext "GETNEXT after applTable is mtaTable (no association)" \
    "$APPL.17.5" ".$MTAT.1.1 = Counter32: 6"

# --- open associations --------------------------------------------------------

section "open associations"
snmp_require_agent "mtamond is running"
# Let time pass since tcp_local's last inbound activity, so that a new
# one must make the interval shorter (and the TimeStamp larger).
# idle_for_20: tcp_local's mtaGroupLastInboundActivity (into before17)
# is at least 20 hundredths.
idle_for_20()
{
    local v
    snmp_get v "$GRP.17.1.10"
    interval_of before17 "$v"
    [ -n "$before17" ] && [ "$before17" -ge 20 ]
}
wait_until 20 idle_for_20
assert_in_range "tcp_local mtaGroupLastInboundActivity grows to 20 while idle" 20 2147483647 "$before17"
snmp_get v "$APPL.12.1"
snmp_ticks before12 "$v"
snmp_master_uptime up_before_hold
start_bg HOLD_PID "$IT_TMP/hold.out" "$MTAMON_EMIT" --segment "$SEG" --hold 120 \
    assoc-open tcp_local in 192.0.2.9 \
    assoc-open ims-ms out lmtp.example \
    assoc-open tcp_intranet in 10.0.0.1
if wait_for_text "$IT_TMP/hold.out" ready; then
    pass "mtamon-emit holds three associations open"
else
    fail "mtamon-emit holds three associations open" "$(cat "$IT_TMP/hold.out")"
fi
if snmp_wait_get "$APPL.8.1" "Gauge32: 2"; then
    pass "applInboundAssociations reaches 2"
else
    fail "applInboundAssociations reaches 2"
fi
check_row "applTable MTA row with open associations" "$APPL" 1 \
    '8=Gauge32: 2' '9=Gauge32: 1' '10=Counter32: 3' '11=Counter32: 2' \
    12=ticks 13=ticks '14=Counter32: 2' '15=Counter32: 2'
snmp_ticks after12 "${ROW[12]}"
if [ -n "$after12" ] && [ -n "$before12" ] && [ "$after12" -gt "$before12" ]; then
    pass "applLastInboundActivity moved forward with the new association"
else
    fail "applLastInboundActivity moved forward with the new association" \
        "before: $before12" "after:  $after12"
fi
check_row "tcp_local with an open inbound association" "$GRP" 1.10 \
    '13=Gauge32: 1' '14=Gauge32: 0' '15=Counter32: 2' '16=Counter32: 1' 17=interval
interval_of after17 "${ROW[17]}"
if [ -n "$after17" ] && [ "$after17" -lt "$before17" ]; then
    pass "tcp_local mtaGroupLastInboundActivity is smaller after the event"
else
    fail "tcp_local mtaGroupLastInboundActivity is smaller after the event" \
        "before: $before17" "after:  $after17"
fi
check_row "ims-ms with an open outbound association" "$GRP" 1.3 \
    '13=Gauge32: 0' '14=Gauge32: 1' '15=Counter32: 0' '16=Counter32: 1' \
    '21=STRING: "never"' '22=""'
check_row "tcp_intranet with an open inbound association" "$GRP" 1.11 \
    '13=Gauge32: 1' '14=Gauge32: 0' '15=Counter32: 1' '16=Counter32: 0' \
    '21=""' '22=""'
check_row "mtaTable unchanged by associations" "$MTAT" 1 '1=Counter32: 6' '2=Gauge32: 2'

# assocTable: entries 1..3 in the order they were opened.
check_row "assocTable entry 1 (tcp_local, inbound)" "$ASSOC" 1.1 \
    '2=STRING: "192.0.2.9"' "3=OID: $SMTP_OID" '4=INTEGER: 3' 5=ticks
check_row "assocTable entry 2 (ims-ms, outbound)" "$ASSOC" 1.2 \
    '2=STRING: "lmtp.example"' "3=OID: $LMTP_OID" '4=INTEGER: 4' 5=ticks
check_row "assocTable entry 3 (tcp_intranet, inbound)" "$ASSOC" 1.3 \
    '2=STRING: "10.0.0.1"' "3=OID: $TCP2525_OID" '4=INTEGER: 3' 5=ticks
snmp_get_many durations "$ASSOC.5.1.1" "$ASSOC.5.1.2" "$ASSOC.5.1.3" "$SNMP_SYSUPTIME_OID"
snmp_ticks up_now "${durations[3]}"
for i in 0 1 2; do
    snmp_ticks n "${durations[$i]}"
    # The start, as a sysUpTime: after the master's uptime read before the
    # emit (less 10 ticks for the two clocks' rounding), before now.
    assert_in_range "assocDuration of entry $((i + 1)) is the sysUpTime when it opened" \
        $((up_before_hold - 10)) "$up_now" "$n"
done
assert_snmp_walk "assocTable columns 2-4, every row" "$ASSOC.4" \
".$ASSOC.4.1.1 = INTEGER: 3
.$ASSOC.4.1.2 = INTEGER: 4
.$ASSOC.4.1.3 = INTEGER: 3"
assert_snmp_absent "assocTable: no entry 4" "$ASSOC.2.1.4"
assert_snmp_absent "assocTable: no association under the IMAP applIndex" "$ASSOC.2.2.1"
assert_snmp_absent "assocTable column 1 (assocIndex) is not-accessible" "$ASSOC.1.1.1"
assert_snmp_walk "mtaGroupAssociationTable: sorted by group, then entry" "$GASSOC" \
".$GASSOC.1.1.3.2 = INTEGER: 2
.$GASSOC.1.1.10.1 = INTEGER: 1
.$GASSOC.1.1.11.3 = INTEGER: 3"
assert_snmp_absent "mtaGroupAssociationTable: no entry 2 in group 10" "$GASSOC.1.1.10.2"
assert_snmp_getnext "GETNEXT after applTable is the first association" \
    "$APPL.17.5" ".$ASSOC.2.1.1 = STRING: \"192.0.2.9\""
snmp_getnext got "$ASSOC.4.1.3"
assert_contains "$got" ".$ASSOC.5.1.1 = Timeticks: (" "GETNEXT after column 4 of assocTable is column 5"
assert_snmp_getnext "GETNEXT after assocTable is mtaTable" \
    "$ASSOC.5.1.3" ".$MTAT.1.1 = Counter32: 6"
assert_snmp_getnext "GETNEXT after mtaGroupTable is mtaGroupAssociationTable" \
    "$GRP.34.1.12" ".$GASSOC.1.1.3.2 = INTEGER: 2"
assert_snmp_getnext "GETNEXT after mtaGroupAssociationTable is mtaGroupErrorTable" \
    "$GASSOC.1.1.11.3" ".$GERR.1.1.10.4004001 = Counter32: 0"

section "associations gone"
stop_bg "$HOLD_PID"
# The next writer reclaims the entries of the process that died.
emit_ok "a new writer opens the segment" channel tcp_local
if snmp_wait_get "$APPL.8.1" "Gauge32: 0"; then
    pass "applInboundAssociations back to 0"
else
    fail "applInboundAssociations back to 0" "got: $(snmp_get g "$APPL.8.1"; echo "$g")"
fi
check_row "applTable MTA row after the reclaim" "$APPL" 1 \
    '8=Gauge32: 0' '9=Gauge32: 0' '10=Counter32: 3' '11=Counter32: 2'
assert_snmp_getnext "assocTable is empty again" "$ASSOC" ".$MTAT.1.1 = Counter32: 6"
assert_snmp_getnext "mtaGroupAssociationTable is empty again" \
    "$GASSOC" ".$GERR.1.1.10.4004001 = Counter32: 0"

# --- extreme and malformed indexes ------------------------------------------------

section "extreme indexes"
snmp_require_agent "mtamond is running"
assert_snmp_absent "mtaGroupTable: mtaGroupIndex 2147483647" "$GRP.2.1.2147483647"
assert_snmp_getnext "GETNEXT from mtaGroupIndex 2147483647 moves to the next column" \
    "$GRP.2.1.2147483647" ".$GRP.3.1.3 = Counter32: 0"
assert_snmp_absent "mtaGroupTable: mtaGroupIndex 4294967295" "$GRP.2.1.4294967295"
assert_snmp_getnext "GETNEXT from mtaGroupIndex 4294967295 moves to the next column" \
    "$GRP.2.1.4294967295" ".$GRP.3.1.3 = Counter32: 0"
assert_snmp_absent "mtaGroupTable: an index one sub-identifier too long" "$GRP.2.1.3.5"
assert_snmp_getnext "GETNEXT from a too-long index moves to the next row" \
    "$GRP.2.1.3.5" ".$GRP.2.1.10 = Counter32: 3"
assert_snmp_absent "mtaGroupTable: an index one sub-identifier short" "$GRP.2.1"
assert_snmp_getnext "GETNEXT from a short index is that row's column" \
    "$GRP.2.1" ".$GRP.2.1.3 = Counter32: 2"
assert_snmp_absent "mtaGroupTable: applIndex 2147483647" "$GRP.2.2147483647.3"
assert_snmp_getnext "GETNEXT from applIndex 2147483647 moves to the next column" \
    "$GRP.2.2147483647" ".$GRP.3.1.3 = Counter32: 0"
assert_snmp_getnext "GETNEXT from column 0 is the first cell" \
    "$GRP.0" ".$GRP.2.1.3 = Counter32: 2"
assert_snmp_absent "mtaGroupTable: no column 35" "$GRP.35.1.3"
assert_snmp_getnext "GETNEXT from column 35 leaves the table" \
    "$GRP.35" ".$GERR.1.1.10.4004001 = Counter32: 0"
assert_snmp_absent "applTable: applIndex 2147483647" "$APPL.2.2147483647"
assert_snmp_getnext "GETNEXT from applIndex 2147483647 moves to the next column" \
    "$APPL.2.2147483647" ".$APPL.3.1 = STRING: \"cn=mta,o=example\""
assert_snmp_absent "applTable: applIndex 4294967295" "$APPL.2.4294967295"
assert_snmp_getnext "GETNEXT from applIndex 4294967295 moves to the next column" \
    "$APPL.2.4294967295" ".$APPL.3.1 = STRING: \"cn=mta,o=example\""
assert_snmp_absent "applTable: applIndex 0" "$APPL.2.0"
assert_snmp_absent "applTable: a too-long index" "$APPL.2.1.1"
assert_snmp_absent "mtaTable: applIndex 2147483647" "$MTAT.1.2147483647"
assert_snmp_getnext "GETNEXT from mtaTable applIndex 2147483647 moves to the next column" \
    "$MTAT.1.2147483647" ".$MTAT.2.1 = Gauge32: 2"
assert_snmp_absent "mtaGroupErrorTable: mtaStatusCode 4294967295" "$GERR.1.1.10.4294967295"
assert_snmp_getnext "GETNEXT from the last possible code of group 12 moves to the next column" \
    "$GERR.1.1.12.4294967295" ".$GERR.2.1.10.4004001 = Counter32: 0"
assert_snmp_absent "mtaGroupErrorTable: a too-long index" "$GERR.1.1.10.5000000.1"
assert_snmp_absent "assocTable: assocIndex 2147483647" "$ASSOC.2.1.2147483647"

# --- SET: everything is read-only ------------------------------------------------

section "SET is refused"
assert_snmp_set_refused "SET of an INTEGER (mtaGroupHierarchy)" notWritable "$GRP.31.1.10" i 5
assert_snmp_set_refused "SET of a negative INTEGER (mtaGroupHierarchy)" notWritable "$GRP.31.1.10" i -5
assert_snmp_set_refused "SET of an INTEGER (applOperStatus)" notWritable "$APPL.6.1" i 2
# (snmpset cannot send a Counter32: an Unsigned32 for the counter)
assert_snmp_set_refused "SET of a Counter32 (mtaReceivedMessages)" notWritable "$MTAT.1.1" u 5
assert_snmp_set_refused "SET of a Gauge32 (mtaStoredMessages)" notWritable "$MTAT.2.1" u 5
assert_snmp_set_refused "SET of a string (applName)" notWritable "$APPL.2.1" s hacked
assert_snmp_set_refused "SET of a string (mtaGroupName)" notWritable "$GRP.25.1.10" s hacked
assert_snmp_set_refused "SET of an OID (mtaGroupMailProtocol)" notWritable "$GRP.24.1.10" o 1.3.6.1.2.1.27.4.587
assert_snmp_set_refused "SET of a TimeTicks (applLastChange)" notWritable "$APPL.7.1" t 5
assert_snmp_set_refused "SET of a non-existent instance" notWritable "$GRP.2.1.999" u 1
assert_snmp_set_refused "SET of a non-existent application" notWritable "$APPL.2.7" s new
check_row "values unchanged after the SETs (mtaGroupTable)" "$GRP" 1.10 \
    '24=OID: .1.3.6.1.2.1.27.4.25' '25=STRING: "Internet SMTP"' '31=INTEGER: -1'
check_row "values unchanged after the SETs (applTable)" "$APPL" 1 \
    '2=STRING: "mtamon test MTA"' '6=INTEGER: 1'
check_row "values unchanged after the SETs (mtaTable)" "$MTAT" 1 \
    '1=Counter32: 6' '2=Gauge32: 2'
assert_snmp_absent "the SET created no group 999" "$GRP.2.1.999"
assert_snmp_absent "the SET created no application 7" "$APPL.2.7"

# --- whole walks -----------------------------------------------------------------

section "walks"
snmp_require_agent "mtamond is running"
snmp_walk walk27 "$NS"
assert_oids_increasing "walk of NETWORK-SERVICES-MIB: strictly increasing OIDs" "$walk27"
assert_not_contains "$walk27" "ERROR" "walk of NETWORK-SERVICES-MIB ends cleanly"
assert_eq 26 "$(printf '%s\n' "$walk27" | grep -c '^\.1\.3\.6\.1\.2\.1\.27\.')" \
    "walk of NETWORK-SERVICES-MIB: 16 MTA cells + 5 IMAP + 5 POP, no association"
snmp_walk walk28 "$MTA"
assert_oids_increasing "walk of MTA-MIB: strictly increasing OIDs" "$walk28"
assert_not_contains "$walk28" "ERROR" "walk of MTA-MIB ends cleanly"
assert_eq 159 "$(printf '%s\n' "$walk28" | grep -c '^\.1\.3\.6\.1\.2\.1\.28\.')" \
    "walk of MTA-MIB: 12 mtaTable + 4 groups x 30 + 9 errors x 3 cells"
# Both walks, without the values that follow the clock.
timeless()
{
    printf '%s\n' "$1" | grep -v -e ' = Timeticks: ' \
        -e '^\.1\.3\.6\.1\.2\.1\.28\.2\.1\.\(17\|18\|30\|34\)\.'
}
snmp_tool snmpwalk "$SNMP_TARGET" "$MTA"
assert_eq "$(timeless "$walk28")" "$(timeless "$OUT")" \
    "snmpwalk (GETNEXT) and snmpbulkwalk (GETBULK) agree on MTA-MIB"
snmp_tool snmpwalk "$SNMP_TARGET" "$NS"
assert_eq "$(timeless "$walk27")" "$(timeless "$OUT")" \
    "snmpwalk (GETNEXT) and snmpbulkwalk (GETBULK) agree on NETWORK-SERVICES-MIB"

# --- counters clear: Counter32 never goes back --------------------------------

section "counters clear"
counters_of() { printf '%s\n' "$1" | grep -E ' = (Counter32|Gauge32): '; }
before=$(counters_of "$walk27"; counters_of "$walk28")
cli --segment "$SEG" counters clear
assert_exit 0 "mtamon counters clear"
cli --segment "$SEG" counters show tcp_local
if printf '%s\n' "$OUT" | grep -Eq '^ *Received +0 +0 +0$'; then
    pass "the CLI shows tcp_local's counters cleared"
else
    fail "the CLI shows tcp_local's counters cleared" "$OUT"
fi
sleep 0.1   # past refresh_interval (10 ms): a new view
snmp_walk w27 "$NS"
snmp_walk w28 "$MTA"
after=$(counters_of "$w27"; counters_of "$w28")
assert_eq "$before" "$after" "every Counter32 and Gauge32 served is the same after a clear"
# ims-ms: 2049 + 1024 octets = 3073 = 4 K since the segment was made.
emit_ok "one more message to ims-ms" enqueue - ims-ms 1 1024
snmp_wait_get "$MTAT.1.1" "Counter32: 7"
check_row "lifetime counters keep counting after the clear" "$GRP" 1.3 \
    '2=Counter32: 3' '4=Gauge32: 2' '6=Counter32: 4' '9=Counter32: 5'

# --- snmptable ------------------------------------------------------------------

section "snmptable"
snmp_require_agent "mtamond is running"
# snmptable needs the MIB to know a table's columns (without one it says
# "Was that a table?"), and the IETF modules are not part of mtamon: this
# part runs only where ../shared/mibs holds them, and checks that names
# resolve and snmptable lists the groups.
MIBS_DIR="$IT_TOP_SRCDIR/../shared/mibs"
if [ -f "$MIBS_DIR/MTA-MIB.txt" ] || [ -f "$MIBS_DIR/MTA-MIB" ]; then
    saved_mib_opts=("${SNMP_MIB_OPTS[@]}")
    SNMP_MIB_OPTS=(-m ALL -M "+$MIBS_DIR")
    run "$SNMP_TOOL_snmpget" -v2c -c public -t "$SNMP_TIMEOUT" -r "$SNMP_RETRIES" \
        "${SNMP_MIB_OPTS[@]}" "$SNMP_TARGET" MTA-MIB::mtaGroupName.1.10 \
        NETWORK-SERVICES-MIB::applName.1
    assert_contains "$OUT" 'MTA-MIB::mtaGroupName.1.10 = STRING: Internet SMTP' \
        "with the IETF MIBs: MTA-MIB::mtaGroupName.1.10 resolves"
    assert_contains "$OUT" 'NETWORK-SERVICES-MIB::applName.1 = STRING: mtamon test MTA' \
        "with the IETF MIBs: NETWORK-SERVICES-MIB::applName.1 resolves"
    run "$SNMP_TOOL_snmptable" -v2c -c public -t "$SNMP_TIMEOUT" -r "$SNMP_RETRIES" \
        "${SNMP_MIB_OPTS[@]}" -Cf '|' -Ci -Cb "$SNMP_TARGET" MTA-MIB::mtaGroupTable
    assert_exit 0 "snmptable of mtaGroupTable"
    rows=$(printf '%s\n' "$OUT" | grep -cE '^[0-9]+\.[0-9]+\|')
    assert_eq 4 "$rows" "snmptable lists the 4 groups"
    assert_contains "$OUT" "1.10|" "snmptable has the row of index 1.10"
    assert_contains "$OUT" "Internet SMTP" "snmptable shows tcp_local's group name"
    SNMP_MIB_OPTS=("${saved_mib_opts[@]}")
else
    printf 'note: %s not found: skipping the MIB name checks\n' "$MIBS_DIR"
fi

# --- the agent ends cleanly ---------------------------------------------------------

section "stop"
snmp_stop_agent TERM
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond exits 0 on SIGTERM"
snmp_stop_master
if [ "$IT_FAILED" -ne 0 ]; then
    snmp_show_logs
fi
finish
