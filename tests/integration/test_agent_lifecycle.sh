#!/bin/bash
# test_agent_lifecycle.sh - mtamond's life: start-up errors, starting
# before the master, the master killed and restarted 20 times, a stalled
# master, the segment missing / created / deleted / re-created, pidfile,
# a second instance, detaching, SIGTERM.
#
# Everything runs on 127.0.0.1 with a private snmpd master (snmp_lib.sh)
# and ping_interval 1, so a reconnection is due within 1 s; every wait is
# a bounded poll.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

snmp_setup

v=
PING=1                                  # agentx.ping_interval of the config
APPL_OPER=1.3.6.1.2.1.27.1.1.6.1        # applOperStatus of the MTA (row 1)
APPL_UPTIME=1.3.6.1.2.1.27.1.1.5.1      # applUptime
APPL_LAST_CHANGE=1.3.6.1.2.1.27.1.1.7.1 # applLastChange
# mtaGroupTable is indexed by (applIndex, mtaGroupIndex): the MTA is applIndex 1.
GROUP=1.3.6.1.2.1.28.2.1                # mtaGroupEntry
RECEIVED=$GROUP.2.1                     # mtaGroupReceivedMessages.1
GROUP_NAME=$GROUP.25.1                  # mtaGroupName.1

new_segment SEG
MTAMON_SEGMENT=$SEG
CONF="$IT_TMP/mtamon.yaml"
PIDFILE="$SNMP_DIR/mtamond.pid"
snmp_write_agent_config "$CONF" 'channels:
  - name: tcp_local
    description: "SMTP in"
  - name: ims-ms
    description: "message store"'

# log_count_is TEXT N: TEXT is in N lines of the log.
log_count_is() { [ "$(count_in_log "$1")" -eq "$2" ]; }

# wait_count TEXT N SECONDS: wait until TEXT is in N lines of the log.
wait_count() { wait_until "$3" log_count_is "$1" "$2"; }

