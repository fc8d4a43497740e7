/*
 * test_tensordock_parse.c - td_parse.c against fixtures in the TensorDock v2
 * wire format (tests/fixtures/tensordock) and generated hostile bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "td_fixture.h"
#include "td_parse.h"

#define MAX_COLLECTED 16
/* A string literal and its length, for the (body, len) parameters. */
#define S(lit) (lit), (sizeof(lit) - 1)
#define STR_MAX 512

static const struct td_sizing sizing = {
        .vcpus_per_gpu = 8, .ram_gb_per_gpu = 32, .storage_gb = 100};

/* Offers copied out of the callback (strings are only valid inside it). */
struct got_offer {
        char offer_id[TD_OFFER_ID_MAX + 1];
        char location_id[TD_UUID_LEN + 1];
        char gpu[TD_GPU_NAME_MAX + 1];
        char display[STR_MAX];
        char location[TD_LOCATION_MAX + 1];
        uint32_t max_count, reliability_ppm;
        uint64_t vram_mib;
        int64_t price_uusd;
        struct td_resources res;
};

struct offers {
        size_t n;
        size_t total; /* also counted past MAX_COLLECTED */
        int stop_after; /* > 0: return GS_E_TOOBIG once this many were seen */
        struct got_offer o[MAX_COLLECTED];
};

static int collect_offer(const struct td_offer *o, void *userdata)
{
        struct offers *c = userdata;
        struct got_offer *g;

        if (c->stop_after > 0 && c->total >= (size_t)c->stop_after)
                return GS_E_TOOBIG;
        c->total++;
        if (c->n >= MAX_COLLECTED)
                return 0;
        g = &c->o[c->n++];
        (void)snprintf(g->offer_id, sizeof(g->offer_id), "%s", o->offer_id);
        (void)snprintf(g->location_id, sizeof(g->location_id), "%s", o->location_id);
        (void)snprintf(g->gpu, sizeof(g->gpu), "%s", o->gpu);
        (void)snprintf(g->display, sizeof(g->display), "%s", o->gpu_display);
        (void)snprintf(g->location, sizeof(g->location), "%s", o->location);
        g->max_count = o->max_count;
        g->reliability_ppm = o->reliability_ppm;
        g->vram_mib = o->vram_mib;
        td_resources_for(o, o->max_count, &sizing, &g->res);
        g->price_uusd = td_price_uusd(o, &g->res);
        return 0;
}

struct got_instance {
        char id[STR_MAX], name[STR_MAX], status[STR_MAX], ip[STR_MAX], gpu_model[STR_MAX];
        int has_id, has_name, has_status, has_ip;
        uint32_t ssh_port, gpu_count;
        int64_t price_uusd, created_at_ms;
};

struct instances {
        size_t n;
        struct got_instance i[MAX_COLLECTED];
};

static void copy_opt(char *dst, const char *src, int *ret_has)
{
        *ret_has = src != NULL;
        (void)snprintf(dst, STR_MAX, "%s", src ? src : "");
}

static int collect_instance(const struct td_instance *inst, void *userdata)
{
        struct instances *c = userdata;
        struct got_instance *g;
        int unused;

        assert_true(c->n < MAX_COLLECTED);
        g = &c->i[c->n++];
        copy_opt(g->id, inst->id, &g->has_id);
        copy_opt(g->name, inst->name, &g->has_name);
        copy_opt(g->status, inst->status, &g->has_status);
        copy_opt(g->ip, inst->ip, &g->has_ip);
        copy_opt(g->gpu_model, inst->gpu_model, &unused);
        g->ssh_port = inst->ssh_port;
        g->gpu_count = inst->gpu_count;
        g->price_uusd = inst->price_uusd_per_hour;
        g->created_at_ms = inst->created_at_ms;
        return 0;
}

static int parse_locations_fixture(const char *name, struct offers *c, struct td_parse_stats *st,
                                   struct td_perr *perr)
{
        size_t len;
        char *body = td_fixture_read(name, &len);
        int r = td_parse_locations(body, len, collect_offer, c, st, perr);

        free(body);
        return r;
}

/* Offers ------------------------------------------------------------------- */

