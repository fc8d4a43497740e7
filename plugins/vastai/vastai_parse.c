/*
 * vastai_parse.c - Vast.ai JSON bodies -> gs_offer / gs_instance_info
 * records (units per provider-wire-contract §2.3, §2.6, §2.9).
 */
#include "vastai_parse.h"

#include "json_scan.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define UUSD_PER_USD 1e6
#define MS_PER_S 1e3
#define CUDA_MILLI 1e3
#define PPM 1e6
/* Decoding flags: integers as doubles, so a 25-digit number in a field we
 * never read does not fail the whole body (ids are checked against 2^53);
 * NUL escapes allowed, since get_str() refuses such strings anyway. */
#define VAST_JSON_FLAGS (JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL)
/* Only the head of an error body is searched for stale-offer phrases. */
#define VAST_STALE_SCAN_MAX 65536

/* Phrases of a create failure that mean "this offer is gone" (lower case). */
static const char *const stale_phrases[] = {
        "no_such_ask", "not available", "no longer available", "already rented",
        "no available",
};

/* Where a list parse keeps its running state. */
struct list_ctx {
        char *msg;
        size_t msg_size;
        struct vast_parse_stats stats;
};

static void set_msg(char *msg, size_t size, const char *fmt, ...) GS_PRINTF(3, 4);

static void set_msg(char *msg, size_t size, const char *fmt, ...)
{
        va_list ap;

        if (!msg || size == 0)
                return;
        va_start(ap, fmt);
        (void)vsnprintf(msg, size, fmt, ap);
        va_end(ap);
}

void vast_sanitize(const char *s, size_t len, size_t max, char *out, size_t size)
{
        static const char ellipsis[] = "...";
        size_t i, o = 0;
        bool cut = len > max, blank = false;

        if (!out || size == 0)
                return;
        if (cut)
                len = max;
        for (i = 0; i < len && o + 1 < size; i++) {
                unsigned char c = (unsigned char)s[i];

                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                        blank = o > 0;
                        continue;
                }
                if (blank && o + 2 < size) {
                        out[o++] = ' ';
                        blank = false;
                }
                out[o++] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
        }
        if (cut && o + sizeof(ellipsis) <= size) {
                memcpy(out + o, ellipsis, sizeof(ellipsis) - 1);
                o += sizeof(ellipsis) - 1;
        }
        out[o] = '\0';
}

/* jansson's own error text quotes the body ("near '...'"): sanitise it. */
static int bad_json(const json_error_t *jerr, char *msg, size_t msg_size)
{
        char text[VAST_PROVIDER_TEXT_MAX + 4];

        vast_sanitize(jerr->text, strlen(jerr->text), VAST_PROVIDER_TEXT_MAX, text,
                      sizeof(text));
        set_msg(msg, msg_size, "malformed JSON at line %d column %d: %s", jerr->line,
                jerr->column, text);
        return GS_E_BADRESPONSE;
}

static json_t *load(const char *body, size_t len, char *msg, size_t msg_size, int *ret_r)
{
        json_error_t jerr;
        json_t *root;

        if (!body || len == 0) {
                set_msg(msg, msg_size, "empty body");
                *ret_r = GS_E_BADRESPONSE;
                return NULL;
        }
        root = json_loadb(body, len, VAST_JSON_FLAGS, &jerr);
        if (!root) {
                *ret_r = bad_json(&jerr, msg, msg_size);
                return NULL;
        }
        if (!json_is_object(root)) {
                set_msg(msg, msg_size, "top level is not a JSON object");
                json_decref(root);
                *ret_r = GS_E_BADRESPONSE;
                return NULL;
        }
        *ret_r = 0;
        return root;
}

/* A finite number, or false. */
static bool get_num(const json_t *o, const char *key, double *ret)
{
        const json_t *v = json_object_get(o, key);
        double d;

        if (!json_is_number(v))
                return false;
        d = json_number_value(v);
        if (!isfinite(d))
                return false;
        *ret = d;
        return true;
}

/* A string of 1..max bytes without embedded NUL, or NULL. */
static const char *get_str(const json_t *o, const char *key, size_t max)
{
        const json_t *v = json_object_get(o, key);
        size_t n;

        if (!json_is_string(v))
                return NULL;
        n = json_string_length(v);
        if (n == 0 || n > max || strlen(json_string_value(v)) != n)
                return NULL;
        return json_string_value(v);
}

