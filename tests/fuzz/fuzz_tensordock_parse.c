/*
 * fuzz_tensordock_parse.c - every TensorDock body parser (td_parse.h) on the
 * same arbitrary bytes: locations, one instance, the instance list, the
 * create response and error bodies; the input as text also goes through the
 * offer-id parser and the status and text helpers.
 *
 * The body is passed as is (not NUL-terminated). Checks: emitted records keep
 * the documented limits; an offer's id parses back (td_offer_id_parse) into
 * its own location UUID and GPU name; sizing and price of every offer stay in
 * range (UBSan watches the arithmetic); stats add up; a callback failure is
 * passed back unchanged; messages are NUL-terminated printable ASCII.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "gpushop/status.h"
#include "td_parse.h"

struct sink {
        uint32_t seen;
        uint32_t stop_at; /* fail on this record (1-based); 0 = never */
};

static void prefill(struct td_perr *perr)
{
        memset(perr->msg, 'X', sizeof(perr->msg));
        perr->upstream_status = -1;
}

static void check_perr(int r, const struct td_perr *perr)
{
        if (r < 0)
                fuzz_check_text(perr->msg, sizeof(perr->msg));
}

/* After a record parser: a stop by the callback is passed back as is (perr is
 * then left alone: the caller knows why it stopped); any other failure has a
 * clean message. */
static void check_result(int r, const struct td_perr *perr, const struct sink *s)
{
        if (s->stop_at && s->seen >= s->stop_at) {
                fuzz_check(r == GS_E_NOMEM);
                return;
        }
        check_perr(r, perr);
}

/* Sizing as the plugin's config allows it (1..TD_RESOURCE_MAX per GPU). */
static const struct td_sizing sizings[] = {
        {.vcpus_per_gpu = 8, .ram_gb_per_gpu = 32, .storage_gb = 100},
        {.vcpus_per_gpu = 1, .ram_gb_per_gpu = 1, .storage_gb = 0},
        {.vcpus_per_gpu = TD_RESOURCE_MAX, .ram_gb_per_gpu = TD_RESOURCE_MAX,
         .storage_gb = TD_RESOURCE_MAX},
};

static void check_pricing(const struct td_offer *o)
{
        static const uint32_t counts[] = {1, 2, TD_GPU_COUNT_MAX};

        for (size_t s = 0; s < sizeof(sizings) / sizeof(sizings[0]); s++) {
                for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
                        struct td_resources res;
                        uint32_t n = counts[c] < o->max_count ? counts[c] : o->max_count;

                        td_resources_for(o, n, &sizings[s], &res);
                        fuzz_check(res.gpu_count == n);
                        fuzz_check(res.vcpus <= TD_RESOURCE_MAX && res.ram_gb <= TD_RESOURCE_MAX);
                        fuzz_check(res.storage_gb <= TD_RESOURCE_MAX);
                        fuzz_check(!o->max_vcpus || res.vcpus <= o->max_vcpus);
                        fuzz_check(!o->max_ram_gb || res.ram_gb <= o->max_ram_gb);
                        fuzz_check(!o->max_storage_gb || res.storage_gb <= o->max_storage_gb);
                        fuzz_check(td_price_uusd(o, &res) >= 0);
                }
        }
}

static int on_offer(const struct td_offer *o, void *userdata)
{
        struct sink *s = userdata;
        struct td_offer_id id;
        struct td_perr perr;

        fuzz_check(memchr(o->offer_id, '\0', sizeof(o->offer_id)) != NULL);
        fuzz_check(memchr(o->location, '\0', sizeof(o->location)) != NULL);
        fuzz_check(o->location_id && td_is_uuid(o->location_id, strlen(o->location_id)));
        fuzz_check(td_is_gpu_name(o->gpu));
        fuzz_check(o->gpu_display && o->gpu_display[0] &&
                   fuzz_touch(o->gpu_display) <= TD_DISPLAY_NAME_MAX);
        fuzz_check(o->max_count >= 1 && o->max_count <= TD_GPU_COUNT_MAX);
        fuzz_check(o->reliability_ppm <= 1000000);
        fuzz_check(o->vram_mib <= (uint64_t)TD_VRAM_GB_MAX * 1024);
        fuzz_check(o->gpu_nusd >= 0 && o->vcpu_nusd >= 0 && o->ram_gb_nusd >= 0 &&
                   o->storage_gb_nusd >= 0);
        fuzz_check(o->max_vcpus <= TD_RESOURCE_MAX && o->max_ram_gb <= TD_RESOURCE_MAX &&
                   o->max_storage_gb <= TD_RESOURCE_MAX);
        /* The id the inventory publishes must lead back to this offer. */
        prefill(&perr);
        fuzz_check(td_offer_id_parse(o->offer_id, &id, &perr) == 0);
        fuzz_check(strcmp(id.location_id, o->location_id) == 0);
        fuzz_check(strcmp(id.gpu, o->gpu) == 0);
        check_pricing(o);
        if (++s->seen == s->stop_at)
                return GS_E_NOMEM;
        return 0;
}

