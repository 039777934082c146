#!/bin/bash
# test_cli.sh - the `mtamon` command against its contract: counters create,
# show (text, JSON, patterns, block size), clear, delete, the Sun spellings,
# simulate, every kind of bad input (missing, foreign, corrupt, newer or
# truncated segments, bad channel names, a full segment, bad usage), create
# --group/--mode, and show's --no-headers/--no-channels/--no-associations/
# --output with their Sun spellings (-noheaders, -output=FILE, ...).
#
# Known traffic is written with mtamon-emit, so every number is exact.
# Run by `make check`; by hand: cd BUILDDIR && SRCDIR/tests/integration/test_cli.sh

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_program "$MTAMON"

T=$IT_TMP

# mt SEGMENT ARG...: the CLI on SEGMENT.
mt()
{
    local seg=$1
    shift
    cli --segment "$seg" "$@"
}

# json_of SEGMENT FILE [ARG...]: `counters show --json` into FILE.
json_of()
{
    local seg=$1 file=$2
    shift 2
    mt "$seg" counters show --json "$@"
    cp "$IT_TMP/out" "$file"
    if [ "$RC" -ne 0 ]; then
        fail "counters show --json on $seg" "exit $RC" "stderr: $ERR"
    fi
}

# ------------------------------------------------------------------------
# Expected text, from the tables below.  Rows: "   %-9s%11lld%12lld%12lld"
# (Delivered with " (N first time)"), queue lines "   %-24s%llu/%llu = %.2f",
# association lines "   %-16s%16llu".

cat >"$T/header" <<'EOF'
Channel          Messages    Recipients    Blocks
-------          --------    ----------    -------
EOF

# One line per counter row of `counters show`: its blocks with the default
# --block-size 1024 and with --block-size 512; Delivered's first-time count.
#              row        messages  recipients  blocks/1024  blocks/512  first
COUNTER_ROWS="
tcp_local      Received          3           6           36          72
tcp_local      Stored            1           2            4           8
tcp_local      Delivered         2           4           32          64      1
tcp_local      Submitted         5          13           45          90
tcp_local      Attempted         0           0            0           0
tcp_local      Rejected          2          11            5          10
tcp_local      Failed            0           0            0           0
ims-ms         Received          4           8           40          80
ims-ms         Stored            0           0            0           0
ims-ms         Delivered         3           6           30          60      2
ims-ms         Submitted         0           0            0           0
ims-ms         Attempted         1           2           10          20
ims-ms         Rejected          0           0            0           0
ims-ms         Failed            1           2           10          20
tcp_intranet   Received          2           6            6          12
tcp_intranet   Stored           -1           0           -2          -4
tcp_intranet   Delivered         2           4            4           8      1
tcp_intranet   Submitted         1           1            2           4
tcp_intranet   Attempted         1           3            3           6
tcp_intranet   Rejected          0           0            0           0
tcp_intranet   Failed            1           2            4           8
"

# Queue time/count = average, Queue first time/count = average, Total In
# and Out Assocs.
#              time  count  average  first: time  count  average  in  out
TOTAL_ROWS="
tcp_local         6      2     3.00            2      1     2.00   3    1
ims-ms           10      3     3.33            4      2     2.00   0    2
tcp_intranet     91      2    45.50            1      1     1.00   1    2
"

# channel_text NAME BLOCK_SIZE: the expected block of channel NAME in
# `counters show --block-size BLOCK_SIZE` (1024 or 512).
channel_text()
{
    local name=$1 size=$2 ch row msgs rcpts b1024 b512 first blocks
    local qt qc qa ft fc fa in out
    printf '%s\n' "$name"
    while read -r ch row msgs rcpts b1024 b512 first; do
        [ "$ch" = "$name" ] || continue
        blocks=$b1024
        if [ "$size" = 512 ]; then
            blocks=$b512
        fi
        printf '   %-9s%11s%12s%12s' "$row" "$msgs" "$rcpts" "$blocks"
        if [ -n "$first" ]; then
            printf ' (%s first time)' "$first"
        fi
        printf '\n'
    done <<<"$COUNTER_ROWS"
    while read -r ch qt qc qa ft fc fa in out; do
        [ "$ch" = "$name" ] || continue
        printf '\n'
        printf '   %-24s%s/%s = %s\n' "Queue time/count" "$qt" "$qc" "$qa"
        printf '   %-24s%s/%s = %s\n' "Queue first time/count" "$ft" "$fc" "$fa"
        printf '\n'
        printf '   %-16s%16s\n' "Total In Assocs" "$in" "Total Out Assocs" "$out"
    done <<<"$TOTAL_ROWS"
}

# all_text BLOCK_SIZE CHANNEL...: the header, then the channels' blocks
# separated by blank lines.
all_text()
{
    local size=$1 sep='' ch
    shift
    cat "$T/header"
    for ch in "$@"; do
        printf '%s' "$sep"
        channel_text "$ch" "$size"
        sep=$'\n'
    done
}

for ch in tcp_local ims-ms tcp_intranet; do
    channel_text "$ch" 1024 >"$T/$ch"
done
all_text 1024 tcp_local ims-ms tcp_intranet >"$T/all"
all_text 512 tcp_local ims-ms tcp_intranet >"$T/all-512"
all_text 1024 ims-ms >"$T/only-ims"
all_text 1024 tcp_local tcp_intranet >"$T/only-tcp"

# The traffic behind those numbers (see the expected JSON below too).
KNOWN_TRAFFIC=(
    channel tcp_local channel ims-ms channel tcp_intranet
    # Received from outside (unknown source) and from each other.
    enqueue - tcp_local 3 31000
    enqueue - tcp_local 2 4096
    repeat 4 enqueue tcp_local ims-ms 2 10240
    enqueue tcp_local tcp_intranet 5 5120
    enqueue tcp_intranet tcp_local 1 2048
    enqueue - tcp_intranet 1 1024
    # tcp_local: first-attempt and retried deliveries, rejections, assocs.
    dequeue tcp_local 3 31000 first 2000
    dequeue tcp_local 1 2048 retry 4000
    repeat 3 assoc-open tcp_local in 192.0.2.10
    repeat 3 assoc-close tcp_local in
    assoc-reject tcp_local 5.7.1 "client host rejected: blocked by RBL"
    reject tcp_local 10 0 5.1.1 "recipient address rejected: user unknown"
    reject tcp_local 1 5120 5.7.1 "relay access denied"
    assoc-open tcp_local out 203.0.113.5
    assoc-close tcp_local out
    loop tcp_local
    # ims-ms: the message store.
    dequeue ims-ms 2 10240 first 1500
    dequeue ims-ms 2 10240 first 2500
    tempfail ims-ms 2 10240 4.2.2
    dequeue ims-ms 2 10240 retry 6000
    fail ims-ms 2 10240 5.2.2
    repeat 2 convert ims-ms ok
    convert ims-ms failed
    repeat 2 assoc-open ims-ms out lmtp-store-1
    repeat 2 assoc-close ims-ms out
    # tcp_intranet: a retry, a partial failure, a connect failure.
    tempfail tcp_intranet 3 3072 4.4.1
    dequeue tcp_intranet 3 3072 retry 90000
    dequeue tcp_intranet 1 1024 first 1000
    fail tcp_intranet 2 4096 5.1.1
    assoc-fail tcp_intranet 4.4.1 "connect to 198.51.100.20 port 25: Connection refused"
    repeat 2 assoc-open tcp_intranet out 198.51.100.20
    repeat 2 assoc-close tcp_intranet out
    assoc-open tcp_intranet in 10.1.2.3
    assoc-close tcp_intranet in
    repeat 2 loop tcp_intranet
)

# ------------------------------------------------------------------------
section "0. the mtamon-emit helper"