# group_index VAR NAME: the mtaGroupIndex whose mtaGroupName is NAME.
group_index()
{
    local walk line idx=
    snmp_walk walk "$GROUP_NAME"
    while IFS= read -r line; do
        if [ "${line#* = }" = "STRING: \"$2\"" ]; then
            idx=${line%% = *}
            idx=${idx##*.}
        fi
    done <<<"$walk"
    printf -v "$1" '%s' "$idx"
}

agent_alive() { kill -0 "$SNMP_AGENT_PID" 2>/dev/null; }

# -----------------------------------------------------------------------------
section "start-up errors: nothing is started"

printf 'segment:\n  name: %s\nbogus_section: 1\n' "$SEG" >"$IT_TMP/bad.yaml"
run "$MTAMOND" -f -e -c "$IT_TMP/bad.yaml" -p "$IT_TMP/bad.pid"
assert_error 78 "bogus_section" "bad config" mtamond
assert_contains "$ERR" "$IT_TMP/bad.yaml:3:" "bad config: message names the file and line"
assert_eq 2 "$(printf '%s\n' "$ERR" | wc -l)" "bad config: two lines on stderr: the error, the exit"
assert_contains "$(printf '%s\n' "$ERR" | tail -n 1)" "exiting with status 78 (configuration error)" \
    "bad config: the last line gives the exit status"
assert_missing "$IT_TMP/bad.pid" "bad config: no pidfile"

run "$MTAMOND" -f -e -c "$IT_TMP/missing.yaml"
assert_error 78 "$IT_TMP/missing.yaml" "missing config" mtamond

sed 's|^daemon:$|daemon:\n  user: mtamon-no-such-user-xyz|' "$CONF" >"$IT_TMP/nouser.yaml"
run "$MTAMOND" -f -e -c "$IT_TMP/nouser.yaml" -p "$IT_TMP/nouser.pid"
assert_exit 67 "unknown daemon.user: exit status 67 (EX_NOUSER)"
assert_contains "$ERR" "unknown user 'mtamon-no-such-user-xyz'" "unknown daemon.user: message"
assert_missing "$IT_TMP/nouser.pid" "unknown daemon.user: no pidfile"

run "$MTAMOND" --bogus
assert_error 64 "unknown option '--bogus'" "unknown option" mtamond

# -----------------------------------------------------------------------------
section "started before the master, segment missing"

snmp_start_agent "$CONF"
assert_agent_logs "logs that the master is not reachable" \
    "AgentX master not reachable at $SNMP_AGENTX_SOCKET"
assert_contains "$(cat "$SNMP_AGENT_LOG")" "retrying every $PING s" "says how often it retries"
assert_contains "$(cat "$SNMP_AGENT_LOG")" "segment $SEG: missing" "logs that the segment is missing"
if wait_for_text "$PIDFILE" "$SNMP_AGENT_PID" 10; then
    pass "pidfile written"
else
    fail "pidfile written" "$(cat "$PIDFILE" 2>&1)"
fi
assert_eq "$SNMP_AGENT_PID" "$(cat "$PIDFILE" 2>/dev/null)" "pidfile holds mtamond's pid"
sleep 2.5   # several retries: the message must not repeat
assert_eq 1 "$(count_in_log "AgentX master not reachable")" "'not reachable' logged once, not at every retry"

run "$MTAMOND" -f -e -c "$CONF"
assert_exit 75 "second instance with the same pidfile: exit status 75"
assert_contains "$ERR" "already running (pid $SNMP_AGENT_PID, pidfile $PIDFILE)" \
    "second instance: says which pid holds the pidfile"
assert_eq "$SNMP_AGENT_PID" "$(cat "$PIDFILE" 2>/dev/null)" "second instance: pidfile untouched"

snmp_start_master || fail "master starts"
assert_snmp_wait_get "served within ping interval + 1 s of the master starting (MTA down)" \
    "$APPL_OPER" "INTEGER: 2" $((PING + 1))
assert_snmp_wait_get "applUptime is 0 while the segment is missing" "$APPL_UPTIME" "Timeticks: (0) 0:00:00.00" 2
assert_eq 1 "$(count_in_log "connected to AgentX master at $SNMP_AGENTX_SOCKET")" "'connected' logged once"

# -----------------------------------------------------------------------------
section "segment created, deleted, re-created"

emit --segment "$SEG" --create channel tcp_local channel ims-ms \
    repeat 7 enqueue - tcp_local 1 100 repeat 3 enqueue tcp_local ims-ms 1 100
assert_exit 0 "segment created with tcp_local then ims-ms"
assert_snmp_wait_get "MTA up once the segment exists" "$APPL_OPER" "INTEGER: 1" 5
assert_agent_logs "logs that the segment appeared" "segment $SEG: attached" 5
snmp_get v "$APPL_UPTIME"
snmp_ticks UPTIME1 "$v"
assert_in_range "applUptime moved from 0" 1 2147483647 "${UPTIME1:-x}"
snmp_get v "$APPL_LAST_CHANGE"
snmp_ticks CHANGE1 "$v"
group_index IDX_TCP tcp_local
group_index IDX_IMS ims-ms
assert_ne "" "$IDX_TCP" "tcp_local has an mtaGroupIndex"
assert_ne "" "$IDX_IMS" "ims-ms has an mtaGroupIndex"
assert_ne "$IDX_TCP" "$IDX_IMS" "the two channels have different indexes"
assert_snmp_get "tcp_local received 7" "$RECEIVED.$IDX_TCP" "Counter32: 7"
assert_snmp_get "ims-ms received 3" "$RECEIVED.$IDX_IMS" "Counter32: 3"

cli counters delete --segment "$SEG"
assert_exit 0 "segment deleted"
assert_snmp_wait_get "MTA down once the segment is deleted" "$APPL_OPER" "INTEGER: 2" 5
assert_agent_logs "logs that the segment was deleted" "segment $SEG: deleted" 5
assert_snmp_get "no group row while the segment is missing" "$RECEIVED.$IDX_TCP" \
    "No Such Instance currently exists at this OID"
sleep 0.2   # TimeStamps are in 1/100 s: the re-creation must be later

# The other order: the segment's slot numbers are now swapped.
emit --segment "$SEG" --create channel ims-ms channel tcp_local \
    repeat 4 enqueue - tcp_local 1 100 repeat 2 enqueue tcp_local ims-ms 1 100
assert_exit 0 "segment re-created with ims-ms then tcp_local"
assert_snmp_wait_get "MTA up again after the re-creation" "$APPL_OPER" "INTEGER: 1" 5
if wait_count "segment $SEG: attached" 2 5; then
    pass "logs that the segment is back"
else
    fail "logs that the segment is back" "$(tail -n 5 "$SNMP_AGENT_LOG")"
fi
snmp_get v "$APPL_UPTIME"
snmp_ticks UPTIME2 "$v"
snmp_get v "$APPL_LAST_CHANGE"
snmp_ticks CHANGE2 "$v"
assert_in_range "applUptime moved on with the new segment" $((UPTIME1 + 1)) 2147483647 "${UPTIME2:-x}"
assert_ne "$CHANGE1" "$CHANGE2" "applLastChange changed"
group_index v tcp_local
assert_eq "$IDX_TCP" "$v" "tcp_local keeps its mtaGroupIndex"
group_index v ims-ms
assert_eq "$IDX_IMS" "$v" "ims-ms keeps its mtaGroupIndex"
assert_snmp_get "tcp_local received 4 (new counters)" "$RECEIVED.$IDX_TCP" "Counter32: 4"
assert_snmp_get "ims-ms received 2 (new counters)" "$RECEIVED.$IDX_IMS" "Counter32: 2"
if agent_alive; then pass "mtamond survived the segment's life"; else fail "mtamond survived the segment's life"; fi

# -----------------------------------------------------------------------------
section "master killed and restarted 20 times"

expected=4
cycle_failures=0
for cycle in $(seq 1 20); do
    if [ $((cycle % 2)) -eq 1 ]; then sig=KILL; else sig=TERM; fi
    snmp_stop_master "$sig"
    emit --segment "$SEG" enqueue - tcp_local 1 100   # changes while the master is away
    expected=$((expected + 1))
    if ! snmp_start_master; then
        fail "cycle $cycle: master restarts"
        cycle_failures=$((cycle_failures + 1))
        continue
    fi
    if snmp_wait_get "$RECEIVED.$IDX_TCP" "Counter32: $expected" $((PING + 1)); then
        pass "cycle $cycle (SIG$sig): tcp_local received $expected, $SNMP_WAIT_MS ms after the master answered"
    else
        fail "cycle $cycle (SIG$sig): served again within ping interval + 1 s" \
            "expected: Counter32: $expected" "last:     $SNMP_WAIT_GOT" \
            "end of mtamond's log:" "$(tail -n 6 "$SNMP_AGENT_LOG")"
        cycle_failures=$((cycle_failures + 1))
        [ "$cycle_failures" -ge 3 ] && break   # no point in 20 timeouts
    fi
done
if agent_alive; then pass "mtamond alive after the restarts"; else fail "mtamond alive after the restarts"; fi
connected=$(count_in_log "connected to AgentX master")
lost=$(count_in_log "lost the connection to the AgentX master")
unreachable=$(count_in_log "AgentX master not reachable")
assert_eq 21 "$connected" "'connected' logged once per (re)connection"
assert_eq 20 "$lost" "'lost the connection' logged once per master stop"
assert_eq 21 "$unreachable" "'not reachable' logged once per outage, not at every retry"
# The MTA has been up since before these masters started: applLastChange
# is 0 (RFC 2788), not a TimeStamp of an earlier master's clock, which
# would lie after the new master's sysUpTime.
snmp_tool snmpget "$SNMP_TARGET" 1.3.6.1.2.1.1.3.0 "$APPL_LAST_CHANGE"
assert_contains "$OUT" "$APPL_LAST_CHANGE = Timeticks: (0) 0:00:00.00" \
    "applLastChange is 0 after the master restarted (state entered before it)"

# -----------------------------------------------------------------------------
section "stalled master (SIGSTOP)"

kill -STOP "$SNMP_MASTER_PID"
sleep 4     # ping 1 s, timeout 1 s x 2 tries: mtamond gives the session up
if agent_alive; then pass "mtamond alive while the master is stalled"; else fail "mtamond alive while the master is stalled"; fi
kill -CONT "$SNMP_MASTER_PID"
assert_snmp_wait_get "served again after SIGCONT" "$RECEIVED.$IDX_TCP" "Counter32: $expected" 15
assert_snmp_get "the MTA is up" "$APPL_OPER" "INTEGER: 1"

# -----------------------------------------------------------------------------
section "SIGHUP and SIGTERM"

kill -HUP "$SNMP_AGENT_PID"
assert_agent_logs "SIGHUP is logged (restart needed to reload)" "SIGHUP" 5
if agent_alive; then pass "mtamond survives SIGHUP"; else fail "mtamond survives SIGHUP"; fi

# Stop it while the master is stalled: the AgentX Close cannot be answered,
# and mtamond must not wait for it longer than timeout x tries.
kill -STOP "$SNMP_MASTER_PID"
snmp_stop_agent TERM
kill -CONT "$SNMP_MASTER_PID"
assert_eq 0 "$SNMP_AGENT_STATUS" "SIGTERM (master stalled): exit status 0"
assert_contains "$(tail -n 3 "$SNMP_AGENT_LOG")" "stopping" "'stopping' logged"
assert_missing "$PIDFILE" "pidfile removed at exit"
if snmp_wait_agent_gone 10; then
    pass "the master no longer serves the MTA tables"
else
    fail "the master no longer serves the MTA tables"
fi

# -----------------------------------------------------------------------------
section "SIGHUP during start-up"

# The first connection attempt waits for a stalled master (timeout 1 s x 2
# tries) before the signal handlers are in place: a SIGHUP then (a reload
# by habit, logrotate) must not kill mtamond, which is reading its
# configuration right now anyway.
starts=$(count_in_log "starting: config")
kill -STOP "$SNMP_MASTER_PID"
snmp_start_agent "$CONF"
if wait_count "starting: config" $((starts + 1)) 10; then
    kill -HUP "$SNMP_AGENT_PID" 2>/dev/null
fi
kill -CONT "$SNMP_MASTER_PID"
if wait_for_text "$SNMP_AGENT_LOG" "ready: pid $SNMP_AGENT_PID" 10 && agent_alive; then
    pass "a SIGHUP during start-up does not kill mtamond"
else
    fail "a SIGHUP during start-up does not kill mtamond" "$(tail -n 5 "$SNMP_AGENT_LOG")"
fi
snmp_stop_agent TERM
assert_eq 0 "$SNMP_AGENT_STATUS" "then SIGTERM: exit status 0"

# -----------------------------------------------------------------------------
section "mtamond restarted: indexes kept, a new channel gets a new one"

snmp_start_agent "$CONF"
if snmp_wait_agent 10; then pass "mtamond serves again"; else fail "mtamond serves again"; fi
emit --segment "$SEG" channel tcp_new enqueue - tcp_new 1 100
assert_exit 0 "a channel added after the restart"
assert_snmp_wait_get "the new channel is served" "$GROUP_NAME.3" 'STRING: "tcp_new"' 5
group_index v tcp_local
assert_eq "$IDX_TCP" "$v" "tcp_local keeps its mtaGroupIndex across an mtamond restart"
group_index v ims-ms
assert_eq "$IDX_IMS" "$v" "ims-ms keeps its mtaGroupIndex across an mtamond restart"
group_index v tcp_new
assert_eq 3 "$v" "tcp_new gets the next index, 3 (indexes are never reused)"
snmp_stop_agent TERM
assert_eq 0 "$SNMP_AGENT_STATUS" "then SIGTERM: exit status 0"

# -----------------------------------------------------------------------------
section "detached (no -f)"

# A master that is not there: the daemon starts anyway.
sed "s|$SNMP_AGENTX_SOCKET|$IT_TMP/no-master|" "$CONF" >"$IT_TMP/detach.yaml"
DPID_FILE="$IT_TMP/detached.pid"
run "$MTAMOND" -c "$IT_TMP/detach.yaml" -e -p "$DPID_FILE"
assert_exit 0 "mtamond detaches, exit status 0"
DPID=$(cat "$DPID_FILE" 2>/dev/null)
if [ -n "$DPID" ] && [ -r "/proc/$DPID/cmdline" ]; then
    IT_PIDS+=("$DPID")   # the exit trap stops it if we fail below
    pass "pidfile written before the foreground process exited"
else
    fail "pidfile written before the foreground process exited" "pidfile: '$DPID'" "stderr: $ERR"
fi
if [ -n "$DPID" ]; then
    assert_contains "$(tr '\0' ' ' <"/proc/$DPID/cmdline" 2>/dev/null)" "$IT_TMP/detach.yaml" \
        "the pid in the pidfile is the daemon"
    # Double fork: a session of its own, but not its leader.
    assert_ne "$$" "$(ps -o sid= -p "$DPID" | tr -d ' ')" "the daemon left the test's session"
    assert_ne "$DPID" "$(ps -o sid= -p "$DPID" | tr -d ' ')" "the daemon is not a session leader"
    run "$MTAMOND" -c "$IT_TMP/detach.yaml" -e -p "$DPID_FILE"
    assert_exit 75 "second detached instance refused, exit status 75"
    kill -TERM "$DPID"
    wait_until 10 pid_gone "$DPID"
    if kill -0 "$DPID" 2>/dev/null; then fail "detached daemon stops on SIGTERM"; else pass "detached daemon stops on SIGTERM"; fi
    assert_missing "$DPID_FILE" "detached daemon removed its pidfile"
fi

finish
