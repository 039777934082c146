#!/bin/bash
# test_agent_collect.sh - mtamond's collectors behind a private snmpd: the
# queue scanner, partitions, connections and the process watch, served in
# MTA-MIB (mtaGroupTable 4, 7, 12, 23, 32), NETWORK-SERVICES-MIB
# (applOperStatus, applInboundAssociations) and MTAMON-MIB, plus the
# Counter64 twins of the channel counters.
#
# The test builds its own trees and processes:
#
#   queue   kind       tree                                   channel
#   sun     directory  ZZ* files in 000/ and 001/, one too    tcp_local
#                      deep, one that does not match
#   pf      postfix    hashed deferred/ (next attempts in     defer
#                      the future), active/, hold/, maildrop/ (pf/deferred)
#   spool   generic    every file, any depth
#
# and compares exact counts, octets, oldest ids and ages (bounded by the
# clock), next retries; partitions against df(1) of the same paths;
# connections against N connections the test opens to a listener of its
# own; the process watch against a process it starts and kills.

# Helpers set the variables named by their first argument (printf -v):
# shellcheck disable=SC2154

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup

AGENT=$ROOT.1.1
QUEUE=$ROOT.1.2.1
PART=$ROOT.1.3.1
CONN=$ROOT.1.4.1
REMOTE=$ROOT.1.5.1
PROC=$ROOT.1.6.1
HC=$ROOT.1.7.1
NO_INSTANCE="No Such Instance currently exists at this OID"

T=$IT_TMP
NOW=$(date +%s)

# --- the trees ---------------------------------------------------------------

SUN=$T/sun
sized_file "$SUN/000/ZZa1" 1000 $((NOW - 7200))       # oldest
sized_file "$SUN/000/ZZa2" 2000 $((NOW - 60))
sized_file "$SUN/001/ZZb1" 3000 $((NOW - 600))
sized_file "$SUN/001/junk" 9999 $((NOW - 99999))       # not ZZ*
sized_file "$SUN/0/1/2/ZZdeep" 9999 $((NOW - 99999))   # depth 3 > 2

# A Postfix spool: queue files of real records (type, base-128 length,
# data): a size record, a time record (arrival), sender, recipient, end.
PF=$T/pf
python3 - "$PF" "$NOW" <<'EOF'
import os, sys
root, now = sys.argv[1], int(sys.argv[2])

def rec(t, data):
    data = data.encode()
    n, length = len(data), b""
    while True:
        b = n & 0x7f
        n >>= 7
        length += bytes([b | (0x80 if n else 0)])
        if not n:
            break
    return t.encode() + length + data

def qfile(path, content, arrival, mtime):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    body = (rec("C", "%15d %15d %15d %15d %15d" % (content, 200, 0, 1, 0)) +
            rec("T", "%d 0" % arrival) + rec("S", "alice@example.org") +
            rec("R", "bob@example.net") + rec("M", "") +
            rec("N", "x" * 20) + rec("X", "") + rec("E", ""))
    with open(path, "wb") as f:
        f.write(body)
    os.chmod(path, 0o700)   # as cleanup(8) leaves a finished file
    os.utime(path, (mtime, mtime))

qfile(root + "/deferred/A/A1B2C3D4E5", 5000, now - 86400, now + 3600)   # oldest
qfile(root + "/deferred/7/7F00AA11BB", 7000, now - 3600, now + 600)     # next try
qfile(root + "/active/B/BCDEF01234", 100, now - 30, now - 30)
qfile(root + "/hold/C/C0FFEE1234", 300, now - 500, now - 500)
os.makedirs(root + "/incoming", exist_ok=True)
os.makedirs(root + "/maildrop", exist_ok=True)
EOF

SPOOL=$T/spool
sized_file "$SPOOL/a" 10 $((NOW - 10))
sized_file "$SPOOL/x/y/z/b" 20 $((NOW - 20))

# --- a process to watch, a port to connect to ---------------------------------

SLEEPER=$T/mtamon-sleeper
cp "$(command -v sleep)" "$SLEEPER"
PORT=$(free_port)

snmp_start_master || fail "master starts"
new_segment SEG
export MTAMON_SEGMENT=$SEG
emit --segment "$SEG" --create channel tcp_local channel defer channel other \
    enqueue - tcp_local 1 5497558138880 enqueue - tcp_local 2 300 \
    dequeue tcp_local 1 300 first 1200
assert_exit 0 "traffic written (5 TiB into tcp_local)"