/* A positive integral number up to 2^53, printed as decimal. */
static bool get_id(const json_t *o, const char *key, char buf[VAST_ID_STR_MAX])
{
        double d;

        if (!get_num(o, key, &d) || d < 1.0 || d > VAST_ID_MAX || floor(d) != d)
                return false;
        (void)snprintf(buf, VAST_ID_STR_MAX, "%" PRIu64, (uint64_t)d);
        return true;
}

bool vast_usd_to_uusd(double usd, double max_usd, int64_t *ret_uusd)
{
        if (!isfinite(usd) || usd < 0.0 || usd > max_usd)
                return false;
        *ret_uusd = (int64_t)llround(usd * UUSD_PER_USD);
        return true;
}

/* Copy `s` into `buf` with control characters blanked, leading/trailing
 * blanks and commas trimmed (", CN" -> "CN") and at most max bytes kept,
 * cut on a UTF-8 boundary. NULL when nothing is left. */
static const char *clean_location(const char *s, char *buf, size_t max)
{
        size_t len = strlen(s), start = 0, i;

        while (start < len && (s[start] == ' ' || s[start] == ',' ||
                               (unsigned char)s[start] < 0x20))
                start++;
        while (len > start && (s[len - 1] == ' ' || s[len - 1] == ',' ||
                               (unsigned char)s[len - 1] < 0x20))
                len--;
        len -= start;
        if (len == 0)
                return NULL;
        if (len > max) {
                len = max;
                while (len > 0 && ((unsigned char)s[start + len] & 0xC0) == 0x80)
                        len--;
                if (len == 0)
                        return NULL;
        }
        for (i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[start + i];

                buf[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
        }
        buf[len] = '\0';
        return buf;
}

static bool is_host_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == ':';
}

static const char *get_host(const json_t *o, const char *key)
{
        const char *s = get_str(o, key, VAST_HOST_MAX);
        size_t i;

        if (!s)
                return NULL;
        for (i = 0; s[i]; i++)
                if (!is_host_char(s[i]))
                        return NULL;
        return s;
}

static void note_skip(struct list_ctx *lc, const char *what, size_t idx, const char *field,
                      const char *why)
{
        if (lc->stats.skipped++ == 0)
                set_msg(lc->msg, lc->msg_size, "%s[%zu].%s: %s", what, idx, field, why);
}

/* One offer entry. 1 = emitted, 0 = skipped, < 0 = callback failure. */
static int offer_from(const json_t *e, size_t idx, struct list_ctx *lc, vast_offer_fn fn,
                      void *ctx)
{
        char id[VAST_ID_STR_MAX], machine[VAST_ID_STR_MAX], loc[VAST_LOCATION_MAX + 1];
        struct gs_offer o = {.struct_size = sizeof(o)};
        const json_t *rentable, *rented;
        const char *s;
        double d;
        int r;

        if (!json_is_object(e)) {
                note_skip(lc, "offers", idx, "*", "not an object");
                return 0;
        }
        if (!get_id(e, "id", id)) {
                note_skip(lc, "offers", idx, "id", "missing or not a positive integer");
                return 0;
        }
        o.offer_id = id;
        o.gpu_name_raw = get_str(e, "gpu_name", VAST_NAME_MAX);
        if (!o.gpu_name_raw) {
                note_skip(lc, "offers", idx, "gpu_name", "missing, empty or too long");
                return 0;
        }
        if (!get_num(e, "num_gpus", &d) || d < 1.0 || d > VAST_GPU_COUNT_MAX || floor(d) != d) {
                note_skip(lc, "offers", idx, "num_gpus", "missing or not an integer in 1..64");
                return 0;
        }
        o.gpu_count = (uint32_t)d;
        /* gpu_ram is per GPU in Vast "MB", which are MiB (24576 for 24 GiB). */
        if (!get_num(e, "gpu_ram", &d) || d < 0.0 || d > (double)VAST_VRAM_MIB_MAX) {
                note_skip(lc, "offers", idx, "gpu_ram", "missing or out of range");
                return 0;
        }
        o.vram_mib = (uint64_t)llround(d);
        /* dph_total is the whole bundle's hourly price. */
        if (!get_num(e, "dph_total", &d) ||
            !vast_usd_to_uusd(d, VAST_PRICE_USD_MAX, &o.price_uusd_per_hour)) {
                note_skip(lc, "offers", idx, "dph_total", "missing, negative or out of range");
                return 0;
        }

        s = get_str(e, "geolocation", VAST_LOCATION_MAX * 4);
        o.location = s ? clean_location(s, loc, VAST_LOCATION_MAX) : NULL;
        if (get_num(e, "reliability2", &d) && d > 0.0)
                o.reliability_ppm = d >= 1.0 ? (uint32_t)PPM : (uint32_t)llround(d * PPM);
        if (get_num(e, "cuda_max_good", &d) && d > 0.0 && d < VAST_CUDA_MAX)
                o.cuda_milli = (uint32_t)llround(d * CUDA_MILLI);
        rentable = json_object_get(e, "rentable");
        rented = json_object_get(e, "rented");
        o.available = !json_is_false(rentable) && !json_is_true(rented);
        if (get_num(e, "duration", &d) && d > 0.0 && d < VAST_DURATION_S_MAX)
                o.max_duration_ms = (int64_t)llround(d * MS_PER_S);
        if (get_id(e, "machine_id", machine))
                o.machine_id = machine;
        /* On-demand search: never interruptible, whatever min_bid says. */
        o.flags = 0;

        r = fn(ctx, &o);
        return r < 0 ? r : 1;
}

