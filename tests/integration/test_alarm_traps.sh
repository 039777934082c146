#!/bin/bash
# test_alarm_traps.sh - alarms end to end: mtamond checks them, sends
# MTAMON-MIB notifications through the AgentX master, which forwards
# them to a private snmptrapd; the test causes each crossing and reads
# what snmptrapd logged.
#
#   alarm          kind               the test makes it cross by
#   qlen           queue_length       files in a generic queue (raise 3, clear 2)
#   qage           queue_age          a file 2 h old in it (raise 3600 s)
#   failures       failure_rate       20 failed of 25 on tcp_local (raise 50 %)
#   slowdelivery   delivery_time      10 dequeues after 900 s on slow (raise 600 s)
#   flood          connections        6 connections from 127.0.0.1 (raise 5)
#   sleeper-down   process_down       killing the process of a pidfile
#   web-down       probe_down         stopping the listener of a tcp probe
#                                     (2 failed checks)
#   seg-missing    segment_missing    deleting the segment
#   seg-restart    segment_restarted  re-creating it
#
# and back for each: one raise, then one clear, with the varbinds of
# MTAMON-MIB (name, kind, object, value, threshold, severity, sequence).
# qlen also shows a re-send after its resend interval and nothing while
# it stays raised inside it; the sequence numbers have no gap, except
# where the test stopped snmptrapd for one notification.  The state
# machine's corner cases are test_alarm's (unit).

# Helpers set the variables named by their first argument (printf -v):
# shellcheck disable=SC2154

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup

ROOT=1.3.6.1.4.1.8072.9999.9999.25
RAISED=$ROOT.0.1
CLEARED=$ROOT.0.2
T=$IT_TMP

# --- the fixtures -------------------------------------------------------------

mkdir -p "$T/spool"
# Listeners: flood's port (connections counted), web's port (the probe).
# listen.py [PORT]: accept and hold connections, closing each when its
# client does (so a closed one leaves the kernel's table); print the port.
cat >"$T/listen.py" <<'EOF'
import selectors, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        if key.fileobj is s:
            c, _ = s.accept()
            sel.register(c, selectors.EVENT_READ)
            continue
        try:
            data = key.fileobj.recv(4096)
        except OSError:
            data = b""
        if not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
EOF
start_bg FLOOD_PID "$T/flood.port" python3 "$T/listen.py"
start_bg WEB_PID "$T/web.port" python3 "$T/listen.py"
wait_until 10 test -s "$T/flood.port" && wait_until 10 test -s "$T/web.port" ||
    { fail "the listeners start"; finish; }
FLOOD_PORT=$(cat "$T/flood.port")
WEB_PORT=$(cat "$T/web.port")
start_bg SLEEPER_PID /dev/null sleep 3600
printf '%s\n' "$SLEEPER_PID" >"$T/sleeper.pid"

new_segment MTAMON_SEGMENT
SEG=$MTAMON_SEGMENT
emit --segment "$SEG" --create channel tcp_local channel slow
assert_exit "the segment is created with its channels" 0

# The handler shipped in conf/ turns each notification into a line.
SNMP_TRAPD_EXTRA="traphandle default $IT_TOP_SRCDIR/conf/mtamon-traphandle $T/handled.log"
snmp_start_trapd || { fail "snmptrapd starts"; finish; }
SNMP_MASTER_EXTRA="trap2sink 127.0.0.1:$SNMP_TRAP_PORT public"
snmp_start_master || { fail "master starts"; finish; }

CONF=$T/mtamon.yaml
snmp_write_agent_config "$CONF" "channels:
  - name: tcp_local
  - name: slow
queues:
  - name: spool
    kind: generic
    path: $T/spool
    interval: 1
connections:
  ports: [$FLOOD_PORT]
  interval: 1
processes:
  interval: 1
  watch:
    - name: sleeper
      pidfile: $T/sleeper.pid
probes:
  - name: web
    kind: tcp
    address: 127.0.0.1:$WEB_PORT
    interval: 1
    timeout: 1
alarm_options:
  max_notifications_per_second: 100
