#!/bin/bash
# test_feed.sh - `mtamon feed` on real files: exact counters from a small
# log, rotation by rename and copytruncate while following, restart with a
# state file, rotation while stopped, an incomplete last line, garbage and
# too-long lines, standard input, two feeds on one segment, malformed state
# files; the hand-written Sendmail log of tests/data/feed/sendmail.  Every wait is a bounded poll; every feed is stopped by PID.
#
# The Sun/Oracle Messaging Server records used (see parse_sunmta.c):
#   "... tcp_local ims-ms E 1 ..."  enqueue: tcp_local Submitted, ims-ms
#                                   Received (1 block = 1024 octets)
#   "... ims-ms D 1 ..."            dequeue: ims-ms Delivered
#   "... tcp_local + O|C TCP|..."   inbound association open / close
. "$(dirname "$0")/lib.sh"

require_program "$MTAMON"

T="$IT_TMP"

# sun_enqueue N TAG: N enqueue records (recipients made unique by TAG).
sun_enqueue()
{
    local i
    for ((i = 1; i <= $1; i++)); do
        printf '16-Feb-2007 14:54:13.72 tcp_local ims-ms E 1 s%s-%d@example.com rfc822;r@example.org r@example.org\n' "$2" "$i"
    done
}

# counter_is SEG CHANNEL KEY WANT: the counter equals WANT.
counter_is() { [ "$(counter "$1" "$2" "$3")" = "$4" ]; }

# wait_counter SEG CHANNEL KEY WANT [SECONDS]: poll until it equals WANT.
wait_counter() { wait_until "${5:-20}" counter_is "$1" "$2" "$3" "$4"; }

# stats_value FILE NAME: the value of "NAME N" in a --stats output.
stats_value()
{
    sed -n "s/^$2 //p" "$1"
}

# feed_once FORMAT LOG DESC: `feed --format FORMAT --from-start --once
# --stats LOG` into segment $SEG exits 0 (DESC); its statistics go to
# $T/stats.
feed_once()
{
    cli --segment "$SEG" feed --format "$1" --from-start --once --stats "$2"
    assert_exit 0 "$3"
    printf '%s\n' "$OUT" >"$T/stats"
}

# assert_stat NAME WANT [DESC]: the last feed_once's statistic NAME is WANT.
assert_stat()
{
    assert_eq "$2" "$(stats_value "$T/stats" "$1")" "${3:-stats: $1 $2}"
}

# wait_exit PID [SECONDS]: wait (bounded) for a process to end, reap it.
wait_exit()
{
    wait_until "${2:-20}" process_ended "$1"
    stop_bg "$1"
}

# ---------------------------------------------------------------------------
section "a small log: exact counters and statistics"
new_segment SEG
log="$T/small.log"
{
    sun_enqueue 3 a
    printf '16-Feb-2007 14:54:14.00 ims-ms D 1 s@example.com rfc822;r@example.org r@example.org\n'
    printf '16-Feb-2007 14:54:14.00 ims-ms D 1 t@example.com rfc822;r@example.org r@example.org\n'
    printf '28-Feb-2007 11:50:59.10 tcp_local + O TCP|192.0.2.1|25|198.51.100.7|1244 SMTP\n'
    printf '28-Feb-2007 11:50:59.10 tcp_local + O TCP|192.0.2.1|25|198.51.100.8|1245 SMTP\n'
    printf '28-Feb-2007 11:51:00.10 tcp_local + C TCP|192.0.2.1|25|198.51.100.7|1244 SMTP\n'
    printf '28-Feb-2007 11:51:00.10 tcp_local + C TCP|192.0.2.1|25|198.51.100.9|9999 SMTP\n'
    printf 'Feb 16 14:54:13 host kernel: not a mail.log record\n'
    printf '\x00\x01\xff\xfe binary \x80\x81 garbage\n'
    printf '\xc3\x28 invalid UTF-8 \xe2\x82 only \xf0\x28\x8c\x28\n'
    # A well-formed record whose addresses are not UTF-8: still counted.
    printf '16-Feb-2007 14:54:13.72 tcp_local ims-ms E 1 \xc3\x28@bad-utf8 rfc822;\xff@x \xfe@x\n'
    printf '16-Feb-2007 14:54:13.72 tcp_local ims-ms E notanumber a@b rfc822;c@d c@d\n'
} >"$log"
feed_once sunmta "$log" "feed --once exits 0"
assert_stat lines 14
assert_stat too_long 0
assert_stat event_errors 0
assert_stat unknown_closes 1
n_counted=$(stats_value "$T/stats" counted)
n_other=$(( $(stats_value "$T/stats" known) + $(stats_value "$T/stats" skipped) + $(stats_value "$T/stats" unparsed) ))
assert_eq 14 "$((n_counted + n_other))" "stats: counted+known+skipped+unparsed = lines"
assert_eq 10 "$n_counted" "stats: 10 records counted"
py_check "small log" "$MTAMON" "$SEG" <<'EOF'
import subprocess
doc = json.loads(subprocess.run([sys.argv[1], "--segment", sys.argv[2], "counters", "show", "--json"],
                                capture_output=True, text=True).stdout)
