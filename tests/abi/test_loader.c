/* test_loader.c - every loader rejection, with its message, and acceptance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "plugin/loader.h"
#include "plugin/registry.h"
#include "status.h"

static int setup(void **state)
{
        (void)state;
        return loader_init();
}

static int teardown(void **state)
{
        (void)state;
        loader_exit();
        return 0;
}

/* Open `name` from the ABI plugin dir expecting `kind`; return status and message. */
static int open_msg(const char *name, uint32_t kind, char *msg, size_t len)
{
        struct loader_plugin *p = NULL;
        int r;

        msg[0] = '\0';
        r = loader_open(GS_ABI_PLUGIN_DIR, name, kind, &p, msg, len);
        loader_close(p);
        return r;
}

static void assert_rejected(const char *name, uint32_t kind, const char *needle)
{
        char msg[LOADER_MSG_MAX];
        int r = open_msg(name, kind, msg, sizeof(msg));

        if (r != GS_E_PLUGIN || !strstr(msg, needle))
                print_error("plugin %s: status %d, message '%s', wanted '%s'\n", name, r, msg,
                            needle);
        assert_int_equal(r, GS_E_PLUGIN);
        assert_non_null(strstr(msg, needle));
}

static void test_valid_plugin_loads(void **state)
{
        struct loader_plugin *p = NULL;
        char msg[LOADER_MSG_MAX];
        const struct gs_config_key *keys;
        size_t key_size = 0;

        (void)state;
        assert_int_equal(loader_open(GS_ABI_PLUGIN_DIR, "ok", GS_PLUGIN_PROVIDER, &p, msg,
                                     sizeof(msg)),
                         0);
        assert_non_null(p);
        assert_string_equal(loader_info(p)->name, "testprov");
        keys = loader_config_keys(p, &key_size);
        assert_int_equal(key_size, sizeof(struct gs_config_key));
        assert_string_equal(keys[0].name, "api_key");
        loader_close(p);
}

static void test_file_not_loadable(void **state)
{
        (void)state;
        assert_rejected("does_not_exist", GS_PLUGIN_PROVIDER, "cannot load '");
        assert_rejected("not_elf", GS_PLUGIN_PROVIDER, "not_elf.so': ");
        assert_rejected("not_elf", GS_PLUGIN_PROVIDER, "ldd(1)");
}

static void test_no_entry_symbol(void **state)
{
        (void)state;
        assert_rejected("no_entry", GS_PLUGIN_PROVIDER, "is not a gpu-shopper plugin (no gs_plugin_entry symbol)");
}

static void test_wrong_magic(void **state)
{
        (void)state;
        assert_rejected("bad_magic", GS_PLUGIN_PROVIDER, "bad magic 0x12345678");
}

static void test_other_abi_major(void **state)
{
        (void)state;
        assert_rejected("abi_major2", GS_PLUGIN_PROVIDER,
                        "was built for plugin ABI 2.x, this server provides 1.x; rebuild it");
}

static void test_truncated_info(void **state)
{
        (void)state;
        assert_rejected("truncated", GS_PLUGIN_PROVIDER, "truncated info block (8 bytes");
}

static void test_wrong_kind(void **state)
{
        (void)state;
        assert_rejected("ok", GS_PLUGIN_STORAGE,
                        "is a provider plugin, but this section needs a storage plugin");
}

static void test_missing_required_op(void **state)
{
        (void)state;
        assert_rejected("missing_op", GS_PLUGIN_PROVIDER,
                        "required op 'create_instance' is missing");
}

static void test_capability_without_op(void **state)
{
        (void)state;
        assert_rejected("caps_without_op", GS_PLUGIN_PROVIDER,
                        "announces GS_PROV_CAP_STATUS but its op 'get_instance' is NULL");
}

static void test_truncated_ops_table(void **state)
{
        struct gs_provider_ops ops = {.struct_size = 12};
        char msg[LOADER_MSG_MAX];

        (void)state;
        assert_int_equal(loader_check_ops(GS_PLUGIN_PROVIDER, &ops, msg, sizeof(msg)),
                         GS_E_PLUGIN);
        assert_non_null(strstr(msg, "provider ops table is truncated (12 bytes"));
}

static void test_duplicate_instance_name(void **state)
{
        static const char ini[] = "[storage]\n"
                                  "plugin = " GS_ABI_PLUGIN_DIR "/ok.so\n"
                                  "[provider.a]\n"
                                  "plugin = " GS_ABI_PLUGIN_DIR "/ok.so\n"
                                  "api_key = x\n"
                                  "[provider.a]\n"
                                  "timeout = 5s\n";
        struct cfg_errors *errs = cfg_errors_new();
        struct cfg_doc *doc = NULL;
        struct registry reg;
        bool found = false;

        (void)state;
        assert_int_equal(cfg_doc_load_string("dup.ini", ini, &doc, errs), 0);
        assert_int_equal(registry_load(&reg, doc, GS_ABI_PLUGIN_DIR, errs), GS_E_CONFIG);
        for (size_t i = 0; i < cfg_errors_count(errs); i++) {
                const char *e = cfg_errors_get(errs, i);

                if (strstr(e, "dup.ini:6: [provider.a] section defined twice (lines 3 and 6)"))
                        found = true;
                /* The storage section names a provider plugin: kind mismatch. */
        }
        if (!found)
                for (size_t i = 0; i < cfg_errors_count(errs); i++)
                        print_error("%s\n", cfg_errors_get(errs, i));
        assert_true(found);
        registry_free(&reg);
        cfg_doc_free(doc);
        cfg_errors_free(errs);
}

static void test_kind_mismatch_reported_with_line(void **state)
{
        static const char ini[] = "[server]\nport = 1\n\n[storage]\n"
                                  "plugin = " GS_ABI_PLUGIN_DIR "/ok.so\n";
        struct cfg_errors *errs = cfg_errors_new();
        struct cfg_doc *doc = NULL;
        struct registry reg;

        (void)state;
        assert_int_equal(cfg_doc_load_string("kind.ini", ini, &doc, errs), 0);
        assert_int_equal(registry_load(&reg, doc, GS_ABI_PLUGIN_DIR, errs), GS_E_CONFIG);
        assert_int_equal(cfg_errors_count(errs), 1);
        assert_non_null(strstr(cfg_errors_get(errs, 0), "kind.ini:5: [storage] plugin '"));
        assert_non_null(strstr(cfg_errors_get(errs, 0), "needs a storage plugin"));
        registry_free(&reg);
        cfg_doc_free(doc);
        cfg_errors_free(errs);
}

/* An optional argument runs only the tests matching it (one ctest entry each). */
int main(int argc, char **argv)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_plugin_loads),
                cmocka_unit_test(test_file_not_loadable),
                cmocka_unit_test(test_no_entry_symbol),
                cmocka_unit_test(test_wrong_magic),
                cmocka_unit_test(test_other_abi_major),
                cmocka_unit_test(test_truncated_info),
                cmocka_unit_test(test_wrong_kind),
                cmocka_unit_test(test_missing_required_op),
                cmocka_unit_test(test_capability_without_op),
                cmocka_unit_test(test_truncated_ops_table),
                cmocka_unit_test(test_duplicate_instance_name),
                cmocka_unit_test(test_kind_mismatch_reported_with_line),
        };

        if (argc > 1)
                cmocka_set_test_filter(argv[1]);
        return cmocka_run_group_tests(tests, setup, teardown);
}
