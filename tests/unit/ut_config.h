/*
 * ut_config.h - the files the config suites (test_config*.c) load: written
 * into one private directory of the run, removed whole at exit, and
 * config_load()'s two outcomes checked the same way in every suite.
 */
#ifndef MTAMON_UT_CONFIG_H
#define MTAMON_UT_CONFIG_H

#include <stddef.h>
#include <sys/types.h>

#include "mtamon_config.h"

/* The private directory "/tmp/mtamon-ut-config.XXXXXX" (mode 0700), made
 * at the first call and removed with everything in it at exit; fails the
 * calling test fatally if it cannot be made. */
const char *ut_config_dir(void);

/* Create or replace @p name in ut_config_dir() with exactly @p len bytes of
 * @p text, mode @p mode; its path into @p out (@p outlen bytes).  Returns
 * @p out, or NULL if the file could not be written. */
const char *ut_config_write(const char *name, const void *text, size_t len, mode_t mode,
                            char *out, size_t outlen);

/* Write @p len bytes of @p yaml to "t.yaml" in ut_config_dir() (mode
 * 0644); returns its path (the same buffer every call), or NULL. */
const char *ut_config_yaml(const void *yaml, size_t len);

/* config_load() @p path (NULL fails the test fatally): it must succeed
 * and leave the message empty.  Returns the config (config_free() it). */
struct config *ut_config_load_ok(const char *path);

/* config_load() @p path (NULL fails the test fatally): it must fail,
 * return no config, and say exactly @p path ":" @p want. */
void ut_config_expect_error(const char *path, const char *want);

#endif /* MTAMON_UT_CONFIG_H */
