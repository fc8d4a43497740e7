/* The static tables the catalogue is drawn from: GPU models, Vast.ai regions, TensorDock cities. */
#include "sim.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * key, Vast.ai gpu_name spellings, TensorDock v0Name, TensorDock displayName, Vast gpu_ram (MB),
 * base price per GPU-hour (micro-USD), weight, max gpu count, compute capability x100, arch, TDP.
 */
/* clang-format off */
const struct sim_gpu_model sim_gpu_models[] = {
        { "rtx4090", { "RTX 4090", "GeForce RTX 4090", NULL }, "geforcertx4090-pcie-24gb",
          "NVIDIA GeForce RTX 4090 PCIe 24GB", 24564, 400000, 20, 8, 890, "ada", 450 },
        { "rtx3090", { "RTX 3090", "RTX_3090", NULL }, "geforcertx3090-pcie-24gb",
          "NVIDIA GeForce RTX 3090 PCIe 24GB", 24576, 220000, 14, 8, 860, "ampere", 350 },
        { "rtx5090", { "RTX 5090", NULL, NULL }, "geforcertx5090-pcie-32gb",
          "NVIDIA GeForce RTX 5090 PCIe 32GB", 32607, 650000, 10, 8, 1200, "blackwell", 575 },
        { "rtx3080", { "RTX 3080", NULL, NULL }, "geforcertx3080-pcie-10gb",
          "NVIDIA GeForce RTX 3080 PCIe 10GB", 10240, 120000, 4, 4, 860, "ampere", 320 },
        { "rtx4080s", { "RTX 4080S", NULL, NULL }, NULL,
          NULL, 16376, 280000, 3, 4, 890, "ada", 320 },
        { "rtx5080", { "RTX 5080", NULL, NULL }, NULL,
          NULL, 16303, 380000, 2, 4, 1200, "blackwell", 360 },
        { "rtx5070ti", { "RTX 5070 Ti", NULL, NULL }, NULL,
          NULL, 16303, 180000, 2, 2, 1200, "blackwell", 300 },
        { "rtx3060", { "RTX 3060", NULL, NULL }, NULL,
          NULL, 12288, 60000, 3, 2, 860, "ampere", 170 },
        { "rtxa6000", { "RTX A6000", "RTX_A6000", NULL }, "rtxa6000-pcie-48gb",
          "NVIDIA RTX A6000 PCIe 48GB", 49140, 450000, 8, 8, 860, "ampere", 300 },
        { "rtxa5000", { "RTX A5000", NULL, NULL }, "rtxa5000-pcie-24gb",
          "NVIDIA RTX A5000 PCIe 24GB", 24564, 250000, 5, 8, 860, "ampere", 230 },
        { "rtxa4000", { "RTX A4000", NULL, NULL }, "rtxa4000-pcie-16gb",
          "NVIDIA RTX A4000 PCIe 16GB", 16376, 150000, 3, 8, 860, "ampere", 140 },
        { "qrtx8000", { "Q RTX 8000", NULL, NULL }, NULL,
          NULL, 49152, 300000, 1, 4, 750, "turing", 260 },
        { "a100pcie", { "A100 PCIE", "A100_PCIE", NULL }, "a100-pcie-80gb",
          "NVIDIA A100 PCIe 80GB", 81920, 1100000, 8, 8, 800, "ampere", 300 },
        { "a100sxm4", { "A100 SXM4", "A100-SXM4-80GB", NULL }, NULL,
          NULL, 81920, 1300000, 6, 8, 800, "ampere", 400 },
        { "h100sxm", { "H100 SXM", "H100 SXM5", NULL }, "h100-sxm5-80gb",
          "H100 SXM5 80GB", 81559, 2200000, 6, 8, 900, "hopper", 700 },
        { "h100pcie", { "H100 PCIE", NULL, NULL }, "h100-pcie-80gb",
          "NVIDIA H100 PCIe 80GB", 81559, 1900000, 4, 8, 900, "hopper", 350 },
        { "h100nvl", { "H100 NVL", NULL, NULL }, NULL,
          NULL, 95830, 2400000, 3, 8, 900, "hopper", 400 },
        { "h200", { "H200", "H200 NVL", NULL }, "h200-sxm5-141gb",
          "NVIDIA H200 SXM5 141GB", 143771, 3200000, 2, 8, 900, "hopper", 700 },
        { "b200", { "B200", NULL, NULL }, NULL,
          NULL, 183359, 4500000, 1, 8, 1000, "blackwell", 1000 },
        { "l40s", { "L40S", NULL, NULL }, "l40s-pcie-48gb",
          "NVIDIA L40S PCIe 48GB", 46068, 850000, 5, 8, 890, "ada", 350 },
        { "l40", { "L40", NULL, NULL }, "l40-pcie-48gb",
          "NVIDIA L40 PCIe 48GB", 46068, 700000, 2, 8, 890, "ada", 300 },
        { "l4", { "L4", NULL, NULL }, "l4-pcie-24gb",
          "NVIDIA L4 PCIe 24GB", 23034, 250000, 4, 8, 890, "ada", 72 },
        { "a40", { "A40", NULL, NULL }, "a40-pcie-48gb",
          "NVIDIA A40 PCIe 48GB", 46068, 400000, 3, 8, 860, "ampere", 300 },
        { "a10", { "A10", NULL, NULL }, NULL,
          NULL, 23028, 200000, 2, 4, 860, "ampere", 150 },
        { "v100", { "Tesla V100", "V100 SXM2", NULL }, "v100-sxm2-16gb",
          "Tesla V100 SXM2 16GB", 16384, 140000, 3, 8, 700, "volta", 300 },
};
/* clang-format on */
const size_t sim_gpu_models_len = ARRAY_LEN(sim_gpu_models);

