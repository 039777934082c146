# lib.sh - shared helpers for the shell-driven integration tests.
# shellcheck shell=bash
#
# Source it from a test script (bash):
#
#   . "$(dirname "$0")/lib.sh"
#
# It finds the programs of the build under test, gives each test run its
# own shared-memory segment names (/mtamon-it-$$-N) and a private temporary
# directory, and installs a trap that, however the script ends, kills the
# background processes it started (by PID) and removes every /dev/shm
# object and temporary file it created.  Assertions print what they
# expected and what they got; `finish` prints "N passed, N failed" and
# exits 1 if anything failed.  `skip` exits 77 (automake's SKIP).
#
# Nothing here runs in a subshell that could lose state: helpers that
# "return" a value set a variable named by their first argument.

# --- where things are -------------------------------------------------------

# make check sets MTAMON_BUILDDIR; by hand, run from the build directory.
IT_BUILDDIR=${MTAMON_BUILDDIR:-$PWD}
# The source tree (read-only in a distcheck): for data files, never output.
IT_TOP_SRCDIR=${MTAMON_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export IT_TOP_SRCDIR
MTAMON="$IT_BUILDDIR/src/cli/mtamon"
MTAMON_EMIT="$IT_BUILDDIR/tests/integration/mtamon-emit"

# A default segment nobody creates: a test that forgets --segment must not
# reach the system's /mtamon.
MTAMON_SEGMENT="/mtamon-it-$$-0"
export MTAMON_SEGMENT

IT_PASSED=0
IT_FAILED=0
IT_SEG_COUNT=0
IT_SEGMENTS=()
IT_PIDS=()
IT_TMP=

# --- results -------------------------------------------------------------

pass()
{
    IT_PASSED=$((IT_PASSED + 1))
    printf 'ok   %s\n' "$1"
}

# fail DESC [DETAIL...]: each detail line is printed indented.
fail()
{
    IT_FAILED=$((IT_FAILED + 1))
    printf 'FAIL %s\n' "$1"
    shift
    local line
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/     | /'
    done
}

section()
{
    printf '\n== %s\n' "$*"
}

skip()
{
    printf 'SKIP: %s\n' "$*"
    exit 77
}

finish()
{
    printf '\n%d passed, %d failed\n' "$IT_PASSED" "$IT_FAILED"
    if [ "$IT_FAILED" -ne 0 ]; then
        exit 1
    fi
    exit 0
}

# --- assertions -----------------------------------------------------------

# assert_eq EXPECTED ACTUAL DESC
assert_eq()
{
    if [ "$1" = "$2" ]; then
        pass "$3"
    else
        fail "$3" "expected: '$1'" "actual:   '$2'"
    fi
}

# assert_ne UNEXPECTED ACTUAL DESC
assert_ne()
{
    if [ "$1" != "$2" ]; then
        pass "$3"
    else
        fail "$3" "expected anything but: '$1'"
    fi
}

# assert_contains HAYSTACK NEEDLE DESC
assert_contains()
{
    case $1 in
    *"$2"*) pass "$3" ;;
    *) fail "$3" "expected to contain: '$2'" "actual: '$1'" ;;
    esac
}

# assert_not_contains HAYSTACK NEEDLE DESC
assert_not_contains()
{
    case $1 in
    *"$2"*) fail "$3" "expected not to contain: '$2'" "actual: '$1'" ;;
    *) pass "$3" ;;
    esac
}

# assert_exit EXPECTED DESC: the exit status of the last `run`.
assert_exit()
{
    if [ "$RC" = "$1" ]; then
        pass "$2"
    else
        fail "$2" "expected exit status: $1" "actual exit status:   $RC" \
            "stdout: $OUT" "stderr: $ERR"
    fi
}

# assert_error STATUS FRAGMENT DESC [PREFIX]: the last `run` exited with
# STATUS and printed "PREFIX: ...FRAGMENT..." on stderr (PREFIX: mtamon).
assert_error()
{
    local prefix=${4:-mtamon}
    assert_exit "$1" "$3: exit status $1"
    assert_contains "$ERR" "$2" "$3: message says '$2'"
    case $ERR in
    "$prefix: "*) pass "$3: message starts with '$prefix: '" ;;
    *) fail "$3: message starts with '$prefix: '" "actual: '$ERR'" ;;
    esac
}

# assert_file_eq EXPECTED_FILE ACTUAL_FILE DESC: identical text (diff -u).
assert_file_eq()
{
    local d
    if d=$(diff -u "$1" "$2" 2>&1); then
        pass "$3"
    else
        fail "$3" "diff -u expected actual:" "$d"
    fi
}

# assert_same_bytes FILE1 FILE2 DESC: byte-identical (cmp).
assert_same_bytes()
{
    local d
    if d=$(cmp "$1" "$2" 2>&1); then
        pass "$3"
    else
        fail "$3" "$d"
    fi
}