new_segment S0
emit --segment "$S0" loop tcp_local
assert_error 66 "does not exist" "mtamon-emit without --create on a missing segment" mtamon-emit
assert_missing "$(shm_path "$S0")" "mtamon-emit without --create creates nothing"
emit --segment "$S0" --create channel tcp_local
assert_exit 0 "mtamon-emit --create"
cp "$(shm_path "$S0")" "$T/s0"
for bad in "bogus" "loop" "enqueue - tcp_local x 1" "dequeue tcp_local 1 1 maybe 5" \
    "fail tcp_local 1 1 9.9.9" "convert tcp_local perhaps" "assoc-open tcp_local sideways x" \
    "repeat x loop tcp_local" "repeat 2"; do
    # shellcheck disable=SC2086 # split the command into words on purpose
    emit --segment "$S0" loop tcp_local $bad
    assert_error 64 "" "mtamon-emit usage error: $bad" mtamon-emit
done
emit --segment "$S0" --bogus loop tcp_local
assert_error 64 "bogus" "mtamon-emit unknown option" mtamon-emit
emit --segment "$S0" assoc-close tcp_local in
assert_error 64 "no open inbound association" "mtamon-emit assoc-close without an open one" mtamon-emit
assert_same_bytes "$T/s0" "$(shm_path "$S0")" "usage errors are caught before any event is written"

# ------------------------------------------------------------------------
section "1. create, empty show, exclusive create"

new_segment S1
P1=$(shm_path "$S1")
mt "$S1" counters create
assert_exit 0 "counters create"
assert_exists "$P1" "create makes $P1"
mode=$(stat_of %a "$P1")
assert_eq 660 "$mode" "the segment has mode 0660"

mt "$S1" counters show
assert_exit 0 "show of an empty segment"
assert_file_eq "$T/header" "$IT_TMP/out" "an empty segment shows just the two header lines"

cp "$P1" "$T/s1.before"
mt "$S1" counters create
assert_error 73 "exists" "create of an existing segment"
assert_same_bytes "$T/s1.before" "$P1" "a refused create leaves the segment byte-identical"

# The segment name from the environment, and --segment after the command.
MTAMON_SEGMENT=$S1 cli counters show
assert_exit 0 "show with \$MTAMON_SEGMENT"
assert_file_eq "$T/header" "$IT_TMP/out" "show with \$MTAMON_SEGMENT prints the same"
cli counters show --segment "$S1"
assert_exit 0 "show with --segment after the command"
assert_file_eq "$T/header" "$IT_TMP/out" "--segment after the command works the same"

json_of "$S1" "$T/s1.json"
py_check "empty segment JSON" "$T/s1.json" "$S1" <<'EOF'
doc = load(sys.argv[1])
check("segment", get(doc, "segment"), sys.argv[2])
check("channels", get(doc, "channels"), [])
check("associations", get(doc, "associations"), [])
check("channel_capacity", get(doc, "channel_capacity"), 1024)
check("block_size", get(doc, "block_size"), 1024)
check_true("generation present", get(doc, "generation") not in (MISSING, None, 0, ""))
check_true("created set", get(doc, "created") not in (MISSING, None, 0, ""))
check_true("taken set", get(doc, "taken") not in (MISSING, None, 0, ""))
check_true("cleared not set yet", get(doc, "cleared") in (None, 0, ""), repr(get(doc, "cleared")))
EOF

# ------------------------------------------------------------------------
section "2. known traffic: text, patterns, block size, JSON, --all"

new_segment S2
mt "$S2" counters create
assert_exit 0 "create the traffic segment"
emit --segment "$S2" "${KNOWN_TRAFFIC[@]}"
assert_exit 0 "mtamon-emit writes the known traffic"

cp "$(shm_path "$S2")" "$T/s2.bytes"
mt "$S2" counters show
assert_exit 0 "show"
assert_file_eq "$T/all" "$IT_TMP/out" "show prints exactly the expected counters"
cp "$IT_TMP/out" "$T/s2.show"
mt "$S2" counters show --json --all
assert_exit 0 "show --json --all"
assert_same_bytes "$T/s2.bytes" "$(shm_path "$S2")" "show and show --json change no byte of the segment"

mt "$S2" counters show ims-ms
assert_exit 0 "show ims-ms"
assert_file_eq "$T/only-ims" "$IT_TMP/out" "show ims-ms prints only ims-ms"

mt "$S2" counters show 'tcp_*'
assert_exit 0 "show 'tcp_*'"
assert_file_eq "$T/only-tcp" "$IT_TMP/out" "show 'tcp_*' prints tcp_local and tcp_intranet in index order"

mt "$S2" counters show tcp_intranet 'tcp_l?cal'
assert_exit 0 "show with two patterns"
assert_file_eq "$T/only-tcp" "$IT_TMP/out" "two patterns print each channel once, in index order"

mt "$S2" counters show 'nosuch*'
assert_exit 1 "a pattern that matches nothing exits 1"
assert_contains "$ERR" "nosuch*" "the message names the pattern that matched nothing"

mt "$S2" counters show ims-ms nosuch
assert_exit 1 "one pattern of two matching nothing still exits 1"
assert_contains "$ERR" "nosuch" "the message names that pattern"

mt "$S2" counters -show
assert_exit 0 "counters -show"
assert_file_eq "$T/all" "$IT_TMP/out" "-show prints the same as show"

mt "$S2" counters show --block-size 512
assert_exit 0 "show --block-size 512"
assert_file_eq "$T/all-512" "$IT_TMP/out" "--block-size 512 doubles the blocks"

mt "$S2" counters show --block-size 1024
assert_file_eq "$T/all" "$IT_TMP/out" "--block-size 1024 is the default"

json_of "$S2" "$T/s2.json"
py_check "traffic JSON" "$T/s2.json" "$S2" <<'EOF'
doc = load(sys.argv[1])
# Every counter of every channel, in the order of the JSON's "counters".
#                               tcp_local   ims-ms   tcp_intranet
COUNTER_TABLE = """
received_messages                       3        4              2
received_recipients                     6        8              6
received_volume                     37144    40960           6144
delivered_messages                      2        3              2
delivered_recipients                    4        6              4
delivered_volume                    33048    30720           4096
delivered_first_messages                1        2              1
submitted_messages                      5        0              1
submitted_recipients                   13        0              1
submitted_volume                    46080        0           2048
attempted_messages                      0        1              1
attempted_recipients                    0        2              3
attempted_volume                        0    10240           3072
rejected_messages                       2        0              0
rejected_recipients                    11        0              0
rejected_volume                      5120        0              0
failed_messages                         0        1              1
failed_recipients                       0        2              2
failed_volume                           0    10240           4096
queue_time_ms                        6000    10000          91000
queue_count                             2        3              2
queue_first_time_ms                  2000     4000           1000
queue_first_count                       1        2              1
inbound_associations                    3        0              1
outbound_associations                   1        2              2
inbound_associations_closed             3        0              1
outbound_associations_closed            1        2              2
inbound_associations_rejected           1        0              0
outbound_associations_failed            0        0              1
converted_ok                            0        2              0
converted_failed                        0        1              0
loops_detected                          1        0              2
"""
CHANNELS = ["tcp_local", "ims-ms", "tcp_intranet"]
ROWS = [line.split() for line in COUNTER_TABLE.strip().splitlines()]
NAMES = [row[0] for row in ROWS]

def counters(name):
    column = 1 + CHANNELS.index(name)
    return {row[0]: int(row[column]) for row in ROWS}

