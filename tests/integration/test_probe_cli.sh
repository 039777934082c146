#!/bin/bash
# test_probe_cli.sh - `mtamon probe` against scripted fake servers on
# 127.0.0.1 (one Python process, ports chosen by the kernel): an SMTP
# server that answers 220/250/221, one that greets 421, one that greets
# late (slow), one that accepts and stays silent, and a closed port;
# driven through a configuration file and through URLs.  Checks the
# table, the JSON fields, the Nagios line, the exit codes 0/1/2/3/64/78,
# and that three silent targets with a 1 s timeout run side by side (the
# silent server had all three connections open at once; one after
# another, each would be closed before the next came).  No duration is
# bounded from above: timings are measured in bench/.
#
# Run by `make check`; by hand: cd BUILDDIR && SRCDIR/tests/integration/test_probe_cli.sh

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_program "$MTAMON"
command -v python3 >/dev/null || skip "python3 not found"

T=$IT_TMP

# ------------------------------------------------------------------------
# The fake servers: one process, a thread per connection; it writes
# "MODE PORT" lines to ports.txt once every listener is bound, and to
# silent.log "open N" / "close N" as a silent connection comes and goes,
# N the silent connections open then.
cat >"$T/fake.py" <<'PY'
import socket, sys, threading, time

out = sys.argv[1]
silent_log = open(sys.argv[2], "a")
silent_lock = threading.Lock()
silent_open = 0

def silent_event(what, change):
    global silent_open
    with silent_lock:
        silent_open += change
        silent_log.write("%s %d\n" % (what, silent_open))
        silent_log.flush()

def smtp(c, greeting, delay=0.0):
    f = c.makefile("rb")
    time.sleep(delay)
    c.sendall(greeting)
    if not greeting.startswith(b"220"):
        return
    for line in f:
        cmd = line.strip().upper()
        if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
            c.sendall(b"250-fake.test\r\n250 8BITMIME\r\n")
        elif cmd == b"QUIT":
            c.sendall(b"221 2.0.0 bye\r\n")
            return
        else:
            c.sendall(b"502 5.5.2 unknown\r\n")

def silent(c):
    # Hold the connection until the client goes away.
    silent_event("open", 1)
    try:
        while c.recv(4096):
            pass
    finally:
        silent_event("close", -1)

modes = {
    "ok": lambda c: smtp(c, b"220 fake.test ESMTP\r\n"),
    "busy": lambda c: smtp(c, b"421 4.3.2 busy\r\n"),
    "slow": lambda c: smtp(c, b"220 fake.test ESMTP\r\n", 0.6),
    "silent": silent,
}

def serve(sock, fn):
    while True:
        c, _ = sock.accept()
        def run(c=c):
            try:
                fn(c)
            except OSError:
                pass
            finally:
                c.close()
        threading.Thread(target=run, daemon=True).start()

lines = []
for name, fn in modes.items():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    lines.append("%s %d" % (name, s.getsockname()[1]))
    threading.Thread(target=serve, args=(s, fn), daemon=True).start()
# A closed port: bound once by the kernel's choice, then released.
s = socket.socket()
s.bind(("127.0.0.1", 0))
lines.append("closed %d" % s.getsockname()[1])
s.close()
with open(out + ".tmp", "w") as f:
    f.write("\n".join(lines) + "\n")
import os
os.rename(out + ".tmp", out)
while True:
    time.sleep(3600)
PY

fake_pid=
start_bg fake_pid "$T/fake.log" python3 "$T/fake.py" "$T/ports.txt" "$T/silent.log"
if ! wait_until 10 test -s "$T/ports.txt"; then
    fail "the fake servers started" "$(cat "$T/fake.log")"
    finish
fi
port() { awk -v m="$1" '$1 == m { print $2 }' "$T/ports.txt"; }
OK=$(port ok) BUSY=$(port busy) SLOW=$(port slow) SILENT=$(port silent) CLOSED=$(port closed)

