/*
 * ssh_mgmt_key.h - the per-deployment management key.
 *
 * One ed25519 key per deployment, installed on every instance beside the
 * session key, so the service can probe instances (idle detection) also after
 * a restart, when the session's private key is long gone.
 *
 *   <data_dir>/management_key       private half, OpenSSH format, mode 0600
 *   <data_dir>/management_key.pub   "ssh-ed25519 AAAA... gpu-shopper", for operators
 *
 * The private half is never logged, returned or copied out of this object; it
 * is reachable only as a libssh key handle for authentication.
 *
 * Thread rules: load on the main thread; afterwards the object is read-only
 * and may be used by any number of probe threads at once (libssh only reads
 * the key while signing).
 */
#ifndef GS_SSH_MGMT_KEY_H
#define GS_SSH_MGMT_KEY_H

#include <libssh/libssh.h>

#include "status.h"

#define MGMT_KEY_FILE_NAME "management_key"
#define MGMT_KEY_PUB_FILE_NAME "management_key.pub"
/* Largest private key file we read (an ed25519 key is ~400 bytes). */
#define MGMT_KEY_FILE_MAX 16384

struct mgmt_key;

/*
 * Load <data_dir>/management_key, or create it (and the .pub) when absent.
 * Creation writes a temporary file opened O_CREAT|O_EXCL with mode 0600, fsyncs
 * it and links it into place, so the key appears complete or not at all, and
 * two processes starting at once end up with the same key. An existing file
 * is refused (GS_E_CONFIG, naming the fix) when it is not a regular file, is
 * owned by another user, or has any group/other permission bits set.
 * The .pub file is rewritten when missing or different.
 *
 * 0 and *ret_key; GS_E_INVAL, GS_E_CONFIG (insecure or unreadable key file),
 * GS_E_IO, GS_E_NOMEM. *ret_key is written only on success.
 */
int mgmt_key_load_or_create(const char *data_dir, struct mgmt_key **ret_key, struct gs_error *err);
/* NULL-safe. */
void mgmt_key_free(struct mgmt_key *key);

/* The authorized_keys line to install on instances. Borrowed. */
const char *mgmt_key_public_line(const struct mgmt_key *key);
/* The loaded private key for ssh_target.key. Borrowed; do not free. */
ssh_key mgmt_key_ssh_key(const struct mgmt_key *key);

#endif /* GS_SSH_MGMT_KEY_H */
