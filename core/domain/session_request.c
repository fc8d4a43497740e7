/* session_request.c - validation and defaults of a session create request. */
#include "domain/session_request.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "domain/session_id.h"
#include "gpushop/plugin.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ID_CHARS "A-Z a-z 0-9 . _ : -"

static const struct {
        const char *name;
        enum session_field_type type;
} fields[] = {
        [SESSION_FIELD_CONSUMER_ID] = {"consumer_id", SESSION_FIELD_STRING},
        [SESSION_FIELD_OFFER_ID] = {"offer_id", SESSION_FIELD_STRING},
        [SESSION_FIELD_WORKLOAD_TYPE] = {"workload_type", SESSION_FIELD_STRING},
        [SESSION_FIELD_RESERVATION_HOURS] = {"reservation_hours", SESSION_FIELD_INTEGER},
        [SESSION_FIELD_IDLE_THRESHOLD_MINUTES] = {"idle_threshold_minutes", SESSION_FIELD_INTEGER},
        [SESSION_FIELD_STORAGE_POLICY] = {"storage_policy", SESSION_FIELD_STRING},
        [SESSION_FIELD_DISK_GB] = {"disk_gb", SESSION_FIELD_INTEGER},
        [SESSION_FIELD_TEMPLATE_HASH_ID] = {"template_hash_id", SESSION_FIELD_STRING},
        [SESSION_FIELD_AUTO_RETRY] = {"auto_retry", SESSION_FIELD_BOOL},
};

_Static_assert(ARRAY_LEN(fields) == _SESSION_FIELD_MAX, "field table out of date");

static const char *const workload_types[] = {"llm",   "llm_vllm",    "llm_tgi", "training",
                                             "batch", "interactive", "ssh"};
static const char *const storage_policies[] = {"destroy", "preserve"};

int session_request_field_parse(const char *name)
{
        for (size_t i = 0; name && i < ARRAY_LEN(fields); i++)
                if (strcmp(fields[i].name, name) == 0)
                        return (int)i;
        return _SESSION_FIELD_INVALID;
}

const char *session_request_field_name(int field)
{
        return field >= 0 && field < _SESSION_FIELD_MAX ? fields[field].name : NULL;
}

enum session_field_type session_request_field_type(int field)
{
        return field >= 0 && field < _SESSION_FIELD_MAX ? fields[field].type : SESSION_FIELD_STRING;
}

const char *session_request_field_names(void)
{
        return "consumer_id, offer_id, workload_type, reservation_hours, "
               "idle_threshold_minutes, storage_policy, disk_gb, template_hash_id, auto_retry";
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
        for (size_t i = 0; s && i < n; i++)
                if (strcmp(s, list[i]) == 0)
                        return true;
        return false;
}

bool session_request_workload_is_valid(const char *workload_type)
{
        return in_list(workload_type, workload_types, ARRAY_LEN(workload_types));
}

bool session_request_storage_is_valid(const char *storage_policy)
{
        return in_list(storage_policy, storage_policies, ARRAY_LEN(storage_policies));
}

static bool is_id_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == ':' || c == '-';
}

bool session_request_id_is_valid(const char *id, unsigned max_len)
{
        size_t n = 0;

        if (!id)
                return false;
        for (const char *p = id; *p; p++)
                if (!is_id_char(*p) || ++n > max_len)
                        return false;
        return n > 0;
}

