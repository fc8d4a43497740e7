/* session_detail.c - the detail_json blob of a session. */
#include "session/session_detail.h"

#include <stdlib.h>
#include <string.h>

#include "gpushop/plugin.h"

json_t *session_detail_parse(const char *detail_json)
{
        json_t *o = NULL;

        if (detail_json && detail_json[0])
                o = json_loads(detail_json, 0, NULL);
        if (o && !json_is_object(o)) {
                json_decref(o);
                o = NULL;
        }
        return o ? o : json_object();
}

char *session_detail_dump(const json_t *detail)
{
        char *s = json_dumps(detail, JSON_COMPACT | JSON_ENSURE_ASCII);

        if (s && strlen(s) >= GS_STRING_MAX) {
                free(s);
                return NULL;
        }
        return s;
}

int session_detail_set(json_t *detail, const char *key, json_t *value)
{
        return json_object_set_new(detail, key, value) == 0 ? 0 : GS_E_NOMEM;
}

const char *session_detail_str(const json_t *detail, const char *key)
{
        return json_string_value(json_object_get(detail, key));
}

int session_detail_add_tried(json_t *detail, const char *offer_id)
{
        json_t *a = json_object_get(detail, "offers_tried");

        if (!json_is_array(a)) {
                a = json_array();
                if (session_detail_set(detail, "offers_tried", a) < 0)
                        return GS_E_NOMEM;
        }
        return json_array_append_new(a, json_string(offer_id)) == 0 ? 0 : GS_E_NOMEM;
}

int session_detail_set_probe(json_t *detail, int64_t at_ms, int ok, const char *error)
{
        char msg[SESSION_DETAIL_ERROR_MAX + 1];
        json_t *p = json_object();

        if (!p)
                return GS_E_NOMEM;
        (void)json_object_set_new(p, "at_ms", json_integer(at_ms));
        (void)json_object_set_new(p, "ok", json_boolean(ok));
        if (error && error[0]) {
                size_t n = strnlen(error, SESSION_DETAIL_ERROR_MAX);

                memcpy(msg, error, n);
                msg[n] = '\0';
                (void)json_object_set_new(p, "error", json_string(msg));
        }
        return session_detail_set(detail, "last_probe", p);
}
