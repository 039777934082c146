#!/bin/bash
# test_feed_postfix.sh - the ground truth for `mtamon feed --format postfix`:
# a real Postfix (Debian's, 3.7 on bookworm) runs as a private instance on
# 127.0.0.1, known mail goes through it, and the log it writes is read by
# both `mtamon feed` and pflogsumm.  mtamon's counters must equal the
# numbers this script knows it caused and pflogsumm's Grand Totals.
#
# The private instance: its own config directory, queue_directory,
# data_directory and maillog_file (written by postlogd) in the test's
# temporary directory; one SMTP listener on a free port of 127.0.0.1;
# virtual mailbox delivery into the temporary directory as nobody (no
# local(8), no /var/mail, no system user touched); a transport map that
# sends one domain to a port of 127.0.0.1 that is bound but never listens
# (connection refused: deferred); an unknown mailbox (bounced, which makes
# one non-delivery notification to the sender, delivered too); a recipient
# restriction that rejects one address at RCPT (NOQUEUE reject).
#
# Traffic (each figure asserted three ways: ours, pflogsumm's, mtamon's):
#   SMTP: 5 messages to one mailbox, 1 message to 2 mailboxes, 2 messages
#         to the rejected address alone (refused at RCPT, never queued),
#         1 message to a mailbox and the rejected address, 1 message to the
#         unknown mailbox, 2 messages to the refusing relay (tried again
#         after `postqueue -f`: deferred twice each);
#   pickup: 1 message with `sendmail -C`.
# The maildirs and the queue are checked too, so the log is not taken on
# trust, and `mtamon feed --stats` must find no UNPARSED or SKIPPED line.
#
# The queue it leaves (the deferred mail, retried in an hour) is the ground
# truth for `mtamon queue --kind postfix`: while Postfix still runs, the
# scan of the spool and, as nobody who cannot read it, the fallback to
# `postqueue -j` must report per Postfix queue what root's `postqueue -j`
# does (messages, volume, oldest id and arrival), and postqueue's ids must
# be the spool's files.
#
# Skips (77) unless run as root with postfix and pflogsumm installed, and
# when Postfix cannot start (its log is printed).  Everything it starts is
# stopped by PID, even on failure; no system service is started or
# reconfigured, and port 25 is never used.
#
# Run by `make check`; by hand:
#   cd BUILDDIR && MTAMON_BUILDDIR=$PWD MTAMON_SRCDIR=SRCDIR \
#       bash SRCDIR/tests/integration/test_feed_postfix.sh

# shellcheck disable=SC2317  # functions called indirectly (trap, wait_until)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# The private instance's process handling (start, stop by PID, however
# the test ends) is mail_servers.sh's.
# shellcheck source=tests/integration/mail_servers.sh
. "$(dirname "$0")/mail_servers.sh"
# shellcheck source=tests/integration/feed_lib.sh
. "$(dirname "$0")/feed_lib.sh"
require_program "$MTAMON"

# --- what is needed ------------------------------------------------------

postfix_private_require
# Debian installs it in /usr/sbin, which a PATH may lack.
PFLOGSUMM=$(PATH=$PATH:/usr/sbin command -v pflogsumm) ||
    skip "pflogsumm is not installed (scripts/deps installs it)"
# Virtual mailboxes are written as nobody:nogroup.
VUID=$(id -u nobody 2>/dev/null)
VGID=$(getent group nogroup 2>/dev/null | cut -d: -f3)
if [ -z "$VUID" ] || [ -z "$VGID" ]; then
    skip "no user nobody or group nogroup to own the mailboxes"
fi

# --- the numbers this script causes -------------------------------------

N_SINGLE=5     # SMTP messages to alice alone: delivered
N_MULTI_RCPT=2 # one SMTP message to alice and bob: 2 deliveries
N_REJ_ONLY=2   # SMTP messages to reject-me alone: rejected at RCPT
N_MIXED=1      # SMTP messages to bob and reject-me: 1 delivery + 1 reject
N_BOUNCE=1     # SMTP messages to an unknown mailbox: bounced (+1 NDR each)
N_DEFER=2      # SMTP messages to the refusing relay: deferred, then
               # deferred again by a queue flush (postqueue -f)
