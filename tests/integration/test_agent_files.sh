#!/bin/bash
# test_agent_files.sh - the group-index file against the user who owns
# its directory (the daemon user, or anyone else): root never reads or
# writes it, a symbolic link planted at its temporary or final name is
# never followed, and a file or directory others may change is refused
# (StrictModes).  A warning when mtamond keeps running as root; the
# pidfile, written as root, is never another file reached by a hard link.
#
# The "other user" is nobody (uid 65534): the test, run as root, makes the
# directory and plants the links, then gives them to nobody (chown), as
# nobody could have made them.  Needs root (skips otherwise); no master is
# needed (mtamond starts without one).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/snmp_lib.sh"

snmp_setup
[ "$(id -u)" = 0 ] || skip "needs root (to start mtamond as root and give files to nobody)"
id nobody >/dev/null 2>&1 || skip "no user nobody"
NOBODY_UID=$(id -u nobody)

# nobody must reach the directories below $IT_TMP (made 0700).
chmod 0711 "$IT_TMP"

new_segment SEG
MTAMON_SEGMENT=$SEG
# A segment with one channel that nobody may read (root's, not writable
# by others: trusted), so mtamond sees a new name and writes the file.
emit --segment "$SEG" --create channel tcp_local enqueue - tcp_local 1 100
assert_exit 0 "segment created"
chmod 0644 "$(shm_path "$SEG")"

VICTIM="$IT_TMP/victim"          # stands for /etc/shadow: root's, 0600
printf 'root:$6$secret:20000:0:99999:7:::\n' >"$VICTIM"
chmod 0600 "$VICTIM"
VICTIM_SUM=$(sha256sum <"$VICTIM")

# agent_config FILE INDEX_DIR USER: a configuration with the index file
# in INDEX_DIR and daemon.user USER ("" for none), no pidfile, and a
# master socket where there is none.
agent_config()
{
    cat >"$1" <<CONF
segment:
  name: $SEG
agentx:
  socket: $IT_TMP/no-master
  ping_interval: 1
  timeout: 1
  refresh_interval: 10
daemon:
  log: stderr
  user: "$3"
  index_file: $2/group-index
CONF
}

# index_dir VAR NAME: a fresh directory $IT_TMP/NAME owned by nobody, 0755.
index_dir()
{
    mkdir -m 0755 "$IT_TMP/$2"
    chown nobody "$IT_TMP/$2"
    printf -v "$1" '%s' "$IT_TMP/$2"
}

# start_agent CONF: mtamond -f -e -p "" -c CONF in the background; waits
# until it says "ready" (or ended).  Log in $IT_TMP/agent.log.
start_agent()
{
    : >"$IT_TMP/agent.log"
    start_bg AGENT_PID "$IT_TMP/agent.log" "$MTAMOND" -f -e -p "" -c "$1"
    wait_for_text "$IT_TMP/agent.log" "ready: pid" 10
}

# wait_index DESC DIR: wait until DIR/group-index holds tcp_local's line.
wait_index()
{
    if wait_for_text "$2/group-index" "1 tcp_local" 10; then
        pass "$1"
    else
        fail "$1" "$(cat "$IT_TMP/agent.log")"
    fi
}

assert_victim_untouched()
{
    assert_eq "$VICTIM_SUM" "$(sha256sum <"$VICTIM")" "$1: root's file untouched"
    assert_eq "root:root 600" "$(stat_of '%U:%G %a' "$VICTIM")" "$1: root's file keeps its owner and mode"
}

# -----------------------------------------------------------------------------
section "written by the daemon user, never by root"

index_dir DIR plain
agent_config "$IT_TMP/plain.yaml" "$DIR" nobody
start_agent "$IT_TMP/plain.yaml" || fail "mtamond starts" "$(cat "$IT_TMP/agent.log")"
wait_index "the group-index file is written" "$DIR"
assert_eq "nobody:nogroup 644" "$(stat_of '%U:%G %a' "$DIR/group-index")" \
    "the group-index file is owned by the daemon user, mode 0644"
assert_eq "# mtamond group indexes: INDEX NAME; edit with mtamond stopped
1 tcp_local" "$(cat "$DIR/group-index")" "the group-index file's content"
assert_eq "group-index" "$(ls -A "$DIR")" "no temporary file left"
assert_not_contains "$(cat "$IT_TMP/agent.log")" "running as root" "no root warning when daemon.user is set"
stop_bg "$AGENT_PID"

# -----------------------------------------------------------------------------
section "a link planted at the old temporary name (group-index.tmp)"

index_dir DIR tmplink
ln -s "$VICTIM" "$DIR/group-index.tmp"
chown -h nobody "$DIR/group-index.tmp"
agent_config "$IT_TMP/tmplink.yaml" "$DIR" nobody
start_agent "$IT_TMP/tmplink.yaml" || fail "mtamond starts" "$(cat "$IT_TMP/agent.log")"
wait_index "tmp link: the group-index file is written beside the link" "$DIR"
stop_bg "$AGENT_PID"
assert_victim_untouched "tmp link"
assert_eq "$VICTIM" "$(readlink "$DIR/group-index.tmp")" "tmp link: the link is left as it was"
assert_eq "nobody:nogroup 644" "$(stat_of '%U:%G %a' "$DIR/group-index")" \
    "tmp link: the group-index file is the daemon user's"

