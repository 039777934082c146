#!/bin/bash
# test_dlmod.sh - mtamon.so, the MIB modules inside snmpd (dlmod), against
# mtamond on the same segment:
#
#   master A   AgentX master + mtamond     (the reference)
#   master B   dlmod mtamon + mtamonConfig (the module under test)
#
# Both read the same configuration (but for the index file: each its
# own, seeded alike) and the same segment; their walks of
# NETWORK-SERVICES-MIB, MTA-MIB and MTAMON-MIB must be equal OID by OID
# and value by value, but for the objects that are the time of the
# instant (TimeTicks, the TimeInterval columns of mtaGroupTable,
# mtamonSnapshotAge).  Then master B must live through a deleted and
# re-created segment, corrupt segments (truncated under its mapping, bad
# magic, an impossible capacity) and a bad configuration (re-read on
# SIGHUP), answering sysUpTime.0 throughout, keep its group indexes, and
# stop cleanly.  Both masters run Debian's default modules, so
# Net-SNMP's own mta_sendmail is loaded and the module must win over it.
#
# Under the sanitizer build the module carries ASan and UBSan while snmpd
# does not: snmpd then runs with the sanitizer runtimes in LD_PRELOAD
# (ASan must come first), and with detect_leaks=0, because LeakSanitizer
# at snmpd's exit would report Net-SNMP's own exit-time allocations, and
# a suppression of those would hide the module's too (each of its stacks
# passes through libnetsnmp).  Memory errors and undefined behaviour are
# still fatal, and snmpd's output is checked for their reports.

# Helpers set the variables named by their first argument (printf -v);
# the SNMP_* and MTAMON_SEGMENT variables are read by snmp_lib.sh:
# shellcheck disable=SC2154,SC2034

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup

SO="$IT_BUILDDIR/src/agent/.libs/mtamon.so"
[ -f "$SO" ] || skip "$SO not built"

NO_OBJECT="No Such Object available on this agent at this OID"

# --- the module's symbols: nothing of a daemon ----------------------------------

section "mtamon.so's symbols"
if command -v nm >/dev/null; then
    exported=$(nm -D --defined-only "$SO" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
        grep -v '^_' | sort | tr '\n' ' ')
    assert_eq "deinit_mtamon init_mtamon shutdown_mtamon " "$exported" \
        "mtamon.so exports the dlmod entry points only"
    forbidden=$(nm -D --undefined-only "$SO" | awk '{ print $2 }' | sed 's/@.*//' |
        grep -xE 'exit|_exit|_Exit|abort|signal|sigaction|sigprocmask|pthread_sigmask|fork|vfork|daemon|system|popen|execv|execvp|execve|execl|execlp|posix_spawn|posix_spawnp|pthread_create|setuid|setgid|chdir' |
        sort | tr '\n' ' ')
    assert_eq "" "$forbidden" \
        "mtamon.so calls no exit, abort, signal, fork, exec or thread function"
else
    printf 'SKIP the symbol checks: nm is not installed\n'
fi

# --- a sanitizer build ---------------------------------------------------------

MASTER_B_PRELOAD=
if asan=$(ldd "$SO" 2>/dev/null | awk '/libasan/ { print $3; exit }') && [ -n "$asan" ]; then
    ubsan=$(ldd "$SO" 2>/dev/null | awk '/libubsan/ { print $3; exit }')
    MASTER_B_PRELOAD="$asan${ubsan:+ $ubsan}"
    printf 'sanitizer build: snmpd B runs with LD_PRELOAD=%s\n' "$MASTER_B_PRELOAD"
fi

# --- configuration, segment, traffic ------------------------------------------

CHANNELS='applications:
  - type: mta
    index: 1
    name: "mtamon test MTA"
    version: "8.1"
    description: "the MTA under test"
  - type: service
    index: 2
    name: IMAP
channels:
  - name: tcp_local
    index: 10
    group_name: "Internet SMTP"
    description: "SMTP to and from the Internet"
    protocol: smtp
    hierarchy: -1
  - name: ims-ms
    index: 3
    protocol: lmtp'

new_segment SEG
MTAMON_SEGMENT=$SEG
CONF_A="$IT_TMP/mtamon-a.yaml"
CONF_B="$IT_TMP/mtamon-b.yaml"
INDEX_A="$IT_TMP/index-a"
INDEX_B="$IT_TMP/index-b"
# tcp_intranet keeps the index the file gives it; conversion, a new name,
# gets one more than the highest (41), in both.
for f in "$INDEX_A" "$INDEX_B"; do
    printf '# mtamond group indexes: INDEX NAME; edit with mtamond stopped\n40 tcp_intranet\n' >"$f"
