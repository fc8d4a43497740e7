/* The deterministic offer catalogue: generation from a seed, lookups and listing caches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define SIM_VAST_ID_BASE 20000000u
#define SIM_VAST_ID_STRIDE 8u
#define SIM_MACHINE_ID_BASE 10000u
#define SIM_DATE_BASE 1767225600LL /* 2026-01-01T00:00:00Z: keeps listings stable */
#define SIM_DAY_S 86400LL
#define SIM_TD_GPUS_MIN 2u
#define SIM_TD_GPUS_SPAN 5u /* 2..6 GPU types per location */

struct weighted_u32 {
        uint32_t value;
        uint32_t weight;
};

static const struct weighted_u32 gpu_counts[] = {{1, 50}, {2, 25}, {4, 15}, {8, 10}};
static const struct weighted_u32 td_tiers[] = {{1, 30}, {2, 35}, {3, 25}, {4, 10}};

struct cuda_row {
        uint32_t cuda_x10;
        const char *driver;
        uint32_t weight;
};

static const struct cuda_row cuda_rows[] = {
        {118, "520.61.05", 1},  {120, "525.147.05", 2}, {122, "535.183.01", 4},
        {124, "550.127.05", 6}, {126, "560.35.03", 5},  {128, "570.124.04", 6},
        {130, "580.65.06", 3},
};
#define CUDA_ROWS_LEN (sizeof(cuda_rows) / sizeof(cuda_rows[0]))
#define CUDA_BLACKWELL_MIN_ROW 5 /* Blackwell boards need CUDA >= 12.8 */

static const uint32_t cpu_core_choices[] = {8, 16, 24, 32, 48, 64, 96, 128};
#define CPU_CORE_CHOICES_LEN (sizeof(cpu_core_choices) / sizeof(cpu_core_choices[0]))

static uint32_t pick_weighted(struct sim_rng *rng, const struct weighted_u32 *t, size_t n)
{
        uint64_t total = 0, r;
        size_t i;

        for (i = 0; i < n; i++)
                total += t[i].weight;
        r = sim_rng_below(rng, total);
        for (i = 0; i < n; i++) {
                if (r < t[i].weight)
                        return t[i].value;
                r -= t[i].weight;
        }
        return t[n - 1].value;
}

static bool on_vast(const struct sim_gpu_model *m)
{
        return m->vast_names[0] != NULL;
}

static bool on_td(const struct sim_gpu_model *m)
{
        return m->td_v0name != NULL;
}

static const struct sim_gpu_model *pick_model(struct sim_rng *rng,
                                              bool (*want)(const struct sim_gpu_model *))
{
        uint64_t total = 0, r;
        size_t i;

        for (i = 0; i < sim_gpu_models_len; i++)
                if (want(&sim_gpu_models[i]))
                        total += sim_gpu_models[i].weight;
        r = sim_rng_below(rng, total);
        for (i = 0; i < sim_gpu_models_len; i++) {
                if (!want(&sim_gpu_models[i]))
                        continue;
                if (r < sim_gpu_models[i].weight)
                        return &sim_gpu_models[i];
                r -= sim_gpu_models[i].weight;
        }
        return &sim_gpu_models[0];
}

static uint32_t pick_count(struct sim_rng *rng, const struct sim_gpu_model *m)
{
        uint32_t c = pick_weighted(rng, gpu_counts, sizeof(gpu_counts) / sizeof(gpu_counts[0]));

        while (c > m->max_count)
                c /= 2;
        return c ? c : 1;
}

static uint64_t round_to(uint64_t v, uint64_t step)
{
        return (v + step / 2) / step * step;
}

/* base x factor/1000, factor uniform in [lo, lo + span], rounded to 100 micro-USD, never 0. */
static uint64_t vary_price(struct sim_rng *rng, uint64_t base, uint64_t lo, uint64_t span)
{
        uint64_t v = round_to(base * (lo + sim_rng_below(rng, span + 1)) / 1000, 100);

        return v ? v : 100;
}

static size_t name_count(const struct sim_gpu_model *m)
{
        size_t n = 0;

        while (n < 3 && m->vast_names[n])
                n++;
        return n;
}