static void test_locations_ok(void **state)
{
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_locations_fixture("locations_ok.json", &c, &st, &perr), 0);
        assert_int_equal(c.n, 4);
        assert_int_equal(st.emitted, 4);
        assert_int_equal(st.entries, 4);
        assert_int_equal(st.malformed, 0);

        /* Real capture (wire contract §3.12 a): GPU price only, 4 GPUs. */
        assert_string_equal(c.o[0].offer_id,
                            "8dd95ff0-dff9-489c-9b02-b38a366b6ab1-geforcertx4090-pcie-24gb");
        assert_string_equal(c.o[0].gpu, "geforcertx4090-pcie-24gb");
        assert_string_equal(c.o[0].display, "NVIDIA GeForce RTX 4090 PCIe 24GB");
        assert_string_equal(c.o[0].location, "Chubbuck, Idaho, United States");
        assert_int_equal(c.o[0].max_count, 4);
        assert_int_equal(c.o[0].vram_mib, 24 * 1024);
        assert_int_equal(c.o[0].reliability_ppm, 333333);
        assert_int_equal(c.o[0].price_uusd, 1586400); /* 4 x 0.3966 */
        assert_int_equal(c.o[0].res.vcpus, 32);
        assert_int_equal(c.o[0].res.ram_gb, 128);
        assert_int_equal(c.o[0].res.storage_gb, 100);

        /* Add-on pricing; vCPUs and RAM capped by the location; tier 4 -> 1.0;
         * "Texas, Texas" collapsed. */
        assert_string_equal(c.o[1].offer_id,
                            "1a779525-4c04-4f2c-aa45-58b47d54bb38-geforcertx3090-pcie-24gb");
        assert_string_equal(c.o[1].location, "Texas, United States");
        assert_int_equal(c.o[1].reliability_ppm, 1000000);
        assert_int_equal(c.o[1].max_count, 2);
        assert_int_equal(c.o[1].res.vcpus, 8);
        assert_int_equal(c.o[1].res.ram_gb, 64);
        /* 2 x 0.2 + 8 x 0.004 + 64 x 0.002 + 100 x 0.00007 = 0.567 */
        assert_int_equal(c.o[1].price_uusd, 567000);

        /* SXM: VRAM from the v0Name; 8 x 2.5 + 64 x 0.004 + 256 x 0.002 + 0.007 */
        assert_string_equal(c.o[2].gpu, "h100-sxm5-80gb");
        assert_int_equal(c.o[2].vram_mib, 80 * 1024);
        assert_int_equal(c.o[2].price_uusd, 20775000);

        /* Upper-case UUID kept as sent; empty city dropped; displayName == v0Name. */
        assert_string_equal(c.o[3].location_id, "64D4A7FE-5953-426D-BC73-3B7A13463FB0");
        assert_string_equal(c.o[3].location, "Germany");
        assert_string_equal(c.o[3].display, "l4-pcie-24gb");
        assert_int_equal(c.o[3].reliability_ppm, 666666);
        assert_int_equal(c.o[3].vram_mib, 24 * 1024);
        assert_int_equal(c.o[3].price_uusd, 225000);
}

static void test_locations_empty(void **state)
{
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_locations_fixture("locations_empty.json", &c, &st, &perr), 0);
        assert_int_equal(c.total, 0);
        assert_int_equal(st.entries, 0);
        assert_int_equal(st.malformed, 0);
}

static void test_locations_missing_fields(void **state)
{
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_locations_fixture("locations_missing_fields.json", &c, &st, &perr),
                         0);
        assert_int_equal(c.n, 1);
        assert_int_equal(st.entries, 7);
        assert_int_equal(st.malformed, 6);
        assert_int_equal(st.emitted, 1);
        assert_string_equal(st.first_malformed, "locations[0]: id missing or not a UUID");
        assert_string_equal(c.o[0].offer_id,
                            "468b716a-6747-4cbe-9f13-afc153a21c14-a40-pcie-48gb");
        assert_string_equal(c.o[0].location, "Mixed, Canada");
        assert_string_equal(c.o[0].display, "NVIDIA A40 PCIe 48GB");
        assert_int_equal(c.o[0].reliability_ppm, 1000000);
        assert_int_equal(c.o[0].vram_mib, 48 * 1024);
        assert_int_equal(c.o[0].price_uusd, 400000);
}

static void test_locations_wrong_types(void **state)
{
        struct offers c = {0};
        struct td_parse_stats st = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_locations_fixture("locations_wrong_types.json", &c, &st, &perr),
                         GS_E_BADRESPONSE);
        assert_int_equal(c.total, 0);
        assert_string_equal(perr.msg,
                            "all 12 entries malformed; first: locations[0]: not an object");
}

static void test_locations_zero_count(void **state)
{
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_locations_fixture("locations_zero_count.json", &c, &st, &perr), 0);
        assert_int_equal(c.total, 0);
        assert_int_equal(st.unavailable, 1);
        assert_int_equal(st.malformed, 0);
}

static void test_locations_bad_shapes(void **state)
{
        static const char *const fixtures[] = {"locations_no_data.json",
                                               "locations_root_array.json"};
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
                assert_int_equal(parse_locations_fixture(fixtures[i], &c, &st, &perr),
                                 GS_E_BADRESPONSE);
                assert_string_equal(perr.msg, "body has no data.locations array");
        }
        assert_int_equal(c.total, 0);
}

static void test_locations_truncated(void **state)
{
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_locations_fixture("locations_truncated.json", &c, &st, &perr),
                         GS_E_BADRESPONSE);
        assert_non_null(strstr(perr.msg, "invalid JSON"));
        assert_int_equal(c.total, 0);
}

static void test_locations_garbage(void **state)
{
        static const struct {
                const char *body;
                size_t len;
        } cases[] = {
                {"", 0},
                {"null", 4},
                {"42", 2},
                {"\"data\"", 6},
                {"<html>Bad Gateway</html>", 24},
                {"{\"data\": {\"locations\": {}}}", 27},
                {"{\"data\": [1]}", 13},
                {"{\"data\":{\"locations\":[]}}\0trailing", 34},
                {"{\"data\":{\"locations\":[]}} {}", 28},
        };
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                perr.msg[0] = '\0';
                assert_int_equal(td_parse_locations(cases[i].body, cases[i].len, collect_offer,
                                                    &c, &st, &perr),
                                 GS_E_BADRESPONSE);
                assert_true(perr.msg[0] != '\0');
        }
        assert_int_equal(td_parse_locations(NULL, 0, collect_offer, &c, &st, &perr),
                         GS_E_BADRESPONSE);
        assert_string_equal(perr.msg, "empty body");
        assert_int_equal(c.total, 0);
}

