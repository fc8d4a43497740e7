/*
 * test_vastai_parse.c - Vast.ai bodies (tests/fixtures/vastai, real wire
 * format) -> exact records, or GS_E_BADRESPONSE; hostile bodies never crash.
 */
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vastai_parse.h"

#define MAX_GOT 32
#define STR_MAX 160
#define JUNK_BYTES (1024 * 1024)
#define DEEP_LEVELS 100000

struct got_offer {
        char id[STR_MAX], name[STR_MAX], loc[STR_MAX], machine[STR_MAX];
        int has_loc, has_machine;
        uint32_t count, rel, cuda, avail, flags;
        uint64_t vram;
        int64_t price, dur;
};

struct got_inst {
        char id[STR_MAX], label[STR_MAX], status[STR_MAX], host[STR_MAX], gpu[STR_MAX];
        int has_label, has_status, has_host;
        uint32_t state, port, gpus;
        int64_t price, created;
};

struct collect {
        struct got_offer offers[MAX_GOT];
        struct got_inst insts[MAX_GOT];
        size_t n;
        size_t fail_at; /* callback fails on this record (1-based); 0 = never */
};

static void copy(char *dst, const char *src, int *has)
{
        if (has)
                *has = src != NULL;
        (void)snprintf(dst, STR_MAX, "%s", src ? src : "");
}

static int on_offer(void *ctx, const struct gs_offer *o)
{
        struct collect *c = ctx;
        struct got_offer *g;

        if (c->fail_at && c->n + 1 == c->fail_at)
                return GS_E_TOOBIG;
        assert_true(c->n < MAX_GOT);
        assert_int_equal(o->struct_size, sizeof(*o));
        g = &c->offers[c->n++];
        copy(g->id, o->offer_id, NULL);
        copy(g->name, o->gpu_name_raw, NULL);
        copy(g->loc, o->location, &g->has_loc);
        copy(g->machine, o->machine_id, &g->has_machine);
        g->count = o->gpu_count;
        g->vram = o->vram_mib;
        g->price = o->price_uusd_per_hour;
        g->rel = o->reliability_ppm;
        g->cuda = o->cuda_milli;
        g->avail = o->available;
        g->dur = o->max_duration_ms;
        g->flags = o->flags;
        return 0;
}

static int on_inst(void *ctx, const struct gs_instance_info *i)
{
        struct collect *c = ctx;
        struct got_inst *g;

        if (c->fail_at && c->n + 1 == c->fail_at)
                return GS_E_TOOBIG;
        assert_true(c->n < MAX_GOT);
        g = &c->insts[c->n++];
        copy(g->id, i->instance_id, NULL);
        copy(g->label, i->label, &g->has_label);
        copy(g->status, i->status_raw, &g->has_status);
        copy(g->host, i->ssh_host, &g->has_host);
        copy(g->gpu, i->gpu_name_raw, NULL);
        assert_string_equal(i->ssh_user, "root");
        g->state = i->state;
        g->port = i->ssh_port;
        g->gpus = i->gpu_count;
        g->price = i->price_uusd_per_hour;
        g->created = i->created_at_ms;
        return 0;
}

