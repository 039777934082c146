#!/bin/bash
# test_prometheus.sh - conf/prometheus works with the real tools:
#
#   - promtool accepts mtamon-rules.yml and its unit tests pass, and fail
#     when a rule is broken (copies with MtamonDown, the failure-rate
#     guard and MtamonCountersReset changed);
#   - every metric and label the rules name is one snmp.yml exports;
#   - conf/prometheus/regenerate names the MIB modules it cannot find and
#     makes exactly the checked-in snmp.yml where the MIBs are
#     (../shared/mibs, or Debian's snmp-mibs-downloader places);
#   - Debian's prometheus-snmp-exporter, on 127.0.0.1 with snmp.yml,
#     scrapes module mtamon from a private snmpd master + mtamond: series
#     values equal `mtamon counters show --json`, the counts the test
#     emitted and statvfs(3), names are lookup labels and no free text is
#     a label, enumerated indexes read as names (TCP state "listen"),
#     applOperStatus follows the segment, and a re-created segment gives
#     a new mtamonSegmentGeneration (what MtamonCountersReset watches).
#
# Skips when prometheus-snmp-exporter or promtool is missing (packages
# prometheus-snmp-exporter and prometheus; scripts/deps --test installs
# them).

# Helpers set the variables named by their first argument (printf -v):
# shellcheck disable=SC2154

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
PROM="$IT_TOP_SRCDIR/conf/prometheus"
EXPORTER=$(snmp_find_tool prometheus-snmp-exporter) ||
    skip "prometheus-snmp-exporter is not installed (package prometheus-snmp-exporter; scripts/deps --test installs it)"
PROMTOOL=$(snmp_find_tool promtool) ||
    skip "promtool is not installed (package prometheus; scripts/deps --test installs it)"
GENERATOR=$(snmp_find_tool prometheus-snmp-generator) || GENERATOR=
MIBS_DIR="$IT_TOP_SRCDIR/../shared/mibs"

# --- the alert rules ------------------------------------------------------------

section "alert rules (promtool)"
n_alerts=$(grep -c '^ *- alert: ' "$PROM/mtamon-rules.yml")
run "$PROMTOOL" check rules "$PROM/mtamon-rules.yml"
assert_exit 0 "promtool check rules mtamon-rules.yml"
assert_contains "$OUT" "SUCCESS: $n_alerts rules found" \
    "promtool finds the file's $n_alerts alerts"
run "$PROMTOOL" test rules "$PROM/mtamon-rules.test.yml"
assert_exit 0 "promtool test rules mtamon-rules.test.yml"
assert_contains "$OUT" "SUCCESS" "the unit tests pass"

# broken_rules DESC SED_EXPR ALERT: a copy of the rules changed by
# SED_EXPR must fail the unit tests, on ALERT.
broken_rules()
{
    local dir="$IT_TMP/broken-rules"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$PROM/mtamon-rules.test.yml" "$dir/"
    sed "$2" "$PROM/mtamon-rules.yml" >"$dir/mtamon-rules.yml"
    if cmp -s "$PROM/mtamon-rules.yml" "$dir/mtamon-rules.yml"; then
        fail "$1: the change applies to mtamon-rules.yml" "sed $2 changed nothing"
        return
    fi
    run "$PROMTOOL" test rules "$dir/mtamon-rules.test.yml"
    assert_exit 1 "$1: the unit tests fail"
    assert_contains "$OUT$ERR" "alertname: $3," "$1: on $3"
}
broken_rules "MtamonDown also on congested" \
    's/ unless applOperStatus{job="mtamon"} == 4$//' MtamonDown
broken_rules "failure rate without the guard" \
    '/unless on(job, instance) changes(mtamonSegmentGeneration{job="mtamon"}\[10m\]) > 0/d' \
    MtamonDeliveryFailureRate
broken_rules "counters reset from applUptime" \
    's/expr: changes(mtamonSegmentGeneration{job="mtamon"}\[15m\]) > 0/expr: changes(applUptime{job="mtamon"}[15m]) > 0/' \
    MtamonCountersReset
