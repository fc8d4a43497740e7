/*
 * offer.h - one normalized GPU offer as the inventory serves it (the API
 * names of ARCHITECTURE §5), and the pure arithmetic that derives its value
 * metrics. Money is integer micro-USD, memory MiB/GB, time epoch ms.
 *
 * The strings are borrowed: the inventory snapshot that holds the offer owns
 * them and keeps them immutable while any reader holds the snapshot.
 * Pure and thread-safe.
 */
#ifndef GS_OFFER_H
#define GS_OFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIB_PER_GB 1024u

struct offer {
        const char *id;          /* "<provider>-<provider_id>" */
        const char *provider;    /* provider instance name ("vastai") */
        const char *provider_id; /* the provider's own offer id */
        const char *gpu_type;    /* canonical model ("RTX 4090"), never empty */
        const char *form_factor; /* "PCIe", "SXM", "NVL" or "" */
        const char *gpu_name_raw;
        const char *location;                /* "" when the provider gave none */
        const char *location_lc;             /* ASCII lower case of location (location filter) */
        const char *machine_id;              /* "" when unknown */
        uint64_t vram_mib;                   /* per GPU */
        int64_t price_uusd_per_hour;         /* the whole offer (all GPUs) */
        int64_t price_uusd_per_gpu_hour;     /* rounded half up */
        int64_t price_uusd_per_vram_gb_hour; /* per GB of total VRAM; -1 = VRAM unknown */
        int64_t max_duration_ms;             /* 0 = unlimited */
        int64_t fetched_at_ms;               /* when the provider listed it */
        uint32_t gpu_count;                  /* >= 1 */
        uint32_t vram_gb;                    /* per GPU, vram_mib / 1024 rounded */
        uint32_t reliability_ppm;            /* 0..1000000 */
        uint32_t cuda_milli;                 /* 12.4 -> 12400; 0 = unknown */
        uint32_t flags;                      /* GS_OFFER_F_* */
        bool available;
        /* The inventory's pre-rendered JSON of this offer up to the value of
         * "age_seconds" (computed per request); NULL when not rendered. */
        const char *json;
        size_t json_len;
};

/* vram_mib / 1024 rounded half up, saturating at UINT32_MAX. */
uint32_t offer_vram_gb(uint64_t vram_mib);
/* price / gpu_count rounded half up; the price itself when gpu_count is 0. */
int64_t offer_price_per_gpu_uusd(int64_t price_uusd, uint32_t gpu_count);
/* price / (gpu_count * vram_gb) rounded half up; -1 when either is 0. */
int64_t offer_price_per_vram_gb_uusd(int64_t price_uusd, uint32_t gpu_count, uint32_t vram_gb);

#endif /* GS_OFFER_H */