static char *load_fixture(const char *name, size_t *ret_len)
{
        char path[1024];
        FILE *f;
        char *buf;
        long n;

        (void)snprintf(path, sizeof(path), "%s/%s", GS_FIXTURE_DIR, name);
        f = fopen(path, "rb");
        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        assert_true(n >= 0);
        rewind(f);
        buf = malloc((size_t)n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
        buf[n] = '\0';
        fclose(f);
        *ret_len = (size_t)n;
        return buf;
}

static int parse_offers_file(const char *name, struct collect *c, struct vast_parse_stats *st,
                             char *msg, size_t msg_size)
{
        size_t len;
        char *body = load_fixture(name, &len);
        int r = vast_parse_offers(body, len, on_offer, c, st, msg, msg_size);

        free(body);
        return r;
}

static void test_offers_ok(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        struct vast_parse_stats st = {0};
        char msg[512] = "";
        const struct got_offer *o;

        (void)state;
        assert_int_equal(parse_offers_file("offers_ok.json", c, &st, msg, sizeof(msg)), 0);
        assert_int_equal(c->n, 4);
        assert_int_equal(st.total, 4);
        assert_int_equal(st.emitted, 4);
        assert_int_equal(st.skipped, 0);

        o = &c->offers[0]; /* the real capture of provider-wire-contract §2.13 (a) */
        assert_string_equal(o->id, "30406190");
        assert_string_equal(o->name, "RTX 5090");
        assert_int_equal(o->count, 1);
        assert_int_equal(o->vram, 32607);
        assert_int_equal(o->price, 228800);
        assert_string_equal(o->loc, "CN");
        assert_int_equal(o->rel, 994138);
        assert_int_equal(o->cuda, 0);
        assert_int_equal(o->avail, 1);
        assert_int_equal(o->dur, 0);
        assert_false(o->has_machine);
        assert_int_equal(o->flags, 0);

        o = &c->offers[1]; /* every documented field, min_bid > 0 */
        assert_string_equal(o->id, "25994264");
        assert_int_equal(o->count, 4);
        assert_int_equal(o->vram, 24564);
        assert_int_equal(o->price, 1604167); /* whole bundle, rounded to nearest */
        assert_string_equal(o->loc, "California, US");
        assert_int_equal(o->rel, 998700);
        assert_int_equal(o->cuda, 12800);
        assert_int_equal(o->dur, INT64_C(2592000000));
        assert_string_equal(o->machine, "14321");
        assert_int_equal(o->flags, 0); /* on-demand search: not interruptible */

        o = &c->offers[2]; /* rented, duration null */
        assert_string_equal(o->name, "A100 SXM4");
        assert_int_equal(o->count, 8);
        assert_int_equal(o->vram, 81920);
        assert_int_equal(o->price, 10000000);
        assert_int_equal(o->rel, 1000000);
        assert_int_equal(o->cuda, 13000);
        assert_int_equal(o->avail, 0);
        assert_int_equal(o->dur, 0);
        assert_string_equal(o->machine, "9001");

        o = &c->offers[3]; /* optional fields ill-typed or empty: "not reported" */
        assert_int_equal(o->price, 1);
        assert_false(o->has_loc);
        assert_int_equal(o->rel, 0);
        assert_int_equal(o->cuda, 0);
        assert_int_equal(o->avail, 0);
        assert_false(o->has_machine);
        free(c);
}

static void test_offers_empty(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        struct vast_parse_stats st = {.total = 9};
        char msg[256] = "";

        (void)state;
        assert_int_equal(parse_offers_file("offers_empty.json", c, &st, msg, sizeof(msg)), 0);
        assert_int_equal(c->n, 0);
        assert_int_equal(st.total, 0);
        free(c);
}

static void test_offers_missing_fields_skip_records(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        struct vast_parse_stats st = {0};
        char msg[256] = "";

        (void)state;
        assert_int_equal(
                parse_offers_file("offers_missing_fields.json", c, &st, msg, sizeof(msg)), 0);
        assert_int_equal(c->n, 1);
        assert_int_equal(st.skipped, 5);
        assert_string_equal(c->offers[0].id, "6");
        assert_int_equal(c->offers[0].price, 350000);
        assert_int_equal(c->offers[0].vram, 24576);
        assert_int_equal(c->offers[0].count, 2);
        assert_string_equal(msg, "offers[0].id: missing or not a positive integer");
        free(c);
}

static void test_offers_all_invalid_is_bad_response(void **state)
{
        static const char *const files[] = {"offers_wrong_types.json",
                                            "offers_negative_price.json", "offers_huge.json"};
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                struct collect *c = calloc(1, sizeof(*c));
                struct vast_parse_stats st = {0};
                char msg[256] = "";

                assert_int_equal(parse_offers_file(files[i], c, &st, msg, sizeof(msg)),
                                 GS_E_BADRESPONSE);
                assert_int_equal(c->n, 0);
                assert_int_equal(st.skipped, st.total);
                assert_non_null(strstr(msg, "entries invalid; first: offers[0]."));
                free(c);
        }
}

static void test_offers_mixed_keeps_good_ones(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        struct vast_parse_stats st = {0};
        char msg[256] = "";

        (void)state;
        assert_int_equal(parse_offers_file("offers_mixed.json", c, &st, msg, sizeof(msg)), 0);
        assert_int_equal(c->n, 1);
        assert_int_equal(st.skipped, 2);
        assert_string_equal(c->offers[0].id, "22");
        assert_int_equal(c->offers[0].price, 610000);
        assert_int_equal(c->offers[0].vram, 46068);
        assert_string_equal(c->offers[0].loc, "Quebec, CA");
        assert_int_equal(c->offers[0].rel, 970000);
        assert_int_equal(c->offers[0].cuda, 12200);
        assert_string_equal(msg, "offers[0].dph_total: missing, negative or out of range");
        free(c);
}

