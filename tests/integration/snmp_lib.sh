# snmp_lib.sh - a private Net-SNMP master agent and mtamond for the
# integration tests.
# shellcheck shell=bash
# The SNMP_* variables are read by the tests and set indirectly (printf -v):
# shellcheck disable=SC2034,SC2015
#
# Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/snmp_lib.sh"
#   snmp_setup                      # skips (77) without the Net-SNMP tools
#   snmp_start_master
#   snmp_write_agent_config "$IT_TMP/mtamon.yaml" "$extra_yaml"
#   snmp_start_agent "$IT_TMP/mtamon.yaml"
#   snmp_wait_agent || fail "agent registered" ...
#   assert_snmp_get "mtaReceivedMessages" 1.3.6.1.2.1.28.1.1.1.1 "Counter32: 3"
#
# The master snmpd listens on 127.0.0.1 only, on a UDP port the kernel
# handed out as free (never 161/162), with an AgentX unix socket in the
# test's temporary directory.  It reads no system configuration (-C -c),
# keeps its persistent state in the temporary directory and loads no MIB
# files, so Debian's missing IETF MIBs make no noise.  Its modules are
# those of Debian's packaged snmpd.service (-I -smux,mteTrigger,
# mteTriggerConf): Net-SNMP's own in-process MTA-MIB module
# (mibII/mta_sendmail) is loaded, as it is for every user, and mtamond
# must win over it; SMUX, which would listen on TCP port 199 of the
# machine, is not.
# Both daemons run in the foreground under start_bg, so lib.sh's exit trap
# stops them by PID however the test ends.
#
# The query helpers ask for numeric OIDs (-On) and load no MIB: values read
# exactly as snmpget prints them after " = ", e.g. "Counter32: 5",
# "Gauge32: 0", "INTEGER: -1", "STRING: \"tcp_local\"", "OID: .1.3.6.1.2.1.27.4.25",
# "Timeticks: (1234) 0:00:12.34", '""' (an empty string),
# "No Such Instance currently exists at this OID",
# "No Such Object available on this agent at this OID",
# "No more variables left in this MIB View (It is past the end of the MIB tree)".
#
# Variables it sets (read them, do not change them):
#   SNMP_DIR            the private directory (configs, logs, socket)
#   SNMP_PORT           the master's UDP port on 127.0.0.1
#   SNMP_TARGET         "udp:127.0.0.1:$SNMP_PORT", for snmp_tool
#   SNMP_AGENTX_SOCKET  the master's AgentX socket path
#   SNMP_MASTER_CONF / SNMP_MASTER_LOG / SNMP_MASTER_PID
#   SNMP_AGENT_LOG / SNMP_AGENT_PID (mtamond's stdout+stderr, PID)
#   MTAMOND             the daemon under test
#   NS APPL ASSOC MTA MTAT GRP ROOT RAISED CLEARED: OIDs (see below)
# Variables a test may set before the calls:
#   SNMP_TIMEOUT (s, default 2) and SNMP_RETRIES (default 1) of the tools;
#   SNMP_MIB_OPTS, an array of the MIB options the tools get
#   (default: -m "" -M /dev/null, i.e. no MIB at all);
#   SNMP_MASTER_MODULES, the master's -I argument (default Debian's:
#   -smux,mteTrigger,mteTriggerConf; -smux,mta_sendmail leaves MTA-MIB
#   to mtamond alone);
#   SNMP_MASTER_EXTRA, lines appended to the master's configuration (e.g.
#   "dlmod mtamon $SO" and "mtamonConfig FILE": the in-process module);
#   SNMP_MASTER_PRELOAD, LD_PRELOAD of the master (a sanitizer runtime
#   for a module built with it; default none);
#   SNMP_MASTER_OUT, the master's stdout and stderr (default
#   $SNMP_DIR/snmpd.out).

MTAMOND="$IT_BUILDDIR/src/agent/mtamond"

# The OIDs the tests query, numeric (the tools load no MIB).
NS=1.3.6.1.2.1.27                   # NETWORK-SERVICES-MIB (RFC 2788)
APPL=$NS.1.1                        # applEntry
ASSOC=$NS.2.1                       # assocEntry
MTA=1.3.6.1.2.1.28                  # MTA-MIB (RFC 2789)
MTAT=$MTA.1.1                       # mtaEntry
GRP=$MTA.2.1                        # mtaGroupEntry
ROOT=1.3.6.1.4.1.8072.9999.9999.25  # MTAMON-MIB
RAISED=$ROOT.0.1                    # the mtamonAlarmRaised notification
CLEARED=$ROOT.0.2                   # mtamonAlarmCleared
SNMP_TIMEOUT=${SNMP_TIMEOUT:-2}
SNMP_RETRIES=${SNMP_RETRIES:-1}
SNMP_MIB_OPTS=(-m "" -M /dev/null)
SNMP_MASTER_MODULES=${SNMP_MASTER_MODULES:--smux,mteTrigger,mteTriggerConf}
SNMP_MASTER_EXTRA=${SNMP_MASTER_EXTRA:-}
SNMP_MASTER_PRELOAD=${SNMP_MASTER_PRELOAD:-}
SNMP_MASTER_OUT=${SNMP_MASTER_OUT:-}
SNMP_DIR=
SNMP_SHORT_DIR=
SNMP_PORT=
SNMP_TARGET=
SNMP_AGENTX_SOCKET=
SNMP_MASTER_CONF=
SNMP_MASTER_LOG=
SNMP_MASTER_PID=
SNMP_AGENT_LOG=
SNMP_AGENT_PID=
SNMP_AGENT_CONF=
SNMPD=
SNMP_RC=
SNMP_ERR=

