/*
 * test_tensordock_request.c - td_request.c: the POST /instances body and its
 * input checks (wire contract §3.4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "td_request.h"

#define KEY_ED                                                                                     \
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl gs-sess-1"
#define KEY_QUOTE "ecdsa-sha2-nistp256 AAAAE2VjZHNh= it's $(reboot) `id`"

static const char *const two_keys[] = {KEY_ED, KEY_QUOTE};

static struct td_create_params good_params(void)
{
        struct td_create_params p = {
                .name = "gs-dep1-sess-abc",
                .image = "ubuntu2204",
                .location_id = "1a779525-4c04-4f2c-aa45-58b47d54bb38",
                .gpu = "geforcertx4090-pcie-24gb",
                .res = {.gpu_count = 2, .vcpus = 16, .ram_gb = 64, .storage_gb = 100},
                .ssh_keys = two_keys,
                .ssh_key_count = 2,
        };

        return p;
}

static json_t *build(const struct td_create_params *p)
{
        struct td_perr perr = {{0}};
        char *body = NULL;
        json_t *root;

        assert_int_equal(td_create_body(p, &body, &perr), 0);
        assert_non_null(body);
        root = json_loads(body, 0, NULL);
        assert_non_null(root);
        free(body);
        return root;
}

static const char *str_at(json_t *root, const char *path)
{
        json_t *v = json_object_get(json_object_get(root, "data"), "attributes");

        return json_string_value(json_object_get(v, path));
}

static void test_body_shape(void **state)
{
        struct td_create_params p = good_params();
        json_t *root = build(&p), *data, *attrs, *res, *gpus;

        (void)state;
        data = json_object_get(root, "data");
        assert_string_equal(json_string_value(json_object_get(data, "type")), "virtualmachine");
        attrs = json_object_get(data, "attributes");
        assert_string_equal(str_at(root, "name"), "gs-dep1-sess-abc");
        assert_string_equal(str_at(root, "type"), "virtualmachine");
        assert_string_equal(str_at(root, "image"), "ubuntu2204");
        assert_string_equal(str_at(root, "location_id"), "1a779525-4c04-4f2c-aa45-58b47d54bb38");
        assert_string_equal(str_at(root, "ssh_key"), KEY_ED);
        assert_true(json_is_true(json_object_get(attrs, "useDedicatedIp")));
        assert_null(json_object_get(attrs, "port_forwards"));
        res = json_object_get(attrs, "resources");
        assert_int_equal(json_integer_value(json_object_get(res, "vcpu_count")), 16);
        assert_int_equal(json_integer_value(json_object_get(res, "ram_gb")), 64);
        assert_int_equal(json_integer_value(json_object_get(res, "storage_gb")), 100);
        gpus = json_object_get(res, "gpus");
        assert_int_equal(json_object_size(gpus), 1);
        assert_int_equal(json_integer_value(json_object_get(
                                 json_object_get(gpus, "geforcertx4090-pcie-24gb"), "count")),
                         2);
        json_decref(root);
}

/* Every key for both accounts, shell-quoted; nothing else in runcmd. */
static void test_body_runcmd(void **state)
{
        static const char *const want[] = {
                "mkdir -p /home/user/.ssh && chmod 700 /home/user/.ssh",
                "printf '%s\\n' '" KEY_ED "' 'ecdsa-sha2-nistp256 AAAAE2VjZHNh= it'\\''s "
                "$(reboot) `id`' >> /home/user/.ssh/authorized_keys",
                "chmod 600 /home/user/.ssh/authorized_keys && chown -R user:user /home/user/.ssh",
                "mkdir -p /root/.ssh && chmod 700 /root/.ssh",
                "printf '%s\\n' '" KEY_ED "' 'ecdsa-sha2-nistp256 AAAAE2VjZHNh= it'\\''s "
                "$(reboot) `id`' >> /root/.ssh/authorized_keys",
                "chmod 600 /root/.ssh/authorized_keys && chown -R root:root /root/.ssh",
        };
        struct td_create_params p = good_params();
        json_t *root = build(&p), *runcmd;
        size_t i;

        (void)state;
        runcmd = json_object_get(
                json_object_get(json_object_get(json_object_get(root, "data"), "attributes"),
                                "cloud_init"),
                "runcmd");
        assert_int_equal(json_array_size(runcmd), sizeof(want) / sizeof(want[0]));
        for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
                assert_string_equal(json_string_value(json_array_get(runcmd, i)), want[i]);
        json_decref(root);
}

