/*
 * td_parse.c - TensorDock API v2 wire format: pure JSON -> record parsing.
 *
 * Policy for hostile or odd bodies: a body that is not JSON, has the wrong
 * root shape or lacks the top-level array is GS_E_BADRESPONSE. Inside the
 * array, an element with a missing or wrongly typed required field is skipped
 * and counted (td_parse_stats), so one odd location cannot blank the whole
 * catalogue; a non-empty array whose every element is malformed is again
 * GS_E_BADRESPONSE. Optional fields of the wrong type are treated as absent.
 */
#include "td_parse.h"

/* Longest SSH user name accepted from a response. */
#define TD_SSH_USER_MAX 32

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "json_scan.h"

/* Reliability 1.0 in parts per million; MiB per GB of VRAM. */
#define PPM_ONE 1000000
#define MIB_PER_GB 1024
/* Nano-USD per USD, and nano-USD per micro-USD. */
#define NUSD_PER_USD 1000000000.0
#define NUSD_PER_UUSD 1000
/* Part of an offending offer id quoted back in a message. */
#define QUOTE_MAX 80
/* Largest "status" accepted in a 200-with-error body. */
#define HTTP_STATUS_MAX 999
/* Longest status word compared against the tables. */
#define STATUS_WORD_MAX 64
/* jansson decoding flags of every body (strict: no NUL, integers as such). */
#define TD_JSON_FLAGS 0

/* Case-insensitive substrings that mark a create error as a stale offer
 * (wire contract §3.4). */
static const char *const stale_phrases[] = {
        "no available nodes",     "insufficient capacity",   "not enough capacity",
        "resource unavailable",   "out of stock",            "no nodes available",
        "nodes unavailable",      "gpu unavailable",         "gpu not available",
        "no gpus available",      "requested gpu",           "gpu capacity",
        "no matching gpu",        "gpu is not available",    "datacenter unavailable",
        "location unavailable",   "temporarily unavailable", "under maintenance",
        "region unavailable",     "site unavailable",        "high demand",
        "sold out",               "fully allocated",         "at capacity",
        "no capacity",            "capacity limit",          "cannot allocate",
        "allocation failed",      "resource limit",          "quota exceeded",
        "limit reached",          "maximum",                 "no available public ips",
        "no available public ip", "no public ip",
};

/* Status word -> GS_INST_* (wire contract §3.8). Anything else is UNKNOWN. */
static const struct {
        const char *word;
        uint32_t state;
} status_table[] = {
        {"running", GS_INST_RUNNING},
        {"creating", GS_INST_PENDING},
        {"created", GS_INST_PENDING},
        {"pending", GS_INST_PENDING},
        {"provisioning", GS_INST_PENDING},
        {"starting", GS_INST_PENDING},
        {"booting", GS_INST_PENDING},
        {"stopping", GS_INST_STOPPED},
        {"stopped", GS_INST_STOPPED},
        {"stoppeddisassociated", GS_INST_STOPPED},
        {"error", GS_INST_STOPPED},
        {"failed", GS_INST_STOPPED},
        {"terminated", GS_INST_STOPPED},
        {"deleting", GS_INST_DELETING},
        {"deleted", GS_INST_DELETING},
};

void td_perr_set(struct td_perr *perr, const char *fmt, ...)
{
        va_list ap;

        if (!perr)
                return;
        va_start(ap, fmt);
        (void)vsnprintf(perr->msg, sizeof(perr->msg), fmt, ap);
        va_end(ap);
}

static void skip_note(struct td_parse_stats *st, const char *fmt, ...) GS_PRINTF(2, 3);

static void skip_note(struct td_parse_stats *st, const char *fmt, ...)
{
        va_list ap;

        st->malformed++;
        if (st->first_malformed[0] != '\0')
                return;
        va_start(ap, fmt);
        (void)vsnprintf(st->first_malformed, sizeof(st->first_malformed), fmt, ap);
        va_end(ap);
}

static bool is_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_name_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
}

/* Length of the UUID at the start of s (0..len), or 0 when there is none. */
static size_t uuid_prefix(const char *s, size_t len)
{
        static const size_t groups[] = {8, 4, 4, 4, 12};
        size_t pos = 0;
        size_t g, i;

        for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
                if (g > 0) {
                        if (pos >= len || s[pos] != '-')
                                return 0;
                        pos++;
                }
                for (i = 0; i < groups[g]; i++, pos++)
                        if (pos >= len || !is_hex(s[pos]))
                                return 0;
        }
        return pos;
}

