#!/bin/bash
# test_cli_interval.sh - the interval mode (`--interval SECONDS [--count
# N]`) of `counters show`, `queue`, `probe` and `alarms`: the number of
# reports, totals equal to the events mtamon-emit wrote between them,
# rates consistent with the counts and the elapsed time each JSON line
# gives (rate = delta / elapsed_s, no bound on how long anything took),
# JSON Lines that parse one by one, the compact text layout, SIGINT and
# SIGTERM ending a run cleanly at once (exit 0, whole lines, nothing on
# stderr) even in the middle of a 60 s wait, a re-created segment and a
# clear between reports (a restart line, never a negative rate), and bad
# option values (64).
#
# Run by `make check`; by hand: cd BUILDDIR && SRCDIR/tests/integration/test_cli_interval.sh

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_program "$MTAMON"

T=$IT_TMP
export TZ=UTC

# lines FILE: the number of lines in FILE (0 when missing).
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# has_lines FILE N: FILE has at least N lines.
# shellcheck disable=SC2317 # called through wait_until
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }

# watch_bg VAR OUT ERR CMD...: start CMD in the background, stdout in
# OUT and stderr in ERR (start_bg mixes them), its PID in VAR.
watch_bg()
{
    local var=$1 out=$2 err=$3
    shift 3
    "$@" >"$out" 2>"$err" </dev/null &
    local pid=$!
    IT_PIDS+=("$pid")
    printf -v "$var" '%s' "$pid"
}

# reap PID: wait for our child PID to end (at most 30 s), set RC to its
# exit status (or "running" when it did not end).
reap()
{
    if wait_until 30 process_ended "$1"; then
        wait "$1"
        RC=$?
    else
        RC=running
        stop_bg "$1"
    fi
}

# ------------------------------------------------------------------------
# Reports 2 s apart: time enough for mtamon-emit to write its events
# between two of them even on a loaded machine.
section "counters show --interval 2 --count 3 --json, events between the reports"

new_segment SEG
emit --segment "$SEG" --create channel tcp_local channel ims-ms
assert_exit 0 "emit: channels registered"

watch_bg PID "$T/c.jsonl" "$T/c.err" "$MTAMON" --segment "$SEG" counters show \
    --interval 2 --count 3 --json
wait_until 20 has_lines "$T/c.jsonl" 1 || fail "the first report came"
emit --segment "$SEG" repeat 4 enqueue - tcp_local 1 1000 repeat 2 dequeue tcp_local 1 1000 first 10
assert_exit 0 "emit: 4 received, 2 delivered on tcp_local"
wait_until 20 has_lines "$T/c.jsonl" 2 || fail "the second report came"
emit --segment "$SEG" repeat 3 fail tcp_local 1 1000 5.1.1 repeat 6 enqueue tcp_local ims-ms 2 500
assert_exit 0 "emit: 3 failed on tcp_local, 6 received on ims-ms"
reap "$PID"
assert_eq 0 "$RC" "--count 3: ended by itself, exit status 0"
assert_eq "" "$(cat "$T/c.err")" "nothing on stderr"
assert_eq 3 "$(lines "$T/c.jsonl")" "three reports, one line each"

py_check "JSON Lines" "$T/c.jsonl" "$SEG" <<'PY'
import sys
docs = []
with open(sys.argv[1]) as f:
    for n, line in enumerate(f, 1):
        try:
            docs.append(json.loads(line))
            check_true("line %d parses alone" % n, True)
        except ValueError as e:
            check_true("line %d parses alone" % n, False, str(e))