N_PICKUP=1     # `sendmail -C` submissions to alice: delivered

# Received: every message Postfix accepted (smtpd or pickup); the
# notifications the bounce daemon makes are not received, they are made.
EXP_RECEIVED=$((N_SINGLE + 1 + N_MIXED + N_BOUNCE + N_DEFER + N_PICKUP))
# Delivered recipients, the notifications included (pflogsumm counts every
# "status=sent" line).
EXP_NDR=$N_BOUNCE
EXP_DELIVERED=$((N_SINGLE + N_MULTI_RCPT + N_MIXED + N_PICKUP + EXP_NDR))
EXP_REJECTED=$((N_REJ_ONLY + N_MIXED))
EXP_BOUNCED=$N_BOUNCE
EXP_DEFERRED=$N_DEFER
EXP_DEFERRALS=$((2 * N_DEFER))
# Messages that leave the queue ("removed"): all but the deferred ones.
EXP_REMOVED=$((EXP_RECEIVED - N_DEFER + EXP_NDR))

# --- the private instance -----------------------------------------------

T=$IT_TMP
# mktemp made it 0700: the mailboxes are written as nobody, who must be
# able to reach them.
chmod 0711 "$T"
PF_ETC=$T/postfix-etc
PF_QUEUE=$T/postfix-queue
PF_DATA=$T/postfix-data
MAILBOXES=$T/mailboxes
LOG=$T/maillog
mkdir -m 0755 "$PF_ETC" "$PF_QUEUE"
mkdir -m 0700 "$MAILBOXES"
chown "$VUID:$VGID" "$MAILBOXES"
# virtual(8) writes as nobody: every directory above must let it through
# (a private TMPDIR may not).
if command -v runuser >/dev/null 2>&1 &&
    ! runuser -u nobody -g nogroup -- test -w "$MAILBOXES" 2>/dev/null; then
    skip "user nobody cannot reach $MAILBOXES (is \$TMPDIR private?)"
fi

feed_hold_refusing_port "$T"
ms_free_port SMTP_PORT

# Every path is the test's own; "inline:" tables need no postmap.  Retries
# are put off for an hour so that each deferred message is tried once.
postfix_private_main_cf "$PF_ETC" "$PF_QUEUE" "$PF_DATA" "$LOG" gt.test
cat >>"$PF_ETC/main.cf" <<EOF
smtpd_banner = \$myhostname ESMTP
smtpd_recipient_restrictions =
    check_recipient_access inline:{ {reject-me@gt.test = REJECT test rejection} }
# An unknown mailbox is accepted and then bounced by virtual(8), not
# refused at RCPT: the bounce is what this test needs.
smtpd_reject_unlisted_recipient = no
virtual_mailbox_domains = gt.test
virtual_mailbox_base = $MAILBOXES
virtual_mailbox_maps = inline:{ {alice@gt.test = alice/}
    {bob@gt.test = bob/} {sender@gt.test = sender/} }
virtual_uid_maps = static:$VUID
virtual_gid_maps = static:$VGID
transport_maps = inline:{ {deferred.test = smtp:[127.0.0.1]:$REFUSED_PORT} }
# A refused connection must not mark the relay dead: then the queue manager
# would defer the next message itself, without an attempt, depending on
# timing.  Each deferred message is tried by the smtp client.
default_destination_concurrency_failed_cohort_limit = 100
minimal_backoff_time = 3600s
maximal_backoff_time = 7200s
EOF

postfix_private_master_cf "$PF_ETC" "$SMTP_PORT" \
    "virtual   unix  -  n  n  -     -  virtual"

# postfix_log: what Postfix said, for a skip or a failure.
postfix_log()
{
    printf '%s\n' "--- postfix -c start:" "$(cat "$T/postfix-start.out" 2>/dev/null)" \
        "--- $LOG:" "$(cat "$LOG" 2>/dev/null)"
}