done
snmp_write_agent_config "$CONF_A" "$CHANNELS"
sed -i "s|index_file: .*|index_file: $INDEX_A|" "$CONF_A"
sed "s|index_file: .*|index_file: $INDEX_B|" "$CONF_A" >"$CONF_B"

cli --segment "$SEG" counters create
assert_exit 0 "mtamon counters create"
emit --segment "$SEG" \
    channel tcp_local channel ims-ms channel tcp_intranet channel conversion \
    enqueue - tcp_local 2 1 enqueue - tcp_local 5 3000 \
    dequeue tcp_local 2 1 first 500 \
    reject tcp_local 4 1025 5.7.1 "relaying denied" \
    tempfail tcp_local 1 1024 4.4.1 fail tcp_local 1 1024 5.1.1 \
    convert tcp_local ok convert tcp_local failed loop tcp_local \
    assoc-open tcp_local in 192.0.2.1 assoc-close tcp_local in \
    assoc-reject tcp_local 5.7.1 "blocked by RBL" \
    assoc-fail tcp_local 4.4.1 "connection refused" \
    enqueue tcp_local ims-ms 3 1024 dequeue ims-ms 3 1024 first 100 \
    enqueue - tcp_intranet 1 5497558138880 tempfail tcp_intranet 1 1 4.2.2 \
    repeat 3 convert conversion failed loop conversion
assert_exit 0 "mtamon-emit: the traffic"

# --- the two masters ----------------------------------------------------------

# use_master A|B: point snmp_lib.sh's master variables at master A or B.
declare -A MASTER
save_master()
{
    local v
    for v in SNMP_MASTER_CONF SNMP_MASTER_LOG SNMP_MASTER_PID SNMP_PORT \
        SNMP_TARGET SNMP_AGENTX_SOCKET SNMP_MASTER_EXTRA SNMP_MASTER_PRELOAD \
        SNMP_MASTER_OUT; do
        MASTER[$1.$v]=${!v}
    done
}
use_master()
{
    local v
    for v in SNMP_MASTER_CONF SNMP_MASTER_LOG SNMP_MASTER_PID SNMP_PORT \
        SNMP_TARGET SNMP_AGENTX_SOCKET SNMP_MASTER_EXTRA SNMP_MASTER_PRELOAD \
        SNMP_MASTER_OUT; do
        printf -v "$v" '%s' "${MASTER[$1.$v]}"
    done
}

section "master A with mtamond, master B with mtamon.so"
snmp_start_master || { fail "snmpd A answers"; finish; }
pass "snmpd A answers on $SNMP_TARGET"
snmp_start_agent "$CONF_A"
if snmp_wait_agent 20; then
    pass "mtamond registers with master A"
else
    fail "mtamond registers with master A"
    finish
fi
save_master A