alarms:
  - name: qlen
    kind: queue_length
    queues: [spool]
    raise: 3
    clear: 2
    interval: 1
    resend: 8
    severity: major
  - name: qage
    kind: queue_age
    queues: spool
    raise: 3600
    interval: 1
  - name: failures
    kind: failure_rate
    channels: [tcp_local]
    raise: 50
    clear: 20
    interval: 1
    window: 60
    min_messages: 10
    severity: critical
  - name: slowdelivery
    kind: delivery_time
    channels: [slow]
    raise: 600
    clear: 300
    interval: 1
    window: 60
    min_messages: 5
  - name: flood
    kind: connections
    ports: [$FLOOD_PORT]
    raise: 5
    clear: 3
    interval: 1
    severity: minor
  - name: sleeper-down
    kind: process_down
    processes: [sleeper]
    interval: 1
  - name: web-down
    kind: probe_down
    probes: [web]
    raise: 2
    clear: 1
    interval: 1
  - name: seg-missing
    kind: segment_missing
    interval: 1
    severity: critical
  - name: seg-restart
    kind: segment_restarted
    interval: 1"
snmp_start_agent "$CONF"
snmp_wait_agent || snmp_require_agent "mtamond starts"
wait_for_text "$SNMP_AGENT_LOG" "alarms: 9 configured" 10
assert_agent_logs "alarms: 9 configured"

# --- reading what snmptrapd received -----------------------------------------

# traps: one line per MTAMON-MIB notification received, in order:
#   raise|clear SEQ ALARM_INDEX NAME OBJECT VALUE THRESHOLD KIND SEVERITY
#   summary SEQ COUNT
# (OBJECT "-" when empty).
traps()
{
    python3 - "$SNMP_TRAPD_LOG" "$ROOT" <<'EOF'
import sys
log, root = sys.argv[1], "." + sys.argv[2]
for line in open(log, errors="replace"):
    if not line.startswith("TRAP|"):
        continue
    d = {}
    for vb in line.rstrip("\n").split("|")[1:]:
        oid, _, val = vb.partition(" = ")
        typ, _, v = val.partition(": ")
        d[oid] = v[1:-1] if typ == "STRING" and v.startswith('"') else v
    trap = d.get(".1.3.6.1.6.3.1.1.4.1.0", "")
    if not trap.startswith(root + ".0."):
        continue
    kind = {"1": "raise", "2": "clear", "3": "summary"}.get(trap.rsplit(".", 1)[1], "?")
    seq = d.get(root + ".1.9.8.0", "-")
    if kind == "summary":
        print(kind, seq, d.get(root + ".1.9.9.0", "-"))
        continue
    def col(c):
        for o, v in d.items():
            if o.startswith("%s.1.9.7.1.%d." % (root, c)):
                return o[len("%s.1.9.7.1.%d." % (root, c)):], v
        return "-", "-"
    index, name = col(3)
    threshold = col(9 if kind == "raise" else 10)[1]
    print(kind, seq, index.split(".")[0], name, col(4)[1] or "-", col(8)[1],
          threshold, col(5)[1], col(6)[1])
EOF
}

# traps_of NAME: the lines of alarm NAME.
traps_of() { traps | awk -v n="$1" '$4 == n'; }
n_traps_of() { traps_of "$1" | wc -l; }
has_traps_of() { [ "$(n_traps_of "$1")" -ge "$2" ]; }

# expect_trap DESC NAME N PATTERN: wait (20 s) until alarm NAME has N
# notifications; the Nth must match the extended regex PATTERN (fields
# from SEQ on: see traps()).
expect_trap()
{
    local desc=$1 name=$2 n=$3 pattern=$4 line
    wait_until 20 has_traps_of "$name" "$n"
    line=$(traps_of "$name" | sed -n "${n}p" | cut -d' ' -f1,3-)
    if [[ $line =~ ^$pattern$ ]]; then
        pass "$desc"
    else
        fail "$desc" "notification $n of $name: '$line', expected '$pattern'; all of them:
$(traps_of "$name")"
    fi
}