cat >"$T/probes.yaml" <<EOF2
probes:
  - {name: ok, kind: smtp, address: "127.0.0.1:$OK", helo: probe.test}
  - {name: busy, kind: smtp, address: "127.0.0.1:$BUSY"}
  - {name: late, kind: smtp, address: "127.0.0.1:$SLOW", slow: 0.3}
  - {name: silent1, kind: smtp, address: "127.0.0.1:$SILENT", timeout: 1}
  - {name: silent2, kind: smtp, address: "127.0.0.1:$SILENT", timeout: 1}
  - {name: silent3, kind: smtp, address: "127.0.0.1:$SILENT", timeout: 1}
  - {name: closed, kind: tcp, address: "127.0.0.1:$CLOSED"}
EOF2

# json_check DESC PYTHON: run the checks of PYTHON (it has `doc`, the
# JSON of the last `cli` run, and check(what, got, want)) through py_check.
json_check()
{
    printf '%s\n' "$OUT" >"$T/last.json"
    py_check "$1" "$T/last.json" <<PY
import re
doc = json.load(open(sys.argv[1]))
probes = {p["name"]: p for p in doc["probes"]}
$2
PY
}

# ------------------------------------------------------------------------
section "an SMTP server that answers: up, exit 0"

cli probe -c "$T/probes.yaml" ok
assert_exit 0 "ok: exit status 0"
assert_eq "" "$ERR" "ok: nothing on stderr"
assert_contains "$OUT" "NAME  KIND  ADDRESS" "ok: the table's header"
assert_contains "$(sed -n 2p "$IT_TMP/out")" "ok    smtp  127.0.0.1:$OK  up" "ok: its row"
assert_contains "$(sed -n 3p "$IT_TMP/out")" "connect " "ok: the step times under it"

cli probe -c "$T/probes.yaml" --json ok
assert_exit 0 "ok --json: exit status 0"
json_check "ok --json" '
check("one object, one probe", list(doc.keys()) + [len(doc["probes"])], ["probes", 1])
p = probes["ok"]
check("field order", list(p.keys()), ["name", "kind", "address", "tls", "state", "ok",
      "total_ms", "reply_code", "error", "steps"])
check("kind", p["kind"], "smtp")
check("address", p["address"], "127.0.0.1:'"$OK"'")
check("tls", p["tls"], "none")
check("state", p["state"], "up")
check("ok", p["ok"], True)
check("reply_code", p["reply_code"], 0)
check("error", p["error"], "")
check("steps in the order they ran", list(p["steps"].keys()), ["connect", "greeting", "ehlo", "quit"])
check("total_ms is a number >= the steps", p["total_ms"] >= sum(p["steps"].values()), True)
'

cli probe -c "$T/probes.yaml" --nagios ok
assert_exit 0 "ok --nagios: exit status 0"
if [[ $OUT =~ ^"MTAMON PROBE OK - 1 up | ok="[0-9]+"ms;2000;10000;0"$ ]]; then
    pass "ok --nagios: the status line with perfdata"
else
    fail "ok --nagios: the status line with perfdata" "$OUT"
fi

# ------------------------------------------------------------------------
section "a 421 greeting: down, exit 2"

cli probe -c "$T/probes.yaml" --json ok busy
assert_exit 2 "busy: exit status 2"
json_check "busy --json" '
p = probes["busy"]
check("state", p["state"], "down")
check("ok", p["ok"], False)
check("reply_code", p["reply_code"], 421)
check("error", p["error"], "greeting: 421 4.3.2 busy")
check("the other probe is still up", probes["ok"]["state"], "up")
'
cli probe -c "$T/probes.yaml" --nagios ok busy
assert_exit 2 "busy --nagios: exit status 2"
if [[ $OUT =~ ^"MTAMON PROBE CRITICAL - busy down: greeting: 421 4.3.2 busy | ok="[0-9]+"ms;2000;10000;0 busy="[0-9]+"ms;2000;10000;0"$ ]]; then
    pass "busy --nagios: CRITICAL with the reply"
