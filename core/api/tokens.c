/* tokens.c - /api/v1/tokens (admin): create (secret shown once), list, revoke. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "audit.h"
#include "auth/token_store.h"
#include "domain/rfc3339.h"
#include "domain/session_id.h"
#include "http/reply.h"
#include "plugin/host_api.h"
#include "status.h"

#define TOKEN_LABEL_MAX 128
#define TOKEN_CONSUMERS_MAX 32

static json_t *time_or_null(int64_t ms)
{
        char buf[RFC3339_TEXT_MAX];

        if (ms <= 0 || rfc3339_format_ms(ms, buf, sizeof(buf)) < 0)
                return json_null();
        return json_string(buf);
}

static json_t *token_json(const struct gs_token_record *t)
{
        json_t *o = json_object();
        json_t *list = json_array();
        const char *c = t->consumers ? t->consumers : "";

        while (*c) {
                size_t len = strcspn(c, ",");

                (void)json_array_append_new(list, json_stringn(c, len));
                c += len;
                if (*c == ',')
                        c++;
        }
        (void)json_object_set_new(o, "id", json_string(t->id));
        (void)json_object_set_new(o, "role", json_string(principal_role_name((int)t->role)));
        (void)json_object_set_new(o, "consumers", list);
        (void)json_object_set_new(o, "label", t->label ? json_string(t->label) : json_null());
        (void)json_object_set_new(o, "created_by",
                                  t->created_by ? json_string(t->created_by) : json_null());
        (void)json_object_set_new(o, "created_at", time_or_null(t->created_at_ms));
        (void)json_object_set_new(o, "revoked_at", time_or_null(t->revoked_at_ms));
        return o;
}

/* Validate the create body; on success fill the record's role/consumers/label. */
static int parse_create(struct http_request *req, struct http_response *res, json_t *body,
                        struct gs_token_record *t, char *consumers, size_t consumers_len)
{
        const char *key;
        json_t *v, *list;
        size_t used = 0, i;
        int role;

        if (!json_is_object(body)) {
                reply_error(res, req, 400, "invalid_request", "the body must be a JSON object");
                return -1;
        }
        json_object_foreach(body, key, v) {
                if (strcmp(key, "role") != 0 && strcmp(key, "consumers") != 0 &&
                    strcmp(key, "label") != 0) {
                        reply_error(res, req, 400, "invalid_request",
                                    "unknown field '%.64s' (known: role, consumers, label)", key);
                        return -1;
                }
        }
        role = principal_role_parse(json_string_value(json_object_get(body, "role")));
        if (role < 0) {
                reply_error(res, req, 400, "invalid_request",
                            "'role' must be one of admin, consumer, viewer");
                return -1;
        }
        t->role = (uint32_t)role;
        v = json_object_get(body, "label");
        if (v && (!json_is_string(v) || json_string_length(v) > TOKEN_LABEL_MAX)) {
                reply_error(res, req, 400, "invalid_request",
                            "'label' must be a string of at most %d bytes", TOKEN_LABEL_MAX);
                return -1;
        }
        t->label = json_string_value(v);
        list = json_object_get(body, "consumers");
        if (role != GS_ROLE_CONSUMER) {
                if (list && !(json_is_array(list) && json_array_size(list) == 0)) {
                        reply_error(res, req, 400, "invalid_request",
                                    "'consumers' applies to consumer tokens only");
                        return -1;
                }
                return 0;
        }
        if (!json_is_array(list) || json_array_size(list) == 0 ||
            json_array_size(list) > TOKEN_CONSUMERS_MAX) {
                reply_error(res, req, 400, "invalid_request",
                            "a consumer token needs 'consumers': a list of 1 to %d consumer ids",
                            TOKEN_CONSUMERS_MAX);
                return -1;
        }
        json_array_foreach(list, i, v) {
                const char *c = json_string_value(v);
                int w;

                if (!c || !session_id_is_valid_consumer(c)) {
                        reply_error(res, req, 400, "invalid_request",
                                    "consumers[%zu] is not a consumer id (1-128 of A-Z a-z 0-9 . "
                                    "_ : -)",
                                    i);
                        return -1;
                }
                w = snprintf(consumers + used, consumers_len - used, "%s%s", used ? "," : "", c);
                if (w < 0 || (size_t)w >= consumers_len - used) {
                        reply_error(res, req, 400, "invalid_request", "too many consumer ids");
                        return -1;
                }
                used += (size_t)w;
        }
        t->consumers = consumers;
        return 0;
}