static void test_offers_big_numbers_in_unused_fields(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        char msg[256] = "";

        (void)state;
        assert_int_equal(
                parse_offers_file("offers_bigint_unused.json", c, NULL, msg, sizeof(msg)), 0);
        assert_int_equal(c->n, 1);
        assert_int_equal(c->offers[0].rel, 1000000); /* 1.0000001 clamped */
        assert_int_equal(c->offers[0].dur, 0);       /* negative: unlimited */
        assert_int_equal(c->offers[0].cuda, 0);      /* 250: not a CUDA version */
        free(c);
}

static void test_offers_malformed_bodies(void **state)
{
        static const char *const files[] = {
                "offers_nan.json",       "offers_overflow.json",  "offers_truncated.json",
                "offers_root_array.json", "offers_not_array.json", "offers_no_member.json",
                "err_429.json",
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                struct collect *c = calloc(1, sizeof(*c));
                struct vast_parse_stats st = {.total = 77};
                char msg[256] = "";

                assert_int_equal(parse_offers_file(files[i], c, &st, msg, sizeof(msg)),
                                 GS_E_BADRESPONSE);
                assert_int_equal(c->n, 0);
                assert_int_equal(st.total, 77); /* not written: the body did not parse */
                assert_true(msg[0] != '\0');
                free(c);
        }
        /* empty and NULL bodies */
        assert_int_equal(vast_parse_offers("", 0, on_offer, NULL, NULL, NULL, 0),
                         GS_E_BADRESPONSE);
        assert_int_equal(vast_parse_offers(NULL, 5, on_offer, NULL, NULL, NULL, 0),
                         GS_E_BADRESPONSE);
        assert_int_equal(vast_parse_offers("{}", 2, NULL, NULL, NULL, NULL, 0), GS_E_INVAL);
}

/* Deterministic bytes from a tiny LCG (the libc PRNG is banned). */
static uint32_t lcg(uint32_t *s)
{
        *s = *s * 1664525u + 1013904223u;
        return *s >> 8;
}

static void test_offers_hostile_bodies(void **state)
{
        static const char head[] = "{\"offers\": [";
        char *buf = malloc(JUNK_BYTES > 2 * DEEP_LEVELS + 64 ? JUNK_BYTES : 2 * DEEP_LEVELS + 64);
        struct collect *c = calloc(1, sizeof(*c));
        char msg[256];
        uint32_t seed = 42;
        size_t i, n;

        (void)state;
        assert_non_null(buf);
        /* 1 MB of junk, then the same junk behind a valid-looking start. */
        for (i = 0; i < JUNK_BYTES; i++)
                buf[i] = (char)(lcg(&seed) & 0xff);
        assert_int_equal(vast_parse_offers(buf, JUNK_BYTES, on_offer, c, NULL, msg, sizeof(msg)),
                         GS_E_BADRESPONSE);
        memcpy(buf, head, sizeof(head) - 1);
        assert_int_equal(vast_parse_offers(buf, JUNK_BYTES, on_offer, c, NULL, msg, sizeof(msg)),
                         GS_E_BADRESPONSE);
        /* The error message quotes none of it unsanitised. */
        for (i = 0; msg[i]; i++)
                assert_true(msg[i] >= 0x20 && msg[i] < 0x7f);

        /* Deep nesting inside "offers". */
        n = 0;
        memcpy(buf, head, sizeof(head) - 1);
        n += sizeof(head) - 1;
        for (i = 0; i < DEEP_LEVELS; i++)
                buf[n++] = '[';
        for (i = 0; i < DEEP_LEVELS; i++)
                buf[n++] = ']';
        buf[n++] = ']';
        buf[n++] = '}';
        assert_int_equal(vast_parse_offers(buf, n, on_offer, c, NULL, msg, sizeof(msg)),
                         GS_E_BADRESPONSE);

        /* Embedded NUL in the middle of a valid document. */
        assert_int_equal(vast_parse_offers("{\"offers\": [\0]}", 15, on_offer, c, NULL, msg,
                                           sizeof(msg)),
                         GS_E_BADRESPONSE);
        assert_int_equal(c->n, 0);
        free(c);
        free(buf);
}

