/* offer.c - value metrics of a normalized offer, in integer micro-USD. */
#include "domain/offer.h"

/* num / den rounded half up for num >= 0, den > 0. */
static int64_t div_round(int64_t num, uint64_t den)
{
        uint64_t n = num < 0 ? 0 : (uint64_t)num;

        return (int64_t)(n / den + (n % den >= den - den / 2 ? 1 : 0));
}

uint32_t offer_vram_gb(uint64_t vram_mib)
{
        uint64_t gb = vram_mib / MIB_PER_GB + (vram_mib % MIB_PER_GB >= MIB_PER_GB / 2 ? 1 : 0);

        return gb > UINT32_MAX ? UINT32_MAX : (uint32_t)gb;
}

int64_t offer_price_per_gpu_uusd(int64_t price_uusd, uint32_t gpu_count)
{
        if (gpu_count == 0)
                return price_uusd;
        return div_round(price_uusd, gpu_count);
}

int64_t offer_price_per_vram_gb_uusd(int64_t price_uusd, uint32_t gpu_count, uint32_t vram_gb)
{
        if (gpu_count == 0 || vram_gb == 0)
                return -1;
        return div_round(price_uusd, (uint64_t)gpu_count * vram_gb);
}