static int vast_fragment(struct sim_vast_offer *o)
{
        struct sim_buf b;
        long long start = SIM_DATE_BASE - (long long)(o->id % 90) * SIM_DAY_S;
        long long duration = (30 + (long long)(o->id % 150)) * SIM_DAY_S;

        sim_buf_init(&b);
        (void)sim_buf_printf(&b,
                             "{\"id\":%llu,\"ask_contract_id\":%llu,\"bundle_id\":%llu,"
                             "\"host_id\":%u,\"machine_id\":%u,\"gpu_name\":",
                             (unsigned long long)o->id, (unsigned long long)o->id,
                             (unsigned long long)o->id, o->host_id, o->machine_id);
        (void)sim_buf_json_str(&b, o->gpu_name);
        (void)sim_buf_printf(&b,
                             ",\"num_gpus\":%u,\"gpu_ram\":%u,\"gpu_total_ram\":%u,"
                             "\"gpu_frac\":1.0,\"gpu_arch\":\"nvidia\",\"compute_cap\":%u,"
                             "\"total_flops\":%u.0,\"cpu_name\":",
                             o->num_gpus, o->gpu_ram_mb, o->gpu_ram_mb * o->num_gpus,
                             o->model->compute_cap, o->model->tdp_w / 5 * o->num_gpus);
        (void)sim_buf_json_str(&b, o->cpu_name);
        (void)sim_buf_printf(&b,
                             ",\"cpu_cores\":%u,\"cpu_cores_effective\":%u.0,\"cpu_ram\":%u,"
                             "\"cpu_arch\":\"amd64\",\"disk_space\":%u.0,\"disk_name\":\"nvme\","
                             "\"disk_bw\":%u.0,\"inet_up\":%u.0,\"inet_down\":%u.0,"
                             "\"inet_up_cost\":",
                             o->cpu_cores,
                             o->cpu_cores < 8 * o->num_gpus ? o->cpu_cores : 8 * o->num_gpus,
                             o->cpu_ram_mb, o->disk_space_gb, 1000 + o->disk_space_gb % 3000,
                             o->inet_up, o->inet_down);
        (void)sim_buf_money(&b, o->inet_cost_uusd);
        (void)sim_buf_puts(&b, ",\"inet_down_cost\":");
        (void)sim_buf_money(&b, o->inet_cost_uusd);
        (void)sim_buf_puts(&b, ",\"dph_base\":");
        (void)sim_buf_money(&b, o->dph_base_uusd);
        (void)sim_buf_puts(&b, ",\"dph_total\":");
        (void)sim_buf_money(&b, o->dph_total_uusd);
        (void)sim_buf_puts(&b, ",\"min_bid\":");
        (void)sim_buf_money(&b, o->min_bid_uusd);
        (void)sim_buf_puts(&b, ",\"storage_cost\":");
        (void)sim_buf_money(&b, o->storage_cost_uusd);
        (void)sim_buf_puts(&b, ",\"geolocation\":");
        (void)sim_buf_json_str(&b, o->geo->geolocation);
        (void)sim_buf_printf(&b,
                             ",\"geolocode\":%u,\"rentable\":true,\"rented\":false,"
                             "\"reliability2\":0.%07u,\"reliability\":0.%07u,"
                             "\"driver_version\":\"%s\",\"cuda_max_good\":%u.%u,"
                             "\"os_version\":\"22.04\",\"verified\":%s,\"verification\":\"%s\","
                             "\"static_ip\":%s,\"public_ipaddr\":\"203.0.113.%u\","
                             "\"direct_port_count\":%u,\"start_date\":%lld.0,"
                             "\"end_date\":%lld.0,\"duration\":%lld.0,\"external\":false}",
                             (unsigned int)(o->geo - sim_vast_geos) + 1, o->reliability_e7,
                             o->reliability_e7, o->driver_version, o->cuda_x10 / 10,
                             o->cuda_x10 % 10, o->verified ? "true" : "false",
                             o->verified ? "verified" : "unverified",
                             o->static_ip ? "true" : "false", 1 + o->machine_id % 254,
                             o->static_ip ? 64u : 16u, start, start + duration, duration);
        o->json = sim_buf_steal(&b, &o->json_len);
        return o->json ? 0 : -1;
}