snmp_write_agent_config "$T/mtamond.yaml" "
queues:
  - {name: sun, kind: directory, path: $SUN, glob: 'ZZ*', depth: 2, interval: 1}
  - {name: pf, kind: postfix, path: $PF, postqueue: '', interval: 1}
  - {name: spool, kind: generic, path: $SPOOL, interval: 1}
partitions:
  - {name: dev, path: /dev, interval: 1}
  - {name: tmp, path: $T, interval: 1}
connections:
  ports: [$PORT]
  top: 3
  interval: 1
processes:
  interval: 1
  watch:
    - {name: sleeper, executable: mtamon-sleeper, argument: '4242'}
applications:
  - {type: mta, name: MTA}
  - {type: service, name: Sleeper, index: 7, processes: [sleeper], port: $PORT}
channels:
  - {name: tcp_local, index: 1, queue: sun}
  - {name: defer, index: 2, queue: pf/deferred}
  - {name: other, index: 3}"
snmp_start_agent "$T/mtamond.yaml"
snmp_wait_agent || snmp_require_agent

# ------------------------------------------------------------------------
section "queues in mtaGroupTable"

assert_snmp_wait_get "tcp_local: stored messages = the sun queue's 3 files" "$GRP.4.1.1" \
    "Gauge32: 3"
assert_snmp_get "tcp_local: stored volume = 6000 octets = 6 K" "$GRP.7.1.1" "Gauge32: 6"
assert_snmp_get "tcp_local: oldest message id" "$GRP.32.1.1" 'STRING: "ZZa1"'
snmp_get got "$GRP.12.1.1"
snmp_integer n "$got"
assert_in_range "tcp_local: oldest message stored 2 h ago (TimeInterval)" 720000 \
    $(( ($(date +%s) - NOW + 7200) * 100 + 100 )) "$n"
assert_snmp_get "tcp_local: no retry known (directory queue)" "$GRP.23.1.1" "INTEGER: 0"
assert_snmp_get "defer: stored messages = pf/deferred's 2" "$GRP.4.1.2" "Gauge32: 2"
assert_snmp_get "defer: stored volume = 12000 octets (message sizes) = 12 K" \
    "$GRP.7.1.2" "Gauge32: 12"
assert_snmp_get "defer: oldest message id (by arrival, not mtime)" "$GRP.32.1.2" \
    'STRING: "A1B2C3D4E5"'
snmp_get got "$GRP.23.1.2"
snmp_integer n "$got"
assert_in_range "defer: next retry in at most 600 s (TimeInterval)" \
    $(( (NOW + 600 - $(date +%s)) * 100 - 200 )) 60000 "$n"
assert_snmp_get "other: no queue, the segment's stored messages" "$GRP.4.1.3" "Gauge32: 0"
for col in 12 23 32; do
    assert_snmp_get "other: column $col has no instance without a queue" "$GRP.$col.1.3" \
        "$NO_INSTANCE"
done

# ------------------------------------------------------------------------
section "mtamonQueueTable"

# Rows: 1 sun, 2 pf, 3..7 pf/maildrop incoming active deferred hold, 8 spool.
assert_snmp_get "row 1 is sun" "$QUEUE.2.1" 'STRING: "sun"'
assert_snmp_get "row 6 is pf/deferred" "$QUEUE.2.6" 'STRING: "pf/deferred"'
assert_snmp_get "row 8 is spool" "$QUEUE.2.8" 'STRING: "spool"'
assert_snmp_get "no row 9" "$QUEUE.2.9" "$NO_INSTANCE"
assert_snmp_get "pf kind postfix(2)" "$QUEUE.3.2" "INTEGER: 2"
assert_snmp_get "spool kind generic(3)" "$QUEUE.3.8" "INTEGER: 3"
assert_snmp_get "sun path" "$QUEUE.4.1" "STRING: \"$SUN\""
assert_snmp_get "sun status ok(1)" "$QUEUE.5.1" "INTEGER: 1"
for spec in 1:3:6000:ZZa1 2:4:12400:A1B2C3D4E5 3:0:0: 4:0:0: 5:1:100:BCDEF01234 \
    6:2:12000:A1B2C3D4E5 7:1:300:C0FFEE1234 8:2:30:b; do
    IFS=: read -r row msgs vol id <<<"$spec"
    assert_snmp_get "row $row: $msgs messages" "$QUEUE.6.$row" "Gauge32: $msgs"
    assert_snmp_get "row $row: $vol octets" "$QUEUE.7.$row" "Counter64: $vol"
    want="STRING: \"$id\""
    [ -n "$id" ] || want='""'   # snmpget prints an empty string so
    assert_snmp_get "row $row: oldest id '$id'" "$QUEUE.9.$row" "$want"
