/* money.c - USD amounts of API JSON as CLI text, through integer micro-USD. */
#include "money.h"

#include <stdio.h>
#include <string.h>

#include "domain/units.h"

#define DECIMALS_MIN 2

int64_t money_uusd(const json_t *v)
{
        double usd;

        if (json_is_integer(v))
                return (int64_t)json_integer_value(v) * UUSD_PER_USD;
        if (!json_is_real(v))
                return 0;
        /* the API's decimals have at most 6 places: the nearest integer is exact */
        usd = json_real_value(v) * (double)UUSD_PER_USD;
        if (!(usd > (double)INT64_MIN && usd < (double)INT64_MAX))
                return 0;
        return (int64_t)(usd < 0 ? usd - 0.5 : usd + 0.5);
}

void money_format(int64_t uusd, char *buf, size_t len)
{
        char digits[MONEY_TEXT_MAX];
        char *dot;
        size_t n;

        (void)units_format_usd(uusd, digits, sizeof(digits));
        dot = strchr(digits, '.');
        n = strlen(digits);
        while (dot && n > (size_t)(dot - digits) + 1 + DECIMALS_MIN && digits[n - 1] == '0')
                digits[--n] = '\0';
        if (digits[0] == '-')
                (void)snprintf(buf, len, "-$%s", digits + 1);
        else
                (void)snprintf(buf, len, "$%s", digits);
}

void money_format_json(const json_t *v, char *buf, size_t len)
{
        if (!json_is_number(v)) {
                (void)snprintf(buf, len, "-");
                return;
        }
        money_format(money_uusd(v), buf, len);
}

void money_format_price(double usd, char *buf, size_t len)
{
        char *dot;
        size_t n;

        (void)snprintf(buf, len, "$%.4f", usd);
        dot = strchr(buf, '.');
        n = strlen(buf);
        while (dot && n > (size_t)(dot - buf) + 1 + DECIMALS_MIN && buf[n - 1] == '0')
                buf[--n] = '\0';
}