expected = {
  "tcp_local": dict(index=1,
    counters=counters("tcp_local"),
    stored={"messages": 1, "recipients": 2, "volume": 4096},
    associations={"inbound_current": 0, "outbound_current": 0},
    last_rejection_reason="relay access denied",
    last_connect_failure=None,
    status={"5.1.1": (5001001, 1, 0, 0), "5.4.6": (5004006, 0, 1, 0), "5.7.1": (5007001, 2, 0, 0)},
    inbound_activity=True),
  "ims-ms": dict(index=2,
    counters=counters("ims-ms"),
    stored={"messages": 0, "recipients": 0, "volume": 0},
    associations={"inbound_current": 0, "outbound_current": 0},
    last_rejection_reason=None,
    last_connect_failure=None,
    status={"4.2.2": (4002002, 0, 0, 1), "5.2.2": (5002002, 0, 0, 1), "5.6.5": (5006005, 0, 1, 0)},
    inbound_activity=False),
  "tcp_intranet": dict(index=3,
    counters=counters("tcp_intranet"),
    stored={"messages": -1, "recipients": 0, "volume": -2048},
    associations={"inbound_current": 0, "outbound_current": 0},
    last_rejection_reason=None,
    last_connect_failure="connect to 198.51.100.20 port 25: Connection refused",
    status={"4.4.1": (4004001, 0, 0, 2), "5.1.1": (5001001, 0, 0, 1), "5.4.6": (5004006, 0, 2, 0)},
    inbound_activity=True),
}
UNSET = (None, "", 0)
check("segment", get(doc, "segment"), sys.argv[2])
check("block_size", get(doc, "block_size"), 1024)
check("channel_capacity", get(doc, "channel_capacity"), 1024)
check("channel names in index order",
      [c.get("name") for c in get(doc, "channels")], ["tcp_local", "ims-ms", "tcp_intranet"])
check("no current associations", get(doc, "associations"), [])
for name, e in expected.items():
    c = channel(doc, name)
    check(name + " index", get(c, "index"), e["index"])
    check_true(name + " created set", get(c, "created") not in (MISSING,) + UNSET)
    got = get(c, "counters")
    check(name + " counter names", sorted(got) if isinstance(got, dict) else got, sorted(NAMES))
    for k in NAMES:
        check(name + " counters." + k, get(got, k), e["counters"][k])
    check(name + " stored", get(c, "stored"), e["stored"])
    check(name + " associations", get(c, "associations"), e["associations"])
    for key in ("last_rejection_reason", "last_connect_failure"):
        want = e[key]
        if want is None:
            check_true(name + " " + key + " unset", get(c, key) in UNSET, repr(get(c, key)))
        else:
            check(name + " " + key, get(c, key), want)
    for key in ("last_outbound_activity", "last_outbound_attempt"):
        check_true(name + " " + key + " set", get(c, key) not in (MISSING,) + UNSET,
                   repr(get(c, key)))
    li = get(c, "last_inbound_activity")
    if e["inbound_activity"]:
        check_true(name + " last_inbound_activity set", li not in (MISSING,) + UNSET, repr(li))
    else:
        check_true(name + " last_inbound_activity unset", li in UNSET, repr(li))
    rows = get(c, "status_codes")
    rows = rows if isinstance(rows, list) else []
    got_status = {r.get("code"): (r.get("mta_status_code"), r.get("inbound"),
                                  r.get("internal"), r.get("outbound")) for r in rows}
    check(name + " status_codes", got_status, e["status"])
    check(name + " status_codes sorted by code",
          [r.get("mta_status_code") for r in rows],
          sorted(r.get("mta_status_code") for r in rows))
EOF

# Same JSON when asked twice (nothing but "taken" may move).
json_of "$S2" "$T/s2b.json"
py_check "JSON is stable" "$T/s2.json" "$T/s2b.json" <<'EOF'
a, b = load(sys.argv[1]), load(sys.argv[2])
a.pop("taken", None); b.pop("taken", None)
check("two reads of an idle segment agree", a, b)
EOF

# A current association, held open by a background writer.
HOLD_OUT="$T/hold.out"
start_bg HOLD_PID "$HOLD_OUT" "$MTAMON_EMIT" --segment "$S2" --hold 120 \
    assoc-open tcp_local in 192.0.2.99
if wait_for_text "$HOLD_OUT" ready 30; then
    pass "mtamon-emit --hold is holding an association"
else
    fail "mtamon-emit --hold is holding an association" "$(cat "$HOLD_OUT")"
fi

mt "$S2" counters show --all
assert_exit 0 "show --all"
assert_contains "$OUT" "192.0.2.99" "show --all lists the current association's remote"

json_of "$S2" "$T/s2hold.json"
py_check "JSON with a held association" "$T/s2hold.json" "$HOLD_PID" <<'EOF'
doc = load(sys.argv[1])
pid = int(sys.argv[2])
assocs = get(doc, "associations")
assocs = assocs if isinstance(assocs, list) else []
check("one current association", len(assocs), 1)
a = assocs[0] if assocs else {}
check("association remote", get(a, "remote"), "192.0.2.99")
check("association pid", get(a, "pid"), pid)
check_true("association channel is tcp_local", get(a, "channel") in (1, "tcp_local"),
           repr(get(a, "channel")))
check_true("association direction is inbound",
           str(get(a, "direction")).lower() in ("in", "inbound", "1"), repr(get(a, "direction")))
check_true("association entry >= 1", isinstance(get(a, "entry"), int) and get(a, "entry") >= 1,
           repr(get(a, "entry")))
check_true("association started set", get(a, "started") not in (MISSING, None, 0, ""))
c = channel(doc, "tcp_local")
check("tcp_local inbound_current", get(c, "associations", "inbound_current"), 1)
check("tcp_local inbound_associations", get(c, "counters", "inbound_associations"), 4)
EOF

# ------------------------------------------------------------------------
section "3. clear"

json_of "$S2" "$T/s2pre.json"
grep -E '^   Stored ' "$T/s2.show" >"$T/stored.before"
mt "$S2" counters clear
assert_exit 0 "counters clear"
json_of "$S2" "$T/s2clr.json"
py_check "after clear" "$T/s2pre.json" "$T/s2clr.json" <<'EOF'
pre, post = load(sys.argv[1]), load(sys.argv[2])
check_true("cleared set", get(post, "cleared") not in (MISSING, None, 0, ""), repr(get(post, "cleared")))
check("generation unchanged", get(post, "generation"), get(pre, "generation"))
check("created unchanged", get(post, "created"), get(pre, "created"))
for c in get(pre, "channels"):
    n = c["name"]
    p = channel(post, n)
    counters = get(p, "counters")
    counters = counters if isinstance(counters, dict) else {}
    check(n + " every counter is 0", {k: v for k, v in counters.items() if v != 0}, {})
    check(n + " still has all counters", sorted(counters), sorted(get(c, "counters")))
    check(n + " stored unchanged", get(p, "stored"), get(c, "stored"))
    check(n + " current associations unchanged", get(p, "associations"), get(c, "associations"))
    rows = get(p, "status_codes")
    rows = rows if isinstance(rows, list) else []
    check(n + " status code counts are 0",
          [r for r in rows if (r.get("inbound"), r.get("internal"), r.get("outbound")) != (0, 0, 0)], [])
check("tcp_local still has its held association",
      get(channel(post, "tcp_local"), "associations", "inbound_current"), 1)
check("association table unchanged", get(post, "associations"), get(pre, "associations"))
EOF

mt "$S2" counters show
assert_exit 0 "show after clear"
cp "$IT_TMP/out" "$T/s2clr.show"
grep -E '^   Stored ' "$T/s2clr.show" >"$T/stored.after"
assert_file_eq "$T/stored.before" "$T/stored.after" "the Stored rows survive the clear"
n=$(grep -cE '^   Received +0 +0 +0$' "$T/s2clr.show")
assert_eq 3 "$n" "every channel shows Received 0 0 0 after clear"
n=$(grep -cE '^   Delivered +0 +0 +0 \(0 first time\)$' "$T/s2clr.show")
assert_eq 3 "$n" "every channel shows Delivered 0 0 0 (0 first time) after clear"

