#!/bin/bash
# test_systemd_notify.sh - mtamond as a systemd Type=notify service
# (service_status.h): the datagrams it sends to $NOTIFY_SOCKET, received
# here on a socket the test binds (a path in the test's directory, and a
# name in the abstract namespace), and the units in conf/ through
# `systemd-analyze verify`.
#
#   READY=1 with the first STATUS= once registered (the master answers the
#           MIB at that moment);
#   STATUS= at each change only: segment attached, master lost, registered
#           again;
#   WATCHDOG=1 repeatedly with WATCHDOG_USEC, none without it or when
#           WATCHDOG_PID names another process;
#   STOPPING=1 on SIGTERM;
#   a NOTIFY_SOCKET nobody listens on, or one that is not an address:
#           mtamond serves all the same and says so once.
#
# The receiver writes each datagram as one line of its file, the
# assignments joined with '|' (e.g. "READY=1|STATUS=registered ...").

# Helpers set the variables named by their first argument (printf -v):
# shellcheck disable=SC2154

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup
# Beside the AgentX socket: a directory with a path short enough for
# sun_path (snmp_setup made sure of it).
SOCK_DIR=${SNMP_AGENTX_SOCKET%/*}

# start_receiver VAR ADDRESS FILE: a datagram socket bound to ADDRESS
# (a path, or '@name' for the abstract namespace), appending each datagram
# to FILE; its PID into VAR.  Waits until it is bound.
start_receiver()
{
    local out="$FILE_OUT_DIR/receiver.$RANDOM.out"
    start_bg "$1" "$out" python3 -c '
import socket, sys
addr, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
print("bound", flush=True)
with open(path, "a") as f:
    while True:
        data = s.recv(4096).decode("utf-8", "replace")
        f.write(data.rstrip("\n").replace("\n", "|") + "\n")
        f.flush()
' "$2" "$3"
    wait_for_text "$out" bound 10 || { cat "$out"; fail "receiver bound to $2"; finish; }
}
FILE_OUT_DIR=$IT_TMP

# datagrams FILE: what was received, one datagram a line.
datagrams() { cat "$1" 2>/dev/null; }
# count_datagrams FILE LINE: how many datagrams were exactly LINE.
count_datagrams() { grep -cxF -- "$2" "$1" 2>/dev/null; }
has_datagram() { grep -qxF -- "$2" "$1" 2>/dev/null; }
# datagrams_at_least FILE LINE N: FILE holds LINE N times or more.
datagrams_at_least() { [ "$(count_datagrams "$1" "$2")" -ge "$3" ]; }
watchdogs_at_least() { datagrams_at_least "$1" WATCHDOG=1 "$2"; }

# assert_receives DESC FILE LINE: FILE comes to hold the datagram LINE
# within 20 s.
assert_receives()
{
    if wait_until 20 has_datagram "$2" "$3"; then
        pass "$1"
    else
        fail "$1" "expected the datagram: $3" "received:" "$(datagrams "$2")"
    fi
}

# assert_watchdogs DESC FILE: FILE comes to hold two WATCHDOG=1 at least
# (within 20 s).
assert_watchdogs()
{
    if wait_until 20 watchdogs_at_least "$2" 2; then
        pass "$1"
    else
        fail "$1" "expected WATCHDOG=1 twice at least; received:" "$(datagrams "$2")"
    fi
}

new_segment SEG
# shellcheck disable=SC2034 # read by snmp_write_agent_config
MTAMON_SEGMENT=$SEG
snmp_write_agent_config "$IT_TMP/mtamon.yaml"
snmp_start_master || { fail "master started"; finish; }

# ---------------------------------------------------------------------------
section "path socket, watchdog, state changes, stop"

NOTIFY="$SOCK_DIR/nt"
RX="$IT_TMP/notify.path"
start_receiver RX_PID "$NOTIFY" "$RX"
# mtamond started as conf/mtamond.service starts it: its ExecStart=
# words (split as systemd does for these plain ones), with this build's
# mtamond and the test's configuration.
UNIT_ARGS=()
while IFS= read -r word; do
    case $word in
    /usr/sbin/mtamond) UNIT_ARGS+=("$MTAMOND") ;;
    /etc/mtamon/mtamon.yaml) UNIT_ARGS+=("$IT_TMP/mtamon.yaml") ;;
    *) UNIT_ARGS+=("$word") ;;
    esac
done < <(python3 -c '
import shlex, sys
for line in open(sys.argv[1]):
    if line.startswith("ExecStart="):
        print("\n".join(shlex.split(line[len("ExecStart="):])))
' "$IT_TOP_SRCDIR/conf/mtamond.service")
assert_eq "$MTAMOND -f -c $IT_TMP/mtamon.yaml --pidfile=" "${UNIT_ARGS[*]}" \
    "conf/mtamond.service runs mtamond in the foreground, without a pidfile"
# The segment is created after the start: the first STATUS= says so.
printf -- '--- %s\n' "${UNIT_ARGS[*]}" >>"$SNMP_AGENT_LOG"
NOTIFY_SOCKET=$NOTIFY WATCHDOG_USEC=1000000 "${UNIT_ARGS[@]}" \
    >>"$SNMP_AGENT_LOG" 2>&1 </dev/null &
SNMP_AGENT_PID=$!
IT_PIDS+=("$SNMP_AGENT_PID")
if wait_until 20 file_has_text "$RX" "READY=1"; then
    # READY=1 comes after the registration: the master answers now, with
    # no waiting.
    if snmp_agent_registered; then
        pass "the master answers for mtamond's MIB as soon as READY=1 arrives"
    else
        fail "the master answers for mtamond's MIB as soon as READY=1 arrives"
    fi
else
    fail "READY=1 received" "$(datagrams "$RX")"
    snmp_show_logs
fi
assert_missing "$SNMP_DIR/mtamond.pid" "no pidfile written (daemon.pidfile is overridden)"
READY_LINE="READY=1|STATUS=registered with AgentX master at $SNMP_AGENTX_SOCKET; segment $SEG not attached"
assert_eq "$READY_LINE" "$(grep '^READY=' "$RX")" "READY=1 with the first STATUS=, in one datagram"
assert_eq 1 "$(grep -c '^READY=' "$RX")" "READY=1 sent once"

assert_watchdogs "WATCHDOG=1 sent repeatedly with WATCHDOG_USEC=1000000" "$RX"
# Test config: timeout 1 s, retries 1: a stalled master may hold the
# loop 6 s, longer than this 1 s watchdog.
assert_agent_logs "a watchdog shorter than a stalled master's wait is warned about" \
    "is not longer than mtamond's longest wait on a stalled AgentX master (3 x timeout x (retries + 1) = 6000 ms)"

ATTACHED="STATUS=registered with AgentX master at $SNMP_AGENTX_SOCKET; segment $SEG attached"
cli --segment "$SEG" counters create
assert_exit 0 "segment created"
assert_receives "STATUS= when the segment appears" "$RX" "$ATTACHED"

LOST="STATUS=lost AgentX master at $SNMP_AGENTX_SOCKET (retrying every 1 s); segment $SEG attached"
snmp_stop_master
assert_receives "STATUS= when the master goes away" "$RX" "$LOST"
snmp_start_master || fail "master restarted"
wait_until 20 snmp_agent_registered || fail "mtamond registered again"
# The master answers for the MIB once it has handled the Register PDU,
# which can be before mtamond has read the Response and said so.
wait_until 20 datagrams_at_least "$RX" "$ATTACHED" 2
assert_eq 2 "$(count_datagrams "$RX" "$ATTACHED")" "STATUS= when registered again"

snmp_stop_agent TERM
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond stopped with status 0"
assert_receives "STOPPING=1 on SIGTERM" "$RX" "STOPPING=1|STATUS=stopping"
# Every STATUS= is a change: none repeats the one before it.
assert_eq "READY=1|STATUS=registered with AgentX master at $SNMP_AGENTX_SOCKET; segment $SEG not attached
$ATTACHED
$LOST
$ATTACHED
STOPPING=1|STATUS=stopping" "$(grep -v '^WATCHDOG=1$' "$RX")" \
    "the STATUS= lines, each sent once per change"
assert_eq "" "$(grep -vxE 'WATCHDOG=1|READY=1\|STATUS=.*|STATUS=.*|STOPPING=1\|STATUS=stopping' "$RX")" \
    "nothing but READY, STATUS, WATCHDOG and STOPPING sent"
stop_bg "$RX_PID"
printf '     datagrams received (path socket):\n'
sed 's/^/     | /' "$RX" | uniq -c

# ---------------------------------------------------------------------------
section "abstract socket; no watchdog without WATCHDOG_USEC or for another pid"

# run_abstract DESC WATCHDOGS PID_SETTING [VAR=VALUE...]: one run on an
# abstract socket, its environment VAR=VALUE; WATCHDOG_PID is set to
# mtamond's own pid when PID_SETTING is "self" (the shell that sets it
# execs mtamond: same pid).  WATCHDOGS: "none" or "some" expected.
run_abstract()
{
    local desc=$1 want=$2 pid_setting=$3
    shift 3
    ABSTRACT="@mtamon-it-$$-$RANDOM"
    RX="$IT_TMP/notify.abstract.$RANDOM"
    start_receiver RX_PID "$ABSTRACT" "$RX"
    env NOTIFY_SOCKET="$ABSTRACT" "$@" sh -c '
        if [ "$1" = self ]; then WATCHDOG_PID=$$; export WATCHDOG_PID; fi
        shift
        exec "$@"' sh "$pid_setting" "$MTAMOND" -f -e -c "$IT_TMP/mtamon.yaml" \
        >>"$SNMP_AGENT_LOG" 2>&1 </dev/null &
    SNMP_AGENT_PID=$!
    IT_PIDS+=("$SNMP_AGENT_PID")
    if wait_until 20 file_has_text "$RX" "READY=1"; then
        pass "$desc: READY=1 received on $ABSTRACT"
    else
        fail "$desc: READY=1 received on $ABSTRACT" "$(datagrams "$RX")"
    fi
    if [ "$want" = some ]; then
        assert_watchdogs "$desc: WATCHDOG=1 sent repeatedly" "$RX"
    else
        # A window, not a wait for something: with WATCHDOG_USEC=1000000
        # honoured, 3 s would bring about 6 keep-alives.
        sleep 3
    fi
    snmp_stop_agent TERM
    wait_until 10 has_datagram "$RX" "STOPPING=1|STATUS=stopping" ||
        fail "$desc: STOPPING=1 received" "$(datagrams "$RX")"
    if [ "$want" = none ]; then
        assert_eq 0 "$(count_datagrams "$RX" WATCHDOG=1)" "$desc: no WATCHDOG=1"
    fi
    stop_bg "$RX_PID"
}
run_abstract "no WATCHDOG_USEC" none other
run_abstract "WATCHDOG_PID of another process" none other \
    WATCHDOG_USEC=1000000 WATCHDOG_PID=1
run_abstract "WATCHDOG_PID of mtamond itself" some self WATCHDOG_USEC=1000000

# ---------------------------------------------------------------------------
section "snmpd down at start: READY=1 all the same, waiting"

snmp_stop_master
cli --segment "$SEG" counters delete --force
RX="$IT_TMP/notify.waiting"
start_receiver RX_PID "$SOCK_DIR/nw" "$RX"
NOTIFY_SOCKET="$SOCK_DIR/nw" snmp_start_agent "$IT_TMP/mtamon.yaml"
assert_receives "READY=1 without a master, STATUS= says it waits" "$RX" \
    "READY=1|STATUS=waiting for AgentX master at $SNMP_AGENTX_SOCKET (retrying every 1 s); segment $SEG not attached"
snmp_require_agent "mtamond runs without a master"
snmp_start_master || fail "master started"
assert_receives "STATUS= once registered with the master started later" "$RX" \
    "STATUS=registered with AgentX master at $SNMP_AGENTX_SOCKET; segment $SEG not attached"
snmp_stop_agent TERM
stop_bg "$RX_PID"
printf '     datagrams received (snmpd down at start):\n'
sed 's/^/     | /' "$RX"

# ---------------------------------------------------------------------------
section "NOTIFY_SOCKET nobody listens on, or not an address"

: >"$SNMP_AGENT_LOG"
NOTIFY_SOCKET="$SOCK_DIR/nobody" WATCHDOG_USEC=1000000 \
    snmp_start_agent "$IT_TMP/mtamon.yaml"
snmp_wait_agent || fail "mtamond serves with NOTIFY_SOCKET pointing nowhere"
# Several messages fail meanwhile (READY, STATUS, keep-alives every 0.5 s);
# a master restart adds two STATUS= changes.
snmp_restart_master || fail "master restarted"
snmp_wait_agent || fail "mtamond registered again"
snmp_require_agent "mtamond still runs with NOTIFY_SOCKET pointing nowhere"
assert_eq 1 "$(count_in_log "cannot notify the service manager at $SOCK_DIR/nobody")" \
    "one warning for a NOTIFY_SOCKET nobody listens on"
snmp_stop_agent TERM
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond stopped with status 0"

: >"$SNMP_AGENT_LOG"
NOTIFY_SOCKET="run/notify" snmp_start_agent "$IT_TMP/mtamon.yaml"
snmp_wait_agent || fail "mtamond serves with a NOTIFY_SOCKET that is not an address"
assert_eq 1 "$(count_in_log "NOTIFY_SOCKET 'run/notify': neither an absolute path nor an abstract socket name ('@...'): the service manager is not notified")" \
    "one warning for a NOTIFY_SOCKET that is not an address"
snmp_stop_agent TERM

: >"$SNMP_AGENT_LOG"
NOTIFY_SOCKET="$SOCK_DIR/nt" WATCHDOG_USEC=30s snmp_start_agent "$IT_TMP/mtamon.yaml"
snmp_wait_agent || fail "mtamond serves with a malformed WATCHDOG_USEC"
assert_eq 1 "$(count_in_log "WATCHDOG_USEC '30s': not a number of microseconds")" \
    "one warning for a malformed WATCHDOG_USEC"
snmp_stop_agent TERM

# ---------------------------------------------------------------------------
section "the AgentX socket on a read-only mount, as under ProtectSystem=strict"

# conf/mtamond.service gives /var/agentx no ReadWritePaths=: connecting to
# a Unix socket is no write to its file system.  Here the socket's
# directory is bind-mounted read-only in a mount namespace of mtamond's
# own (the system's mounts are not touched), the index file elsewhere.
if ! unshare -m true 2>/dev/null; then
    printf '     (skipped: cannot make a mount namespace here: unshare -m needs CAP_SYS_ADMIN)\n'
else
    mkdir -p "$IT_TMP/rw"
    sed "s|^  index_file: .*|  index_file: $IT_TMP/rw/group-index|" \
        "$IT_TMP/mtamon.yaml" >"$IT_TMP/ro.yaml"
    : >"$SNMP_AGENT_LOG"
    # The shell checks that the mount is read-only, then execs mtamond.
    unshare -m sh -c '
        mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 90
        if touch "$1/rw-probe" 2>/dev/null; then exit 91; fi
        shift
        exec "$@"' sh "$SOCK_DIR" "$MTAMOND" -f -e -c "$IT_TMP/ro.yaml" --pidfile= \
        >>"$SNMP_AGENT_LOG" 2>&1 </dev/null &
    SNMP_AGENT_PID=$!
    IT_PIDS+=("$SNMP_AGENT_PID")
    if snmp_wait_agent; then
        pass "mtamond registers through an AgentX socket on a read-only mount"
    else
        fail "mtamond registers through an AgentX socket on a read-only mount"
    fi
    snmp_stop_agent TERM
    assert_missing "$SOCK_DIR/rw-probe" "the socket's directory was read-only for mtamond"
fi

# ---------------------------------------------------------------------------
section "mtamon-segment.service: creates the segment once, keeps it after"

# unit_value UNIT KEY: the value of KEY= in conf/UNIT.
unit_value()
{
    sed -n "s/^$2=//p" "$IT_TOP_SRCDIR/conf/$1"
}
SEG_EXEC=$(unit_value mtamon-segment.service ExecStart)
SEG_OK=$(unit_value mtamon-segment.service SuccessExitStatus)
assert_eq "/usr/bin/mtamon counters create --group mail" "$SEG_EXEC" \
    "mtamon-segment.service runs counters create for group mail"
if [ "$(id -u)" -ne 0 ] && ! id -Gn | grep -qw mail; then
    printf '     (the runs skipped: only root or a member of group mail can create a segment for group mail)\n'
elif ! getent group mail >/dev/null; then
    printf '     (the runs skipped: no group mail here)\n'
else
    # The unit's command with this build's mtamon, on a segment of the
    # test (MTAMON_SEGMENT, as /etc/default/mtamon-segment would set it).
    read -r -a SEG_ARGV <<<"${SEG_EXEC/\/usr\/bin\/mtamon/$MTAMON}"
    new_segment UNIT_SEG
    MTAMON_SEGMENT=$UNIT_SEG run "${SEG_ARGV[@]}"
    assert_exit 0 "the first run (at boot) creates the segment"
    assert_eq "660 mail" "$(stat_of '%a %G' "$(shm_path "$UNIT_SEG")")" \
        "the segment is mode 0660, group mail"
    emit --segment "$UNIT_SEG" loop tcp_local
    assert_exit 0 "an event counted"
    MTAMON_SEGMENT=$UNIT_SEG run "${SEG_ARGV[@]}"
    assert_contains " $SEG_OK " " $RC " \
        "a second run (a restart) exits with a status SuccessExitStatus= accepts ($RC: $ERR)"
    assert_eq 1 "$(counter "$UNIT_SEG" tcp_local loops_detected)" \
        "a second run leaves the segment and its counters alone"
fi

# ---------------------------------------------------------------------------
section "the units: systemd-analyze verify"

verify_units()
{
    local analyze dir unit out
    analyze=$(command -v systemd-analyze) || {
        printf '     (skipped: systemd-analyze is not installed)\n'
        return 0
    }
    # The units name /usr/bin/mtamon and /usr/sbin/mtamond; verify checks
    # that those exist: a copy runs the programs of this build instead.
    dir="$IT_TMP/units"
    mkdir -p "$dir"
    for unit in "$IT_TOP_SRCDIR"/conf/*.service; do
        sed -e "s#/usr/sbin/mtamond#$MTAMOND#g" -e "s#/usr/bin/mtamon#$MTAMON#g" \
            "$unit" >"$dir/${unit##*/}"
    done
    # --man=no: mtamond(8) is not installed here.  Any output at all (an
    # unknown key, a bad value, a missing program) is a failure, since
    # verify exits 0 on some of them.
    out=$(cd "$dir" && SYSTEMD_LOG_COLOR=0 "$analyze" verify --man=no ./*.service 2>&1)
    RC=$?
    if [ "$RC" -eq 0 ] && [ -z "$out" ]; then
        pass "systemd-analyze verify conf/*.service: no complaint"
    else
        fail "systemd-analyze verify conf/*.service: no complaint" "exit $RC" "$out"
    fi
    # The test can fail: an unknown key is reported.
    printf '[Service]\nType=notify\nWatchdogSecs=30s\nExecStart=%s\n' "$MTAMOND" \
        >"$dir/broken.service"
    out=$(cd "$dir" && SYSTEMD_LOG_COLOR=0 "$analyze" verify --man=no ./broken.service 2>&1)
    assert_contains "$out" "Unknown key 'WatchdogSecs'" "systemd-analyze verify reports a unit's mistake"
}
verify_units

finish
