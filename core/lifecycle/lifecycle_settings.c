/* lifecycle_settings.c - the typed [lifecycle] section and its cross-section checks. */
#include "lifecycle/lifecycle_settings.h"

#include <string.h>

#include "domain/duration_text.h"
#include "domain/units.h"

#define SECTION "lifecycle"

static int64_t get_ms(const struct gs_config *cfg, const char *key)
{
        int64_t v = 0;

        (void)cfg_get_duration_ms(cfg, key, &v);
        return v;
}

static uint32_t get_u32(const struct gs_config *cfg, const char *key)
{
        int64_t v = 0;

        (void)cfg_get_int(cfg, key, &v);
        return v < 0 ? 0 : (uint32_t)v;
}

void lifecycle_settings_read(const struct gs_config *cfg, const struct cfg_doc *doc,
                             const char *path, const struct session_settings *sessions,
                             struct lifecycle_settings *s, struct cfg_errors *errs)
{
        const char *policy;
        char a[DURATION_TEXT_MAX], b[DURATION_TEXT_MAX];
        int line = 0;

        memset(s, 0, sizeof(*s));
        if (!cfg)
                return;
        s->tick_interval_ms = get_ms(cfg, "tick_interval");
        s->hard_max_ms = get_ms(cfg, "hard_max");
        if (s->hard_max_ms == 0)
                s->hard_max_ms = (int64_t)sessions->max_reservation_hours * MS_PER_HOUR;
        s->max_override_hours = get_u32(cfg, "max_override_hours");
        s->provisioning_timeout_ms = get_ms(cfg, "provisioning_timeout");
        s->idle_probe_interval_ms = get_ms(cfg, "idle_probe_interval");
        s->idle_util_threshold_pct = get_u32(cfg, "idle_util_threshold_pct");
        s->idle_unit_ms = get_ms(cfg, "idle_unit");
        s->reconcile_interval_ms = get_ms(cfg, "reconcile_interval");
        s->orphan_grace_ms = get_ms(cfg, "orphan_grace");
        policy = cfg_get_str(cfg, "orphan_policy");
        s->orphan_destroy = !policy || strcmp(policy, "alert") != 0;
        s->ghost_confirm_interval_ms = get_ms(cfg, "ghost_confirm_interval");

        /* The backstop must never cut a verification short (defect 63). */
        if (s->provisioning_timeout_ms <= sessions->verify_timeout_ms) {
                (void)cfg_doc_raw(doc, SECTION, "provisioning_timeout", &line);
                (void)duration_text_format(s->provisioning_timeout_ms, a, sizeof(a));
                (void)duration_text_format(sessions->verify_timeout_ms, b, sizeof(b));
                cfg_errors_add(errs, path, line, SECTION,
                               "provisioning_timeout (%s) must be longer than [sessions] "
                               "verify_timeout (%s), which it backs up",
                               a, b);
        }
}
