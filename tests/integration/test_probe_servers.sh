#!/bin/bash
# test_probe_servers.sh - `mtamon probe` against real servers: a private
# Dovecot (IMAP, IMAPS, POP3, POP3S, LMTP) and a private Postfix smtpd
# (STARTTLS) that delivers into it, both from mail_servers.sh, on free
# ports of 127.0.0.1 with a self-signed certificate made for the test.
#
#   SMTP        plain; STARTTLS refused by default (the certificate does
#               not verify), up with tls_verify: false, up with tls_ca:
#               the test's certificate, down with a name it is not for
#   IMAP, POP3  without and with login, STARTTLS/STLS, implicit TLS
#               (IMAPS, POP3S); a wrong password is down with the
#               server's text; Dovecot's log shows the logins happened
#   round trip  Postfix -> LMTP -> Dovecot, read over IMAPS (submitted
#               with STARTTLS) and over POP3: steps submit, deliver,
#               delete, total > 0; Postfix's log shows the deliveries and
#               the Maildir holds no X-Mtamon-Probe message afterwards,
#               while a message of the test's own is left alone
#   URL targets imap://, pop3s://, smtp:// --starttls [--insecure]
#   --nagios    one OK line with perfdata
#   credentials a credentials file of mode 0644 is refused: exit 78, the
#               file named
#
# Skips (77, with the reason) unless root with Dovecot (dovecot-imapd,
# dovecot-pop3d, dovecot-lmtpd), Postfix and openssl installed, or when
# `mtamon probe` is not built.  Everything it starts is stopped by PID.
#
# Run by `make check`; by hand:
#   cd BUILDDIR && MTAMON_BUILDDIR=$PWD MTAMON_SRCDIR=SRCDIR \
#       bash SRCDIR/tests/integration/test_probe_servers.sh

# shellcheck disable=SC2317  # functions called indirectly (trap, wait_until)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/mail_servers.sh
. "$(dirname "$0")/mail_servers.sh"
require_program "$MTAMON"

T=$IT_TMP
T0=$(now_ms)

# `mtamon probe` exists (an unknown command is a usage error naming it).
run "$MTAMON" probe --json tcp://127.0.0.1:1
case $ERR in
*"unknown command"*) skip "mtamon probe is not built in this tree (${ERR%%$'\n'*})" ;;
esac

# --- the servers ---------------------------------------------------------

section "private Dovecot and Postfix"
t=$(now_ms)
start_dovecot
pass "Dovecot running (pid $DOVECOT_PID; imap $DOVECOT_IMAP_PORT, imaps $DOVECOT_IMAPS_PORT, pop3 $DOVECOT_POP3_PORT, pop3s $DOVECOT_POP3S_PORT, lmtp $DOVECOT_LMTP_PORT) in $(($(now_ms) - t)) ms"
t=$(now_ms)
start_postfix_smtpd
pass "Postfix running (master pid $PF_MASTER_PID; smtpd $POSTFIX_SMTP_PORT) in $(($(now_ms) - t)) ms"

# The private Dovecot read none of /etc/dovecot: its whole configuration
# is the test's (doveconf -n lists the non-default settings it uses).
run /usr/bin/doveconf -c "$DOVECOT_DIR/dovecot.conf" -n
assert_exit 0 "doveconf -c reads the private configuration"
assert_not_contains "$OUT" "/etc/dovecot" "the private Dovecot uses nothing from /etc/dovecot"
assert_contains "$OUT" "ssl_cert = <$MS_CERT" "the private Dovecot uses the test's certificate"

# A message of the test's own, which no probe may take away.
run python3 - "$POSTFIX_SMTP_PORT" "$DOVECOT_USER" <<'EOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.sendmail("keeper@client.test", [sys.argv[2]],
           "From: <keeper@client.test>\r\nSubject: keep me\r\n"
           "Message-ID: <keep-me@client.test>\r\n\r\nnot a probe\r\n")