# sysUpTime.0: the master's clock, and its "are you there" question.
SNMP_SYSUPTIME_OID=1.3.6.1.2.1.1.3.0
# Paths of the tools (snmp_setup).
SNMP_TOOL_snmpget='' SNMP_TOOL_snmpgetnext='' SNMP_TOOL_snmpwalk=''
SNMP_TOOL_snmpbulkwalk='' SNMP_TOOL_snmpset='' SNMP_TOOL_snmptable=

# --- setup -------------------------------------------------------------------

# snmp_find_tool NAME: print the path of NAME, looked up on $PATH then in
# /usr/sbin, /usr/local/sbin, /usr/bin, /usr/local/bin; nothing if absent.
snmp_find_tool()
{
    local d
    if command -v "$1" 2>/dev/null; then
        return 0
    fi
    for d in /usr/sbin /usr/local/sbin /usr/bin /usr/local/bin; do
        if [ -x "$d/$1" ]; then
            printf '%s\n' "$d/$1"
            return 0
        fi
    done
    return 1
}

# snmp_cleanup_short_dir: remove the fallback socket directory (see
# snmp_setup); runs from the exit trap before lib.sh's cleanup.
snmp_cleanup_short_dir()
{
    if [ -n "$SNMP_SHORT_DIR" ]; then
        rm -rf "$SNMP_SHORT_DIR"
    fi
}

# snmp_setup: find snmpd and the tools (skip the test when one is missing),
# require mtamond, make the private directory, pick the port and the AgentX
# socket path and set the environment so that neither snmpd nor the tools
# read /etc/snmp, ~/.snmp or write to /var/lib/snmp.  Call it once, first.
snmp_setup()
{
    SNMPD=$(snmp_find_tool snmpd) || skip "snmpd (Net-SNMP) is not installed"
    SNMP_TOOL_snmpget=$(snmp_find_tool snmpget) &&
        SNMP_TOOL_snmpgetnext=$(snmp_find_tool snmpgetnext) &&
        SNMP_TOOL_snmpwalk=$(snmp_find_tool snmpwalk) &&
        SNMP_TOOL_snmpbulkwalk=$(snmp_find_tool snmpbulkwalk) &&
        SNMP_TOOL_snmpset=$(snmp_find_tool snmpset) &&
        SNMP_TOOL_snmptable=$(snmp_find_tool snmptable) ||
        skip "the Net-SNMP tools (snmpget, snmpbulkwalk, ...) are not installed"
    require_program "$MTAMOND"

    SNMP_DIR="$IT_TMP/snmp"
    mkdir -p "$SNMP_DIR/conf" "$SNMP_DIR/persist" || skip "cannot create $SNMP_DIR"
    # A unix socket path holds at most 107 bytes: with a long $TMPDIR use
    # a short directory of our own in /tmp, removed at exit.
    SNMP_AGENTX_SOCKET="$SNMP_DIR/ax"
    if [ "${#SNMP_AGENTX_SOCKET}" -gt 100 ]; then
        SNMP_SHORT_DIR=$(mktemp -d /tmp/mtax.XXXXXX) ||
            skip "cannot create a short directory for the AgentX socket"
        # shellcheck disable=SC2154 # snmp_rc is set by the trap itself
        trap 'snmp_rc=$?; snmp_cleanup_short_dir; (exit "$snmp_rc"); it_cleanup' EXIT
        SNMP_AGENTX_SOCKET="$SNMP_SHORT_DIR/ax"
    fi
    SNMP_MASTER_CONF="$SNMP_DIR/master.conf"
    SNMP_MASTER_LOG="$SNMP_DIR/snmpd.log"
    SNMP_AGENT_LOG="$SNMP_DIR/mtamond.log"
    SNMP_PORT=$(free_port) || skip "cannot find a free UDP port"
    SNMP_TARGET="udp:127.0.0.1:$SNMP_PORT"

    # Tools and snmpd: no system or user snmp.conf, no persistent state
    # outside the test, no MIB files.
    export SNMPCONFPATH="$SNMP_DIR/conf"
    export SNMP_PERSISTENT_DIR="$SNMP_DIR/persist"
    export MIBS=""
    export MIBDIRS="$IT_TOP_SRCDIR/mibs"
    unset SNMP_PERSISTENT_FILE
}

