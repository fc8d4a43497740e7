/*
 * session_settings.h - the typed [sessions] section: reservation and disk
 * bounds, verification and verified-destruction timing, the worker pool and
 * auto_retry. Read once on the main thread (settings_load), immutable after.
 * The key table with defaults and ranges is in config/core_schema.c.
 */
#ifndef GS_SESSION_SETTINGS_H
#define GS_SESSION_SETTINGS_H

#include <stdint.h>

#include "config/config.h"

struct session_settings {
        uint32_t max_reservation_hours; /* also the hard maximum from started_at */
        uint32_t default_disk_gb;
        uint32_t min_disk_gb;
        uint32_t max_disk_gb;
        uint32_t max_active_per_consumer;    /* pending + provisioning + running + stopping */
        int64_t verify_timeout_ms;           /* provisioning -> running, from the create */
        int64_t verify_poll_interval_ms;     /* first poll delay; doubles per poll ... */
        int64_t verify_poll_max_interval_ms; /* ... up to this */
        uint32_t verify_auth_failures;       /* consecutive SSH auth refusals that fail it */
        int64_t ssh_probe_timeout_ms;        /* one SSH connect + auth + command */
        int64_t destroy_confirm_interval_ms; /* between "gone" observations */
        uint32_t destroy_confirmations;      /* consecutive "gone" observations needed */
        int64_t destroy_retry_backoff_ms;    /* after a failed destroy/get; doubles ... */
        int64_t destroy_max_backoff_ms;      /* ... up to this */
        uint32_t workers;                    /* verification + destroy threads */
        uint32_t auto_retry_max_attempts;    /* fallback offers tried after a stale one */
        uint32_t auto_retry_max_price_pct;   /* fallback price <= original x pct / 100 */
};

/* Read a validated [sessions] section into *s and add an error (with the
 * line of the key at fault) for every inconsistent pair of values. */
void session_settings_read(const struct gs_config *cfg, const struct cfg_doc *doc, const char *path,
                           struct session_settings *s, struct cfg_errors *errs);

#endif /* GS_SESSION_SETTINGS_H */