bool td_is_uuid(const char *s, size_t len)
{
        return s && len == TD_UUID_LEN && uuid_prefix(s, len) == len;
}

static bool is_token(const char *s, size_t max)
{
        size_t n;

        if (!s || s[0] == '\0')
                return false;
        for (n = 0; s[n] != '\0'; n++)
                if (n >= max || !is_name_char(s[n]))
                        return false;
        return true;
}

bool td_is_gpu_name(const char *s)
{
        return is_token(s, TD_GPU_NAME_MAX);
}

bool td_is_instance_id(const char *s)
{
        return is_token(s, TD_INSTANCE_ID_MAX);
}

int td_offer_id_parse(const char *text, struct td_offer_id *ret_id, struct td_perr *perr)
{
        char quoted[QUOTE_MAX + 4];
        size_t len, ulen;
        const char *gpu;

        if (!text || !ret_id) {
                td_perr_set(perr, "offer id missing");
                return GS_E_INVAL;
        }
        len = strnlen(text, TD_OFFER_ID_MAX + 1);
        td_sanitize(text, len, quoted, sizeof(quoted));
        if (len == 0) {
                td_perr_set(perr, "offer id is empty; expected '<location uuid>-<gpu>'");
                return GS_E_INVAL;
        }
        if (len > TD_OFFER_ID_MAX) {
                td_perr_set(perr, "offer id '%s' is longer than %d characters", quoted,
                         TD_OFFER_ID_MAX);
                return GS_E_INVAL;
        }
        ulen = uuid_prefix(text, len);
        if (ulen == 0) {
                td_perr_set(perr,
                         "offer id '%s' does not start with a location UUID "
                         "(8-4-4-4-12 hex digits); expected '<location uuid>-<gpu>'",
                         quoted);
                return GS_E_INVAL;
        }
        if (ulen == len) {
                td_perr_set(perr,
                         "offer id '%s' is a bare location UUID; expected '<location uuid>-<gpu>'",
                         quoted);
                return GS_E_INVAL;
        }
        if (text[ulen] != '-') {
                td_perr_set(perr, "offer id '%s': the location UUID must be followed by '-<gpu>'",
                         quoted);
                return GS_E_INVAL;
        }
        gpu = text + ulen + 1;
        if (*gpu == '\0') {
                td_perr_set(perr, "offer id '%s' has no GPU name after the location UUID", quoted);
                return GS_E_INVAL;
        }
        if (!td_is_gpu_name(gpu)) {
                td_perr_set(perr,
                         "offer id '%s': GPU name may only contain letters, digits, '-', '_' "
                         "and '.'",
                         quoted);
                return GS_E_INVAL;
        }
        memcpy(ret_id->location_id, text, ulen);
        ret_id->location_id[ulen] = '\0';
        (void)snprintf(ret_id->gpu, sizeof(ret_id->gpu), "%s", gpu);
        return 0;
}

uint32_t td_status_to_state(const char *status)
{
        size_t i;

        if (!status)
                return GS_INST_UNKNOWN;
        for (i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++)
                if (strcasecmp(status, status_table[i].word) == 0)
                        return status_table[i].state;
        return GS_INST_UNKNOWN;
}

bool td_status_is_gone(const char *status)
{
        return status && strcasecmp(status, "deleted") == 0;
}

bool td_is_stale_message(const char *msg)
{
        size_t i;

        if (!msg)
                return false;
        for (i = 0; i < sizeof(stale_phrases) / sizeof(stale_phrases[0]); i++)
                if (strcasestr(msg, stale_phrases[i]))
                        return true;
        return false;
}

void td_sanitize(const char *in, size_t len, char *out, size_t size)
{
        static const char ellipsis[] = "...";
        size_t o = 0, i;
        bool space = false;

        if (!out || size == 0)
                return;
        for (i = 0; in && i < len; i++) {
                unsigned char c = (unsigned char)in[i];

                if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                        space = o > 0;
                        continue;
                }
                if (space) {
                        if (o + 1 >= size)
                                break;
                        out[o++] = ' ';
                        space = false;
                }
                if (o + 1 >= size)
                        break;
                out[o++] = (c >= 0x21 && c <= 0x7e) ? (char)c : '?';
        }
        out[o] = '\0';
        if (i < len && size > sizeof(ellipsis)) {
                /* Cut: end with "..." inside the buffer. */
                if (o > size - sizeof(ellipsis))
                        o = size - sizeof(ellipsis);
                memcpy(out + o, ellipsis, sizeof(ellipsis));
        }
}

