/* budget_settings.c - the typed [budget] and [budget.<consumer>] sections. */
#include "costs/budget_settings.h"

#include <stdlib.h>
#include <string.h>

#include "config/core_schema.h"
#include "domain/cost_budget.h"

#define POLICY_DEFAULT COST_BUDGET_ALERT
#define CHECK_INTERVAL_DEFAULT_MS 60000

static int limit_cmp(const void *a, const void *b)
{
        return strcmp(((const struct budget_limit *)a)->consumer_id,
                      ((const struct budget_limit *)b)->consumer_id);
}

static void read_global(const struct gs_config *cfg, struct budget_settings *s)
{
        const char *policy = cfg ? cfg_get_str(cfg, "policy") : NULL;

        s->policy = POLICY_DEFAULT;
        s->check_interval_ms = CHECK_INTERVAL_DEFAULT_MS;
        if (!cfg)
                return;
        (void)cfg_get_price_uusd(cfg, "max_running_usd_per_hour", &s->max_running_uusd_per_hour);
        (void)cfg_get_price_uusd(cfg, "default_monthly_usd", &s->default_monthly_uusd);
        (void)cfg_get_duration_ms(cfg, "check_interval", &s->check_interval_ms);
        if (policy)
                (void)cost_budget_policy_parse(policy, &s->policy);
}

/* Validate [budget.<consumer>] section `name` and append its limit. */
static void read_consumer(const struct cfg_doc *doc, const char *name, struct budget_settings *s,
                          size_t cap, struct cfg_errors *errs)
{
        const char *consumer = name + strlen(BUDGET_SECTION_PREFIX);
        struct gs_config *cfg = NULL;
        struct budget_limit *l;
        int64_t v = 0;

        if (cfg_section_validate(doc, name, core_schema_keys(name), sizeof(struct gs_config_key),
                                 &cfg, errs) < 0 ||
            !cfg)
                return;
        if (cfg_get_price_uusd(cfg, "monthly_usd", &v) < 0 || s->limit_count >= cap) {
                cfg_config_free(cfg);
                return;
        }
        l = &s->limits[s->limit_count++];
        memset(l, 0, sizeof(*l));
        memcpy(l->consumer_id, consumer, strlen(consumer) + 1);
        l->monthly_uusd = v;
        cfg_config_free(cfg);
}

void budget_settings_read(const struct gs_config *cfg, const struct cfg_doc *doc, const char *path,
                          struct budget_settings *s, struct cfg_errors *errs)
{
        size_t n = cfg_doc_section_count(doc);
        size_t cap = 0;

        memset(s, 0, sizeof(*s));
        read_global(cfg, s);
        for (size_t i = 0; i < n; i++) {
                const char *name = cfg_doc_section_name(doc, i);

                if (strncmp(name, BUDGET_SECTION_PREFIX, strlen(BUDGET_SECTION_PREFIX)) == 0 &&
                    core_schema_keys(name))
                        cap++;
        }
        if (cap == 0)
                return;
        s->limits = calloc(cap, sizeof(*s->limits));
        if (!s->limits) {
                cfg_errors_add(errs, path, 0, BUDGET_SECTION, "out of memory reading budgets");
                return;
        }
        for (size_t i = 0; i < n; i++) {
                const char *name = cfg_doc_section_name(doc, i);

                /* unknown suffixes were reported as unknown sections */
                if (strncmp(name, BUDGET_SECTION_PREFIX, strlen(BUDGET_SECTION_PREFIX)) == 0 &&
                    core_schema_keys(name))
                        read_consumer(doc, name, s, cap, errs);
        }
        if (s->limit_count > 1)
                qsort(s->limits, s->limit_count, sizeof(*s->limits), limit_cmp);
}

void budget_settings_done(struct budget_settings *s)
{
        free(s->limits);
        memset(s, 0, sizeof(*s));
}

int64_t budget_settings_monthly_uusd(const struct budget_settings *s, const char *consumer_id)
{
        struct budget_limit key;
        const struct budget_limit *l;
        size_t n = consumer_id ? strlen(consumer_id) : 0;

        if (n == 0 || n >= sizeof(key.consumer_id))
                return s->default_monthly_uusd;
        memcpy(key.consumer_id, consumer_id, n + 1);
        l = s->limit_count ? bsearch(&key, s->limits, s->limit_count, sizeof(key), limit_cmp)
                           : NULL;
        return l ? l->monthly_uusd : s->default_monthly_uusd;
}
