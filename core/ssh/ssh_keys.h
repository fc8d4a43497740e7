/*
 * ssh_keys.h - per-session ed25519 key pairs (libssh).
 *
 * The private half exists only in memory (and once in the 201 response); it is
 * never stored or logged. ssh_keypair_free() wipes it before freeing.
 * Thread-safe: no shared state (libssh initialises itself on load).
 */
#ifndef GS_SSH_KEYS_H
#define GS_SSH_KEYS_H

#include <libssh/libssh.h>

#include "status.h"

/* Comment field of every public line we produce. */
#define SSH_KEY_COMMENT "gpu-shopper"
/* What an OpenSSH-format private key starts with. */
#define SSH_KEY_OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"

struct ssh_keypair {
        char *private_openssh; /* "-----BEGIN OPENSSH PRIVATE KEY-----\n...\n", unencrypted */
        char *public_line;     /* "ssh-ed25519 AAAA... gpu-shopper" (authorized_keys, no '\n') */
};

/* A fresh ed25519 pair. 0, GS_E_NOMEM or GS_E_IO (libssh failure); on failure
 * *ret_keypair is untouched and nothing is allocated. */
int ssh_keypair_generate(struct ssh_keypair **ret_keypair, struct gs_error *err);
/* Wipe both strings (explicit_bzero) and free. NULL-safe. */
void ssh_keypair_free(struct ssh_keypair *kp);

/* "<type> <base64> gpu-shopper" for the public half of `key` (private or
 * public), in a new string the caller frees. 0, GS_E_NOMEM or GS_E_IO. */
int ssh_keys_public_line(const ssh_key key, char **ret_line, struct gs_error *err);
/* Unencrypted OpenSSH-format export of a private key, in a new string the
 * caller must wipe (explicit_bzero) and free. 0, GS_E_NOMEM or GS_E_IO. */
int ssh_keys_export_private(const ssh_key key, char **ret_private, struct gs_error *err);
/* Wipe a NUL-terminated secret and free it. NULL-safe. */
void ssh_keys_free_secret(char *secret);

#endif /* GS_SSH_KEYS_H */