/* One instance object into info (strings point into e or the buffers). */
static bool instance_from(const json_t *e, char id[VAST_ID_STR_MAX], struct gs_instance_info *info,
                          const char **ret_why)
{
        const char *actual, *intended, *cur;
        double d;

        *info = (struct gs_instance_info){.struct_size = sizeof(*info)};
        if (!json_is_object(e)) {
                *ret_why = "not an object";
                return false;
        }
        if (!get_id(e, "id", id)) {
                *ret_why = "id missing or not a positive integer";
                return false;
        }
        info->instance_id = id;
        info->label = get_str(e, "label", VAST_NAME_MAX);
        actual = get_str(e, "actual_status", VAST_STATUS_MAX);
        intended = get_str(e, "intended_status", VAST_STATUS_MAX);
        cur = get_str(e, "cur_state", VAST_STATUS_MAX);
        info->state = vast_state(actual, intended, cur);
        info->status_raw = actual;
        info->ssh_host = get_host(e, "ssh_host");
        if (get_num(e, "ssh_port", &d) && d >= 1.0 && d <= 65535.0 && floor(d) == d)
                info->ssh_port = (uint32_t)d;
        info->ssh_user = "root";
        if (get_num(e, "dph_total", &d))
                (void)vast_usd_to_uusd(d, VAST_PRICE_USD_MAX, &info->price_uusd_per_hour);
        if (get_num(e, "start_date", &d) && d > 0.0 && d < VAST_EPOCH_S_MAX)
                info->created_at_ms = (int64_t)llround(d * MS_PER_S);
        info->gpu_name_raw = get_str(e, "gpu_name", VAST_NAME_MAX);
        if (get_num(e, "num_gpus", &d) && d >= 1.0 && d <= VAST_GPU_COUNT_MAX && floor(d) == d)
                info->gpu_count = (uint32_t)d;
        return true;
}

/*
 * List bodies are read one entry at a time so that at most one entry's
 * jansson tree exists at once (an offer list is 10-20 MB of JSON), by the
 * scanner of plugins/common/json_scan.c, which accepts a body exactly when
 * json_loadb() would.
 * Pass 1 checks the whole body and finds the list (the last member of that
 * name wins, as in jansson); pass 2 converts and emits, so a malformed body
 * emits nothing.
 */

/* An entry handler's "stop cleanly". */
#define WALK_STOP JSON_SCAN_STOP

/* What pass 2 needs per entry. */
struct emit_ctx {
        struct list_ctx *lc;
        const char *member;
        vast_offer_fn ofn;
        vast_instance_fn ifn;
        void *ctx;
};

/* Pass 2 entry handler: convert and emit. */
static int emit_entry(void *arg, json_t *e, size_t idx)
{
        struct emit_ctx *ec = arg;
        struct list_ctx *lc = ec->lc;
        int one;

        if (idx >= VAST_RECORDS_MAX) {
                lc->stats.skipped += lc->stats.total - (uint32_t)idx;
                return WALK_STOP;
        }
        if (ec->ofn) {
                one = offer_from(e, idx, lc, ec->ofn, ec->ctx);
        } else {
                char id[VAST_ID_STR_MAX];
                struct gs_instance_info info;
                const char *why;

                if (!instance_from(e, id, &info, &why)) {
                        note_skip(lc, ec->member, idx, "*", why);
                        one = 0;
                } else {
                        one = ec->ifn(ec->ctx, &info);
                        one = one < 0 ? one : 1;
                }
        }
        if (one < 0) {
                set_msg(lc->msg, lc->msg_size, "%s[%zu]: refused by the host", ec->member, idx);
                return one;
        }
        lc->stats.emitted += (uint32_t)one;
        return 0;
}

