#!/bin/bash
# test_lib_symbols.sh - the static libmtamon.a, which an MTA links into
# itself, defines no global symbol outside its namespace: the public API
# of mtamon.h (mtamon_*) and the internal functions shared between its
# files (mtamon__*, two underscores).  A generic name such as set_error
# or segment_create would collide with the MTA's own.  Symbols the
# compiler makes (__*, reserved to it) are not ours to rename.  The shared
# library exports the public API only.
. "$(dirname "$0")/lib.sh"

lib="$IT_BUILDDIR/src/lib/.libs/libmtamon.a"
[ -f "$lib" ] || skip "$lib not built (--disable-static?)"
command -v nm >/dev/null 2>&1 || skip "nm (binutils) is not installed"

declared=$(public_api_functions)
defined=$(nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u)

if [ "$(printf '%s\n' "$defined" | grep -c .)" -ge 20 ]; then
    pass "nm lists the library's symbols ($(printf '%s\n' "$defined" | grep -c .))"
else
    fail "nm lists the library's symbols" "$defined"
fi
outside=$(printf '%s\n' "$defined" | grep -v -e '^mtamon__' -e '^__' |
    grep -vxF -f <(printf '%s\n' "$declared"))
assert_eq "" "$outside" "no global symbol outside mtamon.h's API and mtamon__*"
missing=$(printf '%s\n' "$declared" | grep -vxF -f <(printf '%s\n' "$defined"))
assert_eq "" "$missing" "every function of mtamon.h is defined in the library"

# The shared library exports exactly mtamon.h's functions.
so="$IT_BUILDDIR/src/lib/.libs/libmtamon.so"
if [ -f "$so" ]; then
    exported=$(nm -D --defined-only "$so" | awk 'NF == 3 && $2 == "T" { print $3 }' | sort -u)
    assert_eq "$declared" "$exported" "libmtamon.so exports exactly the functions of mtamon.h"
else
    printf 'SKIP: %s not built (--disable-shared?)\n' "$so"
fi

finish
