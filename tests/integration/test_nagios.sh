#!/bin/bash
# test_nagios.sh - the Nagios / Icinga commands of conf/nagios run as
# Nagios would run them: each command_line is taken from
# conf/nagios/mtamon-commands.cfg (not retyped here), its macros replaced
# ($USER1$ = check_snmp's directory, $HOSTADDRESS$ = 127.0.0.1,
# $_HOSTSNMP_PORT$ = the private master's port, $ARGn$ = the test's
# arguments) and run with /bin/sh -c against a private snmpd + mtamond.
# The test causes an OK, a WARNING and a CRITICAL state for what the
# commands check (counter segment missing / present, probes up / slow /
# down, stored messages, queue files and their age, message rates, a
# re-created segment) and asserts the plugin's exit status (0, 1, 2) and
# the value in its output.  Every command of the file must be run.
#
# The MIB-name commands (check_mtamon_*_mib) need NETWORK-SERVICES-MIB,
# MTA-MIB and the SNMPv2 modules, which Debian does not ship (non-free
# snmp-mibs-downloader): they run only where ../shared/mibs beside the
# source tree holds them (as in test_agent_mib.sh), with
# MIBDIRS=../shared/mibs:mibs; elsewhere the test says so and leaves them.
#
# Needs check_snmp (monitoring-plugins-standard; scripts/deps --test).

# Helpers set the variables named by their first argument (printf -v):
# shellcheck disable=SC2154

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
CHECK_SNMP=${CHECK_SNMP:-/usr/lib/nagios/plugins/check_snmp}
[ -x "$CHECK_SNMP" ] ||
    skip "$CHECK_SNMP not installed (package monitoring-plugins-standard; scripts/deps --test installs it)"
snmp_setup

CFG="$IT_TOP_SRCDIR/conf/nagios/mtamon-commands.cfg"
IETF_MIBS="$IT_TOP_SRCDIR/../shared/mibs"
COMMANDS="$IT_TMP/commands"

# check_snmp --rate keeps its state here (2.3: NAGIOS_PLUGIN_STATE_DIRECTORY;
# later versions: MP_STATE_PATH), never in /var/lib/monitoring-plugins.
export NAGIOS_PLUGIN_STATE_DIRECTORY="$IT_TMP/plugin-state"
export MP_STATE_PATH="$IT_TMP/plugin-state"
mkdir -p "$NAGIOS_PLUGIN_STATE_DIRECTORY"

QUEUE=$ROOT.1.2.1 # mtamonQueueEntry
PROBE=$ROOT.1.8.1 # mtamonProbeEntry
GEN_OID=$ROOT.1.1.3.0 # mtamonSegmentGeneration

# --- the commands, from the file -----------------------------------------------

# parse_commands CFG OUT: every "define command { ... }" block of CFG as a
# line "NAME<TAB>COMMAND_LINE" in OUT.  A block without command_name or
# command_line, a directive twice, one unknown, an unterminated block or
# a name defined twice is an error (exit 1, the reason on stderr).
parse_commands()
{
    python3 - "$1" "$2" <<'EOF'
import re, sys
src, out = sys.argv[1], sys.argv[2]
cmds, block, where = {}, None, None
def die(n, msg):
    sys.exit("%s:%d: %s" % (src, n, msg))
with open(src) as f:
    for n, line in enumerate(f, 1):
        s = line.strip()
        if not s or s.startswith("#") or s.startswith(";"):
            continue
        if block is None:
            if re.fullmatch(r"define\s+command\s*\{", s):
                block, where = {}, n
                continue
            if s.startswith("define"):
                die(n, "not a command definition: " + s)
            die(n, "text outside a definition: " + s)
        if s == "}":
            for key in ("command_name", "command_line"):
                if key not in block:
                    die(where, "block without " + key)
            if block["command_name"] in cmds:
                die(where, "command defined twice: " + block["command_name"])
            cmds[block["command_name"]] = block["command_line"]
            block = None
            continue
        m = re.fullmatch(r"(\w+)\s+(.*\S)", s)
        if not m:
            die(n, "not a directive: " + s)
        key, value = m.groups()
        if key not in ("command_name", "command_line"):
            die(n, "unknown directive: " + key)
        if key in block:
            die(n, key + " twice in a block")
        block[key] = value
if block is not None:
    die(where, "unterminated block")
if not cmds:
    die(0, "no command")
with open(out, "w") as f:
    for name, line in cmds.items():
        f.write(name + "\t" + line + "\n")
EOF
}