/* A '[' nesting far deeper than jansson's parser accepts. */
static void test_locations_deeply_nested(void **state)
{
        static const size_t depth = 200000;
        static const char head[] = "{\"data\":{\"locations\":";
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};
        size_t len = sizeof(head) - 1 + 2 * depth + 2;
        char *body = malloc(len + 1);
        size_t o;

        (void)state;
        assert_non_null(body);
        memcpy(body, head, sizeof(head) - 1);
        o = sizeof(head) - 1;
        memset(body + o, '[', depth);
        o += depth;
        memset(body + o, ']', depth);
        o += depth;
        memcpy(body + o, "}}", 2);
        body[len] = '\0';
        assert_int_equal(td_parse_locations(body, len, collect_offer, &c, &st, &perr),
                         GS_E_BADRESPONSE);
        assert_non_null(strstr(perr.msg, "invalid JSON"));
        free(body);
}

/* 20000 locations x 2 GPUs: all parsed, nothing lost. */
static void test_locations_huge(void **state)
{
        static const size_t n_locations = 20000;
        static const char entry[] =
                "{\"id\":\"%08zx-4c04-4f2c-aa45-58b47d54bb38\",\"city\":\"C%zu\",\"country\":"
                "\"X\",\"tier\":2,\"gpus\":[{\"v0Name\":\"geforcertx4090-pcie-24gb\","
                "\"max_count\":1,\"price_per_hr\":0.35},{\"v0Name\":\"a40-pcie-48gb\","
                "\"max_count\":3,\"price_per_hr\":0.5}]}";
        size_t cap = n_locations * (sizeof(entry) + 16) + 64, o = 0, i;
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};
        char *body = malloc(cap);
        int n;

        (void)state;
        assert_non_null(body);
        o += (size_t)snprintf(body, cap, "{\"data\":{\"locations\":[");
        for (i = 0; i < n_locations; i++) {
                n = snprintf(body + o, cap - o, "%s", i ? "," : "");
                o += (size_t)n;
                n = snprintf(body + o, cap - o, entry, i, i);
                assert_true(n > 0 && (size_t)n < cap - o);
                o += (size_t)n;
        }
        o += (size_t)snprintf(body + o, cap - o, "]}}");
        assert_int_equal(td_parse_locations(body, o, collect_offer, &c, &st, &perr), 0);
        assert_int_equal(c.total, 2 * n_locations);
        assert_int_equal(st.emitted, 2 * n_locations);
        assert_int_equal(st.malformed, 0);
        assert_string_equal(c.o[1].offer_id,
                            "00000000-4c04-4f2c-aa45-58b47d54bb38-a40-pcie-48gb");
        assert_int_equal(c.o[1].price_uusd, 1500000);
        free(body);
}

/* Over-long strings: an unusable displayName falls back to the v0Name, an
 * over-long v0Name or city part is not passed on. */
static void test_locations_huge_strings(void **state)
{
        static const size_t big = 300000;
        static const char fmt[] =
                "{\"data\":{\"locations\":[{\"id\":\"8dd95ff0-dff9-489c-9b02-b38a366b6ab1\","
                "\"city\":\"%s\",\"country\":\"Y\",\"gpus\":["
                "{\"v0Name\":\"a40-pcie-48gb\",\"displayName\":\"%s\",\"max_count\":1,"
                "\"price_per_hr\":0.4},"
                "{\"v0Name\":\"%s\",\"max_count\":1,\"price_per_hr\":0.4}]}]}}";
        size_t cap = 3 * big + sizeof(fmt);
        char *s = malloc(big + 1), *body = malloc(cap);
        struct offers c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};
        int n;

        (void)state;
        assert_non_null(s);
        assert_non_null(body);
        memset(s, 'a', big);
        s[big] = '\0';
        n = snprintf(body, cap, fmt, s, s, s);
        assert_true(n > 0 && (size_t)n < cap);
        assert_int_equal(td_parse_locations(body, (size_t)n, collect_offer, &c, &st, &perr), 0);
        assert_int_equal(c.n, 1);
        assert_int_equal(st.malformed, 1);
        assert_string_equal(c.o[0].display, "a40-pcie-48gb");
        assert_string_equal(c.o[0].location, "Y");
        free(s);
        free(body);
}

static void test_locations_callback_stops(void **state)
{
        struct offers c = {.stop_after = 2};
        struct td_parse_stats st = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_locations_fixture("locations_ok.json", &c, &st, &perr),
                         GS_E_TOOBIG);
        assert_int_equal(c.total, 2);
}

/* Offer ids ---------------------------------------------------------------- */

static void test_offer_id_good(void **state)
{
        struct td_offer_id id;
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(td_offer_id_parse("1a779525-4c04-4f2c-aa45-58b47d54bb38-"
                                           "geforcertx3090-pcie-24gb",
                                           &id, &perr),
                         0);
        assert_string_equal(id.location_id, "1a779525-4c04-4f2c-aa45-58b47d54bb38");
        assert_string_equal(id.gpu, "geforcertx3090-pcie-24gb");

        assert_int_equal(td_offer_id_parse("64D4A7FE-5953-426D-BC73-3B7A13463FB0-l4", &id, &perr),
                         0);
        assert_string_equal(id.location_id, "64D4A7FE-5953-426D-BC73-3B7A13463FB0");
        assert_string_equal(id.gpu, "l4");
}