# snmp_write_master_config: (re)write $SNMP_MASTER_CONF for the current
# port and socket.
snmp_write_master_config()
{
    # agentXTimeout 2 with no retry: a hung subagent turns into a genErr
    # after 2 s, before the tools give up (2 tries of $SNMP_TIMEOUT s).
    cat >"$SNMP_MASTER_CONF" <<EOF
master agentx
agentXSocket $SNMP_AGENTX_SOCKET
agentXPerms 0600 0700
agentXTimeout 2
agentXRetries 0
agentaddress udp:127.0.0.1:$SNMP_PORT
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
dontLogTCPWrappersConnects yes
EOF
    if [ -n "$SNMP_MASTER_EXTRA" ]; then
        printf '%s\n' "$SNMP_MASTER_EXTRA" >>"$SNMP_MASTER_CONF"
    fi
}

# snmp_master_answers: true when the master answers a GET of sysUpTime.0.
snmp_master_answers()
{
    "$SNMP_TOOL_snmpget" -v2c -c public -On -t 1 -r 0 "${SNMP_MIB_OPTS[@]}" \
        "$SNMP_TARGET" "$SNMP_SYSUPTIME_OID" 2>/dev/null |
        grep -q '^\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks:'
}

# snmp_master_answers_or_died: true once the master answers, or is gone.
snmp_master_answers_or_died()
{
    ! kill -0 "$SNMP_MASTER_PID" 2>/dev/null || snmp_master_answers
}

# snmp_start_master [SECONDS]: start snmpd in the foreground (PID in
# SNMP_MASTER_PID, log in SNMP_MASTER_LOG) and wait, at most SECONDS
# (default 20), until it answers.  When it dies at start (the port was
# taken meanwhile) it retries on another port, up to 5 times.  Returns 1,
# after printing its log, if it never answers.
# shellcheck disable=SC2120 # SECONDS is optional
snmp_start_master()
{
    local limit=${1:-20} attempt
    local -a preload=()
    if [ -n "$SNMP_MASTER_PRELOAD" ]; then
        preload=(env "LD_PRELOAD=$SNMP_MASTER_PRELOAD")
    fi
    for attempt in 1 2 3 4 5; do
        snmp_write_master_config
        start_bg SNMP_MASTER_PID "${SNMP_MASTER_OUT:-$SNMP_DIR/snmpd.out}" \
            "${preload[@]}" \
            "$SNMPD" -f -C -c "$SNMP_MASTER_CONF" -Lf "$SNMP_MASTER_LOG" \
            -M "$IT_TOP_SRCDIR/mibs" -m "" -I "$SNMP_MASTER_MODULES"
        if wait_until "$limit" snmp_master_answers_or_died &&
           kill -0 "$SNMP_MASTER_PID" 2>/dev/null; then
            return 0
        fi
        if kill -0 "$SNMP_MASTER_PID" 2>/dev/null; then
            break   # alive but silent: no point in another port
        fi
        stop_bg "$SNMP_MASTER_PID"
        SNMP_MASTER_PID=
        printf 'snmpd exited at start (attempt %s), trying another port\n' "$attempt"
        SNMP_PORT=$(free_port) || return 1
        SNMP_TARGET="udp:127.0.0.1:$SNMP_PORT"
    done
    printf 'snmpd does not answer on %s; its log:\n' "$SNMP_TARGET"
    sed 's/^/     | /' "$SNMP_MASTER_LOG" "${SNMP_MASTER_OUT:-$SNMP_DIR/snmpd.out}" 2>/dev/null
    return 1
}

# snmp_forget_pid PID: drop PID from lib.sh's list of processes to kill
# at exit (after it was reaped: its number may be reused).
snmp_forget_pid()
{
    local i
    for i in "${!IT_PIDS[@]}"; do
        if [ "${IT_PIDS[$i]}" = "$1" ]; then
            unset 'IT_PIDS[i]'
        fi
    done
}

# snmp_signal_and_reap PID [SIGNAL]: send SIGNAL (default TERM) to our
# child PID, wait up to 10 s for it to end (then KILL it), reap it and
# set SNMP_REAP_STATUS to its exit status (128+N after signal N).
snmp_signal_and_reap()
{
    local pid=$1
    # stderr closed: bash reports a child killed by a signal ("Killed")
    # whenever it notices, and that is no news in a test's output.
    {
        kill -s "${2:-TERM}" "$pid"
        if ! wait_until 10 process_ended "$pid"; then
            printf 'PID %s ignored SIG%s for 10 s: killing it\n' "$pid" "${2:-TERM}" >&3
            kill -s KILL "$pid"
        fi
        wait "$pid"
        SNMP_REAP_STATUS=$?
    } 3>&2 2>/dev/null
    snmp_forget_pid "$pid"
}