# command_line VAR NAME [ARG...]: NAME's command_line with the macros
# replaced the way Nagios does (plain text, no quoting added); an unknown
# macro left in it fails the test (the line goes to VAR all the same).
command_line()
{
    local _var=$1 _name=$2 _line
    shift 2
    _line=$(python3 - "$COMMANDS" "$_name" "$(dirname "$CHECK_SNMP")" "$SNMP_PORT" "$@" <<'EOF'
import re, sys
path, name, user1, port = sys.argv[1:5]
args = sys.argv[5:]
lines = dict(l.rstrip("\n").split("\t", 1) for l in open(path))
if name not in lines:
    sys.exit("no command " + name)
macros = {"USER1": user1, "HOSTADDRESS": "127.0.0.1", "_HOSTSNMP_PORT": port}
for i, a in enumerate(args, 1):
    macros["ARG%d" % i] = a
def sub(m):
    if m.group(1) not in macros:
        sys.exit("unknown macro $%s$ in %s" % (m.group(1), name))
    return macros[m.group(1)]
print(re.sub(r"\$([A-Z0-9_]+)\$", sub, lines[name]))
EOF
    ) || fail "command $_name: its command_line with the macros replaced" "$_line"
    printf -v "$_var" '%s' "$_line"
}

declare -A RAN                          # command name -> 1 once run
MIB_ENV=()                              # env for the MIB-name commands

# check NAME [ARG...]: run NAME's command line with /bin/sh -c (as Nagios
# does for a line with quotes), printing it and the plugin's answer; RC
# and OUT are the plugin's exit status and output.
check()
{
    local name=$1 line
    shift
    command_line line "$name" "$@"
    RAN[$name]=1
    run env "${MIB_ENV[@]}" /bin/sh -c "$line"
    printf '  $ %s\n  %s%s[exit %s]\n' "$line" "$OUT" "${ERR:+ (stderr: $ERR) }" "$RC"
}

# assert_check STATUS NEEDLE DESC NAME [ARG...]: run the check; it exits
# STATUS (0 OK, 1 WARNING, 2 CRITICAL) and its output contains NEEDLE.
assert_check()
{
    local status=$1 needle=$2 desc=$3
    shift 3
    check "$@"
    assert_exit "$status" "$desc: exit $status"
    assert_contains "$OUT" "$needle" "$desc: output has '$needle'"
}

