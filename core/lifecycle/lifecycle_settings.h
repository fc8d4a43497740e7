/*
 * lifecycle_settings.h - the typed [lifecycle] section: the lifecycle
 * thread's tick, the hard maximum and its override limit, the provisioning
 * timeout, idle probing, reconciliation and orphan policy. Read once on the
 * main thread (settings_load), immutable after. The key table with defaults
 * and ranges is in config/core_schema.c; docs/LIFECYCLE.md explains each.
 */
#ifndef GS_LIFECYCLE_SETTINGS_H
#define GS_LIFECYCLE_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "session/session_settings.h"

struct lifecycle_settings {
        int64_t tick_interval_ms;
        int64_t hard_max_ms;             /* resolved: never 0 */
        uint32_t max_override_hours;
        int64_t provisioning_timeout_ms;
        int64_t idle_probe_interval_ms;
        uint32_t idle_util_threshold_pct;
        int64_t idle_unit_ms;            /* one "minute" of idle_threshold_minutes */
        int64_t reconcile_interval_ms;
        int64_t orphan_grace_ms;
        bool orphan_destroy;             /* orphan_policy = destroy (else alert) */
        int64_t ghost_confirm_interval_ms;
};

/* Read a validated [lifecycle] section (NULL: defaults could not be read)
 * into *s, resolving hard_max = 0 to the [sessions] max_reservation_hours,
 * and add an error for every inconsistent value (provisioning_timeout must
 * exceed [sessions] verify_timeout). */
void lifecycle_settings_read(const struct gs_config *cfg, const struct cfg_doc *doc,
                             const char *path, const struct session_settings *sessions,
                             struct lifecycle_settings *s, struct cfg_errors *errs);

#endif /* GS_LIFECYCLE_SETTINGS_H */