done
snmp_get got "$QUEUE.8.2"
assert_in_range "pf: oldest 1 day old (s)" 86400 $(( $(date +%s) - NOW + 86401 )) \
    "${got#Gauge32: }"
snmp_get got "$QUEUE.10.6"
assert_in_range "pf/deferred: next retry in ~600 s" $(( NOW + 600 - $(date +%s) - 2 )) 600 \
    "${got#Gauge32: }"
assert_snmp_get "pf: read from the files(1)" "$QUEUE.14.2" "INTEGER: 1"
snmp_get got "$QUEUE.12.1"
assert_in_range "sun: scanned within the last 5 s" 0 5 "${got#Gauge32: }"
assert_snmp_get "sun: no error" "$QUEUE.13.1" '""'

section "a queue that vanishes at run time"
mv "$SPOOL" "$SPOOL.away"
assert_snmp_wait_get "spool: unavailable(2)" "$QUEUE.5.8" "INTEGER: 2" 10
snmp_get got "$QUEUE.13.8"
assert_contains "$got" "$SPOOL: No such file or directory" "spool: the error names the directory"
assert_snmp_get "spool: no figures while unavailable" "$QUEUE.6.8" "Gauge32: 0"
sleep 3   # let three more scans of the missing tree run
assert_eq 1 "$(count_in_log "queue spool: ")" "logged once, not at every scan"
mv "$SPOOL.away" "$SPOOL"
assert_snmp_wait_get "spool: ok(1) again" "$QUEUE.5.8" "INTEGER: 1" 10
assert_eq 1 "$(count_in_log "queue spool: readable again")" "its recovery logged once"

# ------------------------------------------------------------------------
section "mtamonPartitionTable against df"

# df_matches ROW PATH: the row's size, used, available, use%, inodes and
# free inodes are df's for PATH now (polled: the last reading may be a
# second old).  DF_GOT and DF_WANT keep the last comparison.
df_matches()
{
    local size used avail pcent itotal ifree
    read -r size used avail pcent < <(df -B1 --output=size,used,avail,pcent "$2" | tail -n 1)
    read -r itotal ifree < <(df --output=itotal,iavail "$2" | tail -n 1)   # df -i IFree
    local vals
    snmp_get_many vals "$PART.5.$1" "$PART.6.$1" "$PART.7.$1" "$PART.8.$1" \
        "$PART.9.$1" "$PART.10.$1"
    DF_GOT="${vals[0]} ${vals[1]} ${vals[2]} ${vals[3]} ${vals[4]} ${vals[5]}"
    DF_WANT="Counter64: $size Counter64: $used Counter64: $avail Gauge32: ${pcent%\%} Counter64: $itotal Counter64: $ifree"
    [ "$DF_GOT" = "$DF_WANT" ]
}
# /dev (devtmpfs) is quiet on every Linux: exact, every figure.
if wait_until 10 df_matches 1 /dev; then
    pass "partition 1 (/dev) equals df -B1 and df -i"
else
    fail "partition 1 (/dev) equals df -B1 and df -i" "snmp: $DF_GOT" "df:   $DF_WANT"
fi
# The test's directory is on a file system that builds and other tests
# write to while this runs: exact once it holds still for a reading;
# otherwise the fixed figures (size, inodes) exactly and the moving ones
# within 1% of the size, saying so.
if wait_until 30 df_matches 2 "$T"; then
    pass "partition 2 ($T) equals df -B1 and df -i"
else
    read -r -a df_got <<<"${DF_GOT//Counter64: /}"
    read -r -a df_want <<<"${DF_WANT//Counter64: /}"
    assert_eq "${df_want[0]} ${df_want[5]}" "${df_got[0]} ${df_got[5]}" \
        "partition 2 ($T): size and inodes equal df (a busy file system)"
    slack=$((df_want[0] / 100))
    assert_in_range "partition 2: used within 1% of df's" $((df_want[1] - slack)) \
        $((df_want[1] + slack)) "${df_got[1]}"
fi
assert_snmp_get "partition 2 name" "$PART.2.2" 'STRING: "tmp"'
assert_snmp_get "partition 2 path" "$PART.3.2" "STRING: \"$T\""
assert_snmp_get "partition 2 ok(1)" "$PART.4.2" "INTEGER: 1"
assert_snmp_get "partition 2 no error" "$PART.12.2" '""'
assert_snmp_get "no partition 3" "$PART.2.3" "$NO_INSTANCE"

