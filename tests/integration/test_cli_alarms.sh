#!/bin/bash
# test_cli_alarms.sh - `mtamon alarms`: mtamond's alarm state file, written
# here by hand, printed as a table (exact lines, in UTC) and as JSON; the
# age warning; every way the file can be wrong (missing, unreadable, a
# directory, empty, malformed, truncated, wrong types, huge numbers, too
# large, binary) with its exit status and one-line message; usage errors;
# the configuration's alarm_options.state_file.
#
# Run by `make check`; by hand: cd BUILDDIR && SRCDIR/tests/integration/test_cli_alarms.sh

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_program "$MTAMON"

T=$IT_TMP
export TZ=UTC
NOW_MS=$(now_ms)

# json_round_trip DESC STATE PRINTED: `mtamon alarms --state STATE --json`
# exits 0 and prints (kept in PRINTED) the same document as STATE; the
# python on stdin checks more of it, as printed and original.
json_round_trip()
{
    local more
    more=$(cat)
    cli alarms --state "$2" --json
    assert_exit 0 "$1: exit status 0"
    cp "$T/out" "$3"
    py_check "$1" "$3" "$2" <<PY
import sys
printed, original = load(sys.argv[1]), load(sys.argv[2])
check("same document as the file", printed, original)
$more
PY
}

# state_file FILE WRITTEN_MS [ALARMS_JSON]: a state file as mtamond writes
# it: three alarms (spool-space with three rows, one of them gone from its
# last check; stale on the segment, pending; procs, never checked), or the
# alarms array given.
state_file()
{
    local alarms=${3:-'[
  {"index": 1, "name": "spool-space", "kind": "disk_free", "severity": "major",
   "raise": 10, "clear": 15.5, "interval": 30, "for": 0, "resend": 3600,
   "rows": [
    {"object": "var", "state": "clear", "value": 52.25, "last_value": null, "raises": 0, "clears": 0, "resends": 0, "last_raise_ms": 0, "last_clear_ms": 0, "last_check_ms": 1764896550000, "sent": 0, "failed": 0, "suppressed": 0, "present": true},
    {"object": "spool", "state": "active", "value": 4.7, "last_value": 4.7, "raises": 2, "clears": 1, "resends": 1, "last_raise_ms": 1764896500000, "last_clear_ms": 1764893000000, "last_check_ms": 1764896550000, "sent": 3, "failed": 1, "suppressed": 0, "present": true},
    {"object": "old", "state": "active", "value": 1, "last_value": 1, "raises": 1, "clears": 0, "resends": 0, "last_raise_ms": 1764800000000, "last_clear_ms": 0, "last_check_ms": 1764800000000, "sent": 0, "failed": 0, "suppressed": 1, "present": false}]},
  {"index": 2, "name": "stale", "kind": "segment_stale", "severity": "critical",
   "raise": 600, "clear": 300, "interval": 60, "for": 120, "resend": 3600,
   "rows": [
    {"object": "", "state": "pending", "value": 33.333333333333336, "last_value": null, "raises": 0, "clears": 0, "resends": 0, "last_raise_ms": 0, "last_clear_ms": 0, "last_check_ms": 1764896540000, "sent": 0, "failed": 0, "suppressed": 0, "present": true}]},
  {"index": 3, "name": "procs", "kind": "process_down", "severity": "minor",
   "raise": 1, "clear": 1, "interval": 60, "for": 0, "resend": 0,
   "rows": []}]'}
    cat >"$1" <<EOF
{"version": 1, "written_ms": $2, "host": "mx1.example",
 "notifications": {"sent": 3, "failed": 1, "suppressed": 1, "summaries": 1, "pending": 2, "last_sequence": 4},
 "alarms": $alarms}
EOF
}

# utc MS: the local (here UTC) time `mtamon alarms` prints for MS.
utc() { date -u -d "@$(($1 / 1000))" +%Y-%m-%dT%H:%M:%S+00:00; }

# The first line, the age replaced by AGE.
head_line() { sed -n 1p <<<"$OUT" | sed -E 's/\([^()]* ago\)$/(AGE ago)/'; }

# ------------------------------------------------------------------------
section "a state file written 5 s ago"