# snmp_stop_master [SIGNAL]: stop snmpd (by PID) with SIGNAL (TERM by
# default; KILL leaves the AgentX socket behind, as a crash would) and
# reap it (exit status in SNMP_REAP_STATUS).
snmp_stop_master()
{
    if [ -n "$SNMP_MASTER_PID" ]; then
        snmp_signal_and_reap "$SNMP_MASTER_PID" "${1:-TERM}"
        SNMP_MASTER_PID=
    fi
}

# snmp_restart_master [SIGNAL]: stop the master (with SIGNAL) and start a
# new one on the same socket (and the same port when it is still free).
snmp_restart_master()
{
    snmp_stop_master "${1:-TERM}"
    snmp_start_master
}

# snmp_master_uptime VAR: the master's sysUpTime.0 in ticks (hundredths
# of a second) into VAR; "" if it did not answer.
snmp_master_uptime()
{
    local _snmp_up
    snmp_get _snmp_up "$SNMP_SYSUPTIME_OID"
    snmp_ticks "$1" "$_snmp_up"
}

# --- mtamond -----------------------------------------------------------------

# snmp_write_agent_config FILE [EXTRA_YAML]: write an mtamon.yaml for
# mtamond: segment $MTAMON_SEGMENT (set it, e.g. with new_segment, before
# calling), the private AgentX socket, ping_interval 1, timeout 1,
# refresh_interval 10 ms (values are fresh on every request), log to
# stderr, pidfile and index_file in $SNMP_DIR.  EXTRA_YAML (e.g.
# "applications:" and "channels:" sections) is appended verbatim.
snmp_write_agent_config()
{
    cat >"$1" <<EOF
segment:
  name: $MTAMON_SEGMENT
agentx:
  socket: $SNMP_AGENTX_SOCKET
  ping_interval: 1
  timeout: 1
  retries: 1
  refresh_interval: 10
daemon:
  log: stderr
  pidfile: $SNMP_DIR/mtamond.pid
  index_file: $SNMP_DIR/group-index
EOF
    if [ -n "${2:-}" ]; then
        printf '%s\n' "$2" >>"$1"
    fi
}

# snmp_start_agent CONF [ARG...]: start mtamond -f -e -c CONF [ARG...] in
# the background (PID in SNMP_AGENT_PID, stdout and stderr appended to
# SNMP_AGENT_LOG).  Does not wait: see snmp_wait_agent.
snmp_start_agent()
{
    SNMP_AGENT_CONF=$1
    shift
    printf -- '--- mtamond -f -e -c %s %s\n' "$SNMP_AGENT_CONF" "$*" >>"$SNMP_AGENT_LOG"
    "$MTAMOND" -f -e -c "$SNMP_AGENT_CONF" "$@" >>"$SNMP_AGENT_LOG" 2>&1 </dev/null &
    SNMP_AGENT_PID=$!
    IT_PIDS+=("$SNMP_AGENT_PID")
}

# snmp_stop_agent [SIGNAL]: stop mtamond (by PID) with SIGNAL (TERM by
# default) and reap it; its exit status goes to SNMP_AGENT_STATUS (the
# status wait reports: 128+N after signal N).
snmp_stop_agent()
{
    SNMP_AGENT_STATUS=
    if [ -n "$SNMP_AGENT_PID" ]; then
        snmp_signal_and_reap "$SNMP_AGENT_PID" "${1:-TERM}"
        SNMP_AGENT_STATUS=$SNMP_REAP_STATUS
        SNMP_AGENT_PID=
    fi
}

# snmp_agent_registered: true when a GETNEXT of 1.3.6.1.2.1.27.1 returns
# an object under 1.3.6.1.2.1.27 (so mtamond registered with the master).
snmp_agent_registered()
{
    "$SNMP_TOOL_snmpgetnext" -v2c -c public -On -t 1 -r 0 "${SNMP_MIB_OPTS[@]}" \
        "$SNMP_TARGET" 1.3.6.1.2.1.27.1 2>/dev/null |
        grep -q '^\.1\.3\.6\.1\.2\.1\.27\.'
}

# count_in_log TEXT: lines of mtamond's log containing TEXT.
count_in_log() { grep -cF -- "$1" "$SNMP_AGENT_LOG"; }

# assert_agent_logs DESC TEXT [SECONDS]: mtamond's log comes to contain
# TEXT within SECONDS (default 10); failing DESC with the end of the log.
assert_agent_logs()
{
    if wait_for_text "$SNMP_AGENT_LOG" "$2" "${3:-10}"; then
        pass "$1"
    else
        fail "$1" "expected in the log within ${3:-10} s: $2" \
            "end of mtamond's log:" "$(tail -n 8 "$SNMP_AGENT_LOG")"
    fi
}

# snmp_agent_exited: mtamond was started and is gone.
snmp_agent_exited()
{
    [ -n "$SNMP_AGENT_PID" ] && ! kill -0 "$SNMP_AGENT_PID" 2>/dev/null
}

# snmp_agent_registered_or_exited: what snmp_wait_agent waits for.
snmp_agent_registered_or_exited()
{
    snmp_agent_exited || snmp_agent_registered
}

