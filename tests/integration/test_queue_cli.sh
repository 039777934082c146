#!/bin/bash
# test_queue_cli.sh - `mtamon queue`: text and --json on a Sun channel
# queue, a Postfix spool of real queue files and the postqueue -j fallback
# (a script standing in for postqueue), with --path; missing trees (exit
# 69), usage errors (64), configurations that cannot be used (78, 1), and,
# once the configuration loader reads queues:, the configured queues and
# NAME selection.
#
# Run by `make check`; by hand: cd BUILDDIR && SRCDIR/tests/integration/test_queue_cli.sh

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_program "$MTAMON"

T=$IT_TMP
NOW=$(date +%s)

# mkfile PATH SIZE AGE_SECONDS: a file of SIZE bytes, its mtime AGE ago.
mkfile() { sized_file "$1" "$2" $((NOW - $3)); }

# ------------------------------------------------------------------------
section "a Sun channel queue (--path, directory)"

Q=$T/queue/tcp_local
mkfile "$Q/ZZ01.00" 1000 3600
mkfile "$Q/ZZ02.00" 2000 11520        # 3h12m: the oldest
mkfile "$Q/000/ZZ03.00" 3000 60
mkfile "$Q/000/001/002/ZZ04.00" 9999 999999 # below depth 2
mkfile "$Q/readme" 5 999999           # not ZZ*
ln -s ZZ01.00 "$Q/ZZ05.00"            # a link: not a message

cli queue --path "$Q" --glob 'ZZ*'
assert_exit 0 "text: exit status 0"
assert_eq "QUEUE     MESSAGES     VOLUME   OLDEST OLDEST ID NEXT RETRY SCAN MS  STATUS" \
    "$(sed -n 1p <<<"$OUT")" "text: the header"
row=$(sed -n 2p <<<"$OUT" | sed 's/  *[0-9]*  ok$/ SCAN ok/')
assert_eq "tcp_local        3    5.9 KiB    3h12m ZZ02.00            - SCAN ok" "$row" \
    "text: messages, volume, age and id of the oldest"
assert_eq 2 "$(wc -l <<<"$OUT")" "text: one row"

cli queue --path "$Q" --glob 'ZZ*' --depth 3 --name sun
assert_contains "$OUT" "sun          4   15.6 KiB   11d13h ZZ04.00" "text: --depth 3, --name"

cli queue --json --path "$Q/" --glob 'ZZ*'
assert_exit 0 "json: exit status 0"
cp "$T/out" "$T/sun.json"
py_check "json: Sun queue" "$T/sun.json" "$NOW" <<'PY'
import sys
doc = load(sys.argv[1]); now = int(sys.argv[2])
check("one row", len(get(doc, "queues")), 1)
r = get(doc, "queues", 0)
check("keys, in order", list(r.keys()), ["name", "kind", "status", "source",
      "messages", "volume", "oldest_ms", "oldest", "oldest_age_s", "oldest_id",
      "next_retry_ms", "next_retry", "scanned_ms", "scanned", "duration_ms",
      "unreadable", "error"])
check("name", r["name"], "tcp_local")
check("kind", r["kind"], "directory")
check("status", r["status"], "ok")
check("source", r["source"], "tree")
check("messages", r["messages"], 3)
check("volume", r["volume"], 6000)
check("oldest_ms", r["oldest_ms"], (now - 11520) * 1000)
check("oldest", r["oldest"][:19], __import__("time").strftime("%Y-%m-%dT%H:%M:%S",
      __import__("time").gmtime(now - 11520)))
check_true("oldest_age_s", 11520 <= r["oldest_age_s"] <= 11520 + 30, str(r["oldest_age_s"]))
check("oldest_id", r["oldest_id"], "ZZ02.00")
check("next_retry_ms", r["next_retry_ms"], None)
check("next_retry", r["next_retry"], None)
check_true("duration_ms a number", isinstance(r["duration_ms"], int))
check("unreadable", r["unreadable"], 0)
check("error", r["error"], "")
PY

mkdir -p "$T/queue/empty"
cli queue --json --path "$T/queue/empty"
cp "$T/out" "$T/empty.json"
py_check "json: empty queue" "$T/empty.json" <<'PY'
import sys
r = get(load(sys.argv[1]), "queues", 0)
check("messages", r["messages"], 0)
check("oldest_ms", r["oldest_ms"], None)
check("oldest_id", r["oldest_id"], None)
check("oldest_age_s", r["oldest_age_s"], None)
PY
cli queue --path "$T/queue/empty"
assert_contains "$OUT" "empty        0        0 B        - -                  -" "text: empty queue"