/* Join the "message" members of a JSON:API-style error array. */
static void join_messages(const json_t *arr, char *buf, size_t size)
{
        size_t i, o = 0;
        const json_t *el;

        buf[0] = '\0';
        json_array_foreach(arr, i, el) {
                const json_t *m = json_object_get(el, "message");
                int n;

                if (!json_is_string(m))
                        continue;
                n = snprintf(buf + o, size - o, "%s%s", o > 0 ? "; " : "", json_string_value(m));
                if (n < 0 || (size_t)n >= size - o)
                        return;
                o += (size_t)n;
        }
}

void td_error_text(const char *body, size_t len, char *out, size_t size)
{
        char joined[TD_PROVIDER_TEXT_MAX * 2];
        const char *text = NULL;
        size_t tlen = 0, cap;
        json_t *root = NULL;
        const json_t *v;

        if (!out || size == 0)
                return;
        cap = size < TD_PROVIDER_TEXT_MAX + 1 ? size : TD_PROVIDER_TEXT_MAX + 1;
        if (body && len > 0)
                root = json_loadb(body, len, 0, NULL);
        if (json_is_object(root)) {
                v = json_object_get(root, "error");
                if (json_is_object(v))
                        v = json_object_get(v, "message");
                if (!json_is_string(v))
                        v = json_object_get(root, "message");
                if (json_is_string(v)) {
                        text = json_string_value(v);
                        tlen = json_string_length(v);
                }
        } else if (json_is_array(root)) {
                join_messages(root, joined, sizeof(joined));
                if (joined[0] != '\0') {
                        text = joined;
                        tlen = strlen(joined);
                }
        }
        if (!text) {
                text = body;
                tlen = body ? len : 0;
        }
        td_sanitize(text, tlen, out, cap);
        if (out[0] == '\0')
                (void)snprintf(out, cap, "(empty body)");
        json_decref(root);
}

/* JSON helpers --------------------------------------------------------------- */

/* A decoding error into perr; its text may quote the body ("near '...'"): sanitized. */
static void perr_json(struct td_perr *perr, const json_error_t *jerr)
{
        char text[sizeof(jerr->text)];

        td_sanitize(jerr->text, strlen(jerr->text), text, sizeof(text));
        td_perr_set(perr, "invalid JSON at byte %d: %s", jerr->position, text);
}

static json_t *load(const char *body, size_t len, struct td_perr *perr)
{
        json_error_t jerr;
        json_t *root;

        if (!body || len == 0) {
                td_perr_set(perr, "empty body");
                return NULL;
        }
        root = json_loadb(body, len, TD_JSON_FLAGS, &jerr);
        if (!root)
                perr_json(perr, &jerr);
        return root;
}

/* A member of o, or of o["attributes"] (the JSON:API shape) when o lacks it. */
static const json_t *field(const json_t *o, const char *key)
{
        const json_t *v = json_object_get(o, key);
        const json_t *attrs;

        if (v && !json_is_null(v))
                return v;
        attrs = json_object_get(o, "attributes");
        if (json_is_object(attrs))
                return json_object_get(attrs, key);
        return NULL;
}

/* String value without control characters (UTF-8 allowed), at most max bytes. */
static const char *text_value(const json_t *v, size_t max)
{
        const char *s;
        size_t i, n;

        if (!json_is_string(v))
                return NULL;
        s = json_string_value(v);
        n = json_string_length(v);
        if (n == 0 || n > max)
                return NULL;
        for (i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];

                if (c < 0x20 || c == 0x7f)
                        return NULL;
        }
        return s;
}

/* An integral JSON number in [0, max]. */
static bool count_value(const json_t *v, uint32_t max, uint32_t *ret_value)
{
        double d;

        if (json_is_integer(v)) {
                json_int_t i = json_integer_value(v);

                if (i < 0 || i > (json_int_t)max)
                        return false;
                *ret_value = (uint32_t)i;
                return true;
        }
        if (!json_is_real(v))
                return false;
        d = json_real_value(v);
        if (!isfinite(d) || d < 0 || d > (double)max || d != floor(d))
                return false;
        *ret_value = (uint32_t)d;
        return true;
}

