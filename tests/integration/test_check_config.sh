#!/bin/bash
# test_check_config.sh - `mtamon check-config FILE` checks what mtamond
# needs from this machine at start (config_env.c): daemon.user and
# daemon.group exist, the pidfile's directory exists and may be written by
# whoever starts mtamond, the group-index file's directory exists, may be
# written by the daemon user and passes mtamond's StrictModes check
# (errors: exit 69); the segment and the AgentX socket exist and may be
# used by the daemon user (warnings: exit 0).  Where check-config says
# mtamond cannot start, mtamond is run too and must fail with the status
# the message names.  The shipped conf/mtamon.yaml, with its paths moved
# into the test's directory, passes with two warnings as it does after the
# Debian package's postinst (user and /var/lib/mtamon made, no segment, no
# master).  Users: nobody (and its group nogroup), which every Debian has.
#
# Run by `make check` (as root for most of it); by hand:
#   cd BUILDDIR && SRCDIR/tests/integration/test_check_config.sh

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
MTAMOND="$IT_BUILDDIR/src/agent/mtamond"
require_program "$MTAMON"
require_program "$MTAMOND"

[ "$(id -u)" -eq 0 ] || skip "needs root: checks for another user (nobody) and runs mtamond as root"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
    skip "no user nobody or no group nogroup"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"

T=$IT_TMP
# The user nobody must reach what it is given below: the test's own
# directory is searchable (not readable) by others.
chmod 0711 "$T"
C=$T/c.yaml
NOUSER=mtamon-no-such-user-$$

seg=
new_segment seg # sets seg

# conf USER GROUP INDEX_FILE PIDFILE SOCKET: a configuration in $C.
conf()
{
    cat >"$C" <<EOF
segment:
  name: $seg
agentx:
  socket: $5
daemon:
  user: "$1"
  group: "$2"
  pidfile: "$4"
  log: stderr
  index_file: $3
EOF
}

# check WANT_STATUS DESC: check-config $C exits WANT_STATUS.
check()
{
    cli check-config "$C"
    assert_exit "$1" "$2: exit status $1"
}