# ------------------------------------------------------------------------
section "connections"

N=5
start_bg LISTENER "$T/listener.out" python3 -c '
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(16)
clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
accepted = [srv.accept()[0] for _ in range(n)]
print("ready", flush=True)
time.sleep(600)' "$PORT" "$N"
wait_for_text "$T/listener.out" ready 10 || fail "the listener is ready" "$(cat "$T/listener.out")"
assert_snmp_wait_get "$N ESTABLISHED to port $PORT" "$CONN.3.$PORT.1" "Gauge32: $N" 10
assert_snmp_get "1 LISTEN on port $PORT" "$CONN.3.$PORT.10" "Gauge32: 1"
assert_snmp_get "0 TIME_WAIT" "$CONN.3.$PORT.6" "Gauge32: 0"
assert_snmp_get "top remote 1: IPv4" "$REMOTE.3.$PORT.1" "INTEGER: 1"
assert_snmp_get "top remote 1: 127.0.0.1" "$REMOTE.4.$PORT.1" 'Hex-STRING: 7F 00 00 01 '
assert_snmp_get "top remote 1: $N connections" "$REMOTE.5.$PORT.1" "Gauge32: $N"
assert_snmp_get "no second remote" "$REMOTE.5.$PORT.2" "$NO_INSTANCE"
assert_snmp_get "the service row's applInboundAssociations" "$APPL.8.7" "Gauge32: $N"
stop_bg "$LISTENER"
assert_snmp_wait_get "none ESTABLISHED after the listener ends" "$CONN.3.$PORT.1" \
    "Gauge32: 0" 10

# ------------------------------------------------------------------------
section "process watch: applOperStatus follows the process"

assert_snmp_wait_get "no sleeper: the service row is down(2)" "$APPL.6.7" "INTEGER: 2" 10
assert_snmp_get "process row: notRunning(2)" "$PROC.3.1" "INTEGER: 2"
start_bg SLEEPER_PID "$T/sleeper.out" "$SLEEPER" 4242
assert_snmp_wait_get "sleeper started: up(1)" "$APPL.6.7" "INTEGER: 1" 10
assert_snmp_get "process row: running(1)" "$PROC.3.1" "INTEGER: 1"
assert_snmp_get "process row: count 1" "$PROC.4.1" "Gauge32: 1"
assert_snmp_get "process row: its pid" "$PROC.7.1" "INTEGER: $SLEEPER_PID"
snmp_get got "$PROC.8.1"
assert_in_range "process row: started within the test" "$NOW" "$(date +%s)" \
    "${got#Gauge32: }"
stop_bg "$SLEEPER_PID"
assert_snmp_wait_get "sleeper killed: down(2)" "$APPL.6.7" "INTEGER: 2" 10
assert_snmp_get "the MTA row (no watch) stays up(1)" "$APPL.6.1" "INTEGER: 1"

# ------------------------------------------------------------------------
section "mtamonGroupHCTable: Counter64 twins of the segment's counters"

assert_snmp_get "received volume: 5 TiB exactly (beyond 2^32)" "$HC.3.1.1" \
    "Counter64: $(counter "$SEG" tcp_local received_volume)"
assert_snmp_get "received volume is 5497558139180" "$HC.3.1.1" "Counter64: 5497558139180"
i=1
for key in received_messages received_recipients received_volume delivered_messages \
    delivered_recipients delivered_volume delivered_first_messages; do
    assert_snmp_get "column $i = $key" "$HC.$i.1.1" \
        "Counter64: $(counter "$SEG" tcp_local "$key")"
    i=$((i + 1))
done
assert_snmp_get "loops detected is column 32" "$HC.32.1.1" "Counter64: 0"
assert_snmp_get "no column 33" "$HC.33.1.1" \
    "No Such Object available on this agent at this OID"

# ------------------------------------------------------------------------
section "MTAMON-MIB scalars"

assert_snmp_get "segment up(1)" "$AGENT.1.0" "INTEGER: 1"
assert_snmp_get "segment name" "$AGENT.2.0" "STRING: \"$SEG\""
snmp_get got "$AGENT.3.0"
if [[ $got =~ ^STRING:\ \"[0-9a-f]{16}\"$ ]]; then
    pass "generation: 16 hex digits"
else
    fail "generation: 16 hex digits" "got: $got"
fi
assert_snmp_get "3 channels" "$AGENT.7.0" "Gauge32: 3"
assert_snmp_get "never cleared" "$AGENT.5.0" "Gauge32: 0"

snmp_stop_agent
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond stops cleanly on SIGTERM"
finish