# More traffic, then the Sun spelling.
emit --segment "$S2" enqueue - ims-ms 1 1024 dequeue ims-ms 1 1024 first 1000
assert_exit 0 "more traffic after the clear"
json_of "$S2" "$T/s2more.json"
py_check "counting after clear" "$T/s2more.json" <<'EOF'
c = channel(load(sys.argv[1]), "ims-ms")
check("ims-ms received after clear", get(c, "counters", "received_messages"), 1)
check("ims-ms delivered after clear", get(c, "counters", "delivered_messages"), 1)
check("ims-ms stored unchanged by balanced traffic", get(c, "stored", "messages"), 0)
EOF
sleep 0.01
mt "$S2" counters -clear
assert_exit 0 "counters -clear"
json_of "$S2" "$T/s2clr2.json"
py_check "after -clear" "$T/s2clr.json" "$T/s2clr2.json" <<'EOF'
first, second = load(sys.argv[1]), load(sys.argv[2])
c = channel(second, "ims-ms")
check("-clear zeroes received", get(c, "counters", "received_messages"), 0)
check("-clear zeroes delivered", get(c, "counters", "delivered_messages"), 0)
check_true("-clear records a new clear time", get(second, "cleared") not in (MISSING, None, 0, "")
           and get(second, "cleared") != get(first, "cleared"),
           repr((get(first, "cleared"), get(second, "cleared"))))
check("tcp_local stored still 1", get(channel(second, "tcp_local"), "stored", "messages"), 1)
check("tcp_intranet stored still -1", get(channel(second, "tcp_intranet"), "stored", "messages"), -1)
EOF

stop_bg "$HOLD_PID"

# ------------------------------------------------------------------------
section "4. simulate"

new_segment SIM1
new_segment SIM2
run timeout 300 "$MTAMON" --segment "$SIM1" simulate --events 5000 --seed 7 --create
assert_exit 0 "simulate --events 5000 --seed 7 --create (1)"
json_of "$SIM1" "$T/sim1.json"
run timeout 300 "$MTAMON" --segment "$SIM2" simulate --events 5000 --seed 7 --create
assert_exit 0 "simulate --events 5000 --seed 7 --create (2)"
json_of "$SIM2" "$T/sim2.json"
py_check "simulate" "$T/sim1.json" "$T/sim2.json" <<'EOF'
a, b = load(sys.argv[1]), load(sys.argv[2])
TIMES = ("created", "last_inbound_activity", "last_outbound_activity", "last_outbound_attempt")
def strip(doc):
    out = []
    for c in get(doc, "channels") if isinstance(get(doc, "channels"), list) else []:
        c = {k: v for k, v in c.items() if k not in TIMES}
        out.append(c)
    return out
ca, cb = strip(a), strip(b)
check_true("simulate registered channels", len(ca) > 0)
check("same seed, same channels", [c.get("name") for c in ca], [c.get("name") for c in cb])
for x, y in zip(ca, cb):
    check("same seed, same counters for " + str(x.get("name")), x, y)
check_true("different segments, different generations", get(a, "generation") != get(b, "generation"))
recv = sum(get(c, "counters", "received_messages") for c in ca)
subm = sum(get(c, "counters", "submitted_messages") for c in ca)
check_true("messages were received", recv > 0, repr(recv))
check_true("received >= submitted (every submission is a receipt)", recv >= subm, repr((recv, subm)))
for c in ca:
    n = c.get("name")
    for part in ("messages", "recipients", "volume"):
        v = get(c, "stored", part)
        check_true(n + " stored " + part + " >= 0", isinstance(v, int) and v >= 0, repr(v))
    cnt = get(c, "counters")
    check_true(n + " delivered_first <= delivered",
               cnt["delivered_first_messages"] <= cnt["delivered_messages"])
    check_true(n + " queue_first_count <= queue_count",
               cnt["queue_first_count"] <= cnt["queue_count"])
    check_true(n + " closed <= opened associations",
               cnt["inbound_associations_closed"] <= cnt["inbound_associations"] and
               cnt["outbound_associations_closed"] <= cnt["outbound_associations"])
EOF

# A paced run: --duration and --rate (no timing assertion, only that it
# ends and counts).
new_segment SIM4
run timeout 120 "$MTAMON" --segment "$SIM4" simulate --duration 1 --rate 500 --seed 3 --create
assert_exit 0 "simulate --duration 1 --rate 500 --seed 3 --create"
json_of "$SIM4" "$T/sim4.json"
py_check "paced simulate" "$T/sim4.json" <<'EOF2'
doc = load(sys.argv[1])
recv = sum(get(c, "counters", "received_messages") for c in get(doc, "channels"))
check_true("a paced simulation received messages", recv > 0, repr(recv))
EOF2

# simulate across `counters delete` + `create`: stopped (SIGSTOP) to read
# the old segment exactly, deleted, resumed; every event it reports is in
# the old or in the new segment, and it says reattached=1.
# sim_across SEG CREATE_FLAG TAG: start simulate (6000 events at 1500/s:
# 4 s, and a stopped simulate catches up when resumed, so that is what
# bounds the test) on SEG, stop it after 0.5 s, save the old segment in
# $T/TAG-old.json.
sim_across()
{
    start_bg SIMPID "$T/$3.out" "$MTAMON" --segment "$1" simulate --events 6000 \
        --rate 1500 --seed 5 ${2:+"$2"}
    sleep 0.5
    kill -STOP "$SIMPID"
    json_of "$1" "$T/$3-old.json"
}

# sim_finish SEG TAG: resume, wait for the end, save the new segment.
sim_finish()
{
    kill -CONT "$SIMPID"
    wait "$SIMPID"
    RC=$?
    stop_bg "$SIMPID"
    assert_exit 0 "$2: simulate exits 0"
    json_of "$1" "$T/$2-new.json"
}

# capacity_of FILE: channel_capacity of a `counters show --json` output.
capacity_of()
{
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["channel_capacity"])' "$1"
}

# sim_accounted TAG: the counters of both segments add up to the summary.
sim_accounted()
{
    py_check "$1" "$T/$1.out" "$T/$1-old.json" "$T/$1-new.json" <<'EOF'
import re
line = open(sys.argv[1]).read()
ev = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", line))
old, new = load(sys.argv[2]), load(sys.argv[3])
def total(doc, *keys):
    return sum(get(c, "counters", k) for c in get(doc, "channels") for k in keys)
check("summary says reattached=1", ev.get("reattached"), 1)
check_true("events after the delete reached the new segment",
           total(new, "received_messages") > 0, line)
for kind, keys in (("enqueue", ["received_messages"]), ("dequeue", ["delivered_messages"]),
                   ("tempfail", ["attempted_messages"]), ("reject", ["rejected_messages"]),
                   ("fail", ["failed_messages"]), ("convert", ["converted_ok", "converted_failed"]),
                   ("loop", ["loops_detected"]),
                   ("assoc_open", ["inbound_associations", "outbound_associations"]),
                   ("assoc_reject", ["inbound_associations_rejected"]),
                   ("assoc_fail", ["outbound_associations_failed"])):
    check(kind + ": old + new segment", total(old, *keys) + total(new, *keys), ev.get(kind))
closed = ["inbound_associations_closed", "outbound_associations_closed"]
check_true("closes counted at most once",
           total(old, *closed) + total(new, *closed) <= ev.get("assoc_close", 0))
for c in get(new, "channels"):
    cnt = get(c, "counters")
    for d in ("inbound", "outbound"):
        check_true(c["name"] + ": " + d + " closes <= opens in the new segment",
                   cnt[d + "_associations_closed"] <= cnt[d + "_associations"])
EOF
}

