#!/bin/bash
# test_probe_servers_snmp.sh - mtamond's probes against real servers,
# read over SNMP: the private Dovecot and Postfix of mail_servers.sh, a
# private snmpd master (snmp_lib.sh), and mtamond with a probes: section.
#
#   mtamonProbeTable (MTAMON-MIB .1.8), one row per probe, index = its
#   position in probes:
#     SMTP STARTTLS with tls_ca    up(1), steps connect..ehlo2..quit
#     SMTP STARTTLS, verify on     down(3), "certificate verify failed"
#     IMAP login                   up(1), Dovecot logged the login
#     POP3S, tls_verify false      up(1)
#     IMAP wrong password          down(3), Dovecot's "Authentication failed"
#     round trip Postfix -> LMTP   up(1), steps submit, deliver, delete;
#       -> Dovecot over IMAPS      the probe message gone from the Maildir
#   applTable: a service row following the IMAP login probe is up(1), one
#   following the wrong-password probe down(2).
#
# Skips (77, with the reason) unless root with Dovecot, Postfix, openssl
# and Net-SNMP installed, and mtamond built with mtamonProbeTable.
# Everything it starts is stopped by PID.
#
# Run by `make check`; by hand:
#   cd BUILDDIR && MTAMON_BUILDDIR=$PWD MTAMON_SRCDIR=SRCDIR \
#       bash SRCDIR/tests/integration/test_probe_servers_snmp.sh

# shellcheck disable=SC2317  # functions called indirectly (trap, wait_until)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/mail_servers.sh
. "$(dirname "$0")/mail_servers.sh"
# shellcheck source=tests/integration/snmp_lib.sh
. "$(dirname "$0")/snmp_lib.sh"

grep -q 'mtamonProbeTable' "$IT_TOP_SRCDIR/mibs/MTAMON-MIB.txt" ||
    skip "this tree's MTAMON-MIB has no mtamonProbeTable"
snmp_setup
# snmp_setup may put its own exit trap in place (a short socket
# directory): the servers are stopped first in any case.
trap 'rc=$?; snmp_cleanup_short_dir; (exit "$rc"); ms_cleanup' EXIT

T=$IT_TMP
T0=$(now_ms)
PROBE=$ROOT.1.8.1

section "private Dovecot, Postfix and snmpd"
start_dovecot
pass "Dovecot running (pid $DOVECOT_PID)"
start_postfix_smtpd
pass "Postfix running (master pid $PF_MASTER_PID; smtpd $POSTFIX_SMTP_PORT)"
snmp_start_master

umask 077
printf '%s:%s\n' "$DOVECOT_USER" "$DOVECOT_PASSWORD" >"$T/cred"
printf '%s:%s\n' "$DOVECOT_USER" "not-the-password" >"$T/cred-wrong"
chmod 0600 "$T/cred" "$T/cred-wrong"
A=127.0.0.1
# interval 300: one check each within the test (the first runs at start).
snmp_write_agent_config "$T/mtamond.yaml" "probes:
  - {name: smtp-starttls-ca, kind: smtp, address: \"$A:$POSTFIX_SMTP_PORT\",
     tls: starttls, tls_ca: $MS_CERT, interval: 300, timeout: 10, slow: 0}
  - {name: smtp-starttls-verify, kind: smtp, address: \"$A:$POSTFIX_SMTP_PORT\",
     tls: starttls, interval: 300, timeout: 10, slow: 0}
  - {name: imap-login, kind: imap, address: \"$A:$DOVECOT_IMAP_PORT\",
     credentials: $T/cred, interval: 300, timeout: 10, slow: 0}
  - {name: pop3s, kind: pop3, address: \"$A:$DOVECOT_POP3S_PORT\", tls: implicit,
     tls_verify: false, credentials: $T/cred, interval: 300, timeout: 10, slow: 0}
  - {name: imap-badpass, kind: imap, address: \"$A:$DOVECOT_IMAP_PORT\",
     credentials: $T/cred-wrong, interval: 300, timeout: 10, slow: 0}
  - name: roundtrip
    kind: roundtrip
    address: \"$A:$POSTFIX_SMTP_PORT\"
    tls: starttls
    tls_ca: $MS_CERT
    from: probe-sender@client.test
    to: $DOVECOT_USER
    poll: 0.2
    interval: 300
    timeout: 30
    slow: 0
    mailbox: {kind: imap, address: \"$A:$DOVECOT_IMAPS_PORT\", tls: implicit,
              tls_ca: $MS_CERT, credentials: $T/cred}
applications:
  - {type: mta, name: MTA}
  - {type: service, name: IMAP, index: 5, probe: imap-login}
  - {type: service, name: IMAP-bad, index: 6, probe: imap-badpass}"
run "$MTAMON" check-config "$T/mtamond.yaml"
assert_exit 0 "mtamon check-config accepts the probes: section"
snmp_start_agent "$T/mtamond.yaml"
snmp_wait_agent || snmp_require_agent

# all_checked: every probe row has a state other than unknown(4).
all_checked()
{
    local i v
    for i in 1 2 3 4 5 6; do
        snmp_get v "$PROBE.6.$i"
        case $v in
        "INTEGER: 1" | "INTEGER: 2" | "INTEGER: 3") ;;
        *) return 1 ;;
        esac
    done
}

