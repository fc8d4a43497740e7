/*
 * budgets.c - GET /api/v1/budgets[?consumer_id=]: each monthly budget with
 * the month-to-date spend (ledger + live), what remains, and the running
 * $/h against the global ceiling.
 *
 *   {"currency": "USD", "policy": "alert", "period_start", "period_end", "as_of",
 *    "default_monthly_usd": 0 | null,
 *    "ceiling": {"max_running_usd_per_hour": 5 | null, "running_usd_per_hour": 1.2,
 *                "remaining_usd_per_hour": 3.8 | null},
 *    "budgets": [{"consumer_id", "source": "consumer" | "default", "monthly_usd",
 *                 "spent_usd", "remaining_usd", "exceeded"}]}
 *
 * Listed: every [budget.<consumer>] section and, with a default budget,
 * every consumer with active sessions; with consumer_id, that consumer only.
 * A consumer token sees only its consumers' budgets.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "costs/budget.h"
#include "costs/cost_json.h"
#include "costs/cost_live.h"
#include "costs/cost_report.h"
#include "domain/session_id.h"
#include "http/reply.h"
#include "log.h"
#include "plugin/host_api.h"
#include "status.h"
#include "strbuf.h"

struct listing {
        struct strbuf *sb;
        size_t count;
};

/* One entry of "budgets"; spend read from storage. */
static int budget_entry(struct listing *l, struct plugin_instance *st,
                        const struct budget_settings *cfg, const char *consumer_id, bool own,
                        int64_t now_ms, struct gs_error *err)
{
        int64_t limit = budget_settings_monthly_uusd(cfg, consumer_id);
        int64_t spent = 0;
        int r;

        r = cost_report_month_spend(st, consumer_id, now_ms, &spent, err);
        if (r < 0)
                return r;
        strbuf_puts(l->sb, l->count++ ? ",{\"consumer_id\":" : "{\"consumer_id\":");
        cost_json_string(l->sb, consumer_id);
        strbuf_puts(l->sb, ",\"source\":");
        cost_json_string(l->sb, own ? "consumer" : limit > 0 ? "default" : "none");
        if (limit > 0) {
                strbuf_puts(l->sb, ",");
                cost_json_usd_field(l->sb, "monthly_usd", limit);
        } else {
                strbuf_puts(l->sb, ",\"monthly_usd\":null");
        }
        strbuf_puts(l->sb, ",");
        cost_json_usd_field(l->sb, "spent_usd", spent);
        if (limit > 0) {
                strbuf_puts(l->sb, ",");
                cost_json_usd_field(l->sb, "remaining_usd",
                                    cost_budget_remaining_uusd(limit, spent));
        } else {
                strbuf_puts(l->sb, ",\"remaining_usd\":null");
        }
        strbuf_printf(l->sb, ",\"exceeded\":%s}",
                      cost_budget_is_over(limit, spent) ? "true" : "false");
        return 0;
}

static bool has_own(const struct budget_settings *cfg, const char *consumer_id)
{
        for (size_t i = 0; i < cfg->limit_count; i++)
                if (strcmp(cfg->limits[i].consumer_id, consumer_id) == 0)
                        return true;
        return false;
}

/* Consumers of active sessions under the default budget, each once. */
static int default_entries(struct listing *l, struct http_request *req, struct plugin_instance *st,
                           const struct budget_settings *cfg, int64_t now_ms, struct gs_error *err)
{
        struct cost_live live = {0};
        int r;

        r = cost_live_load(st, NULL, &live, err);
        for (size_t i = 0; r >= 0 && i < live.count; i++) {
                const char *c = live.items[i].consumer_id;
                bool seen = false;

                for (size_t j = 0; j < i && !seen; j++)
                        seen = strcmp(live.items[j].consumer_id, c) == 0;
                if (seen || has_own(cfg, c) || !principal_allows_consumer(&req->principal, c))
                        continue;
                r = budget_entry(l, st, cfg, c, false, now_ms, err);
        }
        cost_live_done(&live);
        return r;
}

