#!/bin/bash
# test_feed_journal.sh - `mtamon feed --journal`: the systemd journal as a
# line source, through libsystemd's sd-journal, on real journal files.
#
# These machines run no journald, so the test makes its journals itself:
# export-format entries (MESSAGE=, _SYSTEMD_UNIT=, SYSLOG_IDENTIFIER=,
# _PID=, _HOSTNAME=, __REALTIME_TIMESTAMP=, ...; the messages are this
# test's own Postfix and Sendmail lines) written into journal files by
# `systemd-journal-remote --output=DIR/NAME.journal`, then read with
# --journal-directory DIR:
#   - unit and identifier filters, each entry counted once, timestamps
#     from the entries' realtime field;
#   - following: a new journal file appears while the feed runs; stopped
#     and resumed from the cursor in --state (no entry lost or counted
#     twice); the file of the saved entry removed while stopped (vacuum);
#   - a unit that matches nothing, a directory it may not read, a missing
#     one: a clear message and a non-zero --stats field;
#   - --journal against the system journal: counted if there is one, else
#     the clear message that there is none.
# Skips (77) without systemd-journal-remote (scripts/deps installs it) or
# when mtamon was built without libsystemd.
. "$(dirname "$0")/lib.sh"

require_program "$MTAMON"

JREMOTE=
for p in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
    [ -x "$p" ] && JREMOTE=$p && break
done
[ -n "$JREMOTE" ] ||
    skip "systemd-journal-remote is not installed (scripts/deps installs it)"
run "$MTAMON" feed --format postfix --journal --journal-directory "$IT_TMP/probe" --once
case $ERR in
*"built without journal support"*) skip "mtamon was built without libsystemd (install libsystemd-dev, reconfigure)" ;;
esac

T="$IT_TMP"
J="$T/journal"
mkdir -p "$J"
BASE_US=1710072000000000 # 2024-03-10T12:00:00Z

# entries FIRST COUNT UNIT IDENT KIND: COUNT export-format entries, numbered
# from FIRST (second FIRST after BASE_US), of UNIT and IDENT; KIND is
# "connect" (a Postfix smtpd connect) or "sendmail" (a from= line).
entries()
{
    local i
    for ((i = $1; i < $1 + $2; i++)); do
        printf '__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n' \
            $((BASE_US + i * 1000000)) $((1000000 + i))
        printf '_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=mx\n'
        printf '_SYSTEMD_UNIT=%s\nSYSLOG_IDENTIFIER=%s\n_PID=%d\n' "$3" "$4" $((100 + i))
        case $5 in
        connect) printf 'MESSAGE=connect from c%d.example[192.0.2.%d]\n' "$i" $((i % 250 + 1)) ;;
        sendmail) printf 'MESSAGE=4AB%07dX: from=<a@example.org>, size=100, class=0, nrcpts=1, relay=h [192.0.2.1]\n' "$i" ;;
        esac
        printf '\n'
    done
}

# journal FILE: the export-format entries on stdin into the journal FILE.
journal()
{
    local log="$T/jremote.log"
    if ! "$JREMOTE" --output="$1" - >"$log" 2>&1; then
        fail "systemd-journal-remote wrote $1" "$(cat "$log")"
        return 1
    fi
}

stats_value() { sed -n "s/^$2 //p" "$1"; }
counter_is() { [ "$(counter "$1" "$2" "$3")" = "$4" ]; }

# ---------------------------------------------------------------------------
section "filters: --unit and --identifier, each entry once, realtime stamps"
{
    entries 0 5 postfix@-.service postfix/smtpd connect
    entries 5 3 postfix@-.service postfix/submission/smtpd connect
    entries 8 4 ssh.service postfix/smtpd connect  # another unit, same identifier
    entries 12 2 sendmail.service sm-mta sendmail
} | journal "$J/a.journal" || finish
new_segment SEG
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$J" \
    --unit postfix@-.service --from-start --once --stats
assert_exit 0 "--unit postfix@-.service exits 0"
assert_eq 8 "$(stats_value "$T/out" journal_entries)" "--unit: 8 entries of the unit"
assert_eq 8 "$(stats_value "$T/out" counted)" "--unit: 8 lines counted"
assert_eq 5 "$(counter "$SEG" smtpd inbound_associations)" "--unit: smtpd 5"
assert_eq 3 "$(counter "$SEG" submission inbound_associations)" "--unit: submission 3"
py_check "realtime stamps" "$MTAMON" "$SEG" <<'EOF'
import subprocess
doc = json.loads(subprocess.run([sys.argv[1], "--segment", sys.argv[2], "counters", "show", "--json"],
                                capture_output=True, text=True).stdout)