static int on_instance(const struct td_instance *i, void *userdata)
{
        struct sink *s = userdata;

        fuzz_check(!i->id || td_is_instance_id(i->id));
        fuzz_check(fuzz_touch(i->name) <= TD_INSTANCE_TEXT_MAX);
        fuzz_check(fuzz_touch(i->gpu_model) <= TD_INSTANCE_TEXT_MAX);
        fuzz_check(fuzz_touch(i->ip) < TD_IP_MAX + 1);
        (void)fuzz_touch(i->ssh_user);
        (void)td_status_to_state(i->status);
        fuzz_check(i->gpu_count <= TD_GPU_COUNT_MAX);
        fuzz_check(i->ssh_port >= 1 && i->ssh_port <= 65535);
        fuzz_check(i->price_uusd_per_hour >= 0);
        if (++s->seen == s->stop_at)
                return GS_E_NOMEM;
        return 0;
}

static void check_stats(int r, const struct td_parse_stats *st, const struct sink *s)
{
        if (r != 0)
                return;
        fuzz_check(st->emitted == s->seen);
        fuzz_check(st->emitted + st->unavailable + st->malformed <= st->entries);
        fuzz_check(memchr(st->first_malformed, '\0', sizeof(st->first_malformed)) != NULL);
}

static void parsers(const char *body, size_t len, uint32_t stop_at)
{
        struct td_parse_stats st;
        struct td_perr perr;
        struct sink s = {.stop_at = stop_at};
        int r;

        prefill(&perr);
        r = td_parse_locations(body, len, on_offer, &s, &st, &perr);
        check_result(r, &perr, &s);
        check_stats(r, &st, &s);

        s = (struct sink){.stop_at = stop_at};
        prefill(&perr);
        r = td_parse_instance_list(body, len, on_instance, &s, &st, &perr);
        check_result(r, &perr, &s);
        check_stats(r, &st, &s);

        s = (struct sink){.stop_at = stop_at};
        prefill(&perr);
        r = td_parse_instance(body, len, on_instance, &s, &perr);
        check_result(r, &perr, &s);
        fuzz_check(r != 0 || s.seen == 1);

        s = (struct sink){.stop_at = stop_at};
        prefill(&perr);
        r = td_parse_create(body, len, on_instance, &s, &perr);
        check_result(r, &perr, &s);
        fuzz_check(r != 0 || s.seen == 1);
}

/* The input as text: offer ids, status words, stale phrases. */
static void text_helpers(const uint8_t *data, size_t size)
{
        char *s = fuzz_strndup(data, size);
        struct td_offer_id id;
        struct td_perr perr;
        int r;

        if (!s)
                return;
        prefill(&perr);
        r = td_offer_id_parse(s, &id, &perr);
        check_perr(r, &perr);
        if (r == 0) {
                size_t ul = strlen(id.location_id);

                fuzz_check(td_is_uuid(id.location_id, ul) && td_is_gpu_name(id.gpu));
                fuzz_check(strncmp(s, id.location_id, ul) == 0 && s[ul] == '-' &&
                           strcmp(s + ul + 1, id.gpu) == 0);
        }
        (void)td_is_uuid(s, strlen(s));
        (void)td_is_instance_id(s);
        fuzz_check(td_status_to_state(s) <= GS_INST_DELETING);
        (void)td_status_is_gone(s);
        (void)td_gs_status(400, true, s);
        free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *body = (const char *)data;
        char text[TD_PROVIDER_TEXT_MAX + 1], small[6];
        int status = -1;

        parsers(body, size, 0);
        parsers(body, size, 1);

        memset(text, 'X', sizeof(text));
        if (td_error_body(body, size, &status, text, sizeof(text))) {
                fuzz_check(status == 0 || (status >= 400 && status <= 999));
                fuzz_check_text(text, sizeof(text));
        }
        memset(text, 'X', sizeof(text));
        td_error_text(body, size, text, sizeof(text));
        fuzz_check_text(text, sizeof(text));
        memset(small, 'X', sizeof(small));
        td_error_text(body, size, small, sizeof(small));
        fuzz_check_text(small, sizeof(small));
        memset(text, 'X', sizeof(text));
        td_sanitize(body, size, text, sizeof(text));
        fuzz_check_text(text, sizeof(text));
        text_helpers(data, size);
        return 0;
}