/* Shared driver of the two list parsers. */
static int parse_list(const char *body, size_t len, const char *member, vast_offer_fn ofn,
                      vast_instance_fn ifn, void *ctx, struct vast_parse_stats *ret_stats,
                      char *msg, size_t msg_size)
{
        struct json_scan js = {.body = body, .len = len, .flags = VAST_JSON_FLAGS};
        struct list_ctx lc = {.msg = msg, .msg_size = msg_size};
        struct emit_ctx ec = {.lc = &lc, .member = member, .ofn = ofn, .ifn = ifn, .ctx = ctx};
        size_t pos, arr, count;
        unsigned depth;
        json_t *root;
        int r;

        if (!body || len == 0) {
                set_msg(msg, msg_size, "empty body");
                r = GS_E_BADRESPONSE;
                goto done;
        }
        pos = json_scan_skip_blanks(&js, 0);
        if (pos >= len || body[pos] != '{') {
                /* Not an object: jansson says what is wrong, as before. */
                root = load(body, len, msg, msg_size, &r);
                if (root) {
                        json_decref(root);
                        set_msg(msg, msg_size, "top level is not a JSON object");
                        r = GS_E_BADRESPONSE;
                }
                goto done;
        }
        r = json_scan_find(&js, pos, &member, 1, &arr, &count, &depth);
        if (r < 0)
                goto done;
        if (arr == 0) {
                set_msg(msg, msg_size, "'%s' missing or not an array", member);
                r = GS_E_BADRESPONSE;
                goto done;
        }
        lc.stats.total = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
        r = json_scan_walk(&js, arr, depth, emit_entry, &ec);
        if (r >= 0 && lc.stats.total > 0 && lc.stats.emitted == 0) {
                char first[GS_ERROR_MSG_MAX];

                set_msg(first, sizeof(first), "%s", msg ? msg : "");
                set_msg(msg, msg_size, "all %" PRIu32 " entries invalid; first: %s",
                        lc.stats.total, first);
                r = GS_E_BADRESPONSE;
        } else if (r == WALK_STOP) {
                r = 0;
        }
        if (ret_stats)
                *ret_stats = lc.stats;
done:
        if (js.failed)
                r = bad_json(&js.err, msg, msg_size);
        return r;
}

int vast_parse_offers(const char *body, size_t len, vast_offer_fn fn, void *ctx,
                      struct vast_parse_stats *ret_stats, char *msg, size_t msg_size)
{
        if (!fn)
                return GS_E_INVAL;
        return parse_list(body, len, "offers", fn, NULL, ctx, ret_stats, msg, msg_size);
}

int vast_parse_instances(const char *body, size_t len, vast_instance_fn fn, void *ctx,
                         struct vast_parse_stats *ret_stats, char *msg, size_t msg_size)
{
        if (!fn)
                return GS_E_INVAL;
        return parse_list(body, len, "instances", NULL, fn, ctx, ret_stats, msg, msg_size);
}

int vast_parse_instance(const char *body, size_t len, vast_instance_fn fn, void *ctx, char *msg,
                        size_t msg_size)
{
        char id[VAST_ID_STR_MAX];
        struct gs_instance_info info;
        const char *why;
        json_t *root, *inst;
        int r;

        if (!fn)
                return GS_E_INVAL;
        root = load(body, len, msg, msg_size, &r);
        if (!root)
                return r;
        inst = json_object_get(root, "instances");
        if (!inst) {
                set_msg(msg, msg_size, "'instances' missing");
                r = GS_E_BADRESPONSE;
        } else if (json_is_null(inst)) {
                set_msg(msg, msg_size, "instance no longer exists");
                r = GS_E_NOTFOUND;
        } else if (!instance_from(inst, id, &info, &why)) {
                set_msg(msg, msg_size, "instances: %s", why);
                r = GS_E_BADRESPONSE;
        } else {
                r = fn(ctx, &info);
                if (r < 0)
                        set_msg(msg, msg_size, "instance refused by the host");
        }
        json_decref(root);
        return r;
}

