/*
 * fuzz_vastai_parse.c - every Vast.ai body parser (vastai_parse.h) on the
 * same arbitrary bytes: offer list, instance, instance list, create and
 * destroy responses, error bodies and the text helpers.
 *
 * The body is passed as is (not NUL-terminated). Checks: each emitted record
 * keeps the limits vastai_parse.h documents, its strings are readable, the
 * stats add up, a callback failure is passed back unchanged, and a failure
 * message is NUL-terminated printable ASCII (provider text sanitised).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "gpushop/status.h"
#include "vastai_parse.h"

#define MSG_SIZE GS_ERROR_MSG_MAX

struct sink {
        uint32_t seen;
        uint32_t stop_at; /* fail on this record (1-based); 0 = never */
};

static void prefill(char *msg, size_t size)
{
        memset(msg, 'X', size);
}

/* After a call: a failure always leaves a clean message. */
static void check_msg(int r, const char *msg, size_t size)
{
        if (r < 0)
                fuzz_check_text(msg, size);
}

static int on_offer(void *ctx, const struct gs_offer *o)
{
        struct sink *s = ctx;

        fuzz_check(o->struct_size == sizeof(*o));
        fuzz_check(o->offer_id && o->offer_id[0] && fuzz_touch(o->offer_id) < VAST_ID_STR_MAX);
        fuzz_check(o->gpu_name_raw && o->gpu_name_raw[0] &&
                   fuzz_touch(o->gpu_name_raw) <= VAST_NAME_MAX);
        fuzz_check(o->gpu_count >= 1 && o->gpu_count <= VAST_GPU_COUNT_MAX);
        fuzz_check(o->vram_mib <= VAST_VRAM_MIB_MAX);
        fuzz_check(o->price_uusd_per_hour >= 0 &&
                   o->price_uusd_per_hour <= (int64_t)(VAST_PRICE_USD_MAX * 1e6));
        fuzz_check(o->reliability_ppm <= 1000000);
        fuzz_check(o->cuda_milli < (uint32_t)(VAST_CUDA_MAX * 1e3));
        fuzz_check(o->max_duration_ms >= 0);
        fuzz_check(!o->location || (o->location[0] && fuzz_touch(o->location) <= VAST_LOCATION_MAX));
        (void)fuzz_touch(o->machine_id);
        if (++s->seen == s->stop_at)
                return GS_E_NOMEM;
        return 0;
}

static int on_instance(void *ctx, const struct gs_instance_info *i)
{
        struct sink *s = ctx;

        fuzz_check(i->struct_size == sizeof(*i));
        fuzz_check(i->instance_id && i->instance_id[0]);
        fuzz_check(i->state <= GS_INST_DELETING);
        fuzz_check(i->ssh_port <= 65535);
        fuzz_check(i->price_uusd_per_hour >= 0 && i->created_at_ms >= 0);
        fuzz_check(i->gpu_count <= VAST_GPU_COUNT_MAX);
        fuzz_check(fuzz_touch(i->label) <= VAST_NAME_MAX && fuzz_touch(i->ssh_host) <= VAST_HOST_MAX);
        fuzz_check(fuzz_touch(i->status_raw) <= VAST_STATUS_MAX);
        (void)fuzz_touch(i->ssh_user);
        (void)fuzz_touch(i->gpu_name_raw);
        (void)fuzz_touch(i->offer_id);
        if (++s->seen == s->stop_at)
                return GS_E_NOMEM;
        return 0;
}

static void check_stats(int r, const struct vast_parse_stats *st, const struct sink *s)
{
        if (r != 0)
                return;
        fuzz_check(st->emitted == s->seen);
        fuzz_check(st->emitted + st->skipped <= st->total || st->total == UINT32_MAX);
        fuzz_check(st->total == 0 || st->emitted > 0);
}

static void lists(const char *body, size_t len, uint32_t stop_at)
{
        char msg[MSG_SIZE];
        struct vast_parse_stats st;
        struct sink s = {.stop_at = stop_at};
        int r;

        prefill(msg, sizeof(msg));
        r = vast_parse_offers(body, len, on_offer, &s, &st, msg, sizeof(msg));
        check_msg(r, msg, sizeof(msg));
        check_stats(r, &st, &s);
        fuzz_check(!stop_at || s.seen < stop_at || r == GS_E_NOMEM);

        s = (struct sink){.stop_at = stop_at};
        prefill(msg, sizeof(msg));
        r = vast_parse_instances(body, len, on_instance, &s, &st, msg, sizeof(msg));
        check_msg(r, msg, sizeof(msg));
        check_stats(r, &st, &s);
        fuzz_check(!stop_at || s.seen < stop_at || r == GS_E_NOMEM);

        s = (struct sink){.stop_at = stop_at};
        prefill(msg, sizeof(msg));
        r = vast_parse_instance(body, len, on_instance, &s, msg, sizeof(msg));
        check_msg(r, msg, sizeof(msg));
        fuzz_check(r != 0 || s.seen == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *body = (const char *)data;
        char msg[MSG_SIZE], text[VAST_PROVIDER_TEXT_MAX + 4], small[8];
        char contract[VAST_ID_STR_MAX];
        int r;

        lists(body, size, 0);
        lists(body, size, 1);

        prefill(msg, sizeof(msg));
        memset(contract, 0, sizeof(contract));
        r = vast_parse_create(body, size, contract, msg, sizeof(msg));
        check_msg(r, msg, sizeof(msg));
        if (r == 0)
                fuzz_check(contract[0] >= '1' && contract[0] <= '9' &&
                           memchr(contract, '\0', sizeof(contract)));

        prefill(msg, sizeof(msg));
        r = vast_parse_destroy(body, size, msg, sizeof(msg));
        check_msg(r, msg, sizeof(msg));

        (void)vast_body_says_stale(body, size);
        prefill(text, sizeof(text));
        vast_error_text(body, size, text, sizeof(text));
        fuzz_check_text(text, sizeof(text));
        prefill(small, sizeof(small));
        vast_error_text(body, size, small, sizeof(small));
        fuzz_check_text(small, sizeof(small));
        prefill(text, sizeof(text));
        vast_sanitize(body, size, VAST_PROVIDER_TEXT_MAX, text, sizeof(text));
        fuzz_check_text(text, sizeof(text));
        return 0;
}