# It may not create: deleted while stopped, resumed for 0.3 s with no
# segment at the name (its events are kept aside), then re-created by the
# operator with another capacity.
new_segment SIM5
mt "$SIM5" counters create --capacity 64
sim_across "$SIM5" "" sim5
mt "$SIM5" counters delete
assert_exit 0 "simulate across delete: counters delete"
kill -CONT "$SIMPID"
sleep 0.3
kill -STOP "$SIMPID"
if kill -0 "$SIMPID" 2>/dev/null && ! grep -q '^simulated' "$T/sim5.out"; then
    pass "simulate is still running at the create"
else
    fail "simulate is still running at the create" "it ended first: too slow a machine?"
fi
assert_missing "$(shm_path "$SIM5")" "simulate without --create does not re-create the segment"
mt "$SIM5" counters create --capacity 32
assert_exit 0 "simulate across delete: counters create --capacity 32"
sim_finish "$SIM5" sim5
sim_accounted sim5
assert_eq 32 "$(capacity_of "$T/sim5-new.json")" \
    "simulate followed the re-created segment of 32 channels"

# Deleted while stopped, resumed before any create: with --create it
# re-creates the segment like the old one, and the operator's create then
# finds it there.
new_segment SIM6
mt "$SIM6" counters create --capacity 48 --mode 0640
sim_across "$SIM6" --create sim6
mt "$SIM6" counters delete
sim_finish "$SIM6" sim6
sim_accounted sim6
assert_eq 48 "$(capacity_of "$T/sim6-new.json")" \
    "simulate --create re-created the segment with 48 channels"
assert_eq 640 "$(stat_of %a "$(shm_path "$SIM6")")" "simulate --create re-created it with mode 0640"
mt "$SIM6" counters create
assert_error 73 "exists" "create after a writer re-created the segment"

# simulate without --create on a missing segment.
new_segment SIM3
mt "$SIM3" simulate --events 10 --seed 1
assert_error 66 "does not exist" "simulate on a missing segment without --create"
assert_missing "$(shm_path "$SIM3")" "simulate without --create creates nothing"

# ------------------------------------------------------------------------
section "5. bad input"

# Missing segment.
new_segment MISS
for cmd in show clear delete; do
    mt "$MISS" counters $cmd
    assert_error 66 "does not exist" "counters $cmd on a missing segment"
done
mt "$MISS" counters show --json
assert_error 66 "does not exist" "counters show --json on a missing segment"
assert_missing "$(shm_path "$MISS")" "nothing was created by show/clear/delete"

# A foreign object: random bytes.
new_segment FOR
PF=$(shm_path "$FOR")
head -c 65536 /dev/urandom >"$PF"
cp "$PF" "$T/foreign"
for cmd in show clear; do
    mt "$FOR" counters $cmd
    assert_error 65 "not an mtamon segment" "counters $cmd on random bytes"
done
mt "$FOR" counters create
assert_error 73 "exists" "create over a foreign object"
mt "$FOR" counters delete
assert_error 65 "not an mtamon segment" "delete refuses a foreign object"
assert_same_bytes "$T/foreign" "$PF" "the foreign object is byte-identical after show/clear/create/delete"
emit --segment "$FOR" channel x
assert_error 65 "not an mtamon segment" "a writer refuses a foreign object" mtamon-emit
assert_same_bytes "$T/foreign" "$PF" "the foreign object is untouched by a writer"
mt "$FOR" counters delete --force
assert_exit 0 "delete --force removes a foreign object"
assert_missing "$PF" "the foreign object is gone"

# A short foreign object (smaller than a header).
new_segment SHORT
PS=$(shm_path "$SHORT")
printf 'hello, world\n' >"$PS"
mt "$SHORT" counters show
assert_error 65 "not an mtamon segment" "show on a 13-byte object"
mt "$SHORT" counters delete
assert_error 65 "not an mtamon segment" "delete refuses a 13-byte object"
assert_eq "hello, world" "$(cat "$PS")" "the short object is untouched"
mt "$SHORT" counters delete --force
assert_exit 0 "delete --force removes the short object"
assert_missing "$PS" "the short object is gone"

# A real segment with known traffic, then damaged copies of it.
new_segment GOOD
mt "$GOOD" counters create --capacity 16 --assoc-capacity 8
assert_exit 0 "create --capacity 16 --assoc-capacity 8"
emit --segment "$GOOD" enqueue - tcp_local 2 2048 dequeue tcp_local 2 2048 first 500
assert_exit 0 "traffic on the segment to damage"
json_of "$GOOD" "$T/good.json"
py_check "small segment" "$T/good.json" <<'EOF'
check("channel_capacity from --capacity", get(load(sys.argv[1]), "channel_capacity"), 16)
EOF
PG=$(shm_path "$GOOD")
cp "$PG" "$T/good"
size=$(stat_of %s "$PG")

# damage NAME DESC FRAGMENT: the object now in /dev/shm is refused by show,
# clear and delete with 65 and FRAGMENT, and left as it was; delete --force
# removes it.
damage_checks()
{
    local seg=$1 what=$2 fragment=$3 path
    path=$(shm_path "$seg")
    cp "$path" "$T/damaged"
    mt "$seg" counters show
    assert_error 65 "$fragment" "show on a segment with $what"
    mt "$seg" counters show --json
    assert_error 65 "$fragment" "show --json on a segment with $what"
    mt "$seg" counters clear
    assert_error 65 "$fragment" "clear on a segment with $what"
    emit --segment "$seg" loop tcp_local
    assert_error 65 "$fragment" "a writer on a segment with $what" mtamon-emit
    mt "$seg" counters delete
    assert_error 65 "$fragment" "delete refuses a segment with $what"
    assert_same_bytes "$T/damaged" "$path" "a segment with $what is left byte-identical"
    mt "$seg" counters delete --force
    assert_exit 0 "delete --force removes a segment with $what"
    assert_missing "$path" "the segment with $what is gone"
}

new_segment BADMAGIC
cp "$T/good" "$(shm_path "$BADMAGIC")"
patch_bytes "$(shm_path "$BADMAGIC")" 0 "NOTMTAMN"
damage_checks "$BADMAGIC" "a bad magic number" "bad magic"

new_segment NEWER
cp "$T/good" "$(shm_path "$NEWER")"
patch_u32 "$(shm_path "$NEWER")" 8 99
damage_checks "$NEWER" "layout version 99" "newer"

new_segment TRUNC
cp "$T/good" "$(shm_path "$TRUNC")"
truncate -s $((size / 2)) "$(shm_path "$TRUNC")"
damage_checks "$TRUNC" "half its size" "truncated"

new_segment BIGCAP
cp "$T/good" "$(shm_path "$BIGCAP")"
patch_u32 "$(shm_path "$BIGCAP")" 24 100000
damage_checks "$BIGCAP" "a capacity larger than the mapping" "capacity"

# A clear in progress (clear_seq, uint32 at byte offset 80, odd) by a live
# process (clear_pid, int32 at offset 84) that started just now
# (clear_started_ms, int64 at offset 96): busy, 75.
new_segment BUSY
cp "$T/good" "$(shm_path "$BUSY")"
start_bg CLEARER "$T/clearer.out" sleep 120
patch_u32 "$(shm_path "$BUSY")" 80 1
patch_u32 "$(shm_path "$BUSY")" 84 "$CLEARER"
patch_u64 "$(shm_path "$BUSY")" 96 "$(date +%s%3N)"
cp "$(shm_path "$BUSY")" "$T/busy"
mt "$BUSY" counters clear
assert_error 75 "$CLEARER" "clear while another process clears"
mt "$BUSY" counters show
assert_error 75 "clear" "show while another process clears"
assert_same_bytes "$T/busy" "$(shm_path "$BUSY")" "a busy segment is left as it was"
stop_bg "$CLEARER"
mt "$BUSY" counters clear
assert_exit 0 "clear takes over the clear of a process that died"
mt "$BUSY" counters show tcp_local
assert_exit 0 "show works again after the clear was finished"

