/* session_body.c - JSON members of a session create body into the request struct. */
#include "api/session_body.h"

#include <stdio.h>
#include <string.h>

/* "unknown field <key>", the key cut and with every byte outside printable
 * ASCII shown as '?': the message is echoed to clients and logs. */
static void unknown_field(const char *key, struct session_request_error *err)
{
        static const char prefix[] = "unknown field ";
        size_t n = sizeof(prefix) - 1, i;

        memcpy(err->msg, prefix, n);
        for (i = 0; key[i] && i < SESSION_REQUEST_ECHO_MAX && n + 1 < sizeof(err->msg); i++)
                err->msg[n++] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
        err->msg[n] = '\0';
        err->field[0] = '\0';
}

static bool type_matches(enum session_field_type type, const json_t *v)
{
        switch (type) {
        case SESSION_FIELD_STRING:
                /* An embedded NUL would cut the text the rules see. */
                return json_is_string(v) &&
                       strlen(json_string_value(v)) == json_string_length(v);
        case SESSION_FIELD_INTEGER:
                return json_is_integer(v);
        default:
                return json_is_boolean(v);
        }
}

static const char *type_text(enum session_field_type type)
{
        return type == SESSION_FIELD_STRING    ? "a string"
               : type == SESSION_FIELD_INTEGER ? "an integer"
                                               : "true or false";
}

static void store(struct session_request *req, int field, const json_t *v)
{
        req->given |= 1u << field;
        switch (field) {
        case SESSION_FIELD_CONSUMER_ID:
                req->consumer_id = json_string_value(v);
                break;
        case SESSION_FIELD_OFFER_ID:
                req->offer_id = json_string_value(v);
                break;
        case SESSION_FIELD_WORKLOAD_TYPE:
                req->workload_type = json_string_value(v);
                break;
        case SESSION_FIELD_RESERVATION_HOURS:
                req->reservation_hours = json_integer_value(v);
                break;
        case SESSION_FIELD_IDLE_THRESHOLD_MINUTES:
                req->idle_threshold_minutes = json_integer_value(v);
                break;
        case SESSION_FIELD_STORAGE_POLICY:
                req->storage_policy = json_string_value(v);
                break;
        case SESSION_FIELD_DISK_GB:
                req->disk_gb = json_integer_value(v);
                break;
        case SESSION_FIELD_TEMPLATE_HASH_ID:
                req->template_hash_id = json_string_value(v);
                break;
        default: /* SESSION_FIELD_AUTO_RETRY */
                req->auto_retry = json_is_true(v);
                break;
        }
}

int session_body_decode(const json_t *doc, struct session_request *ret_req,
                        struct session_request_error *err)
{
        struct session_request req;
        const char *key;
        json_t *v;
        int field;

        memset(&req, 0, sizeof(req));
        json_object_foreach((json_t *)doc, key, v)
        {
                field = session_request_field_parse(key);
                if (field == _SESSION_FIELD_INVALID) {
                        unknown_field(key, err);
                        return -1;
                }
                if (json_is_null(v))
                        continue; /* absent */
                if (!type_matches(session_request_field_type(field), v)) {
                        (void)snprintf(err->field, sizeof(err->field), "%s",
                                       session_request_field_name(field));
                        (void)snprintf(err->msg, sizeof(err->msg), "%s must be %s",
                                       session_request_field_name(field),
                                       type_text(session_request_field_type(field)));
                        return -1;
                }
                store(&req, field, v);
        }
        *ret_req = req;
        return 0;
}
