/* decimal.c - shortest exact decimal text of fixed-point integers. */
#include "domain/decimal.h"

#include <string.h>

#include "gpushop/status.h"

int decimal_format(int64_t value, unsigned scale, char *buf, size_t len)
{
        char digits[DECIMAL_TEXT_MAX];
        char out[DECIMAL_TEXT_MAX];
        uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
        size_t nd = 0, n = 0, frac_end;

        if (buf && len > 0)
                buf[0] = '\0';
        if (!buf || scale > DECIMAL_SCALE_MAX)
                return GS_E_INVAL;
        /* Digits least significant first, at least scale + 1 of them. */
        do {
                digits[nd++] = (char)('0' + mag % 10);
                mag /= 10;
        } while (mag > 0 || nd <= scale);
        /* Fraction digits that are zero at the end are dropped. */
        frac_end = 0;
        while (frac_end < scale && digits[frac_end] == '0')
                frac_end++;
        if (value < 0)
                out[n++] = '-';
        for (size_t i = nd; i-- > scale;)
                out[n++] = digits[i];
        if (frac_end < scale) {
                out[n++] = '.';
                for (size_t i = scale; i-- > frac_end;)
                        out[n++] = digits[i];
        }
        if (n + 1 > len)
                return GS_E_INVAL;
        memcpy(buf, out, n);
        buf[n] = '\0';
        return (int)n;
}
