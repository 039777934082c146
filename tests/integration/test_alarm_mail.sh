#!/bin/bash
# test_alarm_mail.sh - the postmaster's alarm mail (alarm_mail.[ch])
# through a real MTA into a real mailbox: the private Postfix of
# mail_servers.sh (smtpd on a free port, LMTP into the private Dovecot).
# alarm-mail-once sends an alarm's raise and its clear through alarm_mail,
# the code mtamond runs.
#
#   smtp       plain SMTP to Postfix's smtpd: both messages arrive, with
#              their subjects, Auto-Submitted: auto-generated, From, To,
#              MIME headers, a Message-ID naming the host, and the body's
#              fields; Postfix logged both as sent
#   dots       an alarm whose name starts a body line with '.': the line
#              arrives as it was (dot-stuffed on the wire, unstuffed by
#              Postfix)
#   command    the same through Postfix's own sendmail (-C the private
#              instance, -t -i): the command path into the mailbox
#   refused    nothing listening: both fail, each logged with why, exit 1
#
# Skips (77, with the reason) unless root with Dovecot (dovecot-imapd,
# dovecot-pop3d, dovecot-lmtpd), Postfix and openssl installed.
# Everything it starts is stopped by PID.
#
# Run by `make check`; by hand:
#   cd BUILDDIR && MTAMON_BUILDDIR=$PWD MTAMON_SRCDIR=SRCDIR \
#       bash SRCDIR/tests/integration/test_alarm_mail.sh

# shellcheck disable=SC2317  # functions called indirectly (trap, wait_until)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/mail_servers.sh
. "$(dirname "$0")/mail_servers.sh"

ALARM_MAIL_ONCE=$IT_BUILDDIR/tests/integration/alarm-mail-once
require_program "$ALARM_MAIL_ONCE"

T0=$(now_ms)
FROM=mtamond@client.test
MAILHOST=mx1.client.test

section "private Dovecot and Postfix"
t=$(now_ms)
start_dovecot
pass "Dovecot running (pid $DOVECOT_PID; lmtp $DOVECOT_LMTP_PORT) in $(($(now_ms) - t)) ms"
t=$(now_ms)
start_postfix_smtpd
pass "Postfix running (master pid $PF_MASTER_PID; smtpd $POSTFIX_SMTP_PORT) in $(($(now_ms) - t)) ms"

# check_message SUBJECT SEQUENCE STATE FROM: the message with SUBJECT
# arrived, and its headers and body are alarm_mail's.
check_message()
{
    local subject=$1 seq=$2 state=$3 from=$4 f id
    if ! dovecot_wait_subject "$subject" 30; then
        fail "'$subject' arrived in the mailbox within 30 s" \
            "$(postfix_smtpd_log)" "$(dovecot_log)"
        return
    fi
    f=$(dovecot_message_with_subject "$subject")
    pass "'$subject' arrived in the mailbox"
    assert_eq "auto-generated" "$(mail_header "$f" Auto-Submitted)" \
        "seq $seq: Auto-Submitted: auto-generated (RFC 3834)"
    assert_eq "$from" "$(mail_header "$f" From)" "seq $seq: From:"
    assert_eq "$DOVECOT_USER" "$(mail_header "$f" To)" "seq $seq: To:"
    assert_eq "1.0" "$(mail_header "$f" MIME-Version)" "seq $seq: MIME-Version:"
    assert_eq "text/plain; charset=UTF-8" "$(mail_header "$f" Content-Type)" \
        "seq $seq: Content-Type:"
    id=$(mail_header "$f" Message-ID)
    case $id in
    "<mtamon.alarm.$seq."*"@$MAILHOST>") pass "seq $seq: Message-ID: $id" ;;
    *) fail "seq $seq: Message-ID <mtamon.alarm.$seq.*@$MAILHOST>" "actual: '$id'" ;;
    esac
    if mail_header "$f" Date >/dev/null; then
        pass "seq $seq: Date:"
    else
        fail "seq $seq: Date:" "$(cat "$f")"
    fi
    local line
    for line in "Sequence:  $seq" "State:     $state" "Host:      $MAILHOST" \
        "Object:    spool" "Kind:      disk_free" "Severity:  major"; do
        if grep -qx -- "$line" "$f"; then
            pass "seq $seq: body line '$line'"
        else
            fail "seq $seq: body line '$line'" "$(cat "$f")"
        fi
    done
}