WRITTEN=$((NOW_MS - 5000))
state_file "$T/alarms.json" "$WRITTEN"
cli alarms --state "$T/alarms.json"
assert_exit 0 "text: exit status 0"
assert_eq "" "$ERR" "text: nothing on stderr (the file is fresh)"
assert_eq "$T/alarms.json: written by mtamond on mx1.example at $(utc "$WRITTEN") (AGE ago)" \
    "$(head_line)" "text: the file, the host and when"
cat >"$T/want" <<'EOF'

ALARM        KIND           OBJECT     STATE    VALUE  RAISE/CLEAR  RAISED  CLEARED  LAST CHANGE                SENT/FAILED
spool-space  disk_free      var        clear    52.25  10/15.5      0       0        never                      0/0
spool-space  disk_free      spool      active   4.7    10/15.5      2       1        2025-12-05T01:01:40+00:00  3/1
spool-space  disk_free      old        active*  1      10/15.5      1       0        2025-12-03T22:13:20+00:00  0/0
stale        segment_stale  (segment)  pending  33.33  600/300      0       0        never                      0/0
procs        process_down   -          -        -      1/1          -       -        -                          -
* not in the alarm's last check (the object is gone): the state is the last one seen

notifications: 3 sent, 1 failed, 1 suppressed (1 summary), 2 pending; last sequence 4
EOF
sed 1d "$T/out" >"$T/got"
assert_file_eq "$T/want" "$T/got" "text: the table and the totals, line by line"

# ------------------------------------------------------------------------
section "--json: the document, re-serialised"

json_round_trip "json" "$T/alarms.json" "$T/printed.json" <<'PY'
check("keys in order", list(printed.keys()),
      ["version", "written_ms", "host", "notifications", "alarms"])
check("a row's keys in order", list(get(printed, "alarms", 0, "rows", 0).keys()),
      ["object", "state", "value", "last_value", "raises", "clears", "resends",
       "last_raise_ms", "last_clear_ms", "last_check_ms", "sent", "failed",
       "suppressed", "present"])
PY
# What it does not know is not copied: keys of a newer mtamond.
sed 's/"host": "mx1.example",/"host": "mx1.example", "future": {"x": [1, 2]},/' \
    "$T/alarms.json" >"$T/future.json"
cli alarms --state "$T/future.json" --json
assert_exit 0 "json: unknown keys: exit status 0"
assert_not_contains "$OUT" "future" "json: unknown keys are not copied"
assert_eq "$(cat "$T/printed.json")" "$OUT" "json: otherwise the same text"

# ------------------------------------------------------------------------
# Ages from the clock at each write, not from the script's start: on a
# loaded machine the minutes before this section would add to them.
section "age"

state_file "$T/minute.json" $(($(now_ms) - 60000))
cli alarms --state "$T/minute.json"
assert_exit 0 "60 s old: exit status 0"
assert_eq "" "$ERR" "60 s old, shortest interval 30 s: no warning (3 x 30 + 10 = 100 s)"
state_file "$T/old.json" $(($(now_ms) - 200000))
cli alarms --state "$T/old.json"
assert_exit 0 "200 s old: exit status 0"
assert_contains "$ERR" "mtamon: warning: $T/old.json was written 3m2" "200 s old: a warning"
assert_contains "$ERR" "s ago, more than 3 x the shortest alarm interval (30 s) + 10 s: mtamond may not be running" \
    "200 s old: why, and what it means"
assert_eq 1 "$(wc -l <"$T/err")" "200 s old: one line"
state_file "$T/future-time.json" $(($(now_ms) + 600000))
cli alarms --state "$T/future-time.json"
assert_exit 0 "written in the future: exit status 0"
assert_contains "$(sed -n 1p <<<"$OUT")" "(in the future: check the clocks)" \
    "written in the future: said so"

# ------------------------------------------------------------------------
section "no alarms configured"

state_file "$T/none.json" "$NOW_MS" '[]'
cli alarms --state "$T/none.json"
assert_exit 0 "no alarms: exit status 0"
assert_eq "no alarms configured" "$(sed -n 2p <<<"$OUT")" "no alarms: said so"
assert_eq "notifications: 3 sent, 1 failed, 1 suppressed (1 summary), 2 pending; last sequence 4" \
    "$(sed -n 3p <<<"$OUT")" "no alarms: the totals"
assert_eq "" "$ERR" "no alarms: no age warning"

# ------------------------------------------------------------------------
section "hostile names and huge numbers"