section "mtamonProbeTable"
if wait_until 45 all_checked; then
    pass "every probe was checked"
else
    fail "every probe was checked within 45 s" "$(tail -n 20 "$SNMP_AGENT_LOG")"
fi
snmp_walk WALK "$PROBE"
printf '%s\n' "$WALK" >"$T/walk.txt"
py_check "mtamonProbeTable" "$T/walk.txt" "$PROBE" "$A:$POSTFIX_SMTP_PORT" <<'EOF'
import re
rows = {}
prefix = "." + sys.argv[2] + "."
for line in open(sys.argv[1]):
    oid, _, val = line.rstrip("\n").partition(" = ")
    if not oid.startswith(prefix):
        continue
    col, idx = oid[len(prefix):].split(".", 1)
    typ, _, v = val.partition(": ")
    if typ == "STRING":
        v = v[1:-1] if v.startswith('"') else v
    elif typ in ("INTEGER", "Gauge32", "Counter32", "Unsigned32", "Counter64"):
        v = int(v.split()[0].split("(")[-1].rstrip(")")) if v else None
    rows.setdefault(int(idx), {})[int(col)] = v
NAME, STATE, RESP, STEPS, ERR, CHECKS, FAILS = 2, 6, 7, 8, 16, 19, 20
check("6 rows, by position in probes:", sorted(rows), [1, 2, 3, 4, 5, 6])
check("names", [get(rows, i, NAME) for i in range(1, 7)],
      ["smtp-starttls-ca", "smtp-starttls-verify", "imap-login", "pop3s",
       "imap-badpass", "roundtrip"])
check("address of row 1", get(rows, 1, 4), sys.argv[3])

def steps(i):
    s = get(rows, i, STEPS)
    return [kv.split("=")[0] for kv in s.split()] if isinstance(s, str) else s

for i, state in [(1, 1), (2, 3), (3, 1), (4, 1), (5, 3), (6, 1)]:
    n = get(rows, i, NAME)
    check("%s: state" % n, get(rows, i, STATE), state)
    check_true("%s: checked once or more" % n,
               isinstance(get(rows, i, CHECKS), int) and get(rows, i, CHECKS) >= 1,
               repr(get(rows, i, CHECKS)))
    if state == 1:
        check("%s: no error" % n, get(rows, i, ERR), "")
        check("%s: no failure" % n, get(rows, i, FAILS), 0)
    else:
        check_true("%s: failures counted" % n,
                   isinstance(get(rows, i, FAILS), int) and get(rows, i, FAILS) >= 1,
                   repr(get(rows, i, FAILS)))
check("smtp-starttls-ca: steps", steps(1),
      ["connect", "greeting", "ehlo", "starttls", "ehlo2", "quit"])
check("imap-login: steps", steps(3), ["connect", "greeting", "login", "logout"])
check("pop3s: steps", steps(4), ["connect", "tls", "greeting", "user", "pass", "quit"])
rt = steps(6)
check("roundtrip: steps submit, deliver, delete in order",
      [s for s in rt if s in ("submit", "deliver", "delete")] if isinstance(rt, list) else rt,
      ["submit", "deliver", "delete"])
check_true("roundtrip: response time > 0",
           isinstance(get(rows, 6, RESP), int) and get(rows, 6, RESP) > 0,
           repr(get(rows, 6, RESP)))
e2 = get(rows, 2, ERR)
check_true("smtp-starttls-verify: the verify error",
           isinstance(e2, str) and "certificate verify failed" in e2, repr(e2))
e5 = get(rows, 5, ERR)
check_true("imap-badpass: Dovecot's text",
           isinstance(e5, str) and e5.startswith("login:") and "Authentication failed" in e5,
           repr(e5))
print("roundtrip over SNMP: %s ms (%s)" % (get(rows, 6, RESP), get(rows, 6, STEPS)))
EOF

section "applTable follows the probes"
assert_snmp_get "IMAP service row (imap-login up): up(1)" "$APPL.6.5" "INTEGER: 1"
assert_snmp_get "IMAP-bad service row (imap-badpass down): down(2)" "$APPL.6.6" "INTEGER: 2"

snmp_stop_agent
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond stops cleanly on SIGTERM"

section "what the servers saw"
assert_ne 0 "$(grep -c "imap-login: Info: Login: user=<$DOVECOT_USER>" "$DOVECOT_LOG")" \
    "Dovecot logged the IMAP logins"
assert_ne 0 "$(grep -c "relay=127.0.0.1\[127.0.0.1\]:$DOVECOT_LMTP_PORT, .* status=sent" "$POSTFIX_LOG")" \
    "Postfix delivered the probe message to Dovecot over LMTP"
assert_eq 0 "$(dovecot_probe_messages)" \
    "the Maildir holds no X-Mtamon-Probe message after the round trip"

stop_postfix_smtpd || fail "Postfix stopped" "still running:$PF_LEFT"
stop_dovecot
printf 'the whole test took %d ms\n' "$(($(now_ms) - T0))"
finish
