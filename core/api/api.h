/*
 * api.h - HTTP handlers, one file per resource. Each handler reads the app
 * from req->app and fills res; it never blocks on a provider.
 */
#ifndef GS_API_H
#define GS_API_H

#include "http/request.h"

void api_health(struct http_request *req, struct http_response *res);
void api_ready(struct http_request *req, struct http_response *res);
void api_metrics(struct http_request *req, struct http_response *res);
void api_tokens_create(struct http_request *req, struct http_response *res);
void api_tokens_list(struct http_request *req, struct http_response *res);
void api_tokens_revoke(struct http_request *req, struct http_response *res);
void api_events_list(struct http_request *req, struct http_response *res);
/* GET /api/v1/inventory and GET /api/v1/inventory/:id (api/inventory.c). */
void api_inventory_list(struct http_request *req, struct http_response *res);
void api_inventory_get(struct http_request *req, struct http_response *res);
/* /api/v1/sessions[/:id[/done|extend|heartbeat|diagnostics]] (api/sessions.c).
 * POST /api/v1/sessions and .../diagnostics call a provider (creation and
 * status); every other handler only reads or writes storage. */
void api_sessions_create(struct http_request *req, struct http_response *res);
void api_sessions_list(struct http_request *req, struct http_response *res);
void api_sessions_get(struct http_request *req, struct http_response *res);
void api_sessions_delete(struct http_request *req, struct http_response *res);
void api_sessions_done(struct http_request *req, struct http_response *res);
void api_sessions_extend(struct http_request *req, struct http_response *res);
void api_sessions_heartbeat(struct http_request *req, struct http_response *res);
void api_sessions_diagnostics(struct http_request *req, struct http_response *res);
/* POST /api/v1/sessions/:id/override (api/session_override.c): admin only. */
void api_sessions_override(struct http_request *req, struct http_response *res);
/* GET /api/v1/costs and /api/v1/costs/summary (api/costs.c), GET /api/v1/budgets
 * (api/budgets.c): storage reads only. */
void api_costs_get(struct http_request *req, struct http_response *res);
void api_costs_summary(struct http_request *req, struct http_response *res);
void api_budgets_list(struct http_request *req, struct http_response *res);

#endif /* GS_API_H */
