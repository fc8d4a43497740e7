/* auth.c - bearer-token authentication and route access decisions. */
#include "auth/auth.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/reply.h"
#include "log.h"
#include "status.h"

#define BEARER_PREFIX "Bearer "

void auth_init(struct auth *a, const struct auth_settings *s, struct plugin_instance *storage)
{
        memset(a, 0, sizeof(*a));
        a->settings = *s;
        a->storage = storage;
}

bool auth_is_loopback(const char *listen)
{
        struct in_addr v4;
        struct in6_addr v6;

        if (inet_pton(AF_INET, listen, &v4) == 1)
                return (ntohl(v4.s_addr) >> 24) == 127;
        if (inet_pton(AF_INET6, listen, &v6) == 1)
                return memcmp(&v6, &in6addr_loopback, sizeof(v6)) == 0;
        return false;
}

struct found {
        struct principal *p;
        bool revoked;
};

static int copy_token(void *ctx, const struct gs_token_record *t)
{
        struct found *f = ctx;

        f->revoked = t->revoked_at_ms != 0;
        f->p->role = (int)t->role;
        (void)snprintf(f->p->actor, sizeof(f->p->actor), "token:%s", t->id);
        (void)snprintf(f->p->consumers, sizeof(f->p->consumers), "%s",
                       t->consumers ? t->consumers : "");
        return 0;
}

/* 0 with *p filled, GS_E_AUTH for an unknown or revoked token, other < 0 on
 * a storage failure. */
static int lookup(struct auth *a, const char *secret, struct principal *p)
{
        char hash[TOKEN_HASH_HEX];
        struct found f = {.p = p};
        struct gs_token_sink sink = {.fn = copy_token, .ctx = &f};
        struct gs_error err;
        int r;

        if (token_hash(secret, hash) < 0)
                return GS_E_IO;
        if (a->settings.admin_token_hash[0] && token_equal(hash, a->settings.admin_token_hash)) {
                p->role = GS_ROLE_ADMIN;
                (void)snprintf(p->actor, sizeof(p->actor), "admin:bootstrap");
                return 0;
        }
        gs_error_init(&err);
        registry_enter(a->storage);
        r = a->storage->storage->token_find_by_hash(a->storage->instance, hash, &sink, &err);
        registry_leave(a->storage);
        if (r == GS_E_NOTFOUND || (r == 0 && f.revoked))
                return GS_E_AUTH;
        if (r < 0)
                LOG_ERR("auth", "token lookup failed: %s", gs_error_msg(&err));
        return r;
}

static bool role_allows(int role, int access)
{
        switch (access) {
        case ROUTE_READ:
                return true;
        case ROUTE_WRITE:
                return role == GS_ROLE_ADMIN || role == GS_ROLE_CONSUMER;
        default:
                return role == GS_ROLE_ADMIN;
        }
}

bool auth_check(struct auth *a, struct http_request *req, int access, struct http_response *res)
{
        struct principal *p = &req->principal;
        const char *h;
        int r;

        memset(p, 0, sizeof(*p));
        if (!a->settings.enabled) {
                p->role = GS_ROLE_ADMIN;
                (void)snprintf(p->actor, sizeof(p->actor), "local");
                return true;
        }
        if (access == ROUTE_PUBLIC || (access == ROUTE_METRICS && a->settings.metrics_public))
                return true;
        if (access == ROUTE_METRICS)
                access = ROUTE_READ;
        h = http_header(req, "Authorization");
        if (!h || strncasecmp(h, BEARER_PREFIX, strlen(BEARER_PREFIX)) != 0 ||
            !h[strlen(BEARER_PREFIX)]) {
                res->www_authenticate = true;
                reply_error(res, req, 401, "unauthorized",
                            "this endpoint needs an API token: send 'Authorization: Bearer "
                            "<token>'");
                return false;
        }
        r = lookup(a, h + strlen(BEARER_PREFIX), p);
        if (r == GS_E_AUTH) {
                res->www_authenticate = true;
                reply_error(res, req, 401, "unauthorized", "the API token is unknown or revoked");
                return false;
        }
        if (r < 0) {
                reply_error(res, req, 503, "storage_unavailable",
                            "cannot check the API token right now; retry");
                return false;
        }
        p->authenticated = true;
        if (!role_allows(p->role, access)) {
                reply_error(res, req, 403, "forbidden", "a %s token may not use this endpoint",
                            principal_role_name(p->role));
                return false;
        }
        return true;
}