# snmp_wait_agent [SECONDS]: wait (default 20 s) until mtamond serves
# NETWORK-SERVICES-MIB through the master.  Returns 1, printing the end of
# mtamond's log, if it died or did not register in time.
snmp_wait_agent()
{
    if wait_until "${1:-20}" snmp_agent_registered_or_exited; then
        if ! snmp_agent_exited; then
            return 0
        fi
        printf 'mtamond (PID %s) exited; its log:\n' "$SNMP_AGENT_PID"
        tail -n 30 "$SNMP_AGENT_LOG" | sed 's/^/     | /'
        return 1
    fi
    printf 'mtamond did not register within %s s; end of its log:\n' "${1:-20}"
    tail -n 30 "$SNMP_AGENT_LOG" | sed 's/^/     | /'
    return 1
}

# snmp_wait_agent_gone [SECONDS]: wait (default 20 s) until nothing is
# served under 1.3.6.1.2.1.27 any more (the master dropped the subagent).
# snmp_agent_unregistered: nothing served under 1.3.6.1.2.1.27.
snmp_agent_unregistered() { ! snmp_agent_registered; }

snmp_wait_agent_gone() { wait_until "${1:-20}" snmp_agent_unregistered; }

# --- queries -----------------------------------------------------------------

# snmp_tool TOOL [ARG...]: run the Net-SNMP TOOL (snmpget, snmptable, ...)
# as "TOOL -v2c -c $SNMP_COMMUNITY (default public) -On -t .. -r ..
# $SNMP_MIB_OPTS ARG..." (put "$SNMP_TARGET" among ARG where the tool wants
# the agent); sets RC, OUT and ERR like lib.sh's run.
snmp_tool()
{
    local tool=$1 path
    shift
    path="SNMP_TOOL_$tool"
    run "${!path:-$tool}" -v2c -c "${SNMP_COMMUNITY:-public}" -On \
        -t "$SNMP_TIMEOUT" -r "$SNMP_RETRIES" "${SNMP_MIB_OPTS[@]}" "$@"
}

# snmp_value_of TEXT: print what follows the first " = " of TEXT (the
# value as the tools print it; continuation lines of a long Hex-STRING
# included), or "ERROR: <stderr>" when the tool failed.
snmp_value_of()
{
    if [ "$SNMP_RC" -ne 0 ] || [ -z "$1" ]; then
        printf 'ERROR(%s): %s' "$SNMP_RC" "$SNMP_ERR"
        return
    fi
    printf '%s' "${1#* = }"
}

# snmp_get VAR OID: GET OID; VAR = the value exactly as snmpget prints it
# after " = " ("Counter32: 5", "No Such Instance currently exists at this
# OID", ...), or "ERROR(rc): message" when snmpget failed (timeout,
# error-status).  SNMP_RC and SNMP_ERR keep snmpget's status and stderr.
snmp_get()
{
    local _snmp_v
    snmp_tool snmpget "$SNMP_TARGET" "$2"
    SNMP_RC=$RC SNMP_ERR=$ERR
    _snmp_v=$(snmp_value_of "$OUT")
    printf -v "$1" '%s' "$_snmp_v"
}

# snmp_getnext VAR OID: GETNEXT OID; VAR = the whole answer line
# "OID = TYPE: value" (the next OID matters), or "ERROR(rc): message".
snmp_getnext()
{
    local _snmp_v
    snmp_tool snmpgetnext "$SNMP_TARGET" "$2"
    SNMP_RC=$RC SNMP_ERR=$ERR
    if [ "$RC" -ne 0 ] || [ -z "$OUT" ]; then
        _snmp_v="ERROR($RC): $ERR"
    else
        _snmp_v=$OUT
    fi
    printf -v "$1" '%s' "$_snmp_v"
}

# snmp_walk VAR OID: snmpbulkwalk of OID; VAR = its lines "OID = TYPE:
# value" (an empty subtree gives one line "OID = No Such Object ...");
# a failure (timeout, "OID not increasing") appends "ERROR(rc): message".
snmp_walk()
{
    local _snmp_v
    snmp_tool snmpbulkwalk "$SNMP_TARGET" "$2"
    SNMP_RC=$RC SNMP_ERR=$ERR
    _snmp_v=$OUT
    if [ "$RC" -ne 0 ] || [ -n "$ERR" ]; then
        _snmp_v="$_snmp_v${_snmp_v:+
}ERROR($RC): $ERR"
    fi
    printf -v "$1" '%s' "$_snmp_v"
}

# snmp_set VAR OID TYPE VALUE [OID TYPE VALUE...]: SET with the write
# community "private"; VAR = stdout and stderr of snmpset (for a refused
# SET: "Error in packet. Reason: notWritable (...) Failed object: OID",
# newlines as spaces); SNMP_RC = its exit status (0 only if it was done).
snmp_set()
{
    local _snmp_var=$1 _snmp_v
    shift
    SNMP_COMMUNITY=private snmp_tool snmpset "$SNMP_TARGET" "$@"
    SNMP_RC=$RC SNMP_ERR=$ERR
    _snmp_v="$OUT${OUT:+ }$ERR"
    printf -v "$_snmp_var" '%s' "${_snmp_v//$'\n'/ }"
}