s.quit()
EOF
assert_exit 0 "the test's own message is accepted by Postfix"
# maildir_has_keeper: the test's message is in the Maildir.
maildir_has_keeper()
{
    grep -qs '^Message-ID: <keep-me@client.test>' "$DOVECOT_MAILDIR"/new/* \
        "$DOVECOT_MAILDIR"/cur/*
}
if wait_until 20 maildir_has_keeper; then
    pass "Postfix delivered the test's message to Dovecot over LMTP"
else
    fail "Postfix delivered the test's message to Dovecot over LMTP within 20 s" \
        "$(postfix_smtpd_log)" "$(dovecot_log)"
fi

# --- the configuration -----------------------------------------------------

umask 077
printf '%s:%s\n' "$DOVECOT_USER" "$DOVECOT_PASSWORD" >"$T/cred"
printf '%s:%s\n' "$DOVECOT_USER" "not-the-password" >"$T/cred-wrong"
chmod 0600 "$T/cred" "$T/cred-wrong"
A=127.0.0.1
CONF=$T/mtamon.yaml
# slow: 0 (never slow): a loaded machine must not turn a check "slow";
# the slow state is the fakes' test.
cat >"$CONF" <<EOF
probes:
  - name: smtp
    kind: smtp
    address: "$A:$POSTFIX_SMTP_PORT"
    timeout: 10
    slow: 0
    helo: probe.client.test
  - name: smtp-starttls-insecure
    kind: smtp
    address: "$A:$POSTFIX_SMTP_PORT"
    tls: starttls
    tls_verify: false
    timeout: 10
    slow: 0
  - name: smtp-starttls-ca
    kind: smtp
    address: "$A:$POSTFIX_SMTP_PORT"
    tls: starttls
    tls_ca: $MS_CERT
    timeout: 10
    slow: 0
  - name: imap
    kind: imap
    address: "$A:$DOVECOT_IMAP_PORT"
    timeout: 10
    slow: 0
  - name: imap-login
    kind: imap
    address: "$A:$DOVECOT_IMAP_PORT"
    credentials: $T/cred
    timeout: 10
    slow: 0
  - name: imap-starttls
    kind: imap
    address: "$A:$DOVECOT_IMAP_PORT"
    tls: starttls
    tls_ca: $MS_CERT
    credentials: $T/cred
    timeout: 10
    slow: 0
  - name: imaps
    kind: imap
    address: "$A:$DOVECOT_IMAPS_PORT"
    tls: implicit
    tls_ca: $MS_CERT
    tls_name: localhost
    credentials: $T/cred
    timeout: 10
    slow: 0
  - name: pop3
    kind: pop3
    address: "$A:$DOVECOT_POP3_PORT"
    timeout: 10
    slow: 0
  - name: pop3-login
    kind: pop3
    address: "$A:$DOVECOT_POP3_PORT"
    credentials: $T/cred
    timeout: 10
    slow: 0
  - name: pop3s
    kind: pop3
    address: "$A:$DOVECOT_POP3S_PORT"
    tls: implicit
    tls_verify: false
    credentials: $T/cred
    timeout: 10
    slow: 0
  - name: smtp-starttls-verify
    kind: smtp
    address: "$A:$POSTFIX_SMTP_PORT"
    tls: starttls
    timeout: 10
    slow: 0
  - name: imaps-wrong-name
    kind: imap
    address: "$A:$DOVECOT_IMAPS_PORT"
    tls: implicit
    tls_ca: $MS_CERT
    tls_name: mx.elsewhere.test
    timeout: 10
    slow: 0
  - name: imap-badpass
    kind: imap
    address: "$A:$DOVECOT_IMAP_PORT"
    credentials: $T/cred-wrong
    timeout: 10
    slow: 0
  - name: pop3-badpass
    kind: pop3
    address: "$A:$DOVECOT_POP3_PORT"
    credentials: $T/cred-wrong
    timeout: 10
    slow: 0
  - name: roundtrip-imaps
    kind: roundtrip
    address: "$A:$POSTFIX_SMTP_PORT"
    tls: starttls
    tls_ca: $MS_CERT
    from: probe-sender@client.test
    to: $DOVECOT_USER
    poll: 0.2
    timeout: 30
    slow: 0
    mailbox:
      kind: imap
      address: "$A:$DOVECOT_IMAPS_PORT"
      tls: implicit
      tls_ca: $MS_CERT
      credentials: $T/cred
  - name: roundtrip-pop3
    kind: roundtrip
    address: "$A:$POSTFIX_SMTP_PORT"
    from: probe-sender@client.test
    to: $DOVECOT_USER
    poll: 0.2
    timeout: 30
    slow: 0
    mailbox:
      kind: pop3
      address: "$A:$DOVECOT_POP3_PORT"
      credentials: $T/cred
EOF

UP_PROBES="smtp smtp-starttls-insecure smtp-starttls-ca imap imap-login imap-starttls imaps pop3 pop3-login pop3s"
DOWN_PROBES="smtp-starttls-verify imaps-wrong-name imap-badpass pop3-badpass"

# logins USER: how many logins of USER Dovecot logged so far, as
# "imap pop3".
logins()
{
    printf '%s %s\n' \
        "$(grep -c "imap-login: Info: Login: user=<$1>" "$DOVECOT_LOG" 2>/dev/null)" \
        "$(grep -c "pop3-login: Info: Login: user=<$1>" "$DOVECOT_LOG" 2>/dev/null)"
}

# --- probes that must be up ---------------------------------------------------

section "up: SMTP, STARTTLS, IMAP, POP3, implicit TLS"
LOGINS_BEFORE=$(logins "$DOVECOT_USER")
# shellcheck disable=SC2086  # the names are words
run "$MTAMON" probe --json -c "$CONF" $UP_PROBES
assert_exit 0 "mtamon probe: every server is up (exit 0)"
cp "$IT_TMP/out" "$T/up.json"
LOGINS_AFTER=$(logins "$DOVECOT_USER")
py_check "up" "$T/up.json" "$A" "$POSTFIX_SMTP_PORT" "$DOVECOT_IMAP_PORT" \
    "$DOVECOT_IMAPS_PORT" "$DOVECOT_POP3_PORT" "$DOVECOT_POP3S_PORT" <<'EOF'
doc = load(sys.argv[1])
a = sys.argv[2]
smtp, imap, imaps, pop3, pop3s = ("%s:%s" % (a, p) for p in sys.argv[3:8])
# name: (kind, address, tls, steps in order)
want = {
    "smtp": ("smtp", smtp, "none", ["connect", "greeting", "ehlo", "quit"]),
    "smtp-starttls-insecure": ("smtp", smtp, "starttls",
        ["connect", "greeting", "ehlo", "starttls", "ehlo2", "quit"]),
    "smtp-starttls-ca": ("smtp", smtp, "starttls",
        ["connect", "greeting", "ehlo", "starttls", "ehlo2", "quit"]),
    "imap": ("imap", imap, "none", ["connect", "greeting", "logout"]),
    "imap-login": ("imap", imap, "none", ["connect", "greeting", "login", "logout"]),
    "imap-starttls": ("imap", imap, "starttls",
        ["connect", "greeting", "starttls", "login", "logout"]),
    "imaps": ("imap", imaps, "implicit", ["connect", "tls", "greeting", "login", "logout"]),
    "pop3": ("pop3", pop3, "none", ["connect", "greeting", "quit"]),
    "pop3-login": ("pop3", pop3, "none", ["connect", "greeting", "user", "pass", "quit"]),
    "pop3s": ("pop3", pop3s, "implicit",
        ["connect", "tls", "greeting", "user", "pass", "quit"]),
}
probes = get(doc, "probes")
probes = probes if isinstance(probes, list) else []
check("one object per probe asked, in that order", [p.get("name") for p in probes],
      list(want))
for p in probes:
    n = p.get("name")
    if n not in want:
        continue
    kind, address, tls, steps = want[n]
    check(n + ": kind, address, tls", (p.get("kind"), p.get("address"), p.get("tls")),
          (kind, address, tls))
    check(n + ": up, ok, no error", (p.get("state"), p.get("ok"), p.get("error")),
          ("up", True, ""))
    check(n + ": reply_code 0", p.get("reply_code"), 0)
    st = p.get("steps") if isinstance(p.get("steps"), dict) else {}
    check(n + ": steps in order", list(st), steps)
    check_true(n + ": step times are whole ms >= 0",
               all(isinstance(v, int) and v >= 0 for v in st.values()), repr(st))
    total = p.get("total_ms")
    check_true(n + ": total_ms >= the sum of its steps",
               isinstance(total, int) and total >= sum(st.values()),
               "total %r, steps %r" % (total, st))
EOF
# The logins happened on the server (imap-login, imap-starttls, imaps;
# pop3-login, pop3s), not only in the probe's account of them.
read -r IMAP_B POP3_B <<<"$LOGINS_BEFORE"
read -r IMAP_A POP3_A <<<"$LOGINS_AFTER"
assert_eq 3 "$((IMAP_A - IMAP_B))" "Dovecot logged the 3 IMAP logins of the probes"
assert_eq 2 "$((POP3_A - POP3_B))" "Dovecot logged the 2 POP3 logins of the probes"

# --- probes that must be down ------------------------------------------------

section "down: unverified certificate, wrong name, wrong password"
# shellcheck disable=SC2086
run "$MTAMON" probe --json -c "$CONF" $DOWN_PROBES
assert_exit 2 "mtamon probe: a probe is down (exit 2)"
cp "$IT_TMP/out" "$T/down.json"
py_check "down" "$T/down.json" <<'EOF'
doc = load(sys.argv[1])
probes = get(doc, "probes")
probes = probes if isinstance(probes, list) else []
by = {p.get("name"): p for p in probes if isinstance(p, dict)}
check("one object per probe asked", sorted(by),
      sorted(["smtp-starttls-verify", "imaps-wrong-name", "imap-badpass", "pop3-badpass"]))
for n, p in sorted(by.items()):
    check(n + ": down, not ok", (p.get("state"), p.get("ok")), ("down", False))

def err(n):
    e = get(by, n, "error")
    return e if isinstance(e, str) else ""

def has(n, what, *frags):
    e = err(n)
    check_true(n + ": error " + what, any(f in e for f in frags), repr(e))

# Verification is on by default: the self-signed certificate is refused
# during STARTTLS, after the greeting and EHLO.
has("smtp-starttls-verify", "says the certificate does not verify",
    "certificate verify failed")
has("smtp-starttls-verify", "says why (self-signed)",
    "self-signed certificate", "self signed certificate")
has("smtp-starttls-verify", "names the TLS step", "starttls:", "tls:")
check("smtp-starttls-verify: the steps before STARTTLS completed",
      list(get(by, "smtp-starttls-verify", "steps") or {})[:3],
      ["connect", "greeting", "ehlo"])
# A trusted certificate for another name.
has("imaps-wrong-name", "names the TLS step", "tls:")
has("imaps-wrong-name", "says the name does not match",
    "mismatch", "does not match", "hostname", "mx.elsewhere.test")
# Dovecot's own answer to a wrong password, kept as the error.
has("imap-badpass", "names the login step", "login:")
has("imap-badpass", "keeps the server's text", "Authentication failed")
check("imap-badpass: IMAP has no reply codes", get(by, "imap-badpass", "reply_code"), 0)
has("pop3-badpass", "names the PASS step", "pass:")
has("pop3-badpass", "keeps the server's text", "Authentication failed")
has("pop3-badpass", "keeps the server's -ERR", "-ERR")
EOF

# --- the round trip -------------------------------------------------------

section "round trip: Postfix -> LMTP -> Dovecot"
# lmtp_sent: Postfix's deliveries to the private Dovecot's LMTP.
lmtp_sent()
{
    grep -c "relay=127.0.0.1\[127.0.0.1\]:$DOVECOT_LMTP_PORT, .* status=sent" \
        "$POSTFIX_LOG" 2>/dev/null
}
SENT_BEFORE=$(lmtp_sent)
for rt in roundtrip-imaps roundtrip-pop3; do
    run "$MTAMON" probe --json -c "$CONF" "$rt"
    assert_exit 0 "$rt: up (exit 0)"
    cp "$IT_TMP/out" "$T/$rt.json"
    py_check "$rt" "$T/$rt.json" "$rt" <<'EOF'
doc = load(sys.argv[1])
p = get(doc, "probes", 0)
p = p if isinstance(p, dict) else {}
check("its object", (p.get("name"), p.get("kind")), (sys.argv[2], "roundtrip"))
check("up, ok, no error", (p.get("state"), p.get("ok"), p.get("error")), ("up", True, ""))
st = p.get("steps") if isinstance(p.get("steps"), dict) else {}
names = list(st)
check("steps submit, deliver, delete present, in that order",
      [n for n in names if n in ("submit", "deliver", "delete")],
      ["submit", "deliver", "delete"])
total = p.get("total_ms")
check_true("total_ms > 0", isinstance(total, int) and total > 0, repr(total))
check_true("total_ms >= submit + deliver",
           isinstance(total, int) and total >= st.get("submit", 0) + st.get("deliver", 0),
           "total %r, steps %r" % (total, st))
print("%s: total %s ms, steps %s" % (sys.argv[2], total, st))
EOF
done
SENT_AFTER=$(lmtp_sent)
assert_eq 2 "$((SENT_AFTER - SENT_BEFORE))" \
    "Postfix delivered the 2 probe messages to Dovecot over LMTP"
assert_eq 0 "$(dovecot_probe_messages)" \
    "the Maildir holds no X-Mtamon-Probe message after the round trips"
if maildir_has_keeper; then
    pass "the test's own message is still in the Maildir"
else
    fail "the test's own message is still in the Maildir" "$(ls -R "$DOVECOT_MAILDIR")"
fi

# --- ad hoc URL targets ------------------------------------------------------

section "URL targets"
run "$MTAMON" probe --json --credentials "$T/cred" "imap://$A:$DOVECOT_IMAP_PORT"
assert_exit 0 "imap:// with --credentials: up"
py_check "imap://" "$IT_TMP/out" <<'EOF'
p = get(load(sys.argv[1]), "probes", 0)
check("kind, state", (get(p, "kind"), get(p, "state")), ("imap", "up"))
check("logged in", "login" in (get(p, "steps") or {}), True)
EOF
run "$MTAMON" probe --json --insecure "pop3s://$A:$DOVECOT_POP3S_PORT"
assert_exit 0 "pop3s:// --insecure: up"
run "$MTAMON" probe --json --starttls "smtp://$A:$POSTFIX_SMTP_PORT"
assert_exit 2 "smtp:// --starttls against the self-signed certificate: down"
assert_contains "$OUT" "certificate verify failed" "smtp:// --starttls: the verify error"
run "$MTAMON" probe --json --starttls --insecure "smtp://$A:$POSTFIX_SMTP_PORT"
assert_exit 0 "smtp:// --starttls --insecure: up"

section "--nagios"
run "$MTAMON" probe --nagios -c "$CONF" smtp imap pop3
assert_exit 0 "--nagios: OK (exit 0)"
assert_contains "$OUT" "MTAMON PROBE OK - 3 up" "--nagios: the status line"
assert_contains "$OUT" " | smtp=" "--nagios: perfdata per probe"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "--nagios: one line"

# --- credentials others can read ---------------------------------------------

section "credentials file of mode 0644"
cp "$T/cred" "$T/cred-open"
chmod 0644 "$T/cred-open"
cat >"$T/open.yaml" <<EOF
probes:
  - name: imap-open
    kind: imap
    address: "$A:$DOVECOT_IMAP_PORT"
    credentials: $T/cred-open
EOF
LOGINS_BEFORE=$(logins "$DOVECOT_USER")
run "$MTAMON" probe --json -c "$T/open.yaml"
assert_exit 78 "mtamon probe refuses the configuration (exit 78)"
assert_contains "$ERR" "$T/cred-open" "the message names the credentials file"
case $ERR in
*readable* | *0644* | *permission* | *mode*)
    pass "the message says what is wrong with it" ;;
*) fail "the message says what is wrong with it" "stderr: $ERR" ;;
esac
assert_eq "" "$OUT" "nothing on stdout"
assert_eq "$LOGINS_BEFORE" "$(logins "$DOVECOT_USER")" "no login was tried with it"
run "$MTAMON" probe --json --credentials "$T/cred-open" "imap://$A:$DOVECOT_IMAP_PORT"
# A bad option file: a configuration error (78), or a usage error (64).
case $RC in
78 | 64) pass "--credentials of mode 0644: refused too (exit $RC)" ;;
*) fail "--credentials of mode 0644: refused too (exit 78 or 64)" "exit $RC" "stdout: $OUT" ;;
esac
assert_contains "$ERR" "$T/cred-open" "--credentials: the message names the file"

# --- stop ------------------------------------------------------------------

section "stop"
assert_servers_stopped
printf 'the whole test took %d ms\n' "$(($(now_ms) - T0))"

finish