else
    fail "busy --nagios: CRITICAL with the reply" "$OUT"
fi
cli probe -c "$T/probes.yaml" busy
assert_exit 2 "busy text: exit status 2"
assert_contains "$OUT" "down" "busy text: down"
assert_contains "$OUT" "greeting: 421 4.3.2 busy" "busy text: the error column"

# ------------------------------------------------------------------------
section "a late greeting: slow, exit 1"

cli probe -c "$T/probes.yaml" --nagios late ok
assert_exit 1 "late: exit status 1"
if [[ $OUT =~ ^"MTAMON PROBE WARNING - late slow ("[0-9]+" ms) | late="[0-9]+"ms;300;10000;0 ok=" ]]; then
    pass "late --nagios: WARNING with the time"
else
    fail "late --nagios: WARNING with the time" "$OUT"
fi
cli probe -c "$T/probes.yaml" --json late
assert_exit 1 "late --json: exit status 1"
json_check "late --json" '
p = probes["late"]
check("state", p["state"], "slow")
check("ok", p["ok"], True)
check("took longer than 0.3 s", p["total_ms"] > 300, True)
'

# ------------------------------------------------------------------------
section "three silent servers: down after 1 s each, side by side"

# silent.log's lines from this run on; those of the run, once it has all
# three closes.
silent_from=$(( $(wc -l <"$T/silent.log") + 1 ))
silent_run() { tail -n "+$silent_from" "$T/silent.log"; }
silent_closed() { [ "$(silent_run | grep -c '^close ')" -ge "$1" ]; }
cli probe -c "$T/probes.yaml" --json silent1 silent2 silent3
assert_exit 2 "silent: exit status 2"
json_check "silent --json" '
for n in ("silent1", "silent2", "silent3"):
    p = probes[n]
    check(n + " state", p["state"], "down")
    # The deadline less the connection start: the timeout, or a hair below.
    m = re.fullmatch(r"greeting: timed out after (\d+) ms", p["error"])
    check(n + " error: greeting: timed out after N <= 1000 ms",
          bool(m) and int(m.group(1)) <= 1000, True)
    check(n + " waited for its deadline", p["total_ms"] >= 1000, True)
'
wait_until 10 silent_closed 3 || true
if silent_run | grep -qx "open 3"; then
    pass "the silent server had the three connections open at once (side by side)"
else
    fail "the silent server had the three connections open at once (side by side)" \
        "$(silent_run | tr '\n' ' ')"
fi

# ------------------------------------------------------------------------
section "every configured probe, and a closed port"

cli probe -c "$T/probes.yaml" --json
assert_exit 2 "all: exit status 2"
json_check "all --json" '
check("every probe in file order", [p["name"] for p in doc["probes"]],
      ["ok", "busy", "late", "silent1", "silent2", "silent3", "closed"])
check("closed state", probes["closed"]["state"], "down")
check("closed error", probes["closed"]["error"], "connect: Connection refused")
check("closed steps", probes["closed"]["steps"], {})
'

# ------------------------------------------------------------------------
section "URL targets"

cli probe --json "smtp://127.0.0.1:$OK" "smtp://127.0.0.1:$BUSY" "tcp://127.0.0.1:$CLOSED"
assert_exit 2 "URLs: exit status 2"
json_check "URLs --json" '
check("names", [p["name"] for p in doc["probes"]], ["smtp", "smtp-2", "tcp"])
check("smtp up", probes["smtp"]["state"], "up")
check("smtp address", probes["smtp"]["address"], "127.0.0.1:'"$OK"'")
check("smtp-2 reply", probes["smtp-2"]["reply_code"], 421)
check("tcp refused", probes["tcp"]["error"], "connect: Connection refused")
'
cli probe "smtp://127.0.0.1:$OK"
assert_exit 0 "one URL up: exit status 0"
cli probe --nagios --timeout 0.5 --slow 0.2 "smtp://127.0.0.1:$SLOW"
assert_exit 2 "URL --timeout 0.5 on a 0.6 s greeting: exit status 2"
if [[ $OUT =~ ^"MTAMON PROBE CRITICAL - smtp down: greeting: timed out after "([0-9]+)" ms |" ]] &&
    [ "${BASH_REMATCH[1]}" -le 500 ]; then
    pass "URL --timeout: the timeout in the error"