ims, tcp = channel(doc, "ims-ms"), channel(doc, "tcp_local")
check("ims-ms received", get(ims, "counters", "received_messages"), 4)
check("ims-ms received volume", get(ims, "counters", "received_volume"), 4096)
check("ims-ms delivered", get(ims, "counters", "delivered_messages"), 2)
check("tcp_local submitted", get(tcp, "counters", "submitted_messages"), 4)
check("tcp_local inbound associations", get(tcp, "counters", "inbound_associations"), 2)
# One closed by its record, the other when the feed ended.
check("tcp_local inbound closed", get(tcp, "counters", "inbound_associations_closed"), 2)
check("tcp_local inbound current", get(tcp, "associations", "inbound_current"), 0)
EOF

# ---------------------------------------------------------------------------
section "a small Postfix log: exact counters (mapping in parse_postfix.c)"
new_segment SEG
log="$T/postfix.log"
cat >"$log" <<'LOG'
Nov 23 16:33:05 mx postfix/smtpd[100]: connect from client.example[192.0.2.10]
Nov 23 16:33:05 mx postfix/smtpd[100]: 4A1B2C3D4E: client=client.example[192.0.2.10]
Nov 23 16:33:06 mx postfix/qmgr[200]: 4A1B2C3D4E: from=<a@example.com>, size=2048, nrcpt=1 (queue active)
Nov 23 16:33:07 mx postfix/smtp[300]: 4A1B2C3D4E: to=<b@example.org>, relay=mx.example.org[198.51.100.2]:25, delay=1.5, delays=0.1/0/0.4/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)
Nov 23 16:33:08 mx postfix/smtpd[100]: disconnect from client.example[192.0.2.10] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5
Nov 23 16:33:09 mx sshd[55]: Accepted publickey for root
LOG
feed_once postfix "$log" "postfix: feed --once exits 0"
got=""
for k in lines counted known skipped unparsed events; do
    got="$got $k $(stats_value "$T/stats" "$k")"
done
assert_eq " lines 6 counted 3 known 2 skipped 1 unparsed 0 events 4" "$got" "postfix: statistics"
assert_eq 1 "$(counter "$SEG" smtp received_messages)" "postfix: smtp received 1"
assert_eq 1 "$(counter "$SEG" smtp delivered_messages)" "postfix: smtp delivered 1"
assert_eq 2048 "$(counter "$SEG" smtp delivered_volume)" "postfix: smtp delivered volume 2048"
assert_eq 1500 "$(counter "$SEG" smtp queue_time_ms)" "postfix: smtp queue time 1500 ms"
assert_eq 1 "$(counter "$SEG" smtpd submitted_messages)" "postfix: smtpd submitted 1"
assert_eq 1 "$(counter "$SEG" smtpd inbound_associations_closed)" "postfix: smtpd association closed"

