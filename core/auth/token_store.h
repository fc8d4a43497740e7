/*
 * token_store.h - creating an API token: generate the secret, store only its
 * hash. Shared by POST /api/v1/tokens and `gpu-shopperd --create-token`.
 * Thread-safe (storage calls go through the registry lock).
 */
#ifndef GS_TOKEN_STORE_H
#define GS_TOKEN_STORE_H

#include "auth/token.h"
#include "plugin/registry.h"

/* consumers: comma-separated ids (role consumer) or NULL. On success the
 * secret (show it once, then wipe) and the public id are written. */
int token_store_create(struct plugin_instance *storage, int role, const char *consumers,
                       const char *label, const char *actor, char secret[TOKEN_SECRET_MAX],
                       char id[TOKEN_ID_MAX], int64_t *ret_created_ms, struct gs_error *err);

#endif /* GS_TOKEN_STORE_H */