else
    fail "URL --timeout: the timeout in the error" "$OUT"
fi
assert_contains "$OUT" "smtp=" "URL --timeout: perfdata"
assert_contains "$OUT" ";200;500;0" "URL --timeout/--slow: warn and crit in the perfdata"
cli probe --timeout 2 --slow 0.3 "smtp://127.0.0.1:$SLOW"
assert_exit 1 "URL --slow 0.3 on a 0.6 s greeting: exit status 1"
printf 'u:secret-word\n' >"$T/creds"
chmod 644 "$T/creds"
cli probe --credentials "$T/creds" "imap://127.0.0.1:$CLOSED"
assert_exit 64 "--credentials with mode 0644: exit status 64"
assert_contains "$ERR" "credentials file $T/creds has mode 0644" "--credentials 0644: refused"
assert_contains "$ERR" "chmod 600 $T/creds" "--credentials 0644: says chmod 600"
assert_not_contains "$OUT$ERR" "secret-word" "--credentials 0644: the password is not printed"

# ------------------------------------------------------------------------
section "usage and configuration errors: 64 and 78, 3 under --nagios"

cli probe --bogus
assert_exit 64 "unknown option: exit status 64"
assert_contains "$ERR" "probe: unknown option '--bogus'" "unknown option: message"
cli probe --nagios --bogus
assert_exit 3 "unknown option --nagios: exit status 3"
assert_eq "MTAMON PROBE UNKNOWN - probe: unknown option '--bogus'" "$OUT" \
    "unknown option --nagios: UNKNOWN line"
cli probe -c "$T/probes.yaml" nosuch
assert_exit 64 "unknown NAME: exit status 64"
assert_contains "$ERR" "probe: no probe 'nosuch' in $T/probes.yaml" "unknown NAME: message"
cli probe "ftp://127.0.0.1:$OK"
assert_exit 64 "unknown scheme: exit status 64"
cli probe --json --nagios "smtp://127.0.0.1:$OK"
assert_exit 3 "--json with --nagios: exit status 3"
cli probe --timeout 0 "smtp://127.0.0.1:$OK"
assert_exit 64 "--timeout 0: exit status 64"
printf 'probes:\n  - {name: x, kind: smtp, address: "127.0.0.1:0"}\n' >"$T/bad.yaml"
cli probe -c "$T/bad.yaml"
assert_exit 78 "bad configuration: exit status 78"
assert_eq "mtamon: $T/bad.yaml:2:36: probes[0].address: port 0 is out of range (1..65535)" \
    "$ERR" "bad configuration: the message"
cli probe -c "$T/bad.yaml" --nagios
assert_exit 3 "bad configuration --nagios: exit status 3"
assert_eq "MTAMON PROBE UNKNOWN - $T/bad.yaml:2:36: probes[0].address: port 0 is out of range (1..65535)" \
    "$OUT" "bad configuration --nagios: UNKNOWN line"
printf 'channels: []\n' >"$T/none.yaml"
cli probe -c "$T/none.yaml"
assert_exit 78 "no probes configured: exit status 78"
assert_eq "mtamon: $T/none.yaml: no probes configured" "$ERR" "no probes configured: message"
cli probe --help
assert_exit 0 "--help: exit status 0"
assert_contains "$OUT" "usage: mtamon probe" "--help: usage"
cli --help
assert_contains "$OUT" "probe [-c FILE]" "mtamon --help lists probe"

stop_bg "$fake_pid"
finish