# --- nothing crossed: nothing sent -------------------------------------------

sleep 3
assert_eq "no notification while nothing is crossed" 0 "$(traps | wc -l)"

# --- queue_length: raise, nothing inside resend, re-send, clear ---------------

for i in 1 2 3 4 5; do sized_file "$T/spool/m$i" 100 "$(date +%s)"; done
expect_trap "qlen raised: 5 messages >= 3, kind queueLength(7), major(2)" qlen 1 \
    "raise 1 qlen spool 5 3 7 2"
sleep 4
assert_eq "qlen: nothing more within its 8 s resend interval" 1 "$(n_traps_of qlen)"
expect_trap "qlen re-sent after 8 s, still 5 >= 3" qlen 2 "raise 1 qlen spool 5 3 7 2"
rm -f "$T/spool/m2" "$T/spool/m3"
sleep 3
assert_eq "qlen: 3 messages, still raised: no clear" 2 "$(n_traps_of qlen)"
rm -f "$T/spool/m4"
sleep 3
assert_eq "qlen: 2 messages, between the thresholds: no clear" 2 "$(n_traps_of qlen)"
rm -f "$T/spool/m5"
expect_trap "qlen cleared: 1 message < 2" qlen 3 "clear 1 qlen spool 1 2 7 2"

# --- queue_age ------------------------------------------------------------------

sized_file "$T/spool/old" 100 $(($(date +%s) - 7200))
expect_trap "qage raised: the oldest is 2 h old (>= 3600 s), queueAge(8), warning(4)" qage 1 \
    "raise 2 qage spool 7[0-9]{3} 3600 8 4"
rm -f "$T/spool/old"
expect_trap "qage cleared once the old message is gone" qage 2 "clear 2 qage spool [0-9]+ 3600 8 4"

# --- failure_rate -------------------------------------------------------------

emit --segment "$SEG" repeat 20 fail tcp_local 1 100 5.1.1 \
    repeat 5 dequeue tcp_local 1 100 first 1000
assert_exit "20 failures and 5 deliveries on tcp_local" 0
expect_trap "failures raised: 80 % >= 50 %, failureRate(9), critical(1)" failures 1 \
    "raise 3 failures tcp_local 80 50 9 1"
emit --segment "$SEG" repeat 225 dequeue tcp_local 1 100 first 1000
expect_trap "failures cleared: 20 of 250 = 8 % < 20 %" failures 2 \
    "clear 3 failures tcp_local 8 20 9 1"

# --- delivery_time --------------------------------------------------------------

emit --segment "$SEG" repeat 10 dequeue slow 1 100 first 900000
assert_exit "10 messages after 900 s in the queue of slow" 0
expect_trap "slowdelivery raised: 900 s >= 600 s, deliveryTime(10)" slowdelivery 1 \
    "raise 4 slowdelivery slow 900 600 10 4"
emit --segment "$SEG" repeat 100 dequeue slow 1 100 first 1000
expect_trap "slowdelivery cleared: (9000 + 100) s / 110 = 82.73 s < 300 s" slowdelivery 2 \
    "clear 4 slowdelivery slow 82.73 300 10 4"

# --- connections ----------------------------------------------------------------

python3 - "$FLOOD_PORT" "$T/flood.hold" <<'EOF' &
import os, socket, sys, time
port, flag = int(sys.argv[1]), sys.argv[2]
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(6)]
open(flag + ".6", "w").close()
while not os.path.exists(flag + ".2"):
    time.sleep(0.05)
for s in socks[2:]:
    s.close()
while not os.path.exists(flag + ".0"):
    time.sleep(0.05)
EOF
HOLDER_PID=$!
IT_PIDS+=("$HOLDER_PID")
expect_trap "flood raised: 6 connections from 127.0.0.1 >= 5, connections(11), minor(3)" flood 1 \
    "raise 5 flood $FLOOD_PORT/127.0.0.1 6 5 11 3"
touch "$T/flood.hold.2"
expect_trap "flood cleared: 2 connections < 3" flood 2 \
    "clear 5 flood $FLOOD_PORT/127.0.0.1 2 3 11 3"