section "private Postfix on 127.0.0.1:$SMTP_PORT (relay refusing on $REFUSED_PORT)"
if ! postfix_private_start "$PF_ETC" "$PF_QUEUE" "$T/postfix-start.out"; then
    postfix_log
    skip "Postfix cannot start or its master process is not running" \
        "(its output and log are above)"
fi
pass "Postfix master running (pid $PF_MASTER_PID)"

# --- the mail --------------------------------------------------------------

section "sending the known mail"
feed_send_ground_truth "$SMTP_PORT"
assert_exit 0 "SMTP session through python3 smtplib"
if [ "$RC" -ne 0 ]; then
    # Nothing below can pass without the mail: say why and stop.
    fail "Postfix did not take the mail" "$(postfix_log)"
    finish
fi
assert_eq "accepted $((EXP_RECEIVED - N_PICKUP)) refused $EXP_REJECTED" "$OUT" \
    "the SMTP server accepted and refused what the test expects"

for i in $(seq "$N_PICKUP"); do
    printf 'From: <sender@gt.test>\nSubject: pickup %s\n\nhello\n' "$i" >"$T/pickup.msg"
    run "$PF_SBIN/sendmail" -C "$PF_ETC" -f sender@gt.test alice@gt.test <"$T/pickup.msg"
    assert_exit 0 "sendmail -C submission $i"
done

# count_files DIR: regular files under DIR.
count_files()
{
    find "$1" -type f 2>/dev/null | wc -l | tr -d ' '
}

# count_log PATTERN: how many log lines match the extended regex.
count_log()
{
    grep -cE -- "$1" "$LOG" 2>/dev/null
}

# wait_log DEFERRALS: bounded wait (60 s) until the log shows every
# message's final state and DEFERRALS deferrals.
log_final()
{
    [ "$(count_log ' status=sent ')" -ge "$EXP_DELIVERED" ] &&
        [ "$(count_log ' status=bounced ')" -ge "$EXP_BOUNCED" ] &&
        [ "$(count_log ' status=deferred ')" -ge "$1" ] &&
        [ "$(count_log ': removed$')" -ge "$EXP_REMOVED" ]
}

wait_log() { wait_until 60 log_final "$1"; }

section "waiting for every message's final state in the log"
if wait_log "$EXP_DEFERRED"; then
    pass "the log shows every message's final state"
else
    fail "the log shows every final state within 60 s" "$(postfix_log)"
    finish
fi
# A second attempt of the deferred mail, as the queue manager would make
# later: the parser must not count a deferred recipient as queued twice.
run "$PF_SBIN/postqueue" -c "$PF_ETC" -f
assert_exit 0 "postqueue -f: flush the deferred mail"
if wait_log "$EXP_DEFERRALS"; then
    pass "the flushed mail was deferred again"
else
    fail "the flushed mail was deferred again within 60 s" "$(postfix_log)"
fi

# --- the queue: mtamon queue against postqueue -j -------------------------

# The deferred mail is still queued (its next attempt is an hour away):
# mtamon's scan of the spool, and its fallback to `postqueue -j`, must see
# what Postfix's own showq(8) sees.  Done while Postfix runs: postqueue
# needs the showq service for any user but root.
section "the queue: mtamon queue against postqueue -j"

# queue_settled: the queue manager has put the retried mail back into
# deferred, and nothing else is queued.
queue_settled()
{
    [ "$(count_files "$PF_QUEUE/deferred")" -eq "$N_DEFER" ] &&
        [ "$(count_files "$PF_QUEUE/maildrop")$(count_files "$PF_QUEUE/incoming")$(count_files "$PF_QUEUE/active")$(count_files "$PF_QUEUE/hold")" = 0000 ]
}
if wait_until 30 queue_settled; then
    pass "the retried mail is back in the deferred queue"
else
    fail "the retried mail is back in the deferred queue within 30 s" \
        "$(cd "$PF_QUEUE" && find maildrop incoming active deferred hold -type f)"
fi

