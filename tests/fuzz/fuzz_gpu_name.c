/*
 * fuzz_gpu_name.c - gpu_name_normalize() on arbitrary bytes.
 *
 * Beyond "no crash": every field is NUL-terminated, the model is never empty,
 * the form factor is one of the canonical spellings, the memory variant is in
 * range, and normalising the resulting model again gives the same model
 * (the idempotence gpu_name.h promises).
 */
#include <stdint.h>
#include <string.h>

#include "domain/gpu_name.h"
#include "fuzz.h"
#include "gpushop/status.h"

static void check_name(const struct gpu_name *n)
{
        const char *ff = n->form_factor;

        fuzz_check(memchr(n->model, '\0', sizeof(n->model)) != NULL);
        fuzz_check(memchr(n->form_factor, '\0', sizeof(n->form_factor)) != NULL);
        fuzz_check(n->model[0] != '\0');
        fuzz_check(ff[0] == '\0' || strcmp(ff, GPU_FORM_FACTOR_PCIE) == 0 ||
                   strcmp(ff, GPU_FORM_FACTOR_SXM) == 0 || strcmp(ff, GPU_FORM_FACTOR_NVL) == 0);
        fuzz_check(n->mem_gb <= GPU_NAME_MEM_GB_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct gpu_name first, again;
        char *raw = fuzz_strndup(data, size);

        if (!raw)
                return 0;
        memset(&first, 0xa5, sizeof(first));
        if (gpu_name_normalize(raw, &first) == 0) {
                check_name(&first);
                fuzz_check(gpu_name_normalize(first.model, &again) == 0);
                check_name(&again);
                if (strcmp(first.model, again.model) != 0) {
                        fprintf(stderr, "not idempotent: '%s' -> '%s' -> '%s'\n", raw,
                                first.model, again.model);
                        abort();
                }
        }
        fuzz_check(gpu_name_normalize(NULL, &first) == GS_E_INVAL);
        free(raw);
        return 0;
}