check("reports", [d.get("report") for d in docs], [1, 2, 3])
check("segment", {d.get("segment") for d in docs}, {sys.argv[2]})
check("first elapsed_s", docs[0]["elapsed_s"], None)
check("first rates", [c["rates"] for c in docs[0]["channels"]], [None, None])
check("restart", [d["restart"] for d in docs], [None, None, None])
check("deleted", [d["deleted"] for d in docs], [False, False, False])
check("gone", [d["gone"] for d in docs], [[], [], []])
last = docs[-1]
check("tcp_local received", counter(last, "tcp_local", "received_messages"), 4)
check("tcp_local delivered", counter(last, "tcp_local", "delivered_messages"), 2)
check("tcp_local failed", counter(last, "tcp_local", "failed_messages"), 3)
check("tcp_local submitted", counter(last, "tcp_local", "submitted_messages"), 6)
check("ims-ms received", counter(last, "ims-ms", "received_messages"), 6)
check("ims-ms received recipients", counter(last, "ims-ms", "received_recipients"), 12)
check("tcp_local stored", stored_messages(last, "tcp_local"), 4 - 2 - 3)
moved = 0
for before, now in zip(docs, docs[1:]):
    el = now["elapsed_s"]
    check_true("report %d: elapsed_s > 0" % now["report"], isinstance(el, float) and el > 0,
               repr(el))
    for ch in now["channels"]:
        b = channel(before, ch["name"])
        for key, value in ch["counters"].items():
            delta = value - b["counters"][key]
            moved += delta
            rate = ch["rates"][key]
            # printed with 3 decimals
            if abs(rate - delta / el) > 0.0006:
                check("report %d %s %s: rate = delta / elapsed_s" % (now["report"],
                      ch["name"], key), rate, round(delta / el, 3))
            if rate < 0:
                check("report %d %s %s: rate >= 0" % (now["report"], ch["name"], key),
                      rate, ">= 0")
check_true("every rate = its delta / elapsed_s, none negative (checked above)", True)
check_true("the counters moved between the reports", moved > 0, str(moved))
check("the deltas add up to the totals", sum(
    counter(docs[-1], n, k) - counter(docs[0], n, k)
    for n in ("tcp_local", "ims-ms")
    for k in ("received_messages", "delivered_messages", "failed_messages")), 4 + 2 + 3 + 6)
PY

# ------------------------------------------------------------------------
section "counters show --interval: the compact text layout"

new_segment SEG
emit --segment "$SEG" --create repeat 2 enqueue - tcp_intranet 1 100 channel bitbucket
watch_bg PID "$T/t.out" "$T/t.err" "$MTAMON" --segment "$SEG" counters show \
    -i 2 --count 2 'tcp_*' bitbucket
wait_until 20 has_lines "$T/t.out" 3 || fail "the first report came"
emit --segment "$SEG" repeat 4 enqueue - tcp_intranet 1 100 repeat 2 dequeue tcp_intranet 1 100 first 5
reap "$PID"
assert_eq 0 "$RC" "-i 2 --count 2: exit status 0"
assert_eq "" "$(cat "$T/t.err")" "nothing on stderr"
assert_eq 5 "$(lines "$T/t.out")" "the headings, then a line per channel and report"
assert_eq "TIME      CHANNEL        RCVD/S   DLVD/S   FAIL/S   RJCT/S   ATMP/S   STORED   RECEIVED  DELIVERED   FAILED" \
    "$(sed -n 1p "$T/t.out")" "the headings"
assert_eq "tcp_intranet        -        -        -        -        -        2          2          0        0" \
    "$(sed -n 2p "$T/t.out" | cut -c11-)" "first report: totals, no rates ('-')"
assert_eq "bitbucket           -        -        -        -        -        0          0          0        0" \
    "$(sed -n 3p "$T/t.out" | cut -c11-)" "first report: the second channel"
row=$(sed -n 4p "$T/t.out")
if [[ $row =~ ^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\ \ tcp_intranet\  ]]; then
    pass "second report: HH:MM:SS, then the channel"
else
    fail "second report: HH:MM:SS, then the channel" "$row"
fi
py_check "text rates" "$row" <<'PY'
import sys
f = sys.argv[1].split()
rcvd, dlvd, fail, rjct, atmp = (float(x) for x in f[2:7])
check("totals: stored, received, delivered, failed", f[7:], ["4", "6", "2", "0"])
# 4 received and 2 delivered in the same interval: rates 2 to 1, from the
# elapsed time the command measured, whatever it was.
check_true("received/s = 2 x delivered/s", dlvd > 0 and abs(rcvd / dlvd - 2) < 0.02,
           "%s %s" % (rcvd, dlvd))
check("failed, rejected, attempted per second", [fail, rjct, atmp], [0.0, 0.0, 0.0])
check_true("two decimals", all(len(x.split(".")[1]) == 2 for x in f[2:7]), str(f[2:7]))
PY

# ------------------------------------------------------------------------
section "a clear between two reports"

