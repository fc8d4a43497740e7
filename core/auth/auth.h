/*
 * auth.h - bearer-token authentication and route access for the HTTP API.
 *
 * Tokens are looked up by the SHA-256 of the presented secret in storage
 * (only hashes are stored); the optional bootstrap admin token from the
 * config is kept as a hash in memory and compared in constant time.
 * Created on the main thread; auth_check runs on HTTP pool threads.
 */
#ifndef GS_AUTH_H
#define GS_AUTH_H

#include <stdbool.h>

#include "auth/principal.h"
#include "auth/token.h"
#include "http/request.h"
#include "plugin/registry.h"

/* Route access levels (struct route.access). 0 is the most restrictive so a
 * route added without thinking is admin-only, never accidentally public. */
enum route_access {
        ROUTE_ADMIN = 0,   /* admin tokens only */
        ROUTE_PUBLIC = 1,  /* no token needed (/health, /ready) */
        ROUTE_READ = 2,    /* any valid token; handlers scope consumers */
        ROUTE_WRITE = 3,   /* admin or consumer tokens; handlers scope consumers */
        ROUTE_METRICS = 4, /* public or ROUTE_READ, per [auth] metrics_public */
};

struct auth_settings {
        bool enabled;
        bool metrics_public;
        char admin_token_hash[TOKEN_HASH_HEX]; /* "" = no bootstrap admin token */
};

struct auth {
        struct auth_settings settings;
        struct plugin_instance *storage;
};

void auth_init(struct auth *a, const struct auth_settings *s, struct plugin_instance *storage);

/*
 * Decide whether `req` may use a route of `access`. Fills req's principal
 * and returns true to proceed; otherwise fills `res` with 401 (no or bad
 * token, with WWW-Authenticate) or 403 (role too weak) and returns false.
 */
bool auth_check(struct auth *a, struct http_request *req, int access, struct http_response *res);

/* True for a numeric loopback address (127.0.0.0/8, ::1). */
bool auth_is_loopback(const char *listen);

#endif /* GS_AUTH_H */
