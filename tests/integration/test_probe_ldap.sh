#!/bin/bash
# test_probe_ldap.sh - the ldap probe (probe_check, through
# probe-ldap-once) against a private Debian slapd (ldap_server.sh) on
# 127.0.0.1: anonymous bind and search up, a bind with credentials up, a
# wrong password down with 49, a missing entry down with 32, StartTLS
# with a self-signed certificate refused by default, accepted with
# tls_verify off and with the certificate as tls_ca, and refused once
# slapd is stopped.  Skips (77) when slapd is not installed or cannot
# start here.  The failure cases no real server gives on demand (garbage,
# silence, a huge length) are in tests/unit/test_probe_ldap.c.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ldap_server.sh"

ONCE="$IT_BUILDDIR/tests/integration/probe-ldap-once"
require_program "$ONCE"

section "private slapd"
start_slapd tls
echo "slapd pid $LDAP_PID on 127.0.0.1:$LDAP_PORT, answered after ${LDAP_START_MS} ms"

# probe ARGS...: run one check (host and port appended); its output
# (ok=, reply_code=, steps=, total_ms=, error=) in $IT_TMP/probe.out,
# echoed into the log on one line.
probe()
{
    "$ONCE" "$@" 127.0.0.1 "$LDAP_PORT" >"$IT_TMP/probe.out" 2>&1
    printf 'probe %s: %s\n' "$*" "$(tr '\n' ' ' <"$IT_TMP/probe.out")"
}

# field NAME: that field of the last check.
field() { sed -n "s/^$1=//p" "$IT_TMP/probe.out"; }

section "anonymous bind and search"
probe -s "$LDAP_PROBE_DN"
assert_eq "1" "$(field ok)" "anonymous: up"
assert_eq "connect,bind,search" "$(field steps)" "anonymous: steps"
assert_eq "" "$(field error)" "anonymous: no error"

section "bind with credentials"
probe -u "$LDAP_BIND_DN" -w "$LDAP_BIND_PW" -s "$LDAP_PROBE_DN"
assert_eq "1" "$(field ok)" "credentials: up"
assert_eq "connect,bind,search" "$(field steps)" "credentials: steps"
probe -u "$LDAP_BIND_DN" -w "$LDAP_BIND_PW"
assert_eq "1" "$(field ok)" "bind only: up"
assert_eq "connect,bind" "$(field steps)" "bind only: steps"

section "wrong password"
probe -u "$LDAP_BIND_DN" -w not-the-password -s "$LDAP_PROBE_DN"
assert_eq "0" "$(field ok)" "wrong password: down"
assert_eq "49" "$(field reply_code)" "wrong password: reply code 49"
assert_eq "bind: 49 invalidCredentials" "$(field error)" "wrong password: error"
assert_eq "connect" "$(field steps)" "wrong password: steps"

section "missing entry"
probe -s "ou=gone,$LDAP_SUFFIX"
assert_eq "0" "$(field ok)" "missing entry: down"
assert_eq "32" "$(field reply_code)" "missing entry: reply code 32"
assert_contains "$(field error)" "search: 32 noSuchObject" "missing entry: error"
assert_eq "connect,bind" "$(field steps)" "missing entry: steps"

section "StartTLS"
probe -t starttls -s "$LDAP_PROBE_DN"
assert_eq "0" "$(field ok)" "StartTLS, self-signed, verified: down"
assert_contains "$(field error)" "starttls: " "StartTLS, self-signed: certificate error"
assert_contains "$(field error)" "verif" "StartTLS, self-signed: says verify"
probe -t starttls -k -u "$LDAP_BIND_DN" -w "$LDAP_BIND_PW" -s "$LDAP_PROBE_DN"
assert_eq "1" "$(field ok)" "StartTLS, tls_verify off: up"
assert_eq "connect,starttls,bind,search" "$(field steps)" "StartTLS, tls_verify off: steps"
probe -t starttls -C "$LDAP_DIR/cert.pem" -s "$LDAP_PROBE_DN"
assert_eq "1" "$(field ok)" "StartTLS, certificate as tls_ca: up"
assert_eq "" "$(field error)" "StartTLS, certificate as tls_ca: error"

section "slapd stopped"
stop_slapd
probe -s "$LDAP_PROBE_DN"
assert_eq "0" "$(field ok)" "stopped: down"
assert_eq "connect: Connection refused" "$(field error)" "stopped: refused"

finish
