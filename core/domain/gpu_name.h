/*
 * gpu_name.h - one canonical vocabulary for GPU model names.
 *
 * Providers spell the same silicon many ways ("GeForce RTX 4090", "RTX_4090",
 * "geforcertx4090-pcie-24gb", "A100-SXM4-80GB", "Tesla V100"). The core turns
 * every spelling into a canonical model ("RTX 4090", "A100", "V100") and keeps
 * the form factor and the memory variant that were part of the name in
 * separate fields. The query value of the gpu_type filter goes through the
 * same function, so both sides always compare canonical names.
 *
 * Names the table does not know are never dropped: they pass through cleaned
 * (trimmed, separators collapsed to one space, leading NVIDIA/GeForce/Tesla
 * words removed, form-factor and memory words moved to their fields).
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_GPU_NAME_H
#define GS_GPU_NAME_H

#include <stdint.h>

/* Sizes of the fields of struct gpu_name, terminating NUL included. */
#define GPU_NAME_MODEL_MAX 48
#define GPU_NAME_FORM_FACTOR_MAX 8
/* Only this many leading bytes of a raw name are looked at. */
#define GPU_NAME_RAW_MAX 256
/* Largest memory variant accepted from a name ("80GB"); larger is not memory. */
#define GPU_NAME_MEM_GB_MAX 4096

/* Canonical form factors; "" when the name does not say. */
#define GPU_FORM_FACTOR_PCIE "PCIe"
#define GPU_FORM_FACTOR_SXM "SXM"
#define GPU_FORM_FACTOR_NVL "NVL"

struct gpu_name {
        char model[GPU_NAME_MODEL_MAX];             /* "RTX 4090", never empty */
        char form_factor[GPU_NAME_FORM_FACTOR_MAX]; /* "PCIe", "SXM", "NVL" or "" */
        uint32_t mem_gb;                            /* variant named in the raw name; 0 = none */
};

/*
 * Normalise `raw` into *ret_name. Returns 0, or GS_E_INVAL when an argument is
 * NULL or `raw` holds nothing but blanks and separators. *ret_name is written
 * only on success. Idempotent on the model: normalising ret_name->model again
 * yields the same model. A model longer than the field is truncated on a
 * UTF-8 character boundary.
 */
int gpu_name_normalize(const char *raw, struct gpu_name *ret_name);

#endif /* GS_GPU_NAME_H */
