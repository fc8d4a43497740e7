/*
 * session_json.h - a session record as the API shows it (ARCHITECTURE §5):
 * RFC 3339 UTC times (null when unset), money in USD from integer micro-USD,
 * the live cost_so_far. Never the public or private key. Thread-safe.
 */
#ifndef GS_SESSION_JSON_H
#define GS_SESSION_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "gpushop/plugin.h"

/* Significant digits of money in responses: exact for micro-USD amounts below
 * 10^9 USD (use with json_dumps flags, see session_json_dumps()). */
#define SESSION_JSON_REAL_PRECISION 15

/* A new JSON object, or NULL on OOM. now_ms prices a live session. */
json_t *session_json(const struct gs_session_record *rec, int64_t now_ms);
/* An RFC 3339 string for ms > 0, else null. */
json_t *session_json_time(int64_t ms);
/* USD as a JSON number from micro-USD. */
json_t *session_json_usd(int64_t uusd);
/* Compact, ASCII-only serialisation with money precision; NULL on OOM. */
char *session_json_dumps(const json_t *value);

#endif /* GS_SESSION_JSON_H */