# The original is still fine after all that.
mt "$GOOD" counters show tcp_local
assert_exit 0 "the undamaged segment still shows"
assert_contains "$OUT" "   Received           1           2           2" "the undamaged segment kept its counters"

# Bad channel names: refused with 64, nothing added.
mt "$GOOD" counters show
cp "$IT_TMP/out" "$T/good.show"
cp "$PG" "$T/good.bytes"
long=$(printf 'c%.0s' $(seq 64))
emit --segment "$GOOD" channel "$long"
assert_error 64 "longer than 63" "a 64-byte channel name" mtamon-emit
emit --segment "$GOOD" channel ""
assert_error 64 "empty" "an empty channel name" mtamon-emit
emit --segment "$GOOD" channel "$(printf 'bad\001name')"
assert_error 64 "control" "a channel name with a control character" mtamon-emit
emit --segment "$GOOD" channel "has space"
assert_error 64 "space" "a channel name with a space" mtamon-emit
emit --segment "$GOOD" enqueue - "$long" 1 1
assert_error 64 "longer than 63" "an event on a 64-byte channel name" mtamon-emit
mt "$GOOD" counters show
assert_file_eq "$T/good.show" "$IT_TMP/out" "bad channel names added nothing (show unchanged)"
assert_same_bytes "$T/good.bytes" "$PG" "bad channel names changed no byte of the segment"
emit --segment "$GOOD" channel "$(printf 'c%.0s' $(seq 63))"
assert_exit 0 "a 63-byte channel name is fine"

# A full segment.
new_segment FULL
mt "$FULL" counters create --capacity 2
assert_exit 0 "create --capacity 2"
emit --segment "$FULL" channel alpha channel beta
assert_exit 0 "register two channels"
emit --segment "$FULL" channel gamma
assert_error 69 "full" "a third channel in a 2-channel segment" mtamon-emit
emit --segment "$FULL" enqueue - gamma 1 1024
assert_error 69 "full" "an event on a third channel" mtamon-emit
emit --segment "$FULL" enqueue - alpha 1 1024 enqueue alpha beta 3 4096 \
    dequeue beta 3 4096 first 2000
assert_exit 0 "the first two channels still count"
json_of "$FULL" "$T/full.json"
py_check "full segment" "$T/full.json" <<'EOF'
doc = load(sys.argv[1])
check("channel_capacity", get(doc, "channel_capacity"), 2)
check("only the two channels", [c.get("name") for c in get(doc, "channels")], ["alpha", "beta"])
a, b = channel(doc, "alpha"), channel(doc, "beta")
check("alpha received", get(a, "counters", "received_messages"), 1)
check("alpha submitted", get(a, "counters", "submitted_recipients"), 3)
check("beta received", get(b, "counters", "received_recipients"), 3)
check("beta delivered", get(b, "counters", "delivered_volume"), 4096)
check("beta stored", get(b, "stored"), {"messages": 0, "recipients": 0, "volume": 0})
EOF
mt "$FULL" counters show beta
assert_contains "$OUT" "   Delivered          1           3           4 (1 first time)" \
    "show beta has the delivery made after the full error"

# Usage errors: 64, nothing created.
new_segment USAGE
PU=$(shm_path "$USAGE")
mt "$USAGE" bogus
assert_error 64 "bogus" "an unknown command"
mt "$USAGE" counters bogus
assert_error 64 "bogus" "an unknown counters subcommand"
mt "$USAGE" counters
assert_exit 64 "counters without a subcommand"
mt "$USAGE" counters show --bogus
assert_error 64 "bogus" "an unknown option of counters show"
mt "$USAGE" counters create --bogus
assert_exit 64 "an unknown option of counters create"
mt "$USAGE" --bogus counters show
assert_exit 64 "an unknown global option"
mt "$USAGE" counters create --capacity abc
assert_exit 64 "create --capacity abc"
mt "$USAGE" counters create --capacity
assert_exit 64 "create --capacity without a value"
mt "$USAGE" simulate --events many
assert_exit 64 "simulate --events many"
cli
assert_exit 64 "no command at all"
assert_missing "$PU" "usage errors create no segment"
mt "$S1" counters show --block-size 0
assert_exit 64 "show --block-size 0"
mt "$S1" counters show --block-size x
assert_exit 64 "show --block-size x"
mt "$S1" counters delete --bogus
assert_exit 64 "delete --bogus"
assert_exists "$P1" "a delete with a bad option removes nothing"

# Permission denied: 77.  Needs root to act as another user.
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
    "${NOBODY[@]}" "$MTAMON" --version >/dev/null 2>&1; then
    cp "$PG" "$T/good.bytes"
    run "${NOBODY[@]}" "$MTAMON" --segment "$GOOD" counters show
    assert_error 77 "ermission denied" "show by a user outside the segment's group"
    run "${NOBODY[@]}" "$MTAMON" --segment "$GOOD" counters clear
    assert_error 77 "ermission denied" "clear by a user outside the segment's group"
    run "${NOBODY[@]}" "$MTAMON" --segment "$GOOD" counters delete
    assert_error 77 "ermission denied" "delete by a user outside the segment's group"
    run "${NOBODY[@]}" "$MTAMON_EMIT" --segment "$GOOD" loop tcp_local
    assert_error 77 "ermission denied" "a writer outside the segment's group" mtamon-emit
    assert_same_bytes "$T/good.bytes" "$PG" "refused users changed nothing"
else
    printf 'skip permission checks: not root, or no setpriv, or nobody cannot run %s\n' "$MTAMON"
fi

# ------------------------------------------------------------------------
section "6. Sun spellings"

new_segment SEG_SUN
PSUN=$(shm_path "$SEG_SUN")
mt "$SEG_SUN" counters -create
assert_exit 0 "counters -create"
assert_exists "$PSUN" "-create made the segment"
mt "$SEG_SUN" counters -create
assert_error 73 "exists" "counters -create again"
mt "$SEG_SUN" counters -show
assert_exit 0 "counters -show"
assert_file_eq "$T/header" "$IT_TMP/out" "-show of an empty segment prints the header"
emit --segment "$SEG_SUN" enqueue - tcp_local 1 1024
mt "$SEG_SUN" counters -show tcp_local
assert_contains "$OUT" "   Received           1           1           1" "-show with a pattern"
mt "$SEG_SUN" counters -clear
assert_exit 0 "counters -clear"
mt "$SEG_SUN" counters -show tcp_local
assert_contains "$OUT" "   Received           0           0           0" "-clear zeroed Received"
assert_contains "$OUT" "   Stored             1           1           1" "-clear kept Stored"
mt "$SEG_SUN" counters -delete
assert_exit 0 "counters -delete"
assert_missing "$PSUN" "-delete removed the segment"
mt "$SEG_SUN" counters -show
assert_error 66 "does not exist" "-show after -delete"

# Plain delete of a healthy segment.
mt "$S1" counters delete
assert_exit 0 "counters delete"
assert_missing "$P1" "delete removed the segment"
mt "$S1" counters delete
assert_error 66 "does not exist" "delete twice"

# ------------------------------------------------------------------------
section "7. create --group and --mode"

MYGID=$(id -g)
MYGROUP=$(id -gn)

