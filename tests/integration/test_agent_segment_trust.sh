#!/bin/bash
# test_agent_segment_trust.sh - mtamond serves the counter segment only
# when root or the user it runs as owns it and others cannot write it
# (anyone who may write it could publish false figures under the MTA's
# name): otherwise the MTA row is down, the tables are empty and the
# reason is logged once; segment.trust_any_owner: true serves it anyway.
#
# The other owner is nobody (uid 65534), given the object with chown, as
# if nobody had created it: that part needs root and is skipped otherwise.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

snmp_setup

APPL_OPER=1.3.6.1.2.1.27.1.1.6.1        # applOperStatus of the MTA (row 1)
RECEIVED=1.3.6.1.2.1.28.2.1.2.1.1       # mtaGroupReceivedMessages.1.1

new_segment SEG
MTAMON_SEGMENT=$SEG
SHM=$(shm_path "$SEG")
CONF="$IT_TMP/mtamon.yaml"
snmp_write_agent_config "$CONF"

snmp_start_master || { fail "snmpd answers on 127.0.0.1"; finish; }

# -----------------------------------------------------------------------------
section "segment.owner names no user"
printf 'segment:\n  name: %s\n  owner: no-such-user-mtamon\n' "$SEG" >"$IT_TMP/nouser.yaml"
sed '1,2d' "$CONF" >>"$IT_TMP/nouser.yaml"
run "$MTAMOND" -f -e -c "$IT_TMP/nouser.yaml" -p ""
assert_exit 67 "unknown segment.owner: exit status 67"
assert_contains "$ERR" "unknown segment.owner user: no-such-user-mtamon" \
    "unknown segment.owner: the message names it"

emit --segment "$SEG" --create channel tcp_local repeat 3 enqueue - tcp_local 1 100
assert_exit 0 "segment created with 3 messages received"
chmod 0666 "$SHM"
snmp_start_agent "$CONF"
snmp_wait_agent 20 || { fail "mtamond registers"; finish; }

# -----------------------------------------------------------------------------
section "writable by anyone"

UNTRUSTED_END="MTA down (segment.trust_any_owner: true would serve it)"
assert_snmp_wait_get "mode 0666: the MTA is down" "$APPL_OPER" "INTEGER: 2"
assert_snmp_get "mode 0666: no group row" "$RECEIVED" \
    "No Such Instance currently exists at this OID"
sleep 0.5   # many refreshes (10 ms): the reason must be logged once
assert_eq 1 "$(count_in_log "mtamond[error]: segment $SEG: not served: writable by anyone (mode 0666); $UNTRUSTED_END")" \
    "mode 0666: logged once, with the reason"
assert_eq 0 "$(count_in_log "segment $SEG: attached")" "mode 0666: never attached"

chmod 0660 "$SHM"
assert_snmp_wait_get "mode 0660: the MTA is up" "$APPL_OPER" "INTEGER: 1"
assert_snmp_get "mode 0660: the counters are served" "$RECEIVED" "Counter32: 3"
assert_eq 1 "$(count_in_log "segment $SEG: attached")" "mode 0660: 'attached' logged"

# -----------------------------------------------------------------------------
section "re-created by another user"

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    cli counters delete --segment "$SEG"
    assert_exit 0 "segment deleted"
    # Made under another name and renamed once nobody owns it: mtamond,
    # polling every second, must never see it owned by root (it would
    # attach it then, and the test would fail about one run in twenty).
    emit --segment "$SEG-staged" --create channel tcp_local repeat 99 enqueue - tcp_local 1 100
    chown nobody "$SHM-staged"
    mv "$SHM-staged" "$SHM"
    assert_snmp_wait_get "owned by nobody: the MTA is down" "$APPL_OPER" "INTEGER: 2"
    assert_snmp_get "owned by nobody: its figures are not served" "$RECEIVED" \
        "No Such Instance currently exists at this OID"
    sleep 0.5
    assert_eq 1 "$(count_in_log "mtamond[error]: segment $SEG: not served: owned by uid $(id -u nobody), neither root nor uid 0; $UNTRUSTED_END")" \
        "owned by nobody: logged once, with the reason"
    snmp_stop_agent TERM
    assert_eq 0 "$SNMP_AGENT_STATUS" "mtamond stops"

    # segment.owner: nobody is the MTA's account here; its segment is
    # served (mode 0660), with no trust_any_owner.
    printf 'segment:\n  name: %s\n  owner: nobody\n' "$SEG" >"$IT_TMP/owner.yaml"
    sed '1,2d' "$CONF" >>"$IT_TMP/owner.yaml"
    snmp_start_agent "$IT_TMP/owner.yaml"
    snmp_wait_agent 20 || fail "mtamond registers (segment.owner: nobody)"
    assert_snmp_wait_get "segment.owner: nobody: its segment is served" "$RECEIVED" "Counter32: 99"
    assert_snmp_get "segment.owner: nobody: the MTA is up" "$APPL_OPER" "INTEGER: 1"
    snmp_stop_agent TERM

    # The administrator says every local user is trusted.
    printf 'segment:\n  name: %s\n  trust_any_owner: true\n' "$SEG" >"$IT_TMP/any.yaml"
    sed '1,2d' "$CONF" >>"$IT_TMP/any.yaml"
    chmod 0666 "$SHM"
    snmp_start_agent "$IT_TMP/any.yaml"
    snmp_wait_agent 20 || fail "mtamond registers (trust_any_owner)"
    assert_snmp_wait_get "trust_any_owner: true: served" "$RECEIVED" "Counter32: 99"
    assert_snmp_get "trust_any_owner: true: the MTA is up" "$APPL_OPER" "INTEGER: 1"
    snmp_stop_agent TERM
else
    printf 'SKIP: the other owner needs root and a user nobody\n'
fi

finish
