/*
 * td_parse.h - TensorDock API v2 wire format: pure JSON -> record parsing.
 *
 * No I/O and no host calls: every function here works on a byte buffer and
 * reports failures as a negative GS_E_* plus a message in a caller-owned
 * struct td_perr, so tests/plugins/tensordock can drive it with fixtures.
 *
 * Record strings are borrowed from the parsed document and are valid only
 * inside the callback that receives the record.
 *
 * Wire facts: shared/reference/provider-wire-contract.md §3 and §4.
 */
#ifndef TD_PARSE_H
#define TD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gpushop/plugin.h>

/* A location id is a UUID: 8-4-4-4-12 hex digits. */
#define TD_UUID_LEN 36
/* Longest GPU v0Name accepted ("geforcertx4090-pcie-24gb" is 24). */
#define TD_GPU_NAME_MAX 128
/* "<location uuid>-<v0Name>" */
#define TD_OFFER_ID_MAX (TD_UUID_LEN + 1 + TD_GPU_NAME_MAX)
/* Longest city / state / country part kept in an offer location. */
#define TD_LOCATION_PART_MAX 128
/* "<city>, <state>, <country>" */
#define TD_LOCATION_MAX (3 * TD_LOCATION_PART_MAX + 4)
/* Longest displayName used as the raw GPU name; longer ones fall back to v0Name. */
#define TD_DISPLAY_NAME_MAX 256
/* Instance ids: non-empty, at most this long, [A-Za-z0-9._-] only. */
#define TD_INSTANCE_ID_MAX 128
/* Longest instance name / status / GPU model passed on; longer ones are dropped. */
#define TD_INSTANCE_TEXT_MAX 1024
/* Longest ipAddress accepted (an IPv6 literal is at most 45). */
#define TD_IP_MAX 64
/* Parser message buffer. */
#define TD_PERR_MAX 384
/* Provider error text kept in a message (sanitized, then capped). */
#define TD_PROVIDER_TEXT_MAX 200
/* GPUs per offer / instance accepted as sane. */
#define TD_GPU_COUNT_MAX 64
/* Hourly prices above this many USD are treated as malformed. */
#define TD_PRICE_USD_MAX 10000.0
/* Per-GPU VRAM above this many GB is treated as unknown. */
#define TD_VRAM_GB_MAX 4096
/* vCPU / RAM GB / storage GB limits above this are treated as unknown. */
#define TD_RESOURCE_MAX 100000
/* TensorDock refuses VMs with less storage than this. */
#define TD_STORAGE_GB_MIN 100
/* Tier at (and above) which an offer counts as fully reliable. */
#define TD_TIER_MAX 3
/* Reliability of an offer whose location has no usable tier. */
#define TD_RELIABILITY_UNKNOWN_PPM 0
/* Port an instance's SSH endpoint uses when no forward of port 22 is listed. */
#define TD_SSH_PORT_DEFAULT 22

/* Message of a failed parse (always NUL-terminated, never holds a secret). */
struct td_perr {
        char msg[TD_PERR_MAX];
        int upstream_status; /* "status" of a 200-with-error body, else 0 */
};

/* A provider-local offer id split into its two parts. */
struct td_offer_id {
        char location_id[TD_UUID_LEN + 1];
        char gpu[TD_GPU_NAME_MAX + 1];
};

/* One (location, GPU model) pair of GET /locations. */
struct td_offer {
        char offer_id[TD_OFFER_ID_MAX + 1];
        char location[TD_LOCATION_MAX + 1]; /* "" when the location has no names */
        const char *location_id;
        const char *gpu;         /* v0Name: what create asks for */
        const char *gpu_display; /* displayName, or v0Name when unusable */
        uint32_t max_count;      /* >= 1 (entries with 0 are not emitted) */
        uint32_t reliability_ppm;
        uint64_t vram_mib;       /* per GPU; 0 = unknown */
        /* Rates in nano-USD per hour; 0 = not reported. */
        int64_t gpu_nusd;        /* per GPU */
        int64_t vcpu_nusd;       /* per vCPU */
        int64_t ram_gb_nusd;     /* per GB of RAM */
        int64_t storage_gb_nusd; /* per GB of storage */
        /* Per-VM limits; 0 = not reported. */
        uint32_t max_vcpus;
        uint32_t max_ram_gb;
        uint32_t max_storage_gb;
};

/* What a VM of an offer is created with. */
struct td_sizing {
        uint32_t vcpus_per_gpu;
        uint32_t ram_gb_per_gpu;
        uint32_t storage_gb;
};

struct td_resources {
        uint32_t gpu_count;
        uint32_t vcpus;
        uint32_t ram_gb;
        uint32_t storage_gb;
};

/* One instance of GET /instances/{id}, GET /instances or POST /instances. */
struct td_instance {
        const char *id;          /* NULL only from td_parse_instance without "id" */
        const char *name;        /* may be NULL */
        const char *status;      /* may be NULL */
        const char *ip;          /* NULL until assigned */
        const char *gpu_model;   /* may be NULL */
        const char *ssh_user;    /* NULL = TensorDock's fixed "user" (the simulator reports its own) */
        uint32_t gpu_count;      /* 0 = unknown */
        uint32_t ssh_port;       /* external port of internal 22, else 22 */
        int64_t price_uusd_per_hour; /* 0 = not reported */
        int64_t created_at_ms;   /* 0 = not reported */
};

