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
assert_exit 0 "the segment is created with its channels"

# The handler shipped in conf/ turns each notification into a line.
SNMP_TRAPD_EXTRA="traphandle default $IT_TOP_SRCDIR/conf/mtamon-traphandle $T/handled.log"
snmp_start_master_and_trapd

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
  state_file: $T/alarms.json
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
assert_agent_logs "mtamond logs it" "alarms: 9 configured"

# --- reading what snmptrapd received -----------------------------------------

# traps: one line per MTAMON-MIB notification received, in order:
#   raise|clear SEQ ALARM_INDEX NAME OBJECT VALUE THRESHOLD KIND SEVERITY UPTIME
#   summary SEQ COUNT
# (OBJECT "-" when empty; UPTIME: the master's sysUpTime.0 in the
# notification, hundredths of a second).
traps()
{
    snmp_trap_lines | python3 -c '
import sys
root = "." + sys.argv[1]
for line in sys.stdin:
    d = {}
    for vb in line.rstrip("\n").split("|")[1:]:
        oid, _, val = vb.partition(" = ")
        typ, _, v = val.partition(": ")
        d[oid] = v[1:-1] if typ == "STRING" and v.startswith("\"") else v
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
    uptime = d.get(".1.3.6.1.2.1.1.3.0", "(0)").split(")")[0].lstrip("(")
    print(kind, seq, index.split(".")[0], name, col(4)[1] or "-", col(8)[1],
          threshold, col(5)[1], col(6)[1], uptime)
' "$ROOT"
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
    line=$(traps_of "$name" | sed -n "${n}p" | cut -d' ' -f1,3-9)
    if [[ $line =~ ^$pattern$ ]]; then
        pass "$desc"
    else
        fail "$desc" "notification $n of $name: '$line', expected '$pattern'; all of them:
$(traps_of "$name")" "the end of snmptrapd's log:" "$(snmp_trap_lines | tail -n 3)"
    fi
}

# --- nothing crossed: nothing sent -------------------------------------------

sleep 3
assert_eq 0 "$(traps | wc -l)" \
    "no notification while nothing is crossed"

# --- queue_length: raise, nothing inside resend, re-send, clear ---------------

# The five appear at once (one rename(2) of a directory filled beside the
# empty spool): a check between two of them would raise on 3 or 4.
for i in 1 2 3 4 5; do sized_file "$T/spool.new/m$i" 100 "$(date +%s)"; done
mv -T "$T/spool.new" "$T/spool" || fail "five messages queued at once"
expect_trap "qlen raised: 5 messages >= 3, kind queueLength(7), major(2)" qlen 1 \
    "raise 1 qlen spool 5 3 7 2"
expect_trap "qlen re-sent while raised, still 5 >= 3" qlen 2 "raise 1 qlen spool 5 3 7 2"
# The master's sysUpTime in each: the re-send is no sooner than resend (8 s).
up1=$(traps_of qlen | sed -n 1p | cut -d' ' -f10)
up2=$(traps_of qlen | sed -n 2p | cut -d' ' -f10)
if [ $((up2 - up1)) -ge 800 ]; then
    pass "nothing within the 8 s resend interval: the re-send is $((up2 - up1)) ticks later"
else
    fail "nothing within the 8 s resend interval" "the re-send came $((up2 - up1)) ticks later"
fi
rm -f "$T/spool/m2" "$T/spool/m3"
sleep 3
rm -f "$T/spool/m4"
sleep 3
assert_eq 0 "$(traps_of qlen | grep -c '^clear')" \
    "qlen: at 3, then 2 messages (between the thresholds): no clear"
rm -f "$T/spool/m5"
has_clear_of() { [ "$(traps_of "$1" | grep -c '^clear')" -ge "$2" ]; }
wait_until 20 has_clear_of qlen 1
assert_eq "clear 1 qlen spool 1 2 7 2" "$(traps_of qlen | grep '^clear' | head -n 1 | cut -d' ' -f1,3-9)" \
    "qlen cleared: 1 message < 2"
assert_eq "" "$(traps_of qlen | sed '/^clear/,$d' | cut -d' ' -f1-9 | grep -Ev '^raise [0-9]+ 1 qlen spool [0-9]+ 3 7 2$')" \
    "qlen: only raises of it before the clear (the first, then re-sends)"