# What showq reports, as root (Postfix's reference), and the queue files
# themselves: "QUEUE ID" per file of the five queues.
run "$PF_SBIN/postqueue" -c "$PF_ETC" -j
assert_exit 0 "postqueue -j lists the queue"
cp "$IT_TMP/out" "$T/postqueue.jsonl"
for q in maildrop incoming active deferred hold; do
    find "$PF_QUEUE/$q" -type f -printf "$q %f\n" 2>/dev/null
done >"$T/spool-files.txt"

# queue_check DESC JSON SOURCE: the rows of `mtamon queue --json --name pf`
# in JSON against postqueue.jsonl and spool-files.txt, per Postfix queue
# and for the whole queue: every row read from SOURCE (tree or
# postqueue), messages = postqueue's count (and its ids = the spool's
# files), volume = the sum of its message_size, oldest id and time = the
# message of smallest (arrival_time, queue_id) (mtamon's tie rule: the
# smaller id), and the deferred mail is there (so nothing passes on an
# empty queue).
queue_check()
{
    py_check "$1" "$2" "$T/postqueue.jsonl" "$T/spool-files.txt" "$N_DEFER" "$3" <<'EOF'
doc = load(sys.argv[1])
pq = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
spool = [l.split() for l in open(sys.argv[3]) if l.strip()]
n_defer, source = int(sys.argv[4]), sys.argv[5]
QUEUES = ["maildrop", "incoming", "active", "deferred", "hold"]
rows = get(doc, "queues")
rows = rows if isinstance(rows, list) else []
check("rows", [r.get("name") for r in rows], ["pf"] + ["pf/" + q for q in QUEUES])
by_name = {r.get("name"): r for r in rows}
check("postqueue -j lists only the five queues",
      sorted(set(m["queue_name"] for m in pq) - set(QUEUES)), [])
counts = []
for q in [None] + QUEUES:
    name = "pf" if q is None else "pf/" + q
    row = by_name.get(name, {})
    msgs = [m for m in pq if q is None or m["queue_name"] == q]
    files = sorted(i for qq, i in spool if q is None or qq == q)
    counts.append("%s %d" % (q or "all", len(msgs)))
    check(name + ": status", row.get("status"), "ok")
    check(name + ": source", row.get("source"), source)
    check(name + ": nothing unreadable", (row.get("unreadable"), row.get("error")), (0, ""))
    check(name + ": postqueue's ids are the spool's files",
          sorted(m["queue_id"] for m in msgs), files)
    check(name + ": messages = postqueue's", row.get("messages"), len(msgs))
    check(name + ": volume = sum of postqueue's message_size", row.get("volume"),
          sum(m["message_size"] for m in msgs))
    if msgs:
        old = min(msgs, key=lambda m: (m["arrival_time"], m["queue_id"]))
        want = (old["queue_id"], old["arrival_time"] * 1000)
    else:
        want = (None, None)
    check(name + ": oldest id and arrival = postqueue's oldest",
          (row.get("oldest_id"), row.get("oldest_ms")), want)
check("deferred: the test's deferred mail is queued",
      len([m for m in pq if m["queue_name"] == "deferred"]), n_defer)
check_true("the queue is not empty", len(pq) > 0, "postqueue -j lists nothing")
print("messages per queue (postqueue -j): " + ", ".join(counts))
EOF
}

run "$MTAMON" queue --json --path "$PF_QUEUE" --kind postfix --name pf --postqueue ''
assert_exit 0 "mtamon queue scans the spool (as root, no fallback)"
cp "$IT_TMP/out" "$T/queue-tree.json"
queue_check "spool scan = postqueue -j" "$T/queue-tree.json" tree

