/*
 * budget_settings.h - the typed [budget] section (global ceiling on the
 * summed $/h of billing sessions, policy when a consumer crosses its
 * monthly budget, check interval, default monthly budget) and every
 * [budget.<consumer>] section (monthly_usd). Key tables with defaults and
 * ranges are in config/core_schema.c. Read once on the main thread
 * (settings_load); immutable afterwards.
 */
#ifndef GS_BUDGET_SETTINGS_H
#define GS_BUDGET_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/session_id.h"

#define BUDGET_SECTION "budget"
#define BUDGET_SECTION_PREFIX "budget."

struct budget_limit {
        char consumer_id[CONSUMER_ID_MAX + 1];
        int64_t monthly_uusd;
};

struct budget_settings {
        int64_t max_running_uusd_per_hour; /* 0 = no ceiling */
        int64_t default_monthly_uusd;      /* consumers without a section; 0 = none */
        int policy;                        /* enum cost_budget_policy */
        int64_t check_interval_ms;
        struct budget_limit *limits; /* sorted by consumer id; malloc'd */
        size_t limit_count;
};

/*
 * Read the validated [budget] section (cfg, may be NULL for defaults) and
 * validate and read every [budget.<consumer>] section of doc into *s; every
 * problem is added to errs with its line.
 */
void budget_settings_read(const struct gs_config *cfg, const struct cfg_doc *doc, const char *path,
                          struct budget_settings *s, struct cfg_errors *errs);
void budget_settings_done(struct budget_settings *s);
/* The consumer's monthly budget: its own section, else the default; 0 = none. */
int64_t budget_settings_monthly_uusd(const struct budget_settings *s, const char *consumer_id);

#endif /* GS_BUDGET_SETTINGS_H */
