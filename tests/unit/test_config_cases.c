/*
 * test_config_cases.c - runs every tests/config/<case>/ directory: loads
 * input.ini from disk, validates it and compares the error text (and
 * optionally the dump) with the files beside it. See tests/config/README.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "config/core_schema.h"
#include "gpushop/status.h"

#define CASES_DIR GS_SOURCE_DIR "/tests/config"
/* Largest fixture file read. */
#define CASE_FILE_MAX (64 * 1024)
/* Most cases one run handles. */
#define CASES_MAX 256
/* Most variables one env file sets. */
#define CASE_ENV_MAX 16
/* Cases the brief requires; the run fails if one is missing. */
static const char *const required_cases[] = {"four_mistakes", "valid_provider", "env_fallback",
                                             "core_sections", "secret_never_shown"};

/* A provider-like table, fixed for every case. */
static const struct gs_config_key case_keys[] = {
        {.name = "api_key", .type = GS_CFG_STRING, .flags = GS_CFG_REQUIRED | GS_CFG_SECRET,
         .env = "VASTAI_API_KEY", .description = "Vast.ai API key"},
        {.name = "api_base_url", .type = GS_CFG_URL,
         .default_value = "https://console.vast.ai/api/v0", .description = "API root"},
        {.name = "timeout", .type = GS_CFG_DURATION_MS, .min = 100, .max = 60000,
         .default_value = "30s", .description = "per-request timeout"},
        {.name = "min_reliability", .type = GS_CFG_INT, .min = 0, .max = 100,
         .description = "lowest reliability listed, percent"},
        {.name = NULL},
};

/* Contents of `name` in the current directory, or NULL if it does not exist. */
static char *read_optional(const char *name)
{
        FILE *f = fopen(name, "rb");
        char *buf;
        size_t n;

        if (!f)
                return NULL;
        buf = malloc(CASE_FILE_MAX + 1);
        assert_non_null(buf);
        n = fread(buf, 1, CASE_FILE_MAX, f);
        assert_false(ferror(f));
        assert_true(feof(f));
        fclose(f);
        buf[n] = '\0';
        return buf;
}

struct case_env {
        char *names[CASE_ENV_MAX];
        size_t count;
};

static void env_apply(struct case_env *env, char *text)
{
        char *line = text;

        unsetenv("VASTAI_API_KEY");
        while (*line) {
                char *nl = strchr(line, '\n');
                char *eq;

                if (nl)
                        *nl = '\0';
                eq = strchr(line, '=');
                assert_non_null(eq);
                assert_true(env->count < CASE_ENV_MAX);
                *eq = '\0';
                assert_int_equal(setenv(line, eq + 1, 1), 0);
                env->names[env->count] = strdup(line);
                assert_non_null(env->names[env->count]);
                env->count++;
                line = nl ? nl + 1 : eq + 1 + strlen(eq + 1);
        }
}

static void env_clear(struct case_env *env)
{
        for (size_t i = 0; i < env->count; i++) {
                unsetenv(env->names[i]);
                free(env->names[i]);
        }
        env->count = 0;
}

/* Validate one section as the daemon would; append its dump to `dump`. */
static void validate_section(const struct cfg_doc *doc, size_t i, bool core,
                             struct cfg_errors *errs, FILE *dump)
{
        const char *name = cfg_doc_section_name(doc, i);
        const struct gs_config_key *keys = case_keys;
        struct gs_config *cfg = NULL;

        if (core) {
                if (!core_schema_is_known_section(name)) {
                        cfg_errors_add(errs, cfg_doc_path(doc), cfg_doc_section_line(doc, i),
                                       NULL, "unknown section [%s] (known: %s)", name,
                                       core_schema_section_names());
                        return;
                }
                if (core_schema_keys(name))
                        keys = core_schema_keys(name);
        }
        if (cfg_section_validate(doc, name, keys, sizeof(keys[0]), &cfg, errs) == 0) {
                fprintf(dump, "[%s]\n", name);
                cfg_dump(cfg, dump);
        }
        cfg_config_free(cfg);
}

