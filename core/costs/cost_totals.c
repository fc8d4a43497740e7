/* cost_totals.c - costs grouped by (provider, gpu_type), and their sums. */
#include "costs/cost_totals.h"

#include <stdlib.h>
#include <string.h>

#include "domain/cost_budget.h"
#include "gpushop/status.h"

#define GROUPS_INITIAL 8

void cost_totals_init(struct cost_totals *t)
{
        memset(t, 0, sizeof(*t));
}

void cost_totals_done(struct cost_totals *t)
{
        for (size_t i = 0; i < t->count; i++) {
                free(t->groups[i].provider);
                free(t->groups[i].gpu_type);
        }
        free(t->groups);
        memset(t, 0, sizeof(*t));
}

static int group_cmp(const char *p1, const char *g1, const char *p2, const char *g2)
{
        int c = strcmp(p1, p2);

        return c ? c : strcmp(g1, g2);
}

/* Index of the group, or where it would be inserted (*ret_found 0). */
static size_t find(const struct cost_totals *t, const char *provider, const char *gpu_type,
                   int *ret_found)
{
        size_t lo = 0, hi = t->count;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = group_cmp(t->groups[mid].provider, t->groups[mid].gpu_type, provider,
                                  gpu_type);

                if (c == 0) {
                        *ret_found = 1;
                        return mid;
                }
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *ret_found = 0;
        return lo;
}

static int insert(struct cost_totals *t, size_t at, const char *provider, const char *gpu_type)
{
        struct cost_group g = {0};

        if (t->count >= COST_TOTALS_GROUPS_MAX)
                return GS_E_TOOBIG;
        if (t->count == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : GROUPS_INITIAL;
                struct cost_group *n = realloc(t->groups, cap * sizeof(*n));

                if (!n)
                        return GS_E_NOMEM;
                t->groups = n;
                t->cap = cap;
        }
        g.provider = strdup(provider);
        g.gpu_type = strdup(gpu_type);
        if (!g.provider || !g.gpu_type) {
                free(g.provider);
                free(g.gpu_type);
                return GS_E_NOMEM;
        }
        memmove(&t->groups[at + 1], &t->groups[at], (t->count - at) * sizeof(*t->groups));
        t->groups[at] = g;
        t->count++;
        return 0;
}

int cost_totals_add(struct cost_totals *t, const char *provider, const char *gpu_type,
                    int64_t amount_uusd, int64_t billed_ms, uint32_t sessions)
{
        struct cost_group *g;
        int found = 0;
        size_t at;
        int r;

        provider = provider ? provider : "";
        gpu_type = gpu_type ? gpu_type : "";
        at = find(t, provider, gpu_type, &found);
        if (!found) {
                r = insert(t, at, provider, gpu_type);
                if (r < 0)
                        return r;
        }
        g = &t->groups[at];
        g->amount_uusd = cost_budget_add(g->amount_uusd, amount_uusd);
        g->billed_ms = cost_budget_add(g->billed_ms, billed_ms);
        g->session_count += sessions;
        t->amount_uusd = cost_budget_add(t->amount_uusd, amount_uusd);
        t->billed_ms = cost_budget_add(t->billed_ms, billed_ms);
        t->session_count += sessions;
        return 0;
}

static int sum_cmp(const void *a, const void *b)
{
        return strcmp(((const struct cost_sum *)a)->key, ((const struct cost_sum *)b)->key);
}

int cost_totals_sums(const struct cost_totals *t, int by_gpu, struct cost_sum **ret_sums,
                     size_t *ret_count)
{
        struct cost_sum *s = NULL;
        size_t n = 0;

        if (t->count) {
                s = malloc(t->count * sizeof(*s));
                if (!s)
                        return GS_E_NOMEM;
        }
        for (size_t i = 0; i < t->count; i++) {
                const char *key = by_gpu ? t->groups[i].gpu_type : t->groups[i].provider;
                size_t j = 0;

                while (j < n && strcmp(s[j].key, key) != 0)
                        j++;
                if (j == n) {
                        s[n].key = key;
                        s[n].amount_uusd = 0;
                        n++;
                }
                s[j].amount_uusd = cost_budget_add(s[j].amount_uusd, t->groups[i].amount_uusd);
        }
        if (n > 1)
                qsort(s, n, sizeof(*s), sum_cmp);
        *ret_sums = s;
        *ret_count = n;
        return 0;
}