# rate_value: the first number of the last output after " - " (the
# label has no digit), its *s (threshold crossed) removed.
rate_value()
{
    [[ ${OUT#* - } =~ ^[^0-9|*-]*\*?(-?[0-9][0-9.]*) ]] && printf '%s' "${BASH_REMATCH[1]}"
}

# Rates: check_snmp divides by whole seconds between two runs of one
# command line, and refuses two in the same second.  rate_check runs the
# check between two readings of the clock (RATE_T0 before, RATE_T1
# after); next_second waits until the clock has passed RATE_T1.
RATE_T0=0 RATE_T1=0
rate_check()
{
    RATE_T0=$(date +%s)
    check "$@"
    RATE_T1=$(date +%s)
}
second_passed() { [ "$(date +%s)" -gt "$1" ]; }
next_second() { wait_until 5 second_passed "$RATE_T1"; }

# assert_rate_in DESC EVENTS T_FIRST_0 T_FIRST_1: the rate in the last
# output is EVENTS * 60 per however many whole seconds can have passed
# between the first run (between T_FIRST_0 and T_FIRST_1) and this one.
assert_rate_in()
{
    local desc=$1 events=$2 v
    v=$(rate_value)
    if python3 - "$v" "$events" "$3" "$4" "$RATE_T0" "$RATE_T1" <<'EOF'
import sys
v, ev, a0, a1, b0, b1 = sys.argv[1], *map(int, sys.argv[2:])
lo, hi = ev * 60.0 / max(b1 - a0, 1), ev * 60.0 / max(b0 - a1, 1)
sys.exit(0 if lo - 0.5 <= float(v) <= hi + 0.5 else 1)
EOF
    then
        pass "$desc: rate $v = $2 events * 60 / the seconds between the runs"
    else
        fail "$desc: rate = $2 events * 60 / the seconds between the runs" \
            "output: $OUT" "runs: [$3, $4] and [$RATE_T0, $RATE_T1]"
    fi
}

section "parsing $CFG"
[ -f "$CFG" ] || { fail "$CFG exists"; finish; }
run parse_commands "$CFG" "$COMMANDS"
assert_exit 0 "the command definitions parse"
mapfile -t NAMES < <(cut -f1 "$COMMANDS")
assert_eq 22 "${#NAMES[@]}" "22 commands (11 by number, 11 by MIB name)"
for n in "${NAMES[@]}"; do
    case $n in
    *_mib) assert_contains "$(grep "^$n	" "$COMMANDS")" " -m " "$n loads its MIB (-m)" ;;
    *) assert_not_contains "$(grep "^$n	" "$COMMANDS" | cut -f2)" "MIB::" \
           "$n uses numeric OIDs only" ;;
    esac
done
# The parser rejects what would hide a command.
mkdir -p "$IT_TMP/bad"
sed '0,/command_line/{/command_line/d}' "$CFG" >"$IT_TMP/bad/no-line.cfg"
run parse_commands "$IT_TMP/bad/no-line.cfg" "$IT_TMP/bad/out"
assert_exit 1 "a block without command_line is an error"
assert_contains "$ERR" "block without command_line" "... saying so"
sed '$d' "$CFG" >"$IT_TMP/bad/open.cfg"
run parse_commands "$IT_TMP/bad/open.cfg" "$IT_TMP/bad/out"
assert_contains "$ERR" "unterminated block" "an unterminated block is an error"
sed 's/^    command_line /    commandline /' "$CFG" >"$IT_TMP/bad/typo.cfg"
run parse_commands "$IT_TMP/bad/typo.cfg" "$IT_TMP/bad/out"
assert_contains "$ERR" "unknown directive: commandline" "an unknown directive is an error"
{ cat "$CFG"; sed -n '/^define command {/,/^}/p' "$CFG" | head -4; } >"$IT_TMP/bad/twice.cfg"
run parse_commands "$IT_TMP/bad/twice.cfg" "$IT_TMP/bad/out"
assert_contains "$ERR" "command defined twice" "a command defined twice is an error"

# mtamon-services.cfg: every check_command names a command of the file
# with as many arguments as its command line uses ($ARG1$..$ARGn$).
run python3 - "$IT_TOP_SRCDIR/conf/nagios/mtamon-services.cfg" "$COMMANDS" <<'EOF'
import re, sys
lines = dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[2]))
n = 0
for m in re.finditer(r"^\s*check_command\s+(\S.*?)\s*$", open(sys.argv[1]).read(), re.M):
    name, *args = m.group(1).split("!")
    n += 1
    if name not in lines:
        print("unknown command: " + name)
        continue
    want = max([int(a) for a in re.findall(r"\$ARG(\d+)\$", lines[name])] or [0])
    if len(args) != want:
        print("%s: %d arguments, its command line uses %d" % (m.group(1), len(args), want))
print("%d services" % n)
EOF
assert_eq "12 services" "$OUT" "mtamon-services.cfg: 12 services, each with a known command and its arguments"

