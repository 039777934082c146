#!/bin/bash
# test_mib_lint.sh - mibs/MTAMON-MIB.txt is valid SMIv2 and Net-SNMP reads
# it: `smilint -l 3` says nothing about MTAMON-MIB, and snmptranslate
# gives the OIDs the agent's code serves.  Both need the IETF modules
# MTAMON-MIB imports, read from ../shared/mibs beside the source tree
# (never copied into the project): the test skips without them, and
# without smilint (package smitools) or snmptranslate (package snmp).
. "$(dirname "$0")/lib.sh"

MIB="$IT_TOP_SRCDIR/mibs/MTAMON-MIB.txt"
MIBS_DIR="$IT_TOP_SRCDIR/../shared/mibs"

[ -f "$MIB" ] || { fail "$MIB exists"; finish; }
[ -f "$MIBS_DIR/MTA-MIB.txt" ] ||
    skip "$MIBS_DIR/MTA-MIB.txt not found: the IETF modules MTAMON-MIB imports are needed"
SMILINT=$(command -v smilint) ||
    skip "smilint is not installed (package smitools; scripts/deps installs it)"
SNMPTRANSLATE=$(command -v snmptranslate) ||
    skip "snmptranslate is not installed (package snmp; scripts/deps installs it)"

# Neither a user's snmp.conf / .smirc nor the environment may add modules
# or directories: only the IETF modules and this one.
export SNMPCONFPATH="$IT_TMP"
unset MIBS MIBDIRS

# lint FILE: smilint's lines about MTAMON-MIB (its errors name the file;
# smilint exits 0 whatever it finds).
lint()
{
    run env SMIPATH="$MIBS_DIR" "$SMILINT" -c /dev/null -l 3 "$1"
    LINT=$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -F 'MTAMON-MIB')
}

section "smilint"
lint "$MIB"
assert_eq "" "$LINT" "smilint -l 3 reports nothing about MTAMON-MIB"

# The check can fail: a copy with a column missing from its SEQUENCE.
mkdir -p "$IT_TMP/broken"
sed '/^ *mtamonQueueName  *DisplayString,$/d' "$MIB" >"$IT_TMP/broken/MTAMON-MIB.txt"
lint "$IT_TMP/broken/MTAMON-MIB.txt"
assert_contains "$LINT" "mtamonQueueName" \
    "smilint reports a column missing from MtamonQueueEntry (the check can fail)"

section "snmptranslate"
# translate NAME OID: Net-SNMP parses the module silently and NAME is OID.
translate()
{
    run "$SNMPTRANSLATE" -M "$MIBS_DIR:$IT_TOP_SRCDIR/mibs" -m MTAMON-MIB -On \
        "MTAMON-MIB::$1"
    if [ "$RC" = 0 ] && [ "$OUT" = "$2" ] && [ -z "$ERR" ]; then
        pass "MTAMON-MIB::$1 is $2"
    else
        fail "MTAMON-MIB::$1 is $2" "exit status: $RC" "stdout: $OUT" "stderr: $ERR"
    fi
}

ROOT=.1.3.6.1.4.1.8072.9999.9999.25
translate mtamonMIB "$ROOT"
translate mtamonNotifications "$ROOT.0"
translate mtamonSegmentStatus "$ROOT.1.1.1"
translate mtamonSegmentChannels "$ROOT.1.1.7"
translate mtamonQueueSource "$ROOT.1.2.1.14"
translate mtamonPartitionError "$ROOT.1.3.1.12"
translate mtamonConnectionCount "$ROOT.1.4.1.3"
translate mtamonConnRemoteCount "$ROOT.1.5.1.5"
translate mtamonProcessScanAge "$ROOT.1.6.1.9"
translate mtamonGroupHCReceivedMessages "$ROOT.1.7.1.1"
translate mtamonGroupHCLoopsDetected "$ROOT.1.7.1.32"
translate mtamonProbeName "$ROOT.1.8.1.2"
translate mtamonProbeState "$ROOT.1.8.1.6"
translate mtamonProbeFailures "$ROOT.1.8.1.20"
translate mtamonAlarms "$ROOT.1.9"
translate mtamonAlarmNotificationsSent "$ROOT.1.9.1"
translate mtamonAlarmActive "$ROOT.1.9.6"
translate mtamonAlarmName "$ROOT.1.9.7.1.3"
translate mtamonAlarmState "$ROOT.1.9.7.1.7"
translate mtamonAlarmLastCheck "$ROOT.1.9.7.1.19"
translate mtamonAlarmSequence "$ROOT.1.9.8"
translate mtamonAlarmSummaryCount "$ROOT.1.9.9"
translate mtamonAlarmRaised "$ROOT.0.1"
translate mtamonAlarmCleared "$ROOT.0.2"
translate mtamonAlarmSummary "$ROOT.0.3"
translate mtamonAlarmGroup "$ROOT.2.2.8"
translate mtamonAlarmNotificationGroup "$ROOT.2.2.9"
# The object name is a length-prefixed (not IMPLIED) index, as the agent
# serves it: alarm 1, object "spool".
translate 'mtamonAlarmState.1."spool"' "$ROOT.1.9.7.1.7.1.5.115.112.111.111.108"
translate 'mtamonAlarmState.3.""' "$ROOT.1.9.7.1.7.3.0"
translate mtamonCompliance "$ROOT.2.1.1"
translate mtamonProbeGroup "$ROOT.2.2.7"
translate mtamonGroupHCGroup "$ROOT.2.2.6"

# mtamonGroupHCEntry shares mtaGroupEntry's index { applIndex, mtaGroupIndex }.
run "$SNMPTRANSLATE" -M "$MIBS_DIR:$IT_TOP_SRCDIR/mibs" -m MTAMON-MIB -Td \
    MTAMON-MIB::mtamonGroupHCEntry
assert_contains "$OUT" "AUGMENTS	{ mtaGroupEntry }" \
    "mtamonGroupHCEntry augments MTA-MIB's mtaGroupEntry"

finish