void api_tokens_create(struct http_request *req, struct http_response *res)
{
        struct app *app = req->app;
        struct plugin_instance *st = app->reg.storage;
        struct gs_token_record t = {.struct_size = sizeof(t)};
        char consumers[PRINCIPAL_CONSUMERS_MAX] = "";
        char secret[TOKEN_SECRET_MAX] = "", id[TOKEN_ID_MAX];
        json_error_t jerr;
        struct gs_error err;
        json_t *body, *out;
        char detail[160];
        int r;

        body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!body) {
                reply_error(res, req, 400, "invalid_json", "the body is not valid JSON: %s",
                            jerr.text);
                return;
        }
        if (parse_create(req, res, body, &t, consumers, sizeof(consumers)) < 0)
                goto done;
        gs_error_init(&err);
        r = token_store_create(st, (int)t.role, t.consumers, t.label, req->principal.actor,
                               secret, id, &t.created_at_ms, &err);
        if (r < 0) {
                reply_error(res, req, 503, "storage_unavailable", "cannot store the token");
                goto done;
        }
        t.id = id;
        t.secret_hash = "";
        t.created_by = req->principal.actor;
        (void)snprintf(detail, sizeof(detail), "{\"token_id\":\"%s\",\"role\":\"%s\"}", id,
                       principal_role_name((int)t.role));
        audit_record(st, req->principal.actor, "token.create", NULL, detail);
        out = json_object();
        (void)json_object_set_new(out, "token", token_json(&t));
        (void)json_object_set_new(out, "secret", json_string(secret));
        (void)json_object_set_new(out, "note",
                                  json_string("the secret is shown only now; store it safely"));
        reply_json_take(res, 201, out);
done:
        memset(secret, 0, sizeof(secret));
        json_decref(body);
}

static int collect_token(void *ctx, const struct gs_token_record *t)
{
        return json_array_append_new(ctx, token_json(t)) == 0 ? 0 : GS_E_NOMEM;
}

void api_tokens_list(struct http_request *req, struct http_response *res)
{
        struct app *app = req->app;
        struct plugin_instance *st = app->reg.storage;
        json_t *list = json_array();
        struct gs_token_sink sink = {.fn = collect_token, .ctx = list};
        struct gs_error err;
        int r;

        gs_error_init(&err);
        registry_enter(st);
        r = st->storage->token_list(st->instance, &sink, &err);
        registry_leave(st);
        if (r < 0) {
                json_decref(list);
                reply_error(res, req, 503, "storage_unavailable", "cannot list tokens");
                return;
        }
        reply_json_take(res, 200, json_pack("{s:o,s:I}", "tokens", list, "count",
                                            (json_int_t)json_array_size(list)));
}

void api_tokens_revoke(struct http_request *req, struct http_response *res)
{
        struct app *app = req->app;
        struct plugin_instance *st = app->reg.storage;
        const char *id = req->params[0];
        struct gs_error err;
        char detail[96];
        int r;

        if (strncmp(id, TOKEN_ID_PREFIX, strlen(TOKEN_ID_PREFIX)) != 0 ||
            strlen(id) >= TOKEN_ID_MAX) {
                reply_error(res, req, 404, "not_found", "no token with that id");
                return;
        }
        gs_error_init(&err);
        registry_enter(st);
        r = st->storage->token_revoke(st->instance, id, host_now_ms(), &err);
        registry_leave(st);
        if (r == GS_E_NOTFOUND) {
                reply_error(res, req, 404, "not_found", "no token '%s'", id);
                return;
        }
        if (r == GS_E_CONFLICT) {
                reply_error(res, req, 409, "conflict", "token '%s' is already revoked", id);
                return;
        }
        if (r < 0) {
                reply_error(res, req, 503, "storage_unavailable", "cannot revoke the token");
                return;
        }
        (void)snprintf(detail, sizeof(detail), "{\"token_id\":\"%s\"}", id);
        audit_record(st, req->principal.actor, "token.revoke", NULL, detail);
        reply_json_take(res, 200, json_pack("{s:s,s:b}", "id", id, "revoked", 1));
}
