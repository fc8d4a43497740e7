/*
 * test_config.c - INI parsing (line numbers, long lines, env expansion) and
 * validation against key tables: every message kind, secrets, getters, dump.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "config/core_schema.h"
#include "gpushop/status.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define NAME "etc/x.ini"
#define PROV "provider.vastai"
#define ENV_KEY "GS_TEST_CFG_API_KEY"
#define ENV_TIMEOUT "GS_TEST_CFG_TIMEOUT"
#define ENV_PIN "GS_TEST_CFG_PIN"
#define ENV_UNSET "GS_TEST_CFG_SURELY_UNSET"
#define SECRET "hunter2"

static const struct gs_config_key prov_keys[] = {
        {.name = "api_key", .type = GS_CFG_STRING, .flags = GS_CFG_REQUIRED | GS_CFG_SECRET,
         .env = ENV_KEY, .description = "Vast.ai API key"},
        {.name = "api_base_url", .type = GS_CFG_URL,
         .default_value = "https://console.vast.ai/api/v0", .description = "API root"},
        {.name = "timeout", .type = GS_CFG_DURATION_MS, .default_value = "30s", .min = 100,
         .max = 60000, .env = ENV_TIMEOUT, .description = "per-request timeout"},
        {.name = "min_reliability", .type = GS_CFG_INT, .min = 0, .max = 100,
         .description = "lowest reliability listed, percent"},
        {.name = "on_expiry", .type = GS_CFG_ENUM, .choices = "destroy|alert",
         .default_value = "destroy", .description = "what to do at expiry"},
        {.name = "max_price", .type = GS_CFG_PRICE_UUSD, .min = 1, .max = 5000000,
         .description = "highest hourly price"},
        {.name = "spot", .type = GS_CFG_BOOL, .default_value = "false",
         .description = "include interruptible offers"},
        {.name = "cache_dir", .type = GS_CFG_PATH, .description = "cache directory"},
        {.name = NULL},
};

static const struct gs_config_key secret_keys[] = {
        {.name = "token", .type = GS_CFG_URL, .flags = GS_CFG_SECRET},
        {.name = "pin", .type = GS_CFG_INT, .flags = GS_CFG_SECRET, .min = 0, .max = 9999,
         .env = ENV_PIN},
        {.name = "code", .type = GS_CFG_ENUM, .flags = GS_CFG_SECRET, .choices = "a|b"},
        {.name = "price", .type = GS_CFG_PRICE_UUSD, .flags = GS_CFG_SECRET},
        {.name = NULL},
};

/* ---- helpers ----------------------------------------------------------- */

static char *errors_text(const struct cfg_errors *errs)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        cfg_errors_print(errs, NULL, f);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static void assert_errors(const struct cfg_errors *errs, const char *want)
{
        char *got = errors_text(errs);

        assert_string_equal(got, want);
        free(got);
}

/* Parse `text` and return the doc, asserting the parse errors are `want`. */
static struct cfg_doc *parse(const char *text, const char *want)
{
        struct cfg_errors *errs = cfg_errors_new();
        struct cfg_doc *doc = NULL;

        assert_non_null(errs);
        assert_int_equal(cfg_doc_load_string(NAME, text, &doc, errs), 0);
        assert_non_null(doc);
        assert_errors(errs, want);
        cfg_errors_free(errs);
        return doc;
}

/* Parse and validate `section`; returns every error as text (malloc()ed). */
static char *check_keys(const char *text, const char *section, const struct gs_config_key *keys,
                        size_t key_size, struct gs_config **ret_cfg)
{
        struct cfg_errors *errs = cfg_errors_new();
        struct gs_config *cfg = NULL;
        struct cfg_doc *doc = NULL;
        char *out;
        int r;

        assert_non_null(errs);
        assert_int_equal(cfg_doc_load_string(NAME, text, &doc, errs), 0);
        r = cfg_section_validate(doc, section, keys, key_size, &cfg, errs);
        if (r == 0) {
                assert_non_null(cfg);
                assert_string_equal(cfg_section_of(cfg), section);
        } else {
                assert_int_equal(r, GS_E_CONFIG);
                assert_null(cfg);
        }
        out = errors_text(errs);
        if (ret_cfg)
                *ret_cfg = cfg;
        else
                cfg_config_free(cfg);
        cfg_doc_free(doc);
        cfg_errors_free(errs);
        return out;
}

static char *check(const char *text, const char *section, const struct gs_config_key *keys,
                   struct gs_config **ret_cfg)
{
        return check_keys(text, section, keys, sizeof(*keys), ret_cfg);
}

static void assert_check(const char *text, const char *section,
                         const struct gs_config_key *keys, const char *want)
{
        char *got = check(text, section, keys, NULL);

        assert_string_equal(got, want);
        free(got);
}

static int setup_env(void **state)
{
        (void)state;
        unsetenv(ENV_KEY);
        unsetenv(ENV_TIMEOUT);
        unsetenv(ENV_PIN);
        unsetenv(ENV_UNSET);
        return 0;
}

/* ---- parsing ----------------------------------------------------------- */

static void test_parse_records_sections_keys_and_lines(void **state)
{
        struct cfg_doc *doc;
        int line = -1;

        (void)state;
        doc = parse("; top comment\n"
                    "[server]\n"
                    "port = 8081\n"
                    "\n"
                    "[provider.vastai]\n"
                    "api_key=abc\n"
                    "timeout : 5s\n",
                    "");
        assert_string_equal(cfg_doc_path(doc), NAME);
        assert_int_equal(cfg_doc_section_count(doc), 2);
        assert_string_equal(cfg_doc_section_name(doc, 0), "server");
        assert_int_equal(cfg_doc_section_line(doc, 0), 2);
        assert_string_equal(cfg_doc_section_name(doc, 1), PROV);
        assert_int_equal(cfg_doc_section_line(doc, 1), 5);
        assert_int_equal(cfg_doc_section_dup_line(doc, 1), 0);
        assert_null(cfg_doc_section_name(doc, 2));
        assert_string_equal(cfg_doc_raw(doc, "server", "port", &line), "8081");
        assert_int_equal(line, 3);
        assert_string_equal(cfg_doc_raw(doc, PROV, "api_key", &line), "abc");
        assert_int_equal(line, 6);
        assert_string_equal(cfg_doc_raw(doc, PROV, "timeout", &line), "5s");
        assert_int_equal(line, 7);
        line = -1;
        assert_null(cfg_doc_raw(doc, "server", "nope", &line));
        assert_null(cfg_doc_raw(doc, "nope", "port", &line));
        assert_int_equal(line, -1);
        cfg_doc_free(doc);
}