# The fallback: as nobody (no group), the queue directories (mode 0700
# postfix, maildrop 0730 postfix:postdrop) cannot be read, and the scan
# runs `postqueue -j -c DIR`, set-gid postdrop, which asks showq.
# fallback_check DESC POSTQUEUE SETPRIV_ARG...: postqueue -j run by the
# user of SETPRIV_ARG works, and so mtamon queue, run by that user, falls
# back to it and reports what root's postqueue -j does.
fallback_check()
{
    local desc=$1 pq=$2
    shift 2
    run setpriv "$@" "$pq" -c "$PF_ETC" -j
    if [ "$RC" -ne 0 ]; then
        printf 'SKIP: %s: postqueue refuses to run (exit %s): %s\n' "$desc" "$RC" "$ERR"
        return 1
    fi
    run setpriv "$@" "$MTAMON" queue --json --path "$PF_QUEUE" --kind postfix \
        --name pf --postqueue "$pq" --postfix-config "$PF_ETC"
    assert_exit 0 "$desc: mtamon queue cannot read the spool, falls back to postqueue -j"
    cp "$IT_TMP/out" "$T/queue-postqueue.json"
    queue_check "$desc: fallback = postqueue -j" "$T/queue-postqueue.json" postqueue
}

PD_GID=$(getent group postdrop | cut -d: -f3)
if ! command -v setpriv >/dev/null 2>&1; then
    printf 'SKIP: the postqueue fallback: setpriv (util-linux) is not installed\n'
elif ! fallback_check "as nobody" "$PF_SBIN/postqueue" \
    "--reuid=$VUID" "--regid=$VGID" --clear-groups; then
    # A set-gid postqueue takes a configuration directory other than its
    # default only when the default main.cf lists it in
    # alternate_config_directories, and this test changes nothing outside
    # its directory.  The same program without its set-gid bit, run with
    # the group postdrop that the bit would give, has the same access to
    # showq and no such check: the fallback is exercised with it.
    cp "$PF_SBIN/postqueue" "$T/postqueue"
    chmod 0755 "$T/postqueue"
    fallback_check "as nobody:postdrop, postqueue without set-gid" "$T/postqueue" \
        "--reuid=$VUID" "--regid=$PD_GID" --clear-groups
fi

# --- stop Postfix ----------------------------------------------------------

if postfix_private_stop; then
    pass "Postfix (master pid $PF_MASTER_PID) stopped on SIGTERM, no process of it left"
else
    fail "Postfix (master pid $PF_MASTER_PID) stopped on SIGTERM, no process of it left" \
        "still running:$PF_LEFT"
fi
stop_bg "$REFUSER_PID"

# --- what really happened: mailboxes and queue --------------------------

section "mailboxes and queue"
assert_eq "$((N_SINGLE + 1 + N_PICKUP))" "$(count_files "$MAILBOXES/alice/new")" \
    "alice's maildir holds every message sent to her"
assert_eq "$((1 + N_MIXED))" "$(count_files "$MAILBOXES/bob/new")" \
    "bob's maildir holds every message sent to him"
assert_eq "$EXP_NDR" "$(count_files "$MAILBOXES/sender/new")" \
    "the sender's maildir holds the non-delivery notification(s)"
assert_eq "$N_DEFER" "$(count_files "$PF_QUEUE/deferred")" \
    "the deferred messages wait in the deferred queue"
assert_eq 00 "$(count_files "$PF_QUEUE/active")$(count_files "$PF_QUEUE/incoming")" \
    "nothing is left in the active or incoming queue"
if [ -n "${MTAMON_PFGT_SAVE:-}" ]; then
    # For a look at a real Postfix log: MTAMON_PFGT_SAVE=DIR keeps a copy.
    mkdir -p "$MTAMON_PFGT_SAVE" && cp "$LOG" "$MTAMON_PFGT_SAVE/maillog"
fi

# --- the log itself: the ground truth, counted by hand -------------------

section "the log Postfix wrote"
assert_eq "$((EXP_RECEIVED - N_PICKUP))" "$(count_log 'postfix/smtpd\[[0-9]+\]: [0-9A-F]+: client=')" \
    "smtpd queued $((EXP_RECEIVED - N_PICKUP)) messages"
assert_eq "$N_PICKUP" "$(count_log 'postfix/pickup\[[0-9]+\]: [0-9A-F]+: uid=')" \
    "pickup queued $N_PICKUP message(s)"