/* A non-negative USD amount -> nano-USD. */
static bool usd_value(const json_t *v, int64_t *ret_nusd)
{
        double d;

        if (!json_is_number(v))
                return false;
        d = json_number_value(v);
        if (!isfinite(d) || d < 0 || d > TD_PRICE_USD_MAX)
                return false;
        *ret_nusd = (int64_t)(d * NUSD_PER_USD + 0.5);
        return true;
}

static int64_t nusd_to_uusd(int64_t nusd)
{
        return (nusd + NUSD_PER_UUSD / 2) / NUSD_PER_UUSD;
}

int td_gs_status(long http_status, bool create, const char *text)
{
        if (http_status == 401 || http_status == 403)
                return GS_E_AUTH;
        if (http_status == 429)
                return GS_E_RATELIMIT;
        if (http_status == 404)
                return GS_E_NOTFOUND;
        if (http_status >= 500)
                return GS_E_UPSTREAM;
        if (create && td_is_stale_message(text))
                return GS_E_UNAVAILABLE;
        return GS_E_UPSTREAM;
}

bool td_error_body(const char *body, size_t len, int *ret_status, char *text, size_t size)
{
        const json_t *status, *error;
        uint32_t code = 0;
        json_t *root;
        bool is_error = false;

        if (!body || len == 0)
                return false;
        root = json_loadb(body, len, 0, NULL);
        if (!json_is_object(root) || json_object_get(root, "data"))
                goto out;
        status = json_object_get(root, "status");
        error = json_object_get(root, "error");
        if (!count_value(status, HTTP_STATUS_MAX, &code) || code < 400)
                code = 0;
        if (code == 0 && (!error || json_is_null(error)))
                goto out;
        is_error = true;
        if (ret_status)
                *ret_status = (int)code;
        if (text)
                td_error_text(body, len, text, size);
out:
        json_decref(root);
        return is_error;
}

/* 0 unless body is an error body; then its GS_E_* with perr filled. */
static int error_body_status(const char *body, size_t len, bool create, struct td_perr *perr)
{
        char text[TD_PROVIDER_TEXT_MAX + 1];
        int code = 0;

        if (!td_error_body(body, len, &code, text, sizeof(text)))
                return 0;
        if (perr)
                perr->upstream_status = code;
        td_perr_set(perr, "provider refused (status %d): %s", code, text);
        if (create && td_is_stale_message(text))
                return GS_E_UNAVAILABLE;
        return td_gs_status(code, create, text);
}

/*
 * The common start of a reply parse: upstream_status cleared, an error body
 * turned into its GS_E_* (create: as a create's), then the body decoded.
 * 0 with *ret_root set (the caller frees it), or a GS_E_* with perr filled.
 */
static int load_reply(const char *body, size_t len, bool create, json_t **ret_root,
                      struct td_perr *perr)
{
        json_t *root;
        int r;

        if (perr)
                perr->upstream_status = 0;
        r = error_body_status(body, len, create, perr);
        if (r < 0)
                return r;
        root = load(body, len, perr);
        if (!root)
                return GS_E_BADRESPONSE;
        *ret_root = root;
        return 0;
}

/* GS_E_BADRESPONSE when every entry (what) was malformed and none usable; else 0. */
static int all_malformed(const struct td_parse_stats *st, const char *what, struct td_perr *perr)
{
        if (st->malformed > 0 && st->emitted == 0 && st->unavailable == 0) {
                td_perr_set(perr, "all %u %s malformed; first: %s", st->malformed, what,
                            st->first_malformed);
                return GS_E_BADRESPONSE;
        }
        return 0;
}

/* Locations ------------------------------------------------------------------ */

/* Append part to buf as ", part" unless empty or equal to the previous part. */
static void location_add(char *buf, size_t size, const char **prev, const json_t *v)
{
        const char *part = text_value(v, TD_LOCATION_PART_MAX);
        size_t o = strlen(buf);

        if (!part)
                return;
        if (*prev && strcasecmp(*prev, part) == 0)
                return;
        (void)snprintf(buf + o, size - o, "%s%s", o > 0 ? ", " : "", part);
        *prev = part;
}