static void test_comments_and_inline_comments_are_ignored(void **state)
{
        struct cfg_doc *doc;

        (void)state;
        doc = parse("# hash comment\n"
                    "[server] ; header comment\n"
                    "; listen = 0.0.0.0\n"
                    "listen = 10.0.0.1 ; inline\n"
                    "data_dir = a;b\n",
                    "");
        assert_string_equal(cfg_doc_raw(doc, "server", "listen", NULL), "10.0.0.1");
        assert_string_equal(cfg_doc_raw(doc, "server", "data_dir", NULL), "a;b");
        cfg_doc_free(doc);
}

static void test_indented_line_is_a_key_not_a_continuation(void **state)
{
        struct cfg_doc *doc;
        int line = 0;

        (void)state;
        doc = parse("[server]\n"
                    "listen = 1.2.3.4\n"
                    "    port = 81\n"
                    "\t[log]\n"
                    "  level = debug\n",
                    "");
        assert_string_equal(cfg_doc_raw(doc, "server", "listen", NULL), "1.2.3.4");
        assert_string_equal(cfg_doc_raw(doc, "server", "port", &line), "81");
        assert_int_equal(line, 3);
        assert_string_equal(cfg_doc_raw(doc, "log", "level", NULL), "debug");
        cfg_doc_free(doc);
}

static void test_repeated_section_header_reports_dup_line(void **state)
{
        struct cfg_doc *doc;

        (void)state;
        doc = parse("[server]\nport = 1\n[log]\n[server]\nthreads = 2\n[server]\n", "");
        assert_int_equal(cfg_doc_section_count(doc), 2);
        assert_int_equal(cfg_doc_section_line(doc, 0), 1);
        assert_int_equal(cfg_doc_section_dup_line(doc, 0), 4);
        assert_int_equal(cfg_doc_section_dup_line(doc, 1), 0);
        assert_string_equal(cfg_doc_raw(doc, "server", "threads", NULL), "2");
        cfg_doc_free(doc);
}

/* "key = " + filler to exactly `len` bytes (without the line ending). */
static char *line_of(const char *key, size_t len, char fill)
{
        size_t klen = strlen(key) + 3;
        char *s = malloc(len + 1);

        assert_non_null(s);
        assert_true(len > klen);
        snprintf(s, len + 1, "%s = ", key);
        memset(s + klen, fill, len - klen);
        s[len] = '\0';
        return s;
}

static void test_long_line_reported_with_its_line_and_rest_skipped(void **state)
{
        char text[1024];
        char *lng = line_of("api_key", 300, 'k');
        struct cfg_doc *doc;
        int line = 0;

        (void)state;
        /* Were the rest of the long line read as a new line, it would be "tail = 1". */
        memcpy(lng + 199, "tail = 1", strlen("tail = 1"));
        snprintf(text, sizeof(text), "[provider.vastai]\n%s\ntimeout = 5s\n", lng);
        doc = parse(text, NAME ":2: line too long (limit is 200 bytes including the line "
                          "ending)\n");
        assert_null(cfg_doc_raw(doc, PROV, "api_key", NULL)); /* no truncated value */
        assert_null(cfg_doc_raw(doc, PROV, "tail", NULL));
        assert_string_equal(cfg_doc_raw(doc, PROV, "timeout", &line), "5s");
        assert_int_equal(line, 3);
        cfg_doc_free(doc);
        free(lng);
}

static void test_line_limit_boundary_is_200_bytes_with_newline(void **state)
{
        char text[1024];
        char *ok = line_of("a", 199, 'v');
        char *bad = line_of("b", 200, 'v');
        struct cfg_doc *doc;

        (void)state;
        snprintf(text, sizeof(text), "[s]\n%s\n%s\nc = 1\n", ok, bad);
        doc = parse(text, NAME ":3: line too long (limit is 200 bytes including the line "
                          "ending)\n");
        assert_string_equal(cfg_doc_raw(doc, "s", "a", NULL), ok + 4);
        assert_null(cfg_doc_raw(doc, "s", "b", NULL));
        assert_non_null(cfg_doc_raw(doc, "s", "c", NULL));
        cfg_doc_free(doc);
        free(ok);
        free(bad);
}

static void test_long_last_line_without_newline_is_reported(void **state)
{
        char text[1024];
        char *lng = line_of("x", 250, 'v');
        struct cfg_doc *doc;

        (void)state;
        snprintf(text, sizeof(text), "[s]\n\n%s", lng);
        doc = parse(text, NAME ":3: line too long (limit is 200 bytes including the line "
                          "ending)\n");
        assert_null(cfg_doc_raw(doc, "s", "x", NULL));
        cfg_doc_free(doc);
        free(lng);
}

static void test_every_syntax_error_is_reported_with_its_line(void **state)
{
        struct cfg_doc *doc;

        (void)state;
        doc = parse("[s]\n"
                    "a = 1\n"
                    "no equals sign\n"
                    "b = 2\n"
                    "also bad\n"
                    "= 3\n"
                    "c = 4\n",
                    NAME ":3: syntax error: expected 'key = value', a [section] or a comment\n"
                    NAME ":5: syntax error: expected 'key = value', a [section] or a comment\n"
                    NAME ":6: [s] missing key name before '='\n");
        assert_non_null(cfg_doc_raw(doc, "s", "b", NULL));
        assert_non_null(cfg_doc_raw(doc, "s", "c", NULL));
        cfg_doc_free(doc);
}

static void test_bad_section_header_drops_its_keys(void **state)
{
        struct cfg_doc *doc;

        (void)state;
        doc = parse("[server]\n"
                    "port = 1\n"
                    "[provider.vastai\n"
                    "port = 2\n"
                    "[]\n"
                    "x = 3\n"
                    "[log]\n"
                    "level = info\n",
                    NAME ":3: section header without closing ']'\n"
                    NAME ":5: empty section name '[]'\n");
        assert_int_equal(cfg_doc_section_count(doc), 2);
        assert_string_equal(cfg_doc_raw(doc, "server", "port", NULL), "1");
        assert_null(cfg_doc_raw(doc, "server", "x", NULL));
        assert_string_equal(cfg_doc_raw(doc, "log", "level", NULL), "info");
        cfg_doc_free(doc);
}