HAVE_MIBS=0
if [ -f "$IETF_MIBS/MTA-MIB.txt" ] && [ -f "$IETF_MIBS/NETWORK-SERVICES-MIB.txt" ]; then
    HAVE_MIBS=1
    MIB_ENV=("MIBDIRS=$IETF_MIBS:$IT_TOP_SRCDIR/mibs")
else
    printf 'note: %s lacks the IETF MIBs: the *_mib commands are not run\n' "$IETF_MIBS"
fi
# mib_check STATUS NEEDLE DESC NAME [ARG...]: assert_check of a MIB-name
# command, when the MIBs are there.
mib_check()
{
    [ "$HAVE_MIBS" = 1 ] || return 0
    assert_check "$@"
}

# --- the world the checks look at ----------------------------------------------

section "master, mtamond, probe targets"
# A TCP server that answers an HTTP request after 0.5 s: up for a tcp
# probe (connect), slow for an http probe with slow: 0.2.
cat >"$IT_TMP/slow_http.py" <<'EOF'
import socket, sys, threading, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % s.getsockname()[1])
def serve(c):
    try:
        c.settimeout(5)
        c.recv(4096)
        time.sleep(0.5)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
start_bg HTTP_PID "$IT_TMP/slow_http.out" python3 "$IT_TMP/slow_http.py" "$IT_TMP/http.port"
wait_until 10 test -s "$IT_TMP/http.port" || { fail "the probe target listens"; finish; }
HTTP_PORT=$(cat "$IT_TMP/http.port")
CLOSED=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

QDIR="$IT_TMP/queue"
mkdir -p "$QDIR"
new_segment SEG
MTAMON_SEGMENT=$SEG
snmp_write_agent_config "$IT_TMP/mtamon.yaml" "
queues:
  - {name: spool, kind: generic, path: $QDIR, interval: 1}
probes:
  - {name: fast, kind: tcp, address: '127.0.0.1:$HTTP_PORT', interval: 1, timeout: 5}
  - {name: slow, kind: http, address: '127.0.0.1:$HTTP_PORT', interval: 1, timeout: 5, slow: 0.2}
  - {name: closed, kind: tcp, address: '127.0.0.1:$CLOSED', interval: 1, timeout: 2}
applications:
  - {type: mta, index: 1, name: MTA}
  - {type: service, index: 2, name: Slow, probe: slow}
  - {type: service, index: 3, name: Closed, probe: closed}
channels:
  - {name: tcp_local, index: 3}
  - {name: ims-ms, index: 5}"
snmp_start_master || { fail "snmpd answers on 127.0.0.1"; finish; }
snmp_start_agent "$IT_TMP/mtamon.yaml"
snmp_wait_agent || { fail "mtamond registers"; finish; }
pass "snmpd on 127.0.0.1:$SNMP_PORT, mtamond registered"

# --- applOperStatus and probes ---------------------------------------------------

section "applOperStatus: the MTA without a segment is down"
assert_check 2 "applOperStatus *2*" "MTA row, segment missing: CRITICAL" \
    check_mtamon_status public 1
mib_check 2 "applOperStatus *2*" "MTA row by name, segment missing: CRITICAL" \
    check_mtamon_status_mib public 1

cli --segment "$SEG" counters create
assert_exit 0 "mtamon counters create"
emit --segment "$SEG" channel tcp_local channel ims-ms
assert_exit 0 "channels tcp_local and ims-ms registered"
assert_snmp_wait_get "applOperStatus.1 up(1)" "$APPL.6.1" "INTEGER: 1"
assert_snmp_wait_get "probe fast up(1)" "$PROBE.6.1" "INTEGER: 1"
assert_snmp_wait_get "probe slow slow(2)" "$PROBE.6.2" "INTEGER: 2"
assert_snmp_wait_get "probe closed down(3)" "$PROBE.6.3" "INTEGER: 3"

section "applOperStatus: up, congested, down"
assert_check 0 "applOperStatus 1 " "MTA row, segment there: OK" check_mtamon_status public 1
assert_check 1 "applOperStatus *4*" "service row, probe slow (congested): WARNING" \
    check_mtamon_status public 2