check("smtpd last activity = entry 4's realtime", get(channel(doc, "smtpd"), "last_inbound_activity"),
      "2024-03-10T12:00:04.000Z")
EOF

new_segment SEG
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$J" \
    --identifier postfix/smtpd --from-start --once --stats
assert_exit 0 "--identifier postfix/smtpd exits 0"
assert_eq 9 "$(stats_value "$T/out" journal_entries)" "--identifier: 9 entries (2 units)"
assert_eq 9 "$(counter "$SEG" smtpd inbound_associations)" "--identifier: smtpd 9"

new_segment SEG
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$J" \
    --identifier postfix/smtpd --unit ssh --from-start --once --stats
assert_eq 4 "$(stats_value "$T/out" journal_entries)" "--unit ssh --identifier postfix/smtpd: both (4)"

new_segment SEG
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$J" \
    --unit postfix@-.service --unit ssh --from-start --once --stats
assert_eq 12 "$(stats_value "$T/out" journal_entries)" "two --unit: either (12)"

new_segment SEG
cli --segment "$SEG" feed --format sendmail --journal --journal-directory "$J" \
    --unit sendmail --from-start --once --stats
assert_exit 0 "--format sendmail --unit sendmail exits 0"
assert_eq 2 "$(stats_value "$T/out" counted)" "sendmail through the journal: 2 from= lines counted"
assert_eq 2 "$(counter "$SEG" esmtp submitted_messages)" "sendmail through the journal: esmtp submitted 2"

# ---------------------------------------------------------------------------
section "a unit that matches nothing: said on stderr and in --stats"
new_segment SEG
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$J" \
    --unit nosuch --from-start --once --stats
assert_exit 0 "--unit nosuch exits 0 (the unit may log later)"
assert_contains "$ERR" "no entry matches --unit nosuch" "the message names the filter"
assert_eq 1 "$(stats_value "$T/out" journal_unmatched)" "stats: journal_unmatched 1"
assert_eq 0 "$(stats_value "$T/out" journal_entries)" "stats: journal_entries 0"

# ---------------------------------------------------------------------------
section "following: a new journal file while it runs, stop, resume from the cursor"
F="$T/follow"
mkdir -p "$F"
entries 100 10 postfix@-.service postfix/smtpd connect | journal "$F/one.journal" || finish
new_segment SEG
start_bg PID "$T/follow.out" "$MTAMON" --segment "$SEG" feed --format postfix --journal \
    --journal-directory "$F" --unit postfix@-.service --from-start --state "$T/j.state" --stats
wait_until 20 counter_is "$SEG" smtpd inbound_associations 10 ||
    fail "the first file's 10 entries counted" "got $(counter "$SEG" smtpd inbound_associations)"
entries 110 7 postfix@-.service postfix/smtpd connect | journal "$F/two.journal" || finish
wait_until 20 counter_is "$SEG" smtpd inbound_associations 17 ||
    fail "a journal file added while following is read" "got $(counter "$SEG" smtpd inbound_associations)"
kill -TERM "$PID"
wait_until 20 process_ended "$PID"
stop_bg "$PID"
assert_eq 17 "$(stats_value "$T/follow.out" journal_entries)" "following: 17 entries"
assert_contains "$(cat "$T/j.state")" "cursor s=" "the state file holds the cursor"
# Resumed with nothing new: nothing counted again.
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$F" \
    --unit postfix@-.service --state "$T/j.state" --once --stats
assert_exit 0 "resume with nothing new exits 0"
assert_eq 0 "$(stats_value "$T/out" journal_entries)" "resume: no entry read twice"
# New entries while stopped: exactly those.
entries 117 5 postfix@-.service postfix/smtpd connect | journal "$F/three.journal" || finish
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$F" \
    --unit postfix@-.service --state "$T/j.state" --once --stats
assert_eq 5 "$(stats_value "$T/out" journal_entries)" "resume: the 5 new entries"
assert_eq 22 "$(counter "$SEG" smtpd inbound_associations)" "10 + 7 + 5, each once"
# Vacuumed while stopped: the saved entry's file is gone.
entries 122 4 postfix@-.service postfix/smtpd connect | journal "$F/four.journal" || finish
rm -f "$F/three.journal"
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$F" \
    --unit postfix@-.service --state "$T/j.state" --once --stats
