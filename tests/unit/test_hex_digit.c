/*
 * test_hex_digit.c - hex_digit_value() (src/common/hex_digit.c): every
 * digit of both cases, and every other byte refused.
 */
#include <stdio.h>
#include <string.h>

#include "unit_util.h"

#include "hex_digit.h"

static void test_digits(void)
{
    static const char lower[] = "0123456789abcdef";
    static const char upper[] = "0123456789ABCDEF";
    for (int v = 0; v < 16; v++) {
        CU_ASSERT_EQUAL(hex_digit_value(lower[v]), v);
        CU_ASSERT_EQUAL(hex_digit_value(upper[v]), v);
    }
}

static void test_others(void)
{
    static const char digits[] = "0123456789abcdefABCDEF";
    int accepted = 0;
    for (int c = 0; c < 256; c++) {
        char ch = (char)(unsigned char)c;
        if (memchr(digits, ch, sizeof digits - 1))
            continue;
        int v = hex_digit_value(ch);
        CU_ASSERT_EQUAL(v, -1);
        if (v != -1 && accepted++ < 5)
            fprintf(stderr, "\n    byte %d gave %d\n", c, v);
    }
}

UT_MAIN("hex_digit",
        {"0-9, a-f, A-F", test_digits},
        {"every other byte refused", test_others})