# create_checks DESC SEG GID MODE CONFIRMATION ARG...: `counters create
# ARG...` on SEG exits 0, prints exactly CONFIRMATION, and makes the
# segment with mode MODE (as stat %a prints it) and, unless GID is "",
# group GID.
create_checks()
{
    local desc=$1 seg=$2 gid=$3 mode=$4 confirmation=$5 path
    shift 5
    path=$(shm_path "$seg")
    mt "$seg" counters create "$@"
    assert_exit 0 "$desc: exit status 0"
    assert_eq "$confirmation" "$OUT" "$desc: the confirmation"
    if [ -n "$gid" ]; then
        assert_eq "$gid" "$(stat_of %g "$path")" "$desc: the segment's group is $gid"
    fi
    assert_eq "$mode" "$(stat_of %a "$path")" "$desc: the segment's mode is $mode"
}

new_segment GRP1
create_checks "create --group $MYGROUP --mode 0640 (by name)" "$GRP1" "$MYGID" 640 \
    "created segment $GRP1 (1024 channels, 1024 associations, mode 0640, group $MYGROUP (gid $MYGID))" \
    --group "$MYGROUP" --mode 0640
mt "$GRP1" counters show
assert_file_eq "$T/header" "$IT_TMP/out" "a segment created with --group and --mode shows"

# A numeric gid.  Root may give the segment to any gid, even one without a
# name; anyone else only to a group of their own.
if [ "$(id -u)" = 0 ]; then
    NUMGID=54321
else
    NUMGID=$MYGID
fi
if NUMNAME=$(getent group "$NUMGID" | cut -d: -f1) && [ -n "$NUMNAME" ]; then
    NUMTEXT="group $NUMNAME (gid $NUMGID)"
else
    NUMTEXT="gid $NUMGID"
fi
new_segment GRP2
create_checks "create --group $NUMGID (by number, no --mode)" "$GRP2" "$NUMGID" 660 \
    "created segment $GRP2 (8 channels, 1024 associations, mode 0660, $NUMTEXT)" \
    --group "$NUMGID" --capacity 8

# Without --group the confirmation names the mode only.
new_segment GRP3
create_checks "a plain create" "$GRP3" "" 660 \
    "created segment $GRP3 (1024 channels, 1024 associations, mode 0660)"
mt "$GRP3" counters delete
assert_exit 0 "delete the plain segment"

# Refused: nothing is created.
new_segment GRPBAD
# shellcheck disable=SC2153 # GRPBAD is set by new_segment
PGRPBAD=$(shm_path "$GRPBAD")
mt "$GRPBAD" counters create --group "mtamon-no-such-group-$$"
assert_error 64 "unknown group 'mtamon-no-such-group-$$'" "create --group with an unknown group"
mt "$GRPBAD" counters create --group ""
assert_error 64 "unknown group ''" "create --group ''"
mt "$GRPBAD" counters create --group 4294967295
assert_error 64 "unknown group" "create --group 4294967295 (not a gid)"
for bad in abc 0999 8 0660x -660 "" 077777; do
    mt "$GRPBAD" counters create --mode "$bad"
    assert_error 64 "--mode must be octal permission bits" "create --mode '$bad'"
done
mt "$GRPBAD" counters create --mode 0
assert_error 64 "the owner needs read and write" "create --mode 0"
mt "$GRPBAD" counters create --mode 0400
assert_error 64 "mode 0400" "create --mode 0400 (the library refuses it)"
mt "$GRPBAD" counters create --mode 04660
assert_error 64 "mode 4660" "create --mode 04660 (not only permission bits)"
mt "$GRPBAD" counters create --group "$MYGROUP" --mode 0200
assert_error 64 "mode 0200" "create --group --mode 0200"
mt "$GRPBAD" counters create --mode
assert_error 64 "needs a value" "create --mode without a value"
assert_missing "$PGRPBAD" "refused --group and --mode create nothing"

# The point of it all: root creates the segment for a mail group, and an
# MTA process in that group (here nobody:nogroup) writes; with 0640 it
# may only read.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
    "${NOBODY[@]}" "$MTAMON" --version >/dev/null 2>&1 &&
    "${NOBODY[@]}" "$MTAMON_EMIT" --help >/dev/null 2>&1; then
    new_segment GRPW
    mt "$GRPW" counters create --group nogroup
    assert_exit 0 "create --group nogroup"
    run "${NOBODY[@]}" "$MTAMON_EMIT" --segment "$GRPW" enqueue - tcp_local 1 1024
    assert_exit 0 "a writer in the segment's group writes"
    mt "$GRPW" counters show tcp_local
    assert_contains "$OUT" "   Received           1           1           1" "its event was counted"
    new_segment GRPR
    mt "$GRPR" counters create --group nogroup --mode 0640
    assert_exit 0 "create --group nogroup --mode 0640"
    run "${NOBODY[@]}" "$MTAMON" --segment "$GRPR" counters show
    assert_exit 0 "0640: the group may read"
    assert_file_eq "$T/header" "$IT_TMP/out" "0640: the group's show prints the header"
    run "${NOBODY[@]}" "$MTAMON_EMIT" --segment "$GRPR" channel tcp_local
    assert_error 77 "ermission denied" "0640: the group may not write" mtamon-emit
else
    printf 'skip group writer checks: not root, or no setpriv, or nobody cannot run the programs\n'
fi

# ------------------------------------------------------------------------
section "8. show --no-headers/--no-channels/--no-associations/--output, Sun option spellings"

new_segment SO
PSO=$(shm_path "$SO")
mt "$SO" counters -create -max_channels=5
assert_exit 0 "counters -create -max_channels=5"
assert_eq "created segment $SO (5 channels, 1024 associations, mode 0660)" "$OUT" \
    "-max_channels=5 is the capacity in the confirmation"
json_of "$SO" "$T/so.json"
py_check "-max_channels" "$T/so.json" <<'EOF2'
check("channel_capacity from -max_channels=5", get(load(sys.argv[1]), "channel_capacity"), 5)
EOF2
emit --segment "$SO" "${KNOWN_TRAFFIC[@]}"
assert_exit 0 "the known traffic on the Sun-created segment"
mt "$SO" counters show
assert_file_eq "$T/all" "$IT_TMP/out" "the plain show of it is the known text"

new_segment SO2
mt "$SO2" counters create -max_channels 7
assert_exit 0 "create -max_channels 7 (value in the next word)"
json_of "$SO2" "$T/so2.json"
py_check "-max_channels next word" "$T/so2.json" <<'EOF2'
check("channel_capacity from -max_channels 7", get(load(sys.argv[1]), "channel_capacity"), 7)
EOF2

# Headers.
tail -n +3 "$T/all" >"$T/all-noheaders"
mt "$SO" counters -show -noheaders
assert_exit 0 "-show -noheaders"
assert_file_eq "$T/all-noheaders" "$IT_TMP/out" "-noheaders is the output without its first two lines"
mt "$SO" counters show --no-headers
assert_file_eq "$T/all-noheaders" "$IT_TMP/out" "--no-headers prints the same"
mt "$SO" counters -show -noheaders -headers
assert_file_eq "$T/all" "$IT_TMP/out" "a later -headers wins"
mt "$SO" counters show -headers -channels -associations
assert_file_eq "$T/all" "$IT_TMP/out" "-headers -channels -associations are the defaults"

# Channels.
mt "$SO" counters -show -nochannels
assert_exit 0 "-show -nochannels"
assert_file_eq "$T/header" "$IT_TMP/out" "-nochannels prints only the header"
mt "$SO" counters show --no-channels --no-headers
assert_exit 0 "--no-channels --no-headers"
assert_eq 0 "$(stat_of %s "$IT_TMP/out")" "--no-channels --no-headers prints nothing"

