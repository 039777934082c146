/*
 * fnv1a.h - the one non-cryptographic hash of the project: 64-bit FNV-1a,
 * for hash tables of short keys (channel names, queue ids, connection
 * keys) and the feed state file's check of the bytes before its offset.
 * The state file stores these values: the function must never change.
 */
#ifndef MTAMON_FNV1A_H
#define MTAMON_FNV1A_H

#include <stddef.h>
#include <stdint.h>

/** Start value: hash a key with fnv1a_add(FNV1A_INIT, key, len). */
#define FNV1A_INIT UINT64_C(0xcbf29ce484222325)

/** @p h continued over @p len bytes at @p data (chain calls for keys in parts). */
static inline uint64_t fnv1a_add(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

#endif /* MTAMON_FNV1A_H */
