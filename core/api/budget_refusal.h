/*
 * budget_refusal.h - the 402 answer to a provision a budget refuses:
 *
 *   {"error": "...", "error_type": "budget_exceeded", "request_id": "...",
 *    "budget": "monthly_budget" | "running_ceiling", "consumer_id": "...",
 *    "limit_usd", "current_usd", "requested_usd", "resulting_usd",
 *    monthly:  "monthly_budget_usd", "spent_usd", "projected_usd", "reservation_hours"
 *    ceiling:  "max_running_usd_per_hour", "running_usd_per_hour", "price_per_hour"}
 *
 * Money is written as exact decimals of the integer micro-USD. Thread-safe.
 */
#ifndef GS_BUDGET_REFUSAL_H
#define GS_BUDGET_REFUSAL_H

#include <stdint.h>

#include "domain/cost_budget.h"
#include "http/request.h"

#define BUDGET_REFUSAL_STATUS 402

void budget_reply_refusal(struct http_response *res, const struct http_request *req,
                          const char *consumer_id, uint32_t reservation_hours,
                          const struct cost_budget_refusal *ref);

#endif /* GS_BUDGET_REFUSAL_H */