# ---------------------------------------------------------------------------
section "the hand-written Sendmail log of every kind: exact counters"
# tests/data/feed/sendmail/README derives each figure (mapping in
# parse_sendmail.c); no private sendmail can run here.
new_segment SEG
feed_once sendmail "$IT_TOP_SRCDIR/tests/data/feed/sendmail/kinds.log" "sendmail: feed --once exits 0"
got=""
for k in lines counted known skipped unparsed events event_errors; do
    got="$got $k $(stats_value "$T/stats" "$k")"
done
assert_eq " lines 53 counted 42 known 7 skipped 2 unparsed 2 events 63 event_errors 0" "$got" \
    "sendmail: statistics"
py_check "sendmail log" "$MTAMON" "$SEG" <<'EOF'
import subprocess
doc = json.loads(subprocess.run([sys.argv[1], "--segment", sys.argv[2], "counters", "show", "--json"],
                                capture_output=True, text=True).stdout)
want = {
    "esmtp": dict(submitted_messages=9, submitted_recipients=11, submitted_volume=21276,
                  received_messages=8, received_volume=18160, delivered_messages=4,
                  delivered_volume=7660, delivered_first_messages=2, attempted_messages=4,
                  attempted_volume=15048, failed_messages=3, failed_volume=7500,
                  rejected_messages=6, queue_time_ms=5408000, queue_count=4,
                  inbound_associations_rejected=1, outbound_associations_failed=2),
    "local": dict(submitted_messages=6, submitted_volume=3951, received_messages=7,
                  received_volume=12212, delivered_messages=6, delivered_volume=10412,
                  failed_messages=1, failed_volume=1800, queue_time_ms=3000),
    "relay": dict(received_messages=3, received_volume=3951, delivered_messages=3,
                  queue_time_ms=759000, submitted_messages=0),
}
for name, counters in want.items():
    ch = channel(doc, name)
    for key, value in counters.items():
        check(name + " " + key, get(ch, "counters", key), value)
check("esmtp stored", get(channel(doc, "esmtp"), "stored", "messages"), 1)
check("channels", sorted(c["name"] for c in doc["channels"]), ["esmtp", "local", "relay"])
EOF

# ---------------------------------------------------------------------------
section "a 1 MB line is skipped, the next line still counted"
new_segment SEG
log="$T/long.log"
{
    sun_enqueue 1 before
    head -c 1048576 /dev/zero | tr '\0' 'x'
    printf '\n'
    sun_enqueue 1 after
} >"$log"
feed_once sunmta "$log" "feed exits 0 after a 1 MB line"
assert_stat too_long 1
assert_stat lines 3
assert_eq 2 "$(counter "$SEG" ims-ms received_messages)" "both normal lines counted"

# ---------------------------------------------------------------------------
section "a full segment: other channels not counted, each logged once"
# Capacity 4: tcp_local and 3 destinations fit, the other 69,997 do not.
# Failures are cached (and logged) per name up to the sink's 65,536 names;
# past that they are not cached, and logged once more in all.
new_segment SEG
cli --segment "$SEG" counters create --capacity 4
log="$T/many.log"
awk 'BEGIN { for (i = 1; i <= 70000; i++)
    printf "16-Feb-2007 14:54:13.72 tcp_local d%05d E 1 s@x rfc822;r@x r@x\n", i }' >"$log"
feed_once sunmta "$log" "feed exits 0 with the segment full"
assert_stat counted 70000 "all 70000 records parsed"
assert_stat event_errors 69997 "69997 events on channels that do not fit"
assert_eq 1 "$(counter "$SEG" d00003 received_messages)" "a channel that fit counted"
not_counted=$(printf '%s\n' "$ERR" | grep -c "not counted")
assert_eq $((65536 - 4 + 1)) "$not_counted" \
    "one warning per cached name, then one for all the rest (no flood)"

# ---------------------------------------------------------------------------
section "standard input, with a last line without newline"
new_segment SEG
{ sun_enqueue 4 stdin; printf '16-Feb-2007 14:54:13.72 tcp_local ims-ms E 1 last@x rfc822;r@x r@x'; } |
    "$MTAMON" --segment "$SEG" feed --format sunmta --stats - >"$T/out" 2>"$T/err"
