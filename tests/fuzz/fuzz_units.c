/*
 * fuzz_units.c - the unit parsers of domain/units.h on arbitrary text, plus
 * round trips:
 *  - units_parse_int64: a parsed value printed with PRId64 parses back to it;
 *  - units_parse_price_uusd: never negative; units_format_usd of a parsed
 *    value, and of any non-negative int64 taken from the input's first eight
 *    bytes, parses back to the same micro-USD;
 *  - units_parse_duration_ms: never negative;
 *  - units_cost_uusd: exact for a whole hour, 0 for a zero price or time.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "domain/units.h"
#include "fuzz.h"

/* "-9223372036854.775808" and the NUL fit easily. */
#define USD_TEXT_MAX 32

static int64_t load_i64(const uint8_t *p)
{
        uint64_t u = 0;

        for (size_t i = 0; i < sizeof(u); i++)
                u = u << 8 | p[i];
        return (int64_t)u;
}

static void check_usd_round_trip(int64_t uusd)
{
        char text[USD_TEXT_MAX];
        int64_t back = -1;
        int n = units_format_usd(uusd, text, sizeof(text));

        fuzz_check(n > 0 && (size_t)n < sizeof(text));
        if (uusd < 0) {
                fuzz_check(units_parse_price_uusd(text, &back) < 0);
                return;
        }
        if (units_parse_price_uusd(text, &back) != 0 || back != uusd) {
                fprintf(stderr, "price round trip: %" PRId64 " -> '%s' -> %" PRId64 "\n", uusd,
                        text, back);
                abort();
        }
}

static void check_cost(int64_t price, int64_t ms)
{
        (void)units_cost_uusd(price, ms);
        fuzz_check(units_cost_uusd(price, MS_PER_HOUR) == price);
        fuzz_check(units_cost_uusd(price, 0) == 0);
        fuzz_check(units_cost_uusd(0, ms) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_strndup(data, size);
        char again[USD_TEXT_MAX];
        int64_t v, w;
        bool b;

        if (!s)
                return 0;
        if (units_parse_int64(s, &v) == 0) {
                (void)snprintf(again, sizeof(again), "%" PRId64, v);
                fuzz_check(units_parse_int64(again, &w) == 0 && w == v);
        }
        (void)units_parse_bool(s, &b);
        if (units_parse_duration_ms(s, &v) == 0)
                fuzz_check(v >= 0);
        if (units_parse_price_uusd(s, &v) == 0) {
                fuzz_check(v >= 0);
                check_usd_round_trip(v);
        }
        if (size >= 2 * sizeof(int64_t)) {
                int64_t a = load_i64(data), c = load_i64(data + sizeof(int64_t));

                check_usd_round_trip(a);
                check_usd_round_trip(a == INT64_MIN ? INT64_MAX : (a < 0 ? -a : a));
                check_cost(a, c);
        }
        free(s);
        return 0;
}
