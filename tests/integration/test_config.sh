#!/bin/bash
# test_config.sh - `mtamon check-config FILE` against mtamon.yaml(5):
# every file of tests/data/config (a bad-*.yaml must fail with exit
# status 78 and exactly the message of its first line, "# expect:
# LINE:COL: KEY: message"; a good-*.yaml must pass with exactly the
# summary of its first line), the shipped conf/mtamon.yaml, files that
# cannot be read, and usage errors.  check-config must never create or
# touch a segment.  The files are checked with --syntax-only: what this
# machine lacks to run them (users, directories) is test_check_config.sh's.
#
# Run by `make check`; by hand: cd BUILDDIR && SRCDIR/tests/integration/test_config.sh

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_program "$MTAMON"

T=$IT_TMP
DATA=$IT_TOP_SRCDIR/tests/data/config

# expectation FILE: the text after "# expect: " on FILE's first line.
expectation()
{
    local first
    IFS= read -r first <"$1" || first=
    case $first in
    "# expect: "*) printf '%s' "${first#\# expect: }" ;;
    *) printf '' ;;
    esac
}

# check_config_case FILE WANT: `check-config FILE` says what the file's
# "# expect:" line (WANT) says: a bad-*.yaml exits 78 with "mtamon:
# FILE:WANT" on stderr and nothing on stdout, a good one exits 0 with
# "FILE: WANT" on stdout and nothing on stderr.  Returns 1 (a failure)
# when WANT is empty: the file has no expectation.
check_config_case()
{
    local f=$1 want=$2 name=${1##*/}
    if [ -z "$want" ]; then
        fail "$name: has an '# expect:' first line"
        return 1
    fi
    cli check-config --syntax-only "$f"
    case $name in
    bad-*)
        assert_exit 78 "$name: exit status 78"
        assert_eq "mtamon: $f:$want" "$ERR" "$name: message"
        assert_eq "" "$OUT" "$name: nothing on stdout"
        ;;
    *)
        assert_exit 0 "$name: exit status 0"
        assert_eq "$f: $want" "$OUT" "$name: summary"
        assert_eq "" "$ERR" "$name: nothing on stderr"
        ;;
    esac
}

# ------------------------------------------------------------------------
section "bad configurations: exit 78, the exact message"

n_bad=0
for f in "$DATA"/bad-*.yaml; do
    if check_config_case "$f" "$(expectation "$f")"; then
        n_bad=$((n_bad + 1))
    fi
done
# One file per kind of error listed in mtamon.yaml(5); a lost glob would
# otherwise pass silently.
if [ "$n_bad" -ge 200 ]; then
    pass "found $n_bad bad configurations"
else
    fail "found $n_bad bad configurations, expected at least 200"
fi

# ------------------------------------------------------------------------
section "good configurations: exit 0, the summary"

n_good=0
for f in "$DATA"/good-*.yaml; do
    if [ "${f##*/}" = good-empty.yaml ]; then
        want="ok (1 applications, 0 channels)" # an empty file has no line 1
    else
        want=$(expectation "$f")
    fi
    if check_config_case "$f" "$want"; then
        n_good=$((n_good + 1))
    fi
done
assert_eq 9 "$n_good" "found every good configuration"
assert_eq 0 "$(stat_of %s "$DATA/good-empty.yaml")" "good-empty.yaml is empty"

section "the shipped sample conf/mtamon.yaml"
cli check-config --syntax-only "$IT_TOP_SRCDIR/conf/mtamon.yaml"
assert_exit 0 "conf/mtamon.yaml: exit status 0"
assert_eq "$IT_TOP_SRCDIR/conf/mtamon.yaml: ok (3 applications, 4 channels, 0 queues, 2 partitions, 3 ports, 0 processes, 4 probes)" "$OUT" \
    "conf/mtamon.yaml: summary"
assert_eq "" "$ERR" "conf/mtamon.yaml: nothing on stderr"
# Neither the sample nor the unit leaves mtamond running as root: the
# sample drops to mtamon when started as root, the unit starts it as mtamon.
assert_eq "  user: mtamon" "$(sed -n '/^daemon:/,/^[^ #]/{/^  user:/p}' "$IT_TOP_SRCDIR/conf/mtamon.yaml")" \
    "conf/mtamon.yaml: daemon.user is mtamon"
assert_eq "User=mtamon" "$(grep '^User=' "$IT_TOP_SRCDIR/conf/mtamond.service")" \
    "conf/mtamond.service: User=mtamon"

# ------------------------------------------------------------------------
section "probe credentials files"

# probe_config CREDENTIALS: a config with an imap probe logging in with it.
probe_config()
{
    printf 'probes:\n  - name: imap\n    kind: imap\n    address: 127.0.0.1\n    credentials: %s\n' \
        "$1" >"$T/creds.yaml"
}
printf 'probe:Secret-Pa55\n' >"$T/creds"
chmod 644 "$T/creds"
probe_config "$T/creds"
cli check-config --syntax-only "$T/creds.yaml"
assert_exit 78 "credentials mode 0644: exit status 78"
assert_eq "mtamon: $T/creds.yaml:5:18: probes[0].credentials: credentials file $T/creds has mode 0644: its group or others may read or write it; refused (run chmod 600 $T/creds)" \
    "$ERR" "credentials mode 0644: the message names the file, its mode and chmod 600"