static void run_case(void **state)
{
        const char *name = *state;
        struct case_env env = {.count = 0};
        struct cfg_errors *errs = cfg_errors_new();
        char *expected = NULL, *keys = NULL, *env_text = NULL, *want_dump = NULL;
        char *got = NULL, *dump = NULL;
        size_t got_len = 0, dump_len = 0;
        struct cfg_doc *doc = NULL;
        FILE *got_f, *dump_f;
        bool core;
        int cwd = open(".", O_RDONLY | O_DIRECTORY);
        char dir[512];

        assert_non_null(errs);
        assert_true(cwd >= 0);
        snprintf(dir, sizeof(dir), "%s/%s", CASES_DIR, name);
        assert_int_equal(chdir(dir), 0);
        expected = read_optional("expected");
        assert_non_null(expected);
        keys = read_optional("keys");
        env_text = read_optional("env");
        want_dump = read_optional("dump");
        core = keys && strncmp(keys, "core", strlen("core")) == 0;
        env_apply(&env, env_text ? env_text : (char[]){""});

        dump_f = open_memstream(&dump, &dump_len);
        assert_non_null(dump_f);
        if (cfg_doc_load("input.ini", &doc, errs) == 0) {
                for (size_t i = 0; i < cfg_doc_section_count(doc); i++)
                        validate_section(doc, i, core, errs, dump_f);
                /* A file without sections still owes the provider its required keys. */
                if (!core && cfg_doc_section_count(doc) == 0) {
                        struct gs_config *cfg = NULL;

                        (void)cfg_section_validate(doc, "provider.vastai", case_keys,
                                                   sizeof(case_keys[0]), &cfg, errs);
                        cfg_config_free(cfg);
                }
        }
        fclose(dump_f);
        got_f = open_memstream(&got, &got_len);
        assert_non_null(got_f);
        cfg_errors_print(errs, NULL, got_f);
        fclose(got_f);

        env_clear(&env);
        assert_int_equal(fchdir(cwd), 0);
        close(cwd);
        if (strcmp(got, expected) != 0)
                fail_msg("case %s: errors differ\n--- got:\n%s--- expected:\n%s", name, got,
                         expected);
        if (want_dump && strcmp(dump, want_dump) != 0)
                fail_msg("case %s: dump differs\n--- got:\n%s--- expected:\n%s", name, dump,
                         want_dump);
        free(got);
        free(dump);
        free(expected);
        free(keys);
        free(env_text);
        free(want_dump);
        cfg_doc_free(doc);
        cfg_errors_free(errs);
}

static int is_case_dir(const struct dirent *d)
{
        char path[512];
        struct stat st;

        if (d->d_name[0] == '.')
                return 0;
        snprintf(path, sizeof(path), "%s/%s", CASES_DIR, d->d_name);
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static struct dirent **case_list;
static int case_count;

static void test_required_cases_exist(void **state)
{
        (void)state;
        assert_true(case_count > 0);
        for (size_t i = 0; i < sizeof(required_cases) / sizeof(required_cases[0]); i++) {
                bool found = false;

                for (int j = 0; j < case_count; j++)
                        if (strcmp(case_list[j]->d_name, required_cases[i]) == 0)
                                found = true;
                if (!found)
                        fail_msg("case directory %s/%s is missing", CASES_DIR,
                                 required_cases[i]);
        }
}

int main(void)
{
        struct CMUnitTest tests[CASES_MAX + 1];
        size_t n = 0;
        int r;

        case_count = scandir(CASES_DIR, &case_list, is_case_dir, alphasort);
        if (case_count < 0) {
                perror(CASES_DIR);
                return 1;
        }
        tests[n++] = (struct CMUnitTest){.name = "test_required_cases_exist",
                                         .test_func = test_required_cases_exist};
        for (int i = 0; i < case_count && n < CASES_MAX + 1; i++)
                tests[n++] = (struct CMUnitTest){.name = case_list[i]->d_name,
                                                 .test_func = run_case,
                                                 .initial_state = case_list[i]->d_name};
        r = _cmocka_run_group_tests("config_cases", tests, n, NULL, NULL);
        for (int i = 0; i < case_count; i++)
                free(case_list[i]);
        free(case_list);
        return r;
}