static void test_key_before_any_section_is_an_error(void **state)
{
        struct cfg_doc *doc;

        (void)state;
        doc = parse("port = 1\n[server]\n", NAME ":1: key 'port' is outside any [section]\n");
        assert_null(cfg_doc_raw(doc, "server", "port", NULL));
        cfg_doc_free(doc);
}

static void test_crlf_line_endings_and_bom_are_accepted(void **state)
{
        struct cfg_doc *doc;
        int line = 0;

        (void)state;
        doc = parse("\xEF\xBB\xBF[server]\r\nport = 9\r\n\r\nlisten = ::1\r\n", "");
        assert_string_equal(cfg_doc_section_name(doc, 0), "server");
        assert_string_equal(cfg_doc_raw(doc, "server", "port", NULL), "9");
        assert_string_equal(cfg_doc_raw(doc, "server", "listen", &line), "::1");
        assert_int_equal(line, 4);
        cfg_doc_free(doc);
}

static void test_nul_byte_in_file_is_reported(void **state)
{
        static const char data[] = "[s]\na = 1\nb = x\0y\nc = 3\n";
        char path[] = "/tmp/gs_test_config_XXXXXX";
        struct cfg_errors *errs = cfg_errors_new();
        struct cfg_doc *doc = NULL;
        int fd = mkstemp(path);

        (void)state;
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, sizeof(data) - 1), (ssize_t)(sizeof(data) - 1));
        close(fd);
        assert_int_equal(cfg_doc_load(path, &doc, errs), 0);
        unlink(path);
        assert_int_equal(cfg_errors_count(errs), 1);
        assert_non_null(strstr(cfg_errors_get(errs, 0), ":3: line contains a NUL byte"));
        assert_null(cfg_doc_raw(doc, "s", "b", NULL));
        assert_non_null(cfg_doc_raw(doc, "s", "c", NULL));
        cfg_doc_free(doc);
        cfg_errors_free(errs);
}

static void test_env_expansion_substitutes_variables(void **state)
{
        struct cfg_doc *doc;

        (void)state;
        setenv(ENV_KEY, "from-env", 1);
        setenv(ENV_TIMEOUT, "", 1);
        doc = parse("[s]\n"
                    "a = ${" ENV_KEY "}\n"
                    "b = pre-${" ENV_KEY "}-${" ENV_TIMEOUT "}-post\n"
                    "c = cost $$5 and $HOME and $\n",
                    "");
        assert_string_equal(cfg_doc_raw(doc, "s", "a", NULL), "from-env");
        assert_string_equal(cfg_doc_raw(doc, "s", "b", NULL), "pre-from-env--post");
        assert_string_equal(cfg_doc_raw(doc, "s", "c", NULL), "cost $5 and $HOME and $");
        cfg_doc_free(doc);
}

static void test_env_expansion_errors_name_only_the_variable(void **state)
{
        char *got;

        (void)state;
        setenv(ENV_KEY, SECRET, 1);
        got = check("[provider.vastai]\n"
                    "api_key = " SECRET "${" ENV_UNSET "}\n"
                    "timeout = ${" ENV_KEY "\n"
                    "spot = ${1BAD}\n",
                    PROV, prov_keys, NULL);
        assert_string_equal(got,
                            NAME ":2: [provider.vastai] key 'api_key': environment variable '"
                            ENV_UNSET "' is not set\n"
                            NAME ":3: [provider.vastai] key 'timeout': unterminated '${' "
                            "(write '$$' for a literal '$')\n"
                            NAME ":4: [provider.vastai] key 'spot': bad environment variable "
                            "name in '${...}'\n");
        assert_null(strstr(got, SECRET));
        free(got);
}

static void test_values_are_bounded_after_expansion(void **state)
{
        char *big = malloc(GS_STRING_MAX + 1);
        char *got;

        (void)state;
        assert_non_null(big);
        memset(big, 'x', GS_STRING_MAX);
        big[GS_STRING_MAX] = '\0';
        setenv(ENV_KEY, big, 1);
        got = check("[provider.vastai]\ncache_dir = ${" ENV_KEY "}\n", PROV, prov_keys, NULL);
        assert_string_equal(got,
                            NAME ":2: [provider.vastai] key 'cache_dir': value is longer than "
                            "4095 bytes after expanding variables\n"
                            NAME ":1: [provider.vastai] value of key 'api_key' is longer than "
                            "4095 bytes (from environment variable " ENV_KEY ")\n");
        free(got);
        big[GS_STRING_MAX - 1] = '\0';
        setenv(ENV_KEY, big, 1);
        got = check("[provider.vastai]\n", PROV, prov_keys, NULL);
        assert_string_equal(got, "");
        free(got);
        free(big);
}

/* ---- validation -------------------------------------------------------- */

static void test_unknown_key_lists_known_keys_sorted_with_plugin(void **state)
{
        (void)state;
        assert_check("[provider.vastai]\napi_key = k\n\napi_kye = " SECRET "\n", PROV,
                     prov_keys,
                     NAME ":4: [provider.vastai] unknown key 'api_kye' (known: api_base_url, "
                     "api_key, cache_dir, max_price, min_reliability, on_expiry, plugin, spot, "
                     "timeout)\n");
        assert_check("[log]\nlevl = info\n", "log", core_schema_keys("log"),
                     NAME ":2: [log] unknown key 'levl' (known: access_log, level)\n");
}

static void test_plugin_key_only_in_storage_and_provider_sections(void **state)
{
        struct gs_config *cfg = NULL;
        char *got;

        (void)state;
        got = check("[storage]\nplugin = storage-sqlite\n", "storage",
                    core_schema_keys("storage"), &cfg);
        assert_string_equal(got, "");
        assert_string_equal(cfg_get_str(cfg, "plugin"), "storage-sqlite");
        cfg_config_free(cfg);
        free(got);

        got = check("[provider.td]\nplugin = tensordock\napi_key = k\n", "provider.td",
                    prov_keys, &cfg);
        assert_string_equal(got, "");
        assert_string_equal(cfg_get_str(cfg, "plugin"), "tensordock");
        cfg_config_free(cfg);
        free(got);

        assert_check("[server]\nplugin = x\n", "server", core_schema_keys("server"),
                     NAME ":2: [server] unknown key 'plugin' (known: connection_timeout, "
                     "data_dir, listen, max_body_bytes, max_connections, max_header_bytes, "
                     "max_query_bytes, plugin_dir, port, rate_limit_burst, "
                     "rate_limit_per_second, threads)\n");
        assert_check("[storage]\nplugin = ../../tmp/evil\n", "storage",
                     core_schema_keys("storage"),
                     NAME ":2: [storage] '../../tmp/evil' is not a plugin name (a-z, 0-9, '_', "
                     "'-') or an absolute path to a .so\n");
        assert_check("[storage]\nplugin = /opt/x/storage.txt\n", "storage",
                     core_schema_keys("storage"),
                     NAME ":2: [storage] '/opt/x/storage.txt' is not a plugin name (a-z, 0-9, "
                     "'_', '-') or an absolute path to a .so\n");
        assert_check("[storage]\npath = x\n", "storage", core_schema_keys("storage"),
                     NAME ":2: [storage] unknown key 'path' (known: plugin)\n");
}