/* GB number in a v0Name's last "-<n>gb" part, or first "<n> GB" in a display name. */
static uint64_t vram_gb_from(const char *v0name, const char *display)
{
        const char *p, *dash;
        unsigned long gb;
        char *end;

        dash = strrchr(v0name, '-');
        if (dash && isdigit((unsigned char)dash[1])) {
                gb = strtoul(dash + 1, &end, 10);
                if (strcasecmp(end, "gb") == 0 && gb > 0 && gb <= TD_VRAM_GB_MAX)
                        return gb;
        }
        for (p = display; p && *p; p++) {
                if (!isdigit((unsigned char)*p) || (p > display && isdigit((unsigned char)p[-1])))
                        continue;
                gb = strtoul(p, &end, 10);
                while (*end == ' ')
                        end++;
                if (strncasecmp(end, "gb", 2) == 0 && gb > 0 && gb <= TD_VRAM_GB_MAX)
                        return gb;
        }
        return 0;
}

static uint32_t reliability_from_tier(const json_t *v)
{
        uint32_t tier;

        if (!count_value(v, UINT32_MAX, &tier) || tier == 0)
                return TD_RELIABILITY_UNKNOWN_PPM;
        if (tier >= TD_TIER_MAX)
                return PPM_ONE;
        return (uint32_t)((uint64_t)tier * PPM_ONE / TD_TIER_MAX);
}

static void optional_limit(const json_t *obj, const char *key, uint32_t *ret_value)
{
        uint32_t v;

        if (count_value(json_object_get(obj, key), TD_RESOURCE_MAX, &v))
                *ret_value = v;
}

static void optional_rate(const json_t *obj, const char *key, int64_t *ret_nusd)
{
        int64_t v;

        if (usd_value(json_object_get(obj, key), &v))
                *ret_nusd = v;
}

/* Fill o from one gpus[] element; false (with a note) when it is unusable. */
static bool gpu_to_offer(const json_t *gpu, struct td_offer *o, struct td_parse_stats *st,
                         size_t li, size_t gi)
{
        const json_t *res, *pricing;
        const char *name;

        if (!json_is_object(gpu)) {
                skip_note(st, "locations[%zu].gpus[%zu]: not an object", li, gi);
                return false;
        }
        name = json_string_value(json_object_get(gpu, "v0Name"));
        if (!td_is_gpu_name(name)) {
                skip_note(st, "locations[%zu].gpus[%zu]: v0Name missing or invalid", li, gi);
                return false;
        }
        if (!usd_value(json_object_get(gpu, "price_per_hr"), &o->gpu_nusd)) {
                skip_note(st, "locations[%zu].gpus[%zu]: price_per_hr missing or invalid", li,
                          gi);
                return false;
        }
        if (!count_value(json_object_get(gpu, "max_count"), UINT32_MAX, &o->max_count)) {
                skip_note(st, "locations[%zu].gpus[%zu]: max_count missing or invalid", li, gi);
                return false;
        }
        if (o->max_count > TD_GPU_COUNT_MAX)
                o->max_count = TD_GPU_COUNT_MAX;
        o->gpu = name;
        o->gpu_display = text_value(json_object_get(gpu, "displayName"), TD_DISPLAY_NAME_MAX);
        if (!o->gpu_display)
                o->gpu_display = name;
        o->vram_mib = vram_gb_from(name, o->gpu_display) * MIB_PER_GB;
        res = json_object_get(gpu, "resources");
        optional_limit(res, "max_vcpus", &o->max_vcpus);
        optional_limit(res, "max_ram_gb", &o->max_ram_gb);
        optional_limit(res, "max_storage_gb", &o->max_storage_gb);
        pricing = json_object_get(gpu, "pricing");
        optional_rate(pricing, "per_vcpu_hr", &o->vcpu_nusd);
        optional_rate(pricing, "per_gb_ram_hr", &o->ram_gb_nusd);
        optional_rate(pricing, "per_gb_storage_hr", &o->storage_gb_nusd);
        (void)snprintf(o->offer_id, sizeof(o->offer_id), "%s-%s", o->location_id, name);
        return true;
}

/* Emit the offers of one location; negative = the callback's stop status. */
static int location_offers(const json_t *loc, size_t li, td_offer_fn fn, void *userdata,
                           struct td_parse_stats *st)
{
        struct td_offer base = {0};
        const char *prev = NULL;
        const json_t *gpus, *gpu;
        const char *id;
        size_t gi;
        int r;