assert_not_contains "$OUT$ERR" "Secret-Pa55" "credentials mode 0644: the password is not printed"
chmod 660 "$T/creds"
cli check-config --syntax-only "$T/creds.yaml"
assert_exit 78 "credentials mode 0660: exit status 78"
assert_contains "$ERR" "has mode 0660" "credentials mode 0660: refused"
chmod 600 "$T/creds"
cli check-config --syntax-only "$T/creds.yaml"
assert_exit 0 "credentials mode 0600: exit status 0"
assert_eq "$T/creds.yaml: ok (1 applications, 0 channels, 1 probes)" "$OUT" "credentials mode 0600: summary"
assert_not_contains "$OUT$ERR" "Secret-Pa55" "credentials mode 0600: the password is not printed"
printf 'no colon here\n' >"$T/creds"
cli check-config --syntax-only "$T/creds.yaml"
assert_exit 78 "credentials without ':': exit status 78"
assert_eq "mtamon: $T/creds.yaml:5:18: probes[0].credentials: credentials file $T/creds: the first line is not USER:PASSWORD" \
    "$ERR" "credentials without ':': message"
probe_config "$T/missing-creds"
cli check-config --syntax-only "$T/creds.yaml"
assert_exit 78 "missing credentials file: exit status 78"
assert_eq "mtamon: $T/creds.yaml:5:18: probes[0].credentials: credentials file $T/missing-creds: No such file or directory" \
    "$ERR" "missing credentials file: message"
probe_config "$T"
cli check-config --syntax-only "$T/creds.yaml"
assert_exit 78 "credentials file a directory: exit status 78"
assert_eq "mtamon: $T/creds.yaml:5:18: probes[0].credentials: credentials file $T: not a regular file" \
    "$ERR" "credentials file a directory: message"

# ------------------------------------------------------------------------
section "the file name is reported as given"

cp "$DATA/bad-number-zero.yaml" "$T/relative.yaml"
(cd "$T" && "$MTAMON" check-config --syntax-only relative.yaml) >"$T/rel.out" 2>"$T/rel.err"
RC=$?
assert_eq 78 "$RC" "relative name: exit status 78"
assert_eq "mtamon: relative.yaml:3:18: agentx.ping_interval: 0 is out of range (1..3600)" \
    "$(cat "$T/rel.err")" "relative name: message"

# ------------------------------------------------------------------------
section "files that cannot be read"

cli check-config "$T/missing.yaml"
assert_exit 78 "missing file: exit status 78"
assert_eq "mtamon: $T/missing.yaml: No such file or directory" "$ERR" "missing file: message"
assert_eq "" "$OUT" "missing file: nothing on stdout"

mkdir "$T/dir.yaml"
cli check-config "$T/dir.yaml"
assert_exit 78 "directory: exit status 78"
assert_eq "mtamon: $T/dir.yaml: Is a directory" "$ERR" "directory: message"

if [ "$(id -u)" -ne 0 ]; then
    cp "$DATA/good-minimal.yaml" "$T/unreadable.yaml"
    chmod 000 "$T/unreadable.yaml"
    cli check-config "$T/unreadable.yaml"
    assert_exit 78 "unreadable file: exit status 78"
    assert_eq "mtamon: $T/unreadable.yaml: Permission denied" "$ERR" \
        "unreadable file: message"
else
    printf 'note: running as root, the unreadable-file case cannot be checked\n'
fi

# Far larger than any configuration: refused before parsing.
head -c 5000000 /dev/zero | tr '\0' '#' >"$T/huge.yaml"
cli check-config "$T/huge.yaml"
assert_exit 78 "huge file: exit status 78"
assert_eq "mtamon: $T/huge.yaml: larger than 4194304 bytes: not a configuration file" \
    "$ERR" "huge file: message"

# ------------------------------------------------------------------------
section "check-config starts nothing and leaves the segment alone"

seg=
new_segment seg # sets seg
printf 'segment:\n  name: %s\nchannels:\n  - name: tcp_local\n' "$seg" >"$T/seg.yaml"
cli check-config "$T/seg.yaml"
assert_contains "$ERR" "$T/seg.yaml: segment.name: warning: segment $seg does not exist yet" \
    "config naming a new segment: a warning that it is missing"
assert_missing "$(shm_path "$seg")" "check-config did not create the segment"

# ------------------------------------------------------------------------
section "usage"

cli check-config
assert_error 64 "check-config: no FILE given" "no FILE"
cli check-config "$DATA/good-minimal.yaml" "$DATA/good-full.yaml"
assert_error 64 "check-config: unexpected argument '$DATA/good-full.yaml'" "two FILEs"
cli check-config --bogus "$DATA/good-minimal.yaml"
assert_error 64 "check-config: unknown option '--bogus'" "unknown option"
cli check-config --help
assert_exit 0 "--help: exit status 0"
assert_contains "$OUT" "usage: mtamon check-config [--syntax-only] FILE" "--help: usage on stdout"
cli --help
assert_contains "$OUT" "check-config [--syntax-only] FILE" "mtamon --help lists check-config"
# "--" ends the options: a file may start with '-'.
cp "$DATA/good-minimal.yaml" "$T/-dash.yaml"
(cd "$T" && "$MTAMON" check-config --syntax-only -- -dash.yaml) >"$T/dash.out" 2>&1
assert_eq "-dash.yaml: ok (1 applications, 0 channels)" "$(cat "$T/dash.out")" \
    "a file named after '--'"

finish
