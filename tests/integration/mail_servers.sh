# mail_servers.sh - private real mail servers for the integration tests.
# shellcheck shell=bash
#
# Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/mail_servers.sh"
#
# Everything lives in the test's temporary directory ($IT_TMP), listens on
# 127.0.0.1 ports the kernel chose as free (never 25, 110, 143, 993 or
# 995), reads nothing of the system's mail configuration and is stopped by
# PID, however the test ends (this file chains its stop functions in front
# of lib.sh's cleanup).  Each start function skips the test (exit 77, with
# the reason) when its server cannot run here.
#
#   ms_make_cert                 a self-signed certificate (CN localhost,
#                                SAN localhost and 127.0.0.1) into
#                                MS_CERT, MS_KEY
#   start_dovecot / stop_dovecot a private Dovecot: IMAP, IMAPS, POP3,
#                                POP3S and LMTP (TCP), one user
#                                (DOVECOT_USER, DOVECOT_PASSWORD) with a
#                                Maildir (DOVECOT_MAILDIR) owned by nobody;
#                                ports in DOVECOT_{IMAP,IMAPS,POP3,POP3S,
#                                LMTP}_PORT, master in DOVECOT_PID
#   start_postfix_smtpd / stop_postfix_smtpd
#                                a private Postfix: smtpd on
#                                POSTFIX_SMTP_PORT with STARTTLS (MS_CERT),
#                                mail for DOVECOT_DOMAIN delivered to the
#                                private Dovecot over LMTP
#   dovecot_message_with_subject SUBJECT, dovecot_wait_subject SUBJECT
#   [SECONDS], mail_header FILE NAME
#                                find a message in the test user's
#                                Maildir by its exact Subject:, wait for
#                                one, read a header of a message file
#   postfix_private_require, postfix_private_start ETC QUEUE OUTFILE,
#   postfix_private_stop         the process handling of a private
#                                Postfix instance with a configuration of
#                                the caller's own (test_feed_postfix.sh)
#
# The servers run as root (Dovecot's master and Postfix's master need it)
# and deliver as nobody:nogroup: a test that uses them skips unless root.

# shellcheck disable=SC2317  # functions called indirectly (trap, wait_until)

MS_DIR=$IT_TMP
MS_CERT=
MS_KEY=

# ms_require_root WHAT: skip unless root.
ms_require_root()
{
    [ "$(id -u)" -eq 0 ] || skip "$1 needs root (its master process runs as root)"
}

