/*
 * ssh_probe.h - run one command on an instance over real SSH (libssh) and
 * collect its output and exit status, within a hard time budget.
 *
 * Used to verify a new instance with the session key (provisioning) and to
 * probe GPU utilisation with the management key (idle detection).
 *
 * Host keys: trust on first use. An instance is brand new and its provider
 * does not tell us its host key, so there is nothing to check it against on
 * first contact: the server's key is accepted and its SHA256 fingerprint is
 * handed to the caller (ssh_target.seen_host_key), which stores it with the
 * session. Later probes pass it back as ssh_target.pinned_host_key and a
 * different key is refused (GS_E_AUTH). Nothing reads or writes
 * ~/.ssh/known_hosts or any ssh_config file.
 *
 * Errors a caller can act on:
 *   GS_E_IO        cannot connect, or the connection broke before auth (sshd
 *                  still starting counts here, never as an auth failure)
 *   GS_E_TIMEOUT   the budget ran out (connect, handshake, command)
 *   GS_E_AUTH      the server refused the key, or its host key changed
 *   GS_E_UPSTREAM  the command ran and exited non-zero (status and stderr in
 *                  the message) or was killed
 *   GS_E_TOOBIG    the command printed more than the output buffer holds
 *   GS_E_INVAL     bad arguments or an unreadable private key
 *
 * Thread-safe: each call has its own libssh session; calls may run
 * concurrently (a shared ssh_key is only read). A host name is resolved with
 * getaddrinfo(), which the time budget cannot interrupt: pass IP addresses
 * where the provider gives them.
 */
#ifndef GS_SSH_PROBE_H
#define GS_SSH_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include <libssh/libssh.h>

#include "status.h"

#define SSH_PROBE_HOST_MAX 253
#define SSH_PROBE_USER_MAX 64
#define SSH_PROBE_COMMAND_MAX 4096
#define SSH_PROBE_TIMEOUT_MAX_MS INT64_C(600000)
/* Size of a seen_host_key buffer that always fits "SHA256:<base64>". */
#define SSH_PROBE_FINGERPRINT_MAX 128
/* Bytes of the command's stderr quoted in a GS_E_UPSTREAM message. */
#define SSH_PROBE_STDERR_MAX 200

#define SSH_PROBE_GPU_UTIL_COMMAND                                                                 \
        "nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits"
/* Output buffer for the GPU query (GPU_UTIL_LINES_MAX short lines). */
#define SSH_PROBE_GPU_OUT_MAX 1024

struct ssh_target {
        const char *host;                /* IP address or name; no '@' */
        uint32_t port;                   /* 1..65535 */
        const char *user;                /* "root", ... */
        /* Exactly one of the two keys: */
        const char *private_key_openssh; /* unencrypted OpenSSH private key text */
        ssh_key key;                     /* loaded private key (mgmt_key_ssh_key()); borrowed */
        const char *pinned_host_key;     /* "SHA256:..." seen at first contact; NULL = accept
                                            any (trust on first use) */
        char *seen_host_key;             /* optional: receives the server's "SHA256:..." when
                                            the call returns 0 */
        size_t seen_host_key_len;        /* SSH_PROBE_FINGERPRINT_MAX is always enough */
};

/*
 * Connect, authenticate with the target's key, run `command` and wait for its
 * exit status, all within timeout_ms (1..SSH_PROBE_TIMEOUT_MAX_MS). Returns 0
 * when the command exited with status 0; `out` then holds its stdout,
 * NUL-terminated (at most out_len - 1 bytes). On failure `out` holds an
 * unspecified NUL-terminated prefix of the output. See the top of this file
 * for the error codes; messages name host:port and never contain key
 * material.
 */
int ssh_probe_run(const struct ssh_target *t, const char *command, char *out, size_t out_len,
                  int64_t timeout_ms, struct gs_error *err);

/*
 * Run SSH_PROBE_GPU_UTIL_COMMAND and return the highest utilisation across
 * the instance's GPUs. Errors as ssh_probe_run(), plus GS_E_BADRESPONSE when
 * the output is not one percentage per line. *ret_max_util_pct is written
 * only on success.
 */
int ssh_probe_gpu_util(const struct ssh_target *t, int64_t timeout_ms,
                       uint32_t *ret_max_util_pct, struct gs_error *err);

#endif /* GS_SSH_PROBE_H */