# Associations: each block loses its last three lines (blank, Total In,
# Total Out), and nothing else.
{
    cat "$T/header"
    head -n -3 "$T/tcp_local"; echo
    head -n -3 "$T/ims-ms"; echo
    head -n -3 "$T/tcp_intranet"
} >"$T/all-noassoc"
diff "$T/all" "$T/all-noassoc" | sed -n 's/^< //p' >"$T/noassoc-removed"
assert_eq 9 "$(wc -l <"$T/noassoc-removed")" \
    "(the expected -noassociations text lacks 3 lines per channel)"
assert_eq 3 "$(grep -cE '^$' "$T/noassoc-removed")" "(of them a blank line per channel)"
assert_eq 6 "$(grep -cE '^   Total (In|Out) Assocs +[0-9]+$' "$T/noassoc-removed")" \
    "(and the two Total Assocs lines per channel)"
mt "$SO" counters -show -noassociations
assert_exit 0 "-show -noassociations"
assert_file_eq "$T/all-noassoc" "$IT_TMP/out" "-noassociations removes exactly the association lines"
mt "$SO" counters show --no-associations ims-ms --no-headers
assert_exit 0 "show --no-associations --no-headers ims-ms"
head -n -3 "$T/ims-ms" >"$T/ims-noassoc"
assert_file_eq "$T/ims-noassoc" "$IT_TMP/out" "--no-associations with a pattern and --no-headers"

# With --all: the Total lines and the table of current associations go,
# the rest of --all stays.
mt "$SO" counters show --all
assert_exit 0 "show --all"
cp "$IT_TMP/out" "$T/so-all"
python3 - "$T/so-all" "$T/so-all-noassoc" <<'EOF2'
import re, sys
text = open(sys.argv[1]).read()
text, n = re.subn(r"\n   Total In Assocs +\d+\n   Total Out Assocs +\d+\n", "", text)
assert n == 3, n
text, n = re.subn(r"\n\nCurrent associations: none\n$", "\n", text)
assert n == 1, n
open(sys.argv[2], "w").write(text)
EOF2
mt "$SO" counters -show --all -noassociations
assert_exit 0 "-show --all -noassociations"
assert_file_eq "$T/so-all-noassoc" "$IT_TMP/out" "--all -noassociations drops the Total lines and the association table"
assert_contains "$OUT" "   Current In Assocs       0" "--all -noassociations keeps the --all association counters"
{ head -n 2 "$T/so-all"; echo "Current associations: none"; } >"$T/so-all-nochannels"
mt "$SO" counters -show --all -nochannels -noheaders
assert_exit 0 "-show --all -nochannels -noheaders"
assert_file_eq "$T/so-all-nochannels" "$IT_TMP/out" "--all -nochannels -noheaders: the segment line and the association table"

# Output to a file: exactly what standard output would have had.
mt "$SO" counters -show -output="$T/report.txt"
assert_exit 0 "-show -output=FILE"
assert_eq "" "$OUT" "-output=FILE prints nothing on standard output"
assert_same_bytes "$T/all" "$T/report.txt" "-output=FILE holds exactly the report"
assert_eq "$(printf '%o' $((0644 & ~0$(umask))))" "$(stat_of %a "$T/report.txt")" \
    "-output creates the file 0644 (less the umask)"
seq 1 5000 >"$T/report2.txt"
mt "$SO" counters show --all --output "$T/report2.txt"
assert_exit 0 "show --all --output over a longer file"
assert_same_bytes "$T/so-all" "$T/report2.txt" "--output truncates the file and writes the --all report"
mt "$SO" counters -show -noheaders -noassociations -output "$T/report3.txt" ims-ms
assert_exit 0 "-show -noheaders -noassociations -output FILE ims-ms"
assert_same_bytes "$T/ims-noassoc" "$T/report3.txt" "Sun options combine, the value may be the next word"
mt "$SO" counters -show -output="$T/report4.txt" ims-ms nosuch
assert_exit 1 "-output with a pattern that matches nothing still exits 1"
assert_same_bytes "$T/only-ims" "$T/report4.txt" "and writes what matched"
mt "$SO" counters show --json --output "$T/report.json"
assert_exit 0 "show --json --output FILE"
mt "$SO" counters show --json
py_check "--json --output" "$T/report.json" "$IT_TMP/out" <<'EOF2'
a, b = load(sys.argv[1]), load(sys.argv[2])
a.pop("taken", None); b.pop("taken", None)
check("the JSON in the file is the JSON on standard output", a, b)
EOF2
# A value that looks like a Sun option is still a value.
run env -C "$T" "$MTAMON" --segment "$SO" counters show --output -noheaders
assert_exit 0 "show --output -noheaders (a file called -noheaders)"
assert_same_bytes "$T/all" "$T/-noheaders" "the file -noheaders has the headers"

mkdir "$T/outdir"
mt "$SO" counters -show -output="$T/outdir"
assert_error 73 "cannot create output file $T/outdir" "-output=DIRECTORY"
mt "$SO" counters show --output "$T/no/such/dir/report"
assert_error 73 "No such file or directory" "--output into a missing directory"
mt "$SO" counters show --output ""
assert_error 64 "needs a file name" "--output ''"
mt "$SO" counters -show -output
assert_error 64 "needs a value" "-output without a value"
new_segment SOMISS
mt "$SOMISS" counters -show -output="$T/never.txt"
assert_error 66 "does not exist" "-output on a missing segment"
assert_missing "$T/never.txt" "a missing segment creates no output file"

# JSON carries everything: leaving parts out is refused.
for opt in -noheaders --no-channels -noassociations; do
    mt "$SO" counters show --json $opt
    assert_error 64 "--json cannot be combined" "show --json $opt"
done
mt "$SO" counters show --json -headers -channels -associations
assert_exit 0 "show --json with the default spellings"

# Unknown and misplaced Sun words.
new_segment SOBAD
# shellcheck disable=SC2153 # SOBAD is set by new_segment
PSOBAD=$(shm_path "$SOBAD")
mt "$SO" counters -show -bogus
assert_error 64 "unknown option '-bogus'" "-show -bogus"
mt "$SO" counters show -noheader
assert_error 64 "unknown option '-noheader'" "an abbreviated Sun option"
mt "$SO" counters show -NOHEADERS
assert_error 64 "unknown option '-NOHEADERS'" "an upper-case Sun option"
mt "$SO" counters -show -noheaders=yes
assert_error 64 "option '-noheaders' takes no value" "-noheaders=yes"
mt "$SOBAD" counters -create -bogus
assert_error 64 "unknown option '-bogus'" "-create -bogus"
mt "$SOBAD" counters -create -noheaders
assert_error 64 "unknown option '-noheaders'" "a show option on -create"
mt "$SOBAD" counters create -max_channels=abc
assert_error 64 "--capacity must be" "-max_channels=abc"
mt "$SOBAD" counters create -max_channels=0
assert_error 64 "--capacity must be" "-max_channels=0"
mt "$SO" counters -show -max_channels=5
assert_error 64 "unknown option '-max_channels=5'" "a create option on -show"
mt "$SO" counters -clear -bogus
assert_error 64 "unknown option '-bogus'" "-clear -bogus"
mt "$SO" counters -delete -bogus
assert_error 64 "unknown option '-bogus'" "-delete -bogus"
mt "$SO" counters delete -x
assert_error 64 "unknown option '-x'" "delete -x"
assert_missing "$PSOBAD" "refused Sun options create nothing"
assert_exists "$PSO" "refused Sun options delete nothing"
mt "$SO" counters show
assert_file_eq "$T/all" "$IT_TMP/out" "refused Sun options clear nothing"
mt "$SO" counters -delete
assert_exit 0 "-delete the Sun-created segment"

finish