broken_rules "failure rate without the minimum volume" \
    's/^              >= 20$/              >= 0/' MtamonDeliveryFailureRate

# Malformed rules: promtool says where.
sed 's/deriv(mtamonQueueMessages/deriv(mtamonQueueMessages(/' "$PROM/mtamon-rules.yml" \
    >"$IT_TMP/bad-rules.yml"
run "$PROMTOOL" check rules "$IT_TMP/bad-rules.yml"
assert_exit 1 "promtool check rules refuses a rule with a PromQL syntax error"
assert_contains "$OUT$ERR" "FAILED" "and says FAILED"

# Every metric the rules read and every label their templates print is
# one snmp.yml exports (the names change when generator.yml does).
py_check "rules vs snmp.yml" "$PROM/mtamon-rules.yml" "$PROM/snmp.yml" <<'EOF'
import re
rules = open(sys.argv[1]).read()
snmp = open(sys.argv[2]).read()
metrics = set(re.findall(r"^  - name: (\S+)$", snmp, re.M))
labels = set(re.findall(r"labelname: (\S+)$", snmp, re.M)) | {"job", "instance"}
exprs = "\n".join(re.findall(r"expr: (.*(?:\n {10,}.*)*)", rules))
used = set(re.findall(r"\b((?:appl|mta)[A-Za-z0-9]+)\{", exprs))
check_true("the rules read some series", len(used) >= 10, repr(used))
for name in sorted(used):
    check_true("metric " + name + " is in snmp.yml", name in metrics)
for name in sorted(set(re.findall(r"\$labels\.(\w+)", rules))):
    check_true("label " + name + " is in snmp.yml", name in labels)
EOF

# --- snmp.yml and the script that makes it -----------------------------------

section "snmp.yml"
run "$EXPORTER" --dry-run --config.file="$PROM/snmp.yml"
assert_exit 0 "prometheus-snmp-exporter --dry-run accepts snmp.yml"
assert_contains "$ERR" "Configuration parsed successfully" "and says so"

if [ -z "$GENERATOR" ]; then
    printf 'note: prometheus-snmp-generator not installed: not checking conf/prometheus/regenerate\n'
else
    # No MIB directory at all: every IETF module is named, with its RFC.
    run env -u MIBDIRS "$PROM/regenerate" --mibdirs "$IT_TMP/no-such-dir" --check
    assert_exit 69 "regenerate without the IETF MIBs: exit 69"
    assert_contains "$ERR" "MTA-MIB (RFC 2789)" "it names MTA-MIB and its RFC"
    assert_contains "$ERR" "NETWORK-SERVICES-MIB (RFC 2788)" "it names NETWORK-SERVICES-MIB"
    assert_contains "$ERR" "snmp-mibs-downloader" "it says where Debian has them"
    assert_not_contains "$ERR" "MTAMON-MIB" "MTAMON-MIB comes from the project's mibs/"
    if [ -f "$MIBS_DIR/MTA-MIB.txt" ]; then
        # Every module but MTA-MIB (symbolic links in the test's directory).
        mkdir -p "$IT_TMP/some-mibs"
        for f in "$MIBS_DIR"/*; do
            case ${f##*/} in MTA-MIB*) continue ;; esac
            ln -s "$f" "$IT_TMP/some-mibs/"
        done
        run env -u MIBDIRS "$PROM/regenerate" --mibdirs "$IT_TMP/some-mibs" --check
        assert_exit 69 "regenerate with MTA-MIB missing: exit 69"
        assert_eq "regenerate: MIB modules not found in $(cd "$IT_TOP_SRCDIR" && pwd)/mibs:$IT_TMP/some-mibs:
  MTA-MIB (RFC 2789)" "$(printf '%s\n' "$ERR" | head -n 2)" \
            "it names MTA-MIB alone"
        mibdirs=(--mibdirs "$MIBS_DIR")
    else
        mibdirs=()    # the script's default: Debian's places
    fi
    if ! "$EXPORTER" --version 2>&1 | grep -q 'version 0\.21\.'; then
        printf 'note: not snmp_exporter 0.21: generator.yml is in 0.21'"'"'s format; not comparing\n'
    else
        run env -u MIBDIRS "$PROM/regenerate" "${mibdirs[@]}" --check
        if [ "$RC" = 69 ]; then
            printf 'note: the IETF MIB modules are not here: not comparing snmp.yml\n%s\n' "$ERR"
        else
            assert_exit 0 "regenerate --check: snmp.yml is what generator.yml makes"
            assert_contains "$OUT" "is up to date" "regenerate says it is up to date"
            # The comparison can fail: a changed copy.
            sed 's/^  - name: mtaGroupStoredMessages$/  - name: mtaGroupStoredMessagez/' \
                "$PROM/snmp.yml" >"$IT_TMP/snmp-changed.yml"
            run env -u MIBDIRS "$PROM/regenerate" "${mibdirs[@]}" --check \
                --output "$IT_TMP/snmp-changed.yml"
            assert_exit 1 "regenerate --check of a changed snmp.yml: exit 1"
            assert_contains "$OUT" "+  - name: mtaGroupStoredMessages" "it shows the difference"
            # And it writes a file equal to the checked-in one.
            run env -u MIBDIRS "$PROM/regenerate" "${mibdirs[@]}" --output "$IT_TMP/snmp-new.yml"
            assert_exit 0 "regenerate --output FILE"
            assert_file_eq "$PROM/snmp.yml" "$IT_TMP/snmp-new.yml" "it writes the checked-in snmp.yml"
        fi
    fi
    run env -u MIBDIRS "$PROM/regenerate" --no-such-option
    assert_exit 64 "regenerate with an unknown option: exit 64"