static void test_offers_many_records(void **state)
{
        static const char rec[] = "{\"id\": %u, \"gpu_name\": \"RTX 4090\", \"gpu_ram\": 24564,"
                                  " \"num_gpus\": 1, \"dph_total\": 0.%03u},";
        const unsigned count = 20000;
        size_t cap = (size_t)count * 96 + 64, n = 0;
        char *buf = malloc(cap);
        struct vast_parse_stats st = {0};
        struct collect *c = calloc(1, sizeof(*c));
        char msg[256];
        unsigned i;

        (void)state;
        assert_non_null(buf);
        n += (size_t)snprintf(buf + n, cap - n, "{\"offers\": [");
        for (i = 1; i <= count; i++)
                n += (size_t)snprintf(buf + n, cap - n, rec, i, i % 1000);
        buf[n - 1] = ']';
        n += (size_t)snprintf(buf + n, cap - n, "}");
        /* The host sink fills up after MAX_GOT - 1 records: stop there. */
        c->fail_at = MAX_GOT;
        assert_int_equal(vast_parse_offers(buf, n, on_offer, c, &st, msg, sizeof(msg)),
                         GS_E_TOOBIG);
        assert_int_equal(c->n, MAX_GOT - 1);
        assert_int_equal(st.emitted, MAX_GOT - 1);
        assert_int_equal(st.total, count);
        assert_int_equal(c->offers[4].price, 5000);
        free(c);
        free(buf);
}

/* The body scanner that reads a list one entry at a time. */
#define OFFER(id, name) "{\"id\": " #id ", \"gpu_name\": \"" name "\", \"gpu_ram\": 24564," \
                        " \"num_gpus\": 1, \"dph_total\": 0.5}"
/* jansson's nesting limit, the root object counted (JSON_PARSER_MAX_DEPTH). */
#define JSON_DEPTH_LIMIT 2048

static int parse_offers_str(const char *body, struct collect *c, struct vast_parse_stats *st)
{
        char msg[256] = "";
        int r;

        c->n = 0;
        *st = (struct vast_parse_stats){.total = 77};
        r = vast_parse_offers(body, strlen(body), on_offer, c, st, msg, sizeof(msg));
        if (r == GS_E_BADRESPONSE) {
                assert_true(msg[0] != '\0');
                for (size_t i = 0; msg[i]; i++)
                        assert_true(msg[i] >= 0x20 && msg[i] < 0x7f);
        }
        return r;
}

static void test_scan_accepts(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        struct vast_parse_stats st;

        (void)state;
        /* Braces, brackets, commas and escaped quotes inside strings. */
        assert_int_equal(parse_offers_str("{\"offers\": [" OFFER(1, "A}]\\\"[{,x\\\\") ", "
                                          "{\"note\": \"]}\\\"\", \"id\": 2, \"gpu_name\": "
                                          "\"B\", \"gpu_ram\": 1, \"num_gpus\": 1, "
                                          "\"dph_total\": 0.1}]}",
                                          c, &st),
                         0);
        assert_int_equal(c->n, 2);
        assert_string_equal(c->offers[0].name, "A}]\"[{,x\\");
        assert_string_equal(c->offers[1].id, "2");
        /* Nested objects and arrays inside an offer. */
        assert_int_equal(parse_offers_str("{\"offers\":[{\"id\":3,\"x\":{\"y\":[1,{\"z\":[]}],"
                                          "\"w\":{}},\"gpu_name\":\"C\",\"gpu_ram\":1,"
                                          "\"num_gpus\":1,\"dph_total\":0.1,\"v\":[[],[[]]]}]}",
                                          c, &st),
                         0);
        assert_int_equal(c->n, 1);
        assert_string_equal(c->offers[0].id, "3");
        /* Blanks everywhere JSON allows them. */
        assert_int_equal(parse_offers_str(" \r\n\t{ \"offers\" \n: \t[ \n" OFFER(4, "D") " \r\n, "
                                          "\t" OFFER(5, "E") "\n ] \n} \n\t",
                                          c, &st),
                         0);
        assert_int_equal(c->n, 2);
        assert_int_equal(st.total, 2);
        /* Empty arrays, with and without blanks. */
        assert_int_equal(parse_offers_str("{\"offers\":[]}", c, &st), 0);
        assert_int_equal(st.total, 0);
        assert_int_equal(parse_offers_str("{\"offers\": [ \n ] }", c, &st), 0);
        assert_int_equal(st.total, 0);
        /* "offers" earlier as a string value and as a nested key: only the
         * root member counts. */
        assert_int_equal(parse_offers_str("{\"a\": \"offers\", \"b\": {\"offers\": [1, 2]}, "
                                          "\"c\": [{\"offers\": 5}], \"offers\": [" OFFER(6, "F")
                                          "], \"d\": \"\\\"offers\\\": []\"}",
                                          c, &st),
                         0);
        assert_int_equal(c->n, 1);
        assert_int_equal(st.total, 1);
        assert_string_equal(c->offers[0].id, "6");
        /* A key spelt with an escape is the same key; the last one wins. */
        assert_int_equal(parse_offers_str("{\"offers\": [" OFFER(7, "G") "], \"off\\u0065rs\": ["
                                          OFFER(8, "H") ", 5]}",
                                          c, &st),
                         0);
        assert_int_equal(c->n, 1);
        assert_string_equal(c->offers[0].id, "8");
        assert_int_equal(st.total, 2);
        assert_int_equal(st.skipped, 1);
        /* Entries that are not objects are skipped and counted, not fatal. */
        assert_int_equal(parse_offers_str("{\"offers\": [\"{\", [], null, " OFFER(9, "I") "]}", c,
                                          &st),
                         0);
        assert_int_equal(c->n, 1);
        assert_int_equal(st.skipped, 3);
        free(c);
}