watch_bg PID "$T/clr.out" "$T/clr.err" "$MTAMON" --segment "$SEG" counters show \
    --interval 1 --count 2 tcp_intranet
wait_until 20 has_lines "$T/clr.out" 2 || fail "the first report came"
cli --segment "$SEG" counters clear
assert_exit 0 "counters clear"
reap "$PID"
assert_eq 0 "$RC" "exit status 0"
assert_contains "$(sed -n 3p "$T/clr.out")" "  counters restarted: the counters were cleared" \
    "the restart line"
assert_eq "tcp_intranet        -        -        -        -        -        4          0          0        0" \
    "$(sed -n 4p "$T/clr.out" | cut -c11-)" "after the clear: totals from zero, no rate"
assert_not_contains "$(cat "$T/clr.out")" " -0." "no negative rate"

# ------------------------------------------------------------------------
section "the segment re-created between reports (counters went down)"

new_segment SEG
emit --segment "$SEG" --create repeat 9 enqueue - tcp_local 1 100
watch_bg PID "$T/r.jsonl" "$T/r.err" "$MTAMON" --segment "$SEG" counters show \
    --interval 2 --count 4 --json
wait_until 20 has_lines "$T/r.jsonl" 1 || fail "the first report came"
cli --segment "$SEG" counters delete
assert_exit 0 "counters delete"
emit --segment "$SEG" --create repeat 2 enqueue - tcp_local 1 100
assert_exit 0 "a new segment, 2 received"
# shellcheck disable=SC2317 # called through wait_until
restarted() { grep -q '"restart": "the segment was re-created"' "$T/r.jsonl"; }
wait_until 20 restarted || fail "a report saw the restart"
emit --segment "$SEG" repeat 3 enqueue - tcp_local 1 100
reap "$PID"
assert_eq 0 "$RC" "exit status 0"
py_check "re-created segment" "$T/r.jsonl" <<'PY'
import sys
docs = [json.loads(l) for l in open(sys.argv[1])]
check("four reports", len(docs), 4)
r = [i for i, d in enumerate(docs) if d["restart"]]
check("one report says the counters restarted", len(r), 1)
i = r[0]
check("its rates: none", [c["rates"] for c in docs[i]["channels"]], [None])
check("a new generation", docs[i]["generation"] != docs[0]["generation"], True)
for d in docs[1:i]:
    check("between: the segment was deleted (no figures)", (d["deleted"], d["channels"]),
          (True, []))
neg = [(d["report"], k, v) for d in docs for c in d["channels"] if c["rates"]
       for k, v in c["rates"].items() if v < 0]
check("no negative rate", neg, [])
last = docs[-1]
# 2 on the new segment, 3 more once a report had seen the restart (unless
# that was the last report).
check("the last report counts on the new segment", counter(last, "tcp_local",
      "received_messages"), 5 if i < 3 else 2)
if i < 3:
    rate = channel(last, "tcp_local")["rates"]["received_messages"]
    delta = 5 - counter(docs[-2], "tcp_local", "received_messages")
    check_true("rates again from the new base", abs(rate - delta / last["elapsed_s"]) < 0.0006,
               "%s vs %s" % (rate, delta / last["elapsed_s"]))
PY

# A channel that appears between reports counts from zero; one that goes
# is said (the channel is retired by deleting and re-creating nothing:
# its slot stays, so only appearing is checked here).
new_segment SEG
emit --segment "$SEG" --create channel tcp_local
watch_bg PID "$T/n.jsonl" "$T/n.err" "$MTAMON" --segment "$SEG" counters show \
    --interval 1 --count 2 --json
wait_until 20 has_lines "$T/n.jsonl" 1 || fail "the first report came"
emit --segment "$SEG" repeat 5 enqueue - tcp_new 1 100
reap "$PID"
py_check "a new channel" "$T/n.jsonl" <<'PY'
import sys
docs = [json.loads(l) for l in open(sys.argv[1])]
check("first report: one channel", channel_names(docs[0]), ["tcp_local"])
check("second: two", channel_names(docs[1]), ["tcp_local", "tcp_new"])
c = channel(docs[1], "tcp_new")
check_true("the new channel's rate counts from zero",
           abs(c["rates"]["received_messages"] - 5 / docs[1]["elapsed_s"]) < 0.0006,
           repr(c["rates"]))
PY

# ------------------------------------------------------------------------
section "SIGINT and SIGTERM end a watch at once and cleanly"

