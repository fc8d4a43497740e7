/*
 * test_ssh_keys.c - session key pairs (libssh, checked against real OpenSSH
 * ssh-keygen) and the per-deployment management key on disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ssh/ssh_keys.h"
#include "ssh/ssh_mgmt_key.h"

#define SSH_KEYGEN "/usr/bin/ssh-keygen"
#define DIR_LEN 64
#define PATH_LEN 256
#define LINE_LEN 1024
#define NFTW_FDS 8

struct fixture {
        char dir[DIR_LEN];
        char key_path[PATH_LEN];
        char pub_path[PATH_LEN];
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static int setup_dir(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        (void)snprintf(f->dir, sizeof(f->dir), "/tmp/gs-test-ssh-keys-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        (void)snprintf(f->key_path, sizeof(f->key_path), "%s/%s", f->dir, MGMT_KEY_FILE_NAME);
        (void)snprintf(f->pub_path, sizeof(f->pub_path), "%s/%s", f->dir, MGMT_KEY_PUB_FILE_NAME);
        *state = f;
        return 0;
}

static int teardown_dir(void **state)
{
        struct fixture *f = *state;

        (void)nftw(f->dir, rm_entry, NFTW_FDS, FTW_DEPTH | FTW_PHYS);
        free(f);
        return 0;
}

/* The whole file at path into buf (NUL-terminated); fails the test when unreadable. */
static void read_file(const char *path, char *buf, size_t len)
{
        FILE *fp = fopen(path, "r");
        size_t n;

        if (!fp)
                fail_msg("cannot open %s", path);
        n = fread(buf, 1, len - 1, fp);
        buf[n] = '\0';
        (void)fclose(fp);
}

static int count_entries(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;

        assert_non_null(d);
        while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        n++;
        (void)closedir(d);
        return n;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        assert_int_equal(fchmod(fd, mode), 0);
        assert_int_equal(close(fd), 0);
}

/* "type base64" of an authorized_keys line (the comment dropped). */
static void key_fields(const char *line, char *buf, size_t len)
{
        const char *sp = strchr(line, ' ');
        const char *end;

        assert_non_null(sp);
        end = strpbrk(sp + 1, " \n");
        if (!end)
                end = sp + strlen(sp);
        assert_true((size_t)(end - line) < len);
        memcpy(buf, line, (size_t)(end - line));
        buf[end - line] = '\0';
}