static void test_offer_id_bad(void **state)
{
        static const struct {
                const char *text;
                const char *want; /* substring of the message */
        } cases[] = {
                {"", "is empty"},
                {"1a779525-4c04-4f2c-aa45-58b47d54bb38", "bare location UUID"},
                {"1a779525-4c04-4f2c-aa45-58b47d54bb38-", "no GPU name"},
                {"1a779525-4c04-4f2c-aa45-58b47d54bb38_a40-pcie-48gb", "must be followed"},
                {"1a779525-4c04-4f2c-aa45-58b47d54bb38a40", "must be followed"},
                {"1a779525-4c04-4f2c", "does not start with a location UUID"},
                {"garbage", "does not start with a location UUID"},
                {"loc-123-a40-pcie-48gb", "does not start with a location UUID"},
                {"tensordock-1a779525-4c04-4f2c-aa45-58b47d54bb38-a40",
                 "does not start with a location UUID"},
                {"1a779525-4c04-4f2c-aa45-58b47d54bb3g-a40", "does not start with a location UUID"},
                {"1a7795254-c04-4f2c-aa45-58b47d54bb38-a40", "does not start with a location UUID"},
                {"1a779525-4c04-4f2c-aa45-58b47d54bb38-a40/../x", "GPU name may only contain"},
                {"1a779525-4c04-4f2c-aa45-58b47d54bb38-a40 pcie", "GPU name may only contain"},
                {"1a779525-4c04-4f2c-aa45-58b47d54bb38-a40\n", "GPU name may only contain"},
        };
        struct td_offer_id id;
        struct td_perr perr;
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                memset(&id, 0x5a, sizeof(id));
                perr.msg[0] = '\0';
                assert_int_equal(td_offer_id_parse(cases[i].text, &id, &perr), GS_E_INVAL);
                if (!strstr(perr.msg, cases[i].want))
                        fail_msg("'%s': message '%s' lacks '%s'", cases[i].text, perr.msg,
                                 cases[i].want);
                /* ret_* untouched on failure */
                assert_int_equal((unsigned char)id.location_id[0], 0x5a);
                assert_int_equal((unsigned char)id.gpu[0], 0x5a);
        }
        assert_int_equal(td_offer_id_parse(NULL, &id, &perr), GS_E_INVAL);
}

static void test_offer_id_too_long(void **state)
{
        char text[TD_OFFER_ID_MAX + 8];
        struct td_offer_id id;
        struct td_perr perr;

        (void)state;
        memcpy(text, "1a779525-4c04-4f2c-aa45-58b47d54bb38-", 37);
        memset(text + 37, 'a', sizeof(text) - 38);
        text[sizeof(text) - 1] = '\0';
        assert_int_equal(td_offer_id_parse(text, &id, &perr), GS_E_INVAL);
        assert_non_null(strstr(perr.msg, "longer than"));
        /* Exactly the longest accepted GPU name. */
        text[37 + TD_GPU_NAME_MAX] = '\0';
        assert_int_equal(td_offer_id_parse(text, &id, &perr), 0);
        assert_int_equal(strlen(id.gpu), TD_GPU_NAME_MAX);
}

static void test_uuid_and_tokens(void **state)
{
        (void)state;
        assert_true(td_is_uuid("8dd95ff0-dff9-489c-9b02-b38a366b6ab1", 36));
        assert_false(td_is_uuid("8dd95ff0-dff9-489c-9b02-b38a366b6ab", 35));
        assert_false(td_is_uuid("8dd95ff0-dff9-489c-9b02-b38a366b6ab1x", 37));
        assert_false(td_is_uuid("8dd95ff0xdff9-489c-9b02-b38a366b6ab1", 36));
        assert_false(td_is_uuid(NULL, 0));
        assert_true(td_is_instance_id("468b716a-6747-4cbe-9f13-afc153a21c14"));
        assert_true(td_is_instance_id("inst-001"));
        assert_false(td_is_instance_id(""));
        assert_false(td_is_instance_id(NULL));
        assert_false(td_is_instance_id("../etc"));
        assert_false(td_is_instance_id("a/b"));
        assert_false(td_is_instance_id("a%2fb"));
        assert_false(td_is_instance_id("a?b"));
}

/* Status words ------------------------------------------------------------- */