fi

# --- the exporter against mtamond ------------------------------------------------

snmp_setup
T="$IT_TMP/prom"
mkdir -p "$T/spool"

section "snmp_exporter"
# Started first: mtamond watches its port (connections).
EXPORTER_LOG="$T/exporter.log"
EXPORTER_PID=
HTTP_PORT=

# exporter_answers: its landing page answers (or it died).
exporter_answers()
{
    ! kill -0 "$EXPORTER_PID" 2>/dev/null ||
        python3 -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read()' \
            "http://127.0.0.1:$HTTP_PORT/" 2>/dev/null
}

for attempt in 1 2 3; do
    HTTP_PORT=$(free_port)
    start_bg EXPORTER_PID "$EXPORTER_LOG" "$EXPORTER" \
        --config.file="$PROM/snmp.yml" --web.listen-address="127.0.0.1:$HTTP_PORT"
    if wait_until 20 exporter_answers && kill -0 "$EXPORTER_PID" 2>/dev/null; then
        break
    fi
    stop_bg "$EXPORTER_PID"
    EXPORTER_PID=
    printf 'the exporter did not start (attempt %s):\n' "$attempt"
    sed 's/^/     | /' "$EXPORTER_LOG"
done
if [ -z "$EXPORTER_PID" ]; then
    fail "prometheus-snmp-exporter answers on 127.0.0.1"
    finish
fi
pass "prometheus-snmp-exporter answers on 127.0.0.1:$HTTP_PORT"

section "master, agent, traffic"
new_segment SEG
MTAMON_SEGMENT=$SEG
for i in 1 2 3; do
    printf 'message %s\n' "$i" >"$T/spool/msg$i"
done
CONF="$T/mtamon.yaml"
snmp_write_agent_config "$CONF" "applications:
  - type: mta
    index: 1
    name: \"mtamon test MTA\"
    version: \"8.1\"
    description: \"the MTA under test\"
channels:
  - name: tcp_local
    index: 10
    group_name: \"Internet SMTP\"
    description: \"SMTP to and from the Internet\"
    url: \"http://mta.example/tcp_local\"
    protocol: smtp
  - name: ims-ms
    index: 3
    protocol: lmtp
queues:
  - name: spool
    kind: generic
    path: $T/spool
    interval: 1
partitions:
  - {name: tmp, path: $T, interval: 1}
connections:
  ports: [$HTTP_PORT]
  interval: 1
alarm_options:
  state_file: $T/alarms.json