for sig in INT TERM; do
    watch_bg PID "$T/s.out" "$T/s.err" "$MTAMON" --segment "$SEG" counters show \
        --interval 60
    wait_until 20 has_lines "$T/s.out" 3 || fail "SIG$sig: the first report came"
    kill -"$sig" "$PID"
    reap "$PID"
    assert_eq 0 "$RC" "SIG$sig in a 60 s wait: ended (well before 60 s), exit status 0"
    assert_eq "" "$(cat "$T/s.err")" "SIG$sig: nothing on stderr"
    assert_eq 3 "$(lines "$T/s.out")" "SIG$sig: the one report, no other line"
    assert_eq "" "$(tail -c1 "$T/s.out" | tr -d '\n')" "SIG$sig: the output ends with a whole line"
done

watch_bg PID "$T/s.jsonl" "$T/s.err" "$MTAMON" --segment "$SEG" counters show \
    --interval 60 --json
wait_until 20 has_lines "$T/s.jsonl" 1 || fail "--json: the first report came"
kill -INT "$PID"
reap "$PID"
assert_eq 0 "$RC" "--json, SIGINT: exit status 0"
py_check "--json after SIGINT" "$T/s.jsonl" <<'PY'
import sys
docs = [json.loads(l) for l in open(sys.argv[1])]
check("one whole document", len(docs), 1)
PY

# ------------------------------------------------------------------------
section "queue, probe and alarms --interval --count 2"

Q=$T/queue/tcp_local
sized_file "$Q/ZZ01.00" 1000 "$(($(date +%s) - 3600))"
sized_file "$Q/ZZ02.00" 2000 "$(($(date +%s) - 60))"
cli queue --path "$Q" --glob 'ZZ*' --interval 0.2 --count 2
assert_exit 0 "queue: exit status 0"
assert_eq 3 "$(wc -l <<<"$OUT")" "queue: the headings and two reports"
assert_eq "TIME      QUEUE     MESSAGES  CHANGE/S     VOLUME   OLDEST  STATUS" \
    "$(sed -n 1p <<<"$OUT")" "queue: the headings"
assert_eq "tcp_local        2         -    2.9 KiB     1h0m  ok" \
    "$(sed -n 2p <<<"$OUT" | cut -c11-)" "queue: first report, no change yet"
assert_eq "tcp_local        2     +0.00    2.9 KiB     1h0m  ok" \
    "$(sed -n 3p <<<"$OUT" | cut -c11-)" "queue: second report, no change"
cli queue --path "$Q" --glob 'ZZ*' -i 0.2 -n 2 --json
cp "$T/out" "$T/q.jsonl"
py_check "queue --json" "$T/q.jsonl" <<'PY'
import sys
docs = [json.loads(l) for l in open(sys.argv[1])]
check("two documents", [d["report"] for d in docs], [1, 2])
check("messages", [d["queues"][0]["messages"] for d in docs], [2, 2])
check("change per second", [d["queues"][0]["messages_change_per_s"] for d in docs], [None, 0.0])
check("elapsed_s", [d["elapsed_s"] is None for d in docs], [True, False])
PY

PORT=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cli probe --interval 0.2 --count 2 --timeout 2 "tcp://127.0.0.1:$PORT"
assert_exit 2 "probe: a closed port, the last report's status (down)"
assert_eq 3 "$(wc -l <<<"$OUT")" "probe: the headings and two reports"
assert_eq "TIME      NAME  KIND  ADDRESS          STATE        MS  ERROR" \
    "$(sed -n 1p <<<"$OUT" | sed 's/ADDRESS  */ADDRESS          /')" "probe: the headings"
assert_eq 2 "$(grep -c "  tcp   tcp   127.0.0.1:$PORT  down " <<<"$OUT")" "probe: one line a report"
cli probe -i 0.2 -n 2 --json "tcp://127.0.0.1:$PORT"
cp "$T/out" "$T/p.jsonl"
py_check "probe --json" "$T/p.jsonl" <<'PY'
import sys
docs = [json.loads(l) for l in open(sys.argv[1])]
check("two documents", [d["report"] for d in docs], [1, 2])
check("state", [d["probes"][0]["state"] for d in docs], ["down", "down"])
PY