# --- queue_age ------------------------------------------------------------------

sized_file "$T/spool/old" 100 $(($(date +%s) - 7200))
expect_trap "qage raised: the oldest is 2 h old (>= 3600 s), queueAge(8), warning(4)" qage 1 \
    "raise 2 qage spool 7[0-9]{3} 3600 8 4"
rm -f "$T/spool/old"
expect_trap "qage cleared once the old message is gone" qage 2 "clear 2 qage spool [0-9]+ 3600 8 4"

# --- failure_rate -------------------------------------------------------------

emit --segment "$SEG" repeat 20 fail tcp_local 1 100 5.1.1 \
    repeat 5 dequeue tcp_local 1 100 first 1000
assert_exit 0 "20 failures and 5 deliveries on tcp_local"
expect_trap "failures raised: 80 % >= 50 %, failureRate(9), critical(1)" failures 1 \
    "raise 3 failures tcp_local 80 50 9 1"
emit --segment "$SEG" repeat 225 dequeue tcp_local 1 100 first 1000
expect_trap "failures cleared: 20 of 250 = 8 % < 20 %" failures 2 \
    "clear 3 failures tcp_local 8 20 9 1"

# --- delivery_time --------------------------------------------------------------

emit --segment "$SEG" repeat 10 dequeue slow 1 100 first 900000
assert_exit 0 "10 messages after 900 s in the queue of slow"
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
qlen_raised_twice() { [ "$(count_in_log "alarm qlen spool raised")" -ge 2 ]; }
wait_until 20 qlen_raised_twice
snmp_start_trapd || { fail "snmptrapd starts again"; finish; }
rm -f "$T/spool/n"*
wait_until 20 has_clear_of qlen 2
assert_eq "clear 1 qlen spool 1 2 7 2" "$(traps_of qlen | grep '^clear' | sed -n 2p | cut -d' ' -f1,3-9)" \
    "the clear of qlen arrives after the lost raise"

# --- the segment ----------------------------------------------------------------------

cli --segment "$SEG" counters delete
assert_exit 0 "the segment is deleted"
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

# For the record: what mtamond sent around the gap.
grep -F "notification #" "$SNMP_AGENT_LOG" | sed -n '/#1[5-9])/p; /#2[0-2])/p' | sed 's/^/     | /'
# The raise sent while snmptrapd was down: its number from mtamond's log.
lost=$(grep -F "alarm qlen spool raised" "$SNMP_AGENT_LOG" | sed -n 2p |
    sed 's/.*notification #\([0-9]*\)).*/\1/')
py_check "sequence numbers" "$(traps | awk '{ print $2 }' | tr '\n' ' ')" "$lost" <<'EOF'
seqs = [int(s) for s in sys.argv[1].split()]
lost = int(sys.argv[2])
check("numbers are increasing", seqs, sorted(seqs))
missing = sorted(set(range(1, max(seqs) + 1)) - set(seqs))
check("exactly one is missing: the raise sent while snmptrapd was down", missing, [lost])
EOF
# conf/mtamon-traphandle, run by snmptrapd (numeric OIDs: no MIB loaded).
assert_contains "$(cat "$T/handled.log" 2>&1)" \
    ": RAISED major qlen spool: queueLength 5 (threshold 3) #1" \
    "the handler: qlen raised"
assert_contains "$(cat "$T/handled.log" 2>&1)" \
    ": CLEARED major qlen spool: queueLength 1 (threshold 2) #" \
    "the handler: qlen cleared"
assert_contains "$(cat "$T/handled.log" 2>&1)" \
    "RAISED critical seg-missing: segmentMissing 1 (threshold 1) #" \
    "the handler: the segment missing, without an object"
assert_eq "$(traps | wc -l)" "$(wc -l <"$T/handled.log")" \
    "the handler: one line per notification snmptrapd got"
assert_agent_logs "mtamond logs it" "alarm qlen spool raised: queue_length 5 >= 3 (major, notification #1)"
assert_agent_logs "mtamond logs it" "alarm qlen spool cleared: queue_length 1 < 2 (major"