state_file "$T/hostile.json" "$NOW_MS" '[
  {"index": 2147483647, "name": "q\"uote\\d", "kind": "connections", "severity": "major",
   "raise": 1e2, "clear": 0.5, "interval": 4294967295, "for": 0, "resend": 0,
   "rows": [
    {"object": "a\u0001b\u007f\u009b[31m\u2028\\", "state": "active", "value": 1e+20, "last_value": -0.001, "raises": 18446744073709551615, "clears": 0, "resends": 0, "last_raise_ms": 0, "last_clear_ms": 0, "last_check_ms": 9223372036854775807, "sent": 18446744073709551615, "failed": 0, "suppressed": 0, "present": true},
    {"object": "caf\u00e9", "state": "clear", "value": null, "last_value": null, "raises": 0, "clears": 0, "resends": 0, "last_raise_ms": 0, "last_clear_ms": 0, "last_check_ms": 0, "sent": 0, "failed": 0, "suppressed": 0, "present": true}]}]'
cli alarms --state "$T/hostile.json"
assert_exit 0 "hostile: exit status 0"
assert_eq 'q"uote\d  connections  a?b??[31m?\  active  1e+20  100/0.5      18446744073709551615  0        never        18446744073709551615/0' \
    "$(sed -n 4p <<<"$OUT")" "hostile: one '?' per control character (C0, DEL, C1, U+2028), huge counts exact"
assert_eq 'q"uote\d  connections  café         clear   -      100/0.5      0                     0        never        0/0' \
    "$(sed -n 5p <<<"$OUT")" "hostile: UTF-8 as it is, a null value as '-'"
json_round_trip "hostile json" "$T/hostile.json" "$T/hostile-printed.json" <<'PY'
check("the object, escapes and all", get(printed, "alarms", 0, "rows", 0, "object"),
      "a\x01b\x7f\x9b[31m\u2028\\")
check("2^64 - 1 exactly", get(printed, "alarms", 0, "rows", 0, "sent"), 18446744073709551615)
PY
assert_not_contains "$(cat "$T/hostile-printed.json")" "$(printf '\001')" \
    "hostile json: no raw control character"

# ------------------------------------------------------------------------
section "files that cannot be read"

cli alarms --state "$T/nosuch.json"
assert_error 66 "$T/nosuch.json: no such file: mtamond has not written its alarm state (is it running, with alarms configured?)" \
    "missing"
assert_eq 1 "$(wc -l <"$T/err")" "missing: one line"
assert_eq "" "$OUT" "missing: nothing on stdout"

mkdir "$T/dir.json"
cli alarms --state "$T/dir.json"
assert_error 74 "$T/dir.json: cannot read: Is a directory" "a directory"

if [ "$(id -u)" != 0 ]; then
    state_file "$T/secret.json" "$NOW_MS"
    chmod 000 "$T/secret.json"
    cli alarms --state "$T/secret.json"
    assert_error 77 "$T/secret.json: cannot read: Permission denied" "unreadable"
else
    echo "     (unreadable file: skipped, root reads everything)"
fi

# bad NAME CONTENT STATUS MESSAGE DESC: CONTENT (printf format) in NAME
# gives exactly "mtamon: MESSAGE" (one line) and STATUS, nothing on stdout.
bad()
{
    # shellcheck disable=SC2059
    printf "$2" >"$T/$1"
    cli alarms --state "$T/$1"
    assert_exit "$3" "$5: exit status $3"
    assert_eq "mtamon: $4" "$ERR" "$5: the message"
    assert_eq "" "$OUT" "$5: nothing on stdout"
}

bad empty.json '' 65 "$T/empty.json: empty file" "empty"
bad blank.json '\n\n  \n' 65 "$T/blank.json: empty file" "blank"
bad array.json '[]\n' 65 "$T/array.json:1:1: expected a mapping, found a sequence" "an array"
bad text.json 'mtamond was here\n' 65 \
    "$T/text.json:1:1: expected a mapping, found a scalar" "plain text"
bad cut.json '{"version": 1, "written_ms": 5, "host": "mx1",\n "notifications": {"sent": 3' 65 \
    "$T/cut.json:3:1: YAML error: did not find expected ',' or '}' (while parsing a flow mapping at line 2, column 19)" \
    "truncated"
bad version.json '{"version": 2, "written_ms": 5}\n' 65 \
    "$T/version.json:1:13: version: version 2 is not supported (this mtamon reads version 1)" \
    "another version"