cat >"$T/alarms.json" <<EOF
{"version": 1, "written_ms": $(now_ms), "host": "mx1.example",
 "notifications": {"sent": 3, "failed": 1, "suppressed": 0, "summaries": 0, "pending": 0, "last_sequence": 4},
 "alarms": [
  {"index": 1, "name": "spool-space", "kind": "disk_free", "severity": "major",
   "raise": 10, "clear": 15.5, "interval": 30, "for": 0, "resend": 3600,
   "rows": [
    {"object": "spool", "state": "active", "value": 4.7, "last_value": 4.7, "raises": 2, "clears": 1, "resends": 1, "last_raise_ms": 1764896500000, "last_clear_ms": 1764893000000, "last_check_ms": 1764896550000, "sent": 3, "failed": 1, "suppressed": 0, "present": true}]},
  {"index": 2, "name": "procs", "kind": "process_down", "severity": "minor",
   "raise": 1, "clear": 1, "interval": 60, "for": 0, "resend": 0, "rows": []}]}
EOF
cli alarms --state "$T/alarms.json" --interval 0.2 --count 2
assert_exit 0 "alarms: exit status 0"
cut -c11- "$T/out" >"$T/got"
cat >"$T/want" <<'EOF'
ALARM        OBJECT  STATE   VALUE  RAISED  CLEARED  SENT/FAILED
spool-space  spool   active  4.7    2       1        3/1
procs        -       -       -      -       -        -
spool-space  spool   active  4.7    2       1        3/1
procs        -       -       -      -       -        -
EOF
assert_file_eq "$T/want" "$T/got" "alarms: the headings, then a line per row and report"
cli alarms --state "$T/alarms.json" -i 0.2 -n 2 --json
cp "$T/out" "$T/a.jsonl"
py_check "alarms --json" "$T/a.jsonl" "$T/alarms.json" <<'PY'
import sys
docs = [json.loads(l) for l in open(sys.argv[1])]
check("two documents", [d["report"] for d in docs], [1, 2])
check("the file", docs[0]["file"], sys.argv[2])
check("the state document", docs[1]["state"], load(sys.argv[2]))
PY
cli alarms --state "$T/missing.json" -i 0.2 -n 2
assert_error 66 "no such file" "alarms: the first reading fails: no watch"

# ------------------------------------------------------------------------
section "bad values"

# with_options COMMAND OPTION...: run COMMAND (counters, queue, alarms,
# probe) on its test object, with the options before its operands.
with_options()
{
    local cmd=$1
    shift
    case $cmd in
    counters) cli --segment "$SEG" counters show "$@" ;;
    queue) cli queue "$@" --path "$Q" ;;
    alarms) cli alarms "$@" --state "$T/alarms.json" ;;
    probe) cli probe "$@" "tcp://127.0.0.1:$PORT" ;;
    esac
}

for cmd in counters queue alarms probe; do
    for bad in 0 0.05 -1 abc 1e3 1.0001 86401 "" " 1"; do
        with_options "$cmd" --interval "$bad" --count 1
        assert_error 64 "--interval must be a number of seconds 0.1..86400" \
            "$cmd --interval '$bad'"
    done
    for bad in 0 -1 x 1.5 1000000001; do
        with_options "$cmd" --interval 1 --count "$bad"
        assert_error 64 "--count must be a number of reports 1..1000000000" \
            "$cmd --count '$bad'"
    done
    with_options "$cmd" --count 2
    assert_error 64 "--count goes with --interval" "$cmd --count without --interval"
done
# counters show has no -n: the Sun words -noheaders ... start with it.
cli --segment "$SEG" counters show -i 1 -n 2
assert_error 64 "unknown option '-n'" "counters show -n: not --count"
cli --segment "$SEG" counters show -i 1 --all
assert_error 64 "--all has no effect on the --interval layout" "counters show -i --all"
cli --segment "$SEG" counters show -i 1 --output "$T/x"
assert_error 64 "--output has no effect" "counters show -i --output"
assert_missing "$T/x" "--output: no file made"
cli probe --nagios -i 1 "tcp://127.0.0.1:$PORT"
assert_exit 3 "probe --nagios --interval: UNKNOWN"
assert_contains "$OUT" "MTAMON PROBE UNKNOWN - probe: --nagios makes one check" \
    "probe --nagios --interval: the plugin line says why"

finish
