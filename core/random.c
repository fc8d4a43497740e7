/* random.c - kernel randomness and random identifiers. */
#include "random.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "gpushop/status.h"

int random_bytes(void *buf, size_t len)
{
        unsigned char *p = buf;

        while (len > 0) {
                ssize_t n = getrandom(p, len, 0);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return GS_E_IO;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int random_id(const char *prefix, size_t n, char *out, size_t out_len)
{
        static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
        unsigned char raw[64];
        size_t plen = strlen(prefix);

        if (n > sizeof(raw) || plen + n + 1 > out_len)
                return GS_E_INVAL;
        if (random_bytes(raw, n) < 0)
                return GS_E_IO;
        memcpy(out, prefix, plen);
        for (size_t i = 0; i < n; i++)
                out[plen + i] = alphabet[raw[i] & 31];
        out[plen + n] = '\0';
        return 0;
}
