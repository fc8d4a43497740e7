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

#endif /* GS_API_H */
