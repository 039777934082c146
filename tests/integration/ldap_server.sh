# ldap_server.sh - a private OpenLDAP slapd for the LDAP probe tests.
# shellcheck shell=bash
#
# Source it after lib.sh (it uses IT_TMP, IT_PIDS, free_port, wait_until,
# skip):
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/ldap_server.sh"
#   start_slapd            # or: start_slapd tls
#   ... ldap://127.0.0.1:$LDAP_PORT/ ...
#   stop_slapd
#
# start_slapd writes a slapd.conf (core schema, back_mdb, suffix
# dc=example,dc=org) and an LDIF into a directory of its own under
# $IT_TMP, loads the LDIF with slapadd, and starts Debian's slapd in the
# foreground (-d 0, so it stays our child and is stopped by PID, also by
# lib.sh's cleanup) listening only on ldap://127.0.0.1:PORT/ with a free
# PORT.  It runs as the invoking user: every file it touches is in that
# directory, so no -u/-g is needed (nor used).  With "tls", slapd gets a
# fresh self-signed certificate, $LDAP_DIR/cert.pem (CN=localhost,
# subjectAltName IP:127.0.0.1 and DNS:localhost, made by openssl), and
# offers StartTLS.
#
# The directory holds:
#   dc=example,dc=org                 the suffix (dcObject, organization)
#   cn=probe,dc=example,dc=org        the bind user, password $LDAP_BIND_PW
#   ou=probe,dc=example,dc=org        the entry the probe searches
# Anonymous users may read everything but userPassword (which they may
# only bind with).
#
# Sets: LDAP_PID, LDAP_PORT, LDAP_DIR, LDAP_LOG, LDAP_BIND_DN,
# LDAP_BIND_PW, LDAP_PROBE_DN, LDAP_START_MS (how long slapd took from
# its start until it answered a connection).  When slapd or slapadd is
# not installed (Debian package slapd), or slapd cannot start here,
# start_slapd skips the test (exit 77) with the reason.

LDAP_SUFFIX="dc=example,dc=org"
LDAP_BIND_DN="cn=probe,$LDAP_SUFFIX"
LDAP_BIND_PW="probe-secret"
LDAP_PROBE_DN="ou=probe,$LDAP_SUFFIX"
LDAP_PID=
LDAP_PORT=
LDAP_DIR=
LDAP_LOG=
# shellcheck disable=SC2034 # (read by the tests that source this)
LDAP_START_MS=

# ldap_find PROGRAM: its path (slapd and slapadd live in /usr/sbin,
# which a user's PATH may lack), or nothing.
ldap_find()
{
    local p
    for p in "$(command -v "$1" 2>/dev/null)" "/usr/sbin/$1" "/usr/local/sbin/$1"; do
        if [ -n "$p" ] && [ -x "$p" ]; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    return 1
}

# ldap_listening PORT: something accepts connections on 127.0.0.1:PORT.
ldap_listening()
{
    python3 -c 'import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

# ldap_write_config DIR TLS: slapd.conf and data.ldif in DIR.
ldap_write_config()
{
    local dir=$1 tls=$2 schema=/etc/ldap/schema/core.schema module_dir
    [ -r "$schema" ] || skip "slapd: $schema missing (Debian package slapd)"
    module_dir=/usr/lib/ldap
    [ -d "$module_dir" ] || module_dir=$(dirname "$(find /usr/lib -name 'back_mdb*.so' -print -quit 2>/dev/null)")
    mkdir -p "$dir/db" || return 1
    {
        printf 'include %s\n' "$schema"
        printf 'pidfile %s/slapd.pid\nargsfile %s/slapd.args\n' "$dir" "$dir"
        if [ -e "$module_dir/back_mdb.so" ] || [ -e "$module_dir/back_mdb.la" ]; then
            printf 'modulepath %s\nmoduleload back_mdb\n' "$module_dir"
        fi
        if [ "$tls" = tls ]; then
            printf 'TLSCertificateFile %s/cert.pem\nTLSCertificateKeyFile %s/key.pem\n' "$dir" "$dir"
        fi
        printf 'database mdb\nmaxsize 10485760\n'
        printf 'suffix "%s"\n' "$LDAP_SUFFIX"
        printf 'rootdn "cn=admin,%s"\n' "$LDAP_SUFFIX"
        printf 'directory %s/db\n' "$dir"
        printf 'access to attrs=userPassword by anonymous auth by self read by * none\n'
        printf 'access to * by * read\n'
    } >"$dir/slapd.conf"
    cat >"$dir/data.ldif" <<EOF
dn: $LDAP_SUFFIX
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: $LDAP_BIND_DN
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: probe
userPassword: $LDAP_BIND_PW

dn: $LDAP_PROBE_DN
objectClass: organizationalUnit
ou: probe
EOF
}

# start_slapd [tls]: see the top.
start_slapd()
{
    local tls=${1:-} slapd slapadd _ started
    slapd=$(ldap_find slapd) || skip "slapd not installed (Debian package slapd)"
    slapadd=$(ldap_find slapadd) || skip "slapadd not installed (Debian package slapd)"
    LDAP_DIR="$IT_TMP/slapd"
    LDAP_LOG="$LDAP_DIR/slapd.log"
    ldap_write_config "$LDAP_DIR" "$tls" || skip "slapd: cannot write $LDAP_DIR"
    if [ "$tls" = tls ]; then
        command -v openssl >/dev/null 2>&1 || skip "openssl (the command) not installed"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
            -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$LDAP_DIR/key.pem" -out "$LDAP_DIR/cert.pem" \
            >"$LDAP_DIR/openssl.log" 2>&1 ||
            skip "openssl cannot make a certificate: $(tail -n 1 "$LDAP_DIR/openssl.log")"
    fi
    if ! "$slapadd" -q -f "$LDAP_DIR/slapd.conf" -l "$LDAP_DIR/data.ldif" \
            >"$LDAP_DIR/slapadd.log" 2>&1; then
        skip "slapadd failed: $(tail -n 3 "$LDAP_DIR/slapadd.log" | tr '\n' ' ')"
    fi
    # The port was free a moment ago; another test may take it first.
    for _ in 1 2 3; do
        LDAP_PORT=$(free_port)
        started=$(now_ms)
        start_bg LDAP_PID "$LDAP_LOG" "$slapd" -d 0 -f "$LDAP_DIR/slapd.conf" \
            -h "ldap://127.0.0.1:$LDAP_PORT/"
        if wait_until 20 ldap_listening "$LDAP_PORT"; then
            # shellcheck disable=SC2034 # (read by the tests)
            LDAP_START_MS=$(( $(now_ms) - started ))
            if ! process_ended "$LDAP_PID"; then
                return 0
            fi
        fi
        stop_bg "$LDAP_PID"
        LDAP_PID=
        grep -q 'Address already in use' "$LDAP_LOG" 2>/dev/null || break
    done
    skip "slapd did not start: $(tail -n 3 "$LDAP_LOG" 2>/dev/null | tr '\n' ' ')"
}

# stop_slapd: stop it by PID (nothing when it is not running).
stop_slapd()
{
    if [ -n "$LDAP_PID" ]; then
        stop_bg "$LDAP_PID"
        LDAP_PID=
    fi
}