static void ceiling(struct strbuf *sb, const struct budget_settings *cfg, int64_t running)
{
        strbuf_puts(sb, ",\"ceiling\":{");
        if (cfg->max_running_uusd_per_hour > 0)
                cost_json_usd_field(sb, "max_running_usd_per_hour", cfg->max_running_uusd_per_hour);
        else
                strbuf_puts(sb, "\"max_running_usd_per_hour\":null");
        strbuf_puts(sb, ",");
        cost_json_usd_field(sb, "running_usd_per_hour", running);
        strbuf_puts(sb, ",");
        if (cfg->max_running_uusd_per_hour > 0)
                cost_json_usd_field(sb, "remaining_usd_per_hour",
                                    cfg->max_running_uusd_per_hour - running);
        else
                strbuf_puts(sb, "\"remaining_usd_per_hour\":null");
        strbuf_puts(sb, "}");
}

void api_budgets_list(struct http_request *req, struct http_response *res)
{
        static const char *const known[] = {"consumer_id", NULL};
        struct app *app = req->app;
        struct plugin_instance *st = app->reg.storage;
        const struct budget_settings *cfg = budget_settings(app->budget);
        const char *only = http_query(req, "consumer_id");
        int64_t now = host_now_ms();
        struct cost_window month = cost_bucket_of(COST_PERIOD_MONTHLY, now);
        struct listing l = {0};
        struct gs_error err;
        struct strbuf sb;
        int64_t running = 0;
        char *body;
        size_t len;
        int r;

        if (http_unknown_query(req, known, res))
                return;
        if (only && !session_id_is_valid_consumer(only)) {
                reply_error(res, req, 400, "invalid_parameter",
                            "consumer_id must be 1-%d characters of A-Z a-z 0-9 . _ : -",
                            CONSUMER_ID_MAX);
                return;
        }
        if (only && !principal_allows_consumer(&req->principal, only)) {
                reply_error(res, req, 403, "forbidden",
                            "this token may not read the budget of consumer %s", only);
                return;
        }
        gs_error_init(&err);
        r = budget_running_uusd_per_hour(app->budget, &running, &err);
        strbuf_init(&sb);
        l.sb = &sb;
        strbuf_puts(&sb, "{\"currency\":\"USD\",\"policy\":");
        cost_json_string(&sb, cost_budget_policy_name(cfg->policy));
        strbuf_puts(&sb, ",\"period_start\":");
        cost_json_time(&sb, month.from_ms);
        strbuf_puts(&sb, ",\"period_end\":");
        cost_json_time(&sb, month.to_ms);
        strbuf_puts(&sb, ",\"as_of\":");
        cost_json_time(&sb, now);
        strbuf_puts(&sb, ",");
        if (cfg->default_monthly_uusd > 0)
                cost_json_usd_field(&sb, "default_monthly_usd", cfg->default_monthly_uusd);
        else
                strbuf_puts(&sb, "\"default_monthly_usd\":null");
        ceiling(&sb, cfg, running);
        strbuf_puts(&sb, ",\"budgets\":[");
        if (only && r >= 0) {
                r = budget_entry(&l, st, cfg, only, has_own(cfg, only), now, &err);
        } else {
                for (size_t i = 0; r >= 0 && i < cfg->limit_count; i++)
                        if (principal_allows_consumer(&req->principal, cfg->limits[i].consumer_id))
                                r = budget_entry(&l, st, cfg, cfg->limits[i].consumer_id, true, now,
                                                 &err);
                if (r >= 0 && cfg->default_monthly_uusd > 0)
                        r = default_entries(&l, req, st, cfg, now, &err);
        }
        strbuf_puts(&sb, "]}");
        if (r < 0) {
                strbuf_done(&sb);
                LOG_ERR("budgets", "cannot compute budgets: %s", gs_error_msg(&err));
                reply_error(res, req, 503, "storage_unavailable", "cannot compute budgets");
                return;
        }
        body = strbuf_take(&sb, &len);
        reply_json_body(res, req, 200, body, len);
}
