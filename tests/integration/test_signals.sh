#!/bin/bash
# test_signals.sh - no signal that someone may send on purpose ends
# mtamond or `mtamon feed` without a log line.
#
# mtamond: SIGUSR1 logs a status line (master, segment, rows, view age,
# varbinds asked); SIGHUP says a restart is needed; SIGUSR2, SIGALRM,
# SIGVTALRM, SIGPROF, SIGIO, SIGPWR and real-time signals are logged and
# ignored; after each one it still serves.  SIGTERM and SIGINT stop it
# with exit status 0 and a last line giving the signal and the status.
# The feed: SIGUSR1 prints its statistics, the others are said and
# ignored (it still counts), SIGTERM stops it with a line saying so.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup

IGNORED_SIGNALS="USR2 ALRM VTALRM PROF IO PWR RTMIN RTMIN+3 RTMAX"

new_segment SEG
export MTAMON_SEGMENT=$SEG
CONF="$IT_TMP/mtamon.yaml"
cli counters create --capacity 8
assert_exit 0 "segment created"
emit --segment "$SEG" channel tcp_local channel ims-ms enqueue - tcp_local 1 100
assert_exit 0 "one message counted"
snmp_write_agent_config "$CONF"

snmp_start_master || { fail "snmpd answers"; finish; }
snmp_start_agent "$CONF"
snmp_wait_agent 20 || { fail "mtamond registers"; finish; }

# signal_agent SIG LOGTEXT: send SIG; mtamond logs LOGTEXT, is alive and
# still serves mtaReceivedMessages.
signal_agent()
{
    kill -s "$1" "$SNMP_AGENT_PID"
    assert_agent_logs "SIG$1: logged ($2)" "$2"
    if kill -0 "$SNMP_AGENT_PID" 2>/dev/null; then
        pass "SIG$1: mtamond still runs"
    else
        fail "SIG$1: mtamond still runs" "$(tail -n 5 "$SNMP_AGENT_LOG")"
        finish
    fi
    assert_snmp_get "SIG$1: mtamond still serves" "$MTAT.1.1" "Counter32: 1"
}

section "mtamond: signals that do not stop it"
snmp_get got "$MTAT.1.1"   # at least one varbind asked before the status
signal_agent USR1 "status: AgentX master $SNMP_AGENTX_SOCKET connected (1 sessions opened); segment $SEG attached, generation "
status_line=$(grep -F "status: AgentX master" "$SNMP_AGENT_LOG" | tail -n 1)
assert_contains "$status_line" "rows: applTable 1, assocTable 0, mtaGroupTable 2, mtaGroupAssociationTable 0, mtaGroupErrorTable 0;" \
    "SIGUSR1: the status gives the rows of each table"
if [[ $status_line =~ view\ built\ [0-9]+\ ms\ ago\;\ ([0-9]+)\ varbinds\ asked ]] &&
   [ "${BASH_REMATCH[1]}" -ge 2 ]; then
    pass "SIGUSR1: the status gives the view's age and the varbinds asked (${BASH_REMATCH[1]})"
else
    fail "SIGUSR1: the status gives the view's age and the varbinds asked (>= 2)" "$status_line"
fi
signal_agent HUP "SIGHUP: the configuration is read at start only"
for sig in $IGNORED_SIGNALS; do
    signal_agent "$sig" "SIG$sig received: ignored"
done

section "mtamond: SIGTERM and SIGINT stop it, saying so"
snmp_stop_agent TERM
assert_eq 0 "$SNMP_AGENT_STATUS" "SIGTERM: exit status 0"
assert_contains "$(cat "$SNMP_AGENT_LOG")" "mtamond[notice]: stopping on SIGTERM" "SIGTERM: logged at notice level"
assert_eq "exiting with status 0 (stopped)" \
    "$(tail -n 1 "$SNMP_AGENT_LOG" | sed 's/.*mtamond\[notice\]: //')" \
    "SIGTERM: the last line gives the exit status"
snmp_start_agent "$CONF"
snmp_wait_agent 20 || { fail "mtamond registers again"; finish; }
snmp_stop_agent INT
assert_eq 0 "$SNMP_AGENT_STATUS" "SIGINT: exit status 0"
assert_contains "$(tail -n 2 "$SNMP_AGENT_LOG")" "stopping on SIGINT" "SIGINT: logged"

section "mtamond: a signal during start-up is acted on, not fatal"
# The master is gone: the first connection attempt and the retries run,
# and the signals arrive during them.
snmp_stop_master
snmp_start_agent "$CONF"
wait_for_text "$SNMP_AGENT_LOG" "ready: pid $SNMP_AGENT_PID" 10
for sig in USR2 ALRM; do
    kill -s "$sig" "$SNMP_AGENT_PID"
done
assert_agent_logs "signals while the master is unreachable: logged" "SIGALRM received: ignored"
snmp_stop_agent TERM
assert_eq 0 "$SNMP_AGENT_STATUS" "SIGTERM without a master: exit status 0"

section "mtamon feed"
LOG="$IT_TMP/mail.log_current"
: >"$LOG"
start_bg FEED "$IT_TMP/feed.out" "$MTAMON" --segment "$SEG" feed --format sunmta --from-start "$LOG"
# line N: one Sun enqueue record to tcp_local -> ims-ms.
line()
{
    printf '16-Feb-2007 14:54:13.72 tcp_local ims-ms E 1 s%s@example.com rfc822;r@example.org r@example.org\n' "$1" >>"$LOG"
}
received() { counter "$SEG" ims-ms received_messages; }
# received_is N: ims-ms received N messages.
received_is() { [ "$(received)" = "$1" ]; }
# The feed is running (its handlers installed) once it counted a line.
n=1
line "$n"
wait_until 10 received_is 1
assert_eq 1 "$(received)" "the feed counts"
for sig in USR1 HUP $IGNORED_SIGNALS; do
    kill -s "$sig" "$FEED"
    if [ "$sig" = USR1 ]; then
        text="unparsed 0"
    else
        text="feed: SIG$sig received: ignored"
    fi
    if wait_for_text "$IT_TMP/feed.out" "$text" 10; then
        pass "feed SIG$sig: $text"
    else
        fail "feed SIG$sig: $text" "$(tail -n 5 "$IT_TMP/feed.out")"
    fi
    n=$((n + 1))
    line "$n"
    wait_until 10 received_is "$n"
    assert_eq "$n" "$(received)" "feed SIG$sig: still counts (line $n)"
done
kill -s TERM "$FEED"
wait "$FEED"
assert_eq 0 $? "feed SIGTERM: exit status 0"
assert_contains "$(tail -n 1 "$IT_TMP/feed.out")" "feed: stopping on SIGTERM (exit status 0)" \
    "feed SIGTERM: says so"

finish