touch "$T/flood.hold.0"
stop_bg "$HOLDER_PID"

# --- process_down -----------------------------------------------------------------

stop_bg "$SLEEPER_PID"
expect_trap "sleeper-down raised: its pidfile's process is gone, processDown(12)" sleeper-down 1 \
    "raise 6 sleeper-down sleeper 1 1 12 4"
start_bg SLEEPER_PID /dev/null sleep 3600
printf '%s\n' "$SLEEPER_PID" >"$T/sleeper.pid"
expect_trap "sleeper-down cleared: running again" sleeper-down 2 \
    "clear 6 sleeper-down sleeper 0 1 12 4"

# --- probe_down -------------------------------------------------------------------

stop_bg "$WEB_PID"
expect_trap "web-down raised after 2 failed checks, probeDown(4)" web-down 1 \
    "raise 7 web-down web 2 2 4 4"
start_bg WEB_PID "$T/web.port2" python3 "$T/listen.py" "$WEB_PORT"
expect_trap "web-down cleared: the probe passes again" web-down 2 \
    "clear 7 web-down web 0 1 4 4"

# --- a notification lost in transit shows as a gap ----------------------------------

snmp_stop_trapd
for i in 1 2 3; do sized_file "$T/spool/n$i" 100 "$(date +%s)"; done
wait_until 20 test "$(count_in_log "alarm qlen spool raised")" -ge 2
snmp_start_trapd || { fail "snmptrapd starts again"; finish; }
rm -f "$T/spool/n"*
expect_trap "the clear of qlen arrives after the lost raise" qlen 4 "clear 1 qlen spool 1 2 7 2"

# --- the segment ----------------------------------------------------------------------

cli --segment "$SEG" counters delete
assert_exit "the segment is deleted" 0
expect_trap "seg-missing raised: the segment is gone, segmentMissing(13), critical(1)" \
    seg-missing 1 "raise 8 seg-missing - 1 1 13 1"
emit --segment "$SEG" --create channel tcp_local
expect_trap "seg-missing cleared: the segment is back" seg-missing 2 \
    "clear 8 seg-missing - 0 1 13 1"
expect_trap "seg-restart raised: a new generation, segmentRestarted(14)" seg-restart 1 \
    "raise 9 seg-restart - 1 1 14 4"
expect_trap "seg-restart cleared at the next check" seg-restart 2 \
    "clear 9 seg-restart - 0 1 14 4"

# --- sequence numbers -------------------------------------------------------------------

py_check "sequence numbers" "$(traps | awk '{ print $2 }' | tr '\n' ' ')" <<'EOF'
seqs = [int(s) for s in sys.argv[1].split()]
check("numbers are increasing", seqs, sorted(seqs))
missing = sorted(set(range(1, max(seqs) + 1)) - set(seqs))
check("exactly one is missing: the raise sent while snmptrapd was down", len(missing), 1)
EOF
# conf/mtamon-traphandle, run by snmptrapd (numeric OIDs: no MIB loaded).
assert_contains "the handler: qlen raised" "$(cat "$T/handled.log" 2>&1)" \
    ": RAISED major qlen spool: queueLength 5 (threshold 3) #1"
assert_contains "the handler: qlen cleared" "$(cat "$T/handled.log" 2>&1)" \
    ": CLEARED major qlen spool: queueLength 1 (threshold 2) #"
assert_contains "the handler: the segment missing, without an object" \
    "$(cat "$T/handled.log" 2>&1)" "RAISED critical seg-missing: segmentMissing 1 (threshold 1) #"
assert_eq "the handler: one line per notification snmptrapd got" \
    "$(traps | wc -l)" "$(wc -l <"$T/handled.log")"
assert_agent_logs "alarm qlen spool raised: queue_length 5 >= 3 (major, notification #1)"
assert_agent_logs "alarm qlen spool cleared: queue_length 1 < 2 (major"

snmp_stop_agent
assert_eq "mtamond stops with status 0" 0 "$SNMP_AGENT_STATUS"
snmp_stop_master
snmp_stop_trapd
finish
