/*
 * principal.h - who is making a request: the role of the presented API
 * token and, for consumer tokens, the consumer ids it may act for. Pure
 * data plus predicates; thread-safe (each request owns its principal).
 */
#ifndef GS_PRINCIPAL_H
#define GS_PRINCIPAL_H

#include <stdbool.h>

#include "gpushop/plugin.h"

#define PRINCIPAL_CONSUMERS_MAX 1024 /* comma-separated consumer ids */
#define PRINCIPAL_ACTOR_MAX 64

struct principal {
        bool authenticated;  /* false: auth is off (every request is "local") */
        int role;            /* GS_ROLE_*; GS_ROLE_ADMIN when auth is off */
        char actor[PRINCIPAL_ACTOR_MAX];          /* "token:tok-xyz", "admin:bootstrap", "local" */
        char consumers[PRINCIPAL_CONSUMERS_MAX]; /* role consumer only */
};

/* May this principal see/act on resources of `consumer_id`? Admins and
 * viewers (read-only, checked by the route) see every consumer. */
bool principal_allows_consumer(const struct principal *p, const char *consumer_id);
/* "admin" | "consumer" | "viewer"; NULL for an unknown role. */
const char *principal_role_name(int role);
/* Parse a role name; -1 when unknown. */
int principal_role_parse(const char *name);

#endif /* GS_PRINCIPAL_H */