RC=$?
ERR=$(cat "$T/err")
assert_exit 0 "feed - exits 0 at the end of its input"
assert_eq 5 "$(stats_value "$T/out" counted)" "stdin: 5 records counted (the last one unterminated)"
assert_eq 5 "$(counter "$SEG" ims-ms received_messages)" "stdin: ims-ms received 5"

# ---------------------------------------------------------------------------
section "following: rotation by rename, then copytruncate"
new_segment SEG
log="$T/follow.log"
sun_enqueue 2 old >"$log"
start_bg PID "$T/follow.out" "$MTAMON" --segment "$SEG" feed --format sunmta \
    --state "$T/follow.state" --stats "$log"
# Started at the end: the two old lines are not counted.  Then new lines.
wait_for_text "$T/follow.state" "offset" 10 || fail "state file written at start"
sun_enqueue 3 a >>"$log"
wait_counter "$SEG" ims-ms received_messages 3 ||
    fail "lines appended while following are counted" "got $(counter "$SEG" ims-ms received_messages)"
# Rename; the MTA writes two more lines to the old file before it reopens.
mv "$log" "$log.1"
sun_enqueue 2 b >>"$log.1"
sun_enqueue 4 c >"$log"
wait_counter "$SEG" ims-ms received_messages 9 ||
    fail "rotation: old file finished, new one read" "got $(counter "$SEG" ims-ms received_messages)"
# An incomplete line is held until it is completed.
printf '16-Feb-2007 14:54:13.72 tcp_local ims-ms E 1 part@x rfc' >>"$log"
sleep 0.5   # (not a timing assertion: gives the feed a chance to misread it)
printf '822;r@x r@x\n' >>"$log"
wait_counter "$SEG" ims-ms received_messages 10 ||
    fail "a completed line is counted once" "got $(counter "$SEG" ims-ms received_messages)"
# copytruncate: copy, truncate in place, write on.
cp "$log" "$log.2"
: >"$log"
sun_enqueue 2 d >>"$log"
wait_counter "$SEG" ims-ms received_messages 12 ||
    fail "copytruncate: the truncated file is read from 0" "got $(counter "$SEG" ims-ms received_messages)"
stop_bg "$PID"
assert_eq 12 "$(counter "$SEG" ims-ms received_messages)" "following: 12 lines, each counted once"
assert_eq 1 "$(stats_value "$T/follow.out" rotations)" "following: rotations 1"
assert_eq 1 "$(stats_value "$T/follow.out" truncations)" "following: truncations 1"
assert_eq 12 "$(stats_value "$T/follow.out" lines)" "following: lines 12"

# ---------------------------------------------------------------------------
section "restart with a state file: SIGTERM mid-file, no line twice or lost"
new_segment SEG
log="$T/restart.log"
sun_enqueue 1000 r1 >"$log"
start_bg PID "$T/restart.out" "$MTAMON" --segment "$SEG" feed --format sunmta \
    --from-start --state "$T/restart.state" "$log"
wait_counter "$SEG" ims-ms received_messages 1000 || fail "first 1000 lines counted"
# Stop it while lines are being written: wherever it stops, the state
# file must say exactly where.
sun_enqueue 2000 r2 >>"$log" &
writer=$!
kill -TERM "$PID"
wait "$writer"
wait_exit "$PID"
first=$(counter "$SEG" ims-ms received_messages)
saved=$(sed -n 's/^offset //p' "$T/restart.state")
printf '     stopped after %s of 3000 lines, at offset %s\n' "$first" "$saved"
sun_enqueue 3000 r3 >>"$log"
cli --segment "$SEG" feed --format sunmta --once --state "$T/restart.state" --stats "$log"
assert_exit 0 "restart exits 0"
assert_eq 6000 "$(counter "$SEG" ims-ms received_messages)" "restart: 6000 lines counted exactly once"
assert_eq $((6000 - first)) "$(sed -n 's/^counted //p' "$IT_TMP/out")" \
    "restart: read exactly the lines the first run had not"
assert_eq "$(stat_of %s "$log")" "$(sed -n 's/^offset //p' "$T/restart.state")" "state: offset at the end"