alarms:
  - name: qlen
    kind: queue_length
    queues: [spool]
    raise: 2
    interval: 1
    severity: major"
snmp_start_master || { fail "snmpd answers on 127.0.0.1"; finish; }
emit --segment "$SEG" --create \
    channel tcp_local channel ims-ms \
    repeat 5 enqueue - tcp_local 1 2048 \
    repeat 3 dequeue tcp_local 1 2048 first 500 \
    tempfail tcp_local 1 2048 4.4.1 \
    fail tcp_local 1 2048 5.1.1 \
    reject tcp_local 2 100 5.7.1 "relaying denied" \
    assoc-open tcp_local in 192.0.2.1 assoc-close tcp_local in \
    assoc-fail tcp_local 4.4.1 "connection refused" \
    enqueue tcp_local ims-ms 2 1000 \
    dequeue ims-ms 2 1000 first 100
assert_exit 0 "mtamon-emit: the traffic"
snmp_start_agent "$CONF"
snmp_wait_agent || { fail "mtamond registers"; snmp_show_logs; finish; }
pass "mtamond registers with the master"

SCRAPE="$T/scrape.txt"
SCRAPE_URL="http://127.0.0.1:$HTTP_PORT/snmp?module=mtamon&target=127.0.0.1:$SNMP_PORT"
# scrape: GET the module's page into $SCRAPE; SCRAPE_STATUS = the HTTP status.
scrape()
{
    SCRAPE_STATUS=$(python3 - "$SCRAPE_URL" "$SCRAPE" <<'EOF'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=60) as r:
        body, status = r.read(), r.status
except urllib.error.HTTPError as e:
    body, status = e.read(), e.code
except Exception as e:
    body, status = str(e).encode(), 0
open(sys.argv[2], "wb").write(body)
print(status)
EOF
)
}

# scrape_has REGEX: a scrape answers 200 with a line matching REGEX.
scrape_has()
{
    scrape
    [ "$SCRAPE_STATUS" = 200 ] && grep -qE "$1" "$SCRAPE"
}

# collected: the queue scan and the alarm (interval 1 s) have run (qlen is
# active(3)), and the connection count has seen the exporter's listener.
collected()
{
    scrape_has '^mtamonAlarmState\{.*mtamonAlarmName="qlen".*\} 3$' &&
        grep -qE "^mtamonConnectionCount\\{mtamonConnectionPort=\"$HTTP_PORT\",mtamonConnectionState=\"listen\"\\} 1$" "$SCRAPE"
}
if wait_until 20 collected; then
    pass "a scrape shows the qlen alarm active and the exporter's port listening"
else
    fail "a scrape shows the qlen alarm active and the exporter's port listening" \
        "HTTP status $SCRAPE_STATUS" \
        "$(grep -E '^mtamon(Alarm|Queue|Connection)' "$SCRAPE" | head -n 20)"
fi
assert_eq 200 "$SCRAPE_STATUS" "GET /snmp?module=mtamon: 200"
cli --segment "$SEG" counters show --json
assert_exit 0 "mtamon counters show --json"
printf '%s\n' "$OUT" >"$T/counters.json"
printf 'some of the series:\n'
grep -E '^(applOperStatus|mtaGroupReceivedMessages|mtamonGroupHCFailedMessages|mtaGroupOutboundErrorCount|mtamonSegmentGeneration|mtamonQueueMessages|mtamonAlarmState|mtamonConnectionCount|mtamonPartitionUsedPercent)\{' \
    "$SCRAPE" | sed 's/^/     | /'