/* Parse counters for logging at DEBUG. */
struct td_parse_stats {
        uint32_t entries;     /* array elements seen */
        uint32_t emitted;     /* records handed to the callback */
        uint32_t unavailable; /* offers with max_count 0, or deleted instances */
        uint32_t malformed;   /* skipped elements */
        char first_malformed[TD_PERR_MAX]; /* why the first one was skipped */
};

/* Callbacks return 0 to go on or a negative GS_E_* to stop (passed back). */
typedef int (*td_offer_fn)(const struct td_offer *offer, void *userdata);
typedef int (*td_instance_fn)(const struct td_instance *inst, void *userdata);

/* printf into perr->msg (NULL-safe, truncating). */
void td_perr_set(struct td_perr *perr, const char *fmt, ...) GS_PRINTF(2, 3);

/* Offer ids ---------------------------------------------------------------- */

/* True when s[0..len) is exactly a UUID (8-4-4-4-12 hex digits, any case). */
bool td_is_uuid(const char *s, size_t len);
/* True for a usable v0Name: 1..TD_GPU_NAME_MAX of [A-Za-z0-9._-]. */
bool td_is_gpu_name(const char *s);
/* True for a usable instance id: 1..TD_INSTANCE_ID_MAX of [A-Za-z0-9._-]. */
bool td_is_instance_id(const char *s);

/*
 * Split "<location uuid>-<v0Name>". The UUID is recognised group by group and
 * the id is split right after it. GS_E_INVAL with a message naming the
 * problem (bare UUID, not starting with a UUID, missing GPU, ...).
 */
int td_offer_id_parse(const char *text, struct td_offer_id *ret_id, struct td_perr *perr);

/* Status words ------------------------------------------------------------- */

/* Map a TensorDock status word (case-insensitive) to GS_INST_*. */
uint32_t td_status_to_state(const char *status);
/* True for statuses that mean the VM no longer exists ("deleted"). */
bool td_status_is_gone(const char *status);
/* True when a create error message says the offer is gone (stale inventory). */
bool td_is_stale_message(const char *msg);

/* Text --------------------------------------------------------------------- */

/*
 * Copy in[0..len) as printable ASCII (control and non-ASCII bytes become '?',
 * whitespace runs one space), capped at size - 1 bytes with "..." when cut.
 */
void td_sanitize(const char *in, size_t len, char *out, size_t size);
/*
 * The provider's error text from an error body: "error"/"message" members,
 * a JSON:API-style array of {"message"} joined by "; ", or the raw body.
 * Sanitized and capped at TD_PROVIDER_TEXT_MAX; "(empty body)" when empty.
 */
void td_error_text(const char *body, size_t len, char *out, size_t size);

/*
 * GS_E_* for an HTTP error status (or the "status" of an error body; 0 when
 * absent): 401/403 AUTH, 429 RATELIMIT, 404 NOTFOUND, 5xx UPSTREAM. For
 * create, another 4xx (or 0) whose text is a stale phrase is UNAVAILABLE.
 */
int td_gs_status(long http_status, bool create, const char *text);
/*
 * True when body is an error object rather than data: no "data" member and
 * a numeric "status" >= 400 or a non-null "error". *ret_status gets that
 * status (0 when absent), text the sanitized provider text.
 */
bool td_error_body(const char *body, size_t len, int *ret_status, char *text, size_t size);

/* Parsers ------------------------------------------------------------------ */

/* GET /locations: one callback per (location, GPU) with max_count >= 1. */
int td_parse_locations(const char *body, size_t len, td_offer_fn fn, void *userdata,
                       struct td_parse_stats *ret_stats, struct td_perr *perr);
/* GET /instances/{id}: exactly one callback (unwrapped or "data"-wrapped).
 * An error body is mapped with td_gs_status (perr->upstream_status set). */
int td_parse_instance(const char *body, size_t len, td_instance_fn fn, void *userdata,
                      struct td_perr *perr);
/* GET /instances: "data": [...] or "data": {"instances": [...]}. */
int td_parse_instance_list(const char *body, size_t len, td_instance_fn fn, void *userdata,
                           struct td_parse_stats *ret_stats, struct td_perr *perr);
/*
 * POST /instances 2xx body: "data" with the new id -> one callback. An error
 * body such as {"status": 400, "error": "No available nodes found"} is
 * GS_E_UNAVAILABLE when its text is a stale-inventory phrase, else mapped
 * with td_gs_status (perr->upstream_status set).
 */
int td_parse_create(const char *body, size_t len, td_instance_fn fn, void *userdata,
                    struct td_perr *perr);

/* Sizing and price --------------------------------------------------------- */

/* Resources for gpu_count GPUs of `offer`, clamped to the offer's limits. */
void td_resources_for(const struct td_offer *offer, uint32_t gpu_count,
                      const struct td_sizing *sizing, struct td_resources *ret_res);
/* Hourly price of a VM with `res` on `offer`, micro-USD, rounded. */
int64_t td_price_uusd(const struct td_offer *offer, const struct td_resources *res);

#endif /* TD_PARSE_H */
