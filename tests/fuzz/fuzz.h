/*
 * fuzz.h - what a fuzz target defines, for libFuzzer and for replay.c,
 * and the checks and input handling the targets share.
 *
 * Each target is built two ways: with clang -fsanitize=fuzzer by
 * tests/fuzz/run, where libFuzzer supplies main(), and with replay.c by
 * `make check`, which runs it over its seed corpus as a regression test.
 */
#ifndef MTAMON_FUZZ_H
#define MTAMON_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Run one input; returns 0 (libFuzzer's convention).  A broken invariant
 * aborts, so libFuzzer keeps the input and replay fails. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The target's seed corpus: tests/data/fuzz/<fuzz_corpus>/. */
extern const char fuzz_corpus[];

/* A broken invariant aborts: libFuzzer keeps the input, replay fails. */
#define FUZZ_CHECK(cond) \
    do { \
        if (!(cond)) \
            abort(); \
    } while (0)

/* The @p len bytes at @p data in a buffer of exactly that size (one byte
 * when @p len is 0: malloc(0) may give NULL), so ASan sees any read past
 * them; free() it. */
static inline void *fuzz_copy(const void *data, size_t len)
{
    void *copy = malloc(len ? len : 1);
    FUZZ_CHECK(copy != NULL);
    if (len)
        memcpy(copy, data, len);
    return copy;
}

/* Call @p fn with each line of @p data, split at '\n' (without it; a last
 * line without one counts, an empty input has no line), pointing into
 * @p data. */
static inline void fuzz_each_line(const uint8_t *data, size_t size,
                                  void (*fn)(const char *line, size_t len, void *ctx),
                                  void *ctx)
{
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        fn(p, len, ctx);
        p += len + (nl != NULL);
    }
}

/* @p s is a string (not NULL) of at most @p max bytes. */
static inline void fuzz_check_string(const char *s, size_t max)
{
    FUZZ_CHECK(s != NULL);
    FUZZ_CHECK(strlen(s) <= max);
}

/* @p s ends with a NUL within its @p cap bytes, and only printable ASCII
 * comes before it. */
static inline void fuzz_check_printable(const char *s, size_t cap)
{
    const char *nul = memchr(s, '\0', cap);
    FUZZ_CHECK(nul != NULL);
    for (; s < nul; s++)
        FUZZ_CHECK((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f);
}

#endif /* MTAMON_FUZZ_H */