static void test_body_rejects(void **state)
{
        static const char *const bad_keys[] = {
                "", "hello", "ssh-ed25519", "ssh-ed25519 ", "ssh-ed25519 AAAA\nssh-rsa BBBB",
                "ssh-ed25519 AAAA\r", "ssh-ed25519 AA!A", "ssh-ed25519 \x80\x81",
                "command=\"x\" ssh-ed25519 AAAA", "rsa AAAA",
        };
        static const char *const bad_images[] = {
                "", "pytorch/pytorch:latest", "Ubuntu2204", "ubuntu 2204", "vastai/base-image",
        };
        static const char *const many[TD_SSH_KEYS_MAX + 1] = {
                KEY_ED, KEY_ED, KEY_ED, KEY_ED, KEY_ED, KEY_ED, KEY_ED, KEY_ED, KEY_ED,
                KEY_ED, KEY_ED, KEY_ED, KEY_ED, KEY_ED, KEY_ED, KEY_ED, KEY_ED,
        };
        struct td_create_params p;
        struct td_perr perr;
        static char untouched[] = "untouched";
        char *body = untouched;
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
                p = good_params();
                p.ssh_keys = &bad_keys[i];
                p.ssh_key_count = 1;
                if (td_create_body(&p, &body, &perr) != GS_E_INVAL)
                        fail_msg("key %zu accepted", i);
        }
        for (i = 0; i < sizeof(bad_images) / sizeof(bad_images[0]); i++) {
                p = good_params();
                p.image = bad_images[i];
                assert_int_equal(td_create_body(&p, &body, &perr), GS_E_INVAL);
                assert_string_equal(perr.msg, "image is not a TensorDock OS image id");
        }
        p = good_params();
        p.ssh_key_count = 0;
        assert_int_equal(td_create_body(&p, &body, &perr), GS_E_INVAL);
        assert_string_equal(perr.msg, "at least one SSH public key is required");
        p.ssh_keys = many;
        p.ssh_key_count = TD_SSH_KEYS_MAX + 1;
        assert_int_equal(td_create_body(&p, &body, &perr), GS_E_INVAL);
        p = good_params();
        p.name = "gs-\n";
        assert_int_equal(td_create_body(&p, &body, &perr), GS_E_INVAL);
        p.name = NULL;
        assert_int_equal(td_create_body(&p, &body, &perr), GS_E_INVAL);
        p = good_params();
        p.location_id = "loc-123";
        assert_int_equal(td_create_body(&p, &body, &perr), GS_E_INVAL);
        p = good_params();
        p.res.gpu_count = 0;
        assert_int_equal(td_create_body(&p, &body, &perr), GS_E_INVAL);
        assert_int_equal(td_create_body(NULL, &body, &perr), GS_E_INVAL);
        /* ret_body written only on success */
        assert_string_equal(body, "untouched");
}

static void test_ssh_key_check(void **state)
{
        struct td_perr perr;
        char big[TD_SSH_KEY_MAX + 2];

        (void)state;
        assert_int_equal(td_ssh_key_check(KEY_ED, &perr), 0);
        assert_int_equal(td_ssh_key_check("ssh-rsa AAAAB3NzaC1yc2E=", &perr), 0);
        assert_int_equal(td_ssh_key_check("sk-ssh-ed25519@openssh.com AAAA x", &perr), 0);
        memcpy(big, "ssh-rsa ", 8);
        memset(big + 8, 'A', sizeof(big) - 9);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(td_ssh_key_check(big, &perr), GS_E_INVAL);
        assert_non_null(strstr(perr.msg, "longer than"));
        assert_int_equal(td_ssh_key_check(NULL, &perr), GS_E_INVAL);
}

static void test_os_image(void **state)
{
        (void)state;
        assert_true(td_is_os_image("ubuntu2204"));
        assert_true(td_is_os_image("debian12"));
        assert_true(td_is_os_image("ubuntu2404"));
        assert_false(td_is_os_image(NULL));
        assert_false(td_is_os_image("nvidia/cuda:12.4.1-runtime-ubuntu22.04"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_body_shape),
                cmocka_unit_test(test_body_runcmd),
                cmocka_unit_test(test_body_rejects),
                cmocka_unit_test(test_ssh_key_check),
                cmocka_unit_test(test_os_image),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