static int gen_vast(struct sim_catalog *cat, struct sim_rng *rng, size_t n)
{
        size_t i;
        uint64_t machines = n * 3 / 4 + 1;

        cat->vast = calloc(n ? n : 1, sizeof(*cat->vast));
        if (!cat->vast)
                return -1;
        cat->n_vast = n;
        for (i = 0; i < n; i++) {
                struct sim_vast_offer *o = &cat->vast[i];
                const struct sim_gpu_model *m;
                uint64_t per_gpu;
                size_t row;

                m = pick_model(rng, on_vast);
                o->model = m;
                o->gpu_name = m->vast_names[sim_rng_below(rng, name_count(m))];
                o->num_gpus = pick_count(rng, m);
                o->gpu_ram_mb = m->vram_mb;
                per_gpu = vary_price(rng, m->base_uusd, 700, 700);
                o->dph_total_uusd = per_gpu * o->num_gpus;
                o->dph_base_uusd = round_to(o->dph_total_uusd * 95 / 100, 100);
                if (sim_rng_below(rng, 10) < 3)
                        o->min_bid_uusd = vary_price(rng, o->dph_total_uusd, 300, 300);
                {
                        struct weighted_u32 geo_w[32];
                        size_t g;

                        for (g = 0; g < sim_vast_geos_len && g < 32; g++) {
                                geo_w[g].value = (uint32_t)g;
                                geo_w[g].weight = sim_vast_geos[g].weight;
                        }
                        o->geo = &sim_vast_geos[pick_weighted(rng, geo_w, g)];
                }
                if (sim_rng_below(rng, 100) < 80)
                        o->reliability_e7 = 9500000 + (uint32_t)sim_rng_below(rng, 499901);
                else
                        o->reliability_e7 = 7000000 + (uint32_t)sim_rng_below(rng, 2500000);
                {
                        struct weighted_u32 cw[CUDA_ROWS_LEN];
                        size_t c, first = strcmp(m->arch, "blackwell") == 0 ? CUDA_BLACKWELL_MIN_ROW
                                                                            : 0;

                        for (c = first; c < CUDA_ROWS_LEN; c++) {
                                cw[c - first].value = (uint32_t)c;
                                cw[c - first].weight = cuda_rows[c].weight;
                        }
                        row = pick_weighted(rng, cw, CUDA_ROWS_LEN - first);
                }
                o->cuda_x10 = cuda_rows[row].cuda_x10;
                o->driver_version = cuda_rows[row].driver;
                o->cpu_name = sim_cpu_names[sim_rng_below(rng, sim_cpu_names_len)];
                o->cpu_cores = cpu_core_choices[sim_rng_below(rng, CPU_CORE_CHOICES_LEN)];
                o->cpu_ram_mb = o->cpu_cores * 4096 * (1 + (uint32_t)sim_rng_below(rng, 4));
                o->disk_space_gb = 50 + (uint32_t)sim_rng_below(rng, 1951);
                o->inet_up = 100 + (uint32_t)sim_rng_below(rng, 9901);
                o->inet_down = 100 + (uint32_t)sim_rng_below(rng, 9901);
                o->verified = sim_rng_below(rng, 10) < 8;
                o->static_ip = sim_rng_below(rng, 2) == 1;
                o->storage_cost_uusd = round_to(100000 + sim_rng_below(rng, 200001), 100);
                o->inet_cost_uusd = round_to(1000 + sim_rng_below(rng, 9001), 100);
                o->id = SIM_VAST_ID_BASE + (uint64_t)i * SIM_VAST_ID_STRIDE + 1 +
                        sim_rng_below(rng, SIM_VAST_ID_STRIDE - 1);
                o->machine_id = SIM_MACHINE_ID_BASE + (uint32_t)sim_rng_below(rng, machines);
                o->host_id = 100000 + o->machine_id / 4;
                if (vast_fragment(o) < 0)
                        return -1;
        }
        return 0;
}

static int td_gpu_fragment(const struct sim_td_location *l, struct sim_td_gpu *g)
{
        struct sim_buf b;

        sim_buf_init(&b);
        (void)sim_buf_puts(&b, "{\"v0Name\":");
        (void)sim_buf_json_str(&b, g->model->td_v0name);
        (void)sim_buf_puts(&b, ",\"displayName\":");
        (void)sim_buf_json_str(&b, g->display_name);
        (void)sim_buf_printf(&b, ",\"max_count\":%u,\"price_per_hr\":", g->max_count);
        (void)sim_buf_money(&b, g->price_uusd);
        (void)sim_buf_printf(&b,
                             ",\"resources\":{\"max_vcpus\":%u,\"max_ram_gb\":%u,"
                             "\"max_storage_gb\":%u},\"pricing\":{\"per_vcpu_hr\":",
                             l->max_vcpus, l->max_ram_gb, l->max_storage_gb);
        (void)sim_buf_money(&b, l->per_vcpu_uusd);
        (void)sim_buf_puts(&b, ",\"per_gb_ram_hr\":");
        (void)sim_buf_money(&b, l->per_gb_ram_uusd);
        (void)sim_buf_printf(&b,
                             ",\"per_gb_storage_hr\":0.%09llu},\"network_features\":"
                             "{\"dedicated_ip_available\":%s,\"port_forwarding_available\":true,"
                             "\"network_storage_available\":%s}}",
                             (unsigned long long)l->per_gb_storage_uusd_e3,
                             l->tier < 4 ? "true" : "false", l->tier == 1 ? "true" : "false");
        g->json = sim_buf_steal(&b, &g->json_len);
        return g->json ? 0 : -1;
}

