/*
 * money.h - USD amounts from the API's JSON shown in CLI tables. The API
 * writes money as exact decimals of integer micro-USD; a JSON number is read
 * back to micro-USD (exact below 2^53 / 10^6 USD) and printed from the
 * integer, never with printf("%f"). The one exception is money_format_price,
 * the 4-decimal rounding the inventory and session views have always shown.
 */
#ifndef GS_CLI_MONEY_H
#define GS_CLI_MONEY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* "$1.35", "$0.000134", "$12": at least 2 decimals, at most 6, no trailing zeros
 * beyond the second. */
#define MONEY_TEXT_MAX 40

/* Micro-USD of a JSON number (integer or real); 0 for anything else. */
int64_t money_uusd(const json_t *v);
void money_format(int64_t uusd, char *buf, size_t len);
/* The JSON number as "$..." (or "-" when it is not a number). */
void money_format_json(const json_t *v, char *buf, size_t len);
/* "$0.28", "$0.0602": usd rounded to 4 decimals, trailing zeros dropped down
 * to 2 (offer prices per hour, a session's price and cost so far). Cut to
 * len - 1 bytes by snprintf before the zeros are dropped. */
void money_format_price(double usd, char *buf, size_t len);

#endif /* GS_CLI_MONEY_H */
