#!/bin/bash
# test_man_api.sh - libmtamon(3) documents the whole public API: every
# function declared in src/lib/mtamon.h is in the man page's SYNOPSIS,
# and every function the SYNOPSIS shows exists in the header.
. "$(dirname "$0")/lib.sh"

declared=$(public_api_functions)
# Function names in the SYNOPSIS (.BI lines up to the next .SH).
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$IT_TOP_SRCDIR/man/libmtamon.3" |
    sed -n 's/^\.BI\{0,1\} "[^"]*[ *]\(mtamon_[a-z0-9_]*\)(.*/\1/p' | sort -u)

if [ "$(printf '%s\n' "$declared" | grep -c .)" -ge 20 ]; then
    pass "mtamon.h declares $(printf '%s\n' "$declared" | grep -c .) functions"
else
    fail "mtamon.h declares at least 20 functions (the pattern is broken)" "$declared"
fi
assert_eq "" "$(printf '%s\n' "$declared" | grep -vxF -f <(printf '%s\n' "$synopsis"))" \
    "every function of mtamon.h is in libmtamon(3)'s SYNOPSIS"
assert_eq "" "$(printf '%s\n' "$synopsis" | grep -vxF -f <(printf '%s\n' "$declared"))" \
    "libmtamon(3)'s SYNOPSIS shows no function mtamon.h does not declare"
finish