assert_check 2 "applOperStatus *2*" "service row, probe down: CRITICAL" \
    check_mtamon_status public 3
mib_check 0 "applOperStatus 1 " "by name: up(1) OK" check_mtamon_status_mib public 1
mib_check 1 "applOperStatus *4*" "by name: congested(4) WARNING" check_mtamon_status_mib public 2
mib_check 2 "applOperStatus *2*" "by name: down(2) CRITICAL" check_mtamon_status_mib public 3

section "mtamonProbeState"
assert_check 0 "mtamonProbeState 1 " "probe up: OK" check_mtamon_probe public 1
assert_check 1 "mtamonProbeState *2*" "probe slow: WARNING" check_mtamon_probe public 2
assert_check 2 "mtamonProbeState *3*" "probe down: CRITICAL" check_mtamon_probe public 3
mib_check 0 "mtamonProbeState 1 " "by name: up(1) OK" check_mtamon_probe_mib public 1
mib_check 1 "mtamonProbeState *2*" "by name: slow(2) WARNING" check_mtamon_probe_mib public 2
mib_check 2 "mtamonProbeState *3*" "by name: down(3) CRITICAL" check_mtamon_probe_mib public 3

section "mtaGroupName: a string, quoted by number, bare by name"
assert_check 0 '"tcp_local"' "1.3 is tcp_local: OK" check_mtamon_channel_name public 1.3 tcp_local
assert_check 2 '"ims-ms"' "1.5 is not tcp_local: CRITICAL" \
    check_mtamon_channel_name public 1.5 tcp_local
mib_check 0 "mtaGroupName tcp_local" "by name, 1.3 is tcp_local: OK" \
    check_mtamon_channel_name_mib public 1.3 tcp_local
mib_check 2 "ims-ms" "by name, 1.5 is not tcp_local: CRITICAL" \
    check_mtamon_channel_name_mib public 1.5 tcp_local

# --- stored messages -------------------------------------------------------------

