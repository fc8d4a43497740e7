/*
 * core_schema.h - the key tables of the core's own INI sections.
 *
 * Sections: [server], [log], [inventory], [storage] (its keys come from the
 * storage plugin; the core only reserves `plugin`) and [provider.<name>]
 * (keys from the provider plugin). Tables are static, terminated by name == NULL and
 * strided by sizeof(struct gs_config_key). Pure and thread-safe.
 */
#ifndef GS_CORE_SCHEMA_H
#define GS_CORE_SCHEMA_H

#include <stdbool.h>

#include "gpushop/plugin.h"

/* Shortest refresh, backoff and backoff cap accepted in [inventory]. */
#define INVENTORY_REFRESH_MIN_MS 100
/* Most offers [inventory] max_offers_per_provider may allow. */
#define INVENTORY_OFFERS_HARD_MAX 1000000

/* [sessions]: shortest poll/confirm/backoff interval, most workers, longest
 * SSH probe (checked against the job queue and ssh_probe in session_settings.c). */
#define SESSIONS_INTERVAL_MIN_MS 10
#define SESSIONS_WORKERS_MAX 64
#define SESSIONS_PROBE_TIMEOUT_MAX_MS 600000

/* [lifecycle]: shortest tick/probe/reconcile interval; longest hard maximum. */
#define LIFECYCLE_INTERVAL_MIN_MS 10
#define LIFECYCLE_HARD_MAX_LIMIT_HOURS 8760

/* [budget]: shortest check interval; largest amount in USD (micro-USD). */
#define BUDGET_CHECK_INTERVAL_MIN_MS 100
#define BUDGET_USD_MAX_UUSD INT64_C(1000000000000000)

/* Longest instance name in [provider.<name>]. */
#define CORE_SCHEMA_MAX_INSTANCE_NAME 32

/* Key table of a core section ([storage]: an empty table; [budget.<consumer>]
 * with a valid consumer id: its table), NULL for any other section,
 * [provider.*] included. */
const struct gs_config_key *core_schema_keys(const char *section);
/* server, log, storage, inventory, or provider.<name> with <name> in [a-z0-9_-]. */
bool core_schema_is_known_section(const char *section);
/* "server, log, storage, inventory, provider.<name>" for unknown-section messages. */
const char *core_schema_section_names(void);

#endif /* GS_CORE_SCHEMA_H */