static void test_duplicate_key_reports_both_lines(void **state)
{
        (void)state;
        assert_check("[server]\n\n\nport = 1\nthreads = 2\n\n\n\nport = 2\nport = 3\n", "server",
                     core_schema_keys("server"),
                     NAME ":9: [server] key 'port' set twice (lines 4 and 9)\n"
                     NAME ":10: [server] key 'port' set twice (lines 4 and 10)\n");
}

static void test_missing_required_key_reports_header_line_and_env(void **state)
{
        static const struct gs_config_key no_env[] = {
                {.name = "token", .type = GS_CFG_STRING, .flags = GS_CFG_REQUIRED},
                {.name = NULL},
        };

        (void)state;
        assert_check("[server]\n\n[provider.vastai]\ntimeout = 1s\n", PROV, prov_keys,
                     NAME ":3: [provider.vastai] missing required key 'api_key' (or set "
                     ENV_KEY ")\n");
        assert_check("[x]\n", "x", no_env, NAME ":1: [x] missing required key 'token'\n");
        /* A section absent from the file has no line to point at. */
        assert_check("", "x", no_env, NAME ": [x] missing required key 'token'\n");
        /* An empty value is not a value for a required key. */
        assert_check("[x]\ntoken =\n", "x", no_env,
                     NAME ":2: [x] required key 'token' is empty\n");
}

static void test_bad_values_have_exact_messages(void **state)
{
        static const struct {
                const char *line;
                const char *want;
        } t[] = {
                {"min_reliability = abc", "'abc' is not an integer"},
                {"min_reliability = 12.5", "'12.5' is not an integer"},
                {"min_reliability = 101", "min_reliability 101 out of range 0..100"},
                {"min_reliability = -1", "min_reliability -1 out of range 0..100"},
                {"min_reliability = 99999999999999999999",
                 "'99999999999999999999' is too large for an integer"},
                {"timeout = 5ms", "timeout 5ms out of range 100..60000 ms"},
                {"timeout = 2m", "timeout 2m out of range 100..60000 ms"},
                {"timeout = 1.5s",
                 "'1.5s' is not a duration (use a whole number with ms, s, m or h, like 30s)"},
                {"timeout = 99999999999999999h", "'99999999999999999h' is too long a duration"},
                {"spot = maybe", "'maybe' is not a boolean (use true/false)"},
                {"on_expiry = x", "'x' is not one of destroy|alert"},
                {"api_base_url = ftp://x", "'ftp://x' is not an http(s) URL"},
                {"api_base_url = http://", "'http://' is not an http(s) URL"},
                {"api_base_url = https://a b", "'https://a b' is not an http(s) URL"},
                {"max_price = 1e3", "'1e3' is not a price in USD (like 0.35, at most 6 decimals)"},
                {"max_price = -0.1",
                 "'-0.1' is not a price in USD (like 0.35, at most 6 decimals)"},
                {"max_price = 6", "max_price 6 out of range 0.000001..5 USD"},
                {"max_price = 0", "max_price 0 out of range 0.000001..5 USD"},
                {"max_price = 99999999999999", "'99999999999999' is too large a price"},
                {"cache_dir =", "key 'cache_dir' is empty (expected a path)"},
        };
        char text[512], want[512];

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(t); i++) {
                char *got;

                snprintf(text, sizeof(text), "[provider.vastai]\napi_key = k\n%s\n", t[i].line);
                snprintf(want, sizeof(want), NAME ":3: [provider.vastai] %s\n", t[i].want);
                got = check(text, PROV, prov_keys, NULL);
                if (strcmp(got, want) != 0)
                        fail_msg("line '%s':\n got: %s want: %s", t[i].line, got, want);
                free(got);
        }
}

static void test_long_value_is_shortened_in_messages(void **state)
{
        char text[512];
        char *got;

        (void)state;
        snprintf(text, sizeof(text), "[provider.vastai]\napi_key = k\nspot = %0150d\n", 7);
        got = check(text, PROV, prov_keys, NULL);
        assert_non_null(strstr(got, "...' is not a boolean"));
        assert_true(strlen(got) < 200);
        free(got);
}

static void test_secret_value_never_appears_in_messages(void **state)
{
        char *got;

        (void)state;
        setenv(ENV_PIN, SECRET "7", 1);
        got = check("[sec]\n"
                    "token = " SECRET "://x\n"
                    "code = " SECRET "\n"
                    "price = " SECRET "\n",
                    "sec", secret_keys, NULL);
        assert_string_equal(got,
                            NAME ":2: [sec] value of secret key 'token' is not an http(s) URL\n"
                            NAME ":3: [sec] value of secret key 'code' is not one of a|b\n"
                            NAME ":4: [sec] value of secret key 'price' is not a price in USD "
                            "(like 0.35, at most 6 decimals)\n"
                            NAME ":1: [sec] value of secret key 'pin' is not an integer (from "
                            "environment variable " ENV_PIN ")\n");
        assert_null(strstr(got, SECRET));
        free(got);

        setenv(ENV_PIN, "77777", 1);
        got = check("[sec]\n", "sec", secret_keys, NULL);
        assert_string_equal(got, NAME ":1: [sec] value of secret key 'pin' out of range 0..9999 "
                                 "(from environment variable " ENV_PIN ")\n");
        assert_null(strstr(got, "77777"));
        free(got);

        got = check("[sec]\npin = 12345\n", "sec", secret_keys, NULL);
        assert_string_equal(got, NAME ":2: [sec] value of secret key 'pin' out of range "
                                 "0..9999\n");
        free(got);
}

