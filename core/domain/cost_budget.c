/* cost_budget.c - budget admission and crossing decisions. */
#include "domain/cost_budget.h"

#include <string.h>

#include "gpushop/status.h"

int cost_budget_policy_parse(const char *s, int *ret_policy)
{
        if (s && strcmp(s, "alert") == 0)
                *ret_policy = COST_BUDGET_ALERT;
        else if (s && strcmp(s, "stop") == 0)
                *ret_policy = COST_BUDGET_STOP;
        else
                return GS_E_INVAL;
        return 0;
}

const char *cost_budget_policy_name(int policy)
{
        return policy == COST_BUDGET_STOP ? "stop" : "alert";
}

const char *cost_budget_verdict_name(int verdict)
{
        switch (verdict) {
        case COST_BUDGET_MONTHLY:
                return "monthly_budget";
        case COST_BUDGET_CEILING:
                return "running_ceiling";
        default:
                return NULL;
        }
}

int64_t cost_budget_add(int64_t a, int64_t b)
{
        if (a < 0)
                a = 0;
        if (b < 0)
                b = 0;
        return a > INT64_MAX - b ? INT64_MAX : a + b;
}

int64_t cost_budget_projected_uusd(int64_t price_uusd_per_hour, uint32_t hours)
{
        if (price_uusd_per_hour <= 0 || hours == 0)
                return 0;
        if (price_uusd_per_hour > INT64_MAX / (int64_t)hours)
                return INT64_MAX;
        return price_uusd_per_hour * (int64_t)hours;
}

static void refuse(struct cost_budget_refusal *r, int verdict, int64_t limit, int64_t current,
                   int64_t requested)
{
        r->verdict = verdict;
        r->limit_uusd = limit;
        r->current_uusd = current;
        r->requested_uusd = requested;
        r->resulting_uusd = cost_budget_add(current, requested);
}

int cost_budget_admit(const struct cost_budget_request *req,
                      struct cost_budget_refusal *ret_refusal)
{
        int64_t projected =
                cost_budget_projected_uusd(req->price_uusd_per_hour, req->reservation_hours);
        int64_t price = req->price_uusd_per_hour > 0 ? req->price_uusd_per_hour : 0;

        if (req->monthly_limit_uusd > 0 &&
            cost_budget_add(req->month_spent_uusd, projected) > req->monthly_limit_uusd) {
                refuse(ret_refusal, COST_BUDGET_MONTHLY, req->monthly_limit_uusd,
                       req->month_spent_uusd, projected);
                return COST_BUDGET_MONTHLY;
        }
        if (req->ceiling_uusd_per_hour > 0 &&
            cost_budget_add(req->running_uusd_per_hour, price) > req->ceiling_uusd_per_hour) {
                refuse(ret_refusal, COST_BUDGET_CEILING, req->ceiling_uusd_per_hour,
                       req->running_uusd_per_hour, price);
                return COST_BUDGET_CEILING;
        }
        return COST_BUDGET_OK;
}

bool cost_budget_is_over(int64_t limit_uusd, int64_t spent_uusd)
{
        return limit_uusd > 0 && spent_uusd > limit_uusd;
}

bool cost_budget_should_report(int64_t reported_month_ms, int64_t month_ms)
{
        return reported_month_ms != month_ms;
}

int64_t cost_budget_remaining_uusd(int64_t limit_uusd, int64_t spent_uusd)
{
        if (limit_uusd <= 0)
                return 0;
        return limit_uusd - spent_uusd;
}
