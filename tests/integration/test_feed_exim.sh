#!/bin/bash
# test_feed_exim.sh - the ground truth for `mtamon feed --format exim`: a
# real Exim (Debian's exim4-daemon-light, 4.96 on bookworm) runs as a
# private daemon on 127.0.0.1, known mail goes through it, and the main log
# it writes is read by both `mtamon feed` and eximstats.  mtamon's counters
# must equal the numbers this script knows it caused and eximstats' Grand
# total summary.  It runs twice: with Debian's default log_selector (Exim's
# own defaults) and with +all.
#
# Exim is never installed as a package (Debian's exim4 and postfix
# conflict: both are the mail-transport-agent): exim4-daemon-light,
# exim4-base (eximstats), exim4-config and libidn12 (not on a Postfix
# machine) are fetched with `apt-get download` and unpacked with `dpkg-deb
# -x` into BUILDDIR/tests/integration/exim-private (kept, so the next run
# does not download again).  Exim re-executes itself at its compiled path
# /usr/sbin/exim4 for every delivery, so every Exim process runs in a
# private mount namespace (unshare -m) where the unpacked usr/sbin is bound
# over /usr/sbin and a private ld.so.cache (which also names the unpacked
# libidn) over /etc/ld.so.cache; the machine's own /usr/sbin and
# /etc/ld.so.cache are never touched.  The compiled-in user Debian-exim is
# created (useradd --system) when missing.
#
# The private Exim: its own configuration (-C, accepted because the caller
# is root), spool, log and pid file in the test's temporary directory; an
# SMTP listener on a free port of 127.0.0.1; queue_only, so that every
# delivery happens in a queue run this script starts as root (an Exim user
# process re-executing with -C would lose its privilege); deliveries into
# files of the temporary directory as Debian-exim; a router sending one
# domain to a port of 127.0.0.1 that is bound but never listens (connection
# refused: deferred); an unknown local user (Unrouteable address: bounced,
# one notification delivered to the sender); an ACL refusing one address
# at RCPT.
#
# Traffic (each figure asserted three ways: ours, eximstats', mtamon's):
#   SMTP: 5 messages to one mailbox, 1 message to 2 mailboxes, 2 messages
#         to the rejected address alone (refused at RCPT, never queued),
#         1 message to a mailbox and the rejected address, 1 message to the
#         unknown user, 2 messages to the refusing relay;
#   local: 1 message submitted on the command line (-odq);
#   queue runs: -qf (delivers, bounces, defers), -qf (the notification,
#         deferred again), -q (retry time not reached: no attempt).
# The mailboxes and the queue are checked too, so the log is not taken on
# trust, and `mtamon feed --stats` must find no UNPARSED or SKIPPED line.
#
# Skips (77) unless run as root with unshare, mount, dpkg-deb, perl and
# python3, when Exim cannot be fetched (no network, no apt source) or
# cannot run (its log is printed).  Everything it starts is stopped by
# PID, even on failure; no system service is started or reconfigured, and
# port 25 is never used.  MTAMON_EXGT_SAVE=DIR keeps a copy of both logs.
#
# Run by `make check`; by hand:
#   cd BUILDDIR && MTAMON_BUILDDIR=$PWD MTAMON_SRCDIR=SRCDIR \
#       bash SRCDIR/tests/integration/test_feed_exim.sh

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/feed_lib.sh
. "$(dirname "$0")/feed_lib.sh"
require_program "$MTAMON"

# --- what is needed ------------------------------------------------------

[ "$(id -u)" -eq 0 ] ||
    skip "a private Exim needs root (mount namespace, setuid deliveries)"
for prog in unshare mount dpkg-deb perl python3 ldconfig; do
    command -v "$prog" >/dev/null 2>&1 || skip "$prog is not installed"
done
if ! unshare -m true 2>/dev/null; then
    skip "cannot make a private mount namespace (unshare -m)"
fi

# --- Exim, unpacked once under the build tree -----------------------------

