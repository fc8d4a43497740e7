/*
 * fuzz_session_request.c - the bodies of POST /api/v1/sessions (create) and
 * POST /api/v1/sessions/{id}/extend on arbitrary bytes.
 *
 * The raw input is the body, parsed with the API's jansson flags (duplicate
 * keys refused) and decoded by the API's own session_body_decode()
 * (core/api/session_body.c): each member named by
 * session_request_field_parse() and of the JSON type
 * session_request_field_type() gives (null reads as absent), else refused.
 * The struct then goes through session_request_validate() under several
 * [sessions] limits. Checks: an accepted request obeys every documented
 * rule (required fields, ranges, id character sets, enumerations,
 * defaults); a refused one names a known field in a printable message.
 *
 * The same body read as an extend body ({"additional_hours": N}, nothing
 * else) goes through session_extend_compute() and session_extend_hours_left()
 * for a few session states: an accepted extension moves expires_at forward
 * and never past started_at + max_hours.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "api/session_body.h"
#include "domain/session_extend.h"
#include "domain/session_id.h"
#include "domain/session_request.h"
#include "domain/units.h"
#include "fuzz.h"
#include "gpushop/status.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Jansson's decoding flags the API uses for request bodies. */
#define BODY_FLAGS JSON_REJECT_DUPLICATES

static const struct session_limits limits[] = {
        {.max_reservation_hours = 12, .default_disk_gb = 100, .min_disk_gb = 10,
         .max_disk_gb = 2000},
        {.max_reservation_hours = SESSION_RESERVATION_HOURS_LIMIT, .default_disk_gb = 1,
         .min_disk_gb = 1, .max_disk_gb = SESSION_DISK_GB_LIMIT},
        {.max_reservation_hours = 1, .default_disk_gb = 0, .min_disk_gb = 0, .max_disk_gb = 0},
};

/* Session states an extension is tried against (started_at, expires_at, max). */
static const struct {
        int64_t started, expires;
        uint32_t max_hours;
} states[] = {
        {INT64_C(1767225600000), INT64_C(1767225600000) + MS_PER_HOUR, 12},
        {INT64_C(1767225600000), INT64_C(1767225600000) + 12 * MS_PER_HOUR, 12},
        {1, 1, SESSION_RESERVATION_HOURS_LIMIT},
        {INT64_C(1767225600000), INT64_C(1767225600000) + 168 * MS_PER_HOUR - 1,
         SESSION_RESERVATION_HOURS_LIMIT},
        {0, MS_PER_HOUR, 12},
};

/* What session_body_decode() promises: a refusal names an unknown member
 * or a known one of the wrong type; an acceptance marks exactly the known,
 * non-null members as given. */
static bool decode_create(const json_t *root, struct session_request *req)
{
        struct session_request_error err;
        unsigned given = 0;
        const char *key;
        json_t *v;
        bool unknown = false;

        json_object_foreach((json_t *)root, key, v) {
                int f = session_request_field_parse(key);

                if (f == _SESSION_FIELD_INVALID) {
                        unknown = true;
                        continue;
                }
                fuzz_check(f >= 0 && f < _SESSION_FIELD_MAX);
                fuzz_check(strcmp(session_request_field_name(f), key) == 0);
                if (!json_is_null(v))
                        given |= 1u << f;
        }
        memset(&err, 'X', sizeof(err));
        if (session_body_decode(root, req, &err) < 0) {
                fuzz_check_text(err.field, sizeof(err.field));
                fuzz_check_text(err.msg, sizeof(err.msg));
                fuzz_check(unknown || session_request_field_parse(err.field) !=
                                              _SESSION_FIELD_INVALID);
                return false;
        }
        fuzz_check(!unknown);
        fuzz_check(req->given == given);
        return true;
}

