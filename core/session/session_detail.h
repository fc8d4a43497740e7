/*
 * session_detail.h - the session's core-owned JSON blob (detail_json in
 * storage): the offer the client asked for, the offers tried by auto_retry,
 * the host key seen at first contact (later probes pin it) and the outcome of
 * the last SSH probe. Kept far below GS_STRING_MAX. Thread-safe (no state).
 *
 *   {"requested_offer_id": "vastai-1", "offers_tried": ["vastai-1", "vastai-7"],
 *    "host_key": "SHA256:...", "last_probe": {"at_ms": 1, "ok": true, "error": "..."}}
 */
#ifndef GS_SESSION_DETAIL_H
#define GS_SESSION_DETAIL_H

#include <jansson.h>
#include <stdint.h>

/* Longest probe error kept. */
#define SESSION_DETAIL_ERROR_MAX 200

/* The blob as an object (a new reference; an empty object for NULL or text
 * that is not a JSON object); NULL only on OOM. */
json_t *session_detail_parse(const char *detail_json);
/* Serialise (compact); NULL on OOM or when longer than GS_STRING_MAX - 1. */
char *session_detail_dump(const json_t *detail);
/* Set detail[key] = value (value taken, even on failure). 0 or GS_E_NOMEM. */
int session_detail_set(json_t *detail, const char *key, json_t *value);
/* detail[key] as a string, or NULL. Borrowed from detail. */
const char *session_detail_str(const json_t *detail, const char *key);
/* Append id to "offers_tried" (created when absent). 0 or GS_E_NOMEM. */
int session_detail_add_tried(json_t *detail, const char *offer_id);
/* Record the last probe outcome: ok, or the error text. 0 or GS_E_NOMEM. */
int session_detail_set_probe(json_t *detail, int64_t at_ms, int ok, const char *error);

#endif /* GS_SESSION_DETAIL_H */