assert_exit 0 "resume after a vacuum exits 0"
assert_eq 4 "$(stats_value "$T/out" journal_entries)" "after the vacuum: the 4 entries written since"
assert_eq 1 "$(stats_value "$T/out" journal_cursor_lost)" "stats: journal_cursor_lost 1"
assert_contains "$ERR" "the entry of the saved cursor is gone" "the vacuum is said"
assert_eq 26 "$(counter "$SEG" smtpd inbound_associations)" "26 in all, each once"

# ---------------------------------------------------------------------------
section "state files"
printf 'mtamon-feed-state 1\ndevice 1\ninode 2\noffset 3\ntaillen 3\ntailhash 0123456789abcdef\n' >"$T/file.state"
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$F" --state "$T/file.state" --once
assert_error 65 "the state of a log file, not of the journal" "a log file's state is refused"
printf 'mtamon-feed-journal-state 1\ncursor \n' >"$T/bad.state"
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$F" --state "$T/bad.state" --once
assert_error 65 "cursor empty" "an empty cursor is refused"

# ---------------------------------------------------------------------------
section "nothing to read: a missing directory, an unreadable one"
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$T/none" --once --stats
assert_error 66 "cannot read the journal directory $T/none" "a missing directory: exit 66, named"
assert_eq 1 "$(stats_value "$T/out" journal_unreadable)" "a missing directory: journal_unreadable 1"
mkdir -p "$T/empty"
cli --segment "$SEG" feed --format postfix --journal --journal-directory "$T/empty" --once --stats
assert_error 66 "no journal files" "an empty directory: exit 66, no journal files"
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then
    chmod 0711 "$T"
    chmod 0700 "$F"
    new_segment SEG
    run runuser -u nobody -- "$MTAMON" --segment "$SEG" feed --format postfix --journal \
        --journal-directory "$F" --once --stats
    assert_error 66 "Permission denied" "a directory nobody may not read: exit 66, permission denied"
    assert_eq 1 "$(stats_value "$T/out" journal_unreadable)" "unreadable directory: journal_unreadable 1"
    chmod 0755 "$F"
    run runuser -u nobody -- "$MTAMON" --segment "$SEG" feed --format postfix --journal \
        --journal-directory "$F" --once --stats
    assert_error 66 "may not read" "files nobody may not read: exit 66, said"
    assert_eq 3 "$(stats_value "$T/out" journal_unreadable)" "unreadable files: journal_unreadable 3"
    assert_eq 0 "$(stats_value "$T/out" journal_files)" "unreadable files: journal_files 0"
    rm -f "/dev/shm/${SEG#/}"
else
    printf '     (unreadable journal as another user: skipped, needs root and runuser)\n'
fi

# Following a directory that does not exist yet: said at once, not silent;
# read when it appears.
new_segment SEG
L="$T/later"
start_bg PID "$T/later.out" "$MTAMON" --segment "$SEG" feed --format postfix --journal \
    --journal-directory "$L" --from-start --stats
wait_for_text "$T/later.out" "reading no entries (yet)" 10 ||
    fail "following a missing directory: said at once" "$(cat "$T/later.out")"
mkdir -p "$L"
entries 200 3 postfix@-.service postfix/smtpd connect | journal "$L/x.journal" || finish
wait_until 30 counter_is "$SEG" smtpd inbound_associations 3 ||
    fail "the directory's entries are read once it appears" "got $(counter "$SEG" smtpd inbound_associations)"
stop_bg "$PID"
assert_eq 3 "$(stats_value "$T/later.out" journal_entries)" "a journal that appeared later: 3 entries"

# ---------------------------------------------------------------------------
section "--journal: the system journal"
cli --segment "$SEG" feed --format postfix --journal --once --stats
if compgen -G "/var/log/journal/*/*.journal" >/dev/null || compgen -G "/run/log/journal/*/*.journal" >/dev/null; then
    if [ "$RC" = 0 ]; then
        pass "the system journal read (journal_entries $(stats_value "$T/out" journal_entries))"
    else
        assert_contains "$ERR" "may not read" "a system journal this user may not read is said"
    fi
else
    printf '     (no system journal on this machine: no journald, no journal files)\n'
    assert_error 66 "the system journal" "no system journal: exit 66, said clearly"
fi

# ---------------------------------------------------------------------------
section "usage"
cli --segment "$SEG" feed --format postfix --journal "$T/x.log"
assert_error 64 "no FILE with --journal" "a FILE with --journal"
cli --segment "$SEG" feed --format postfix --unit x "$T/x.log"
assert_error 64 "need --journal" "--unit without --journal"
cli --segment "$SEG" feed --format postfix --journal --unit "a=b" --once
assert_error 64 "without '='" "a unit with '='"

finish