static void test_status_mapping(void **state)
{
        static const struct {
                const char *word;
                uint32_t state;
        } cases[] = {
                {"running", GS_INST_RUNNING},       {"RUNNING", GS_INST_RUNNING},
                {"creating", GS_INST_PENDING},      {"created", GS_INST_PENDING},
                {"pending", GS_INST_PENDING},       {"provisioning", GS_INST_PENDING},
                {"starting", GS_INST_PENDING},      {"booting", GS_INST_PENDING},
                {"stopping", GS_INST_STOPPED},      {"stopped", GS_INST_STOPPED},
                {"StoppedDisassociated", GS_INST_STOPPED}, {"error", GS_INST_STOPPED},
                {"failed", GS_INST_STOPPED},        {"terminated", GS_INST_STOPPED},
                {"deleting", GS_INST_DELETING},     {"deleted", GS_INST_DELETING},
                {"rebooting", GS_INST_UNKNOWN},     {"", GS_INST_UNKNOWN},
                {"run", GS_INST_UNKNOWN},           {"running ", GS_INST_UNKNOWN},
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                if (td_status_to_state(cases[i].word) != cases[i].state)
                        fail_msg("status '%s' -> %u, want %u", cases[i].word,
                                 td_status_to_state(cases[i].word), cases[i].state);
        assert_int_equal(td_status_to_state(NULL), GS_INST_UNKNOWN);
        assert_true(td_status_is_gone("deleted"));
        assert_true(td_status_is_gone("Deleted"));
        assert_false(td_status_is_gone("deleting"));
        assert_false(td_status_is_gone(NULL));
}

/* Every stale phrase of wire contract §3.4, inside a sentence, any case. */
static const char *const stale_messages[] = {
        "No available nodes found",       "Insufficient capacity in region",
        "not enough capacity",            "Resource unavailable right now",
        "GPU out of stock",               "no nodes available for this request",
        "Nodes unavailable",              "GPU unavailable",
        "gpu not available",              "No GPUs available",
        "The requested GPU is gone",      "GPU capacity reached",
        "No matching GPU",                "This GPU is not available",
        "Datacenter unavailable",         "Location unavailable",
        "Service temporarily unavailable", "Site under maintenance",
        "Region unavailable",             "site unavailable",
        "High demand, try later",         "SOLD OUT",
        "Hostnode fully allocated",       "Location at capacity",
        "no capacity",                    "capacity limit hit",
        "Cannot allocate resources",      "allocation failed",
        "resource limit",                 "Quota exceeded",
        "limit reached",                  "maximum number of VMs",
        "No available public IPs",        "no available public ip",
        "no public ip left",
};

static void test_stale_phrases(void **state)
{
        static const char *const not_stale[] = {
                "Invalid image name", "SSH port required", "Authentication failed",
                "Rate limit exceeded", "Internal server error", "",
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(stale_messages) / sizeof(stale_messages[0]); i++)
                if (!td_is_stale_message(stale_messages[i]))
                        fail_msg("'%s' not recognised as stale", stale_messages[i]);
        for (i = 0; i < sizeof(not_stale) / sizeof(not_stale[0]); i++)
                if (td_is_stale_message(not_stale[i]))
                        fail_msg("'%s' taken as stale", not_stale[i]);
        assert_false(td_is_stale_message(NULL));
}

static void test_gs_status(void **state)
{
        (void)state;
        assert_int_equal(td_gs_status(401, false, ""), GS_E_AUTH);
        assert_int_equal(td_gs_status(403, true, ""), GS_E_AUTH);
        assert_int_equal(td_gs_status(429, false, ""), GS_E_RATELIMIT);
        assert_int_equal(td_gs_status(404, false, ""), GS_E_NOTFOUND);
        assert_int_equal(td_gs_status(500, false, ""), GS_E_UPSTREAM);
        assert_int_equal(td_gs_status(502, true, "<html>Bad Gateway</html>"), GS_E_UPSTREAM);
        /* An outage is not a stale offer even when the words match. */
        assert_int_equal(td_gs_status(503, true, "Service temporarily unavailable"),
                         GS_E_UPSTREAM);
        assert_int_equal(td_gs_status(400, true, "No available nodes found"), GS_E_UNAVAILABLE);
        assert_int_equal(td_gs_status(400, false, "No available nodes found"), GS_E_UPSTREAM);
        assert_int_equal(td_gs_status(400, true, "Invalid image name"), GS_E_UPSTREAM);
        assert_int_equal(td_gs_status(0, true, "sold out"), GS_E_UNAVAILABLE);
        assert_int_equal(td_gs_status(302, false, ""), GS_E_UPSTREAM);
}

/* Error text ---------------------------------------------------------------- */

static void error_text_of(const char *body, char *out, size_t size)
{
        td_error_text(body, body ? strlen(body) : 0, out, size);
}

static void test_error_text(void **state)
{
        char out[TD_PROVIDER_TEXT_MAX + 1];
        char big[5000];
        size_t len;
        char *body;

        (void)state;
        body = td_fixture_read("error_401.json", &len);
        td_error_text(body, len, out, sizeof(out));
        assert_string_equal(out, "Invalid API credentials");
        free(body);

        body = td_fixture_read("error_validation.json", &len);
        td_error_text(body, len, out, sizeof(out));
        assert_string_equal(out, "Name is required; Invalid location_id format");
        free(body);

        error_text_of("<html>Bad Gateway</html>", out, sizeof(out));
        assert_string_equal(out, "<html>Bad Gateway</html>");
        error_text_of("{\"error\": {\"message\": \"nested\"}}", out, sizeof(out));
        assert_string_equal(out, "nested");
        error_text_of("{\"message\": \"top\"}", out, sizeof(out));
        assert_string_equal(out, "top");
        error_text_of("  line one\r\n\tline\x01two\xc3\xa9  ", out, sizeof(out));
        assert_string_equal(out, "line one line?two??");
        error_text_of("", out, sizeof(out));
        assert_string_equal(out, "(empty body)");
        error_text_of(NULL, out, sizeof(out));
        assert_string_equal(out, "(empty body)");
        /* jansson refuses \u0000: the raw body is shown, sanitized. */
        error_text_of("{\"error\": \"\\u0000x\"}", out, sizeof(out));
        assert_string_equal(out, "{\"error\": \"\\u0000x\"}");

        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        error_text_of(big, out, sizeof(out));
        assert_int_equal(strlen(out), TD_PROVIDER_TEXT_MAX);
        assert_string_equal(out + TD_PROVIDER_TEXT_MAX - 3, "...");
        /* A small buffer is honoured too. */
        error_text_of("{\"error\": \"Invalid API credentials\"}", out, 8);
        assert_string_equal(out, "Inva...");
}

static void test_error_body(void **state)
{
        char text[TD_PROVIDER_TEXT_MAX + 1];
        int code = -1;

        (void)state;
        assert_true(td_error_body(S("{\"status\": 400, \"error\": \"No available nodes found\"}"),
                                  &code, text, sizeof(text)));
        assert_int_equal(code, 400);
        assert_string_equal(text, "No available nodes found");
        assert_true(td_error_body(S("{\"error\": \"x\"}"), &code, text, sizeof(text)));
        assert_int_equal(code, 0);
        assert_false(td_error_body(S("{\"status\": \"running\", \"id\": \"a\"}"), &code, text,
                                   sizeof(text)));
        assert_false(td_error_body(S("{\"status\": 200, \"error\": null}"), &code, text,
                                   sizeof(text)));
        assert_false(td_error_body(S("{\"data\": {}, \"error\": \"x\"}"), &code, text,
                                   sizeof(text)));
        assert_false(td_error_body(S("not json"), &code, text, sizeof(text)));
        assert_false(td_error_body(NULL, 0, &code, text, sizeof(text)));
}

/* Instances ------------------------------------------------------------------ */

static int parse_instance_fixture(const char *name, struct instances *c, struct td_perr *perr)
{
        size_t len;
        char *body = td_fixture_read(name, &len);
        int r = td_parse_instance(body, len, collect_instance, c, perr);

        free(body);
        return r;
}

static void test_instance_running(void **state)
{
        struct instances c = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_instance_fixture("instance_running.json", &c, &perr), 0);
        assert_int_equal(c.n, 1);
        assert_string_equal(c.i[0].id, "468b716a-6747-4cbe-9f13-afc153a21c14");
        assert_string_equal(c.i[0].name, "shopper-ssh-test-1234");
        assert_string_equal(c.i[0].status, "running");
        assert_string_equal(c.i[0].ip, "174.94.145.71");
        assert_int_equal(c.i[0].ssh_port, 20456);
        assert_int_equal(c.i[0].price_uusd, 272999);
        assert_int_equal(c.i[0].created_at_ms, 0);
}