static int td_location_head(struct sim_td_location *l)
{
        struct sim_buf b;

        sim_buf_init(&b);
        (void)sim_buf_printf(&b, "{\"id\":\"%s\",\"city\":", l->id);
        (void)sim_buf_json_str(&b, l->city->city);
        (void)sim_buf_puts(&b, ",\"stateprovince\":");
        (void)sim_buf_json_str(&b, l->city->stateprovince);
        (void)sim_buf_puts(&b, ",\"country\":");
        (void)sim_buf_json_str(&b, l->city->country);
        (void)sim_buf_printf(&b, ",\"tier\":%u,\"gpus\":[", l->tier);
        l->json_head = sim_buf_steal(&b, &l->json_head_len);
        return l->json_head ? 0 : -1;
}

static int gen_td(struct sim_catalog *cat, struct sim_rng *rng, size_t n)
{
        size_t td_models[64], n_models = 0, i, emitted = 0;

        for (i = 0; i < sim_gpu_models_len && n_models < 64; i++)
                if (on_td(&sim_gpu_models[i]))
                        td_models[n_models++] = i;
        cat->td = calloc(n ? n : 1, sizeof(*cat->td));
        cat->locs = calloc(n ? n : 1, sizeof(*cat->locs));
        if (!cat->td || !cat->locs)
                return -1;
        while (emitted < n) {
                struct sim_td_location *l = &cat->locs[cat->n_locs];
                size_t order[64], k, j;

                sim_rng_uuid(rng, l->id);
                l->city = &sim_td_cities[sim_rng_below(rng, sim_td_cities_len)];
                l->tier = pick_weighted(rng, td_tiers, sizeof(td_tiers) / sizeof(td_tiers[0]));
                l->max_vcpus = 16 * (1 + (uint32_t)sim_rng_below(rng, 8));
                l->max_ram_gb = l->max_vcpus * (4 + 2 * (uint32_t)sim_rng_below(rng, 3));
                l->max_storage_gb = 1000 * (2 + (uint32_t)sim_rng_below(rng, 29));
                l->per_vcpu_uusd = round_to(3000 + sim_rng_below(rng, 2001), 500);
                l->per_gb_ram_uusd = round_to(1000 + sim_rng_below(rng, 2001), 500);
                l->per_gb_storage_uusd_e3 = round_to(50000 + sim_rng_below(rng, 50001), 10000);
                k = SIM_TD_GPUS_MIN + sim_rng_below(rng, SIM_TD_GPUS_SPAN);
                if (k > n_models)
                        k = n_models;
                if (k > n - emitted)
                        k = n - emitted;
                for (j = 0; j < n_models; j++)
                        order[j] = td_models[j];
                for (j = 0; j < k; j++) { /* partial Fisher-Yates */
                        size_t r = j + sim_rng_below(rng, n_models - j), t = order[j];

                        order[j] = order[r];
                        order[r] = t;
                }
                l->first_gpu = (uint32_t)emitted;
                l->n_gpus = (uint32_t)k;
                if (td_location_head(l) < 0)
                        return -1;
                for (j = 0; j < k; j++) {
                        struct sim_td_gpu *g = &cat->td[emitted + j];

                        g->location = (uint32_t)cat->n_locs;
                        g->model = &sim_gpu_models[order[j]];
                        g->max_count = pick_count(rng, g->model);
                        g->price_uusd = vary_price(rng, g->model->base_uusd, 800, 500);
                        g->display_name = sim_rng_below(rng, 20) == 0 ? g->model->td_v0name
                                                                      : g->model->td_display;
                        if (td_gpu_fragment(l, g) < 0)
                                return -1;
                }
                emitted += k;
                cat->n_locs++;
        }
        cat->n_td = n;
        return 0;
}