        /* A location unusable as a whole counts as one malformed entry. */
        if (!json_is_object(loc)) {
                st->entries++;
                skip_note(st, "locations[%zu]: not an object", li);
                return 0;
        }
        id = json_string_value(json_object_get(loc, "id"));
        if (!id || !td_is_uuid(id, strlen(id))) {
                st->entries++;
                skip_note(st, "locations[%zu]: id missing or not a UUID", li);
                return 0;
        }
        gpus = json_object_get(loc, "gpus");
        if (!json_is_array(gpus)) {
                st->entries++;
                skip_note(st, "locations[%zu]: gpus missing or not an array", li);
                return 0;
        }
        base.location_id = id;
        location_add(base.location, sizeof(base.location), &prev, json_object_get(loc, "city"));
        location_add(base.location, sizeof(base.location), &prev,
                     json_object_get(loc, "stateprovince"));
        location_add(base.location, sizeof(base.location), &prev,
                     json_object_get(loc, "country"));
        base.reliability_ppm = reliability_from_tier(json_object_get(loc, "tier"));

        json_array_foreach(gpus, gi, gpu) {
                struct td_offer o = base;

                st->entries++;
                if (!gpu_to_offer(gpu, &o, st, li, gi))
                        continue;
                if (o.max_count == 0) {
                        st->unavailable++;
                        continue;
                }
                r = fn(&o, userdata);
                if (r < 0)
                        return r;
                st->emitted++;
        }
        return 0;
}

/*
 * A /locations body is tens of MB at 20k offers and its jansson tree several
 * times that, so locations are decoded one at a time (plugins/common/
 * json_scan.c): pass 1 checks the whole body and finds data.locations (the
 * last member of a name wins, as in jansson), pass 2 decodes and converts
 * each location on its own. A malformed body emits nothing.
 */
static const char *const locations_path[] = {"data", "locations"};

/* What pass 2 needs per location. */
struct location_walk {
        td_offer_fn fn;
        void *userdata;
        struct td_parse_stats *st;
};

static int location_entry(void *arg, json_t *loc, size_t li)
{
        struct location_walk *w = arg;

        return location_offers(loc, li, w->fn, w->userdata, w->st);
}

int td_parse_locations(const char *body, size_t len, td_offer_fn fn, void *userdata,
                       struct td_parse_stats *ret_stats, struct td_perr *perr)
{
        struct json_scan js = {.body = body, .len = len, .flags = TD_JSON_FLAGS};
        struct td_parse_stats st = {0};
        struct location_walk w = {.fn = fn, .userdata = userdata, .st = &st};
        size_t pos, arr = 0, count;
        unsigned depth;
        json_t *root;
        int r = 0;

        pos = body ? json_scan_skip_blanks(&js, 0) : 0;
        if (!body || pos >= len || body[pos] != '{') {
                /* Empty, or not an object: decode it whole for the message. */
                root = load(body, len, perr);
                r = GS_E_BADRESPONSE;
                if (root) {
                        td_perr_set(perr, "body has no data.locations array");
                        json_decref(root);
                }
                goto out;
        }
        r = json_scan_find(&js, pos, locations_path,
                           sizeof(locations_path) / sizeof(locations_path[0]), &arr, &count,
                           &depth);
        if (r < 0)
                goto out;
        if (arr == 0) {
                td_perr_set(perr, "body has no data.locations array");
                r = GS_E_BADRESPONSE;
                goto out;
        }
        r = json_scan_walk(&js, arr, depth, location_entry, &w);
        if (r < 0)
                goto out;
        if (all_malformed(&st, "entries", perr) < 0) {
                r = GS_E_BADRESPONSE;
                goto out;
        }
        if (ret_stats)
                *ret_stats = st;
out:
        if (js.failed) {
                /* The scanner's or jansson's text: sanitized as jansson's. */
                perr_json(perr, &js.err);
                r = GS_E_BADRESPONSE;
        }
        return r;
}

/* Instances ------------------------------------------------------------------ */