static void test_scan_rejects(void **state)
{
        static const char *const bodies[] = {
                "{\"offers\": [" OFFER(1, "A") ", {\"id\": 2, \"gpu_na",   /* cut in an entry */
                "{\"offers\": [" OFFER(1, "A") ", {\"id\": 2}",            /* cut after one */
                "{\"offers\": [" OFFER(1, "A") "",                         /* no ']' */
                "{\"offers\": [" OFFER(1, "A") "]",                        /* no '}' */
                "{\"offers\": [" OFFER(1, "A") " x " OFFER(2, "B") "]}",   /* junk between */
                "{\"offers\": [" OFFER(1, "A") ",, " OFFER(2, "B") "]}",   /* empty entry */
                "{\"offers\": [" OFFER(1, "A") ",]}",                      /* trailing comma */
                "{\"offers\": [" OFFER(1, "A") "}}",                       /* wrong closer */
                "{\"offers\": [" OFFER(1, "A") "] x}",                     /* junk after */
                "{\"offers\": [" OFFER(1, "A") "]} {}",                    /* two documents */
                "{\"offers\": [" OFFER(1, "A") "], \"z\": [1,}",           /* bad later member */
                "{\"offers\": [" OFFER(1, "A") "], \"z\": 1e999}",         /* overflow later */
                "{\"offers\": [{\"id\": 1, \"s\": \"\\\"}]}",              /* open string */
                "{\"offers\": [{\"id\": 1, \"s\": \"\\",                   /* backslash at end */
                "{\"offers\": [{\"id\": 1, \"s\": \"\\q\"}]}",             /* bad escape */
                "{\"offers\": [{\"a\": [1}]}",                             /* mismatched */
                "{\"offers\": [" OFFER(1, "A") "], \"offers\": {}}",       /* last is no list */
                "{\"offers\" [" OFFER(1, "A") "]}",                        /* no ':' */
                "{\"offers\": [" OFFER(1, "A") "] \"z\": 1}",              /* no ',' */
                "{\"a\\u0000\": 1, \"offers\": [" OFFER(1, "A") "]}",      /* NUL in a key */
                "{offers: [" OFFER(1, "A") "]}",                           /* bare key */
                "{\"offers\": [" OFFER(1, "A") "],}",                      /* trailing comma */
                "[{\"offers\": [" OFFER(1, "A") "]}]",                     /* root array */
                "  ",
        };
        struct collect *c = calloc(1, sizeof(*c));
        struct vast_parse_stats st;
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
                assert_int_equal(parse_offers_str(bodies[i], c, &st), GS_E_BADRESPONSE);
                assert_int_equal(c->n, 0); /* nothing emitted from a malformed body */
                assert_int_equal(st.total, 77);
        }
        free(c);
}

/* Nesting up to jansson's limit is accepted, one more level is not, both
 * inside an entry and in another member. */