SNMP_MASTER_CONF="$SNMP_DIR/master-b.conf"
SNMP_MASTER_LOG="$SNMP_DIR/snmpd-b.log"
SNMP_MASTER_OUT="$SNMP_DIR/snmpd-b.out"
SNMP_AGENTX_SOCKET="${SNMP_AGENTX_SOCKET}b"
SNMP_PORT=$(free_port) || skip "cannot find a free UDP port"
SNMP_TARGET="udp:127.0.0.1:$SNMP_PORT"
SNMP_MASTER_EXTRA="dlmod mtamon $SO
mtamonConfig $CONF_B"
SNMP_MASTER_PRELOAD=$MASTER_B_PRELOAD
if [ -n "$MASTER_B_PRELOAD" ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
snmp_start_master || { fail "snmpd B (dlmod mtamon) answers"; finish; }
pass "snmpd B (dlmod mtamon $SO) answers on $SNMP_TARGET"
save_master B
B_PID=$SNMP_MASTER_PID

# b_alive DESC: snmpd B still runs and answers sysUpTime.0.
b_alive()
{
    if kill -0 "$B_PID" 2>/dev/null && snmp_master_answers; then
        pass "$1: snmpd B answers sysUpTime.0"
    else
        fail "$1: snmpd B answers sysUpTime.0" "end of its log:" \
            "$(tail -n 15 "$SNMP_MASTER_LOG" "$SNMP_MASTER_OUT" 2>/dev/null)"
        finish
    fi
}

# b_logs DESC TEXT: snmpd B's log comes to contain TEXT.
b_logs()
{
    if wait_for_text "$SNMP_MASTER_LOG" "$2" 10; then
        pass "$1"
    else
        fail "$1" "expected in snmpd B's log: $2" "end of it:" "$(tail -n 8 "$SNMP_MASTER_LOG")"
    fi
}

use_master B
b_logs "the module says it serves" "mtamon: mtamon.so "
assert_snmp_wait_get "snmpd B serves mtaReceivedMessages from the segment" "$MTAT.1.1" "Counter32: 4"

# --- the same values -------------------------------------------------------------

# masked_walk VAR OID: a bulkwalk of OID on the current master with the
# values that are the time of the instant replaced by <time>.
masked_walk()
{
    local _w
    snmp_walk _w "$2"
    _w=$(printf '%s\n' "$_w" | sed -E \
        -e 's/= Timeticks: .*/= <time>/' \
        -e "s/^(\\.${GRP//./\\.}\\.(17|18|30|34)\\.[0-9.]+) = INTEGER: [0-9]+$/\\1 = <time>/" \
        -e "s/^(\\.${ROOT//./\\.}\\.1\\.1\\.6\\.0) = .*/\\1 = <time>/")
    printf -v "$1" '%s' "$_w"
}

section "the module's values are mtamond's"
for sub in 1.3.6.1.2.1.27 1.3.6.1.2.1.28 "$ROOT"; do
    use_master A
    masked_walk wa "$sub"
    use_master B
    masked_walk wb "$sub"
    n=$(printf '%s\n' "$wa" | grep -c ' = ')
    if [ "$wa" = "$wb" ] && [ "$n" -gt 1 ]; then
        pass "walk of $sub: the same $n varbinds from mtamond and mtamon.so"
    else
        fail "walk of $sub: the same from mtamond and mtamon.so" \
            "diff -u mtamond mtamon.so:" "$(diff -u <(printf '%s\n' "$wa") <(printf '%s\n' "$wb"))"
    fi
done
use_master B
snmp_walk w "$GRP.25"
assert_eq ".$GRP.25.1.3 = STRING: \"ims-ms\"
.$GRP.25.1.10 = STRING: \"Internet SMTP\"
.$GRP.25.1.40 = STRING: \"tcp_intranet\"
.$GRP.25.1.41 = STRING: \"conversion\"" "$w" \
    "mtaGroupIndex from mtamon.so: pins 3 and 10, 40 from the file, 41 new"
if wait_for_text "$INDEX_B" "41 conversion" 10; then
    pass "the module writes the new index into its group-index file"
else
    fail "the module writes the new index into its group-index file" "$(cat "$INDEX_B")"
fi
assert_snmp_absent "the collector tables are empty in the module (mtamonQueueTable)" "$ROOT.1.2.1.2.1"
assert_snmp_absent "no alarm statistics in the module (mtamonAlarmNotificationsSent)" "$ROOT.1.9.1.0"
assert_snmp_get "mtamonSegmentStatus ok(1)" "$ROOT.1.1.1.0" "INTEGER: 1"

# --- the segment goes and comes back ------------------------------------------

section "segment deleted and re-created"
cli --segment "$SEG" counters delete
assert_exit 0 "mtamon counters delete"
assert_snmp_wait_get "applOperStatus of the MTA goes down(2)" "$APPL.6.1" "INTEGER: 2"
b_alive "segment deleted"
assert_snmp_absent "mtaTable has no row without the segment" "$MTAT.1.1"
cli --segment "$SEG" counters create
assert_exit 0 "mtamon counters create (again)"
emit --segment "$SEG" channel conversion channel tcp_local enqueue - tcp_local 1 10
assert_exit 0 "mtamon-emit: traffic on the new segment"
assert_snmp_wait_get "applOperStatus up(1) again" "$APPL.6.1" "INTEGER: 1"
assert_snmp_wait_get "the new segment's counters are served" "$MTAT.1.1" "Counter32: 1"
snmp_walk w "$GRP.25"
assert_eq ".$GRP.25.1.10 = STRING: \"Internet SMTP\"
.$GRP.25.1.41 = STRING: \"conversion\"" "$w" \
    "the re-created segment's channels keep their mtaGroupIndex (slots changed)"

# --- corrupt segments -----------------------------------------------------------

section "corrupt segments"
SHM=$(shm_path "$SEG")
truncate -s 64 "$SHM"
assert_snmp_wait_get "a segment truncated under the module's mapping: the MTA goes down" \
    "$APPL.6.1" "INTEGER: 2"
b_alive "segment truncated under the mapping"
assert_snmp_get "mtamonSegmentStatus unavailable(2)" "$ROOT.1.1.1.0" "INTEGER: 2"

# corrupt_segment OFFSET HOW VALUE: put a new segment in place, made bad
# before the module can see it (created elsewhere, renamed over).
corrupt_segment()
{
    new_segment BAD
    "$MTAMON" --segment "$BAD" counters create >/dev/null 2>&1 || return 1
    case $2 in
    bytes) patch_bytes "$(shm_path "$BAD")" "$1" "$3" ;;
    u32) patch_u32 "$(shm_path "$BAD")" "$1" "$3" ;;
    esac
    mv -f "$(shm_path "$BAD")" "$SHM"
}
corrupt_segment 0 bytes NOTMTAMN || fail "a segment with a bad magic number made"
b_logs "a foreign object (bad magic) is logged as unreadable" "unreadable"
b_alive "bad magic"
assert_snmp_get "bad magic: the MTA stays down" "$APPL.6.1" "INTEGER: 2"
corrupt_segment 24 u32 100000 || fail "a segment with an impossible capacity made"
b_alive "impossible channel capacity"
assert_snmp_get "impossible capacity: the MTA stays down" "$APPL.6.1" "INTEGER: 2"
assert_snmp_absent "impossible capacity: no mtaGroupTable row" "$GRP.2.1.10"
rm -f "$SHM"
cli --segment "$SEG" counters create
emit --segment "$SEG" channel tcp_local enqueue - tcp_local 1 10 enqueue - tcp_local 1 10
assert_snmp_wait_get "a good segment again: served" "$MTAT.1.1" "Counter32: 2"