/* "2024-01-15T10:30:00(.123)?(Z|+02:00)" -> epoch ms; false when not RFC 3339. */
static bool rfc3339_ms(const char *s, int64_t *ret_ms)
{
        struct tm tm = {0};
        int year, mon, day, hour, min, sec, n = 0, off_h, off_m;
        int64_t ms = 0, scale = 100, offset_s = 0;
        time_t t;

        if (!s || sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &year, &mon, &day, &hour, &min,
                         &sec, &n) != 6 || n != 19)
                return false;
        s += n;
        if (*s == '.') {
                for (s++; isdigit((unsigned char)*s); s++) {
                        ms += (*s - '0') * scale;
                        scale /= 10;
                }
        }
        if (*s == 'Z' || *s == 'z') {
                s++;
        } else if ((*s == '+' || *s == '-') &&
                   sscanf(s + 1, "%2d:%2d%n", &off_h, &off_m, &n) == 2 && n == 5) {
                offset_s = (int64_t)off_h * 3600 + off_m * 60;
                if (*s == '-')
                        offset_s = -offset_s;
                s += 6;
        } else {
                return false;
        }
        if (*s != '\0' || year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
            hour > 23 || min > 59 || sec > 60)
                return false;
        tm.tm_year = year - 1900;
        tm.tm_mon = mon - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_min = min;
        tm.tm_sec = sec;
        t = timegm(&tm);
        if (t == (time_t)-1)
                return false;
        *ret_ms = ((int64_t)t - offset_s) * 1000 + ms;
        return true;
}

static bool is_ip_text(const char *s)
{
        size_t n;

        for (n = 0; s[n] != '\0'; n++)
                if (n >= TD_IP_MAX || !(is_hex(s[n]) || s[n] == '.' || s[n] == ':'))
                        return false;
        return n > 0;
}

/* External port of the forward whose internal port is 22, else the default. */
static uint32_t ssh_port_of(const json_t *o)
{
        const json_t *fwds = field(o, "portForwards");
        const json_t *fwd;
        size_t i;

        if (!json_is_array(fwds))
                fwds = field(o, "port_forwards");
        json_array_foreach(fwds, i, fwd) {
                uint32_t in, ext;

                if (!count_value(json_object_get(fwd, "internal_port"), 65535, &in) || in != 22)
                        continue;
                if (count_value(json_object_get(fwd, "external_port"), 65535, &ext) && ext > 0)
                        return ext;
        }
        return TD_SSH_PORT_DEFAULT;
}

/*
 * Fill inst from an instance object. The id is required unless id_optional;
 * false with a message in why (never the value) when the object is unusable.
 */
static bool to_instance(const json_t *o, bool id_optional, struct td_instance *inst, char *why,
                        size_t why_size)
{
        const json_t *v;
        int64_t nusd;

        memset(inst, 0, sizeof(*inst));
        if (!json_is_object(o)) {
                (void)snprintf(why, why_size, "instance is not an object");
                return false;
        }
        v = field(o, "id");
        if (v || !id_optional) {
                inst->id = json_string_value(v);
                if (!td_is_instance_id(inst->id)) {
                        (void)snprintf(why, why_size, "instance id missing or invalid");
                        return false;
                }
        }
        v = field(o, "ipAddress");
        if (v && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0)) {
                inst->ip = json_string_value(v);
                if (!inst->ip || !is_ip_text(inst->ip)) {
                        (void)snprintf(why, why_size, "ipAddress is not an IP address");
                        return false;
                }
        }
        inst->name = text_value(field(o, "name"), TD_INSTANCE_TEXT_MAX);
        inst->status = text_value(field(o, "status"), STATUS_WORD_MAX);
        inst->gpu_model = text_value(field(o, "gpu_model"), TD_INSTANCE_TEXT_MAX);
        inst->ssh_user = text_value(field(o, "ssh_user"), TD_SSH_USER_MAX);
        if (!count_value(field(o, "gpu_count"), TD_GPU_COUNT_MAX, &inst->gpu_count))
                inst->gpu_count = 0;
        inst->ssh_port = ssh_port_of(o);
        if (usd_value(field(o, "rateHourly"), &nusd) ||
            usd_value(field(o, "price_per_hour"), &nusd))
                inst->price_uusd_per_hour = nusd_to_uusd(nusd);
        if (!rfc3339_ms(json_string_value(field(o, "created_at")), &inst->created_at_ms))
                inst->created_at_ms = 0;
        return true;
}

/* Convert o and hand it to fn: fn's result, or GS_E_BADRESPONSE when o is unusable. */
static int emit_one(const json_t *o, bool id_optional, td_instance_fn fn, void *userdata,
                    struct td_perr *perr)
{
        struct td_instance inst;
        char why[TD_PERR_MAX];