static void test_scan_depth_limit(void **state)
{
        static const char head[] = "{\"offers\": [{\"id\": 1, \"gpu_name\": \"A\", \"gpu_ram\": 1,"
                                   " \"num_gpus\": 1, \"dph_total\": 0.1, \"deep\": ";
        static const char head2[] = "{\"offers\": [" OFFER(1, "A") "], \"deep\": ";
        const size_t cap = 2 * JSON_DEPTH_LIMIT + sizeof(head) + 16;
        char *buf = malloc(cap);
        struct collect *c = calloc(1, sizeof(*c));
        struct vast_parse_stats st;
        size_t extra, i, n;
        int pass;

        (void)state;
        assert_non_null(buf);
        for (pass = 0; pass < 4; pass++) {
                bool in_entry = pass < 2;
                const char *h = in_entry ? head : head2;
                /* root + list + entry, or root alone, around the arrays */
                size_t around = in_entry ? 3 : 1;

                extra = JSON_DEPTH_LIMIT - around + (size_t)(pass % 2);
                n = (size_t)snprintf(buf, cap, "%s", h);
                for (i = 0; i < extra; i++)
                        buf[n++] = '[';
                for (i = 0; i < extra; i++)
                        buf[n++] = ']';
                n += (size_t)snprintf(buf + n, cap - n, in_entry ? "}]}" : "}");
                assert_int_equal(parse_offers_str(buf, c, &st),
                                 pass % 2 ? GS_E_BADRESPONSE : 0);
                assert_int_equal(c->n, pass % 2 ? 0 : 1);
        }
        free(c);
        free(buf);
}

static void test_usd_to_uusd(void **state)
{
        int64_t u = -1;

        (void)state;
        assert_true(vast_usd_to_uusd(0.2288, 1e4, &u));
        assert_int_equal(u, 228800);
        assert_true(vast_usd_to_uusd(0.35, 1e4, &u));
        assert_int_equal(u, 350000);
        assert_true(vast_usd_to_uusd(123.456789, 1e4, &u));
        assert_int_equal(u, 123456789);
        assert_true(vast_usd_to_uusd(1.0000004, 1e4, &u));
        assert_int_equal(u, 1000000);
        assert_true(vast_usd_to_uusd(0.0, 1e4, &u));
        assert_int_equal(u, 0);
        u = 5;
        assert_false(vast_usd_to_uusd(-0.01, 1e4, &u));
        assert_false(vast_usd_to_uusd(NAN, 1e4, &u));
        assert_false(vast_usd_to_uusd(INFINITY, 1e4, &u));
        assert_false(vast_usd_to_uusd(1e4 + 1, 1e4, &u));
        assert_int_equal(u, 5);
}

static int parse_instance_file(const char *name, struct collect *c, char *msg, size_t size)
{
        size_t len;
        char *body = load_fixture(name, &len);
        int r = vast_parse_instance(body, len, on_inst, c, msg, size);

        free(body);
        return r;
}

static void test_instance_running(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        char msg[256] = "";
        const struct got_inst *g;

        (void)state;
        assert_int_equal(parse_instance_file("instance_running.json", c, msg, sizeof(msg)), 0);
        assert_int_equal(c->n, 1);
        g = &c->insts[0];
        assert_string_equal(g->id, "12345");
        assert_int_equal(g->state, GS_INST_RUNNING);
        assert_string_equal(g->status, "running");
        assert_string_equal(g->label, "gs-dep1-sess-abcdefghijkl");
        assert_string_equal(g->host, "ssh.vast.ai");
        assert_int_equal(g->port, 20544);
        assert_int_equal(g->price, 413333);
        assert_int_equal(g->created, INT64_C(1706745600000));
        assert_string_equal(g->gpu, "RTX 4090");
        assert_int_equal(g->gpus, 1);
        free(c);
}

static void test_instance_loading_and_odd_fields(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        char msg[256] = "";
        const struct got_inst *g;

        (void)state;
        assert_int_equal(parse_instance_file("instance_loading.json", c, msg, sizeof(msg)), 0);
        g = &c->insts[0];
        assert_int_equal(g->state, GS_INST_PENDING);
        assert_false(g->has_label);
        assert_false(g->has_host);
        assert_int_equal(g->port, 0);
        assert_int_equal(g->price, 0);
        assert_int_equal(g->created, INT64_C(1706745601500));

        c->n = 0;
        assert_int_equal(parse_instance_file("instance_no_status.json", c, msg, sizeof(msg)), 0);
        g = &c->insts[0];
        assert_int_equal(g->state, GS_INST_PENDING);
        assert_false(g->has_status);
        assert_false(g->has_host); /* "bad host\r\nX: y" refused */
        assert_int_equal(g->port, 0);
        free(c);
}

