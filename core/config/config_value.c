/* config_value.c - typed checking of configuration values, with redacted messages. */
#include "config/config_value.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "domain/units.h"

/* Longest formatted money amount ("-9223372036854.775808"). */
#define USD_TEXT_MAX 32
/* Longest formatted range. */
#define RANGE_TEXT_MAX 96
#define URL_HTTP "http://"
#define URL_HTTPS "https://"

/* How a value is named in messages: "'text'" or "value of secret key 'name'". */
struct subject {
        char text[CFG_QUOTE_MAX + 32];
        bool secret;
};

static void subject_init(struct subject *s, const struct gs_config_key *key, const char *text)
{
        s->secret = key->flags & GS_CFG_SECRET;
        if (s->secret)
                snprintf(s->text, sizeof(s->text), "value of secret key '%s'", key->name);
        else if (strlen(text) > CFG_QUOTE_MAX)
                snprintf(s->text, sizeof(s->text), "'%.*s...'", CFG_QUOTE_MAX, text);
        else
                snprintf(s->text, sizeof(s->text), "'%s'", text);
}

/* Money as "0.35", "2", "0.000001": trailing fraction zeros dropped. */
static void format_usd_short(int64_t uusd, char *buf, size_t len)
{
        size_t n;

        if (units_format_usd(uusd, buf, len) < 0 || len == 0)
                return;
        n = strlen(buf);
        while (n > 0 && buf[n - 1] == '0')
                buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
                buf[--n] = '\0';
}

bool cfg_value_format_range(const struct gs_config_key *key, char *buf, size_t len)
{
        char lo[USD_TEXT_MAX], hi[USD_TEXT_MAX];

        if (len > 0)
                buf[0] = '\0';
        if (key->min == 0 && key->max == 0)
                return false;
        switch (key->type) {
        case GS_CFG_INT:
                snprintf(buf, len, "%lld..%lld", (long long)key->min, (long long)key->max);
                return true;
        case GS_CFG_DURATION_MS:
                snprintf(buf, len, "%lld..%lld ms", (long long)key->min, (long long)key->max);
                return true;
        case GS_CFG_PRICE_UUSD:
                format_usd_short(key->min, lo, sizeof(lo));
                format_usd_short(key->max, hi, sizeof(hi));
                snprintf(buf, len, "%s..%s USD", lo, hi);
                return true;
        default:
                return false;
        }
}

/* Range check for the numeric types; 0 or GS_E_CONFIG with msg. */
static int check_range(const struct gs_config_key *key, const char *text, int64_t v,
                       const struct subject *subj, char *msg, size_t msg_len)
{
        char range[RANGE_TEXT_MAX];

        if (!cfg_value_format_range(key, range, sizeof(range)))
                return 0;
        if (v >= key->min && v <= key->max)
                return 0;
        if (subj->secret)
                snprintf(msg, msg_len, "%s out of range %s", subj->text, range);
        else
                snprintf(msg, msg_len, "%s %.*s%s out of range %s", key->name, CFG_QUOTE_MAX,
                         text, strlen(text) > CFG_QUOTE_MAX ? "..." : "", range);
        return GS_E_CONFIG;
}

static bool is_url(const char *s)
{
        size_t skip;

        if (strncasecmp(s, URL_HTTPS, strlen(URL_HTTPS)) == 0)
                skip = strlen(URL_HTTPS);
        else if (strncasecmp(s, URL_HTTP, strlen(URL_HTTP)) == 0)
                skip = strlen(URL_HTTP);
        else
                return false;
        if (s[skip] == '\0' || s[skip] == '/' || s[skip] == '?' || s[skip] == '#')
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char)*p <= ' ' || *p == 0x7f)
                        return false;
        return true;
}

/* Case-insensitive match of text against the '|'-separated choices. */
static bool match_choice(const char *choices, const char *text, struct cfg_parsed *ret)
{
        size_t tlen = strlen(text);
        const char *w = choices;

        while (w && *w) {
                const char *bar = strchr(w, '|');
                size_t wlen = bar ? (size_t)(bar - w) : strlen(w);

                if (wlen == tlen && strncasecmp(w, text, wlen) == 0) {
                        ret->word = w;
                        ret->word_len = wlen;
                        return true;
                }
                w = bar ? bar + 1 : NULL;
        }
        return false;
}

int cfg_value_parse(const struct gs_config_key *key, const char *text, struct cfg_parsed *ret,
                    char *msg, size_t msg_len)
{
        struct cfg_parsed p = {0};
        struct subject subj;
        bool b = false;
        int r = 0;

        subject_init(&subj, key, text);
        switch (key->type) {
        case GS_CFG_STRING:
                break;
        case GS_CFG_INT:
                r = units_parse_int64(text, &p.num);
                if (r == GS_E_TOOBIG)
                        snprintf(msg, msg_len, "%s is too large for an integer", subj.text);
                else if (r < 0)
                        snprintf(msg, msg_len, "%s is not an integer", subj.text);
                else
                        r = check_range(key, text, p.num, &subj, msg, msg_len);
                break;
        case GS_CFG_BOOL:
                r = units_parse_bool(text, &b);
                if (r < 0)
                        snprintf(msg, msg_len, "%s is not a boolean (use true/false)", subj.text);
                p.num = b;
                break;
        case GS_CFG_DURATION_MS:
                r = units_parse_duration_ms(text, &p.num);
                if (r == GS_E_TOOBIG)
                        snprintf(msg, msg_len, "%s is too long a duration", subj.text);
                else if (r < 0)
                        snprintf(msg, msg_len, "%s is not a duration (use a whole number "
                                 "with ms, s, m or h, like 30s)", subj.text);
                else
                        r = check_range(key, text, p.num, &subj, msg, msg_len);
                break;
        case GS_CFG_URL:
                if (!is_url(text)) {
                        snprintf(msg, msg_len, "%s is not an http(s) URL", subj.text);
                        r = GS_E_CONFIG;
                }
                break;
        case GS_CFG_PRICE_UUSD:
                r = units_parse_price_uusd(text, &p.num);
                if (r == GS_E_TOOBIG)
                        snprintf(msg, msg_len, "%s is too large a price", subj.text);
                else if (r < 0)
                        snprintf(msg, msg_len, "%s is not a price in USD (like 0.35, at "
                                 "most 6 decimals)", subj.text);
                else
                        r = check_range(key, text, p.num, &subj, msg, msg_len);
                break;
        case GS_CFG_ENUM:
                if (!match_choice(key->choices, text, &p)) {
                        snprintf(msg, msg_len, "%s is not one of %s", subj.text,
                                 key->choices ? key->choices : "");
                        r = GS_E_CONFIG;
                }
                break;
        case GS_CFG_PATH:
                if (text[0] == '\0') {
                        snprintf(msg, msg_len, "key '%s' is empty (expected a path)",
                                 key->name);
                        r = GS_E_CONFIG;
                }
                break;
        default:
                snprintf(msg, msg_len, "key '%s' has unknown type %u", key->name,
                         (unsigned)key->type);
                r = GS_E_CONFIG;
                break;
        }
        if (r < 0)
                return GS_E_CONFIG;
        *ret = p;
        return 0;
}