EX_CACHE=$IT_BUILDDIR/tests/integration/exim-private
EX_ROOT=$EX_CACHE/root
EX_LIBDIR=$EX_ROOT/usr/lib/x86_64-linux-gnu
if [ ! -x "$EX_ROOT/usr/sbin/exim4" ] || [ ! -f "$EX_ROOT/usr/sbin/eximstats" ]; then
    command -v apt-get >/dev/null 2>&1 || skip "apt-get is missing: cannot fetch Exim"
    rm -rf "$EX_CACHE"
    mkdir -p "$EX_CACHE/debs" "$EX_ROOT"
    if ! (cd "$EX_CACHE/debs" &&
        apt-get download exim4-daemon-light exim4-base exim4-config libidn12) \
        >"$EX_CACHE/download.log" 2>&1; then
        tail -n 5 "$EX_CACHE/download.log"
        rm -rf "$EX_CACHE"
        skip "cannot fetch Exim with apt-get download (no network or apt source?)"
    fi
    for deb in "$EX_CACHE"/debs/*.deb; do
        dpkg-deb -x "$deb" "$EX_ROOT" || {
            rm -rf "$EX_CACHE"
            skip "cannot unpack $deb"
        }
    done
fi
EXIM=$EX_ROOT/usr/sbin/exim4
EXIMSTATS=$EX_ROOT/usr/sbin/eximstats
missing=$(LD_LIBRARY_PATH=$EX_LIBDIR ldd "$EXIM" 2>/dev/null | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | tr '\n' ' ')
[ -z "$missing" ] || skip "the unpacked Exim needs libraries this machine lacks: $missing"

if ! getent passwd Debian-exim >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin Debian-exim >/dev/null 2>&1 ||
        skip "cannot create the user Debian-exim that Exim is built for"
fi

T=$IT_TMP
# mktemp made it 0700: Exim's processes run as Debian-exim.
chmod 0711 "$T"

# A private ld.so.cache: the unpacked library directory first, then the
# machine's (-X: no links made anywhere).
{
    echo "$EX_LIBDIR"
    cat /etc/ld.so.conf.d/*.conf 2>/dev/null | grep -v '^[[:space:]]*#'
    printf '%s\n' /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib /usr/lib
} >"$T/ld.so.conf"
ldconfig -X -C "$T/ld.so.cache" -f "$T/ld.so.conf" 2>"$T/ldconfig.err" ||
    skip "ldconfig cannot write a private cache: $(cat "$T/ldconfig.err")"

# EX_NS ARG...: the unpacked Exim with ARG... in a private mount namespace;
# unshare, sh and Exim replace each other (exec), so the PID of the
# command is Exim's.
# shellcheck disable=SC2016 # expanded by that sh, from its arguments
EX_NS=(unshare -m sh -c 'mount --bind "$1/usr/sbin" /usr/sbin &&
    mount --bind "$2" /etc/ld.so.cache && shift 2 && exec /usr/sbin/exim4 "$@"'
    sh "$EX_ROOT" "$T/ld.so.cache")

# --- the numbers this script causes -------------------------------------

N_SINGLE=5     # SMTP messages to alice alone: delivered
N_MULTI_RCPT=2 # one SMTP message to alice and bob: 2 deliveries
N_REJ_ONLY=2   # SMTP messages to reject-me alone: rejected at RCPT
N_MIXED=1      # SMTP messages to bob and reject-me: 1 delivery + 1 reject
N_BOUNCE=1     # SMTP messages to an unknown user: bounced (+1 notification)
N_DEFER=2      # SMTP messages to the refusing relay: deferred in each of
N_FORCED=2     #   the forced queue runs
N_LOCAL=1      # command-line submissions to alice: delivered

EXP_SMTP=$((N_SINGLE + 1 + N_MIXED + N_BOUNCE + N_DEFER))
# Received (eximstats: every "<=" line), the notification included.
EXP_NDR=$N_BOUNCE
EXP_RECEIVED=$((EXP_SMTP + N_LOCAL + EXP_NDR))
# Delivered recipients ("=>" lines).
EXP_DELIVERED=$((N_SINGLE + N_MULTI_RCPT + N_MIXED + N_LOCAL + EXP_NDR))
EXP_REJECTED=$((N_REJ_ONLY + N_MIXED))
EXP_FAILED=$N_BOUNCE
EXP_DEFERRED=$N_DEFER
EXP_DEFERRALS=$((N_FORCED * N_DEFER))

feed_hold_refusing_port "$T"

DAEMON_PID=
EX_CONF=
# exim_left: the PIDs of the processes running with our configuration
# (every Exim process of a phase names it on its command line), in EX_LEFT.
# shellcheck disable=SC2317 # called through wait_until
exim_left()
{
    local d
    EX_LEFT=""
    [ -n "$EX_CONF" ] || return 0
    for d in /proc/[0-9]*; do
        if tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -qF -- "-C $EX_CONF "; then
            EX_LEFT="$EX_LEFT ${d#/proc/}"
        fi
    done
}
# shellcheck disable=SC2317 # called through wait_until
exim_gone() { exim_left; [ -z "$EX_LEFT" ]; }

# stop_exim: SIGTERM to the daemon (by PID), then wait until no process
# of this phase is left; those still there after 10 s are killed by PID.
# 0 if none was left.
stop_exim()
{
    [ -n "$DAEMON_PID" ] && stop_bg "$DAEMON_PID"
    DAEMON_PID=
    wait_until 10 exim_gone && return 0
    local p
    for p in $EX_LEFT; do
        kill -KILL "$p" 2>/dev/null
    done
    return 1
}
trap 'rc=$?; stop_exim; (exit "$rc"); it_cleanup' EXIT

# count_in FILE PATTERN: how many lines of FILE match the extended regex.
count_in()
{
    grep -cE -- "$2" "$1" 2>/dev/null
}

# run_phase NAME SELECTOR: one private Exim with log_selector SELECTOR
# (none when empty),
# the traffic, eximstats and mtamon feed on its log.
run_phase()
{
    local name=$1 selector=$2
    local D=$T/$name
    local LOG=$D/log/mainlog
    mkdir -p "$D/spool" "$D/log" "$D/mail"
    chown Debian-exim:Debian-exim "$D/spool" "$D/log" "$D/mail"
    chmod 0711 "$D"
    local port
    port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])') || skip "cannot find a free port"

    cat >"$D/exim.conf" <<EOF
primary_hostname = mx.gt.test
spool_directory = $D/spool
log_file_path = $D/log/%slog
pid_file_path = $D/exim.pid
daemon_smtp_ports = $port
local_interfaces = 127.0.0.1
disable_ipv6 = true
tls_advertise_hosts =
host_lookup =
rfc1413_hosts =
keep_environment =
queue_only
${selector:+log_selector = $selector}
domainlist local_domains = gt.test
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  deny    domains = +local_domains
          local_parts = reject-me
          message = test rejection
  accept  domains = +local_domains
  accept  hosts = 127.0.0.1
  deny    message = relay not permitted

begin routers
deferred:
  driver = manualroute
  domains = deferred.test
  route_list = * 127.0.0.1
  self = send
  transport = remote_smtp
local_users:
  driver = accept
  domains = +local_domains
  local_parts = alice : bob : sender
  transport = local_delivery

begin transports
remote_smtp:
  driver = smtp
  port = $REFUSED_PORT
  allow_localhost
local_delivery:
  driver = appendfile
  file = $D/mail/\$local_part_data
  user = Debian-exim
  group = Debian-exim
  mode = 0600

begin retry
*   *   F,2h,15m
EOF
    chmod 0644 "$D/exim.conf"

    section "$name: private Exim on 127.0.0.1:$port (log_selector = ${selector:-its default})"
    run "${EX_NS[@]}" -C "$D/exim.conf" -bV
    if [ "$RC" -ne 0 ]; then
        printf '%s\n' "$OUT" "$ERR"
        skip "the unpacked Exim does not run (its output is above)"
    fi
    EX_CONF=$D/exim.conf
    start_bg DAEMON_PID "$D/daemon.out" "${EX_NS[@]}" -C "$D/exim.conf" -bdf
    if ! wait_for_text "$LOG" "daemon started" 10; then
        printf '%s\n' "--- daemon:" "$(cat "$D/daemon.out")" "--- log:" "$(cat "$LOG" 2>/dev/null)"
        skip "Exim's daemon did not start (its output is above)"
    fi
    assert_eq "$DAEMON_PID" "$(tr -d ' \n' <"$D/exim.pid" 2>/dev/null)" \
        "$name: Exim daemon running (pid $DAEMON_PID, its pid file says the same)"

    feed_send_ground_truth "$port"
    assert_exit 0 "$name: SMTP session through python3 smtplib"
    assert_eq "accepted $EXP_SMTP refused $EXP_REJECTED" "$OUT" \
        "$name: the SMTP server accepted and refused what the test expects"
    local i
    for i in $(seq "$N_LOCAL"); do
        printf 'From: <sender@gt.test>\nSubject: local %s\n\nhello\n' "$i" |
            "${EX_NS[@]}" -C "$D/exim.conf" -odq -f sender@gt.test alice@gt.test >"$D/local.out" 2>&1
        assert_exit 0 "$name: command-line submission $i"
    done
    # Queue runs in the foreground: each returns when its deliveries are
    # done ("End queue run").
    for i in $(seq "$N_FORCED"); do
        run "${EX_NS[@]}" -C "$D/exim.conf" -qf
        assert_exit 0 "$name: forced queue run $i"
    done
    run "${EX_NS[@]}" -C "$D/exim.conf" -q
    assert_exit 0 "$name: queue run (retry times not reached)"
    if stop_exim; then
        pass "$name: Exim daemon stopped on SIGTERM, no process of it left"
    else
        fail "$name: Exim daemon stopped on SIGTERM, no process of it left" \
            "still running (killed):$EX_LEFT"
    fi

    # --- what really happened: mailboxes and queue
    assert_eq "$((N_SINGLE + 1 + N_LOCAL))" "$(grep -c '^Subject: ' "$D/mail/alice" 2>/dev/null)" \
        "$name: alice's mailbox holds every message sent to her"
    assert_eq "$((1 + N_MIXED))" "$(grep -c '^Subject: ground truth' "$D/mail/bob" 2>/dev/null)" \
        "$name: bob's mailbox holds every message sent to him"
    assert_eq "$EXP_NDR" "$(grep -c '^Subject: Mail delivery failed' "$D/mail/sender" 2>/dev/null)" \
        "$name: the sender's mailbox holds the non-delivery notification(s)"
    assert_eq "$N_DEFER" "$(find "$D/spool/input" -name '*-H' | wc -l | tr -d ' ')" \
        "$name: the deferred messages wait in the queue"
    if [ -n "${MTAMON_EXGT_SAVE:-}" ]; then
        mkdir -p "$MTAMON_EXGT_SAVE" && cp "$LOG" "$MTAMON_EXGT_SAVE/mainlog-$name"
    fi

    # --- the log itself, counted by hand
    assert_eq "$EXP_RECEIVED" "$(count_in "$LOG" ' <= ')" "$name: $EXP_RECEIVED arrivals"
    assert_eq "$EXP_DELIVERED" "$(count_in "$LOG" ' => ')" "$name: $EXP_DELIVERED deliveries"
    assert_eq "$EXP_FAILED" "$(count_in "$LOG" ' \*\* ')" "$name: $EXP_FAILED failure(s)"
    assert_eq "$EXP_DEFERRALS" "$(count_in "$LOG" ' == .* defer \([0-9]+\).*: Connection refused')" \
        "$name: $EXP_DEFERRALS deferrals"
    assert_eq "$N_DEFER" "$(count_in "$LOG" ' == .*retry time not reached')" \
        "$name: $N_DEFER retry waits"
    assert_eq "$EXP_REJECTED" "$(count_in "$LOG" ' rejected RCPT ')" "$name: $EXP_REJECTED RCPT rejections"
    local refused
    refused=$(count_in "$LOG" '^[-0-9]+ [0-9:.]+ (\[[0-9]+\] )?[0-9A-Za-z-]+ H=.* Connection refused$')
    assert_eq "$EXP_DEFERRALS" "$refused" "$name: $EXP_DEFERRALS refused connections"

    # --- eximstats
    # On standard input: eximstats uncompresses a file whose path
    # contains ".gz" or ".Z", which a temporary directory's may.
    run perl "$EXIMSTATS" -nvr -h0 -ne -nr -nt -t0 -q0 <"$LOG"
    assert_exit 0 "$name: eximstats reads the log"
    cp "$IT_TMP/out" "$D/eximstats.out"
    # The Grand total summary: "Received VOLUME MESSAGES HOSTS DELAYED
    # PCT FAILED PCT", "Delivered VOLUME MESSAGES ADDRESSES HOSTS",
    # "Rejects MESSAGES HOSTS".
    local es_rcvd es_dlvd es_rej
    es_rcvd=$(sed -n 's/^ *Received  *//p' "$D/eximstats.out" | head -n 1)
    es_dlvd=$(sed -n 's/^ *Delivered  *//p' "$D/eximstats.out" | head -n 1)
    es_rej=$(sed -n 's/^ *Rejects  *//p' "$D/eximstats.out" | head -n 1)
    # shellcheck disable=SC2086
    set -- $es_rcvd
    local ES_RCVD_BYTES=$1 ES_RCVD=$2 ES_DELAYED=$4 ES_FAILED=$6
    # shellcheck disable=SC2086
    set -- $es_dlvd
    local ES_DLVD_BYTES=$1 ES_DLVD=$2 ES_DLVD_ADDR=$3
    # shellcheck disable=SC2086
    set -- $es_rej
    local ES_REJ=$1
    assert_eq "$EXP_RECEIVED" "$ES_RCVD" "$name: eximstats: received"
    assert_eq "$EXP_DELIVERED" "$ES_DLVD" "$name: eximstats: delivered messages"
    assert_eq "$EXP_DELIVERED" "$ES_DLVD_ADDR" "$name: eximstats: delivered addresses"
    assert_eq "$EXP_DEFERRED" "$ES_DELAYED" "$name: eximstats: delayed"
    assert_eq "$EXP_FAILED" "$ES_FAILED" "$name: eximstats: failed"
    # eximstats counts every line saying "rejected", "refused" or
    # "dropped": the refused outbound connections too.
    assert_eq "$((EXP_REJECTED + refused))" "$ES_REJ" "$name: eximstats: rejects"

    # --- mtamon feed
    feed_run_once "$name: " exim "$LOG" "$D" unparsed skipped event_errors unknown_closes

    local assocs=0
    [ "$name" = all ] && assocs=1
    # The mapping is parse_exim.c's (its header comment): arrivals count on
    # their protocol (esmtp, local), deliveries on their transport
    # (local_delivery, remote_smtp), the unrouteable address on "routing",
    # the SMTP server's rejections and connections on "smtp".  So:
    #   eximstats Received (messages, volume) = Submitted of esmtp + local
    #   eximstats Delivered (messages, volume) = Delivered, all channels
    #   eximstats Failed      = Failed, all channels
    #   eximstats Delayed     = Stored (each deferred message has one
    #                           recipient and stays deferred)
    #   eximstats Rejects     = Rejected + failed outbound associations
    #   deferrals (ours)      = Attempted (retry waits are no attempt)
    feed_py_check "$name: mtamon" "$D/counters.json" \
        "$EXP_RECEIVED" "$EXP_DELIVERED" "$EXP_DEFERRED" "$EXP_FAILED" \
        "$EXP_REJECTED" "$EXP_DEFERRALS" "$EXP_SMTP" "$N_LOCAL" "$EXP_NDR" \
        "$ES_RCVD" "$ES_DLVD" "$ES_DELAYED" "$ES_FAILED" "$ES_REJ" \
        "$ES_RCVD_BYTES" "$ES_DLVD_BYTES" "$refused" "$assocs" <<'EOF'