# snmp_ticks VAR VALUE: the number N of a value "Timeticks: (N) ..." into
# VAR; "" when VALUE is not a TimeTicks value.
snmp_ticks()
{
    local _snmp_n=
    if [[ $2 =~ ^Timeticks:\ \(([0-9]+)\) ]]; then
        _snmp_n=${BASH_REMATCH[1]}
    fi
    printf -v "$1" '%s' "$_snmp_n"
}

# snmp_integer VAR VALUE: the number of an "INTEGER: N" value into VAR;
# "" when VALUE is not an INTEGER.
snmp_integer()
{
    local _snmp_n=
    if [[ $2 =~ ^INTEGER:\ (-?[0-9]+)$ ]]; then
        _snmp_n=${BASH_REMATCH[1]}
    fi
    printf -v "$1" '%s' "$_snmp_n"
}

# --- assertions ---------------------------------------------------------------

# assert_snmp_get DESC OID EXPECTED: GET OID prints exactly EXPECTED after
# " = " (type and value, e.g. "Counter32: 7" or '""').
assert_snmp_get()
{
    local got
    snmp_get got "$2"
    if [ "$got" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "GET $2" "expected: $3" "got:      $got"
    fi
}

# assert_snmp_getnext DESC OID EXPECTED_LINE: GETNEXT OID answers exactly
# "NEXT_OID = TYPE: value" (NEXT_OID with its leading dot, as -On prints).
assert_snmp_getnext()
{
    local got
    snmp_getnext got "$2"
    if [ "$got" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "GETNEXT $2" "expected: $3" "got:      $got"
    fi
}

# assert_snmp_walk DESC OID EXPECTED: a bulkwalk of OID gives exactly
# EXPECTED, the name of a file or the text itself (lines "OID = value").
assert_snmp_walk()
{
    local got d expected_file="$IT_TMP/snmp_walk.expected"
    snmp_walk got "$2"
    if [ -f "$3" ]; then
        expected_file=$3
    else
        printf '%s\n' "$3" >"$expected_file"
    fi
    printf '%s\n' "$got" >"$IT_TMP/snmp_walk.got"
    if d=$(diff -u "$expected_file" "$IT_TMP/snmp_walk.got"); then
        pass "$1"
    else
        fail "$1" "walk of $2: diff -u expected got:" "$d"
    fi
}

# assert_snmp_set_refused DESC ERROR OID TYPE VALUE: a SET of OID (with
# the write community) fails with error-status ERROR (e.g. notWritable,
# noCreation) naming OID as the failed object.
assert_snmp_set_refused()
{
    local desc=$1 error=$2 got
    shift 2
    snmp_set got "$@"
    if [ "$SNMP_RC" -ne 0 ] && [[ $got == *"Reason: $error "* ]] &&
        [[ $got == *"Failed object: .$1"* ]]; then
        pass "$desc"
    else
        fail "$desc" "SET $*" "expected: exit status != 0, Reason: $error, Failed object: .$1" \
            "got:      exit status $SNMP_RC: $got"
    fi
}

# snmp_get_is OID EXPECTED: one GET (1 s, no retry) prints EXPECTED;
# SNMP_WAIT_GOT holds the answer.
snmp_get_is()
{
    SNMP_TIMEOUT=1 SNMP_RETRIES=0 snmp_get SNMP_WAIT_GOT "$1"
    [ "$SNMP_WAIT_GOT" = "$2" ]
}

# snmp_wait_get OID EXPECTED [SECONDS]: poll GET OID (default 20 s) until
# it prints EXPECTED; SNMP_WAIT_GOT holds the last answer, SNMP_WAIT_MS
# the time it took.
snmp_wait_get()
{
    local start rc
    start=$(now_ms)
    wait_until "${3:-20}" snmp_get_is "$1" "$2"
    rc=$?
    SNMP_WAIT_MS=$(($(now_ms) - start))
    return "$rc"
}

# assert_snmp_wait_get DESC OID EXPECTED [SECONDS]: snmp_wait_get, failing
# DESC with the last answer and the end of mtamond's log.
assert_snmp_wait_get()
{
    if snmp_wait_get "$2" "$3" "${4:-20}"; then
        pass "$1"
    else
        fail "$1" "GET $2 for ${4:-20} s" "expected: $3" "last:     $SNMP_WAIT_GOT" \
            "end of mtamond's log:" "$(tail -n 8 "$SNMP_AGENT_LOG")"
    fi
}

# assert_in_range DESC LOW HIGH VALUE: LOW <= VALUE <= HIGH (integers).
assert_in_range()
{
    if [[ $4 =~ ^-?[0-9]+$ ]] && [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; then
        pass "$1"
    else
        fail "$1" "expected an integer in [$2, $3]" "got: '$4'"
    fi
}

# assert_snmp_number_in PARSER SHAPE DESC OID LOW HIGH: GET OID, PARSER
# (snmp_ticks or snmp_integer) takes its number into SNMP_LAST_NUMBER, and
# that is in [LOW, HIGH]; SHAPE describes the expected answer on failure.
assert_snmp_number_in()
{
    local parser=$1 shape=$2 got
    shift 2
    snmp_get got "$2"
    "$parser" SNMP_LAST_NUMBER "$got"
    if [ -n "$SNMP_LAST_NUMBER" ] && [ "$SNMP_LAST_NUMBER" -ge "$3" ] &&
        [ "$SNMP_LAST_NUMBER" -le "$4" ]; then
        pass "$1"
    else
        fail "$1" "GET $2" "expected: $shape with N in [$3, $4]" "got:      $got"
    fi
}

# assert_snmp_ticks_in DESC OID LOW HIGH: GET OID is TimeTicks with a value
# in [LOW, HIGH]; the value goes to SNMP_LAST_NUMBER.
assert_snmp_ticks_in() { assert_snmp_number_in snmp_ticks "Timeticks: (N)" "$@"; }

# assert_snmp_integer_in DESC OID LOW HIGH: GET OID is an INTEGER in
# [LOW, HIGH] (a TimeInterval); the value goes to SNMP_LAST_NUMBER.
assert_snmp_integer_in() { assert_snmp_number_in snmp_integer "INTEGER: N" "$@"; }

# assert_oids_increasing DESC WALK_TEXT: the OIDs of the lines "OID = ..."
# in WALK_TEXT strictly increase (compared sub-identifier by
# sub-identifier, as numbers) and no line reports an error.
assert_oids_increasing()
{
    local out
    if out=$(printf '%s\n' "$2" | python3 -c '
import sys
prev = None
n = 0
for line in sys.stdin:
    line = line.rstrip("\n")
    if " = " not in line:
        if line.startswith("ERROR"):
            print("error line: " + line)
            sys.exit(1)
        continue            # continuation of a multi-line value
    name = line.split(" = ", 1)[0].lstrip(".")
    try:
        oid = [int(x) for x in name.split(".")]
    except ValueError:
        print("not a numeric OID: " + line)
        sys.exit(1)
    if prev is not None and oid <= prev:
        print("not increasing: %s after %s" % (name, ".".join(map(str, prev))))
        sys.exit(1)
    prev = oid
    n += 1
if n == 0:
    print("no OID at all")
    sys.exit(1)
' 2>&1); then
        pass "$1"
    else
        fail "$1" "$out"
    fi
}

# assert_snmp_absent DESC OID: GET OID says the object does not exist
# (noSuchObject or noSuchInstance: which one depends on how the table is
# registered, and both mean "absent").
assert_snmp_absent()
{
    local got
    snmp_get got "$2"
    case $got in
    "No Such Object available on this agent at this OID" | \
    "No Such Instance currently exists at this OID")
        pass "$1" ;;
    *)
        fail "$1" "GET $2" "expected: No Such Object/No Such Instance" "got:      $got" ;;
    esac
}

# snmp_get_many ARRAY OID...: GET every OID in one request (so the values
# come from one snapshot); ARRAY[i] = the value of the i-th OID as
# snmp_get gives it ("ERROR(rc): ..." for every element on failure).
snmp_get_many()
{
    local _snmp_arr=$1 _snmp_line _snmp_i=0
    shift
    snmp_tool snmpget "$SNMP_TARGET" "$@"
    SNMP_RC=$RC SNMP_ERR=$ERR
    eval "$_snmp_arr=()"
    if [ "$RC" -ne 0 ]; then
        for _snmp_line in "$@"; do
            printf -v "${_snmp_arr}[$_snmp_i]" 'ERROR(%s): %s' "$RC" "$ERR"
            _snmp_i=$((_snmp_i + 1))
        done
        return
    fi
    while IFS= read -r _snmp_line; do
        case $_snmp_line in
        .*" = "*)
            printf -v "${_snmp_arr}[$_snmp_i]" '%s' "${_snmp_line#* = }"
            _snmp_i=$((_snmp_i + 1)) ;;
        esac
    done <<<"$OUT"
}

# --- snmptrapd ----------------------------------------------------------------

SNMP_TRAPD_PID=
SNMP_TRAP_PORT=
SNMP_TRAPD_LOG=
SNMP_TRAPD_STARTS=0
SNMP_TRAPD_EXTRA=${SNMP_TRAPD_EXTRA:-}

# snmp_start_trapd: start snmptrapd (PID in SNMP_TRAPD_PID) on a free UDP
# port of 127.0.0.1 (SNMP_TRAP_PORT; kept when already set, to restart
# on the same one), accepting community "public", writing each
# notification as one line "TRAP|OID = VALUE|OID = VALUE..." (numeric
# OIDs) to SNMP_TRAPD_LOG (a new file at each start: snmp_trapd_logs
# lists them all, in order); SNMP_TRAPD_EXTRA (e.g. a traphandle line) is
# added to its configuration.  Point the master at it with
# SNMP_MASTER_EXTRA="trap2sink 127.0.0.1:$SNMP_TRAP_PORT public" before
# snmp_start_master (snmp_start_master_and_trapd does both).  Skips the
# test when snmptrapd is not installed.
snmp_start_trapd()
{
    local trapd
    trapd=$(snmp_find_tool snmptrapd) || skip "snmptrapd (Net-SNMP) is not installed"
    if [ -z "$SNMP_TRAP_PORT" ]; then
        SNMP_TRAP_PORT=$(free_port) || skip "cannot find a free UDP port"
    fi
    # A log per start: snmptrapd truncates the file it is given.
    SNMP_TRAPD_STARTS=$((SNMP_TRAPD_STARTS + 1))
    SNMP_TRAPD_LOG="$SNMP_DIR/traps.$SNMP_TRAPD_STARTS.log"
    printf 'authCommunity log,execute public\ndoNotRetainNotificationLogs yes\n%s\n' \
        "$SNMP_TRAPD_EXTRA" >"$SNMP_DIR/snmptrapd.conf"
    start_bg SNMP_TRAPD_PID "$SNMP_DIR/snmptrapd.out" \
        "$trapd" -f -C -c "$SNMP_DIR/snmptrapd.conf" -Lf "$SNMP_TRAPD_LOG" \
        -On -m "" -M /dev/null -F 'TRAP|%V|%v\n' "udp:127.0.0.1:$SNMP_TRAP_PORT"
    wait_for_text "$SNMP_TRAPD_LOG" "NET-SNMP version" 20 || {
        printf 'snmptrapd did not start:\n'
        sed 's/^/     | /' "$SNMP_DIR/snmptrapd.out" "$SNMP_TRAPD_LOG" 2>/dev/null
        return 1
    }
}

# snmp_start_master_and_trapd: snmptrapd, then the master with its
# notifications sent there (trap2sink, community public, kept in
# SNMP_MASTER_EXTRA for later restarts); fails and finishes the test
# if either does not start.
snmp_start_master_and_trapd()
{
    snmp_start_trapd || { fail "snmptrapd starts"; finish; }
    SNMP_MASTER_EXTRA="trap2sink 127.0.0.1:$SNMP_TRAP_PORT public"
    snmp_start_master || { fail "master starts"; finish; }
}

# snmp_stop_trapd: stop snmptrapd (by PID) and reap it.
snmp_stop_trapd()
{
    if [ -n "$SNMP_TRAPD_PID" ]; then
        snmp_signal_and_reap "$SNMP_TRAPD_PID" TERM
        SNMP_TRAPD_PID=
    fi
}

# snmp_trapd_logs: the logs of every snmptrapd started, oldest first.
snmp_trapd_logs()
{
    local i
    for ((i = 1; i <= SNMP_TRAPD_STARTS; i++)); do
        printf '%s\n' "$SNMP_DIR/traps.$i.log"
    done
}

# snmp_trap_lines: every notification line received so far, in order.
snmp_trap_lines()
{
    local f
    snmp_trapd_logs | while IFS= read -r f; do
        grep -a '^TRAP|' "$f" 2>/dev/null
    done
}

# snmp_trap_count [TRAP_OID]: notifications received so far (of
# snmpTrapOID.0 = TRAP_OID when given).
snmp_trap_count()
{
    if [ -n "${1:-}" ]; then
        snmp_trap_lines | grep -c -F "|.1.3.6.1.6.3.1.1.4.1.0 = OID: .$1|"
    else
        snmp_trap_lines | grep -c '^TRAP|'
    fi
}

# snmp_show_logs [LINES]: print the last LINES (default 40) lines of
# mtamond's and snmpd's logs, indented (call it when something failed).
# shellcheck disable=SC2120 # LINES is optional
snmp_show_logs()
{
    local f
    for f in "$SNMP_AGENT_LOG" "$SNMP_MASTER_LOG"; do
        if [ -n "$f" ] && [ -s "$f" ]; then
            printf '     --- end of %s:\n' "${f##*/}"
            tail -n "${1:-40}" "$f" | sed 's/^/     | /'
        fi
    done
}

# snmp_require_agent DESC: fail DESC and end the test (printing the logs)
# unless mtamond is still running: every later check would only repeat
# the same failure.
snmp_require_agent()
{
    if [ -n "$SNMP_AGENT_PID" ] && kill -0 "$SNMP_AGENT_PID" 2>/dev/null &&
        [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$SNMP_AGENT_PID/stat" 2>/dev/null)" != Z ]; then
        pass "$1"
        return 0
    fi
    fail "$1" "mtamond (PID $SNMP_AGENT_PID) is not running"
    snmp_show_logs
    finish
}