bad missing.json '{"version": 1, "written_ms": 5, "host": "h"}\n' 65 \
    "$T/missing.json:1:1: missing key 'notifications'" "a missing key"
bad quoted.json '{"version": 1, "written_ms": 5, "host": "h", "notifications": {"sent": "3"}}\n' 65 \
    "$T/quoted.json:1:72: notifications.sent: expected a number, found the string \"3\"" \
    "a quoted number"
bad negative.json '{"version": 1, "written_ms": -5}\n' 65 \
    "$T/negative.json:1:30: written_ms: -5 is out of range (0..9223372036854775807)" \
    "a negative time"
bad huge.json '{"version": 1, "written_ms": 5, "host": "h", "notifications": {"sent": 18446744073709551616}}\n' 65 \
    "$T/huge.json:1:72: notifications.sent: 18446744073709551616 is out of range (0..18446744073709551615)" \
    "2^64"
bad host.json '{"version": 1, "written_ms": 5, "host": ["mx1"]}\n' 65 \
    "$T/host.json:1:41: host: expected a string, found a sequence" "an array for a string"
bad dup.json '{"version": 1, "version": 1}\n' 65 \
    "$T/dup.json:1:16: version: duplicate key (first at line 1, column 2)" "a duplicate key"
bad binary.json '\x7fELF\x02\x01\x01\x00' 65 \
    "$T/binary.json:1:1: YAML error: control characters are not allowed (byte 0x7f)" "binary"

# Every row's keys are checked: a state that does not exist.
sed 's/"state": "pending"/"state": "gone"/' "$T/alarms.json" >"$T/state.json"
cli alarms --state "$T/state.json"
assert_error 65 "$T/state.json:13:29: alarms[1].rows[0].state: expected \"clear\", \"pending\" or \"active\", found the string \"gone\"" \
    "an unknown state"

# Larger than 16 MiB: refused before parsing.
truncate -s 17M "$T/large.json"
cli alarms --state "$T/large.json"
assert_error 65 "$T/large.json: larger than 16777216 bytes: not an alarm state file" "too large"

# ------------------------------------------------------------------------
section "usage"

cli alarms extra
assert_error 64 "alarms: unexpected argument 'extra'" "an argument"
cli alarms --config "$T/c.yaml" --state "$T/alarms.json"
assert_error 64 "alarms: --config and --state exclude each other" "--config with --state"
cli alarms --bogus
assert_error 64 "alarms" "an unknown option"
cli alarms --state
assert_error 64 "alarms" "--state without a file"
cli alarms --help
assert_exit 0 "--help: exit status 0"
assert_contains "$OUT" "usage: mtamon alarms [-c FILE | --state FILE] [--json]" "--help: the usage"
cli --help
assert_contains "$OUT" "alarms [-c FILE | --state FILE] [--json]" "mtamon --help lists alarms"

# ------------------------------------------------------------------------
section "the configuration's state file"

cli alarms -c "$T/nosuch.yaml"
assert_error 78 "$T/nosuch.yaml" "a configuration that cannot be read"

printf 'segment:\n  name: /mtamon-it-none\n' >"$T/none.yaml"
cli alarms -c "$T/none.yaml"
assert_exit 0 "no alarms in the configuration: exit status 0"
assert_eq "no alarms configured in $T/none.yaml" "$OUT" "no alarms in the configuration: said so"

cat >"$T/alarms.yaml" <<EOF
partitions:
  - name: spool
    path: $T
alarms:
  - name: spool-space
    kind: disk_free
    partitions: [spool]
    raise: 10
    clear: 15.5
alarm_options:
  state_file: $T/alarms.json
EOF
cli alarms --config "$T/alarms.yaml"
assert_exit 0 "configured: exit status 0"
sed 1d "$T/out" >"$T/got"
assert_file_eq "$T/want" "$T/got" "configured: the state file it names"

sed "s|state_file: .*|state_file: \"\"|" "$T/alarms.yaml" >"$T/nostate.yaml"
cli alarms -c "$T/nostate.yaml"
assert_error 69 "$T/nostate.yaml: alarm_options.state_file is empty: mtamond keeps no alarm state to read" \
    "no state file configured"

sed "s|state_file: .*|state_file: $T/nosuch.json|" "$T/alarms.yaml" >"$T/gone.yaml"
cli alarms -c "$T/gone.yaml"
assert_error 66 "$T/nosuch.json: no such file" "configured, not written yet"

finish