bool vast_body_says_stale(const char *body, size_t len)
{
        size_t i, p;

        if (!body)
                return false;
        if (len > VAST_STALE_SCAN_MAX)
                len = VAST_STALE_SCAN_MAX;
        for (p = 0; p < sizeof(stale_phrases) / sizeof(stale_phrases[0]); p++) {
                size_t n = strlen(stale_phrases[p]);

                for (i = 0; i + n <= len; i++)
                        if (strncasecmp(body + i, stale_phrases[p], n) == 0)
                                return true;
        }
        return false;
}

void vast_error_text(const char *body, size_t len, char *out, size_t size)
{
        static const char *const keys[] = {"msg", "message", "error", "detail"};
        json_t *root = NULL;
        const char *s = body;
        size_t n = len, i;

        if (!out || size == 0)
                return;
        if (!body || len == 0) {
                out[0] = '\0';
                return;
        }
        root = json_loadb(body, len, VAST_JSON_FLAGS, NULL);
        if (json_is_object(root)) {
                for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                        const json_t *v = json_object_get(root, keys[i]);

                        if (json_is_string(v) && json_string_length(v) > 0) {
                                s = json_string_value(v);
                                n = json_string_length(v);
                                break;
                        }
                }
        }
        vast_sanitize(s, n, VAST_PROVIDER_TEXT_MAX, out, size);
        json_decref(root);
}

int vast_parse_create(const char *body, size_t len, char *ret_contract, char *msg,
                      size_t msg_size)
{
        char id[VAST_ID_STR_MAX];
        const json_t *contract;
        json_t *root;
        int r;

        if (!ret_contract)
                return GS_E_INVAL;
        root = load(body, len, msg, msg_size, &r);
        if (!root)
                return r;
        contract = json_object_get(root, "new_contract");
        /* The contract id decides, not "success": Vast may say false for a
         * request that did create an instance. */
        if (get_id(root, "new_contract", id)) {
                memcpy(ret_contract, id, sizeof(id));
                r = 0;
        } else if (contract && !json_is_null(contract) &&
                   !(json_is_number(contract) && json_number_value(contract) == 0.0)) {
                set_msg(msg, msg_size, "new_contract is not a positive integer");
                r = GS_E_BADRESPONSE;
        } else {
                char text[VAST_PROVIDER_TEXT_MAX + 4];

                vast_error_text(body, len, text, sizeof(text));
                set_msg(msg, msg_size, "no contract created: %s", text[0] ? text : "(no reason)");
                r = vast_body_says_stale(body, len) ? GS_E_UNAVAILABLE : GS_E_UPSTREAM;
        }
        json_decref(root);
        return r;
}

int vast_parse_destroy(const char *body, size_t len, char *msg, size_t msg_size)
{
        json_t *root;
        int r = 0;

        if (!body || len == 0)
                return 0;
        root = json_loadb(body, len, VAST_JSON_FLAGS, NULL);
        if (json_is_object(root) && json_is_false(json_object_get(root, "success"))) {
                char text[VAST_PROVIDER_TEXT_MAX + 4];

                vast_error_text(body, len, text, sizeof(text));
                set_msg(msg, msg_size, "refused: %s", text);
                r = GS_E_UPSTREAM;
        }
        json_decref(root);
        return r;
}

static bool is(const char *s, const char *word)
{
        return s && strcasecmp(s, word) == 0;
}

uint32_t vast_state(const char *actual, const char *intended, const char *cur)
{
        bool wants_stop = is(intended, "stopped") || is(intended, "frozen");

        if (is(actual, "running"))
                return GS_INST_RUNNING;
        if (is(actual, "exited") || is(actual, "stopped") || is(actual, "frozen"))
                return GS_INST_STOPPED;
        /* Host without heartbeat or disconnected: may come back, may not. */
        if (is(actual, "offline") || is(actual, "unknown"))
                return GS_INST_UNKNOWN;
        if (!actual || is(actual, "created") || is(actual, "creating") || is(actual, "loading") ||
            is(actual, "scheduling") || is(actual, "rebooting")) {
                if (wants_stop && (is(cur, "stopped") || !actual))
                        return GS_INST_STOPPED;
                return GS_INST_PENDING;
        }
        return GS_INST_UNKNOWN;
}
