/*
 * test_abi_layout.c - pins the ABI 1.0 layout. If this fails to compile or
 * run, an ABI struct changed: appending needs GS_ABI_MINOR + 1 and new pins
 * here; anything else needs GS_ABI_MAJOR + 1 (see the bump rule in plugin.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gpushop/plugin.h"
#include "status.h"

#if GS_ABI_MAJOR == 1 && GS_ABI_MINOR == 0 && UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(struct gs_plugin_info) == 40, "gs_plugin_info changed");
_Static_assert(offsetof(struct gs_plugin_info, ops) == 32, "gs_plugin_info.ops moved");
_Static_assert(sizeof(struct gs_config_key) == 64, "gs_config_key changed");
_Static_assert(sizeof(struct gs_offer) == 80, "gs_offer changed");
_Static_assert(offsetof(struct gs_offer, machine_id) == 72, "gs_offer.machine_id moved");
_Static_assert(sizeof(struct gs_offer_filter) == 40, "gs_offer_filter changed");
_Static_assert(sizeof(struct gs_instance_info) == 96, "gs_instance_info changed");
_Static_assert(sizeof(struct gs_create_request) == 72, "gs_create_request changed");
_Static_assert(sizeof(struct gs_session_record) == 240, "gs_session_record changed");
_Static_assert(offsetof(struct gs_session_record, detail_json) == 232, "detail_json moved");
_Static_assert(sizeof(struct gs_session_filter) == 48, "gs_session_filter changed");
_Static_assert(sizeof(struct gs_cost_entry) == 72, "gs_cost_entry changed");
_Static_assert(sizeof(struct gs_cost_query) == 40, "gs_cost_query changed");
_Static_assert(sizeof(struct gs_cost_row) == 40, "gs_cost_row changed");
_Static_assert(sizeof(struct gs_event) == 56, "gs_event changed");
_Static_assert(sizeof(struct gs_event_filter) == 40, "gs_event_filter changed");
_Static_assert(sizeof(struct gs_host_api) == 136, "gs_host_api changed");
_Static_assert(offsetof(struct gs_host_api, now_ms) == 120, "gs_host_api.now_ms moved");
_Static_assert(sizeof(struct gs_provider_ops) == 80, "gs_provider_ops changed");
_Static_assert(sizeof(struct gs_storage_ops) == 152, "gs_storage_ops changed");
_Static_assert(sizeof(struct gs_token_record) == 64, "gs_token_record changed");
#endif

static void test_status_codes_are_unique_and_named(void **state)
{
        (void)state;
        for (int a = 0; a > -GS_STATUS_COUNT; a--) {
                assert_string_not_equal(gs_status_name(a), "E_UNKNOWN");
                assert_string_not_equal(gs_strerror(a), "unknown status");
                for (int b = a - 1; b > -GS_STATUS_COUNT; b--)
                        assert_string_not_equal(gs_status_name(a), gs_status_name(b));
        }
        assert_string_equal(gs_status_name(-GS_STATUS_COUNT), "E_UNKNOWN");
        assert_string_equal(gs_status_name(GS_E_RATELIMIT), "E_RATELIMIT");
        assert_int_equal(GS_E_CONFLICT, -14);
}

static void test_host_has_probes_by_size(void **state)
{
        struct gs_host_api api = {0};

        (void)state;
        api.struct_size = (uint32_t)offsetof(struct gs_host_api, now_ms);
        api.now_ms = (int64_t(*)(struct gs_host *))(uintptr_t)1;
        assert_false(GS_HOST_HAS(&api, now_ms));
        api.struct_size = sizeof(api);
        assert_true(GS_HOST_HAS(&api, now_ms));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_status_codes_are_unique_and_named),
                cmocka_unit_test(test_host_has_probes_by_size),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
