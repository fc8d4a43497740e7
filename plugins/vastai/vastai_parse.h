/*
 * vastai_parse.h - Vast.ai response bodies -> SDK records. Pure: jansson and
 * libc only, no I/O, no host calls, no global state; thread-safe.
 *
 * Every parser takes the raw body (not necessarily NUL-terminated) and a
 * caller buffer `msg` for a failure description (always NUL-terminated, any
 * provider text in it sanitised). Records are handed to a callback one at a
 * time; their strings are valid only during the callback. A negative return
 * from the callback stops the parse and is returned as is.
 *
 * Lists are lenient per record and strict per body: an entry with a missing
 * or ill-typed required field is skipped and counted; a body that is not the
 * expected JSON shape, or whose entries are all invalid, is GS_E_BADRESPONSE.
 * Optional fields that are absent, null or ill-typed read as "not reported".
 */
#ifndef VASTAI_PARSE_H
#define VASTAI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpushop/plugin.h"

/* Limits on what one record may carry; larger values make the record invalid. */
#define VAST_GPU_COUNT_MAX 64
#define VAST_VRAM_MIB_MAX (UINT64_C(1) << 20) /* 1 TiB per GPU */
#define VAST_PRICE_USD_MAX 10000.0           /* per hour, whole offer */
#define VAST_CUDA_MAX 100.0
#define VAST_DURATION_S_MAX 1e10             /* about 300 years */
#define VAST_EPOCH_S_MAX 1e11                /* year 5138 */
#define VAST_ID_MAX 9007199254740992.0       /* 2^53: exact in a double */
#define VAST_NAME_MAX 128                    /* gpu_name, label */
#define VAST_LOCATION_MAX 128
#define VAST_HOST_MAX 253
#define VAST_STATUS_MAX 64
/* Records per list body; the rest are skipped and counted. */
#define VAST_RECORDS_MAX 200000
/* Provider text quoted in an error message, before sanitising. */
#define VAST_PROVIDER_TEXT_MAX 200
/* Decimal ids: 2^53 has 16 digits. */
#define VAST_ID_STR_MAX 24

struct vast_parse_stats {
        uint32_t total;   /* entries in the body */
        uint32_t emitted; /* handed to the callback */
        uint32_t skipped; /* invalid or beyond VAST_RECORDS_MAX */
};

typedef int (*vast_offer_fn)(void *ctx, const struct gs_offer *offer);
typedef int (*vast_instance_fn)(void *ctx, const struct gs_instance_info *info);

/* GET /bundles/ -> {"offers":[...]}. 0, GS_E_BADRESPONSE, or the callback's
 * status. *ret_stats (may be NULL) is written whenever the body parsed. */
int vast_parse_offers(const char *body, size_t len, vast_offer_fn fn, void *ctx,
                      struct vast_parse_stats *ret_stats, char *msg, size_t msg_size);

/* GET /instances/{id}/ -> {"instances":{...}}. GS_E_NOTFOUND for
 * {"instances":null}; GS_E_BADRESPONSE for anything malformed. */
int vast_parse_instance(const char *body, size_t len, vast_instance_fn fn, void *ctx, char *msg,
                        size_t msg_size);

/* GET /instances/ -> {"instances":[...]}. As vast_parse_offers. */
int vast_parse_instances(const char *body, size_t len, vast_instance_fn fn, void *ctx,
                         struct vast_parse_stats *ret_stats, char *msg, size_t msg_size);

/* PUT /asks/{id}/ -> {"success":..,"new_contract":N}. 0 with the contract id
 * in ret_contract (VAST_ID_STR_MAX bytes); GS_E_UNAVAILABLE when no contract
 * was made and the body says the offer is gone; GS_E_UPSTREAM when no
 * contract was made for another reason; GS_E_BADRESPONSE when malformed. */
int vast_parse_create(const char *body, size_t len, char *ret_contract, char *msg,
                      size_t msg_size);

/* DELETE /instances/{id}/ body: 0 unless it is an object with
 * "success": false (GS_E_UPSTREAM). Empty and non-JSON bodies are 0. */
int vast_parse_destroy(const char *body, size_t len, char *msg, size_t msg_size);

/* Does an error body say the offer is gone (no_such_ask and friends)? */
bool vast_body_says_stale(const char *body, size_t len);

/* The provider's own words from an error body ("msg", "message" or "error"
 * of a JSON object, else the raw text), capped at VAST_PROVIDER_TEXT_MAX and
 * reduced to printable ASCII. Always NUL-terminates `out` (size > 0). */
void vast_error_text(const char *body, size_t len, char *out, size_t size);

/* Printable-ASCII copy of at most `max` bytes of `s`, "..." when cut. */
void vast_sanitize(const char *s, size_t len, size_t max, char *out, size_t size);

/* GS_INST_* from Vast's actual_status, intended_status and cur_state (any
 * may be NULL). */
uint32_t vast_state(const char *actual, const char *intended, const char *cur);

/* USD (a JSON number) -> micro-USD, rounded to nearest. false if not finite,
 * negative or above max_usd. */
bool vast_usd_to_uusd(double usd, double max_usd, int64_t *ret_uusd);

#endif /* VASTAI_PARSE_H */
