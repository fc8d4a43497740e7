/*
 * provision.h - POST /api/v1/sessions behind the HTTP layer: the two-phase,
 * intent-first provisioning of ARCHITECTURE §7.
 *
 *  1. Idempotency: a (consumer, Idempotency-Key) seen before returns that
 *     session (never a second instance, never the private key again).
 *  2. Resolve the offer in the current inventory view (unknown -> 404);
 *     admission (active sessions per consumer).
 *  3. Insert the session `pending` with its label gs-<deployment>-<session>
 *     and the public half of a fresh ed25519 pair, durably, before any
 *     provider call; then `provisioning`.
 *  4. create_instance with the label, the session key and the management key.
 *     Stale offer -> auto_retry on the next comparable offer (each switch
 *     stored before its call), else failed + stale_inventory. A certain
 *     refusal -> failed. An unclear failure (timeout, 5xx) -> stopping, and
 *     the destroy worker makes sure nothing carries the label.
 *  5. Store the instance id (a storage failure destroys it at once), start
 *     background verification with an in-memory copy of the private key and
 *     return the session plus the private key, once.
 *
 * Thread-safe; runs on an HTTP pool thread and blocks on the provider.
 */
#ifndef GS_PROVISION_H
#define GS_PROVISION_H

#include <stddef.h>

#include "domain/session_id.h"
#include "domain/session_request.h"
#include "domain/session_retry.h"
#include "session/session_service.h"

enum provision_outcome {
        PROVISION_CREATED,  /* a new session: private_key is set */
        PROVISION_REPLAYED, /* the Idempotency-Key's earlier session; no key */
};

enum provision_failure {
        PROVISION_FAIL_NONE,
        PROVISION_FAIL_OFFER_UNKNOWN, /* not in the inventory: 404 */
        PROVISION_FAIL_STALE,         /* gone at the provider: 503 stale_inventory */
        PROVISION_FAIL_PROVIDER,      /* the provider failed: 502 (session failed/stopping) */
        PROVISION_FAIL_UNSUPPORTED,   /* provider cannot be provisioned on: 422 */
        PROVISION_FAIL_LIMIT,         /* too many active sessions for the consumer: 429 */
        PROVISION_FAIL_IDEMPOTENCY,   /* key reused for another offer: 422 */
        PROVISION_FAIL_ADMISSION,     /* refused by the admission hook (budgets): its answer */
        PROVISION_FAIL_INTERNAL,      /* storage, key generation, memory: 503/500 */
};

struct provision_result {
        int outcome;                  /* enum provision_outcome */
        struct gs_session_record rec; /* owned */
        char *private_key;            /* OpenSSH text, owned secret; NULL when replayed */
};

struct provision_error {
        int failure;                             /* enum provision_failure */
        struct gs_error err;                     /* status and a message for the client */
        char session_id[SESSION_ID_SIZE];        /* "" when no session was stored */
        int session_status;                      /* GS_SESSION_*, -1 without a session */
        char offer_id[SESSION_OFFER_ID_MAX + 1]; /* the offer at fault */
        char provider[SESSION_OFFER_ID_MAX + 1];
        char tried[SESSION_RETRY_ATTEMPTS_LIMIT + 1][SESSION_OFFER_ID_MAX + 1];
        size_t tried_count; /* offers tried, in order */
};

/*
 * Admission beyond the per-consumer limit (budgets, ARCHITECTURE §7 step 1):
 * called once the offer is resolved, before anything is stored, under the
 * same lock as the per-consumer count and the insert (so concurrent
 * provisions are decided one after the other). Return 0 to admit,
 * GS_E_TOOBIG to refuse (ctx keeps the details for the answer), or another
 * GS_E_* when no decision could be made (message in err).
 */
struct provision_admission {
        int (*fn)(void *ctx, const char *consumer_id, int64_t price_uusd_per_hour,
                  uint32_t reservation_hours, struct gs_error *err);
        void *ctx;
};

/*
 * Provision req (validated by session_request_validate) for `actor` (audit),
 * after `admission` (may be NULL) admitted it.
 * idempotency_key may be NULL. 0 and *ret (free with provision_result_done),
 * or a negative status with *perr filled (and logged here when it is the
 * service's fault rather than the client's).
 */
int session_provision(struct session_service *svc, const struct session_request *req,
                      const char *idempotency_key, const char *actor,
                      const struct provision_admission *admission, struct provision_result *ret,
                      struct provision_error *perr);
/* Wipe the key and free. NULL-safe. */
void provision_result_done(struct provision_result *res);

#endif /* GS_PROVISION_H */