static void test_env_fallback_then_default(void **state)
{
        struct gs_config *cfg = NULL;
        int64_t v = 0;
        char *got;

        (void)state;
        /* Absent: env wins over the default. */
        setenv(ENV_KEY, "key-from-env", 1);
        setenv(ENV_TIMEOUT, "2s", 1);
        got = check("[provider.vastai]\n", PROV, prov_keys, &cfg);
        assert_string_equal(got, "");
        assert_string_equal(cfg_get_str(cfg, "api_key"), "key-from-env");
        assert_int_equal(cfg_get_duration_ms(cfg, "timeout", &v), 0);
        assert_int_equal(v, 2000);
        cfg_config_free(cfg);
        free(got);

        /* The file wins over env. */
        got = check("[provider.vastai]\napi_key = file\ntimeout = 3s\n", PROV, prov_keys, &cfg);
        assert_string_equal(got, "");
        assert_string_equal(cfg_get_str(cfg, "api_key"), "file");
        assert_int_equal(cfg_get_duration_ms(cfg, "timeout", &v), 0);
        assert_int_equal(v, 3000);
        cfg_config_free(cfg);
        free(got);

        /* An empty env counts as unset: the default applies. */
        setenv(ENV_TIMEOUT, "", 1);
        got = check("[provider.vastai]\n", PROV, prov_keys, &cfg);
        assert_string_equal(got, "");
        assert_int_equal(cfg_get_duration_ms(cfg, "timeout", &v), 0);
        assert_int_equal(v, 30000);
        cfg_config_free(cfg);
        free(got);

        /* A bad env value is reported at the section header. */
        setenv(ENV_TIMEOUT, "5ms", 1);
        assert_check("[server]\n[provider.vastai]\n", PROV, prov_keys,
                     NAME ":2: [provider.vastai] timeout 5ms out of range 100..60000 ms (from "
                     "environment variable " ENV_TIMEOUT ")\n");
}

static void test_bad_default_in_key_table_names_the_key(void **state)
{
        static const struct gs_config_key bad[] = {
                {.name = "timeout", .type = GS_CFG_DURATION_MS, .default_value = "5",
                 .min = 100, .max = 60000},
                {.name = "mode", .type = GS_CFG_ENUM, .choices = "a|b", .default_value = "c"},
                {.name = "pin", .type = GS_CFG_INT, .flags = GS_CFG_SECRET,
                 .default_value = SECRET},
                {.name = NULL},
        };

        (void)state;
        assert_check("[provider.x]\n", "provider.x", bad,
                     NAME ":1: [provider.x] default of key 'timeout' is invalid: timeout 5 out of "
                     "range 100..60000 ms\n"
                     NAME ":1: [provider.x] default of key 'mode' is invalid: 'c' is not one of "
                     "a|b\n"
                     NAME ":1: [provider.x] default of key 'pin' is invalid: value of secret key "
                     "'pin' is not an integer\n");
}

static void test_broken_key_table_is_reported(void **state)
{
        static const struct gs_config_key bad[] = {
                {.name = "Bad-Name", .type = GS_CFG_STRING},
                {.name = "t", .type = 99},
                {.name = "e", .type = GS_CFG_ENUM, .choices = "a||b"},
                {.name = "r", .type = GS_CFG_INT, .min = 5, .max = 1},
                {.name = "plugin", .type = GS_CFG_STRING},
                {.name = "ok", .type = GS_CFG_INT},
                {.name = "ok", .type = GS_CFG_INT},
                {.name = NULL},
        };
        char *got;

        (void)state;
        got = check("[x]\n", "x", bad, NULL);
        assert_string_equal(got,
                            NAME ":1: [x] key table: bad key name 'Bad-Name' (use [a-z0-9_], at "
                            "most 64 bytes)\n"
                            NAME ":1: [x] key table: key 't' has unknown type 99\n"
                            NAME ":1: [x] key table: enum key 'e' needs choices like 'a|b'\n"
                            NAME ":1: [x] key table: key 'r' has min 5 above max 1\n"
                            NAME ":1: [x] key table: key 'plugin' is reserved for the core\n"
                            NAME ":1: [x] key table: key 'ok' declared twice\n");
        free(got);
        got = check_keys("[x]\n", "x", bad, 4, NULL);
        assert_non_null(strstr(got, "[x] key table: stride 4 is smaller than"));
        free(got);
}

static void test_all_errors_are_collected_in_one_pass(void **state)
{
        char text[1024];
        char *lng = line_of("note", 300, 'n');
        char *got;

        (void)state;
        snprintf(text, sizeof(text),
                 "[provider.vastai]\n"     /* 1 */
                 "api_kye = x\n"           /* 2 */
                 "timeout = 1s\n"          /* 3 */
                 "%s\n"                    /* 4 */
                 "timeout = 2s\n"          /* 5 */
                 "garbage\n"               /* 6 */
                 "spot = perhaps\n"        /* 7 */
                 "min_reliability = 500\n" /* 8 */,
                 lng);
        got = check(text, PROV, prov_keys, NULL);
        assert_string_equal(got,
                            NAME ":4: line too long (limit is 200 bytes including the line "
                            "ending)\n"
                            NAME ":6: syntax error: expected 'key = value', a [section] or a "
                            "comment\n"
                            NAME ":2: [provider.vastai] unknown key 'api_kye' (known: "
                            "api_base_url, api_key, cache_dir, max_price, min_reliability, "
                            "on_expiry, plugin, spot, timeout)\n"
                            NAME ":5: [provider.vastai] key 'timeout' set twice (lines 3 and "
                            "5)\n"
                            NAME ":7: [provider.vastai] 'perhaps' is not a boolean (use "
                            "true/false)\n"
                            NAME ":8: [provider.vastai] min_reliability 500 out of range "
                            "0..100\n"
                            NAME ":1: [provider.vastai] missing required key 'api_key' (or set "
                            ENV_KEY ")\n");
        free(got);
        free(lng);
}

/* ---- typed access ------------------------------------------------------ */