# --- a bad configuration, re-read on SIGHUP ---------------------------------------

section "bad configuration"
cp "$CONF_B" "$IT_TMP/mtamon-b.good"
printf 'segment:\n  name: [\n' >"$CONF_B"
kill -HUP "$B_PID"
b_logs "the configuration error is logged through snmpd's log" "serving nothing until it is fixed"
assert_contains "$(grep 'serving nothing' "$SNMP_MASTER_LOG")" "$CONF_B:" \
    "the message names the file"
b_alive "bad configuration"
# (mtamonSegmentStatus: under MTA-MIB mta_sendmail would answer.)
assert_snmp_wait_get "with a bad configuration nothing is served" "$ROOT.1.1.1.0" "$NO_OBJECT"
cat >"$CONF_B" <<EOF
channels:
  - name: x
    index: 0
EOF
kill -HUP "$B_PID"
b_alive "a configuration with a bad value"
assert_snmp_wait_get "a bad value: nothing is served" "$ROOT.1.1.1.0" "$NO_OBJECT"
cp "$IT_TMP/mtamon-b.good" "$CONF_B"
kill -HUP "$B_PID"
assert_snmp_wait_get "fixed and reloaded: served again" "$MTAT.1.1" "Counter32: 2"
snmp_walk w "$GRP.25"
assert_eq ".$GRP.25.1.10 = STRING: \"Internet SMTP\"" "$w" \
    "after the reload tcp_local is 10 still"
b_alive "reloaded"

# --- the end ---------------------------------------------------------------------

section "stop"
snmp_stop_master TERM
assert_eq 0 "$SNMP_REAP_STATUS" "snmpd B stops with status 0"
assert_not_contains "$(cat "$SNMP_MASTER_LOG" "$SNMP_MASTER_OUT" 2>/dev/null)" "netsnmp_assert" \
    "no Net-SNMP assertion in snmpd B's log"
out=$(grep -E 'ERROR: AddressSanitizer|runtime error:' "$SNMP_MASTER_OUT" "$SNMP_MASTER_LOG" 2>/dev/null)
assert_eq "" "$out" "no sanitizer report from snmpd B"
assert_contains "$(cat "$INDEX_B")" "41 conversion" "the group-index file is kept"
use_master A
snmp_stop_agent
snmp_stop_master
finish
