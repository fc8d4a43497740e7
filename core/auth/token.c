/* token.c - token secrets, their SHA-256 and constant-time comparison. */
#include "auth/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "gpushop/status.h"
#include "random.h"

int token_generate(char secret[TOKEN_SECRET_MAX], char id[TOKEN_ID_MAX])
{
        int r = random_id(TOKEN_SECRET_PREFIX, TOKEN_SECRET_CHARS, secret, TOKEN_SECRET_MAX);

        if (r == 0)
                r = random_id(TOKEN_ID_PREFIX, TOKEN_ID_CHARS, id, TOKEN_ID_MAX);
        return r;
}

int token_hash(const char *secret, char out[TOKEN_HASH_HEX])
{
        static const char hex[] = "0123456789abcdef";
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;

        if (!EVP_Digest(secret, strlen(secret), md, &len, EVP_sha256(), NULL) || len != 32)
                return GS_E_IO;
        for (unsigned i = 0; i < len; i++) {
                out[2 * i] = hex[md[i] >> 4];
                out[2 * i + 1] = hex[md[i] & 15];
        }
        out[64] = '\0';
        OPENSSL_cleanse(md, sizeof(md));
        return 0;
}

bool token_equal(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);

        if (la != lb)
                return false;
        return CRYPTO_memcmp(a, b, la) == 0;
}
