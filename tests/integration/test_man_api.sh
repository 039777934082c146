#!/bin/bash
# test_man_api.sh - libmtamon(3) documents the whole public API: every
# function declared in src/lib/mtamon.h is in the man page's SYNOPSIS,
# and every function the SYNOPSIS shows exists in the header.
src=${MTAMON_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
header="$src/src/lib/mtamon.h"
man="$src/man/libmtamon.3"
passed=0 failed=0

# Function names declared in the header: every "mtamon_x(" outside the
# comments (a declaration may put its name on a line of its own).
declared=$(perl -0pe 's{/\*.*?\*/}{}gs' "$header" |
    grep -oE '\bmtamon_[a-z0-9_]+\(' | tr -d '(' | sort -u)
# Function names in the SYNOPSIS (.BI lines up to the next .SH).
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$man" |
    sed -n 's/^\.BI\{0,1\} "[^"]*[ *]\(mtamon_[a-z0-9_]*\)(.*/\1/p' | sort -u)

if [ "$(printf '%s\n' "$declared" | grep -c .)" -ge 20 ]; then
    passed=$((passed + 1))
else
    echo "FAIL found fewer than 20 functions in $header: the pattern is broken"
    failed=$((failed + 1))
fi
# expect_all_in NAMES LIST WHAT: each of NAMES is a line of LIST, or WHAT
# (with the name for %s) is reported.
expect_all_in()
{
    local f
    for f in $1; do
        if printf '%s\n' "$2" | grep -qx "$f"; then
            passed=$((passed + 1))
        else
            # shellcheck disable=SC2059 # the format is the caller's
            printf "FAIL $3\n" "$f"
            failed=$((failed + 1))
        fi
    done
}
expect_all_in "$declared" "$synopsis" \
    "%s is declared in mtamon.h but not in libmtamon(3)'s SYNOPSIS"
expect_all_in "$synopsis" "$declared" \
    "libmtamon(3) shows %s, which mtamon.h does not declare"
printf '\n%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