# --- SMTP -------------------------------------------------------------------

section "smtp: a raise and its clear to Postfix's smtpd"
run "$ALARM_MAIL_ONCE" -s "127.0.0.1:$POSTFIX_SMTP_PORT" -f "$FROM" -t "$DOVECOT_USER" \
    -H "$MAILHOST" -T 30000
assert_exit 0 "alarm-mail-once over SMTP"
assert_eq "queued=2 sent=2 failed=0 dropped=0" "$OUT" "both sent, none failed or dropped"
assert_eq "" "$ERR" "nothing logged"
check_message "[mtamon] RAISED major: spool-disk spool: disk_free 4.7 <= 10" 1 active "$FROM"
check_message "[mtamon] CLEARED major: spool-disk spool: disk_free 16 > 15" 2 clear "$FROM"
n=$(grep -c "to=<$DOVECOT_USER>.*status=sent" "$POSTFIX_LOG" 2>/dev/null)
if [ "${n:-0}" -ge 2 ]; then
    pass "Postfix logged the deliveries as sent ($n)"
else
    fail "Postfix logged the deliveries as sent (2)" "$(postfix_smtpd_log)"
fi

section "dots: a body line that starts with '.'"
run "$ALARM_MAIL_ONCE" -s "127.0.0.1:$POSTFIX_SMTP_PORT" -f "$FROM" -t "$DOVECOT_USER" \
    -H "$MAILHOST" -n .dots -T 30000
assert_exit 0 "alarm-mail-once, alarm .dots"
SUBJECT="[mtamon] RAISED major: .dots spool: disk_free 4.7 <= 10"
if dovecot_wait_subject "$SUBJECT" 30; then
    f=$(dovecot_message_with_subject "$SUBJECT")
    if grep -qx -- ".dots raised on spool: disk_free 4.7 <= 10." "$f"; then
        pass "the line starting with '.' arrived as it was"
    else
        fail "the line starting with '.' arrived as it was" "$(cat "$f")"
    fi
else
    fail "'$SUBJECT' arrived within 30 s" "$(postfix_smtpd_log)"
fi

# --- the command -------------------------------------------------------------

section "command: Postfix's sendmail -t -i"
run "$ALARM_MAIL_ONCE" -c "$PF_SBIN/sendmail -C $PF_ETC -t -i -f $FROM" -f "$FROM" \
    -t "$DOVECOT_USER" -H "$MAILHOST" -n cmd-disk -T 30000
assert_exit 0 "alarm-mail-once through sendmail"
assert_eq "queued=2 sent=2 failed=0 dropped=0" "$OUT" "both sent"
assert_eq "" "$ERR" "nothing logged"
for s in "[mtamon] RAISED major: cmd-disk spool: disk_free 4.7 <= 10" \
    "[mtamon] CLEARED major: cmd-disk spool: disk_free 16 > 15"; do
    if dovecot_wait_subject "$s" 30; then
        f=$(dovecot_message_with_subject "$s")
        pass "'$s' arrived in the mailbox"
        assert_eq "auto-generated" "$(mail_header "$f" Auto-Submitted)" \
            "'$s': Auto-Submitted: auto-generated"
    else
        fail "'$s' arrived within 30 s" "$(postfix_smtpd_log)"
    fi
done

# Every message is one of the six above: nothing else came (no bounce,
# no copy).
n=0
for f in "$DOVECOT_MAILDIR"/new/* "$DOVECOT_MAILDIR"/cur/*; do
    [ -f "$f" ] && n=$((n + 1))
done
assert_eq 6 "$n" "six messages in the mailbox"

# --- failures ------------------------------------------------------------------

section "refused: nothing listens"
ms_free_port CLOSED_PORT
run "$ALARM_MAIL_ONCE" -s "127.0.0.1:$CLOSED_PORT" -f "$FROM" -t "$DOVECOT_USER" -T 10000
assert_exit 1 "alarm-mail-once to a closed port"
assert_eq "queued=2 sent=0 failed=2 dropped=0" "$OUT" "both failed"
assert_eq 2 "$(grep -c "alarm mail not sent (smtp 127.0.0.1:$CLOSED_PORT): .*: connect: Connection refused" "$IT_TMP/err")" \
    "each failure logged once, with why"

# --- stop ------------------------------------------------------------------

section "stop"
assert_servers_stopped
printf 'the whole test took %d ms\n' "$(($(now_ms) - T0))"

finish
