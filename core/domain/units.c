/* units.c - locale-free parsing and formatting of integers, booleans, durations and money. */
#include "domain/units.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gpushop/status.h"

/* Most fraction digits a price may have: micro-USD resolution. */
#define PRICE_FRACTION_DIGITS 6
/* Longest word units_parse_bool() accepts ("false"). */
#define BOOL_WORD_MAX 5

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static char ascii_lower(char c)
{
        return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Length of the run of ASCII digits at s. */
static size_t digit_run(const char *s)
{
        size_t n = 0;

        while (is_digit(s[n]))
                n++;
        return n;
}

/* Accumulate `len` digits into *ret_value; GS_E_TOOBIG above `limit`. */
static int digits_to_u64(const char *s, size_t len, uint64_t limit, uint64_t *ret_value)
{
        uint64_t v = 0;

        for (size_t i = 0; i < len; i++) {
                uint64_t d = (uint64_t)(s[i] - '0');

                if (v > (limit - d) / 10)
                        return GS_E_TOOBIG;
                v = v * 10 + d;
        }
        *ret_value = v;
        return 0;
}

int units_parse_int64(const char *s, int64_t *ret_value)
{
        uint64_t limit = (uint64_t)INT64_MAX;
        uint64_t mag;
        bool neg = false;
        size_t n;
        int r;

        if (!s || !ret_value)
                return GS_E_INVAL;
        if (*s == '+' || *s == '-') {
                neg = *s == '-';
                s++;
        }
        n = digit_run(s);
        if (n == 0 || s[n] != '\0')
                return GS_E_INVAL;
        if (neg)
                limit += 1; /* |INT64_MIN| */
        r = digits_to_u64(s, n, limit, &mag);
        if (r < 0)
                return r;
        if (neg)
                *ret_value = mag == limit ? INT64_MIN : -(int64_t)mag;
        else
                *ret_value = (int64_t)mag;
        return 0;
}

int units_parse_bool(const char *s, bool *ret_value)
{
        static const struct {
                const char *word;
                bool value;
        } words[] = {
                {"true", true}, {"yes", true}, {"on", true},   {"1", true},
                {"false", false}, {"no", false}, {"off", false}, {"0", false},
        };
        char low[BOOL_WORD_MAX + 1];
        size_t len;

        if (!s || !ret_value)
                return GS_E_INVAL;
        len = strlen(s);
        if (len == 0 || len > BOOL_WORD_MAX)
                return GS_E_INVAL;
        for (size_t i = 0; i <= len; i++)
                low[i] = ascii_lower(s[i]);
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                if (strcmp(low, words[i].word) == 0) {
                        *ret_value = words[i].value;
                        return 0;
                }
        }
        return GS_E_INVAL;
}

int units_parse_duration_ms(const char *s, int64_t *ret_value)
{
        static const struct {
                const char *suffix;
                int64_t ms;
        } suffixes[] = {
                {"", 1}, {"ms", 1}, {"s", MS_PER_SECOND}, {"m", MS_PER_MINUTE}, {"h", MS_PER_HOUR},
        };
        uint64_t n;
        size_t len;
        int r;

        if (!s || !ret_value)
                return GS_E_INVAL;
        len = digit_run(s);
        if (len == 0)
                return GS_E_INVAL;
        for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
                if (strcmp(s + len, suffixes[i].suffix) != 0)
                        continue;
                r = digits_to_u64(s, len, (uint64_t)INT64_MAX, &n);
                if (r < 0)
                        return r;
                if (n > (uint64_t)(INT64_MAX / suffixes[i].ms))
                        return GS_E_TOOBIG;
                *ret_value = (int64_t)n * suffixes[i].ms;
                return 0;
        }
        return GS_E_INVAL;
}

int units_parse_price_uusd(const char *s, int64_t *ret_value)
{
        uint64_t whole = 0;
        uint64_t frac = 0;
        size_t int_len, frac_len = 0;
        int r;

        if (!s || !ret_value)
                return GS_E_INVAL;
        int_len = digit_run(s);
        if (s[int_len] == '.') {
                frac_len = digit_run(s + int_len + 1);
                /* "5." and "." are rejected: a dot needs digits after it. */
                if (frac_len == 0 || s[int_len + 1 + frac_len] != '\0')
                        return GS_E_INVAL;
        } else if (int_len == 0 || s[int_len] != '\0') {
                return GS_E_INVAL;
        }
        if (frac_len > PRICE_FRACTION_DIGITS)
                return GS_E_INVAL;

        r = digits_to_u64(s, int_len, (uint64_t)(INT64_MAX / UUSD_PER_USD), &whole);
        if (r < 0)
                return r;
        (void)digits_to_u64(s + int_len + 1, frac_len, UINT64_MAX, &frac);
        for (size_t i = frac_len; i < PRICE_FRACTION_DIGITS; i++)
                frac *= 10;
        if (frac > (uint64_t)INT64_MAX - whole * (uint64_t)UUSD_PER_USD)
                return GS_E_TOOBIG;
        *ret_value = (int64_t)(whole * (uint64_t)UUSD_PER_USD + frac);
        return 0;
}

int units_format_usd(int64_t uusd, char *buf, size_t len)
{
        uint64_t mag = uusd < 0 ? (uint64_t)0 - (uint64_t)uusd : (uint64_t)uusd;

        return snprintf(buf, len, "%s%" PRIu64 ".%06" PRIu64, uusd < 0 ? "-" : "",
                        mag / (uint64_t)UUSD_PER_USD, mag % (uint64_t)UUSD_PER_USD);
}

int64_t units_cost_uusd(int64_t uusd_per_hour, int64_t ms)
{
        /* |product| <= 2^126, so neither the product nor adding half an hour overflows. */
        __extension__ typedef __int128 i128;
        i128 num = (i128)uusd_per_hour * ms + MS_PER_HOUR / 2;
        i128 q = num / MS_PER_HOUR;

        /* Round half up = floor(x + 1/2); C division truncates toward zero. */
        if (num % MS_PER_HOUR != 0 && num < 0)
                q -= 1;
        if (q > INT64_MAX)
                return INT64_MAX;
        if (q < INT64_MIN)
                return INT64_MIN;
        return (int64_t)q;
}