assert_eq "$EXP_DELIVERED" "$(count_log ' status=sent ')" "$EXP_DELIVERED deliveries (status=sent)"
assert_eq "$EXP_BOUNCED" "$(count_log ' status=bounced ')" "$EXP_BOUNCED bounce(s)"
assert_eq "$EXP_DEFERRALS" "$(count_log 'postfix/smtp\[[0-9]+\]: [0-9A-F]+: to=<[^>]*>, relay=none, .* status=deferred \(connect to ')" \
    "$EXP_DEFERRALS deferrals by the smtp client"
# A recipient refused after another was accepted is logged under the
# queue id, not NOQUEUE.
assert_eq "$N_REJ_ONLY" "$(count_log 'smtpd\[[0-9]+\]: NOQUEUE: reject: RCPT ')" \
    "$N_REJ_ONLY NOQUEUE rejections at RCPT"
assert_eq "$N_MIXED" "$(count_log 'smtpd\[[0-9]+\]: [0-9A-F]+: reject: RCPT ')" \
    "$N_MIXED rejection(s) at RCPT under a queue id"
assert_eq "$EXP_NDR" "$(count_log 'sender non-delivery notification: ')" \
    "$EXP_NDR non-delivery notification(s)"

# --- pflogsumm -------------------------------------------------------------

section "pflogsumm"
run "$PFLOGSUMM" "$LOG"
assert_exit 0 "pflogsumm reads the log"
cp "$IT_TMP/out" "$T/pflogsumm.out"

# pf_total WORD: the Grand Totals figure in front of WORD ("received", ...).
pf_total()
{
    sed -n "s/^ *\([0-9][0-9]*\)  *$1\b.*/\1/p" "$T/pflogsumm.out" | head -n 1
}
PF_RECEIVED=$(pf_total received)
PF_DELIVERED=$(pf_total delivered)
PF_DEFERRED=$(pf_total deferred)
PF_BOUNCED=$(pf_total bounced)
PF_REJECTED=$(pf_total rejected)
assert_eq "$EXP_RECEIVED" "$PF_RECEIVED" "pflogsumm: received"
assert_eq "$EXP_DELIVERED" "$PF_DELIVERED" "pflogsumm: delivered"
assert_eq "$EXP_DEFERRED" "$PF_DEFERRED" "pflogsumm: deferred"
PF_DEFERRALS=$(sed -n 's/^ *[0-9][0-9]*  *deferred  *(\([0-9][0-9]*\)  *deferrals)$/\1/p' "$T/pflogsumm.out")
assert_eq "$EXP_DEFERRALS" "$PF_DEFERRALS" "pflogsumm: deferrals"
assert_eq "$EXP_BOUNCED" "$PF_BOUNCED" "pflogsumm: bounced"
assert_eq "$EXP_REJECTED" "$PF_REJECTED" "pflogsumm: rejected"

# --- mtamon feed -----------------------------------------------------------

section "mtamon feed --format postfix --once --from-start"
# Every line is Postfix's: none may be malformed, another program's or lost.
feed_run_once "" postfix "$LOG" "$T" unparsed skipped event_errors

# Bytes, from pflogsumm too (they stay below its 512k "k" threshold).
PF_BYTES_RCVD=$(sed -n 's/^ *\([0-9][0-9]*\)  *bytes received$/\1/p' "$T/pflogsumm.out")
PF_BYTES_DLVD=$(sed -n 's/^ *\([0-9][0-9]*\)  *bytes delivered$/\1/p' "$T/pflogsumm.out")
REFUSED_CONNECTS=$(count_log 'postfix/smtp\[[0-9]+\]: connect to 127\.0\.0\.1\[127\.0\.0\.1\]:[0-9]+: Connection refused$')