# ------------------------------------------------------------------------
section "a Postfix spool (--path, postfix)"

PF=$T/spool
python3 - "$PF" "$NOW" <<'PY'
import os, sys
spool, now = sys.argv[1], int(sys.argv[2])
def rec(t, data):
    data = data.encode()
    n, out = len(data), bytearray(t.encode())
    while True:
        b = n & 0x7f; n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n: break
    return bytes(out) + data
def qfile(rel, size, arrival, mtime, mode=0o700):
    path = os.path.join(spool, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    body = rec("C", "%15d %15d %15d %15d %15d %15d" % (size, 150, 1, 0, size, 0))
    body += rec("T", "%d 250000" % arrival) + rec("S", "a@example.org")
    body += rec("R", "b@example.net") + rec("M", "") + rec("N", "hi") + rec("X", "")
    body += rec("E", "")
    with open(path, "wb") as f:
        f.write(body)
    os.chmod(path, mode)
    os.utime(path, (mtime, mtime))
for q in ("maildrop", "incoming", "active", "deferred", "hold"):
    os.makedirs(os.path.join(spool, q), exist_ok=True)
qfile("active/A/4XA1", 1500, now - 120, now)
qfile("deferred/B/4XD1", 2500, now - 7200, now + 240)   # retry in 4m
qfile("deferred/C/4XD2", 3500, now - 3600, now + 900)
qfile("incoming/D/4XI1", 1, now, now, mode=0o600)         # still written
PY
cli queue --json --path "$PF" --kind postfix --name pf --postqueue ''
assert_exit 0 "postfix json: exit status 0"
cp "$T/out" "$T/pf.json"
py_check "postfix json" "$T/pf.json" "$NOW" <<'PY'
import sys
doc = load(sys.argv[1]); now = int(sys.argv[2])
rows = get(doc, "queues")
check("row names", [r["name"] for r in rows], ["pf", "pf/maildrop", "pf/incoming",
      "pf/active", "pf/deferred", "pf/hold"])
check("messages", [r["messages"] for r in rows], [3, 0, 0, 1, 2, 0])
check("volumes", [r["volume"] for r in rows], [7500, 0, 0, 1500, 6000, 0])
check("oldest id", rows[0]["oldest_id"], "4XD1")
check("oldest_ms (whole seconds, as postqueue -j)", rows[0]["oldest_ms"], (now - 7200) * 1000)
check("next retry of deferred", rows[4]["next_retry_ms"], (now + 240) * 1000)
check("next retry of the whole", rows[0]["next_retry_ms"], (now + 240) * 1000)
check("next retry of active", rows[3]["next_retry_ms"], None)
check("kinds", set(r["kind"] for r in rows), {"postfix"})
check("sources", set(r["source"] for r in rows), {"tree"})
PY
cli queue --path "$PF" --kind postfix --name pf --postqueue ''
# (in 4m0s, less the seconds since NOW)
if [[ $(grep '^pf/deferred ' <<<"$OUT") =~ \ in\ (4m0s|3m[0-5][0-9]s)\  ]]; then
    pass "postfix text: next retry"
else
    fail "postfix text: next retry" "$OUT"
fi
assert_contains "$(grep '^pf ' <<<"$OUT")" "2h0m 4XD1" "postfix text: the oldest"

# The spool unreadable (here: missing), postqueue -j instead.
cat >"$T/postqueue" <<EOF
#!/bin/sh
[ "\$*" = "-j -c /etc/postfix-x" ] || { echo "postqueue: bad arguments: \$*" >&2; exit 64; }
cat <<'JSON'
{"queue_name": "deferred", "queue_id": "4XD9", "arrival_time": $((NOW - 600)), "message_size": 700, "forced_expire": false, "sender": "", "recipients": [{"address": "x@y", "delay_reason": "connection refused"}]}
{"queue_name": "hold", "queue_id": "4XH9", "arrival_time": $((NOW - 60)), "message_size": 50, "recipients": []}
JSON
EOF
chmod 755 "$T/postqueue"
cli queue --json --path "$T/no-spool" --kind postfix --name pf \
    --postqueue "$T/postqueue" --postfix-config /etc/postfix-x
assert_exit 0 "postqueue fallback: exit status 0"
cp "$T/out" "$T/pq.json"
py_check "postqueue fallback" "$T/pq.json" "$NOW" <<'PY'
import sys
rows = get(load(sys.argv[1]), "queues"); now = int(sys.argv[2])
check("sources", set(r["source"] for r in rows), {"postqueue"})
check("messages", [r["messages"] for r in rows], [2, 0, 0, 0, 1, 1])
check("volume", rows[0]["volume"], 750)
check("oldest", (rows[0]["oldest_id"], rows[0]["oldest_ms"]), ("4XD9", (now - 600) * 1000))
check("no next retry from postqueue", rows[4]["next_retry_ms"], None)
PY
cli queue --path "$T/no-spool" --kind postfix --name pf --postqueue "$T/postqueue"
assert_exit 69 "postqueue failing: exit status 69"
assert_contains "$(grep '^pf/hold ' <<<"$OUT")" \
    "unavailable: $T/no-spool: No such file or directory; postqueue: bad arguments: -j" \
    "postqueue failing: both reasons"

# ------------------------------------------------------------------------
section "trees that cannot be read"

cli queue --path "$T/missing"
assert_exit 69 "missing directory: exit status 69"
assert_contains "$OUT" "missing        -          -        - -                  -" \
    "missing directory: no figures"
assert_contains "$OUT" "unavailable: $T/missing: No such file or directory" \
    "missing directory: the reason"
cli queue --json --path "$T/missing"
assert_exit 69 "missing directory, json: exit status 69"
assert_contains "$OUT" '"status": "unavailable"' "missing directory, json: status"
assert_contains "$OUT" "\"error\": \"$T/missing: No such file or directory\"" \
    "missing directory, json: error"

if [ "$(id -u)" = 0 ]; then
    echo "     (unreadable subdirectory: skipped, root reads everything)"
else
    mkfile "$T/locked/ZZ1.00" 10 10
    mkfile "$T/locked/sub/ZZ2.00" 10 10
    chmod 000 "$T/locked/sub"
    cli queue --path "$T/locked"
    chmod 755 "$T/locked/sub"
    assert_exit 0 "unreadable subdirectory: exit status 0"
    assert_contains "$OUT" "ok, 1 unreadable: cannot read $T/locked/sub: Permission denied" \
        "unreadable subdirectory: counted and told"
fi

# ------------------------------------------------------------------------
section "usage errors (64)"

cli queue --path relative/dir
assert_error 64 "--path must be an absolute directory" "relative --path"
cli queue --path "$Q" --kind exim
assert_error 64 "--kind must be directory, postfix or generic, not 'exim'" "bad --kind"
cli queue --path "$Q" --depth 65
assert_error 64 "--depth must be a number 0..64" "--depth too large"
cli queue --glob 'ZZ*'
assert_error 64 "go with --path" "--glob without --path"
cli queue --path "$Q" tcp_local
assert_error 64 "no --config or NAME with it" "--path and NAME"
cli queue --bogus
assert_error 64 "queue: unknown option '--bogus'" "unknown option"
cli queue --help
assert_exit 0 "--help: exit status 0"
assert_contains "$OUT" "usage: mtamon queue" "--help: usage"

# ------------------------------------------------------------------------
section "configurations"

cli queue --config "$T/nope.yaml"
assert_error 78 "$T/nope.yaml" "missing configuration"
printf 'segment: [\n' >"$T/bad.yaml"
cli queue --config "$T/bad.yaml"
assert_error 78 "$T/bad.yaml:" "invalid configuration"
assert_eq "" "$OUT" "invalid configuration: nothing on stdout"
printf '# no queues\n' >"$T/none.yaml"
cli queue --config "$T/none.yaml"
assert_error 1 "$T/none.yaml: no queues configured" "no queues configured"

# The queues: section (its loader is written beside this command): tested
# once check-config accepts it.
cat >"$T/queues.yaml" <<EOF
queues:
  - name: tcp_local
    kind: directory
    path: $Q
    glob: "ZZ*"
  - name: pf
    kind: postfix
    path: $PF
    postqueue: ""
EOF
cli check-config --syntax-only "$T/queues.yaml"
assert_exit 0 "configured: check-config accepts the queues"
cli queue --config "$T/queues.yaml"
assert_exit 0 "configured: exit status 0"
assert_eq 8 "$(wc -l <<<"$OUT")" "configured: header and 7 rows"
# Column widths follow the longest name: compare with spaces squeezed.
assert_contains "$(tr -s ' ' <<<"$OUT")" "tcp_local 3 5.9 KiB 3h12m ZZ02.00" "configured: Sun row"
cli queue --config "$T/queues.yaml" pf/deferred
assert_exit 0 "NAME/ROW: exit status 0"
assert_eq 2 "$(wc -l <<<"$OUT")" "NAME/ROW: one row"
assert_contains "$OUT" "pf/deferred" "NAME/ROW: that row"
cli queue --config "$T/queues.yaml" tcp_local nosuch
assert_error 1 "no queue called 'nosuch'" "unknown NAME"
assert_contains "$OUT" "tcp_local" "unknown NAME: the others printed"

finish
