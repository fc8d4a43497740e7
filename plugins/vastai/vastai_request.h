/*
 * vastai_request.h - the JSON Vast.ai is sent: the offer search query and
 * the create / attach-key bodies (provider-wire-contract §2.3-§2.5). Pure:
 * jansson and libc only; thread-safe.
 *
 * Every builder returns 0 and a malloc'd NUL-terminated string in *ret_json
 * (free() it), GS_E_INVAL for an argument Vast would refuse, or GS_E_NOMEM.
 * *ret_json is written only on success.
 */
#ifndef VASTAI_REQUEST_H
#define VASTAI_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "gpushop/plugin.h"

/* Bounds on what we put in a request. */
#define VAST_SSH_KEY_MAX 16384    /* one authorized_keys line */
#define VAST_LABEL_MAX 128
#define VAST_IMAGE_MAX 512
#define VAST_TEMPLATE_MAX 64
#define VAST_DISK_GB_MAX 100000

/* What the offer search asks the server to filter (0 / NULL = no limit). */
struct vast_query {
        uint32_t min_reliability_ppm; /* always sent */
        const char *gpu_name;         /* canonical name, e.g. "RTX 4090" */
        uint32_t min_gpu_count;
        uint64_t min_vram_mib;
        int64_t max_price_uusd_per_hour;
        uint32_t min_cuda_milli;
};

/* The `q` value of GET /bundles/?q= (not yet URL-encoded). */
int vast_query_json(const struct vast_query *q, char **ret_json);

/* What create sends. image is ignored when template_hash_id is set. */
struct vast_create_body {
        const char *image;
        const char *template_hash_id; /* may be NULL */
        const char *label;
        const char *ssh_key;          /* may be NULL */
        uint32_t disk_gb;
};

/* Body of PUT /asks/{id}/. */
int vast_create_json(const struct vast_create_body *b, char **ret_json);

/* Body of POST /instances/{id}/ssh/. */
int vast_ssh_key_json(const char *ssh_key, char **ret_json);

/* Is `s` a decimal id Vast uses in paths (1..VAST_ID_DIGITS_MAX digits)? */
#define VAST_ID_DIGITS_MAX 16
int vast_check_id(const char *s);

/* Is `s` 1..max bytes without control characters (< 0x20, 0x7f)? 0 or
 * GS_E_INVAL. Invalid UTF-8 is refused later by the JSON builders. */
int vast_check_text(const char *s, size_t max);

#endif /* VASTAI_REQUEST_H */