static void test_instance_dedicated_ip(void **state)
{
        struct instances c = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_instance_fixture("instance_dedicated_ip.json", &c, &perr), 0);
        assert_string_equal(c.i[0].ip, "2001:db8::7");
        assert_int_equal(c.i[0].ssh_port, 22);
        assert_int_equal(c.i[0].price_uusd, 500000);
        assert_int_equal(c.i[0].created_at_ms, INT64_C(1705314600000));
}

static void test_instance_creating(void **state)
{
        struct instances c = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_instance_fixture("instance_creating.json", &c, &perr), 0);
        assert_string_equal(c.i[0].status, "creating");
        assert_false(c.i[0].has_ip);
        assert_int_equal(c.i[0].price_uusd, 0);
}

static void test_instance_wrapped_attributes(void **state)
{
        struct instances c = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_instance_fixture("instance_wrapped.json", &c, &perr), 0);
        assert_string_equal(c.i[0].id, "0fb9b44c-7c5d-4b0d-8f0b-59f262d0718b");
        assert_string_equal(c.i[0].name, "gs-dep1-sess-abc");
        assert_string_equal(c.i[0].status, "StoppedDisassociated");
        assert_string_equal(c.i[0].ip, "10.0.0.9");
        assert_int_equal(c.i[0].ssh_port, 2222);
        assert_int_equal(c.i[0].created_at_ms, INT64_C(1705314600250));
}

static void test_instance_deleted_and_errors(void **state)
{
        struct instances c = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_instance_fixture("instance_deleted.json", &c, &perr), 0);
        assert_string_equal(c.i[0].status, "deleted");

        assert_int_equal(parse_instance_fixture("instance_error_body.json", &c, &perr),
                         GS_E_NOTFOUND);
        assert_int_equal(perr.upstream_status, 404);
        assert_string_equal(perr.msg, "provider refused (status 404): Instance not found");

        assert_int_equal(parse_instance_fixture("instance_bad_ip.json", &c, &perr),
                         GS_E_BADRESPONSE);
        assert_string_equal(perr.msg, "ipAddress is not an IP address");
        assert_int_equal(c.n, 1);
}

static void test_instance_hostile(void **state)
{
        static const char *const bodies[] = {
                "[]",
                "\"running\"",
                "{\"id\": 42, \"status\": \"running\"}",
                "{\"id\": \"../../x\", \"status\": \"running\"}",
                "{\"id\": \"a\", \"ipAddress\": 17}",
                "{\"id\": \"a\", \"ipAddress\": \"1.2.3.4 ; reboot\"}",
                "{\"id\": \"a\"",
                "{\"status\": 429, \"error\": \"Rate limit exceeded\"}",
                "{\"status\": 401, \"error\": \"Unauthorized\"}",
                "{\"status\": 500, \"error\": \"boom\"}",
        };
        static const int want[] = {
                GS_E_BADRESPONSE, GS_E_BADRESPONSE, GS_E_BADRESPONSE, GS_E_BADRESPONSE,
                GS_E_BADRESPONSE, GS_E_BADRESPONSE, GS_E_BADRESPONSE, GS_E_RATELIMIT,
                GS_E_AUTH,        GS_E_UPSTREAM,
        };
        struct instances c = {0};
        struct td_perr perr;
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
                int r = td_parse_instance(bodies[i], strlen(bodies[i]), collect_instance, &c,
                                          &perr);

                if (r != want[i])
                        fail_msg("body %zu: got %d want %d (%s)", i, r, want[i], perr.msg);
        }
        assert_int_equal(c.n, 0);
}