# assert_exists PATH DESC / assert_missing PATH DESC
assert_exists()
{
    if [ -e "$1" ]; then pass "$2"; else fail "$2" "$1 does not exist"; fi
}

assert_missing()
{
    if [ -e "$1" ]; then fail "$2" "$1 exists"; else pass "$2"; fi
}

# --- running programs ------------------------------------------------------

# run CMD [ARG...]: run it, set RC, OUT and ERR (stdout and stderr without
# their final newlines); the exact output stays in $IT_TMP/out and err.
run()
{
    "$@" >"$IT_TMP/out" 2>"$IT_TMP/err"
    RC=$?
    OUT=$(cat "$IT_TMP/out")
    ERR=$(cat "$IT_TMP/err")
}

# cli ARG... / emit ARG...: run the programs under test.
cli()
{
    run "$MTAMON" "$@"
}

emit()
{
    run "$MTAMON_EMIT" "$@"
}

# start_bg VAR OUTFILE CMD [ARG...]: start CMD in the background with its
# stdout in OUTFILE, remember its PID for the cleanup and store it in VAR.
start_bg()
{
    local var=$1 outfile=$2
    shift 2
    "$@" >"$outfile" 2>&1 </dev/null &
    local pid=$!
    IT_PIDS+=("$pid")
    printf -v "$var" '%s' "$pid"
}

# stop_bg PID: kill it (by PID) and reap it.
stop_bg()
{
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    local i
    for i in "${!IT_PIDS[@]}"; do
        if [ "${IT_PIDS[$i]}" = "$1" ]; then
            unset 'IT_PIDS[i]'
        fi
    done
    return 0
}

# --- time and polling ------------------------------------------------------

# now_ms: the wall clock in milliseconds since the epoch.
now_ms() { date +%s%3N; }