static void test_keypair_formats(void **state)
{
        struct ssh_keypair *kp = NULL;
        struct gs_error err;
        const char *end = "-----END OPENSSH PRIVATE KEY-----\n";
        size_t plen;

        (void)state;
        gs_error_init(&err);
        assert_int_equal(ssh_keypair_generate(&kp, &err), 0);
        assert_non_null(kp);
        assert_true(strncmp(kp->private_openssh, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
        plen = strlen(kp->private_openssh);
        assert_true(plen > strlen(end));
        assert_string_equal(kp->private_openssh + plen - strlen(end), end);
        assert_true(strncmp(kp->public_line, "ssh-ed25519 AAAA", 16) == 0);
        assert_null(strchr(kp->public_line, '\n'));
        assert_string_equal(strrchr(kp->public_line, ' '), " gpu-shopper");
        assert_null(strstr(kp->public_line, "PRIVATE"));
        ssh_keypair_free(kp);
}

static void test_private_key_loads_and_matches_public_line(void **state)
{
        struct ssh_keypair *kp = NULL;
        struct gs_error err;
        ssh_key priv = NULL, pub = NULL;
        char fields[LINE_LEN], *line = NULL;

        (void)state;
        gs_error_init(&err);
        assert_int_equal(ssh_keypair_generate(&kp, &err), 0);
        assert_int_equal(
                ssh_pki_import_privkey_base64(kp->private_openssh, NULL, NULL, NULL, &priv),
                SSH_OK);
        assert_true(ssh_key_is_private(priv));
        assert_int_equal(ssh_key_type(priv), SSH_KEYTYPE_ED25519);
        /* The line derived from the loaded private key is the line we hand out. */
        assert_int_equal(ssh_keys_public_line(priv, &line, &err), 0);
        assert_string_equal(line, kp->public_line);
        /* And the base64 in the line decodes to the same public key. */
        key_fields(kp->public_line, fields, sizeof(fields));
        assert_int_equal(
                ssh_pki_import_pubkey_base64(strchr(fields, ' ') + 1, SSH_KEYTYPE_ED25519, &pub),
                SSH_OK);
        assert_int_equal(ssh_key_cmp(pub, priv, SSH_KEY_CMP_PUBLIC), 0);
        free(line);
        ssh_key_free(pub);
        ssh_key_free(priv);
        ssh_keypair_free(kp);
}

static void test_two_generations_differ(void **state)
{
        struct ssh_keypair *a = NULL, *b = NULL;
        struct gs_error err;

        (void)state;
        gs_error_init(&err);
        assert_int_equal(ssh_keypair_generate(&a, &err), 0);
        assert_int_equal(ssh_keypair_generate(&b, &err), 0);
        assert_string_not_equal(a->private_openssh, b->private_openssh);
        assert_string_not_equal(a->public_line, b->public_line);
        ssh_keypair_free(a);
        ssh_keypair_free(b);
        ssh_keypair_free(NULL);
}

static void test_openssh_keygen_reads_private_key(void **state)
{
        struct fixture *f = *state;
        struct ssh_keypair *kp = NULL;
        struct gs_error err;
        char path[PATH_LEN], cmd[PATH_LEN * 2], got[LINE_LEN], want[LINE_LEN], have[LINE_LEN];
        FILE *fp;
        size_t n;

        if (access(SSH_KEYGEN, X_OK) < 0) {
                print_message("skipped: %s not installed (apt-get install openssh-client)\n",
                              SSH_KEYGEN);
                skip();
        }
        gs_error_init(&err);
        assert_int_equal(ssh_keypair_generate(&kp, &err), 0);
        (void)snprintf(path, sizeof(path), "%s/session_key", f->dir);
        write_file(path, kp->private_openssh, 0600);
        (void)snprintf(cmd, sizeof(cmd), SSH_KEYGEN " -y -f '%s' 2>&1", path);
        fp = popen(cmd, "r");
        assert_non_null(fp);
        n = fread(got, 1, sizeof(got) - 1, fp);
        got[n] = '\0';
        assert_int_equal(pclose(fp), 0);
        key_fields(got, have, sizeof(have));
        key_fields(kp->public_line, want, sizeof(want));
        assert_string_equal(have, want);
        ssh_keypair_free(kp);
}

static void test_mgmt_key_created_0600_and_reloaded(void **state)
{
        struct fixture *f = *state;
        struct mgmt_key *a = NULL, *b = NULL;
        struct gs_error err;
        char pub[LINE_LEN], want[LINE_LEN];
        struct stat st;
        mode_t old = umask(077);

        gs_error_init(&err);
        assert_int_equal(mgmt_key_load_or_create(f->dir, &a, &err), 0);
        (void)umask(old);
        assert_non_null(a);
        assert_int_equal(stat(f->key_path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(stat(f->pub_path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        assert_true(strncmp(mgmt_key_public_line(a), "ssh-ed25519 AAAA", 16) == 0);
        read_file(f->pub_path, pub, sizeof(pub));
        (void)snprintf(want, sizeof(want), "%s\n", mgmt_key_public_line(a));
        assert_string_equal(pub, want);
        assert_true(ssh_key_is_private(mgmt_key_ssh_key(a)));

        /* A restart loads the same key. */
        assert_int_equal(mgmt_key_load_or_create(f->dir, &b, &err), 0);
        assert_string_equal(mgmt_key_public_line(a), mgmt_key_public_line(b));
        assert_int_equal(ssh_key_cmp(mgmt_key_ssh_key(a), mgmt_key_ssh_key(b), SSH_KEY_CMP_PRIVATE),
                         0);
        /* No temporary file is left behind: only the two key files. */
        assert_int_equal(count_entries(f->dir), 2);
        mgmt_key_free(a);
        mgmt_key_free(b);
        mgmt_key_free(NULL);
}

static void test_mgmt_key_refuses_group_or_world_access(void **state)
{
        static const mode_t bad[] = {0644, 0640, 0604, 0660, 0700 | 0007};
        struct fixture *f = *state;
        struct mgmt_key *a = NULL, *b = (struct mgmt_key *)&bad; /* sentinel */
        struct gs_error err;

        gs_error_init(&err);
        assert_int_equal(mgmt_key_load_or_create(f->dir, &a, &err), 0);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(chmod(f->key_path, bad[i]), 0);
                gs_error_init(&err);
                assert_int_equal(mgmt_key_load_or_create(f->dir, &b, &err), GS_E_CONFIG);
                assert_ptr_equal(b, (struct mgmt_key *)&bad);
                assert_non_null(strstr(err.msg, f->key_path));
                assert_non_null(strstr(err.msg, "chmod 600"));
                assert_null(strstr(err.msg, "PRIVATE KEY"));
        }
        /* Fixing the mode is enough: the same key loads again. */
        assert_int_equal(chmod(f->key_path, 0600), 0);
        assert_int_equal(mgmt_key_load_or_create(f->dir, &b, &err), 0);
        assert_string_equal(mgmt_key_public_line(a), mgmt_key_public_line(b));
        mgmt_key_free(a);
        mgmt_key_free(b);
}

static void test_mgmt_key_rewrites_missing_or_wrong_pub(void **state)
{
        struct fixture *f = *state;
        struct mgmt_key *a = NULL, *b = NULL, *c = NULL;
        struct gs_error err;
        char pub[LINE_LEN], want[LINE_LEN];

        gs_error_init(&err);
        assert_int_equal(mgmt_key_load_or_create(f->dir, &a, &err), 0);
        (void)snprintf(want, sizeof(want), "%s\n", mgmt_key_public_line(a));
        assert_int_equal(unlink(f->pub_path), 0);
        assert_int_equal(mgmt_key_load_or_create(f->dir, &b, &err), 0);
        read_file(f->pub_path, pub, sizeof(pub));
        assert_string_equal(pub, want);
        write_file(f->pub_path, "ssh-ed25519 AAAAstale gpu-shopper\n", 0644);
        assert_int_equal(mgmt_key_load_or_create(f->dir, &c, &err), 0);
        read_file(f->pub_path, pub, sizeof(pub));
        assert_string_equal(pub, want);
        mgmt_key_free(a);
        mgmt_key_free(b);
        mgmt_key_free(c);
}

static void test_mgmt_key_rejects_garbage_and_bad_dirs(void **state)
{
        struct fixture *f = *state;
        struct mgmt_key *k = NULL;
        struct gs_error err;
        char missing[PATH_LEN];

        gs_error_init(&err);
        write_file(f->key_path, "not a key\n", 0600);
        assert_int_equal(mgmt_key_load_or_create(f->dir, &k, &err), GS_E_CONFIG);
        assert_non_null(strstr(err.msg, "not an unencrypted OpenSSH private key"));
        assert_null(k);

        (void)snprintf(missing, sizeof(missing), "%s/nope", f->dir);
        assert_int_equal(mgmt_key_load_or_create(missing, &k, &err), GS_E_CONFIG);
        assert_non_null(strstr(err.msg, "No such file or directory"));
        assert_int_equal(mgmt_key_load_or_create(f->key_path, &k, &err), GS_E_CONFIG);
        assert_non_null(strstr(err.msg, "not a directory"));
        assert_int_equal(mgmt_key_load_or_create("", &k, &err), GS_E_INVAL);
        assert_int_equal(mgmt_key_load_or_create(NULL, &k, &err), GS_E_INVAL);
        assert_int_equal(mgmt_key_load_or_create(f->dir, NULL, &err), GS_E_INVAL);
        assert_null(k);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_keypair_formats),
                cmocka_unit_test(test_private_key_loads_and_matches_public_line),
                cmocka_unit_test(test_two_generations_differ),
                cmocka_unit_test_setup_teardown(test_openssh_keygen_reads_private_key, setup_dir,
                                                teardown_dir),
                cmocka_unit_test_setup_teardown(test_mgmt_key_created_0600_and_reloaded, setup_dir,
                                                teardown_dir),
                cmocka_unit_test_setup_teardown(test_mgmt_key_refuses_group_or_world_access,
                                                setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_mgmt_key_rewrites_missing_or_wrong_pub,
                                                setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_mgmt_key_rejects_garbage_and_bad_dirs,
                                                setup_dir, teardown_dir),
        };
        int failed = cmocka_run_group_tests(tests, NULL, NULL);

        ssh_finalize();
        return failed;
}