(exp_received, exp_delivered, exp_deferred, exp_failed, exp_rejected,
 exp_deferrals, exp_smtp, exp_local, exp_ndr) = map(int, sys.argv[2:11])
(es_received, es_delivered, es_delayed, es_failed, es_rejects,
 es_bytes_rcvd, es_bytes_dlvd, refused, assocs) = map(int, sys.argv[11:20])

check("channels", sorted(channel_names(doc)),
      ["esmtp", "local", "local_delivery", "remote_smtp", "routing", "smtp"])

received = c("esmtp", "submitted_messages") + c("local", "submitted_messages")
figures = [
    ("received", received, exp_received, es_received),
    ("delivered", total("delivered_messages"), exp_delivered, es_delivered),
    ("deferred", sum(stored(name) for name in channel_names(doc)),
     exp_deferred, es_delayed),
    ("failed", total("failed_messages"), exp_failed, es_failed),
    ("rejected + refused connections",
     total("rejected_messages") + total("outbound_associations_failed"),
     exp_rejected + refused, es_rejects),
]
check_figures(figures, "eximstats'")
check("bytes received = eximstats'",
      c("esmtp", "submitted_volume") + c("local", "submitted_volume"),
      es_bytes_rcvd)
check("bytes delivered = eximstats'", total("delivered_volume"), es_bytes_dlvd)
check("deferrals = Attempted", total("attempted_messages"), exp_deferrals)