static void test_instance_gone_and_malformed(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        char msg[256] = "";

        (void)state;
        assert_int_equal(parse_instance_file("instance_null.json", c, msg, sizeof(msg)),
                         GS_E_NOTFOUND);
        assert_int_equal(parse_instance_file("instance_no_id.json", c, msg, sizeof(msg)),
                         GS_E_BADRESPONSE);
        assert_int_equal(parse_instance_file("instances_list.json", c, msg, sizeof(msg)),
                         GS_E_BADRESPONSE);
        assert_int_equal(parse_instance_file("offers_truncated.json", c, msg, sizeof(msg)),
                         GS_E_BADRESPONSE);
        assert_int_equal(vast_parse_instance("{}", 2, on_inst, c, msg, sizeof(msg)),
                         GS_E_BADRESPONSE);
        assert_int_equal(c->n, 0);
        free(c);
}

static void test_instances_list(void **state)
{
        struct collect *c = calloc(1, sizeof(*c));
        struct vast_parse_stats st = {0};
        char msg[256] = "";
        size_t len;
        char *body = load_fixture("instances_list.json", &len);

        (void)state;
        assert_int_equal(vast_parse_instances(body, len, on_inst, c, &st, msg, sizeof(msg)), 0);
        free(body);
        assert_int_equal(c->n, 3);
        assert_int_equal(st.skipped, 1);
        assert_string_equal(c->insts[0].id, "123");
        assert_string_equal(c->insts[0].label, "gs-dep1-sess-aaaaaaaaaaaa");
        assert_int_equal(c->insts[0].price, 500000);
        assert_int_equal(c->insts[0].created, INT64_C(1706500000000));
        assert_string_equal(c->insts[0].host, "ssh5.vast.ai");
        assert_int_equal(c->insts[0].port, 39860);
        assert_string_equal(c->insts[1].label, "other-instance");
        assert_int_equal(c->insts[2].state, GS_INST_STOPPED);
        assert_false(c->insts[2].has_label);

        c->n = 0;
        body = load_fixture("instances_empty.json", &len);
        assert_int_equal(vast_parse_instances(body, len, on_inst, c, &st, msg, sizeof(msg)), 0);
        free(body);
        assert_int_equal(c->n, 0);
        assert_int_equal(vast_parse_instances("{\"instances\": null}", 19, on_inst, c, &st, msg,
                                              sizeof(msg)),
                         GS_E_BADRESPONSE);
        free(c);
}

static int parse_create_file(const char *name, char *contract, char *msg, size_t size)
{
        size_t len;
        char *body = load_fixture(name, &len);
        int r = vast_parse_create(body, len, contract, msg, size);

        free(body);
        return r;
}

static void test_create_bodies(void **state)
{
        char contract[VAST_ID_STR_MAX] = "", msg[256] = "";

        (void)state;
        assert_int_equal(parse_create_file("create_ok.json", contract, msg, sizeof(msg)), 0);
        assert_string_equal(contract, "12345678");
        /* the contract decides, not "success" */
        assert_int_equal(parse_create_file("create_success_false.json", contract, msg,
                                           sizeof(msg)),
                         0);
        assert_string_equal(contract, "7777777");
        assert_int_equal(parse_create_file("create_no_such_ask.json", contract, msg, sizeof(msg)),
                         GS_E_UNAVAILABLE);
        assert_int_equal(parse_create_file("create_no_contract.json", contract, msg, sizeof(msg)),
                         GS_E_UPSTREAM);
        assert_string_equal(msg, "no contract created: Your balance is too low");
        assert_int_equal(parse_create_file("create_contract_string.json", contract, msg,
                                           sizeof(msg)),
                         GS_E_BADRESPONSE);
        assert_int_equal(parse_create_file("offers_truncated.json", contract, msg, sizeof(msg)),
                         GS_E_BADRESPONSE);
        assert_string_equal(contract, "7777777"); /* untouched by failures */
}

static void test_destroy_bodies(void **state)
{
        char msg[256] = "";
        size_t len;
        char *body;

        (void)state;
        body = load_fixture("destroy_ok.json", &len);
        assert_int_equal(vast_parse_destroy(body, len, msg, sizeof(msg)), 0);
        free(body);
        body = load_fixture("destroy_refused.json", &len);
        assert_int_equal(vast_parse_destroy(body, len, msg, sizeof(msg)), GS_E_UPSTREAM);
        assert_string_equal(msg, "refused: instance locked");
        free(body);
        assert_int_equal(vast_parse_destroy("", 0, msg, sizeof(msg)), 0);
        assert_int_equal(vast_parse_destroy("<html>", 6, msg, sizeof(msg)), 0);
}

