/*
 * ut_config.c - the config suites' files and config_load() checks (see
 * ut_config.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unit_util.h"
#include "ut_config.h"

static char dir[64];

static void remove_dir(void)
{
    ut_remove_tree(dir);
}

const char *ut_config_dir(void)
{
    if (!dir[0]) {
        ut_make_dir(dir, sizeof dir, "config");
        atexit(remove_dir);
    }
    return dir;
}

const char *ut_config_write(const char *name, const void *text, size_t len, mode_t mode,
                            char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s", ut_config_dir(), name);
    FILE *f = fopen(out, "wb");
    if (!f)
        return NULL;
    size_t n = fwrite(text, 1, len, f);
    if (fclose(f) != 0 || n != len || chmod(out, mode) != 0)
        return NULL;
    return out;
}

const char *ut_config_yaml(const void *yaml, size_t len)
{
    static char path[128];
    return ut_config_write("t.yaml", yaml, len, 0644, path, sizeof path);
}

struct config *ut_config_load_ok(const char *path)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    struct config *c = NULL;
    char err[CONFIG_ERROR_MAX] = "unchanged";
    int rc = config_load(path, &c, err, sizeof err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "\n    unexpected error: %s\n", err);
    else
        CU_ASSERT_STRING_EQUAL(err, "");
    return c;
}

void ut_config_expect_error(const char *path, const char *want)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    struct config *c = (struct config *)&c; /* must be set to NULL */
    char err[CONFIG_ERROR_MAX];
    CU_ASSERT_EQUAL(config_load(path, &c, err, sizeof err), -1);
    CU_ASSERT_PTR_NULL(c);
    char full[CONFIG_ERROR_MAX + 256];
    snprintf(full, sizeof full, "%s:%s", path, want);
    CU_ASSERT_STRING_EQUAL(err, full);
    if (strcmp(err, full) != 0)
        fprintf(stderr, "\n    expected: %s\n    actual:   %s\n", full, err);
    if (c != (struct config *)&c)
        config_free(c);
}
