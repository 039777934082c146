/*
 * cfg_path.h - the key paths the mtamon.yaml loader's messages name
 * ("channels[12].group_name"; internal to src/common).
 */
#ifndef MTAMON_CFG_PATH_H
#define MTAMON_CFG_PATH_H

#include <stddef.h>

/* Room for a key path such as "channels[12].group_name". */
#define KEY_PATH_MAX 160

/* "parent" SEP "child" into @p out, cut to KEY_PATH_MAX - 1 bytes. */
void cfg_path_join(char out[KEY_PATH_MAX], const char *parent, const char *sep,
                   const char *child);

/* "parent.key" into @p out, for the key of @p len bytes at @p key (made
 * printable and bounded). */
void cfg_path_key(char out[KEY_PATH_MAX], const char *parent, const char *key,
                  size_t len);

/* "parent[i]" into @p out. */
void cfg_path_index(char out[KEY_PATH_MAX], const char *parent, size_t i);

/* "entry.key" into @p out (a plain key): @p out, for a message about the
 * key @p key of the entry at @p entry. */
const char *cfg_path_field(char out[KEY_PATH_MAX], const char *entry, const char *key);

#endif /* MTAMON_CFG_PATH_H */