# A large file: SIGTERM as soon as counting began.
new_segment SEG
log="$T/big.log"
sun_enqueue 100000 big >"$log"
start_bg PID "$T/big.out" "$MTAMON" --segment "$SEG" feed --format sunmta \
    --from-start --state "$T/big.state" "$log"
counting_began() { ! counter_is "$SEG" ims-ms received_messages none; }
wait_until 4 counting_began
kill -TERM "$PID"
wait_exit "$PID"
first=$(counter "$SEG" ims-ms received_messages)
printf '     stopped after %s of 100000 lines\n' "$first"
cli --segment "$SEG" feed --format sunmta --once --state "$T/big.state" "$log"
assert_exit 0 "large file: restart exits 0"
assert_eq 100000 "$(counter "$SEG" ims-ms received_messages)" "large file: 100000 lines counted exactly once"

# ---------------------------------------------------------------------------
section "rotation while stopped: the old file found by inode"
new_segment SEG
log="$T/stopped.log"
sun_enqueue 2 s1 >"$log"
cli --segment "$SEG" feed --format sunmta --from-start --once --state "$T/stopped.state" "$log"
assert_exit 0 "first run exits 0"
sun_enqueue 3 s2 >>"$log"
mv "$log" "$T/stopped.log-20240501"
sun_enqueue 4 s3 >"$log"
cli --segment "$SEG" feed --format sunmta --once --state "$T/stopped.state" --stats "$log"
assert_exit 0 "second run exits 0"
assert_eq 9 "$(counter "$SEG" ims-ms received_messages)" "rotated while stopped: 2+3+4 lines, once each"
assert_eq 1 "$(sed -n 's/^rotations //p' "$IT_TMP/out")" "rotated while stopped: rotations 1"

# ---------------------------------------------------------------------------
section "two feeds write one segment"
new_segment SEG
sun_enqueue 20000 one >"$T/one.log"
sun_enqueue 30000 two >"$T/two.log"
start_bg P1 "$T/one.out" "$MTAMON" --segment "$SEG" feed --format sunmta --from-start --once "$T/one.log"
start_bg P2 "$T/two.out" "$MTAMON" --segment "$SEG" feed --format sunmta --from-start --once "$T/two.log"
wait_exit "$P1" 60
wait_exit "$P2" 60
assert_eq 50000 "$(counter "$SEG" ims-ms received_messages)" "two feeds: 20000 + 30000"
assert_eq 50000 "$(counter "$SEG" tcp_local submitted_messages)" "two feeds: tcp_local submitted 50000"

# ---------------------------------------------------------------------------
section "malformed state files: exit 65, nothing read"
new_segment SEG
log="$T/m.log"
sun_enqueue 2 m >"$log"
state="$T/m.state"
check_malformed()
{
    local desc=$1 frag=$2
    cli --segment "$SEG" feed --format sunmta --from-start --once --state "$state" "$log"
    assert_error 65 "$frag" "$desc"
    assert_contains "$ERR" "$state" "$desc: message names the state file"
    assert_missing "$(shm_path "$SEG")" "$desc: segment untouched (not even created)"
}
: >"$state"
check_malformed "empty state file" "empty"
printf 'hello world\n' >"$state"
check_malformed "foreign state file" "line 1"
printf 'mtamon-feed-state 9\n' >"$state"
check_malformed "newer version" "unsupported version"
printf 'mtamon-feed-state 1\ndevice 1\ninode 2\n' >"$state"
check_malformed "truncated state file" "missing 'offset'"
printf 'mtamon-feed-state 1\ndevice 1\ninode x\noffset 3\ntaillen 3\ntailhash 0123456789abcdef\n' >"$state"
check_malformed "not a number" "inode is not a decimal"
printf 'mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 3\ntailhash xyz\n' >"$state"
check_malformed "bad hash" "16 hexadecimal"
printf 'mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 9\ntailhash 0123456789abcdef\n' >"$state"
check_malformed "inconsistent taillen" "taillen 9 does not match"
printf 'mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 3\ntailhash 0123456789abcdef\nmore\n' >"$state"
check_malformed "trailing text" "after the last field"
rm -f "$state"
mkdir "$state"
check_malformed "a directory" "not a regular file"
rmdir "$state"

