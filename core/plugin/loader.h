/*
 * loader.h - opens plugin shared objects and checks their handshake. The only
 * module that touches libltdl (which is not thread-safe): call every function
 * here on the main thread, before any other thread starts or after all have
 * stopped.
 *
 * Each rejection produces one actionable sentence in the caller's buffer;
 * the caller prefixes it with the config location and reports it.
 */
#ifndef GS_LOADER_H
#define GS_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "gpushop/plugin.h"

#define LOADER_MSG_MAX 512

struct loader_plugin; /* one opened shared object */

int loader_init(void);
void loader_exit(void);

/*
 * Resolve `name` (a bare plugin name such as "vastai", looked up as
 * "<dir>/<name>.so", or a path containing '/') and open it. Checks: loadable,
 * entry symbol, magic, ABI major, struct_size, kind == expected_kind, the ops
 * table's size, required ops and capability bits. expected_kind 0 accepts
 * any kind (for --describe-plugin). On success *ret_plugin is
 * set and 0 returned; otherwise GS_E_PLUGIN with a sentence in msg.
 */
int loader_open(const char *dir, const char *name, uint32_t expected_kind,
                struct loader_plugin **ret_plugin, char *msg, size_t msg_len);
/* Close and free. NULL-safe. */
void loader_close(struct loader_plugin *p);

const struct gs_plugin_info *loader_info(const struct loader_plugin *p);
const char *loader_path(const struct loader_plugin *p);
/* Key table of the plugin (may be NULL) and its element size. */
const struct gs_config_key *loader_config_keys(const struct loader_plugin *p, size_t *ret_size);

/* Validate an ops table of `kind` (used by loader_open; exposed for tests). */
int loader_check_ops(uint32_t kind, const void *ops, char *msg, size_t msg_len);

#endif /* GS_LOADER_H */