# Where each figure lives.
check("esmtp: Submitted", c("esmtp", "submitted_messages"), exp_smtp)
check("local: Submitted (command line + notification)",
      c("local", "submitted_messages"), exp_local + exp_ndr)
check("smtp: Rejected", c("smtp", "rejected_messages"), exp_rejected)
check("local_delivery: Delivered", c("local_delivery", "delivered_messages"),
      exp_delivered)
check("local_delivery: Received = Delivered",
      c("local_delivery", "received_messages"), exp_delivered)
check("local_delivery: nothing left queued", stored("local_delivery"), 0)
check("routing: Failed (the unrouteable address)",
      c("routing", "failed_messages"), exp_failed)
check("remote_smtp: Received (the deferred copies)",
      c("remote_smtp", "received_messages"), exp_deferred)
check("remote_smtp: Attempted", c("remote_smtp", "attempted_messages"),
      exp_deferrals)
check("remote_smtp: the deferred copies stay queued", stored("remote_smtp"),
      exp_deferred)
check("remote_smtp: failed outbound associations",
      c("remote_smtp", "outbound_associations_failed"), refused)
check("smtp: inbound associations (+smtp_connection only)",
      c("smtp", "inbound_associations"), assocs)
check("smtp: no association left open",
      get(channel(doc, "smtp"), "associations", "inbound_current"), 0)
EOF
}

# Debian's exim4-config sets no log_selector: Exim's defaults.
run_phase default ""
run_phase all "+all"
stop_bg "$REFUSER_PID"

finish