# The exposition format, parsed: SERIES[name] = [(labels, value)], and
# the OID each metric's HELP ends with.
PARSE='
import re
LABEL = re.compile(r"(\w+)=\"((?:[^\"\\]|\\.)*)\"")
def unescape(v):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)
def parse(path):
    series, oids = {}, {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# HELP "):
            name, help_ = line[7:].split(" ", 1)
            oids[name] = help_.rsplit(" - ", 1)[-1]
            continue
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$", line)
        if not m:
            print("FAIL exposition line parses: " + repr(line))
            continue
        labels = dict((k, unescape(v)) for k, v in LABEL.findall(m.group(2) or ""))
        series.setdefault(m.group(1), []).append((labels, float(m.group(3))))
    return series, oids

def value(series, name, **want):
    found = [v for labels, v in series.get(name, [])
             if all(labels.get(k) == w for k, w in want.items())]
    return found[0] if len(found) == 1 else ("%d series" % len(found))
'

py_check "scrape vs counters" "$SCRAPE" "$T/counters.json" "$T" "$HTTP_PORT" <<EOF
$PARSE
import math
series, oids = parse(sys.argv[1])
doc = load(sys.argv[2])
INDEX = {"tcp_local": "10", "ims-ms": "3"}

def grp(name, channel):
    return value(series, name, applIndex="1", mtaGroupIndex=INDEX[channel])

# mtamonGroupHCTable: column n is the n-th counter of counters show --json.
keys = list(get(channel(doc, "tcp_local"), "counters").keys())
hc = sorted(n for n in oids if n.startswith("mtamonGroupHC"))
check("32 mtamonGroupHC metrics", len(hc), 32)
for name in hc:
    col = int(oids[name].rsplit(".", 1)[1])
    for ch in INDEX:
        check(name + " " + ch + " = counters show's " + keys[col - 1],
              grp(name, ch), float(counter(doc, ch, keys[col - 1])))

# mtaGroupTable (Counter32 and gauges), volumes in K-octets rounded up.
def k(octets):
    return float(math.ceil(octets / 1024))
for ch in INDEX:
    c = lambda key: float(counter(doc, ch, key))
    for name, want in [
            ("mtaGroupReceivedMessages", c("received_messages")),
            ("mtaGroupRejectedMessages", c("rejected_messages")),
            ("mtaGroupTransmittedMessages", c("delivered_messages")),
            ("mtaGroupReceivedVolume", k(counter(doc, ch, "received_volume"))),
            ("mtaGroupTransmittedVolume", k(counter(doc, ch, "delivered_volume"))),
            ("mtaGroupReceivedRecipients", c("received_recipients")),
            ("mtaGroupTransmittedRecipients", c("delivered_recipients")),
            ("mtaGroupStoredMessages", float(stored_messages(doc, ch))),
            ("mtaGroupAccumulatedInboundAssociations", c("inbound_associations")),
            ("mtaGroupFailedOutboundAssociations", c("outbound_associations_failed")),
            ("mtaGroupRejectedInboundAssociations", c("inbound_associations_rejected"))]:
        check(name + " " + ch + " = counters show", grp(name, ch), want)

# The test's own figures (what mtamon-emit reported).
check_figures([
    ("tcp_local received", counter(doc, "tcp_local", "received_messages"), 5,
     grp("mtamonGroupHCReceivedMessages", "tcp_local")),
    ("tcp_local delivered", counter(doc, "tcp_local", "delivered_messages"), 3,
     grp("mtaGroupTransmittedMessages", "tcp_local")),
    ("tcp_local failed", counter(doc, "tcp_local", "failed_messages"), 1,
     grp("mtamonGroupHCFailedMessages", "tcp_local")),
    ("tcp_local deferred", counter(doc, "tcp_local", "attempted_messages"), 1,
     grp("mtamonGroupHCAttemptedMessages", "tcp_local")),
    ("tcp_local rejected", counter(doc, "tcp_local", "rejected_messages"), 1,
     grp("mtaGroupRejectedMessages", "tcp_local")),
    ("tcp_local stored", stored_messages(doc, "tcp_local"), 1,
     grp("mtaGroupStoredMessages", "tcp_local")),
    ("ims-ms received", counter(doc, "ims-ms", "received_messages"), 1,
     grp("mtaGroupReceivedMessages", "ims-ms")),
], "the scrape's")

# mtaTable: the sums.
for name, key in [("mtaReceivedMessages", "received_messages"),
                  ("mtaTransmittedMessages", "delivered_messages"),
                  ("mtaReceivedRecipients", "received_recipients")]:
    check(name + " = the sum of counters show", value(series, name, applIndex="1"),
          float(counter_total(doc, key)))
check("mtaReceivedMessages = 6 (emitted)", value(series, "mtaReceivedMessages", applIndex="1"), 6.0)

# mtaGroupErrorTable: each status code of counters show.
n = 0
for ch in INDEX:
    for sc in get(channel(doc, ch), "status_codes"):
        for col, key in [("mtaGroupInboundErrorCount", "inbound"),
                         ("mtaGroupInternalErrorCount", "internal"),
                         ("mtaGroupOutboundErrorCount", "outbound")]:
            check("%s %s %s = counters show" % (col, ch, sc["code"]),
                  value(series, col, applIndex="1", mtaGroupIndex=INDEX[ch],
                        mtaStatusCode=str(sc["mta_status_code"])), float(sc[key]))
            n += 1
check("error table: 3 codes x 3 columns compared", n, 9)
check("4.4.1 outbound errors = 2 (tempfail + assoc-fail)",
      value(series, "mtaGroupOutboundErrorCount", mtaGroupIndex="10", mtaStatusCode="4004001"), 2.0)

# applTable and the segment.
check("applOperStatus of the MTA: up(1)", value(series, "applOperStatus", applIndex="1"), 1.0)
check("mtamonSegmentStatus up(1)", value(series, "mtamonSegmentStatus"), 1.0)
check("mtamonSegmentChannels", value(series, "mtamonSegmentChannels"), 2.0)
check("mtamonSegmentGeneration = the first 8 hex digits of the generation",
      value(series, "mtamonSegmentGeneration"), float(int(doc["generation"][:8], 16)))

# The queue scanner and the alarm.
check("mtamonQueueMessages spool = 3 files", value(series, "mtamonQueueMessages", mtamonQueueName="spool"), 3.0)
check("mtamonQueueKind_info generic", value(series, "mtamonQueueKind_info", mtamonQueueName="spool", mtamonQueueKind="generic"), 1.0)
check("mtamonAlarmValue qlen/spool = 3 (a number)", value(series, "mtamonAlarmValue", mtamonAlarmName="qlen", mtamonAlarmObject="spool"), 3.0)
check("mtamonAlarmThreshold qlen/spool = 2", value(series, "mtamonAlarmThreshold", mtamonAlarmName="qlen", mtamonAlarmObject="spool"), 2.0)
check("mtamonAlarmSeverity_info major", value(series, "mtamonAlarmSeverity_info", mtamonAlarmName="qlen", mtamonAlarmSeverity="major"), 1.0)

# The partition (df's figures of the test's directory) and the connections.
import os
st = os.statvfs(sys.argv[3])
check("mtamonPartitionSize tmp = statvfs's size in octets",
      value(series, "mtamonPartitionSize", mtamonPartitionName="tmp"), float(st.f_blocks * st.f_frsize))
check("mtamonPartitionInodesTotal tmp = statvfs's",
      value(series, "mtamonPartitionInodesTotal", mtamonPartitionName="tmp"), float(st.f_files))
check("mtamonConnectionCount: the exporter's port, state listen (the enum's name)",
      value(series, "mtamonConnectionCount", mtamonConnectionPort=sys.argv[4], mtamonConnectionState="listen"), 1.0)
EOF

py_check "labels" "$SCRAPE" <<EOF
$PARSE
series, oids = parse(sys.argv[1])
names = set()
for name, rows in series.items():
    for labels, v in rows:
        names |= set(labels)
# Indexes, looked-up names and the EnumAsInfo names: nothing else.
allowed = {"applIndex", "applName", "mtaGroupIndex", "mtaGroupName", "mtaStatusCode",
           "mtamonQueueIndex", "mtamonQueueName", "mtamonQueueKind",
           "mtamonPartitionIndex", "mtamonPartitionName",
           "mtamonConnectionPort", "mtamonConnectionState",
           "mtamonConnRemotePort", "mtamonConnRemoteRank",
           "mtamonProcessIndex", "mtamonProcessName",
           "mtamonProbeIndex", "mtamonProbeName", "mtamonProbeKind", "mtamonProbeTls",
           "mtamonAlarmIndex", "mtamonAlarmObject", "mtamonAlarmName",
           "mtamonAlarmKind", "mtamonAlarmSeverity"}
check("label names beyond indexes, lookups and enum names", sorted(names - allowed), [])
check("mtaGroupName labels: group_name or the channel's name",
      sorted({l.get("mtaGroupName") for l, v in series["mtaGroupReceivedMessages"]}),
      ["Internet SMTP", "ims-ms"])
check("applName label of the MTA's series",
      [l.get("applName") for l, v in series["mtaReceivedMessages"]], ["mtamon test MTA"])
values = {v for rows in series.values() for labels, _ in rows for v in labels.values()}
for text in ["relaying denied", "connection refused", "SMTP to and from the Internet",
             "http://mta.example/tcp_local", "the MTA under test", "8.1"]:
    check_true("no label value is the free text " + repr(text), text not in values)
for name in ["mtaGroupInboundRejectionReason", "mtaGroupOutboundConnectFailureReason",
             "mtaGroupDescription", "mtaGroupURL", "mtaGroupName", "applName",
             "mtamonQueuePath", "mtamonQueueError", "mtamonAlarmObjectName"]:
    check(name + " is not a series", name in series, False)
EOF

section "a re-created segment"
OLD_GEN=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["generation"])' "$T/counters.json")
cli --segment "$SEG" counters delete
assert_exit 0 "mtamon counters delete"
if wait_until 20 scrape_has '^applOperStatus\{applIndex="1",applName="mtamon test MTA"\} 2$'; then
    pass "with the segment gone, the scrape shows applOperStatus 2 (what MtamonDown reads)"