section "mtaGroupStoredMessages: 5, 25, 125 against 10 and 100"
for step in "5 0" "20 1" "100 2"; do
    read -r n status <<<"$step"
    emit --segment "$SEG" repeat "$n" enqueue - tcp_local 1 100
    assert_exit 0 "$n messages stored on tcp_local"
    stored=$(counter "$SEG" tcp_local stored_messages)
    [ "$stored" = none ] && { snmp_get v "$GRP.4.1.3"; stored=${v#Gauge32: }; }
    assert_check "$status" "mtaGroupStoredMessages $( [ "$status" = 0 ] || printf '*')$stored" \
        "$stored stored" check_mtamon_stored public 1.3 10 100
    mib_check "$status" "$stored" "by name: $stored stored" check_mtamon_stored_mib public 1.3 10 100
done

# --- queue directory ---------------------------------------------------------------

section "mtamonQueueMessages and mtamonQueueOldestAge"
NOW=$(date +%s)
queue_is() { snmp_get_is "$QUEUE.6.1" "Gauge32: $1" && snmp_get_is "$QUEUE.5.1" "INTEGER: 1"; }
queue_case()
{
    local files=$1 status=$2 age
    wait_until 20 queue_is "$files" || fail "queue scanned: $files files" "last: $SNMP_WAIT_GOT"
    assert_check "$status" "mtamonQueueMessages $( [ "$status" = 0 ] || printf '*')$files" \
        "$files files" check_mtamon_queue_messages public 1 2 5
    mib_check "$status" "$files" "by name: $files files" check_mtamon_queue_messages_mib public 1 2 5
    # The age grows while the test runs: the check's figure is at least
    # the one read just before it.
    snmp_get age "$QUEUE.8.1"
    age=${age#Gauge32: }
    check check_mtamon_queue_oldest public 1 600 3600
    assert_exit "$status" "oldest message $age s: exit $status"
    assert_in_range "oldest message: the output's figure" "$age" $((age + 60)) "$(rate_value)"
    if [ "$HAVE_MIBS" = 1 ]; then
        check check_mtamon_queue_oldest_mib public 1 600 3600
        assert_exit "$status" "by name: oldest message: exit $status"
        assert_in_range "by name: oldest message: the output's figure" "$age" $((age + 60)) \
            "$(rate_value)"
    fi
}
queue_case 0 0
sized_file "$QDIR/a" 100 $((NOW - 1000))
sized_file "$QDIR/b" 100 "$NOW"
sized_file "$QDIR/c" 100 "$NOW"
queue_case 3 1
sized_file "$QDIR/d" 100 $((NOW - 7200))
sized_file "$QDIR/e" 100 "$NOW"
sized_file "$QDIR/f" 100 "$NOW"
queue_case 6 2

# --- rates --------------------------------------------------------------------------

# rate_case DESC STATUS EVENTS EMIT_ARGS -- NAME ARG...: a first run
# (records, OK), EMIT_ARGS (EVENTS events), a second run a second later
# or more: STATUS, and the rate in the output is EVENTS a minute per
# second passed.  An empty EMIT_ARGS: no traffic between the runs.
rate_case()
{
    local desc=$1 status=$2 events=$3 emit_args=() t0 t1
    shift 3
    while [ "$1" != -- ]; do emit_args+=("$1"); shift; done
    shift
    rate_check "$@"
    assert_exit 0 "$desc: the first run records the value: OK"
    assert_contains "$OUT" "No previous data" "$desc: ... saying so"
    t0=$RATE_T0 t1=$RATE_T1
    if [ "${#emit_args[@]}" -gt 0 ]; then
        emit --segment "$SEG" "${emit_args[@]}"
        assert_exit 0 "$desc: $events events"
    fi
    next_second
    rate_check "$@"
    assert_exit "$status" "$desc: exit $status"
    assert_rate_in "$desc" "$events" "$t0" "$t1"
}

section "rates per minute"
rate_case "received, 1000 in, at least 10 and 1 a minute" 0 1000 \
    repeat 1000 enqueue - tcp_local 1 10 -- check_mtamon_received_rate public 1.3 10: 1:
next_second
rate_check check_mtamon_received_rate public 1.3 10: 1:
assert_exit 2 "received, nothing more came in: CRITICAL (below 1 a minute)"
assert_contains "$OUT" "*0*" "... the rate is 0"
rate_case "failed, 100 failures, warning above 10" 1 100 \
    repeat 100 fail tcp_local 1 10 5.1.1 -- check_mtamon_failed_rate public 1.3 10 1000000
rate_case "rejected, 1000 rejections, critical above 100" 2 1000 \
    repeat 1000 reject tcp_local 1 10 5.7.1 "relaying denied" -- \
    check_mtamon_rejected_rate public 1.3 10 100
# mtaGroupErrorTable: the row of 5.7.1 exists since the rejections above.
rate_case "errors 5.7.1, none since: OK" 0 0 -- check_mtamon_error_rate public 1.3.5007001 10 100
rate_case "errors 5.7.1, 1000 more: CRITICAL" 2 1000 \
    repeat 1000 reject tcp_local 1 10 5.7.1 "relaying denied" -- \
    check_mtamon_error_rate public 1.3.5007001 10 50
assert_contains "$OUT" " internal errors/min 0 outbound errors/min 0 " \
    "errors 5.7.1: the rejections are inbound errors, none internal or outbound"
if [ "$HAVE_MIBS" = 1 ]; then
    rate_case "by name, received" 0 500 repeat 500 enqueue - tcp_local 1 10 -- \
        check_mtamon_received_rate_mib public 1.3 10: 1:
    rate_case "by name, failed" 1 100 repeat 100 fail tcp_local 1 10 5.1.1 -- \
        check_mtamon_failed_rate_mib public 1.3 10 1000000
    rate_case "by name, rejected" 2 1000 repeat 1000 reject tcp_local 1 10 5.7.1 x -- \
        check_mtamon_rejected_rate_mib public 1.3 10 100
    rate_case "by name, errors 5.7.1" 2 1000 repeat 1000 reject tcp_local 1 10 5.7.1 x -- \
        check_mtamon_error_rate_mib public 1.3.5007001 10 100
fi

# --- counters restarted --------------------------------------------------------------

section "check_mtamon_restart: applUptime changes when the segment is re-created"
restart_steady()
{
    local name=$1 i
    rate_check "$name" public 1
    assert_exit 0 "$name: the first run records applUptime: OK"
    # applUptime is a TimeStamp: the same at every run (it used to move by
    # a tick of rounding, which this would catch in some of the runs).
    for i in 1 2 3; do
        next_second
        rate_check "$name" public 1
        assert_exit 0 "$name: unchanged, run $i: OK"
        assert_eq 0 "$(rate_value)" "$name: unchanged, run $i: rate 0"
    done
}
restart_steady check_mtamon_restart
[ "$HAVE_MIBS" = 1 ] && restart_steady check_mtamon_restart_mib
snmp_get before "$APPL.5.1"
snmp_ticks up_before "$before"
snmp_get gen_before "$GEN_OID"
cli --segment "$SEG" counters delete
assert_exit 0 "mtamon counters delete"
cli --segment "$SEG" counters create
assert_exit 0 "mtamon counters create: the counters restart"
generation_changed() { snmp_get g "$GEN_OID" && [ "$g" != "$gen_before" ] && [[ $g == STRING:\ \"?* ]]; }
wait_until 20 generation_changed || fail "mtamond sees the new segment" "last: $g"
snmp_get after "$APPL.5.1"
snmp_ticks up_after "$after"
if [ -n "$up_before" ] && [ -n "$up_after" ] && [ "$up_after" -gt "$up_before" ]; then
    pass "re-created: applUptime goes UP ($up_before -> $up_after ticks), not down"
else
    fail "re-created: applUptime goes up" "before: $before" "after: $after"
fi
next_second
rate_check check_mtamon_restart public 1
assert_exit 1 "re-created: check_mtamon_restart WARNING"
assert_contains "$OUT" "applUptime change *" "... output marks the rate"
rate_value_now=$(rate_value)
assert_ne 0 "$rate_value_now" "... the rate is not 0 ($rate_value_now)"
if [ "$HAVE_MIBS" = 1 ]; then
    rate_check check_mtamon_restart_mib public 1
    assert_exit 1 "by name, re-created: WARNING"
fi
next_second
rate_check check_mtamon_restart public 1
assert_exit 0 "the next run: OK again (the rate is 0)"

# --- a wrong command line is caught ------------------------------------------------

section "a wrong OID fails"
# The same parse and run on a copy with applOperStatus' column 6 made 66:
# the check must not say OK (the test of a wrong file fails).
sed 's/\.1\.3\.6\.1\.2\.1\.27\.1\.1\.6\./.1.3.6.1.2.1.27.1.1.66./' "$CFG" >"$IT_TMP/bad/oid.cfg"
parse_commands "$IT_TMP/bad/oid.cfg" "$IT_TMP/bad/commands" || fail "the broken copy parses"
saved=$COMMANDS
COMMANDS="$IT_TMP/bad/commands"
check check_mtamon_status public 1
COMMANDS=$saved
assert_ne 0 "$RC" "check_mtamon_status with a wrong OID is not OK (exit $RC)"

section "every command was run"
for n in "${NAMES[@]}"; do
    case $n in
    *_mib) [ "$HAVE_MIBS" = 1 ] || continue ;;
    esac
    if [ -n "${RAN[$n]:-}" ]; then
        pass "$n was run"
    else
        fail "$n was run"
    fi
done

snmp_stop_agent TERM
snmp_stop_master
[ "$IT_FAILED" -ne 0 ] && snmp_show_logs
finish