# as_nobody CMD...: run CMD as nobody:nogroup without other groups.
as_nobody()
{
    run setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# make_socket PATH: a Unix socket at PATH, left behind by its process as
# a running master's is.
make_socket()
{
    python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"
}

mkdir -m 0755 "$T/run" "$T/agentx"
mkdir -m 0755 "$T/lib" && chown nobody: "$T/lib"
make_socket "$T/agentx/master"
chmod 0666 "$T/agentx/master"
"$MTAMON" --segment "$seg" counters create --group nogroup >/dev/null ||
    fail "counters create --group nogroup"

# ------------------------------------------------------------------------
section "everything in place: exit 0, no finding"

conf nobody nogroup "$T/lib/group-index" "$T/run/mtamond.pid" "$T/agentx/master"
check 0 "in place"
assert_eq "$C: ok (1 applications, 0 channels)" "$OUT" "in place: summary"
assert_eq "" "$ERR" "in place: nothing on stderr"

# ------------------------------------------------------------------------
section "daemon.user and daemon.group that do not exist: errors, and mtamond exits 67"

conf "$NOUSER" nogroup "$T/lib/group-index" "$T/run/mtamond.pid" "$T/agentx/master"
check 69 "unknown user"
assert_eq "" "$OUT" "unknown user: nothing on stdout"
assert_eq "mtamon: $C: daemon.user: error: unknown user '$NOUSER' on this system: mtamond would exit with status 67 (EX_NOUSER)
mtamon: $C: 1 error, 0 warnings: mtamond cannot run with it on this machine" "$ERR" \
    "unknown user: the finding and the summary"
run "$MTAMOND" -f -e -c "$C"
assert_exit 67 "unknown user: mtamond exits with the status check-config named"
assert_contains "$ERR" "unknown user '$NOUSER'" "unknown user: mtamond's message"
assert_missing "$T/run/mtamond.pid" "unknown user: mtamond wrote no pidfile"

conf nobody "$NOUSER" "$T/lib/group-index" "$T/run/mtamond.pid" "$T/agentx/master"
check 69 "unknown group"
assert_eq "mtamon: $C: daemon.group: error: unknown group '$NOUSER' on this system: mtamond would exit with status 67 (EX_NOUSER)" \
    "$(head -n 1 <<<"$ERR")" "unknown group: the finding"
run "$MTAMOND" -f -e -c "$C"
assert_exit 67 "unknown group: mtamond exits 67 too"

printf 'segment:\n  owner: %s\ndaemon:\n  index_file: %s\n' "$NOUSER" "$T/lib/group-index" >"$T/owner.yaml"
cli check-config "$T/owner.yaml"
assert_exit 69 "unknown segment.owner: exit status 69"
assert_contains "$ERR" "$T/owner.yaml: segment.owner: error: unknown user '$NOUSER' on this system" \
    "unknown segment.owner: the finding"

# ------------------------------------------------------------------------
section "the group-index file's directory"

conf nobody nogroup "$T/missing/group-index" "$T/run/mtamond.pid" "$T/agentx/master"
check 69 "index directory missing"
assert_eq "mtamon: $C: daemon.index_file: error: directory $T/missing does not exist: mtamond could not keep $T/missing/group-index, and mtaGroupIndex values would change at its next start" \
    "$(head -n 1 <<<"$ERR")" "index directory missing: the finding"

mkdir -m 0755 "$T/rootdir"
conf nobody nogroup "$T/rootdir/group-index" "$T/run/mtamond.pid" "$T/agentx/master"
check 69 "index directory root's, 0755"
assert_eq "mtamon: $C: daemon.index_file: error: directory $T/rootdir (owner root, group root, mode 0755) is not writable by user nobody (uid 65534): mtamond could not keep $T/rootdir/group-index, and mtaGroupIndex values would change at its next start" \
    "$(head -n 1 <<<"$ERR")" "index directory root's: the finding names owner, mode and user"

# Writable through its group, but mtamond refuses a directory its group
# may write (StrictModes): an error, and mtamond really stops (78).
mkdir "$T/groupdir" && chgrp nogroup "$T/groupdir" && chmod 0775 "$T/groupdir"
conf nobody nogroup "$T/groupdir/group-index" "" "$T/agentx/master"
check 69 "index directory group-writable"
assert_eq "mtamon: $C: daemon.index_file: error: directory $T/groupdir: writable by its group (mode 0775): only its owner may write it: mtamond would refuse it and exit with status 78 (EX_CONFIG)" \
    "$(head -n 1 <<<"$ERR")" "index directory group-writable: mtamond's StrictModes message"
run "$MTAMOND" -f -e -c "$C"
assert_exit 78 "index directory group-writable: mtamond exits 78 as check-config said"
assert_contains "$ERR" "unsafe daemon.index_file" "index directory group-writable: mtamond's message"

# A directory on the way that nobody may not search.
mkdir -m 0700 "$T/closed" && mkdir -m 0755 "$T/closed/lib" && chown nobody: "$T/closed/lib"
conf nobody nogroup "$T/closed/lib/group-index" "$T/run/mtamond.pid" "$T/agentx/master"
check 69 "index directory behind a closed one"
assert_contains "$ERR" "daemon.index_file: error: directory $T/closed/ (owner root, group root, mode 0700) is not searchable by user nobody (uid 65534)" \
    "closed directory on the way: named"

# An index file the user cannot read: mtamond cannot start (78).
printf '1 tcp_local\n' >"$T/lib/group-index"
chmod 0600 "$T/lib/group-index"
conf nobody nogroup "$T/lib/group-index" "" "$T/agentx/master"
check 69 "index file unreadable"
assert_eq "mtamon: $C: daemon.index_file: error: file $T/lib/group-index (owner root, group root, mode 0600) is not readable by user nobody (uid 65534): mtamond would exit with status 78 (EX_CONFIG)" \
    "$(head -n 1 <<<"$ERR")" "index file unreadable: the finding"
run "$MTAMOND" -f -e -c "$C"
assert_exit 78 "index file unreadable: mtamond exits 78 as check-config said"
rm -f "$T/lib/group-index"

# ------------------------------------------------------------------------
section "the pidfile's directory"

conf nobody nogroup "$T/lib/group-index" "$T/norun/mtamond.pid" "$T/agentx/master"
check 69 "pidfile directory missing"
assert_eq "mtamon: $C: daemon.pidfile: error: directory $T/norun does not exist: mtamond cannot create $T/norun/mtamond.pid and would exit with status 73 (EX_CANTCREAT)" \
    "$(head -n 1 <<<"$ERR")" "pidfile directory missing: the finding"
run "$MTAMOND" -f -e -c "$C"
assert_exit 73 "pidfile directory missing: mtamond exits 73 as check-config said"

ln -s "$T/elsewhere" "$T/run/link.pid"
conf nobody nogroup "$T/lib/group-index" "$T/run/link.pid" "$T/agentx/master"
check 69 "pidfile a symbolic link"
assert_contains "$ERR" "daemon.pidfile: error: $T/run/link.pid is a symbolic link" "pidfile a symbolic link: refused"

# ------------------------------------------------------------------------
section "the segment: warnings only"

absent=
new_segment absent # sets absent
seg_saved=$seg
seg=$absent
conf nobody nogroup "$T/lib/group-index" "$T/run/mtamond.pid" "$T/agentx/master"
check 0 "segment absent"
assert_eq "mtamon: $C: segment.name: warning: segment $absent does not exist yet: mtamond serves the MTA as down until it is created (mtamon counters create, or the MTA's first write)" \
    "$ERR" "segment absent: the warning"
assert_eq "$C: ok (1 applications, 0 channels), 1 warning" "$OUT" "segment absent: the summary counts it"
assert_missing "$(shm_path "$absent")" "segment absent: check-config did not create it"

rootonly=
new_segment rootonly # sets rootonly
"$MTAMON" --segment "$rootonly" counters create >/dev/null
seg=$rootonly
conf nobody nogroup "$T/lib/group-index" "$T/run/mtamond.pid" "$T/agentx/master"
check 0 "segment not readable by the user's groups"
assert_eq "mtamon: $C: segment.name: warning: segment $rootonly (owner root, group root, mode 0660) is not readable by user nobody (uid 65534): mtamond serves the MTA as down (create it with --group nogroup, or set daemon.group)" \
    "$ERR" "segment not readable: the warning"
seg=$seg_saved

# ------------------------------------------------------------------------
section "the AgentX socket: warnings only"

conf nobody nogroup "$T/lib/group-index" "$T/run/mtamond.pid" "$T/agentx/none"
check 0 "socket absent"
assert_eq "mtamon: $C: agentx.socket: warning: no AgentX socket $T/agentx/none yet: mtamond retries every 15 s until the master agent creates it (snmpd.conf: master agentx)" \
    "$ERR" "socket absent: the warning"
assert_eq "$C: ok (1 applications, 0 channels), 1 warning" "$OUT" "socket absent: summary"

chmod 0600 "$T/agentx/master"
conf nobody nogroup "$T/lib/group-index" "$T/run/mtamond.pid" "unix:$T/agentx/master"
check 0 "socket not writable by the user"
assert_eq "mtamon: $C: agentx.socket: warning: AgentX socket $T/agentx/master (owner root, group root, mode 0600) is not writable by user nobody (uid 65534): mtamond cannot connect to the master (snmpd.conf: agentXPerms SOCKPERMS DIRPERMS USER GROUP)" \
    "$ERR" "socket not writable: the warning"
chgrp nogroup "$T/agentx/master" && chmod 0660 "$T/agentx/master"
check 0 "socket writable through the group"
assert_eq "" "$ERR" "socket writable through daemon.group: no warning"

conf nobody nogroup "$T/lib/group-index" "$T/run/mtamond.pid" "tcp:127.0.0.1:705"
check 0 "tcp socket"
assert_eq "" "$ERR" "tcp:HOST:PORT: not examined"

# ------------------------------------------------------------------------
section "--syntax-only: the file alone"

conf "$NOUSER" "$NOUSER" "$T/missing/group-index" "$T/norun/mtamond.pid" "$T/agentx/none"
cli check-config --syntax-only "$C"
assert_exit 0 "--syntax-only: exit status 0 whatever the machine lacks"
assert_eq "$C: ok (1 applications, 0 channels)" "$OUT" "--syntax-only: summary"
assert_eq "" "$ERR" "--syntax-only: no finding"
printf 'daemon:\n  user: [\n' >"$T/bad.yaml"
cli check-config --syntax-only "$T/bad.yaml"
assert_exit 78 "--syntax-only: a bad file still exits 78"
cli check-config "$T/bad.yaml"
assert_exit 78 "a bad file: 78 before any environment check"

# ------------------------------------------------------------------------
section "not root: checked for the user running it"

# No daemon.user: mtamond runs as whoever starts it, here nobody, who may
# not write the root-owned directories.
cat >"$T/plain.yaml" <<EOF
segment:
  name: $seg
agentx:
  socket: $T/agentx/master
daemon:
  pidfile: $T/run/mtamond.pid
  index_file: $T/rootdir/group-index
EOF
chmod 0644 "$T/plain.yaml"
as_nobody "$MTAMON" check-config "$T/plain.yaml"
assert_exit 69 "as nobody: exit status 69"
assert_contains "$ERR" "daemon.pidfile: error: directory $T/run (owner root, group root, mode 0755) is not writable by user nobody (uid 65534)" \
    "as nobody: the pidfile directory"
assert_contains "$ERR" "daemon.index_file: error: directory $T/rootdir (owner root, group root, mode 0755) is not writable by user nobody (uid 65534)" \
    "as nobody: the index directory"
# As root, the same file passes, with a warning that mtamond would keep
# every privilege.
cli check-config "$T/plain.yaml"
assert_exit 0 "as root without daemon.user: exit status 0"
assert_eq "mtamon: $T/plain.yaml: daemon.user: warning: is empty: mtamond started as root keeps every privilege; set it to an unprivileged user such as mtamon" \
    "$ERR" "as root without daemon.user: the warning"

# daemon.user another user: only root switches, so nobody is checked.
conf daemon "" "$T/lib/group-index" "" "$T/agentx/master"
chmod 0644 "$C"
as_nobody "$MTAMON" check-config "$C"
assert_contains "$ERR" "$C: daemon.user: warning: mtamond switches to 'daemon' only when started as root: checked for user nobody (uid 65534), who runs check-config; run it as root to check for 'daemon'" \
    "as nobody with daemon.user daemon: the warning says whom it checked"

# ------------------------------------------------------------------------
section "the shipped conf/mtamon.yaml after the Debian package's postinst"

# The package makes user mtamon and /var/lib/mtamon (owned by it);
# nothing has created the segment or the master's socket yet.  Here:
# nobody, and the paths moved into the test's directory.
mkdir -m 0755 "$T/var-lib-mtamon" && chown nobody: "$T/var-lib-mtamon"
sed -e 's|^  user: mtamon$|  user: nobody|' -e 's|^  group: mail$|  group: nogroup|' \
    -e "s|^  pidfile: /run/mtamond.pid$|  pidfile: $T/run/mtamond.pid|" \
    -e "s|^  index_file: /var/lib/mtamon/group-index$|  index_file: $T/var-lib-mtamon/group-index|" \
    -e "s|^  name: /mtamon$|  name: $absent|" \
    -e "s|^  socket: /var/agentx/master$|  socket: $T/agentx/none|" \
    "$IT_TOP_SRCDIR/conf/mtamon.yaml" >"$T/shipped.yaml"
assert_eq 6 "$(diff "$IT_TOP_SRCDIR/conf/mtamon.yaml" "$T/shipped.yaml" | grep -c '^>')" \
    "shipped: the six keys were found and moved"
cli check-config "$T/shipped.yaml"
assert_exit 0 "shipped after postinst: exit status 0"
assert_eq "$T/shipped.yaml: ok (3 applications, 4 channels, 0 queues, 2 partitions, 3 ports, 0 processes, 4 probes), 2 warnings" \
    "$OUT" "shipped after postinst: summary with two warnings"
assert_contains "$ERR" "segment.name: warning: segment $absent does not exist yet" "shipped: segment warning"
assert_contains "$ERR" "agentx.socket: warning: no AgentX socket $T/agentx/none yet" "shipped: socket warning"
# Before the postinst: no such user.
if ! getent passwd mtamon >/dev/null; then
    cli check-config "$IT_TOP_SRCDIR/conf/mtamon.yaml"
    assert_exit 69 "shipped file, no user mtamon: exit status 69"
    assert_contains "$ERR" "daemon.user: error: unknown user 'mtamon' on this system: mtamond would exit with status 67 (EX_NOUSER)" \
        "shipped file, no user mtamon: the error mtamond would stop on"
fi

finish
