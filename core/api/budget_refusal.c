/* budget_refusal.c - the 402 budget_exceeded answer with its numbers. */
#include "api/budget_refusal.h"

#include <stdio.h>
#include <stdlib.h>

#include "costs/cost_json.h"
#include "domain/units.h"
#include "http/reply.h"
#include "strbuf.h"

#define USD_TEXT_MAX 32
#define MESSAGE_MAX 512

static void message(char *buf, size_t len, const char *consumer_id,
                    const struct cost_budget_refusal *ref)
{
        char limit[USD_TEXT_MAX], cur[USD_TEXT_MAX], req[USD_TEXT_MAX];

        (void)units_format_usd(ref->limit_uusd, limit, sizeof(limit));
        (void)units_format_usd(ref->current_uusd, cur, sizeof(cur));
        (void)units_format_usd(ref->requested_uusd, req, sizeof(req));
        if (ref->verdict == COST_BUDGET_MONTHLY)
                (void)snprintf(buf, len,
                               "the session would exceed the monthly budget of consumer %s: "
                               "$%s spent this month + $%s projected (price x reservation "
                               "hours) > $%s",
                               consumer_id, cur, req, limit);
        else
                (void)snprintf(buf, len,
                               "the session would exceed the running cost ceiling: $%s/h "
                               "running + $%s/h > $%s/h",
                               cur, req, limit);
}

static void usd(struct strbuf *sb, const char *key, int64_t uusd)
{
        strbuf_puts(sb, ",");
        cost_json_usd_field(sb, key, uusd);
}

void budget_reply_refusal(struct http_response *res, const struct http_request *req,
                          const char *consumer_id, uint32_t reservation_hours,
                          const struct cost_budget_refusal *ref)
{
        char msg[MESSAGE_MAX];
        struct strbuf sb;
        char *body;
        size_t len;

        message(msg, sizeof(msg), consumer_id, ref);
        strbuf_init(&sb);
        strbuf_puts(&sb, "{\"error\":");
        cost_json_string(&sb, msg);
        strbuf_puts(&sb, ",\"error_type\":\"budget_exceeded\",\"request_id\":");
        cost_json_string(&sb, req && req->request_id[0] ? req->request_id : "");
        strbuf_puts(&sb, ",\"budget\":");
        cost_json_string(&sb, cost_budget_verdict_name(ref->verdict));
        strbuf_puts(&sb, ",\"consumer_id\":");
        cost_json_string(&sb, consumer_id);
        strbuf_puts(&sb, ",\"currency\":\"USD\"");
        usd(&sb, "limit_usd", ref->limit_uusd);
        usd(&sb, "current_usd", ref->current_uusd);
        usd(&sb, "requested_usd", ref->requested_uusd);
        usd(&sb, "resulting_usd", ref->resulting_uusd);
        if (ref->verdict == COST_BUDGET_MONTHLY) {
                usd(&sb, "monthly_budget_usd", ref->limit_uusd);
                usd(&sb, "spent_usd", ref->current_uusd);
                usd(&sb, "projected_usd", ref->requested_uusd);
                strbuf_printf(&sb, ",\"reservation_hours\":%u", (unsigned)reservation_hours);
        } else {
                usd(&sb, "max_running_usd_per_hour", ref->limit_uusd);
                usd(&sb, "running_usd_per_hour", ref->current_uusd);
                usd(&sb, "price_per_hour", ref->requested_uusd);
        }
        strbuf_puts(&sb, "}");
        body = strbuf_take(&sb, &len);
        reply_json_body(res, req, BUDGET_REFUSAL_STATUS, body, len);
}
