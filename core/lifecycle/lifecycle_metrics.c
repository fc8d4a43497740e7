/* lifecycle_metrics.c - session, orphan, ghost, stop and destroy metrics from storage. */
#include "lifecycle/lifecycle_metrics.h"

#include <stdlib.h>
#include <string.h>

#include "domain/session_fsm.h"
#include "lifecycle/session_walk.h"
#include "log.h"
#include "session/destroy.h"
#include "session/session_store.h"

#define COMPONENT "lifecycle"
#define EV_ORPHAN_DETECTED "orphan.detected"
#define EV_ORPHAN_DESTROYED "orphan.destroyed"
#define EV_STOP_REASON "session.stop_reason"

int lifecycle_metrics_track(struct event_tally *tally)
{
        int r = event_tally_track(tally, EV_ORPHAN_DETECTED, NULL);

        if (r == 0)
                r = event_tally_track(tally, EV_ORPHAN_DESTROYED, NULL);
        if (r == 0)
                r = event_tally_track(tally, EV_STOP_REASON, "reason");
        return r;
}

/* Sessions in `status` at `provider`: 0 and *ret_n, or a storage failure. */
static int count_sessions(struct session_service *svc, int status, const char *provider,
                          uint64_t *ret_n, struct gs_error *err)
{
        struct gs_session_filter f = {.struct_size = sizeof(f),
                                      .status_mask = 1u << status,
                                      .provider = provider,
                                      .limit = 1};
        struct session_list l;
        int r;

        memset(&l, 0, sizeof(l));
        r = session_store_list(session_service_storage(svc), &f, &l, err);
        if (r < 0)
                return r;
        *ret_n = l.total;
        session_list_done(&l);
        return 0;
}

static int sessions_family(struct session_service *svc, struct strbuf *sb, struct gs_error *err)
{
        struct registry *reg = svc->reg;
        struct strbuf part;
        uint64_t n;
        char *text;
        size_t len;
        int r = 0;

        strbuf_init(&part);
        strbuf_puts(&part, "# HELP gs_sessions Sessions by status and provider (from storage).\n"
                           "# TYPE gs_sessions gauge\n");
        for (size_t i = 0; i < reg->provider_count && r == 0; i++)
                for (int s = 0; s < SESSION_STATUS_COUNT && r == 0; s++) {
                        r = count_sessions(svc, s, reg->providers[i]->name, &n, err);
                        if (r == 0)
                                strbuf_printf(&part,
                                              "gs_sessions{status=\"%s\",provider=\"%s\"} %llu\n",
                                              session_fsm_status_name(s), reg->providers[i]->name,
                                              (unsigned long long)n);
                }
        text = strbuf_take(&part, &len);
        if (r == 0 && text)
                strbuf_append(sb, text, len);
        free(text);
        return r;
}

static int unverified_family(struct session_service *svc, struct strbuf *sb, struct gs_error *err)
{
        struct session_list l;
        uint64_t n = 0;
        int r;

        r = session_walk(svc, 1u << GS_SESSION_STOPPING, NULL, &l, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < l.count; i++)
                if (l.items[i].status_reason &&
                    strstr(l.items[i].status_reason, DESTROY_UNVERIFIED_MARK))
                        n++;
        session_list_done(&l);
        strbuf_printf(sb,
                      "# HELP gs_destroy_unverified Stopping sessions whose destroy failed and "
                      "is being retried (see their status_reason).\n"
                      "# TYPE gs_destroy_unverified gauge\ngs_destroy_unverified %llu\n",
                      (unsigned long long)n);
        return 0;
}

static void counters(struct session_service *svc, struct event_tally *t, struct strbuf *sb)
{
        uint64_t ghosts = event_tally_get(t, EV_STOP_REASON, "ghost") +
                          event_tally_get(t, EV_STOP_REASON, "instance_vanished");

        strbuf_printf(sb,
                      "# HELP gs_orphans_detected_total Instances with our label and no live "
                      "session found by reconciliation.\n"
                      "# TYPE gs_orphans_detected_total counter\n"
                      "gs_orphans_detected_total %llu\n"
                      "# HELP gs_orphans_destroyed_total Orphans destroyed and verified gone.\n"
                      "# TYPE gs_orphans_destroyed_total counter\n"
                      "gs_orphans_destroyed_total %llu\n"
                      "# HELP gs_ghosts_total Sessions whose instance the provider lost.\n"
                      "# TYPE gs_ghosts_total counter\ngs_ghosts_total %llu\n",
                      (unsigned long long)event_tally_get(t, EV_ORPHAN_DETECTED, NULL),
                      (unsigned long long)event_tally_get(t, EV_ORPHAN_DESTROYED, NULL),
                      (unsigned long long)ghosts);
        strbuf_puts(sb, "# HELP gs_session_stops_total Sessions stopped, by the rule or request "
                        "that stopped them.\n# TYPE gs_session_stops_total counter\n");
        for (int i = 0; i < _SESSION_STOP_REASON_MAX; i++) {
                const char *name = session_fsm_stop_reason_name(i);

                strbuf_printf(sb, "gs_session_stops_total{reason=\"%s\"} %llu\n", name,
                              (unsigned long long)event_tally_get(t, EV_STOP_REASON, name));
        }
        strbuf_printf(sb,
                      "# HELP gs_destroy_attempts_total destroy_instance calls since start, by "
                      "outcome.\n# TYPE gs_destroy_attempts_total counter\n"
                      "gs_destroy_attempts_total{result=\"accepted\"} %llu\n"
                      "gs_destroy_attempts_total{result=\"failed\"} %llu\n",
                      (unsigned long long)__atomic_load_n(&svc->destroy_accepted,
                                                          __ATOMIC_RELAXED),
                      (unsigned long long)__atomic_load_n(&svc->destroy_failed,
                                                          __ATOMIC_RELAXED));
}

void lifecycle_metrics_render(struct session_service *svc, struct event_tally *tally,
                              struct strbuf *sb)
{
        struct gs_error e;

        gs_error_init(&e);
        if (sessions_family(svc, sb, &e) < 0 || unverified_family(svc, sb, &e) < 0) {
                LOG_WARN(COMPONENT, "/metrics: cannot count sessions: %s", gs_error_msg(&e));
                gs_error_init(&e);
        }
        if (event_tally_refresh(tally, &e) < 0) {
                LOG_WARN(COMPONENT, "/metrics: cannot count events: %s", gs_error_msg(&e));
                return;
        }
        counters(svc, tally, sb);
}
