/* cost_json.c - cost reports as JSON with exact decimal money. */
#include "costs/cost_json.h"

#include <inttypes.h>
#include <stdlib.h>

#include "domain/decimal.h"
#include "domain/json_text.h"
#include "domain/rfc3339.h"
#include "domain/units.h"

#define USD_SCALE 6
/* Quoted strings up to this size are built on the stack. */
#define QUOTE_STACK 512
/* hours = ms / 3600000 in micro-hours = ms * 10 / 36. */
#define MICRO_HOURS_NUM 10
#define MICRO_HOURS_DEN 36

void cost_json_string(struct strbuf *sb, const char *s)
{
        char stack[QUOTE_STACK];
        size_t n = json_text_quote(s, NULL, 0);
        char *buf = n < sizeof(stack) ? stack : malloc(n + 1);

        if (!buf) {
                sb->failed = true;
                return;
        }
        (void)json_text_quote(s, buf, n + 1);
        strbuf_append(sb, buf, n);
        if (buf != stack)
                free(buf);
}

static void number(struct strbuf *sb, int64_t value, unsigned scale)
{
        char buf[DECIMAL_TEXT_MAX];
        int n = decimal_format(value, scale, buf, sizeof(buf));

        if (n < 0)
                strbuf_puts(sb, "null");
        else
                strbuf_append(sb, buf, (size_t)n);
}

void cost_json_usd_field(struct strbuf *sb, const char *key, int64_t uusd)
{
        cost_json_string(sb, key);
        strbuf_puts(sb, ":");
        number(sb, uusd, USD_SCALE);
}

void cost_json_time(struct strbuf *sb, int64_t ms)
{
        char buf[RFC3339_TEXT_MAX];

        if (ms <= 0 || rfc3339_format_ms(ms, buf, sizeof(buf)) < 0) {
                strbuf_puts(sb, "null");
                return;
        }
        strbuf_puts(sb, "\"");
        strbuf_puts(sb, buf);
        strbuf_puts(sb, "\"");
}

static void sums(struct strbuf *sb, const char *key, const struct cost_totals *t, int by_gpu)
{
        struct cost_sum *s = NULL;
        size_t n = 0;

        if (cost_totals_sums(t, by_gpu, &s, &n) < 0) {
                sb->failed = true;
                return;
        }
        strbuf_printf(sb, ",\"%s\":{", key);
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strbuf_puts(sb, ",");
                cost_json_usd_field(sb, s[i].key, s[i].amount_uusd);
        }
        strbuf_puts(sb, "}");
        free(s);
}

/* The fields every total shares, from total_cost to by_gpu_type. */
static void totals(struct strbuf *sb, const struct cost_totals *t, bool currency)
{
        int64_t micro_hours =
                (t->billed_ms / MICRO_HOURS_DEN) * MICRO_HOURS_NUM +
                ((t->billed_ms % MICRO_HOURS_DEN) * MICRO_HOURS_NUM + MICRO_HOURS_DEN / 2) /
                        MICRO_HOURS_DEN;

        cost_json_usd_field(sb, "total_cost", t->amount_uusd);
        strbuf_printf(sb, ",\"total_cost_uusd\":%" PRId64, t->amount_uusd);
        if (currency)
                strbuf_puts(sb, ",\"currency\":\"USD\"");
        strbuf_printf(sb, ",\"session_count\":%" PRIu32 ",\"hours_used\":", t->session_count);
        number(sb, micro_hours, USD_SCALE);
        sums(sb, "by_provider", t, 0);
        sums(sb, "by_gpu_type", t, 1);
}

void cost_json_report(struct strbuf *sb, const struct cost_report *r,
                      const struct cost_json_echo *echo)
{
        strbuf_puts(sb, "{");
        if (echo->session_id) {
                cost_json_string(sb, "session_id");
                strbuf_puts(sb, ":");
                cost_json_string(sb, echo->session_id);
                strbuf_puts(sb, ",");
        }
        if (echo->consumer_id) {
                cost_json_string(sb, "consumer_id");
                strbuf_puts(sb, ":");
                cost_json_string(sb, echo->consumer_id);
                strbuf_puts(sb, ",");
        }
        totals(sb, &r->totals, true);
        strbuf_puts(sb, ",\"period_start\":");
        cost_json_time(sb, echo->open_start ? 0 : r->window.from_ms);
        strbuf_puts(sb, ",\"period_end\":");
        cost_json_time(sb, echo->open_end ? 0 : r->window.to_ms);
        strbuf_puts(sb, ",\"as_of\":");
        cost_json_time(sb, r->as_of_ms);
        if (r->period != COST_PERIOD_NONE) {
                strbuf_puts(sb, ",\"period\":");
                cost_json_string(sb, cost_period_name(r->period));
                strbuf_puts(sb, ",\"periods\":[");
                for (size_t i = 0; i < r->bucket_count; i++) {
                        const struct cost_bucket *b = &r->buckets[i];

                        strbuf_puts(sb, i ? ",{\"period_start\":" : "{\"period_start\":");
                        cost_json_time(sb, b->window.from_ms);
                        strbuf_puts(sb, ",\"period_end\":");
                        cost_json_time(sb, b->window.to_ms);
                        strbuf_puts(sb, ",");
                        totals(sb, &b->totals, false);
                        strbuf_puts(sb, "}");
                }
                strbuf_puts(sb, "]");
        }
        strbuf_puts(sb, "}");
}