const struct sim_vast_geo sim_vast_geos[] = {
        {"California, US", "US", 10},
        {"Texas, US", "US", 6},
        {"Oregon, US", "US", 3},
        {"Virginia, US", "US", 3},
        {"Quebec, CA", "CA", 3},
        {"Ontario, CA", "CA", 2},
        {"Spain, ES", "ES", 2},
        {"Hesse, DE", "DE", 2},
        {"Sweden, SE", "SE", 2},
        {"Norway, NO", "NO", 1},
        {"Poland, PL", "PL", 2},
        {"Czechia, CZ", "CZ", 1},
        {"Taiwan, TW", "TW", 2},
        {"Japan, JP", "JP", 1},
        {"South Korea, KR", "KR", 1},
        {"Hong Kong, HK", "HK", 1},
        {", CN", "CN", 2},
        {"US", "US", 1},
        {"", "", 1},
};
const size_t sim_vast_geos_len = ARRAY_LEN(sim_vast_geos);

const struct sim_td_city sim_td_cities[] = {
        {"Chubbuck", "Idaho", "United States"},
        {"Chicago", "Illinois", "United States"},
        {"Dallas", "Texas", "United States"},
        {"Texas", "Texas", "United States"},
        {"New York", "New York", "United States"},
        {"Los Angeles", "California", "United States"},
        {"Manassas", "Virginia", "United States"},
        {"Montreal", "Quebec", "Canada"},
        {"Toronto", "Ontario", "Canada"},
        {"Frankfurt", "Hesse", "Germany"},
        {"Dusseldorf", "North Rhine-Westphalia", "Germany"},
        {"Amsterdam", "North Holland", "Netherlands"},
        {"London", "England", "United Kingdom"},
        {"Stockholm", "Stockholm", "Sweden"},
        {"Helsinki", "Uusimaa", "Finland"},
        {"Warsaw", "Masovia", "Poland"},
        {"Tokyo", "Tokyo", "Japan"},
        {"Singapore", "Singapore", "Singapore"},
        {"Sydney", "New South Wales", "Australia"},
        {"Sao Paulo", "Sao Paulo", "Brazil"},
        {"Mumbai", "Maharashtra", "India"},
};
const size_t sim_td_cities_len = ARRAY_LEN(sim_td_cities);

const char *const sim_cpu_names[] = {
        "AMD EPYC 7K62 48-Core Processor",      "AMD EPYC 7543 32-Core Processor",
        "AMD EPYC 9654 96-Core Processor",      "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz",
        "Intel(R) Xeon(R) Platinum 8480+",      "AMD Ryzen 9 7950X 16-Core Processor",
        "13th Gen Intel(R) Core(TM) i9-13900K", "AMD Ryzen Threadripper PRO 5975WX 32-Cores",
};
const size_t sim_cpu_names_len = ARRAY_LEN(sim_cpu_names);