# The mapping is parse_postfix.c's (its header comment): channels are the
# services (smtpd, pickup, bounce for notifications; the delivery
# transports virtual and smtp); on a delivery channel a "message" is one
# recipient copy, Received when it is final or first deferred; the source
# service's Submitted counts each queue id once, with its size.  So:
#   pflogsumm received        = Submitted messages of smtpd + pickup
#   pflogsumm bytes received  = Submitted volume of smtpd + pickup
#   pflogsumm delivered       = Delivered messages, all channels
#   pflogsumm bytes delivered = Delivered volume, all channels
#   pflogsumm bounced         = Failed messages, all channels
#   pflogsumm rejected        = Rejected messages (on smtpd)
#   pflogsumm deferrals       = Attempted messages (on smtp)
#   pflogsumm deferred        = Stored messages (the recipient copies still
#                               queued), only because here each deferred
#                               message has one recipient and stays deferred:
#                               pflogsumm counts queue ids ever deferred,
#                               which no mtamon counter keeps in general.
feed_py_check "mtamon" "$T/counters.json" \
    "$EXP_RECEIVED" "$EXP_DELIVERED" "$EXP_DEFERRED" "$EXP_BOUNCED" \
    "$EXP_REJECTED" "$EXP_NDR" "$N_PICKUP" "$EXP_DEFERRALS" \
    "$PF_RECEIVED" "$PF_DELIVERED" "$PF_DEFERRED" "$PF_BOUNCED" "$PF_REJECTED" \
    "$PF_DEFERRALS" "$PF_BYTES_RCVD" "$PF_BYTES_DLVD" "$REFUSED_CONNECTS" <<'EOF'
(exp_received, exp_delivered, exp_deferred, exp_bounced, exp_rejected,
 exp_ndr, exp_pickup, exp_deferrals) = map(int, sys.argv[2:10])
(pf_received, pf_delivered, pf_deferred, pf_bounced, pf_rejected,
 pf_deferrals, pf_bytes_rcvd, pf_bytes_dlvd,
 refused_connects) = map(int, sys.argv[10:19])

check("channels", sorted(channel_names(doc)),
      ["bounce", "pickup", "smtp", "smtpd", "virtual"])

received = c("smtpd", "submitted_messages") + c("pickup", "submitted_messages")
figures = [
    ("received", received, exp_received, pf_received),
    ("delivered", total("delivered_messages"), exp_delivered, pf_delivered),
    ("deferred", sum(stored(name) for name in channel_names(doc)),
     exp_deferred, pf_deferred),
    ("deferrals", total("attempted_messages"), exp_deferrals, pf_deferrals),
    ("bounced", total("failed_messages"), exp_bounced, pf_bounced),
    ("rejected", total("rejected_messages"), exp_rejected, pf_rejected),
]
check_figures(figures, "pflogsumm's")

check("bytes received = pflogsumm's",
      c("smtpd", "submitted_volume") + c("pickup", "submitted_volume"),
      pf_bytes_rcvd)
check("bytes delivered = pflogsumm's", total("delivered_volume"), pf_bytes_dlvd)

# Where each figure lives.
check("smtpd: Submitted", c("smtpd", "submitted_messages"),
      exp_received - exp_pickup)
check("smtpd: Rejected", c("smtpd", "rejected_messages"), exp_rejected)
check("pickup: Submitted", c("pickup", "submitted_messages"), exp_pickup)
check("bounce: Submitted (the notifications)", c("bounce", "submitted_messages"),
      exp_ndr)
check("virtual: Delivered", c("virtual", "delivered_messages"), exp_delivered)
check("virtual: Failed (the bounce)", c("virtual", "failed_messages"), exp_bounced)
check("virtual: Received = Delivered + Failed",
      c("virtual", "received_messages"), exp_delivered + exp_bounced)
check("virtual: nothing left queued", stored("virtual"), 0)
check("smtp: Received (the deferred copies)", c("smtp", "received_messages"),
      exp_deferred)
check("smtp: Attempted", c("smtp", "attempted_messages"), exp_deferrals)
check("smtp: Delivered", c("smtp", "delivered_messages"), 0)
check("smtp: the deferred copies stay queued", stored("smtp"), exp_deferred)
# One SMTP session, opened and closed; each refused connection of the
# smtp client is a failed outbound association.
check("smtpd: inbound associations", c("smtpd", "inbound_associations"), 1)
check("smtpd: no association left open",
      get(channel(doc, "smtpd"), "associations", "inbound_current"), 0)
check_true("the log has the refused connections", refused_connects >= 1,
           "none found")
check("smtp: failed outbound associations",
      c("smtp", "outbound_associations_failed"), refused_connects)
EOF

finish