static void test_getters_return_typed_values(void **state)
{
        struct gs_config *cfg = NULL;
        int64_t v = 0;
        int b = -1;
        char *got;

        (void)state;
        got = check("[provider.vastai]\n"
                    "api_key = k\n"
                    "timeout = 1500\n"
                    "min_reliability = 90\n"
                    "max_price = 0.35\n"
                    "spot = YES\n"
                    "on_expiry = ALERT\n"
                    "cache_dir = /var/cache/gs\n",
                    PROV, prov_keys, &cfg);
        assert_string_equal(got, "");
        free(got);
        assert_string_equal(cfg_get_str(cfg, "api_key"), "k");
        assert_string_equal(cfg_get_str(cfg, "api_base_url"), "https://console.vast.ai/api/v0");
        assert_int_equal(cfg_get_duration_ms(cfg, "timeout", &v), 0);
        assert_int_equal(v, 1500);
        assert_int_equal(cfg_get_int(cfg, "min_reliability", &v), 0);
        assert_int_equal(v, 90);
        assert_int_equal(cfg_get_price_uusd(cfg, "max_price", &v), 0);
        assert_int_equal(v, 350000);
        assert_int_equal(cfg_get_bool(cfg, "spot", &b), 0);
        assert_int_equal(b, 1);
        /* Enum values come back in their declared spelling. */
        assert_string_equal(cfg_get_str(cfg, "on_expiry"), "alert");
        assert_string_equal(cfg_get_str(cfg, "cache_dir"), "/var/cache/gs");
        assert_null(cfg_get_str(cfg, "plugin"));
        cfg_config_free(cfg);
}

static void test_getters_distinguish_absent_and_wrong_type(void **state)
{
        struct gs_config *cfg = NULL;
        int64_t v = 42;
        int b = 42;
        char *got;

        (void)state;
        got = check("[provider.vastai]\napi_key = k\n", PROV, prov_keys, &cfg);
        assert_string_equal(got, "");
        free(got);
        /* Declared without default and absent. */
        assert_int_equal(cfg_get_int(cfg, "min_reliability", &v), GS_E_NOTFOUND);
        assert_int_equal(cfg_get_price_uusd(cfg, "max_price", &v), GS_E_NOTFOUND);
        assert_null(cfg_get_str(cfg, "min_reliability"));
        /* Never declared. */
        assert_int_equal(cfg_get_int(cfg, "nope", &v), GS_E_NOTFOUND);
        assert_null(cfg_get_str(cfg, "nope"));
        /* Wrong type. */
        assert_int_equal(cfg_get_int(cfg, "timeout", &v), GS_E_INVAL);
        assert_int_equal(cfg_get_duration_ms(cfg, "min_reliability", &v), GS_E_INVAL);
        assert_int_equal(cfg_get_bool(cfg, "timeout", &b), GS_E_INVAL);
        assert_int_equal(cfg_get_price_uusd(cfg, "spot", &v), GS_E_INVAL);
        /* Bad arguments. */
        assert_int_equal(cfg_get_int(NULL, "timeout", &v), GS_E_INVAL);
        assert_int_equal(cfg_get_int(cfg, NULL, &v), GS_E_INVAL);
        assert_int_equal(cfg_get_int(cfg, "min_reliability", NULL), GS_E_INVAL);
        assert_int_equal(cfg_get_bool(cfg, "spot", NULL), GS_E_INVAL);
        assert_null(cfg_get_str(NULL, "api_key"));
        assert_null(cfg_section_of(NULL));
        /* Nothing written on failure. */
        assert_int_equal(v, 42);
        assert_int_equal(b, 42);
        cfg_config_free(cfg);
        cfg_config_free(NULL);
}

static void test_dump_redacts_secrets(void **state)
{
        struct gs_config *cfg = NULL;
        char *buf = NULL;
        size_t len = 0;
        FILE *f;
        char *got;

        (void)state;
        got = check("[provider.vastai]\nplugin = vastai\napi_key = " SECRET "\nspot = on\n", PROV,
                    prov_keys, &cfg);
        assert_string_equal(got, "");
        free(got);
        f = open_memstream(&buf, &len);
        assert_non_null(f);
        cfg_dump(cfg, f);
        fclose(f);
        assert_string_equal(buf, "api_key = <redacted>\n"
                                 "api_base_url = https://console.vast.ai/api/v0\n"
                                 "timeout = 30s\n"
                                 "on_expiry = destroy\n"
                                 "spot = on\n"
                                 "plugin = vastai\n");
        assert_null(strstr(buf, SECRET));
        free(buf);
        cfg_config_free(cfg);
}

static void test_describe_keys_prints_aligned_table(void **state)
{
        static const struct gs_config_key keys[] = {
                {.name = "api_key", .type = GS_CFG_STRING,
                 .flags = GS_CFG_REQUIRED | GS_CFG_SECRET, .env = "VASTAI_API_KEY",
                 .default_value = SECRET, .description = "API key"},
                {.name = "timeout", .type = GS_CFG_DURATION_MS, .default_value = "30s",
                 .min = 100, .max = 60000, .description = "request timeout"},
                {.name = "mode", .type = GS_CFG_ENUM, .choices = "destroy|alert"},
                {.name = "max_price", .type = GS_CFG_PRICE_UUSD, .min = 100000,
                 .max = 2500000, .flags = GS_CFG_SECRET},
                {.name = NULL},
        };
        char *buf = NULL;
        size_t len = 0;
        FILE *f;

        (void)state;
        f = open_memstream(&buf, &len);
        assert_non_null(f);
        cfg_describe_keys(keys, sizeof(keys[0]), f);
        fclose(f);
        assert_string_equal(
                buf,
                "KEY        TYPE      FLAGS            DEFAULT     ENV             "
                "RANGE          DESCRIPTION\n"
                "api_key    string    required,secret  <redacted>  VASTAI_API_KEY  "
                "-              API key\n"
                "timeout    duration  -                30s         -               "
                "100..60000 ms  request timeout\n"
                "mode       enum      -                -           -               "
                "destroy|alert  -\n"
                "max_price  price     secret           -           -               "
                "0.1..2.5 USD   -\n");
        free(buf);
}

/* A plugin built against a later ABI may append fields: the stride is theirs. */
static void test_key_table_with_larger_stride_is_read(void **state)
{
        struct wide_key {
                struct gs_config_key key;
                int64_t future_field;
        };
        static const struct wide_key wide[] = {
                {{.name = "a", .type = GS_CFG_INT, .default_value = "7"}, 1},
                {{.name = "b", .type = GS_CFG_BOOL, .flags = GS_CFG_REQUIRED}, 2},
                {{.name = NULL}, 0},
        };
        struct gs_config *cfg = NULL;
        int64_t v = 0;
        char *got;

        (void)state;
        got = check_keys("[w]\nb = no\n", "w", &wide[0].key, sizeof(wide[0]), &cfg);
        assert_string_equal(got, "");
        assert_int_equal(cfg_get_int(cfg, "a", &v), 0);
        assert_int_equal(v, 7);
        cfg_config_free(cfg);
        free(got);
}