# Also when mtamond stays root (daemon.user ""): the file is still
# written through a temporary file of its own.
index_dir DIR tmplink-root
chown root "$DIR"
ln -s "$VICTIM" "$DIR/group-index.tmp"
agent_config "$IT_TMP/tmplink-root.yaml" "$DIR" ""
start_agent "$IT_TMP/tmplink-root.yaml" || fail "mtamond starts" "$(cat "$IT_TMP/agent.log")"
wait_index "tmp link, as root: the group-index file is written" "$DIR"
stop_bg "$AGENT_PID"
assert_victim_untouched "tmp link, as root"
assert_contains "$(cat "$IT_TMP/agent.log")" \
    "mtamond[warning]: running as root with every privilege: daemon.user is empty; set it to an unprivileged user such as mtamon" \
    "daemon.user empty, started as root: warning"

# -----------------------------------------------------------------------------
section "a link planted at the file itself"

index_dir DIR finallink
ln -s "$VICTIM" "$DIR/group-index"
chown -h nobody "$DIR/group-index"
agent_config "$IT_TMP/finallink.yaml" "$DIR" nobody
run timeout 10 "$MTAMOND" -f -e -p "" -c "$IT_TMP/finallink.yaml"
assert_exit 78 "final link: refused, exit status 78"
assert_contains "$ERR" "mtamond[error]: unsafe daemon.index_file: file $DIR/group-index: is a symbolic link" \
    "final link: the message names the file and the reason"
assert_not_contains "$ERR" "secret" "final link: nothing of the target is quoted"
assert_victim_untouched "final link"
assert_eq "$VICTIM" "$(readlink "$DIR/group-index")" "final link: the link is left as it was"

# -----------------------------------------------------------------------------
section "the pidfile, written as root"

# A hard link to root's file where the pidfile goes (a directory such as
# /run/mtamon belongs to the daemon user): not truncated, not written.
ln "$VICTIM" "$IT_TMP/hardlink.pid"
index_dir DIR pidfile
agent_config "$IT_TMP/pidfile.yaml" "$DIR" nobody
run timeout 10 "$MTAMOND" -f -e -p "$IT_TMP/hardlink.pid" -c "$IT_TMP/pidfile.yaml"
assert_exit 73 "pidfile hard link: exit status 73 (EX_CANTCREAT)"
assert_contains "$ERR" "mtamond[error]: cannot create pidfile $IT_TMP/hardlink.pid: not a regular file with a single link" \
    "pidfile hard link: message"
assert_victim_untouched "pidfile hard link"
rm -f "$IT_TMP/hardlink.pid"

# -----------------------------------------------------------------------------
section "StrictModes: the file and its directory"

# expect_refused DESC CONF MESSAGE: mtamond exits 78 saying MESSAGE.
expect_refused()
{
    run timeout 10 "$MTAMOND" -f -e -p "" -c "$2"   # bounded: must not start
    assert_exit 78 "$1: exit status 78"
    assert_contains "$ERR" "mtamond[error]: unsafe daemon.index_file: $3" "$1: message"
}

index_dir DIR worldwritable
chmod 0777 "$DIR"
agent_config "$IT_TMP/ww.yaml" "$DIR" nobody
expect_refused "directory writable by anyone" "$IT_TMP/ww.yaml" \
    "directory $DIR: writable by anyone (mode 0777): only its owner may write it"

chmod 0775 "$DIR"
expect_refused "directory writable by its group" "$IT_TMP/ww.yaml" \
    "directory $DIR: writable by its group (mode 0775): only its owner may write it"
assert_missing "$DIR/group-index" "refused directory: nothing written in it"

index_dir DIR otherowner
chown daemon "$DIR"
agent_config "$IT_TMP/other.yaml" "$DIR" nobody
expect_refused "directory of another user" "$IT_TMP/other.yaml" \
    "directory $DIR: owned by uid $(id -u daemon): must be owned by root or uid $NOBODY_UID"

index_dir DIR groupfile
printf '1 tcp_local\n' >"$DIR/group-index"
chown nobody "$DIR/group-index"
chmod 0664 "$DIR/group-index"
agent_config "$IT_TMP/groupfile.yaml" "$DIR" nobody
expect_refused "file writable by its group" "$IT_TMP/groupfile.yaml" \
    "file $DIR/group-index: writable by its group (mode 0664): only its owner may write it"

chmod 0644 "$DIR/group-index"
chown daemon "$DIR/group-index"
expect_refused "file of another user" "$IT_TMP/groupfile.yaml" \
    "file $DIR/group-index: owned by uid $(id -u daemon): must be owned by root or uid $NOBODY_UID"

# Root's directory and file are fine for any daemon user.
chown root "$DIR" "$DIR/group-index"
start_agent "$IT_TMP/groupfile.yaml"
assert_contains "$(cat "$IT_TMP/agent.log")" "ready: pid $AGENT_PID" "root's directory and file: accepted"
stop_bg "$AGENT_PID"

finish