static void test_instance_odd_fields(void **state)
{
        static const char body[] =
                "{\"status\": \"running\", \"ipAddress\": \"10.0.0.2\","
                " \"name\": \"bad\\nname\", \"rateHourly\": \"0.5\","
                " \"portForwards\": [{\"internal_port\": 22, \"external_port\": 70000},"
                " {\"internal_port\": \"22\", \"external_port\": 2000}, 7],"
                " \"created_at\": \"yesterday\", \"gpu_count\": -1}";
        struct instances c = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(td_parse_instance(body, strlen(body), collect_instance, &c, &perr), 0);
        assert_false(c.i[0].has_id); /* the caller substitutes the id it asked for */
        assert_false(c.i[0].has_name);
        assert_int_equal(c.i[0].ssh_port, 22);
        assert_int_equal(c.i[0].price_uusd, 0);
        assert_int_equal(c.i[0].created_at_ms, 0);
        assert_int_equal(c.i[0].gpu_count, 0);
}

static int parse_list_fixture(const char *name, struct instances *c, struct td_parse_stats *st,
                              struct td_perr *perr)
{
        size_t len;
        char *body = td_fixture_read(name, &len);
        int r = td_parse_instance_list(body, len, collect_instance, c, st, perr);

        free(body);
        return r;
}

static void test_instance_list_shapes(void **state)
{
        struct instances c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_list_fixture("instances_array.json", &c, &st, &perr), 0);
        assert_int_equal(c.n, 2);
        assert_string_equal(c.i[0].id, "inst-001");
        assert_string_equal(c.i[0].name, "shopper-session-abc");
        assert_string_equal(c.i[0].ip, "10.0.0.1");
        assert_int_equal(c.i[0].price_uusd, 450000);
        assert_string_equal(c.i[0].gpu_model, "geforcertx4090-pcie-24gb");
        assert_int_equal(c.i[0].gpu_count, 2);
        assert_int_equal(c.i[0].created_at_ms, INT64_C(1705314600000));
        assert_string_equal(c.i[1].name, "other-vm");
        assert_false(c.i[1].has_ip);

        memset(&c, 0, sizeof(c));
        assert_int_equal(parse_list_fixture("instances_nested.json", &c, &st, &perr), 0);
        assert_int_equal(c.n, 2);
        assert_string_equal(c.i[0].id, "inst-1");
        assert_string_equal(c.i[1].name, "production-vm");
        assert_false(c.i[1].has_status);

        memset(&c, 0, sizeof(c));
        assert_int_equal(parse_list_fixture("instances_attributes.json", &c, &st, &perr), 0);
        assert_int_equal(c.n, 1);
        assert_string_equal(c.i[0].id, "468b716a-6747-4cbe-9f13-afc153a21c14");
        assert_string_equal(c.i[0].name, "gs-dep1-sess-abc");
        assert_string_equal(c.i[0].status, "running");
        assert_string_equal(c.i[0].ip, "174.94.145.71");
        assert_int_equal(st.entries, 5);
        assert_int_equal(st.unavailable, 1);
        assert_int_equal(st.malformed, 3);
}

static void test_instance_list_bad(void **state)
{
        struct instances c = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_list_fixture("instances_all_malformed.json", &c, &st, &perr),
                         GS_E_BADRESPONSE);
        assert_string_equal(perr.msg,
                            "all 3 instances malformed; first: instances[0]: instance id missing "
                            "or invalid");
        assert_int_equal(parse_list_fixture("instances_data_string.json", &c, &st, &perr),
                         GS_E_BADRESPONSE);
        assert_int_equal(td_parse_instance_list(S("{\"data\": []}"), collect_instance, &c, &st,
                                                &perr),
                         0);
        assert_int_equal(td_parse_instance_list(S("{\"status\": 403, \"error\": \"nope\"}"),
                                                collect_instance, &c, &st, &perr),
                         GS_E_AUTH);
        assert_int_equal(c.n, 0);
}

/* Create ---------------------------------------------------------------------- */

static int parse_create_fixture(const char *name, struct instances *c, struct td_perr *perr)
{
        size_t len;
        char *body = td_fixture_read(name, &len);
        int r = td_parse_create(body, len, collect_instance, c, perr);

        free(body);
        return r;
}

static void test_create_ok(void **state)
{
        struct instances c = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_create_fixture("create_ok.json", &c, &perr), 0);
        assert_int_equal(c.n, 1);
        assert_string_equal(c.i[0].id, "468b716a-6747-4cbe-9f13-afc153a21c14");
        assert_string_equal(c.i[0].name, "shopper-ssh-test-1234");
        assert_string_equal(c.i[0].status, "running");
        assert_int_equal(parse_create_fixture("create_creating.json", &c, &perr), 0);
        assert_string_equal(c.i[1].status, "creating");
}

