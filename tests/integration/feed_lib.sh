# feed_lib.sh - what the ground-truth tests of `mtamon feed` share.
# shellcheck shell=bash
#
# test_feed_postfix.sh and test_feed_exim.sh send the same mail to a real
# MTA and check its log against the MTA's own statistics.  Source this
# file after lib.sh.

# feed_hold_refusing_port DIR: the relay that refuses: a socket bound to a
# port of 127.0.0.1 that never listens, held for the whole test (its
# process REFUSER_PID, its output in DIR/refuser.out), so that nothing
# else can take the port and every connection to it is refused.  The port
# in REFUSED_PORT; skips the test if none can be held.
feed_hold_refusing_port()
{
    start_bg REFUSER_PID "$1/refuser.out" python3 -c 'import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
print("port", s.getsockname()[1], flush=True)
time.sleep(3600)'
    wait_for_text "$1/refuser.out" "port " 10 ||
        skip "cannot hold a refusing port: $(cat "$1/refuser.out")"
    # shellcheck disable=SC2034 # for the test that sources this file
    REFUSED_PORT=$(sed -n 's/^port //p' "$1/refuser.out")
}

# feed_send_ground_truth PORT: the known SMTP traffic, from sender@gt.test
# to 127.0.0.1:PORT in one session of python3's smtplib, run as `run`
# runs a command (RC, OUT): N_SINGLE messages to alice, one to alice and
# bob, N_REJ_ONLY to reject-me (refused at RCPT), N_MIXED to bob and
# reject-me, N_BOUNCE to nobody-here and N_DEFER to userI@deferred.test.
# OUT says "accepted A refused R": A messages accepted, R recipients
# refused.
feed_send_ground_truth()
{
    run python3 - "$1" "$N_SINGLE" "$N_REJ_ONLY" "$N_MIXED" "$N_BOUNCE" \
        "$N_DEFER" <<'EOF'
import smtplib, sys

port, n_single, n_rej_only, n_mixed, n_bounce, n_defer = map(int, sys.argv[1:])
FROM = "sender@gt.test"
seq = 0
tally = {"accepted": 0, "refused_rcpts": 0}

def send(rcpts):
    global seq
    seq += 1
    body = ("From: <%s>\r\nTo: %s\r\nSubject: ground truth %d\r\n\r\n"
            "message %d\r\n" % (FROM, ", ".join("<%s>" % r for r in rcpts),
                                seq, seq))
    try:
        refused = s.sendmail(FROM, rcpts, body)
        tally["accepted"] += 1
        tally["refused_rcpts"] += len(refused)
    except smtplib.SMTPRecipientsRefused as e:
        # Every recipient refused: smtplib sent RSET, nothing was queued.
        tally["refused_rcpts"] += len(e.recipients)

s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.gt.test",
                 timeout=30)
for _ in range(n_single):
    send(["alice@gt.test"])
send(["alice@gt.test", "bob@gt.test"])
for _ in range(n_rej_only):
    send(["reject-me@gt.test"])
for _ in range(n_mixed):
    send(["bob@gt.test", "reject-me@gt.test"])
for _ in range(n_bounce):
    send(["nobody-here@gt.test"])
for i in range(n_defer):
    send(["user%d@deferred.test" % i])
s.quit()
print("accepted %d refused %d" % (tally["accepted"], tally["refused_rcpts"]))
EOF
}

# feed_stat DIR NAME: the value of the "NAME N" line of DIR/feed.stats.
feed_stat()
{
    sed -n "s/^$2 \([0-9][0-9]*\)$/\1/p" "$1/feed.stats"
}

# feed_run_once DESC FORMAT LOG DIR STAT...: `mtamon feed --format FORMAT
# --once --from-start --stats` over the whole of LOG into a new segment:
# it exits 0, reads every line of LOG and reports 0 for each STAT (such
# as unparsed, skipped).  Its --stats go to DIR/feed.stats, the segment's
# `counters show --json` to DIR/counters.json.  DESC begins each check's
# description.
feed_run_once()
{
    local desc=$1 format=$2 log=$3 dir=$4 seg stat
    shift 4
    new_segment seg
    run "$MTAMON" feed --format "$format" --once --from-start --stats --segment "$seg" "$log"
    assert_exit 0 "${desc}mtamon feed reads the log"
    cp "$IT_TMP/out" "$dir/feed.stats"
    assert_eq "$(wc -l <"$log" | tr -d ' ')" "$(feed_stat "$dir" lines)" \
        "${desc}feed read every line of the log"
    for stat in "$@"; do
        assert_eq 0 "$(feed_stat "$dir" "$stat")" "${desc}feed: $stat 0"
    done
    run "$MTAMON" counters show --json --segment "$seg"
    assert_exit 0 "${desc}counters show --json"
    cp "$IT_TMP/out" "$dir/counters.json"
}

# feed_py_check DESC COUNTERS_JSON ARG... <<'EOF' ... EOF: py_check with
# the counters of COUNTERS_JSON (sys.argv[1]) at hand: doc, the document;
# c(channel, key), one channel's counter; total(key), the sum over every
# channel; stored(channel), the messages a channel holds.
FEED_PY_PRELUDE='
doc = load(sys.argv[1])

def c(name, key):
    return counter(doc, name, key)

def total(key):
    return counter_total(doc, key)

def stored(name):
    return stored_messages(doc, name)
'

feed_py_check()
{
    local desc=$1 code
    shift
    code=$(cat)
    # Not through a pipe: py_check's passes and failures count here.
    py_check "$desc" "$@" <<<"$FEED_PY_PRELUDE$code"
}
