/* ratelimit.c - fixed-size table of per-client token buckets. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokens are kept in thousandths so refill stays integer. */
#define MILLI 1000

struct bucket {
        char key[RATELIMIT_KEY_MAX];
        int64_t tokens_milli;
        int64_t updated_ms;
};

struct ratelimit {
        pthread_mutex_t lock;
        uint32_t rate_per_s;
        int64_t burst_milli;
        struct bucket slots[RATELIMIT_SLOTS];
};

struct ratelimit *ratelimit_new(uint32_t rate_per_s, uint32_t burst)
{
        struct ratelimit *rl = calloc(1, sizeof(*rl));

        if (!rl)
                return NULL;
        pthread_mutex_init(&rl->lock, NULL);
        rl->rate_per_s = rate_per_s;
        rl->burst_milli = (int64_t)(burst ? burst : 1) * MILLI;
        return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
        if (!rl)
                return;
        pthread_mutex_destroy(&rl->lock);
        free(rl);
}

static uint32_t hash(const char *s)
{
        uint32_t h = 2166136261u; /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 16777619u;
        return h;
}

bool ratelimit_take(struct ratelimit *rl, const char *client, int64_t now_ms,
                    int64_t *ret_retry_after_s)
{
        struct bucket *b;
        bool allowed;

        if (!rl || rl->rate_per_s == 0)
                return true;
        pthread_mutex_lock(&rl->lock);
        b = &rl->slots[hash(client) % RATELIMIT_SLOTS];
        if (strncmp(b->key, client, sizeof(b->key)) != 0) {
                /* New client in this slot: start it with a full bucket. */
                memset(b, 0, sizeof(*b));
                (void)snprintf(b->key, sizeof(b->key), "%s", client);
                b->tokens_milli = rl->burst_milli;
                b->updated_ms = now_ms;
        } else if (now_ms > b->updated_ms) {
                b->tokens_milli += (now_ms - b->updated_ms) * rl->rate_per_s;
                if (b->tokens_milli > rl->burst_milli)
                        b->tokens_milli = rl->burst_milli;
                b->updated_ms = now_ms;
        }
        allowed = b->tokens_milli >= MILLI;
        if (allowed) {
                b->tokens_milli -= MILLI;
        } else {
                int64_t missing = MILLI - b->tokens_milli;
                int64_t wait_ms = (missing + rl->rate_per_s - 1) / rl->rate_per_s;

                *ret_retry_after_s = (wait_ms + 999) / 1000;
                if (*ret_retry_after_s < 1)
                        *ret_retry_after_s = 1;
        }
        pthread_mutex_unlock(&rl->lock);
        return allowed;
}
