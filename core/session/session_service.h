/*
 * session_service.h - the session service: owns what provisioning,
 * verification and verified destruction share (the management key, the
 * per-session locks, the worker pool, the last-probe notes) and reads the
 * plugin registry and the inventory view.
 *
 * session_service_start/stop run on the main thread: start after the
 * inventory and before the HTTP server; stop after the HTTP server and
 * before the inventory (workers read its view) and the plugins. Stopping
 * never destroys an instance: running jobs finish their current step and the
 * rest are dropped; sessions left `stopping` are resumed at the next start.
 * Every other function is thread-safe.
 */
#ifndef GS_SESSION_SERVICE_H
#define GS_SESSION_SERVICE_H

#include <pthread.h>

#include "inventory/inventory.h"
#include "plugin/registry.h"
#include "session/job_queue.h"
#include "session/probe_notes.h"
#include "session/session_locks.h"
#include "session/session_settings.h"
#include "ssh/ssh_mgmt_key.h"

/* Room for the deployment id in labels "gs-<deployment>-<session>". */
#define SESSION_DEPLOYMENT_ID_MAX 64
/* Provider label: "gs-" + deployment + "-" + session id + NUL. */
#define SESSION_LABEL_MAX (3 + SESSION_DEPLOYMENT_ID_MAX + 1 + SESSION_ID_SIZE)
/* Actor recorded for changes the service makes on its own. */
#define SESSION_ACTOR_SERVICE "sessions"

struct session_service {
        struct registry *reg;
        struct inventory *inv;
        struct session_settings cfg;
        char deployment_id[SESSION_DEPLOYMENT_ID_MAX + 1];
        struct mgmt_key *mgmt;
        struct session_locks *locks;
        struct probe_notes *probes;
        struct job_queue *jobs;
        pthread_mutex_t admit; /* per-consumer limit: count + insert */
        /* destroy_instance calls since start, by outcome (atomic; only this
         * process knows them: gs_destroy_attempts_total{result}). */
        uint64_t destroy_accepted;
        uint64_t destroy_failed;
};

/*
 * Load (or create) the management key in data_dir, start the worker pool and
 * resume the verified destruction of sessions left `stopping`. reg and inv
 * must outlive the service. 0 and *ret_svc, or a GS_E_* (logged).
 */
int session_service_start(struct registry *reg, struct inventory *inv,
                          const struct session_settings *cfg, const char *deployment_id,
                          const char *data_dir, struct session_service **ret_svc);
/* Stop the workers and free. NULL-safe. */
void session_service_stop(struct session_service *svc);

/* The storage instance. */
struct plugin_instance *session_service_storage(const struct session_service *svc);

#endif /* GS_SESSION_SERVICE_H */