int sim_catalog_build(struct sim_catalog *cat, uint64_t seed, size_t n_offers)
{
        struct sim_rng rng;

        memset(cat, 0, sizeof(*cat));
        cat->seed = seed;
        cat->rent_gen = 1;
        sim_rng_init(&rng, seed);
        if (gen_vast(cat, &rng, (n_offers + 1) / 2) < 0)
                goto fail;
        if (gen_td(cat, &rng, n_offers / 2) < 0)
                goto fail;
        return 0;
fail:
        sim_catalog_done(cat);
        return -1;
}

void sim_catalog_done(struct sim_catalog *cat)
{
        size_t i;

        for (i = 0; cat->vast && i < cat->n_vast; i++)
                free(cat->vast[i].json);
        for (i = 0; cat->td && i < cat->n_td; i++)
                free(cat->td[i].json);
        for (i = 0; cat->locs && i < cat->n_locs; i++)
                free(cat->locs[i].json_head);
        free(cat->vast);
        free(cat->td);
        free(cat->locs);
        sim_blob_unref(cat->vast_cache);
        sim_blob_unref(cat->td_cache);
        memset(cat, 0, sizeof(*cat));
}

struct sim_vast_offer *sim_catalog_vast_find(struct sim_catalog *cat, uint64_t id)
{
        size_t lo = 0, hi = cat->n_vast;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (cat->vast[mid].id == id)
                        return &cat->vast[mid];
                if (cat->vast[mid].id < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

struct sim_td_gpu *sim_catalog_td_find(struct sim_catalog *cat, const char *location_id,
                                       const char *v0name)
{
        size_t i, j;

        for (i = 0; i < cat->n_locs; i++) {
                const struct sim_td_location *l = &cat->locs[i];

                if (strcasecmp(l->id, location_id) != 0)
                        continue;
                for (j = 0; j < l->n_gpus; j++) {
                        struct sim_td_gpu *g = &cat->td[l->first_gpu + j];

                        if (strcmp(g->model->td_v0name, v0name) == 0)
                                return g;
                }
                return NULL;
        }
        return NULL;
}

struct sim_blob *sim_catalog_vast_listing(struct sim_catalog *cat)
{
        struct sim_buf b;
        size_t i;
        bool first = true;

        if (cat->vast_cache && cat->vast_cache_gen == cat->rent_gen)
                return sim_blob_ref(cat->vast_cache);
        sim_buf_init(&b);
        (void)sim_buf_reserve(&b, cat->n_vast * 900 + 32);
        (void)sim_buf_puts(&b, "{\"offers\":[");
        for (i = 0; i < cat->n_vast; i++) {
                if (cat->vast[i].rented_by)
                        continue;
                if (!first)
                        (void)sim_buf_append(&b, ",", 1);
                (void)sim_buf_append(&b, cat->vast[i].json, cat->vast[i].json_len);
                first = false;
        }
        (void)sim_buf_puts(&b, "]}");
        sim_blob_unref(cat->vast_cache);
        cat->vast_cache = sim_blob_from_buf(&b);
        cat->vast_cache_gen = cat->rent_gen;
        return sim_blob_ref(cat->vast_cache);
}

struct sim_blob *sim_catalog_td_listing(struct sim_catalog *cat)
{
        struct sim_buf b;
        size_t i, j;

        if (cat->td_cache && cat->td_cache_gen == cat->rent_gen)
                return sim_blob_ref(cat->td_cache);
        sim_buf_init(&b);
        (void)sim_buf_reserve(&b, cat->n_td * 600 + cat->n_locs * 200 + 32);
        (void)sim_buf_puts(&b, "{\"data\":{\"locations\":[");
        for (i = 0; i < cat->n_locs; i++) {
                const struct sim_td_location *l = &cat->locs[i];
                bool first = true;

                if (i)
                        (void)sim_buf_append(&b, ",", 1);
                (void)sim_buf_append(&b, l->json_head, l->json_head_len);
                for (j = 0; j < l->n_gpus; j++) {
                        const struct sim_td_gpu *g = &cat->td[l->first_gpu + j];

                        if (g->rented_by)
                                continue;
                        if (!first)
                                (void)sim_buf_append(&b, ",", 1);
                        (void)sim_buf_append(&b, g->json, g->json_len);
                        first = false;
                }
                (void)sim_buf_puts(&b, "]}");
        }
        (void)sim_buf_puts(&b, "]}}");
        sim_blob_unref(cat->td_cache);
        cat->td_cache = sim_blob_from_buf(&b);
        cat->td_cache_gen = cat->rent_gen;
        return sim_blob_ref(cat->td_cache);
}
