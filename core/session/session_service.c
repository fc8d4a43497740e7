/* session_service.c - start-up (management key, workers, resumed destroys) and shutdown. */
#include "session/session_service.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session/destroy.h"
#include "session/session_store.h"

#define COMPONENT "sessions"

struct plugin_instance *session_service_storage(const struct session_service *svc)
{
        return svc->reg->storage;
}

/* Sessions left stopping by an earlier run: resume their verified destroy.
 * Every page is read before any job starts, so finishing jobs cannot shift
 * the pages. */
static int resume_stopping(struct session_service *svc)
{
        struct gs_session_filter f = {.struct_size = sizeof(f),
                                      .status_mask = 1u << GS_SESSION_STOPPING,
                                      .limit = SESSION_STORE_PAGE};
        struct session_list all, page;
        struct gs_error e;
        bool last = false;
        int r = 0;

        memset(&all, 0, sizeof(all));
        while (!last && r == 0) {
                gs_error_init(&e);
                r = session_store_list(session_service_storage(svc), &f, &page, &e);
                if (r < 0) {
                        LOG_ERR(COMPONENT, "cannot list stopping sessions: %s", gs_error_msg(&e));
                        break;
                }
                for (size_t i = 0; i < page.count && r == 0; i++)
                        r = session_list_add(&all, &page.items[i]);
                last = page.count < SESSION_STORE_PAGE;
                f.offset += (uint32_t)page.count;
                session_list_done(&page);
        }
        for (size_t i = 0; i < all.count && r == 0; i++)
                r = destroy_start(svc, all.items[i].id, 0);
        if (r == 0 && all.count)
                LOG_NOTICE(COMPONENT, "resuming the verified destroy of %zu stopping session%s",
                           all.count, all.count == 1 ? "" : "s");
        session_list_done(&all);
        return r;
}

int session_service_start(struct registry *reg, struct inventory *inv,
                          const struct session_settings *cfg, const char *deployment_id,
                          const char *data_dir, struct session_service **ret_svc)
{
        struct session_service *svc;
        struct gs_error e;
        int r = GS_E_NOMEM;

        gs_error_init(&e);
        svc = calloc(1, sizeof(*svc));
        if (!svc)
                return GS_E_NOMEM;
        pthread_mutex_init(&svc->admit, NULL);
        svc->reg = reg;
        svc->inv = inv;
        svc->cfg = *cfg;
        if (snprintf(svc->deployment_id, sizeof(svc->deployment_id), "%s", deployment_id) >=
            (int)sizeof(svc->deployment_id)) {
                r = GS_E_INVAL;
                goto fail;
        }
        svc->locks = session_locks_new();
        svc->probes = probe_notes_new();
        if (!svc->locks || !svc->probes)
                goto fail;
        r = mgmt_key_load_or_create(data_dir, &svc->mgmt, &e);
        if (r < 0) {
                LOG_ERR(COMPONENT, "management key: %s", gs_error_msg(&e));
                goto fail;
        }
        r = job_queue_start(cfg->workers, svc, &svc->jobs);
        if (r < 0) {
                LOG_ERR(COMPONENT, "cannot start %u session workers", cfg->workers);
                goto fail;
        }
        r = resume_stopping(svc);
        if (r < 0)
                goto fail;
        *ret_svc = svc;
        return 0;
fail:
        session_service_stop(svc);
        return r;
}

void session_service_stop(struct session_service *svc)
{
        if (!svc)
                return;
        /* Running jobs finish their step; queued ones are dropped. Nothing is
         * destroyed here: stopping sessions resume at the next start. */
        job_queue_stop(svc->jobs);
        mgmt_key_free(svc->mgmt);
        probe_notes_free(svc->probes);
        session_locks_free(svc->locks);
        pthread_mutex_destroy(&svc->admit);
        free(svc);
}