/* ---- core schema ------------------------------------------------------- */

static void test_core_schema_defaults_validate(void **state)
{
        struct gs_config *cfg = NULL;
        int64_t v = 0;
        int b = 0;
        char *got;

        (void)state;
        got = check("", "server", core_schema_keys("server"), &cfg);
        assert_string_equal(got, "");
        free(got);
        assert_string_equal(cfg_get_str(cfg, "listen"), "127.0.0.1");
        assert_int_equal(cfg_get_int(cfg, "port", &v), 0);
        assert_int_equal(v, 8080);
        assert_int_equal(cfg_get_int(cfg, "threads", &v), 0);
        assert_int_equal(v, 4);
        assert_int_equal(cfg_get_int(cfg, "max_body_bytes", &v), 0);
        assert_int_equal(v, 1048576);
        assert_int_equal(cfg_get_int(cfg, "max_connections", &v), 0);
        assert_int_equal(v, 512);
        assert_int_equal(cfg_get_duration_ms(cfg, "connection_timeout", &v), 0);
        assert_int_equal(v, 30000);
        assert_null(cfg_get_str(cfg, "plugin_dir"));
        assert_string_equal(cfg_get_str(cfg, "data_dir"), "./run/data");
        cfg_config_free(cfg);

        got = check("[log]\nlevel = DEBUG\n", "log", core_schema_keys("log"), &cfg);
        assert_string_equal(got, "");
        free(got);
        assert_string_equal(cfg_get_str(cfg, "level"), "debug");
        assert_int_equal(cfg_get_bool(cfg, "access_log", &b), 0);
        assert_int_equal(b, 1);
        cfg_config_free(cfg);
}

static void test_core_schema_rejects_bad_server_values(void **state)
{
        (void)state;
        assert_check("[server]\nport = 65536\nthreads = 65\nconnection_timeout = 11m\n"
                     "max_body_bytes = 1k\n",
                     "server", core_schema_keys("server"),
                     NAME ":2: [server] port 65536 out of range 0..65535\n"
                     NAME ":3: [server] threads 65 out of range 1..64\n"
                     NAME ":4: [server] connection_timeout 11m out of range 1000..600000 ms\n"
                     NAME ":5: [server] '1k' is not an integer\n");
        assert_check("[log]\nlevel = verbose\naccess_log = sometimes\n", "log",
                     core_schema_keys("log"),
                     NAME ":2: [log] 'verbose' is not one of err|warning|notice|info|debug\n"
                     NAME ":3: [log] 'sometimes' is not a boolean (use true/false)\n");
}

static void test_core_schema_knows_its_sections(void **state)
{
        (void)state;
        assert_non_null(core_schema_keys("server"));
        assert_non_null(core_schema_keys("log"));
        assert_non_null(core_schema_keys("storage"));
        assert_null(core_schema_keys("storage")[0].name);
        assert_null(core_schema_keys("provider.vastai"));
        assert_null(core_schema_keys("nope"));
        assert_null(core_schema_keys(NULL));
        assert_true(core_schema_is_known_section("server"));
        assert_true(core_schema_is_known_section("log"));
        assert_true(core_schema_is_known_section("storage"));
        assert_true(core_schema_is_known_section("provider.vastai"));
        assert_true(core_schema_is_known_section("provider.vast_2-b"));
        assert_false(core_schema_is_known_section("provider."));
        assert_false(core_schema_is_known_section("provider.Vast"));
        assert_false(core_schema_is_known_section("provider.a/b"));
        assert_false(core_schema_is_known_section("providers"));
        assert_false(core_schema_is_known_section("Server"));
        assert_false(core_schema_is_known_section(NULL));
        assert_string_equal(core_schema_section_names(),
                            "server, log, storage, inventory, auth, sessions, lifecycle, "
                            "budget, budget.<consumer>, provider.<name>");
        assert_non_null(core_schema_keys("lifecycle"));
        assert_non_null(core_schema_keys("budget"));
        assert_non_null(core_schema_keys("budget.my-app"));
        assert_null(core_schema_keys("budget.bad/name"));
        assert_false(core_schema_is_known_section("budget."));
}

/* ---- files and the error list ----------------------------------------- */

static void test_load_reads_a_real_file(void **state)
{
        static const char data[] = "[provider.vastai]\napi_key = k\n\napi_kye = x\n";
        char path[] = "/tmp/gs_test_config_XXXXXX";
        struct cfg_errors *errs = cfg_errors_new();
        struct gs_config *cfg = NULL;
        struct cfg_doc *doc = NULL;
        char want[256];
        int fd = mkstemp(path);

        (void)state;
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, sizeof(data) - 1), (ssize_t)(sizeof(data) - 1));
        close(fd);
        assert_int_equal(cfg_doc_load(path, &doc, errs), 0);
        unlink(path);
        assert_string_equal(cfg_doc_path(doc), path);
        assert_int_equal(cfg_section_validate(doc, PROV, prov_keys, sizeof(prov_keys[0]), &cfg,
                                              errs),
                         GS_E_CONFIG);
        assert_null(cfg);
        assert_int_equal(cfg_errors_count(errs), 1);
        snprintf(want, sizeof(want), "%s:4: [provider.vastai] unknown key 'api_kye'", path);
        assert_memory_equal(cfg_errors_get(errs, 0), want, strlen(want));
        cfg_doc_free(doc);
        cfg_errors_free(errs);
}

static void test_load_reports_unreadable_files(void **state)
{
        struct cfg_errors *errs = cfg_errors_new();
        struct cfg_doc *doc = NULL;
        char dir[] = "/tmp/gs_test_config_dir_XXXXXX";

        (void)state;
        assert_int_equal(cfg_doc_load("/nonexistent/gs.ini", &doc, errs), GS_E_IO);
        assert_null(doc);
        assert_non_null(mkdtemp(dir));
        assert_int_equal(cfg_doc_load(dir, &doc, errs), GS_E_IO);
        rmdir(dir);
        assert_null(doc);
        assert_int_equal(cfg_errors_count(errs), 2);
        assert_string_equal(cfg_errors_get(errs, 0),
                            "/nonexistent/gs.ini: cannot open: No such file or directory");
        assert_non_null(strstr(cfg_errors_get(errs, 1), ": cannot read: Is a directory"));
        assert_int_equal(cfg_doc_load(NULL, &doc, errs), GS_E_INVAL);
        assert_int_equal(cfg_doc_load_string(NAME, NULL, &doc, errs), GS_E_INVAL);
        cfg_errors_free(errs);
}

