/*
 * session_request.h - the fields of POST /api/v1/sessions and the rules their
 * values must follow (ranges, character sets, enumerations), with the
 * defaults applied to absent optional fields.
 *
 * The HTTP layer decodes the JSON body, rejects unknown fields and wrong JSON
 * types (session_request_field_parse(), session_request_field_type()), fills
 * a struct session_request and calls session_request_validate().
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_SESSION_REQUEST_H
#define GS_SESSION_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

/* Longest offer id accepted ("<provider instance>-<provider offer id>"). */
#define SESSION_OFFER_ID_MAX 256
/* Longest template_hash_id accepted. */
#define SESSION_TEMPLATE_ID_MAX 128
/* Sizes of struct session_request_error's fields. */
#define SESSION_REQUEST_FIELD_MAX 32
#define SESSION_REQUEST_MSG_MAX 256
/* Bytes of a bad value quoted back in a message. */
#define SESSION_REQUEST_ECHO_MAX 48
/* Upper bound of any configured max_reservation_hours (one week). */
#define SESSION_RESERVATION_HOURS_LIMIT 168
/* Upper bound of any configured max_disk_gb. */
#define SESSION_DISK_GB_LIMIT 100000
#define MINUTES_PER_HOUR 60

/* Every accepted workload_type, as listed in error messages. */
#define SESSION_WORKLOAD_TYPES "llm, llm_vllm, llm_tgi, training, batch, interactive, ssh"
#define SESSION_STORAGE_POLICIES "destroy, preserve"
#define SESSION_STORAGE_DEFAULT "destroy"

enum session_request_field {
        SESSION_FIELD_CONSUMER_ID,
        SESSION_FIELD_OFFER_ID,
        SESSION_FIELD_WORKLOAD_TYPE,
        SESSION_FIELD_RESERVATION_HOURS,
        SESSION_FIELD_IDLE_THRESHOLD_MINUTES,
        SESSION_FIELD_STORAGE_POLICY,
        SESSION_FIELD_DISK_GB,
        SESSION_FIELD_TEMPLATE_HASH_ID,
        SESSION_FIELD_AUTO_RETRY,
        _SESSION_FIELD_MAX,
        _SESSION_FIELD_INVALID = -1
};

/* The JSON type a field must have. */
enum session_field_type { SESSION_FIELD_STRING, SESSION_FIELD_INTEGER, SESSION_FIELD_BOOL };

/* The bounds from [sessions] the request is checked against. */
struct session_limits {
        uint32_t max_reservation_hours; /* 1..SESSION_RESERVATION_HOURS_LIMIT */
        uint32_t default_disk_gb;       /* min_disk_gb..max_disk_gb */
        uint32_t min_disk_gb;
        uint32_t max_disk_gb;
};

/* One decoded request. Strings are borrowed from the caller's document. */
struct session_request {
        uint32_t given; /* 1u << enum session_request_field, for fields present */
        const char *consumer_id;
        const char *offer_id;
        const char *workload_type;
        int64_t reservation_hours;
        int64_t idle_threshold_minutes;
        const char *storage_policy;
        int64_t disk_gb;
        const char *template_hash_id; /* NULL = none */
        bool auto_retry;
};

struct session_request_error {
        char field[SESSION_REQUEST_FIELD_MAX]; /* the field at fault */
        char msg[SESSION_REQUEST_MSG_MAX];     /* one sentence naming it */
};

/* "consumer_id" -> SESSION_FIELD_CONSUMER_ID; _SESSION_FIELD_INVALID when unknown. */
int session_request_field_parse(const char *name);
/* NULL for a value that is not a field. */
const char *session_request_field_name(int field);
/* The JSON type of a field (SESSION_FIELD_STRING for a value that is not one). */
enum session_field_type session_request_field_type(int field);
/* "consumer_id, offer_id, ...": every field, for unknown-field messages. */
const char *session_request_field_names(void);

bool session_request_workload_is_valid(const char *workload_type);
bool session_request_storage_is_valid(const char *storage_policy);

/*
 * Check every field of req against lim and the rules of docs/API.md, and fill
 * the defaults of absent optional fields (idle 0, storage "destroy", disk
 * default_disk_gb, no template, no auto retry). Returns 0, or GS_E_INVAL with
 * *err naming the first field at fault (required fields first, then in
 * field order); req is then partly defaulted.
 */
int session_request_validate(struct session_request *req, const struct session_limits *lim,
                             struct session_request_error *err);

/* Printable ASCII offer/template ids: 1..max of [A-Za-z0-9._:-]. */
bool session_request_id_is_valid(const char *id, unsigned max_len);

#endif /* GS_SESSION_REQUEST_H */