        if (!to_instance(o, id_optional, &inst, why, sizeof(why))) {
                td_perr_set(perr, "%s", why);
                return GS_E_BADRESPONSE;
        }
        return fn(&inst, userdata);
}

int td_parse_instance(const char *body, size_t len, td_instance_fn fn, void *userdata,
                      struct td_perr *perr)
{
        const json_t *o;
        json_t *root = NULL;
        int r;

        r = load_reply(body, len, false, &root, perr);
        if (r < 0)
                return r;
        o = root;
        if (json_is_object(root) && !json_object_get(root, "id") &&
            json_is_object(json_object_get(root, "data")))
                o = json_object_get(root, "data");
        r = emit_one(o, true, fn, userdata, perr);
        json_decref(root);
        return r;
}

int td_parse_instance_list(const char *body, size_t len, td_instance_fn fn, void *userdata,
                           struct td_parse_stats *ret_stats, struct td_perr *perr)
{
        struct td_parse_stats st = {0};
        struct td_instance inst;
        char why[TD_PERR_MAX];
        const json_t *data, *arr, *el;
        json_t *root = NULL;
        size_t i;
        int r = 0;

        r = load_reply(body, len, false, &root, perr);
        if (r < 0)
                return r;
        data = json_object_get(root, "data");
        arr = json_is_array(data) ? data : json_object_get(data, "instances");
        if (!json_is_array(arr)) {
                td_perr_set(perr, "body has neither a data array nor data.instances");
                r = GS_E_BADRESPONSE;
                goto out;
        }
        json_array_foreach(arr, i, el) {
                st.entries++;
                if (!to_instance(el, false, &inst, why, sizeof(why))) {
                        skip_note(&st, "instances[%zu]: %s", i, why);
                        continue;
                }
                if (td_status_is_gone(inst.status)) {
                        st.unavailable++;
                        continue;
                }
                r = fn(&inst, userdata);
                if (r < 0)
                        goto out;
                st.emitted++;
        }
        if (all_malformed(&st, "instances", perr) < 0) {
                r = GS_E_BADRESPONSE;
                goto out;
        }
        if (ret_stats)
                *ret_stats = st;
out:
        json_decref(root);
        return r;
}

int td_parse_create(const char *body, size_t len, td_instance_fn fn, void *userdata,
                    struct td_perr *perr)
{
        const json_t *data;
        json_t *root = NULL;
        int r;

        r = load_reply(body, len, true, &root, perr);
        if (r < 0)
                return r;
        data = json_object_get(root, "data");
        if (!json_is_object(data)) {
                td_perr_set(perr, "body has no data object");
                r = GS_E_BADRESPONSE;
                goto out;
        }
        r = emit_one(data, false, fn, userdata, perr);
out:
        json_decref(root);
        return r;
}

/* Sizing and price ------------------------------------------------------------ */

static uint32_t clamp_limit(uint64_t want, uint32_t limit)
{
        if (want > TD_RESOURCE_MAX)
                want = TD_RESOURCE_MAX;
        if (limit > 0 && want > limit)
                want = limit;
        return (uint32_t)want;
}

void td_resources_for(const struct td_offer *offer, uint32_t gpu_count,
                      const struct td_sizing *sizing, struct td_resources *ret_res)
{
        uint32_t storage = sizing->storage_gb;

        if (storage < TD_STORAGE_GB_MIN)
                storage = TD_STORAGE_GB_MIN;
        ret_res->gpu_count = gpu_count;
        ret_res->vcpus = clamp_limit((uint64_t)sizing->vcpus_per_gpu * gpu_count,
                                     offer->max_vcpus);
        ret_res->ram_gb = clamp_limit((uint64_t)sizing->ram_gb_per_gpu * gpu_count,
                                      offer->max_ram_gb);
        ret_res->storage_gb = clamp_limit(storage, offer->max_storage_gb);
}

int64_t td_price_uusd(const struct td_offer *offer, const struct td_resources *res)
{
        /* Each term is at most TD_PRICE_USD_MAX * 1e9 * TD_RESOURCE_MAX = 1e18; four fit 2^63. */
        int64_t nusd = offer->gpu_nusd * res->gpu_count + offer->vcpu_nusd * res->vcpus +
                       offer->ram_gb_nusd * res->ram_gb +
                       offer->storage_gb_nusd * res->storage_gb;

        return nusd_to_uusd(nusd);
}