/* Printable ASCII prefix of s for quoting in a message (others become '?'). */
static void echo(const char *s, char *out, size_t len)
{
        size_t n = 0;

        for (; s && *s && n + 1 < len && n < SESSION_REQUEST_ECHO_MAX; s++)
                out[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
        out[n] = '\0';
}

static int fail(struct session_request_error *err, int field, const char *fmt, ...) GS_PRINTF(3, 4);
static int fail(struct session_request_error *err, int field, const char *fmt, ...)
{
        va_list ap;

        if (err) {
                (void)snprintf(err->field, sizeof(err->field), "%s",
                               session_request_field_name(field));
                va_start(ap, fmt);
                (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                va_end(ap);
        }
        return GS_E_INVAL;
}

static bool given(const struct session_request *req, int field)
{
        return (req->given & (1u << field)) != 0;
}

static int check_required(const struct session_request *req, struct session_request_error *err)
{
        static const int required[] = {SESSION_FIELD_CONSUMER_ID, SESSION_FIELD_OFFER_ID,
                                       SESSION_FIELD_WORKLOAD_TYPE,
                                       SESSION_FIELD_RESERVATION_HOURS};

        for (size_t i = 0; i < ARRAY_LEN(required); i++)
                if (!given(req, required[i]))
                        return fail(err, required[i], "%s is required",
                                    session_request_field_name(required[i]));
        return 0;
}

static int check_strings(const struct session_request *req, struct session_request_error *err)
{
        char e[SESSION_REQUEST_ECHO_MAX + 1];

        if (!session_id_is_valid_consumer(req->consumer_id))
                return fail(err, SESSION_FIELD_CONSUMER_ID,
                            "consumer_id must be 1-%d characters of " ID_CHARS, CONSUMER_ID_MAX);
        if (!session_request_id_is_valid(req->offer_id, SESSION_OFFER_ID_MAX))
                return fail(err, SESSION_FIELD_OFFER_ID,
                            "offer_id must be 1-%d characters of " ID_CHARS
                            " (an id from GET /api/v1/inventory)",
                            SESSION_OFFER_ID_MAX);
        if (!session_request_workload_is_valid(req->workload_type)) {
                echo(req->workload_type, e, sizeof(e));
                return fail(err, SESSION_FIELD_WORKLOAD_TYPE,
                            "workload_type must be one of: " SESSION_WORKLOAD_TYPES ", got '%s'",
                            e);
        }
        return 0;
}

int session_request_validate(struct session_request *req, const struct session_limits *lim,
                             struct session_request_error *err)
{
        char e[SESSION_REQUEST_ECHO_MAX + 1];
        int64_t idle_max;
        int r;

        if (!req || !lim)
                return GS_E_INVAL;
        r = check_required(req, err);
        if (r < 0)
                return r;
        r = check_strings(req, err);
        if (r < 0)
                return r;
        if (req->reservation_hours < 1 || req->reservation_hours > lim->max_reservation_hours)
                return fail(err, SESSION_FIELD_RESERVATION_HOURS,
                            "reservation_hours must be between 1 and %u (the hard maximum), "
                            "got %lld",
                            lim->max_reservation_hours, (long long)req->reservation_hours);
        idle_max = (int64_t)lim->max_reservation_hours * MINUTES_PER_HOUR;
        if (!given(req, SESSION_FIELD_IDLE_THRESHOLD_MINUTES))
                req->idle_threshold_minutes = 0;
        if (req->idle_threshold_minutes < 0 || req->idle_threshold_minutes > idle_max)
                return fail(err, SESSION_FIELD_IDLE_THRESHOLD_MINUTES,
                            "idle_threshold_minutes must be between 0 (disabled) and %lld, "
                            "got %lld",
                            (long long)idle_max, (long long)req->idle_threshold_minutes);
        if (!given(req, SESSION_FIELD_STORAGE_POLICY))
                req->storage_policy = SESSION_STORAGE_DEFAULT;
        if (!session_request_storage_is_valid(req->storage_policy)) {
                echo(req->storage_policy, e, sizeof(e));
                return fail(err, SESSION_FIELD_STORAGE_POLICY,
                            "storage_policy must be one of: " SESSION_STORAGE_POLICIES ", got '%s'",
                            e);
        }
        if (!given(req, SESSION_FIELD_DISK_GB))
                req->disk_gb = lim->default_disk_gb;
        if (req->disk_gb < lim->min_disk_gb || req->disk_gb > lim->max_disk_gb)
                return fail(err, SESSION_FIELD_DISK_GB,
                            "disk_gb must be between %u and %u, got %lld", lim->min_disk_gb,
                            lim->max_disk_gb, (long long)req->disk_gb);
        if (!given(req, SESSION_FIELD_TEMPLATE_HASH_ID))
                req->template_hash_id = NULL;
        if (req->template_hash_id &&
            !session_request_id_is_valid(req->template_hash_id, SESSION_TEMPLATE_ID_MAX))
                return fail(err, SESSION_FIELD_TEMPLATE_HASH_ID,
                            "template_hash_id must be 1-%d characters of " ID_CHARS,
                            SESSION_TEMPLATE_ID_MAX);
        if (!given(req, SESSION_FIELD_AUTO_RETRY))
                req->auto_retry = false;
        return 0;
}
