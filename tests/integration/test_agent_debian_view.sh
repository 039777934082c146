#!/bin/bash
# test_agent_debian_view.sh - the view lines of conf/snmpd.conf make
# mtamond's subtrees visible to a community with Debian's stock access
# configuration.
#
# Debian's /etc/snmp/snmpd.conf gives its community only the view
# systemonly (system and hrSystem), so a walk of mib-2.27, mib-2.28 or
# MTAMON-MIB ends at once ("No more variables left in this MIB View")
# although mtamond serves them.  The stock lines are written here (not
# read from /etc/snmp, which may have been edited), with the community
# called "stock": snmp_lib.sh's master already gives "public" from
# 127.0.0.1 every object, and the first matching community line wins.
#
#   1. master with the stock lines: the stock community's walks of the
#      three subtrees are empty, while public's (full view) are not;
#   2. the view lines of conf/snmpd.conf (extracted, not retyped) added,
#      master restarted: the stock community's walks equal public's.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

require_program "$MTAMON"
snmp_setup

STOCK="view   systemonly  included   .1.3.6.1.2.1.1
view   systemonly  included   .1.3.6.1.2.1.25.1
rocommunity  stock default -V systemonly"
VIEW_LINES=$(grep '^view  *systemonly  *included ' "$IT_TOP_SRCDIR/conf/snmpd.conf")
assert_eq 3 "$(grep -c . <<<"$VIEW_LINES")" "conf/snmpd.conf has three view lines"
assert_contains "$VIEW_LINES" ".1.3.6.1.4.1.8072.9999.9999.25" "conf/snmpd.conf: MTAMON-MIB's root"

new_segment SEG
export MTAMON_SEGMENT=$SEG
"$MTAMON" counters create >/dev/null || fail "counters create"
emit repeat 3 enqueue - tcp_local 1 1000
assert_exit 0 "three messages received on tcp_local"

SNMP_MASTER_EXTRA=$STOCK
snmp_start_master || skip "snmpd does not start"
snmp_write_agent_config "$IT_TMP/mtamon.yaml"
snmp_start_agent "$IT_TMP/mtamon.yaml"
snmp_wait_agent || snmp_require_agent

# walk_as COMMUNITY VAR OID: snmp_walk with that community.
walk_as()
{
    SNMP_COMMUNITY=$1 snmp_walk "$2" "$3"
}

# ------------------------------------------------------------------------
section "Debian's stock view: mtamond's subtrees are hidden"

for oid in $NS $MTA $ROOT; do
    walk_as public full "$oid"
    assert_contains "$full" ".$oid." "full view: $oid is served"
    walk_as stock hidden "$oid"
    assert_not_contains "$hidden" ".$oid." "stock view: nothing of $oid"
done
walk_as stock sys 1.3.6.1.2.1.1
assert_contains "$sys" ".1.3.6.1.2.1.1.3.0 = Timeticks" "stock view: the community works (system)"
SNMP_COMMUNITY=stock snmp_tool snmpwalk "$SNMP_TARGET" "$MTA"
assert_contains "$OUT" "No more variables left in this MIB View" \
    "stock view: snmpwalk of mib-2.28 says 'No more variables left in this MIB View'"

# ------------------------------------------------------------------------
section "with conf/snmpd.conf's view lines"

SNMP_MASTER_EXTRA="$STOCK
$VIEW_LINES"
snmp_restart_master || fail "snmpd restarts"
snmp_wait_agent || snmp_require_agent
for oid in $NS $MTA $ROOT; do
    walk_as public full "$oid"
    walk_as stock seen "$oid"
    assert_contains "$seen" ".$oid." "view lines added: $oid is visible"
    # TimeTicks and the snapshot's age move between two walks: compare
    # the OIDs.  MTAMON-MIB is the last subtree of the view: that walk
    # ends on the endOfMibView exception, printed as one more line.
    assert_eq "$(cut -d' ' -f1 <<<"$full")" \
        "$(grep -v ' = No more variables left in this MIB View' <<<"$seen" | cut -d' ' -f1)" \
        "view lines added: the same objects as the full view under $oid"
done
walk_as stock rows "$MTA.2.1.2"
assert_contains "$rows" " = Counter32: 3" "view lines added: tcp_local's mtaGroupReceivedMessages"

snmp_stop_agent
snmp_stop_master
finish
