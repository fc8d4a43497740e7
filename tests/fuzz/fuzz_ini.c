/*
 * fuzz_ini.c - the INI loader and section validation on arbitrary text.
 *
 * The input is the whole file. After cfg_doc_load_string(), every section
 * found is validated against the core schema when it is a core section, and
 * every section (plus a fixed [provider.fuzz]) against a fixed plugin-style
 * key table holding every key type, required and secret keys, ranges, enum
 * choices and an environment fallback. The typed getters and the dump then
 * run on each validated section. The error list must stay NUL-terminated
 * text, and a validated config must answer its getters without crashing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/core_schema.h"
#include "fuzz.h"

#define FUZZ_ENV_NAME "GS_FUZZ_INI_TOKEN"

static const struct gs_config_key fuzz_keys[] = {
        {.name = "api_base_url", .type = GS_CFG_URL, .default_value = "https://example.test/v1",
         .description = "URL"},
        {.name = "api_key", .type = GS_CFG_STRING, .flags = GS_CFG_REQUIRED | GS_CFG_SECRET,
         .env = FUZZ_ENV_NAME, .description = "secret with an environment fallback"},
        {.name = "label", .type = GS_CFG_STRING, .description = "free text"},
        {.name = "max_instances", .type = GS_CFG_INT, .default_value = "8", .min = 1,
         .max = 1000, .description = "bounded integer"},
        {.name = "offset", .type = GS_CFG_INT, .description = "unbounded integer"},
        {.name = "verify_tls", .type = GS_CFG_BOOL, .default_value = "yes",
         .description = "boolean"},
        {.name = "timeout", .type = GS_CFG_DURATION_MS, .default_value = "30s", .min = 100,
         .max = 3600000, .description = "bounded duration"},
        {.name = "grace", .type = GS_CFG_DURATION_MS, .description = "unbounded duration"},
        {.name = "max_price", .type = GS_CFG_PRICE_UUSD, .default_value = "2.50", .min = 0,
         .max = 100000000, .description = "bounded price"},
        {.name = "budget", .type = GS_CFG_PRICE_UUSD, .description = "unbounded price"},
        {.name = "on_expiry", .type = GS_CFG_ENUM, .default_value = "destroy",
         .choices = "destroy|alert|keep", .description = "enum"},
        {.name = "ssh_key", .type = GS_CFG_PATH, .flags = GS_CFG_SECRET,
         .description = "path"},
        {.name = NULL},
};

static FILE *sink_file(void)
{
        static FILE *sink;

        if (!sink) {
                sink = fopen("/dev/null", "w");
                /* The environment fallback of api_key, set once. */
                (void)setenv(FUZZ_ENV_NAME, "fuzz-secret", 0);
        }
        return sink;
}

/* A declared range (min, max both 0 = unbounded) holds for a validated value. */
static void check_range(const struct gs_config_key *k, int64_t v)
{
        if (k->min || k->max)
                fuzz_check(v >= k->min && v <= k->max);
}

static void use_config(const struct gs_config *cfg, const struct gs_config_key *keys, FILE *out)
{
        for (const struct gs_config_key *k = keys; k && k->name; k++) {
                const char *s = cfg_get_str(cfg, k->name);
                int64_t v;
                int b;

                if (s)
                        fuzz_check(strlen(s) < SIZE_MAX);
                if (cfg_get_int(cfg, k->name, &v) == 0)
                        check_range(k, v);
                (void)cfg_get_bool(cfg, k->name, &b);
                if (cfg_get_duration_ms(cfg, k->name, &v) == 0) {
                        fuzz_check(v >= 0);
                        check_range(k, v);
                }
                if (cfg_get_price_uusd(cfg, k->name, &v) == 0) {
                        fuzz_check(v >= 0);
                        check_range(k, v);
                }
        }
        fuzz_check(cfg_section_of(cfg) != NULL);
        if (out)
                cfg_dump(cfg, out);
}

static void validate(const struct cfg_doc *doc, const char *section,
                     const struct gs_config_key *keys, struct cfg_errors *errs, FILE *out)
{
        struct gs_config *cfg = NULL;
        int r = cfg_section_validate(doc, section, keys, sizeof(struct gs_config_key), &cfg,
                                     errs);

        if (r == 0) {
                fuzz_check(cfg != NULL);
                use_config(cfg, keys, out);
                cfg_config_free(cfg);
        } else {
                fuzz_check(cfg == NULL);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FILE *out = sink_file();
        struct cfg_errors *errs = cfg_errors_new();
        struct cfg_doc *doc = NULL;
        char *text = fuzz_strndup(data, size);

        if (!errs || !text)
                goto done;
        if (cfg_doc_load_string("fuzz.ini", text, &doc, errs) < 0)
                goto done;
        fuzz_check(doc != NULL);
        for (size_t i = 0; i < cfg_doc_section_count(doc); i++) {
                const char *name = cfg_doc_section_name(doc, i);
                const struct gs_config_key *core = core_schema_keys(name);
                int line;

                fuzz_check(name != NULL);
                (void)cfg_doc_section_line(doc, i);
                (void)cfg_doc_section_dup_line(doc, i);
                (void)cfg_doc_raw(doc, name, "plugin", &line);
                if (core_schema_is_known_section(name) && core)
                        validate(doc, name, core, errs, out);
                validate(doc, name, fuzz_keys, errs, out);
                if (cfg_doc_raw(doc, name, "plugin", &line))
                        (void)cfg_plugin_ref_is_valid(cfg_doc_raw(doc, name, "plugin", &line));
        }
        validate(doc, "provider.fuzz", fuzz_keys, errs, out);
        for (size_t i = 0; i < cfg_errors_count(errs); i++)
                fuzz_check(cfg_errors_get(errs, i) != NULL);
        if (out)
                cfg_errors_print(errs, "fuzz_ini", out);
done:
        cfg_doc_free(doc);
        cfg_errors_free(errs);
        free(text);
        return 0;
}
