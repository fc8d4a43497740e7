/* ssh_keys.c - ed25519 key pairs for sessions, exported in OpenSSH formats. */
#include "ssh/ssh_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ssh_keys_free_secret(char *secret)
{
        if (!secret)
                return;
        explicit_bzero(secret, strlen(secret));
        free(secret);
}

/* Wipe and release a string libssh allocated. */
static void free_libssh_secret(char *s)
{
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        ssh_string_free_char(s);
}

int ssh_keys_public_line(const ssh_key key, char **ret_line, struct gs_error *err)
{
        char *b64 = NULL, *line = NULL;
        const char *type;
        size_t len;
        int r;

        if (!key || !ret_line)
                return gs_error_set(err, GS_E_INVAL, 0, "ssh_keys_public_line: NULL argument");
        type = ssh_key_type_to_char(ssh_key_type(key));
        if (!type || ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) {
                r = gs_error_set(err, GS_E_IO, 0, "cannot export the SSH public key");
                goto fail;
        }
        len = strlen(type) + 1 + strlen(b64) + 1 + strlen(SSH_KEY_COMMENT) + 1;
        line = malloc(len);
        if (!line) {
                r = gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
                goto fail;
        }
        if ((size_t)snprintf(line, len, "%s %s %s", type, b64, SSH_KEY_COMMENT) >= len) {
                r = gs_error_set(err, GS_E_IO, 0, "SSH public key line truncated");
                goto fail;
        }
        ssh_string_free_char(b64);
        *ret_line = line;
        return 0;
fail:
        free(line);
        ssh_string_free_char(b64);
        return r;
}

int ssh_keys_export_private(const ssh_key key, char **ret_private, struct gs_error *err)
{
        char *b64 = NULL, *copy = NULL;
        int r;

        if (!key || !ret_private)
                return gs_error_set(err, GS_E_INVAL, 0, "ssh_keys_export_private: NULL argument");
        if (!ssh_key_is_private(key) ||
            ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &b64) != SSH_OK) {
                r = gs_error_set(err, GS_E_IO, 0, "cannot export the SSH private key");
                goto fail;
        }
        /* libssh 0.10 writes ed25519 keys in the OpenSSH container; refuse anything else
         * rather than hand a client a format its ssh may not read. */
        if (strncmp(b64, SSH_KEY_OPENSSH_BEGIN, strlen(SSH_KEY_OPENSSH_BEGIN)) != 0) {
                r = gs_error_set(err, GS_E_IO, 0,
                                 "libssh exported the private key in a format other than OpenSSH");
                goto fail;
        }
        copy = strdup(b64);
        if (!copy) {
                r = gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
                goto fail;
        }
        free_libssh_secret(b64);
        *ret_private = copy;
        return 0;
fail:
        free_libssh_secret(b64);
        return r;
}

int ssh_keypair_generate(struct ssh_keypair **ret_keypair, struct gs_error *err)
{
        struct ssh_keypair *kp = NULL;
        ssh_key key = NULL;
        int r;

        if (!ret_keypair)
                return gs_error_set(err, GS_E_INVAL, 0, "ssh_keypair_generate: NULL argument");
        kp = calloc(1, sizeof(*kp));
        if (!kp) {
                r = gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
                goto fail;
        }
        if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
                r = gs_error_set(err, GS_E_IO, 0, "cannot generate an ed25519 key pair");
                goto fail;
        }
        r = ssh_keys_export_private(key, &kp->private_openssh, err);
        if (r < 0)
                goto fail;
        r = ssh_keys_public_line(key, &kp->public_line, err);
        if (r < 0)
                goto fail;
        ssh_key_free(key);
        *ret_keypair = kp;
        return 0;
fail:
        ssh_key_free(key);
        ssh_keypair_free(kp);
        return r;
}

void ssh_keypair_free(struct ssh_keypair *kp)
{
        if (!kp)
                return;
        ssh_keys_free_secret(kp->private_openssh);
        free(kp->public_line);
        free(kp);
}
