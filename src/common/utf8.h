/*
 * utf8.h - decoding one UTF-8 sequence, strictly (RFC 3629): what the
 * config reader accepts as text and what the alarm state file writes as
 * it is.
 */
#ifndef MTAMON_UTF8_H
#define MTAMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/**
 * Length (1..4) of the valid UTF-8 sequence at @p s, of which @p len > 0
 * bytes are left, with its code point in *@p cp; 0 when it is not valid
 * (a stray continuation byte, a truncated sequence, an overlong form, a
 * surrogate, beyond U+10FFFF).
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

#endif /* MTAMON_UTF8_H */
