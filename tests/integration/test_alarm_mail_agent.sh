#!/bin/bash
# test_alarm_mail_agent.sh - mtamond mails the postmaster: its alarms'
# raises and clears through a real MTA into a real mailbox (the private
# Postfix smtpd and Dovecot of mail_servers.sh), one message each; and a
# mail command that hangs delays nothing (the clear is decided and logged
# while the raise's mail still hangs, and SNMP answers meanwhile).
#
# Skips (77, with the reason) unless root with Dovecot, Postfix, openssl
# and Net-SNMP installed.  Everything it starts is stopped by PID.

# Helpers set the variables named by their first argument (printf -v):
# shellcheck disable=SC2154

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail_servers.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup
trap 'rc=$?; snmp_cleanup_short_dir; (exit "$rc"); ms_cleanup' EXIT

T=$IT_TMP
SEGMENT_STATUS=$ROOT.1.1.1.0

section "private Dovecot, Postfix and snmpd"
start_dovecot
pass "Dovecot running (pid $DOVECOT_PID)"
start_postfix_smtpd
pass "Postfix running (master pid $PF_MASTER_PID; smtpd $POSTFIX_SMTP_PORT)"
snmp_start_master || { fail "master starts"; finish; }

new_segment MTAMON_SEGMENT
SEG=$MTAMON_SEGMENT
emit --segment "$SEG" --create channel tcp_local
assert_exit 0 "the segment is created"

# mtamon_subjects: the Subject: of every message of mtamond's in the Maildir.
mtamon_subjects()
{
    local f
    for f in "$DOVECOT_MAILDIR"/new/* "$DOVECOT_MAILDIR"/cur/*; do
        [ -f "$f" ] || continue
        mail_header "$f" Subject
    done | grep -F '[mtamon]' | sort
}
n_mtamon_messages() { mtamon_subjects | grep -c .; }
has_messages() { [ "$(n_mtamon_messages)" -ge "$1" ]; }

ALARMS="alarms:
  - name: seg-missing
    kind: segment_missing
    interval: 1
    severity: critical"

section "raise and clear mailed over SMTP"
snmp_write_agent_config "$T/smtp.yaml" "alarm_options:
  mail:
    smtp: 127.0.0.1:$POSTFIX_SMTP_PORT
    from: mtamond@client.test
    to: $DOVECOT_USER
$ALARMS"
snmp_start_agent "$T/smtp.yaml"
snmp_wait_agent || snmp_require_agent "mtamond starts"
assert_agent_logs "mtamond says mail is on" "mail to the postmaster on"
cli --segment "$SEG" counters delete
assert_exit 0 "the segment is deleted"
assert_agent_logs "the raise is logged" "alarm seg-missing raised: segment_missing 1 >= 1"
emit --segment "$SEG" --create channel tcp_local
assert_agent_logs "the clear is logged" "alarm seg-missing cleared: segment_missing 0 < 1"
wait_until 30 has_messages 2
sleep 2   # a third would be a mistake: give it the time to show up
assert_eq "[mtamon] CLEARED critical: seg-missing: segment_missing 0 < 1
[mtamon] RAISED critical: seg-missing: segment_missing 1 >= 1" "$(mtamon_subjects)" \
    "one message for the raise, one for the clear, in the mailbox"
snmp_stop_agent
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond stops with status 0"

section "a mail command that hangs delays nothing"
snmp_write_agent_config "$T/hang.yaml" "alarm_options:
  mail:
    command: /bin/sleep 120
    timeout: 4
$ALARMS"
: >"$SNMP_AGENT_LOG"
snmp_start_agent "$T/hang.yaml"
snmp_wait_agent || snmp_require_agent "mtamond starts with the hanging command"
cli --segment "$SEG" counters delete
assert_exit 0 "the segment is deleted again"
assert_agent_logs "the raise is logged" "alarm seg-missing raised: segment_missing 1 >= 1"
emit --segment "$SEG" --create channel tcp_local
assert_agent_logs "the clear is logged" "alarm seg-missing cleared: segment_missing 0 < 1"
snmp_get status "$SEGMENT_STATUS"
assert_eq "INTEGER: 1" "$status" "mtamond answers a GET (mtamonSegmentStatus up)"
assert_agent_logs "the hanging command is killed at its timeout and logged" \
    "alarm mail not sent (command /bin/sleep): [mtamon] RAISED critical: seg-missing" 20
py_check "order in the log" "$SNMP_AGENT_LOG" <<'EOF'
lines = open(sys.argv[1]).read().splitlines()
def first(text):
    return next((i for i, l in enumerate(lines) if text in l), -1)
cleared = first("alarm seg-missing cleared")
failed = first("alarm mail not sent")
check("the clear was decided while the raise's mail still hung",
      0 <= cleared < failed, True)
EOF
snmp_stop_agent
assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond stops with status 0"
assert_eq 2 "$(n_mtamon_messages)" "nothing more reached the mailbox"

snmp_stop_master
finish
