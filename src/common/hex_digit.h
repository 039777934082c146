/*
 * hex_digit.h - the value of one hexadecimal digit, for the parsers of
 * outside input (/proc/net/tcp, postqueue -j, the feed's state file).
 */
#ifndef MTAMON_HEX_DIGIT_H
#define MTAMON_HEX_DIGIT_H

/**
 * The value (0 to 15) of @p c as a hexadecimal digit ('0'-'9', 'a'-'f',
 * 'A'-'F'), or -1 for any other character.  Independent of the locale.
 */
int hex_digit_value(char c);

#endif /* MTAMON_HEX_DIGIT_H */