static void check_accepted(const struct session_request *req, const struct session_request *in,
                           const struct session_limits *lim)
{
        fuzz_check(session_id_is_valid_consumer(req->consumer_id));
        fuzz_check(session_request_id_is_valid(req->offer_id, SESSION_OFFER_ID_MAX));
        fuzz_check(session_request_workload_is_valid(req->workload_type));
        fuzz_check(req->reservation_hours >= 1 &&
                   req->reservation_hours <= lim->max_reservation_hours);
        fuzz_check(req->idle_threshold_minutes >= 0 &&
                   req->idle_threshold_minutes <=
                           (int64_t)lim->max_reservation_hours * MINUTES_PER_HOUR);
        fuzz_check(session_request_storage_is_valid(req->storage_policy));
        fuzz_check(req->disk_gb >= lim->min_disk_gb && req->disk_gb <= lim->max_disk_gb);
        fuzz_check(!req->template_hash_id ||
                   session_request_id_is_valid(req->template_hash_id, SESSION_TEMPLATE_ID_MAX));
        /* Defaults only where the body said nothing. */
        if (!(in->given & (1u << SESSION_FIELD_DISK_GB)))
                fuzz_check(req->disk_gb == lim->default_disk_gb);
        if (!(in->given & (1u << SESSION_FIELD_STORAGE_POLICY)))
                fuzz_check(strcmp(req->storage_policy, SESSION_STORAGE_DEFAULT) == 0);
        if (!(in->given & (1u << SESSION_FIELD_AUTO_RETRY)))
                fuzz_check(!req->auto_retry);
        if (!(in->given & (1u << SESSION_FIELD_TEMPLATE_HASH_ID)))
                fuzz_check(!req->template_hash_id);
        if (!(in->given & (1u << SESSION_FIELD_IDLE_THRESHOLD_MINUTES)))
                fuzz_check(req->idle_threshold_minutes == 0);
        fuzz_check(req->given == in->given);
}

static void create_body(const json_t *root)
{
        struct session_request in;

        if (!json_is_object(root) || !decode_create(root, &in))
                return;
        for (size_t i = 0; i < ARRAY_LEN(limits); i++) {
                struct session_request req = in;
                struct session_request_error err;
                int r;

                memset(&err, 'X', sizeof(err));
                r = session_request_validate(&req, &limits[i], &err);
                if (r == 0) {
                        check_accepted(&req, &in, &limits[i]);
                        continue;
                }
                fuzz_check(r == GS_E_INVAL);
                fuzz_check_text(err.field, sizeof(err.field));
                fuzz_check_text(err.msg, sizeof(err.msg));
                fuzz_check(session_request_field_parse(err.field) != _SESSION_FIELD_INVALID);
        }
}

static void extend_body(const json_t *root)
{
        const json_t *v = json_object_get(root, "additional_hours");
        json_int_t h;

        if (!json_is_object(root) || json_object_size(root) != 1 || !json_is_integer(v))
                return;
        h = json_integer_value(v);
        if (h < 1 || h > (json_int_t)UINT32_MAX)
                return;
        for (size_t i = 0; i < ARRAY_LEN(states); i++) {
                int64_t limit = session_extend_expiry_ms(states[i].started, states[i].max_hours);
                uint32_t left = session_extend_hours_left(states[i].started, states[i].expires,
                                                          states[i].max_hours);
                int64_t out = -1;
                int r = session_extend_compute(states[i].started, states[i].expires, (uint32_t)h,
                                               states[i].max_hours, &out);

                if (r == 0) {
                        fuzz_check(states[i].started > 0);
                        fuzz_check(out > states[i].expires && out <= limit);
                        fuzz_check((uint64_t)h <= left);
                } else {
                        fuzz_check(r == GS_E_TOOBIG || r == GS_E_INVAL);
                        fuzz_check(out == -1);
                        if (r == GS_E_TOOBIG)
                                fuzz_check((uint64_t)h > left);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *root = json_loadb((const char *)data, size, BODY_FLAGS, NULL);

        if (!root)
                return 0;
        create_body(root);
        extend_body(root);
        json_decref(root);
        return 0;
}