static void test_error_list_formats_and_is_bounded(void **state)
{
        struct cfg_errors *errs = cfg_errors_new();
        char *buf = NULL;
        size_t len = 0;
        FILE *f;

        (void)state;
        cfg_errors_add(errs, "f.ini", 3, "s", "m%d", 1);
        cfg_errors_add(errs, "f.ini", 0, NULL, "m2");
        cfg_errors_add(errs, NULL, 7, NULL, "m3");
        cfg_errors_add(errs, NULL, 0, "s", "m4");
        cfg_errors_add(NULL, "f", 1, "s", "ignored");
        assert_int_equal(cfg_errors_count(errs), 4);
        f = open_memstream(&buf, &len);
        assert_non_null(f);
        cfg_errors_print(errs, "gpu-shopperd", f);
        fclose(f);
        assert_string_equal(buf, "gpu-shopperd: f.ini:3: [s] m1\n"
                                 "gpu-shopperd: f.ini: m2\n"
                                 "gpu-shopperd: line 7: m3\n"
                                 "gpu-shopperd: [s] m4\n");
        free(buf);
        for (int i = 0; i < 2 * CFG_MAX_ERRORS; i++)
                cfg_errors_add(errs, "f.ini", i, NULL, "more");
        assert_int_equal(cfg_errors_count(errs), CFG_MAX_ERRORS);
        assert_string_equal(cfg_errors_get(errs, CFG_MAX_ERRORS - 1),
                            "too many errors; the rest are not shown");
        assert_null(cfg_errors_get(errs, CFG_MAX_ERRORS));
        assert_int_equal(cfg_errors_count(NULL), 0);
        cfg_errors_free(errs);
        cfg_errors_free(NULL);
}

static void test_too_many_records_is_one_error(void **state)
{
        size_t cap = (size_t)(CFG_MAX_RECORDS + 10) * 16 + 16;
        char *text = malloc(cap);
        struct cfg_doc *doc;
        size_t used;
        char want[128];

        (void)state;
        assert_non_null(text);
        used = (size_t)snprintf(text, cap, "[s]\n");
        for (int i = 0; i < CFG_MAX_RECORDS + 10; i++)
                used += (size_t)snprintf(text + used, cap - used, "k%d = 1\n", i);
        snprintf(want, sizeof(want), NAME ":%d: [s] too many keys in the file (limit is %d)\n",
                 CFG_MAX_RECORDS + 2, CFG_MAX_RECORDS);
        doc = parse(text, want);
        cfg_doc_free(doc);
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_parse_records_sections_keys_and_lines, setup_env),
                cmocka_unit_test_setup(test_comments_and_inline_comments_are_ignored, setup_env),
                cmocka_unit_test_setup(test_indented_line_is_a_key_not_a_continuation,
                                       setup_env),
                cmocka_unit_test_setup(test_repeated_section_header_reports_dup_line, setup_env),
                cmocka_unit_test_setup(test_long_line_reported_with_its_line_and_rest_skipped,
                                       setup_env),
                cmocka_unit_test_setup(test_line_limit_boundary_is_200_bytes_with_newline,
                                       setup_env),
                cmocka_unit_test_setup(test_long_last_line_without_newline_is_reported,
                                       setup_env),
                cmocka_unit_test_setup(test_every_syntax_error_is_reported_with_its_line,
                                       setup_env),
                cmocka_unit_test_setup(test_bad_section_header_drops_its_keys, setup_env),
                cmocka_unit_test_setup(test_key_before_any_section_is_an_error, setup_env),
                cmocka_unit_test_setup(test_crlf_line_endings_and_bom_are_accepted, setup_env),
                cmocka_unit_test_setup(test_nul_byte_in_file_is_reported, setup_env),
                cmocka_unit_test_setup(test_env_expansion_substitutes_variables, setup_env),
                cmocka_unit_test_setup(test_env_expansion_errors_name_only_the_variable,
                                       setup_env),
                cmocka_unit_test_setup(test_values_are_bounded_after_expansion, setup_env),
                cmocka_unit_test_setup(test_unknown_key_lists_known_keys_sorted_with_plugin,
                                       setup_env),
                cmocka_unit_test_setup(test_plugin_key_only_in_storage_and_provider_sections,
                                       setup_env),
                cmocka_unit_test_setup(test_duplicate_key_reports_both_lines, setup_env),
                cmocka_unit_test_setup(test_missing_required_key_reports_header_line_and_env,
                                       setup_env),
                cmocka_unit_test_setup(test_bad_values_have_exact_messages, setup_env),
                cmocka_unit_test_setup(test_long_value_is_shortened_in_messages, setup_env),
                cmocka_unit_test_setup(test_secret_value_never_appears_in_messages, setup_env),
                cmocka_unit_test_setup(test_env_fallback_then_default, setup_env),
                cmocka_unit_test_setup(test_bad_default_in_key_table_names_the_key, setup_env),
                cmocka_unit_test_setup(test_broken_key_table_is_reported, setup_env),
                cmocka_unit_test_setup(test_all_errors_are_collected_in_one_pass, setup_env),
                cmocka_unit_test_setup(test_getters_return_typed_values, setup_env),
                cmocka_unit_test_setup(test_getters_distinguish_absent_and_wrong_type,
                                       setup_env),
                cmocka_unit_test_setup(test_dump_redacts_secrets, setup_env),
                cmocka_unit_test_setup(test_describe_keys_prints_aligned_table, setup_env),
                cmocka_unit_test_setup(test_key_table_with_larger_stride_is_read, setup_env),
                cmocka_unit_test_setup(test_core_schema_defaults_validate, setup_env),
                cmocka_unit_test_setup(test_core_schema_rejects_bad_server_values, setup_env),
                cmocka_unit_test_setup(test_core_schema_knows_its_sections, setup_env),
                cmocka_unit_test_setup(test_load_reads_a_real_file, setup_env),
                cmocka_unit_test_setup(test_load_reports_unreadable_files, setup_env),
                cmocka_unit_test_setup(test_error_list_formats_and_is_bounded, setup_env),
                cmocka_unit_test_setup(test_too_many_records_is_one_error, setup_env),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