# --- the statistics: over SNMP, in the state file, as received -------------------

# Per row, notifications mtamond counts sent (confirmed by the master),
# next to what snmptrapd got: equal, but for qlen's raise lost on the way.
snmp_walk STATS "$ROOT.1.9"
traps >"$T/traps.txt"
py_check "alarm statistics" "$STATS" "$T/traps.txt" "$lost" <<'EOF'
walk, traps, lost = sys.argv[1], open(sys.argv[2]).read().split(), int(sys.argv[3])
root = ".1.3.6.1.4.1.8072.9999.9999.25.1.9."
cells = {}
for line in walk.splitlines():
    oid, _, val = line.partition(" = ")
    if oid.startswith(root):
        cells[oid[len(root):]] = val.split(": ", 1)[-1].strip("\"")
got = {}
for line in open(sys.argv[2]):
    f = line.split()
    if f[0] in ("raise", "clear"):
        got[f[3]] = got.get(f[3], 0) + 1
names = {k.split(".", 3)[3]: v for k, v in cells.items() if k.startswith("7.1.3.")}
check("one row per alarm that saw an object", sorted(names.values()),
      sorted(["qlen", "qage", "failures", "slowdelivery", "flood", "sleeper-down",
              "web-down", "seg-missing", "seg-restart"]))
for idx, name in names.items():
    sent = int(cells.get("7.1.16." + idx, -1))
    want = got.get(name, 0) + (1 if name == "qlen" else 0)
    check(name + ": mtamonAlarmSent = notifications snmptrapd received" +
          (" + the lost one" if name == "qlen" else ""), sent, want)
    check(name + ": mtamonAlarmFailed", cells.get("7.1.17." + idx), "0")
    check(name + ": clear(1) now", cells.get("7.1.7." + idx), "1")
total = sum(got.values())
check("mtamonAlarmNotificationsSent = all received + the lost one", cells.get("1.0"), str(total + 1))
check("mtamonAlarmNotificationsFailed", cells.get("2.0"), "0")
check("mtamonAlarmNotificationsPending", cells.get("4.0"), "0")
check("mtamonAlarmLastSequence = the last received", cells.get("5.0"), str(total + 1))
EOF

# mtamon alarms: the same figures from the state file (rewritten within
# a second of the master's last confirmation).
SENT=$(printf '%s\n' "$STATS" | sed -n "s/^\.$ROOT\.1\.9\.1\.0 = Counter32: //p")
state_sent_is() { cli alarms -c "$CONF" --json && [[ $OUT == *"\"sent\": $1,"* ]]; }
wait_until 10 state_sent_is "$SENT"
cli alarms -c "$CONF" --json
assert_exit 0 "mtamon alarms --json reads mtamond's state file"
py_check "mtamon alarms --json" "$OUT" "$STATS" <<'EOF'
doc = json.loads(sys.argv[1])
root = ".1.3.6.1.4.1.8072.9999.9999.25.1.9."
cells = {}
for line in sys.argv[2].splitlines():
    oid, _, val = line.partition(" = ")
    if oid.startswith(root):
        cells[oid[len(root):]] = val.split(": ", 1)[-1].strip("\"")
check("notifications sent = mtamonAlarmNotificationsSent",
      str(doc["notifications"]["sent"]), cells.get("1.0"))
for alarm in doc["alarms"]:
    for row in alarm["rows"]:
        idx = "%d.%d.%s" % (alarm["index"], len(row["object"]),
                            ".".join(str(b) for b in row["object"].encode()))
        if idx.endswith("."):
            idx = idx[:-1]
        check(alarm["name"] + ": raises = mtamonAlarmRaises", str(row["raises"]),
              cells.get("7.1.11." + idx))
        check(alarm["name"] + ": clears = mtamonAlarmClears", str(row["clears"]),
              cells.get("7.1.12." + idx))
        check(alarm["name"] + ": sent = mtamonAlarmSent", str(row["sent"]),
              cells.get("7.1.16." + idx))
EOF

snmp_stop_agent
assert_eq 0 "$SNMP_AGENT_STATUS" \
    "mtamond stops with status 0"
snmp_stop_master
snmp_stop_trapd
finish