# ---------------------------------------------------------------------------
section "following across counters delete + create"
# The feed keeps its channel handles and connections across a delete; each
# line written after the delete is counted in the new segment, whoever
# created it.
new_segment SEG
log="$T/retire.log"
cli --segment "$SEG" counters create --capacity 16 --mode 0640
: >"$log"
start_bg PID "$T/retire.out" "$MTAMON" --segment "$SEG" feed --format sunmta \
    --from-start --stats "$log"
{
    sun_enqueue 20 r1
    printf '28-Feb-2007 11:50:59.10 tcp_local + O TCP|192.0.2.1|25|198.51.100.7|1244 SMTP\n'
} >>"$log"
wait_counter "$SEG" ims-ms received_messages 20 ||
    fail "before the delete: 20 lines counted" "got $(counter "$SEG" ims-ms received_messages)"
cli --segment "$SEG" counters delete
assert_exit 0 "counters delete under a running feed"
cli --segment "$SEG" counters create --capacity 8
assert_exit 0 "counters create with another capacity"
{
    sun_enqueue 30 r2
    # The connection opened in the deleted segment ends: not counted here.
    printf '28-Feb-2007 11:51:00.10 tcp_local + C TCP|192.0.2.1|25|198.51.100.7|1244 SMTP\n'
} >>"$log"
wait_counter "$SEG" ims-ms received_messages 30 ||
    fail "after delete + create: the 30 new lines are in the new segment" \
        "got $(counter "$SEG" ims-ms received_messages)"
assert_eq 30 "$(counter "$SEG" tcp_local submitted_messages)" "new segment: tcp_local submitted 30"
assert_eq 0 "$(counter "$SEG" tcp_local inbound_associations_closed)" \
    "new segment: the close of a connection opened before the delete is not counted"
assert_eq 0 "$(counter "$SEG" tcp_local inbound_current)" "new segment: no connection below 0"
# Deleted and not re-created: the feed re-creates it like the last one.
cli --segment "$SEG" counters delete
assert_exit 0 "counters delete again"
sun_enqueue 5 r3 >>"$log"
wait_counter "$SEG" ims-ms received_messages 5 ||
    fail "after a delete alone: the feed re-created the segment and counted 5" \
        "got $(counter "$SEG" ims-ms received_messages)"
cli --segment "$SEG" counters show --json
assert_contains "$OUT" '"channel_capacity": 8,' "re-created with the last segment's capacity"
cli --segment "$SEG" counters create
assert_error 73 "exists" "create after the feed re-created the segment"
stop_bg "$PID"
assert_eq 2 "$(stats_value "$T/retire.out" reattached)" "stats: reattached 2"
assert_eq 57 "$(stats_value "$T/retire.out" lines)" "stats: lines 57"
assert_eq 57 "$(stats_value "$T/retire.out" events)" "stats: events 57"
assert_eq 0 "$(stats_value "$T/retire.out" event_errors)" "stats: event_errors 0"
assert_eq 0 "$(stats_value "$T/retire.out" unknown_closes)" "stats: unknown_closes 0"
assert_contains "$(cat "$T/retire.out")" "the segment was deleted" "the re-attachment is logged"

# ---------------------------------------------------------------------------
section "usage and missing files"
cli --segment "$SEG" feed --format sunmta --once "$T/no-such.log"
assert_error 66 "no-such.log" "missing file with --once"
cli --segment "$SEG" feed --format nosuch --once "$log"
assert_error 64 "unknown format 'nosuch'" "unknown format"
cli --segment "$SEG" feed --once "$log"
assert_error 64 "--format is required" "no format"
cli --segment "$SEG" feed --format sunmta
assert_error 64 "FILE (or '-') is missing" "no file"
cli --segment "$SEG" feed --format sunmta --state "$T/x.state" -
assert_error 64 "--state cannot be used" "state with standard input"
cli --segment "$SEG" feed --format sunmta --bogus "$log"
assert_exit 64 "unknown option"

finish
