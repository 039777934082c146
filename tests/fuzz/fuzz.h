/*
 * fuzz.h - what a fuzz target defines, for libFuzzer and for replay.c.
 *
 * Each target is built two ways: with clang -fsanitize=fuzzer by
 * tests/fuzz/run, where libFuzzer supplies main(), and with replay.c by
 * `make check`, which runs it over its seed corpus as a regression test.
 */
#ifndef MTAMON_FUZZ_H
#define MTAMON_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run one input; returns 0 (libFuzzer's convention).  A broken invariant
 * aborts, so libFuzzer keeps the input and replay fails. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The target's seed corpus: tests/data/fuzz/<fuzz_corpus>/. */
extern const char fuzz_corpus[];

#endif /* MTAMON_FUZZ_H */
