/*
 * cfg_path.c - the key paths the mtamon.yaml loader's messages name (see
 * cfg_path.h).
 */
#include "cfg_path.h"

#include <stdio.h>

#include "cfg_fail.h"


/* "parent" SEP "child" into @p out, cut to KEY_PATH_MAX - 1 bytes. */
void cfg_path_join(char out[KEY_PATH_MAX], const char *parent, const char *sep,
                   const char *child)
{
    if (snprintf(out, KEY_PATH_MAX, "%s%s%s", parent, sep, child) < 0)
        out[0] = '\0';
}

/* "parent.key" into @p out (the key made printable and bounded). */
void cfg_path_key(char out[KEY_PATH_MAX], const char *parent, const char *key,
                  size_t len)
{
    char k[64];
    cfg_fail_printable(key, len, k, sizeof k);
    cfg_path_join(out, parent, *parent ? "." : "", k);
}

/* "entry.key" into @p out, returned. */
const char *cfg_path_field(char out[KEY_PATH_MAX], const char *entry, const char *key)
{
    cfg_path_join(out, entry, ".", key);
    return out;
}

/* "parent[i]" into @p out. */
void cfg_path_index(char out[KEY_PATH_MAX], const char *parent, size_t i)
{
    char sub[24];
    snprintf(sub, sizeof sub, "[%zu]", i);
    cfg_path_join(out, parent, "", sub);
}