static void test_create_errors(void **state)
{
        struct instances c = {0};
        struct td_perr perr = {{0}};

        (void)state;
        assert_int_equal(parse_create_fixture("create_stale.json", &c, &perr), GS_E_UNAVAILABLE);
        assert_int_equal(perr.upstream_status, 400);
        assert_string_equal(perr.msg, "provider refused (status 400): No available nodes found");

        assert_int_equal(parse_create_fixture("create_error_other.json", &c, &perr),
                         GS_E_UPSTREAM);
        assert_int_equal(perr.upstream_status, 400);
        assert_string_equal(perr.msg, "provider refused (status 400): Invalid image name");

        assert_int_equal(parse_create_fixture("create_no_id.json", &c, &perr), GS_E_BADRESPONSE);
        assert_string_equal(perr.msg, "instance id missing or invalid");
        assert_int_equal(c.n, 0);
}

static void test_create_every_stale_phrase(void **state)
{
        char body[512];
        struct instances c = {0};
        struct td_perr perr;
        size_t i;
        int n;

        (void)state;
        for (i = 0; i < sizeof(stale_messages) / sizeof(stale_messages[0]); i++) {
                n = snprintf(body, sizeof(body), "{\"status\": 400, \"error\": \"%s\"}",
                             stale_messages[i]);
                assert_true(n > 0 && (size_t)n < sizeof(body));
                if (td_parse_create(body, (size_t)n, collect_instance, &c, &perr) !=
                    GS_E_UNAVAILABLE)
                        fail_msg("'%s' not stale", stale_messages[i]);
        }
        /* No numeric status, only an error text. */
        assert_int_equal(td_parse_create(S("{\"error\": \"Sold out\"}"), collect_instance, &c,
                                         &perr),
                         GS_E_UNAVAILABLE);
        assert_int_equal(perr.upstream_status, 0);
        assert_int_equal(c.n, 0);
}

static void test_create_hostile(void **state)
{
        static const char *const bodies[] = {
                "", "[]", "{}", "{\"data\": null}", "{\"data\": []}", "{\"data\": {\"id\": 7}}",
                "{\"data\": {\"id\": \"\"}}", "{\"data\": {\"id\": \"x y\"}}", "{\"data\": {",
        };
        struct instances c = {0};
        struct td_perr perr;
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
                assert_int_equal(td_parse_create(bodies[i], strlen(bodies[i]), collect_instance,
                                                 &c, &perr),
                                 GS_E_BADRESPONSE);
        assert_int_equal(td_parse_create(S("{\"status\": 401, \"error\": \"Unauthorized\"}"),
                                         collect_instance, &c, &perr),
                         GS_E_AUTH);
        assert_int_equal(c.n, 0);
}

/* Sizing ---------------------------------------------------------------------- */

static void test_resources_and_price(void **state)
{
        struct td_offer o = {.gpu_nusd = 396600000, .max_vcpus = 10, .max_ram_gb = 0,
                             .max_storage_gb = 50, .vcpu_nusd = 4000000, .ram_gb_nusd = 2000000,
                             .storage_gb_nusd = 70000};
        struct td_sizing small = {.vcpus_per_gpu = 4, .ram_gb_per_gpu = 16, .storage_gb = 10};
        struct td_resources res;

        (void)state;
        td_resources_for(&o, 3, &small, &res);
        assert_int_equal(res.gpu_count, 3);
        assert_int_equal(res.vcpus, 10);     /* 12 capped at 10 */
        assert_int_equal(res.ram_gb, 48);    /* no limit reported */
        assert_int_equal(res.storage_gb, 50); /* raised to 100, capped at 50 */
        /* 3 x 0.3966 + 10 x 0.004 + 48 x 0.002 + 50 x 0.00007 = 1.3293 */
        assert_int_equal(td_price_uusd(&o, &res), 1329300);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_locations_ok),
                cmocka_unit_test(test_locations_empty),
                cmocka_unit_test(test_locations_missing_fields),
                cmocka_unit_test(test_locations_wrong_types),
                cmocka_unit_test(test_locations_zero_count),
                cmocka_unit_test(test_locations_bad_shapes),
                cmocka_unit_test(test_locations_truncated),
                cmocka_unit_test(test_locations_garbage),
                cmocka_unit_test(test_locations_deeply_nested),
                cmocka_unit_test(test_locations_huge),
                cmocka_unit_test(test_locations_huge_strings),
                cmocka_unit_test(test_locations_callback_stops),
                cmocka_unit_test(test_offer_id_good),
                cmocka_unit_test(test_offer_id_bad),
                cmocka_unit_test(test_offer_id_too_long),
                cmocka_unit_test(test_uuid_and_tokens),
                cmocka_unit_test(test_status_mapping),
                cmocka_unit_test(test_stale_phrases),
                cmocka_unit_test(test_gs_status),
                cmocka_unit_test(test_error_text),
                cmocka_unit_test(test_error_body),
                cmocka_unit_test(test_instance_running),
                cmocka_unit_test(test_instance_dedicated_ip),
                cmocka_unit_test(test_instance_creating),
                cmocka_unit_test(test_instance_wrapped_attributes),
                cmocka_unit_test(test_instance_deleted_and_errors),
                cmocka_unit_test(test_instance_hostile),
                cmocka_unit_test(test_instance_odd_fields),
                cmocka_unit_test(test_instance_list_shapes),
                cmocka_unit_test(test_instance_list_bad),
                cmocka_unit_test(test_create_ok),
                cmocka_unit_test(test_create_errors),
                cmocka_unit_test(test_create_every_stale_phrase),
                cmocka_unit_test(test_create_hostile),
                cmocka_unit_test(test_resources_and_price),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
