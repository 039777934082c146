# lib.sh - what the agent benchmarks (bench/agent/run,
# bench/agent/get_during_scan) share: a private temporary directory, the
# processes and segments of the run (stopped by PID and removed however
# the script ends), free ports of 127.0.0.1, polling, medians, CPU time
# and a private snmpd master.
# shellcheck shell=bash
#
# Source it from a bench script (bash) after `set -u`; sourcing it creates
# TMP (with the Net-SNMP environment pointing into it) and installs the
# EXIT, HUP, INT and TERM traps.  The caller sets SNMPD, SNMPGET and
# SNMPGETNEXT (find_tool) before starting anything.
# shellcheck disable=SC2317  # functions called indirectly (trap, wait_until)

# --- processes, files and segments of this run, removed at exit ------------

PIDS=()
SEGMENTS=()
TMP=

cleanup()
{
    local rc=$? pid seg
    trap - EXIT
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    for seg in "${SEGMENTS[@]}"; do
        rm -f "/dev/shm/${seg#/}"
    done
    [ -n "$TMP" ] && rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# A short path: AgentX unix socket names hold at most 107 bytes.
TMP=$(mktemp -d /tmp/mtamon-bench.XXXXXX) || exit 73
mkdir -p "$TMP/conf" "$TMP/persist"
# Neither snmpd nor the tools read /etc/snmp or ~/.snmp, write
# /var/lib/snmp or parse MIB files.
export SNMPCONFPATH="$TMP/conf" SNMP_PERSISTENT_DIR="$TMP/persist" MIBS="" MIBDIRS=/dev/null
unset SNMP_PERSISTENT_FILE
MIB_OPTS=(-m "" -M /dev/null)

# start_bg VAR LOG CMD...: start CMD in the background, remember its PID.
start_bg()
{
    local var=$1 log=$2
    shift 2
    "$@" >>"$log" 2>&1 </dev/null &
    PIDS+=("$!")
    printf -v "$var" '%s' "$!"
}

# stop_bg PID: stop our child PID (TERM, then KILL after 10 s) and reap it.
stop_bg()
{
    local pid=$1 tries=100 i
    {
        kill "$pid"
        while [ "$tries" -gt 0 ] && kill -0 "$pid" && [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$pid/stat")" != Z ]; do
            sleep 0.1
            tries=$((tries - 1))
        done
        [ "$tries" -eq 0 ] && kill -s KILL "$pid"
        wait "$pid"
    } 2>/dev/null
    for i in "${!PIDS[@]}"; do
        [ "${PIDS[$i]}" = "$pid" ] && unset 'PIDS[i]'
    done
    return 0
}

find_tool()
{
    local d
    command -v "$1" 2>/dev/null && return 0
    for d in /usr/sbin /usr/local/sbin /usr/bin /usr/local/bin; do
        [ -x "$d/$1" ] && { printf '%s\n' "$d/$1"; return 0; }
    done
    return 1
}

# free_port: a UDP port of 127.0.0.1 that the kernel handed out as free.
free_port()
{
    python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_until SECONDS PID CMD...: poll CMD every 0.1 s until it succeeds;
# fail when PID (if not empty) died or the time is up.
wait_until()
{
    local tries=$(($1 * 10)) pid=$2
    shift 2
    while [ "$tries" -gt 0 ]; do
        "$@" && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# answers_under TARGET OID: a GETNEXT of OID returns an object under OID.
answers_under()
{
    "$SNMPGETNEXT" -v2c -c public -On -t 1 -r 0 "${MIB_OPTS[@]}" "$1" "$2" 2>/dev/null |
        grep -q "^\.${2//./\\.}\."
}

median()
{
    printf '%s\n' "$@" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# cpu_ms PID...: the CPU time the processes (every thread) have used so
# far, in ms, from the scheduler's nanosecond counters.
cpu_ms()
{
    local proc
    for proc in "$@"; do
        cat "/proc/$proc/task/"*/schedstat 2>/dev/null
    done | awk '{ ns += $1 } END { printf "%.3f", ns / 1e6 }'
}

# --- a private snmpd ---------------------------------------------------------

# start_snmpd NAME CONF_EXTRA SNMPD_ARG...: start snmpd NAME on a free UDP
# port of 127.0.0.1 with the configuration lines CONF_EXTRA; sets
# <NAME>_PID and <NAME>_TARGET.  Waits until it answers a GET of
# sysUpTime.0 (retrying on another port if it died at start).
start_snmpd()
{
    local name=$1 extra=$2 port pid
    shift 2
    for _ in 1 2 3; do
        port=$(free_port) || return 1
        {
            echo "agentaddress udp:127.0.0.1:$port"
            echo "rocommunity public 127.0.0.1"
            echo "dontLogTCPWrappersConnects yes"
            printf '%s\n' "$extra"
        } >"$TMP/$name.conf"
        start_bg pid "$TMP/$name.out" "$SNMPD" -f -C -c "$TMP/$name.conf" \
            -Lf "$TMP/$name.log" "${MIB_OPTS[@]}" "$@"
        printf -v "${name}_PID" '%s' "$pid"
        printf -v "${name}_TARGET" '%s' "udp:127.0.0.1:$port"
        if wait_until 20 "$pid" snmpd_answers "udp:127.0.0.1:$port"; then
            return 0
        fi
        stop_bg "$pid"
    done
    echo "   snmpd ($name) does not answer; its log:" >&2
    sed 's/^/   | /' "$TMP/$name.log" "$TMP/$name.out" >&2 2>/dev/null
    return 1
}

snmpd_answers()
{
    "$SNMPGET" -v2c -c public -On -t 1 -r 0 "${MIB_OPTS[@]}" "$1" 1.3.6.1.2.1.1.3.0 2>/dev/null |
        grep -q '^\.1\.3\.6\.1\.2\.1\.1\.3\.0 = Timeticks:'
}