static void test_error_text_is_capped_and_sanitised(void **state)
{
        char out[VAST_PROVIDER_TEXT_MAX + 4];
        char big[1000];
        size_t len;
        char *body;

        (void)state;
        body = load_fixture("err_401.json", &len);
        vast_error_text(body, len, out, sizeof(out));
        free(body);
        assert_string_equal(out, "Authentication credentials were not provided.??[31m");

        body = load_fixture("err_429.json", &len);
        vast_error_text(body, len, out, sizeof(out));
        free(body);
        assert_string_equal(out, "The action could not be performed because there were too "
                                 "many requests by the client. API requests too frequent: "
                                 "endpoint threshold=4.5*1.0");

        memset(big, 'A', sizeof(big));
        vast_error_text(big, sizeof(big), out, sizeof(out));
        assert_int_equal(strlen(out), VAST_PROVIDER_TEXT_MAX + 3);
        assert_string_equal(out + VAST_PROVIDER_TEXT_MAX, "...");

        vast_error_text("plain \x01\xff text", 13, out, sizeof(out));
        assert_string_equal(out, "plain ?? text");
        vast_error_text(NULL, 0, out, sizeof(out));
        assert_string_equal(out, "");
}

static void test_stale_detection(void **state)
{
        char *body;
        size_t len;

        (void)state;
        body = load_fixture("create_no_such_ask.json", &len);
        assert_true(vast_body_says_stale(body, len));
        free(body);
        body = load_fixture("create_no_contract.json", &len);
        assert_false(vast_body_says_stale(body, len));
        free(body);
        assert_true(vast_body_says_stale("Offer NO LONGER AVAILABLE", 25));
        assert_false(vast_body_says_stale(NULL, 0));
}

static void test_state_mapping(void **state)
{
        (void)state;
        assert_int_equal(vast_state("running", "running", "running"), GS_INST_RUNNING);
        assert_int_equal(vast_state("Running", NULL, NULL), GS_INST_RUNNING);
        assert_int_equal(vast_state("loading", "running", "running"), GS_INST_PENDING);
        assert_int_equal(vast_state("creating", NULL, NULL), GS_INST_PENDING);
        assert_int_equal(vast_state("created", NULL, NULL), GS_INST_PENDING);
        assert_int_equal(vast_state("rebooting", "running", NULL), GS_INST_PENDING);
        assert_int_equal(vast_state(NULL, "running", NULL), GS_INST_PENDING);
        assert_int_equal(vast_state(NULL, NULL, NULL), GS_INST_PENDING);
        assert_int_equal(vast_state(NULL, "stopped", "stopped"), GS_INST_STOPPED);
        assert_int_equal(vast_state("exited", "running", "running"), GS_INST_STOPPED);
        assert_int_equal(vast_state("stopped", "stopped", "stopped"), GS_INST_STOPPED);
        assert_int_equal(vast_state("frozen", "frozen", NULL), GS_INST_STOPPED);
        assert_int_equal(vast_state("offline", "running", NULL), GS_INST_UNKNOWN);
        assert_int_equal(vast_state("unknown", NULL, NULL), GS_INST_UNKNOWN);
        assert_int_equal(vast_state("exploded", NULL, NULL), GS_INST_UNKNOWN);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_offers_ok),
                cmocka_unit_test(test_offers_empty),
                cmocka_unit_test(test_offers_missing_fields_skip_records),
                cmocka_unit_test(test_offers_all_invalid_is_bad_response),
                cmocka_unit_test(test_offers_mixed_keeps_good_ones),
                cmocka_unit_test(test_offers_big_numbers_in_unused_fields),
                cmocka_unit_test(test_offers_malformed_bodies),
                cmocka_unit_test(test_offers_hostile_bodies),
                cmocka_unit_test(test_offers_many_records),
                cmocka_unit_test(test_scan_accepts),
                cmocka_unit_test(test_scan_rejects),
                cmocka_unit_test(test_scan_depth_limit),
                cmocka_unit_test(test_usd_to_uusd),
                cmocka_unit_test(test_instance_running),
                cmocka_unit_test(test_instance_loading_and_odd_fields),
                cmocka_unit_test(test_instance_gone_and_malformed),
                cmocka_unit_test(test_instances_list),
                cmocka_unit_test(test_create_bodies),
                cmocka_unit_test(test_destroy_bodies),
                cmocka_unit_test(test_error_text_is_capped_and_sanitised),
                cmocka_unit_test(test_stale_detection),
                cmocka_unit_test(test_state_mapping),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
