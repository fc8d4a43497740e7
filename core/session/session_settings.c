/* session_settings.c - the typed [sessions] section and its cross-key checks. */
#include "session/session_settings.h"

#include <string.h>

#include "config/core_schema.h"
#include "session/job_queue.h"
#include "ssh/ssh_probe.h"

#define SECTION "sessions"

_Static_assert(SESSIONS_WORKERS_MAX <= JOB_QUEUE_WORKERS_MAX, "[sessions] workers bound");
_Static_assert(SESSIONS_PROBE_TIMEOUT_MAX_MS <= SSH_PROBE_TIMEOUT_MAX_MS, "probe timeout bound");

static uint32_t get_u32(const struct gs_config *cfg, const char *key)
{
        int64_t v = 0;

        (void)cfg_get_int(cfg, key, &v);
        return v < 0 ? 0 : (uint32_t)v;
}

static int64_t get_ms(const struct gs_config *cfg, const char *key)
{
        int64_t v = 0;

        (void)cfg_get_duration_ms(cfg, key, &v);
        return v;
}

/* "<small> (<a>) must not exceed <big> (<b>)" at the line of whichever key is set. */
static void check_order(const struct cfg_doc *doc, const char *path, struct cfg_errors *errs,
                        const char *small_key, int64_t small, const char *big_key, int64_t big,
                        const char *unit)
{
        int line = 0;

        if (small <= big)
                return;
        if (!cfg_doc_raw(doc, SECTION, small_key, &line))
                (void)cfg_doc_raw(doc, SECTION, big_key, &line);
        cfg_errors_add(errs, path, line, SECTION, "%s (%lld%s) must not exceed %s (%lld%s)",
                       small_key, (long long)small, unit, big_key, (long long)big, unit);
}

void session_settings_read(const struct gs_config *cfg, const struct cfg_doc *doc, const char *path,
                           struct session_settings *s, struct cfg_errors *errs)
{
        memset(s, 0, sizeof(*s));
        s->max_reservation_hours = get_u32(cfg, "max_reservation_hours");
        s->default_disk_gb = get_u32(cfg, "default_disk_gb");
        s->min_disk_gb = get_u32(cfg, "min_disk_gb");
        s->max_disk_gb = get_u32(cfg, "max_disk_gb");
        s->max_active_per_consumer = get_u32(cfg, "max_active_per_consumer");
        s->verify_timeout_ms = get_ms(cfg, "verify_timeout");
        s->verify_poll_interval_ms = get_ms(cfg, "verify_poll_interval");
        s->verify_poll_max_interval_ms = get_ms(cfg, "verify_poll_max_interval");
        s->verify_auth_failures = get_u32(cfg, "verify_auth_failures");
        s->ssh_probe_timeout_ms = get_ms(cfg, "ssh_probe_timeout");
        s->destroy_confirm_interval_ms = get_ms(cfg, "destroy_confirm_interval");
        s->destroy_confirmations = get_u32(cfg, "destroy_confirmations");
        s->destroy_retry_backoff_ms = get_ms(cfg, "destroy_retry_backoff");
        s->destroy_max_backoff_ms = get_ms(cfg, "destroy_max_backoff");
        s->workers = get_u32(cfg, "workers");
        s->auto_retry_max_attempts = get_u32(cfg, "auto_retry_max_attempts");
        s->auto_retry_max_price_pct = get_u32(cfg, "auto_retry_max_price_pct");

        check_order(doc, path, errs, "min_disk_gb", s->min_disk_gb, "default_disk_gb",
                    s->default_disk_gb, " GB");
        check_order(doc, path, errs, "default_disk_gb", s->default_disk_gb, "max_disk_gb",
                    s->max_disk_gb, " GB");
        check_order(doc, path, errs, "verify_poll_interval", s->verify_poll_interval_ms,
                    "verify_poll_max_interval", s->verify_poll_max_interval_ms, " ms");
        check_order(doc, path, errs, "ssh_probe_timeout", s->ssh_probe_timeout_ms, "verify_timeout",
                    s->verify_timeout_ms, " ms");
        check_order(doc, path, errs, "destroy_retry_backoff", s->destroy_retry_backoff_ms,
                    "destroy_max_backoff", s->destroy_max_backoff_ms, " ms");
}