# ms_free_port VAR...: distinct TCP ports of 127.0.0.1 that nothing
# listens on now, one per VAR (the kernel's choice for port 0).
ms_free_port()
{
    local ports p
    ports=$(python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$#") ||
        skip "cannot find a free TCP port"
    read -r -a ports <<<"$ports"
    [ "${#ports[@]}" -eq "$#" ] || skip "cannot find $# free TCP ports"
    for p in "${ports[@]}"; do
        printf -v "$1" '%s' "$p"
        shift
    done
}

# ms_listening PORT: something accepts TCP connections on 127.0.0.1:PORT.
ms_listening()
{
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ms_nobody_ids: MS_VUID and MS_VGID (nobody:nogroup), or skip.
ms_nobody_ids()
{
    MS_VUID=$(id -u nobody 2>/dev/null)
    MS_VGID=$(getent group nogroup 2>/dev/null | cut -d: -f3)
    if [ -z "$MS_VUID" ] || [ -z "$MS_VGID" ]; then
        skip "no user nobody or group nogroup to own the mailboxes"
    fi
}

# ms_make_cert: a self-signed certificate for localhost and 127.0.0.1
# (one day, P-256), once per test: $MS_DIR/tls/cert.pem and key.pem.
ms_make_cert()
{
    [ -n "$MS_CERT" ] && return 0
    command -v openssl >/dev/null 2>&1 ||
        skip "openssl is not installed (scripts/deps installs it)"
    mkdir -p "$MS_DIR/tls"
    chmod 0755 "$MS_DIR/tls"
    if ! openssl req -x509 -nodes -days 1 -newkey ec \
        -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$MS_DIR/tls/key.pem" -out "$MS_DIR/tls/cert.pem" \
        -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        >"$MS_DIR/tls/openssl.out" 2>&1; then
        cat "$MS_DIR/tls/openssl.out"
        skip "openssl req cannot make a self-signed certificate (its output is above)"
    fi
    chmod 0644 "$MS_DIR/tls/cert.pem"
    chmod 0600 "$MS_DIR/tls/key.pem"
    MS_CERT=$MS_DIR/tls/cert.pem
    MS_KEY=$MS_DIR/tls/key.pem
}

# --- Dovecot ----------------------------------------------------------------

DOVECOT_PID=
DOVECOT_DOMAIN=probe.test
DOVECOT_USER=probe@probe.test
DOVECOT_PASSWORD=probe-secret-1
DOVECOT_DIR=
DOVECOT_MAILDIR=
DOVECOT_LOG=

# dovecot_log: what Dovecot said, for a skip or a failure.
dovecot_log()
{
    printf '%s\n' "--- dovecot -F:" "$(cat "$DOVECOT_DIR/dovecot.out" 2>/dev/null)" \
        "--- $DOVECOT_LOG:" "$(tail -n 40 "$DOVECOT_LOG" 2>/dev/null)"
}

# dovecot_ready: every listener of the private Dovecot accepts.
dovecot_ready()
{
    local p
    for p in "$DOVECOT_IMAP_PORT" "$DOVECOT_IMAPS_PORT" "$DOVECOT_POP3_PORT" \
        "$DOVECOT_POP3S_PORT" "$DOVECOT_LMTP_PORT"; do
        ms_listening "$p" || return 1
    done
}

# start_dovecot: start the private Dovecot in the foreground mode (-F) in
# the background, wait (10 s at most) until all its listeners accept.
start_dovecot()
{
    ms_require_root "a private Dovecot"
    local prog
    for prog in /usr/sbin/dovecot /usr/bin/doveconf /usr/lib/dovecot/imap \
        /usr/lib/dovecot/pop3 /usr/lib/dovecot/lmtp; do
        [ -x "$prog" ] || skip "Dovecot is not installed ($prog missing;" \
            "scripts/deps --test installs dovecot-imapd, dovecot-pop3d and dovecot-lmtpd)"
    done
    if ! getent passwd dovecot >/dev/null 2>&1 || ! getent passwd dovenull >/dev/null 2>&1; then
        skip "the users dovecot and dovenull (made by dovecot-core) are missing"
    fi
    ms_nobody_ids
    ms_make_cert

    DOVECOT_DIR=$MS_DIR/dovecot
    DOVECOT_LOG=$DOVECOT_DIR/dovecot.log
    mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/mail"
    # The auth process (user dovecot) reads the users file and the mail
    # processes (nobody) write the Maildir: the directories above must let
    # them through (mktemp made $IT_TMP 0700).
    chmod 0711 "$MS_DIR" "$DOVECOT_DIR"
    chown "$MS_VUID:$MS_VGID" "$DOVECOT_DIR/mail"
    chmod 0700 "$DOVECOT_DIR/mail"
    if command -v runuser >/dev/null 2>&1 &&
        ! runuser -u nobody -g nogroup -- test -w "$DOVECOT_DIR/mail" 2>/dev/null; then
        skip "user nobody cannot reach $DOVECOT_DIR/mail (is \$TMPDIR private?)"
    fi
    DOVECOT_MAILDIR=$DOVECOT_DIR/mail/$DOVECOT_USER/Maildir
    printf '%s:{PLAIN}%s\n' "$DOVECOT_USER" "$DOVECOT_PASSWORD" >"$DOVECOT_DIR/users"
    chmod 0644 "$DOVECOT_DIR/users"

    ms_free_port DOVECOT_IMAP_PORT DOVECOT_IMAPS_PORT DOVECOT_POP3_PORT \
        DOVECOT_POP3S_PORT DOVECOT_LMTP_PORT
    local d=$DOVECOT_DIR
    # Complete in itself: no !include, so nothing of /etc/dovecot is read;
    # every path is the test's.  instance_name keeps it apart from a
    # system Dovecot in doveadm's and ps's eyes.
    cat >"$d/dovecot.conf" <<EOF
instance_name = mtamon-it-$$
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
shutdown_clients = yes
ssl = yes
ssl_cert = <$MS_CERT
ssl_key = <$MS_KEY
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once (default 2 s): the tests try one.
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users
}
userdb {
  driver = static
  args = uid=$MS_VUID gid=$MS_VGID home=$d/mail/%u
}
mail_location = maildir:~/Maildir
first_valid_uid = 1
last_valid_uid = 0
mail_privileged_group =
lmtp_save_to_detail_mailbox = no
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DOVECOT_IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DOVECOT_IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $DOVECOT_POP3_PORT
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $DOVECOT_POP3S_PORT
    ssl = yes
  }
}
# No growing delay for an address after failed logins (anvil's auth
# penalty, up to 15 s): the tests try wrong passwords from 127.0.0.1 and
# then log in there again.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DOVECOT_LMTP_PORT
  }
}
protocol pop3 {
  pop3_uidl_format = %08Xu%08Xv
}
EOF
    if ! /usr/bin/doveconf -c "$d/dovecot.conf" -n >"$d/doveconf.out" 2>&1; then
        cat "$d/doveconf.out"
        skip "doveconf rejects the private Dovecot configuration (its output is above)"
    fi
    start_bg DOVECOT_PID "$d/dovecot.out" /usr/sbin/dovecot -F -c "$d/dovecot.conf"
    if ! wait_until 10 dovecot_ready; then
        dovecot_log
        stop_dovecot
        skip "the private Dovecot did not listen within 10 s (its output and log are above)"
    fi
}