# wait_until SECONDS CMD [ARG...]: run CMD every 0.1 s until it succeeds
# (return 0) or SECONDS (whole, or with a decimal part) of wall time have
# passed (return 1; CMD's own time counts).  The one polling loop of the
# tests: never a bare sleep to wait for something.
wait_until()
{
    local deadline
    deadline=$(( $(now_ms) + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }') ))
    shift
    until "$@"; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
    return 0
}

# file_has_text FILE TEXT: FILE exists and contains TEXT.
file_has_text() { grep -qF -- "$2" "$1" 2>/dev/null; }

# wait_for_text FILE TEXT [SECONDS]: wait (default 20 s) until FILE
# contains TEXT.
wait_for_text() { wait_until "${3:-20}" file_has_text "$1" "$2"; }

# free_port: a UDP port on 127.0.0.1 that was free a moment ago (the
# kernel's choice for port 0, so tests running in parallel do not pick
# the same one; a server that cannot bind it after all retries).
free_port()
{
    python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# process_ended PID: our child PID has exited (a zombie not yet reaped,
# or gone).
process_ended()
{
    local state
    [ -r "/proc/$1/stat" ] || return 0
    state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
    [ -z "$state" ] || [ "$state" = Z ]
}

# pid_gone PID: no process PID any more (for one that is not our child,
# such as a daemon that detached: its parent reaps it).
pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# counter SEG CHANNEL KEY: print one counter of CHANNEL in segment SEG
# (a counters or associations key of `counters show --json`), or "none".
counter()
{
    "$MTAMON" --segment "$1" counters show --json 2>/dev/null | python3 -c '
import json, sys
try:
    doc = json.load(sys.stdin)
except Exception:
    print("none"); sys.exit(0)
for c in doc.get("channels", []):
    if c.get("name") == sys.argv[1]:
        v = c.get("counters", {}).get(sys.argv[2])
        if v is None:
            v = c.get("associations", {}).get(sys.argv[2], "none")
        print(v); sys.exit(0)
print("none")' "$2" "$3"
}

# public_api_functions: the functions declared in src/lib/mtamon.h, one a
# line, sorted: every "mtamon_x(" outside the comments (a declaration may
# put its name on a line of its own).
public_api_functions()
{
    perl -0pe 's{/\*.*?\*/}{}gs' "$IT_TOP_SRCDIR/src/lib/mtamon.h" |
        grep -oE '\bmtamon_[a-z0-9_]+\(' | tr -d '(' | sort -u
}

# stat_of FORMAT PATH: stat -c FORMAT PATH (%a mode, %u uid, %g gid, %s
# size, %h links, ...), or "" when PATH does not exist.
stat_of() { stat -c "$1" -- "$2" 2>/dev/null; }

# sized_file PATH OCTETS MTIME: a file of OCTETS zero bytes whose mtime is
# MTIME (seconds since the epoch), its directories made (queue trees).
sized_file()
{
    mkdir -p "$(dirname "$1")"
    head -c "$2" /dev/zero >"$1"
    touch -d "@$3" "$1"
}

# --- segments --------------------------------------------------------------

# new_segment VAR: a fresh segment name for this run, removed at exit.
new_segment()
{
    IT_SEG_COUNT=$((IT_SEG_COUNT + 1))
    local name="/mtamon-it-$$-$IT_SEG_COUNT"
    IT_SEGMENTS+=("$name")
    rm -f "/dev/shm/${name#/}"
    printf -v "$1" '%s' "$name"
}

# shm_path NAME: where the object of segment NAME lives.
shm_path()
{
    printf '/dev/shm/%s\n' "${1#/}"
}

# patch_int FILE OFFSET FORMAT VALUE: write VALUE packed as python's
# struct FORMAT ("<I" for a little-endian uint32, "<Q" for a uint64).
patch_int()
{
    python3 - "$@" <<'EOF'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    f.write(struct.pack(sys.argv[3], int(sys.argv[4])))
EOF
}

# patch_u32 / patch_u64 FILE OFFSET VALUE: a little-endian uint32 / uint64.
patch_u32() { patch_int "$1" "$2" "<I" "$3"; }
patch_u64() { patch_int "$1" "$2" "<Q" "$3"; }

# patch_bytes FILE OFFSET TEXT: overwrite bytes with TEXT.
patch_bytes()
{
    printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# --- JSON checks with python3 ---------------------------------------------

# py_check DESC ARG... <<'EOF' ... EOF
# Runs the python code on stdin with the helpers below and ARG... in
# sys.argv[1:].  The code calls check(desc, actual, expected); each check
# becomes a pass or a failure here.  A crash of the script is a failure.
IT_PY_PRELUDE='
import json, sys

MISSING = "<missing>"

def load(path):
    with open(path) as f:
        return json.load(f)

def get(obj, *keys):
    for k in keys:
        if isinstance(obj, dict) and k in obj:
            obj = obj[k]
        elif isinstance(obj, list) and isinstance(k, int) and 0 <= k < len(obj):
            obj = obj[k]
        else:
            return MISSING
    return obj

def channel(doc, name):
    for c in get(doc, "channels") if isinstance(get(doc, "channels"), list) else []:
        if isinstance(c, dict) and c.get("name") == name:
            return c
    return {}

def check(desc, actual, expected):
    if actual == expected:
        print("PASS " + desc)
    else:
        print("FAIL " + desc + ": expected " + repr(expected) + ", got " + repr(actual))

def check_true(desc, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + desc + ("" if ok else ": " + detail))

# `counters show --json` figures: missing ones count as 0.
def channel_names(doc):
    chans = get(doc, "channels")
    return [str(ch.get("name")) for ch in chans] if isinstance(chans, list) else []

def counter(doc, name, key):
    v = get(channel(doc, name), "counters", key)
    return 0 if v == MISSING else v

def counter_total(doc, key):
    return sum(counter(doc, name, key) for name in channel_names(doc))

def stored_messages(doc, name):
    v = get(channel(doc, name), "stored", "messages")
    return 0 if v == MISSING else v

# FIGURES: (what, mtamon figure, the test figure, the tool figure) rows,
# each compared with both; TOOL names the tool in the messages.
def check_figures(figures, tool):
    for what, mine, ours, theirs in figures:
        # \x27: an apostrophe, inside this single-quoted shell string
        check(what + " = the test\x27s own figure", mine, ours)
        check(what + " = " + tool + " figure", mine, theirs)
'

py_check()
{
    local desc=$1 out rc line
    shift
    out=$({ printf '%s\n' "$IT_PY_PRELUDE"; cat; } | python3 - "$@" 2>&1)
    rc=$?
    while IFS= read -r line; do
        case $line in
        "PASS "*) pass "$desc: ${line#PASS }" ;;
        "FAIL "*) fail "$desc: ${line#FAIL }" ;;
        *) printf '     %s\n' "$line" ;;
        esac
    done <<<"$out"
    if [ "$rc" -ne 0 ]; then
        fail "$desc: python check script failed (exit $rc)"
    fi
}

# require_program PATH: skip (77) unless PATH was built.
require_program()
{
    [ -x "$1" ] ||
        skip "$1 not built (set MTAMON_BUILDDIR or run from the build dir)"
}

# --- setup and cleanup -----------------------------------------------------

it_cleanup()
{
    local rc=$? pid name
    trap - EXIT
    for pid in "${IT_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    for name in "${IT_SEGMENTS[@]}"; do
        rm -f "/dev/shm/${name#/}"
    done
    rm -f "/dev/shm/${MTAMON_SEGMENT#/}"
    if [ -n "$IT_TMP" ]; then
        rm -rf "$IT_TMP"
    fi
    exit "$rc"
}

trap it_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mtamon-it.XXXXXX") ||
    skip "cannot create a temporary directory"

if ! [ -d /dev/shm ] || ! [ -w /dev/shm ]; then
    skip "/dev/shm is not a writable directory: POSIX shared memory unavailable"
fi
if ! command -v python3 >/dev/null 2>&1; then
    skip "python3 is needed to check JSON output"
fi
require_program "$MTAMON_EMIT"
