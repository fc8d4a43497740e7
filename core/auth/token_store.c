/* token_store.c - generate a token and store its hash. */
#include "auth/token_store.h"

#include <string.h>

#include "plugin/host_api.h"
#include "status.h"

int token_store_create(struct plugin_instance *storage, int role, const char *consumers,
                       const char *label, const char *actor, char secret[TOKEN_SECRET_MAX],
                       char id[TOKEN_ID_MAX], int64_t *ret_created_ms, struct gs_error *err)
{
        struct gs_token_record t = {.struct_size = sizeof(t)};
        char s[TOKEN_SECRET_MAX], i[TOKEN_ID_MAX], hash[TOKEN_HASH_HEX];
        int r;

        r = token_generate(s, i);
        if (r == 0)
                r = token_hash(s, hash);
        if (r < 0) {
                r = gs_error_set(err, r, 0, "cannot generate a token");
                goto done;
        }
        t.role = (uint32_t)role;
        t.id = i;
        t.secret_hash = hash;
        t.consumers = consumers;
        t.label = label;
        t.created_by = actor;
        t.created_at_ms = host_now_ms();
        registry_enter(storage);
        r = storage->storage->token_insert(storage->instance, &t, err);
        registry_leave(storage);
        if (r < 0)
                goto done;
        memcpy(secret, s, TOKEN_SECRET_MAX);
        memcpy(id, i, TOKEN_ID_MAX);
        *ret_created_ms = t.created_at_ms;
done:
        memset(s, 0, sizeof(s));
        return r;
}