# stop_dovecot: SIGTERM to the master (it stops every process it started
# before it exits), SIGKILL after 10 s, and reap it.
stop_dovecot()
{
    [ -n "$DOVECOT_PID" ] || return 0
    kill -TERM "$DOVECOT_PID" 2>/dev/null
    if ! wait_until 10 process_ended "$DOVECOT_PID"; then
        kill -KILL "$DOVECOT_PID" 2>/dev/null
    fi
    stop_bg "$DOVECOT_PID"
    DOVECOT_PID=
}

# dovecot_probe_messages: print the number of messages in the test user's
# Maildir (new and cur) that carry an X-Mtamon-Probe header.
dovecot_probe_messages()
{
    local n=0 f
    for f in "$DOVECOT_MAILDIR"/new/* "$DOVECOT_MAILDIR"/cur/*; do
        [ -f "$f" ] || continue
        if grep -qi '^X-Mtamon-Probe:' "$f"; then
            n=$((n + 1))
        fi
    done
    printf '%s\n' "$n"
}

# mail_header FILE NAME: print the value of the first header NAME
# (case-insensitive) of the message in FILE, its folded lines joined by
# a space and CRs dropped; status 1 when the header is not there.
mail_header()
{
    awk -v want="$2" '
        BEGIN { want = tolower(want) ":"; found = 0; done = 0 }
        { sub(/\r$/, "") }
        /^$/ { exit }
        /^[ \t]/ {
            if (found && !done) { line = $0; sub(/^[ \t]+/, "", line); value = value " " line }
            next
        }
        { if (found) done = 1 }
        !found && tolower(substr($0, 1, length(want))) == want {
            found = 1; value = substr($0, length(want) + 1); sub(/^[ \t]+/, "", value)
        }
        END { if (found) print value; exit !found }' "$1"
}

# dovecot_message_with_subject SUBJECT: print the path of a message in
# the test user's Maildir (new and cur) whose Subject: is exactly
# SUBJECT; status 1 when there is none.
dovecot_message_with_subject()
{
    local f
    for f in "$DOVECOT_MAILDIR"/new/* "$DOVECOT_MAILDIR"/cur/*; do
        [ -f "$f" ] || continue
        if [ "$(mail_header "$f" Subject)" = "$1" ]; then
            printf '%s\n' "$f"
            return 0
        fi
    done
    return 1
}

# dovecot_has_subject SUBJECT: such a message is in the Maildir.
dovecot_has_subject() { dovecot_message_with_subject "$1" >/dev/null; }

# dovecot_wait_subject SUBJECT [SECONDS]: wait (default 30 s) until a
# message with Subject: SUBJECT is in the test user's Maildir.
dovecot_wait_subject() { wait_until "${2:-30}" dovecot_has_subject "$1"; }

# --- Postfix ------------------------------------------------------------------

PF_SBIN=/usr/sbin
PF_ETC=
PF_QUEUE=
PF_MASTER_PID=
PF_STOPPED=1
PF_LEFT=

# postfix_private_require: skip unless a private Postfix can run here.
postfix_private_require()
{
    ms_require_root "a private Postfix instance"
    [ -x "$PF_SBIN/postconf" ] ||
        skip "postfix is not installed ($PF_SBIN/postconf missing; scripts/deps installs it)"
    local daemons prog
    daemons=$("$PF_SBIN/postconf" -dh daemon_directory 2>/dev/null) || daemons=
    for prog in "$PF_SBIN/postfix" "$PF_SBIN/sendmail" "$PF_SBIN/postqueue" \
        "${daemons:-/nonexistent}/master"; do
        [ -x "$prog" ] ||
            skip "postfix is not installed ($prog missing; scripts/deps installs it)"
    done
    if ! getent passwd postfix >/dev/null 2>&1 || ! getent group postdrop >/dev/null 2>&1; then
        skip "the postfix user or the postdrop group is missing"
    fi
}

# postfix_instance_pids: the PIDs of the processes of the instance (every
# Postfix daemon works in its queue directory), in PF_LEFT.
postfix_instance_pids()
{
    local d
    PF_LEFT=""
    [ -n "$PF_QUEUE" ] || return 0
    for d in /proc/[0-9]*; do
        # -ef: the same directory (a builtin test, no process per PID)
        if [ "$d/cwd" -ef "$PF_QUEUE" ]; then
            PF_LEFT="$PF_LEFT ${d#/proc/}"
        fi
    done
}

# postfix_gone: the master is gone and no process of the instance is left.
postfix_gone()
{
    if [ -n "$PF_MASTER_PID" ] && kill -0 "$PF_MASTER_PID" 2>/dev/null; then
        return 1
    fi
    postfix_instance_pids
    [ -z "$PF_LEFT" ]
}

# postfix_master_pid_known: the master wrote its pid file (PF_MASTER_PID).
postfix_master_pid_known()
{
    PF_MASTER_PID=$(tr -d ' \n' <"$PF_QUEUE/pid/master.pid" 2>/dev/null)
    [ -n "$PF_MASTER_PID" ]
}

# postfix_private_start ETC QUEUE OUTFILE: `postfix -c ETC start` (the
# integrity check, which makes the queue's subdirectories, then "master
# -w", which returns once the master has initialised and detached), its
# output in OUTFILE, then the master's PID from QUEUE/pid/master.pid into
# PF_MASTER_PID.  ETC/main.cf must set queue_directory = QUEUE.  Returns 1
# when Postfix did not start (Postfix prints to stderr only on a terminal:
# its complaints are in its log).
postfix_private_start()
{
    PF_ETC=$1
    PF_QUEUE=$2
    PF_MASTER_PID=
    PF_STOPPED=0
    "$PF_SBIN/postfix" -c "$PF_ETC" start >"$3" 2>&1 || return 1
    wait_until 10 postfix_master_pid_known
    [ -n "$PF_MASTER_PID" ] && kill -0 "$PF_MASTER_PID" 2>/dev/null
}

# postfix_private_stop: SIGTERM to the master (it takes its whole process
# group, every daemon of the instance, with it), then wait up to 10 s until
# no process of the instance is left.  0 if none is.
postfix_private_stop()
{
    [ "$PF_STOPPED" -eq 1 ] && return 0
    # Interrupted while "postfix start" ran: the master may be up already.
    # The PID is ours only while that process works in our queue.
    if [ -z "$PF_MASTER_PID" ] && [ -n "$PF_QUEUE" ]; then
        PF_MASTER_PID=$(tr -d ' \n' <"$PF_QUEUE/pid/master.pid" 2>/dev/null)
    fi
    if [ -n "$PF_MASTER_PID" ] && [ "/proc/$PF_MASTER_PID/cwd" -ef "$PF_QUEUE" ]; then
        kill -TERM "$PF_MASTER_PID" 2>/dev/null
    fi
    if wait_until 10 postfix_gone; then
        PF_STOPPED=1
        return 0
    fi
    return 1
}

# postfix_private_main_cf ETC QUEUE DATA LOG DOMAIN: ETC/main.cf of a
# private instance: its own queue and data directories, its log in LOG
# (written by postlogd; LOG's directory is the allowed prefix), host
# mx.DOMAIN of DOMAIN with no local destination nor alias, on and for
# 127.0.0.1 only, no DNS, each deferred message tried once an hour, no
# delay warning.  What the instance adds goes after it (cat >>).
postfix_private_main_cf()
{
    cat >"$1/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $2
data_directory = $3
maillog_file = $4
maillog_file_prefixes = ${4%/*}
myhostname = mx.$5
mydomain = $5
myorigin = $5
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_dns_support_level = disabled
queue_run_delay = 3600s
delay_warning_time = 0
EOF
}

# postfix_private_master_cf ETC PORT [SERVICE...]: ETC/master.cf of a
# private instance: no chroot, one smtpd listening on 127.0.0.1:PORT, the
# daemons every instance runs, postlogd for maillog_file, then each
# SERVICE line.
postfix_private_master_cf()
{
    local etc=$1 port=$2
    shift 2
    {
        cat <<EOF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n  -  n  60    1  pickup
cleanup   unix  n  -  n  -     0  cleanup
qmgr      unix  n  -  n  300   1  qmgr
rewrite   unix  -  -  n  -     -  trivial-rewrite
bounce    unix  -  -  n  -     0  bounce
defer     unix  -  -  n  -     0  bounce
trace     unix  -  -  n  -     0  bounce
verify    unix  -  -  n  -     1  verify
flush     unix  n  -  n  1000? 0  flush
proxymap  unix  -  -  n  -     -  proxymap
smtp      unix  -  -  n  -     -  smtp
showq     unix  n  -  n  -     -  showq
error     unix  -  -  n  -     -  error
retry     unix  -  -  n  -     -  error
discard   unix  -  -  n  -     -  discard
anvil     unix  -  -  n  -     1  anvil
scache    unix  -  -  n  -     1  scache
postlog   unix-dgram n - n - 1 postlogd
EOF
        [ $# -eq 0 ] || printf '%s\n' "$@"
    } >"$etc/master.cf"
}

POSTFIX_SMTP_PORT=
POSTFIX_LOG=

# postfix_smtpd_log: what Postfix said, for a skip or a failure.
postfix_smtpd_log()
{
    printf '%s\n' "--- postfix -c start:" "$(cat "$MS_DIR/postfix/start.out" 2>/dev/null)" \
        "--- $POSTFIX_LOG:" "$(tail -n 40 "$POSTFIX_LOG" 2>/dev/null)"
}

# start_postfix_smtpd: a private Postfix whose smtpd listens on
# 127.0.0.1:POSTFIX_SMTP_PORT, offers STARTTLS with MS_CERT, relays for
# 127.0.0.0/8 and delivers mail for DOVECOT_DOMAIN to the private
# Dovecot's LMTP listener (start_dovecot first).
start_postfix_smtpd()
{
    postfix_private_require
    [ -n "$DOVECOT_PID" ] || skip "start_postfix_smtpd: start_dovecot first"
    ms_make_cert
    local d=$MS_DIR/postfix
    mkdir -p "$d/etc" "$d/queue"
    chmod 0755 "$d" "$d/etc" "$d/queue"
    chmod 0711 "$MS_DIR"
    POSTFIX_LOG=$d/maillog
    ms_free_port POSTFIX_SMTP_PORT
    postfix_private_main_cf "$d/etc" "$d/queue" "$d/data" "$POSTFIX_LOG" "$DOVECOT_DOMAIN"
    cat >>"$d/etc/main.cf" <<EOF
smtpd_banner = \$myhostname ESMTP mtamon-test
smtpd_tls_security_level = may
smtpd_tls_cert_file = $MS_CERT
smtpd_tls_key_file = $MS_KEY
smtpd_tls_loglevel = 1
virtual_mailbox_domains = $DOVECOT_DOMAIN
virtual_transport = lmtp:inet:127.0.0.1:$DOVECOT_LMTP_PORT
lmtp_tls_security_level = none
EOF
    postfix_private_master_cf "$d/etc" "$POSTFIX_SMTP_PORT" \
        "tlsmgr    unix  -  -  n  1000? 1  tlsmgr" \
        "lmtp      unix  -  -  n  -     -  lmtp"
    if ! postfix_private_start "$d/etc" "$d/queue" "$d/start.out"; then
        postfix_smtpd_log
        postfix_private_stop
        skip "the private Postfix cannot start (its output and log are above)"
    fi
    if ! wait_until 10 ms_listening "$POSTFIX_SMTP_PORT"; then
        postfix_smtpd_log
        postfix_private_stop
        skip "the private Postfix's smtpd did not listen within 10 s (its log is above)"
    fi
}

# stop_postfix_smtpd: stop the private Postfix (see postfix_private_stop).
stop_postfix_smtpd()
{
    postfix_private_stop
}

# assert_servers_stopped: stop the test's Postfix and Dovecot, and check
# that no process of either is left (Dovecot's carry its instance_name).
assert_servers_stopped()
{
    if stop_postfix_smtpd; then
        pass "Postfix stopped, no process of it left"
    else
        fail "Postfix stopped, no process of it left" "still running:$PF_LEFT"
    fi
    stop_dovecot
    if [ -n "$(pgrep -f "mtamon-it-$$" 2>/dev/null)" ]; then
        fail "Dovecot stopped, no process of it left" "$(pgrep -af "mtamon-it-$$")"
    else
        pass "Dovecot stopped, no process of it left"
    fi
}

# However the test ends, the servers are stopped before lib.sh's cleanup
# removes the temporary directory under their feet.
ms_cleanup()
{
    local rc=$?
    postfix_private_stop
    stop_dovecot
    (exit "$rc")
    it_cleanup
}
trap ms_cleanup EXIT