else
    fail "with the segment gone, the scrape shows applOperStatus 2" \
        "$(grep -E '^applOperStatus' "$SCRAPE")"
fi
assert_not_contains "$(cat "$SCRAPE")" "mtamonSegmentGeneration " \
    "no mtamonSegmentGeneration sample while the segment is down"
emit --segment "$SEG" --create channel tcp_local channel ims-ms \
    repeat 2 enqueue - tcp_local 1 100
assert_exit 0 "mtamon-emit: a new segment, 2 messages"
if wait_until 20 scrape_has '^applOperStatus\{applIndex="1",applName="mtamon test MTA"\} 1$'; then
    pass "the MTA is up again"
else
    fail "the MTA is up again" "$(grep -E '^applOperStatus' "$SCRAPE")"
fi
wait_until 20 scrape_has '^mtamonGroupHCReceivedMessages\{.*mtaGroupIndex="10".*\} 2$' || true
cli --segment "$SEG" counters show --json
printf '%s\n' "$OUT" >"$T/counters2.json"
py_check "after the re-creation" "$SCRAPE" "$T/counters2.json" "$OLD_GEN" <<EOF
$PARSE
series, oids = parse(sys.argv[1])
doc = load(sys.argv[2])
old, new = sys.argv[3], doc["generation"]
check_true("counters show: a new generation", old != new, old + " = " + new)
check("mtamonSegmentGeneration = the new generation's first 8 digits",
      value(series, "mtamonSegmentGeneration"), float(int(new[:8], 16)))
check_true("mtamonSegmentGeneration changed (MtamonCountersReset fires)",
           value(series, "mtamonSegmentGeneration") != float(int(old[:8], 16)))
check("tcp_local's counters restarted: received 2, not 7",
      value(series, "mtamonGroupHCReceivedMessages", mtaGroupIndex="10"), 2.0)
check("mtaGroupIndex kept: tcp_local is still 10, named Internet SMTP",
      value(series, "mtaGroupReceivedMessages", mtaGroupIndex="10", mtaGroupName="Internet SMTP"), 2.0)
EOF

section "stop"
stop_bg "$EXPORTER_PID"
assert_missing "/proc/$EXPORTER_PID/status" "the exporter is stopped"
snmp_stop_agent TERM
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond exits 0 on SIGTERM"
snmp_stop_master
if [ "$IT_FAILED" -ne 0 ]; then
    snmp_show_logs
    sed 's/^/     | /' "$EXPORTER_LOG"
fi
finish
