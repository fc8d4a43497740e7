/* offer_json.c - pre-rendered JSON of an offer (all fields but the age value). */
#include "inventory/offer_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "domain/decimal.h"
#include "domain/json_text.h"
#include "domain/rfc3339.h"
#include "domain/units.h"
#include "gpushop/plugin.h"

#define USD_SCALE 6
#define PPM_SCALE 6
#define MILLI_SCALE 3
#define MS_PER_MILLI_HOUR 3600

/* Measures (out == NULL) or writes. */
struct writer {
        char *out;
        size_t len;
};

static void put(struct writer *w, const char *s, size_t n)
{
        if (w->out)
                memcpy(w->out + w->len, s, n);
        w->len += n;
}

static void lit(struct writer *w, const char *s)
{
        put(w, s, strlen(s));
}

/* "key": "value" (null for NULL / "" when empty_is_null). */
static void str_field(struct writer *w, const char *key, const char *v, bool empty_is_null)
{
        lit(w, key);
        if (!v || (empty_is_null && !v[0])) {
                lit(w, "null");
                return;
        }
        if (w->out)
                w->len += json_text_quote(v, w->out + w->len, SIZE_MAX - w->len);
        else
                w->len += json_text_quote(v, NULL, 0);
}

static void num_field(struct writer *w, const char *key, int64_t v, unsigned scale)
{
        char buf[DECIMAL_TEXT_MAX];
        int n = decimal_format(v, scale, buf, sizeof(buf));

        lit(w, key);
        if (n < 0)
                lit(w, "null");
        else
                put(w, buf, (size_t)n);
}

static void render(struct writer *w, const struct offer *o)
{
        char when[RFC3339_TEXT_MAX];

        str_field(w, "{\"id\":", o->id, false);
        str_field(w, ",\"provider\":", o->provider, false);
        str_field(w, ",\"provider_id\":", o->provider_id, false);
        str_field(w, ",\"gpu_type\":", o->gpu_type, false);
        str_field(w, ",\"gpu_name_raw\":", o->gpu_name_raw, false);
        num_field(w, ",\"gpu_count\":", o->gpu_count, 0);
        num_field(w, ",\"vram_gb\":", o->vram_gb, 0);
        str_field(w, ",\"form_factor\":", o->form_factor, true);
        num_field(w, ",\"price_per_hour\":", o->price_uusd_per_hour, USD_SCALE);
        num_field(w, ",\"price_per_gpu_hour\":", o->price_uusd_per_gpu_hour, USD_SCALE);
        if (o->price_uusd_per_vram_gb_hour < 0)
                lit(w, ",\"price_per_vram_gb_hour\":null");
        else
                num_field(w, ",\"price_per_vram_gb_hour\":", o->price_uusd_per_vram_gb_hour,
                          USD_SCALE);
        str_field(w, ",\"location\":", o->location, true);
        num_field(w, ",\"reliability\":", o->reliability_ppm, PPM_SCALE);
        lit(w, o->available ? ",\"available\":true" : ",\"available\":false");
        lit(w, (o->flags & GS_OFFER_F_INTERRUPTIBLE) ? ",\"interruptible\":true"
                                                     : ",\"interruptible\":false");
        if (o->cuda_milli)
                num_field(w, ",\"cuda_version\":", o->cuda_milli, MILLI_SCALE);
        else
                lit(w, ",\"cuda_version\":null");
        if (o->max_duration_ms > 0)
                num_field(w, ",\"max_duration_hours\":",
                          (o->max_duration_ms + MS_PER_MILLI_HOUR / 2) / MS_PER_MILLI_HOUR,
                          MILLI_SCALE);
        else
                lit(w, ",\"max_duration_hours\":null");
        str_field(w, ",\"machine_id\":", o->machine_id, true);
        if (rfc3339_format_ms(o->fetched_at_ms, when, sizeof(when)) == 0)
                str_field(w, ",\"fetched_at\":", when, false);
        else
                lit(w, ",\"fetched_at\":null");
        lit(w, ",\"age_seconds\":");
}

int offer_json_render(struct offer *o, struct arena *a)
{
        struct writer w = {0};
        char *buf;

        render(&w, o);
        buf = arena_alloc(a, w.len + 1);
        if (!buf)
                return GS_E_NOMEM;
        w.out = buf;
        w.len = 0;
        render(&w, o);
        buf[w.len] = '\0';
        o->json = buf;
        o->json_len = w.len;
        return 0;
}

size_t offer_json_tail(int64_t age_s, char *buf)
{
        char digits[OFFER_JSON_TAIL_MAX];
        uint64_t v = age_s > 0 ? (uint64_t)age_s : 0;
        size_t n = 0, len = 0;

        /* On every offer of every response: no printf. */
        do {
                digits[n++] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        while (n)
                buf[len++] = digits[--n];
        buf[len++] = '}';
        return len;
}

int64_t offer_json_age_s(const struct offer *o, int64_t now_ms)
{
        int64_t d = now_ms - o->fetched_at_ms;

        return d > 0 ? d / MS_PER_SECOND : 0;
}
