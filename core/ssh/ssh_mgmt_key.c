/* ssh_mgmt_key.c - the per-deployment management key: load, or create atomically. */
#include "ssh/ssh_mgmt_key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "random.h"
#include "ssh/ssh_keys.h"

/* Longest path we build under the data directory. */
#define MGMT_KEY_PATH_MAX 4096
/* Random characters in a temporary file name. */
#define MGMT_KEY_TMP_RANDOM_CHARS 12
/* Largest .pub file compared before rewriting it. */
#define MGMT_KEY_PUB_FILE_MAX 4096
#define MGMT_KEY_MODE 0600
#define MGMT_KEY_PUB_MODE 0644
/* Permission bits a private key file must not have. */
#define MGMT_KEY_FORBIDDEN_MODE 0077

struct mgmt_key {
        ssh_key key;       /* private; never exported from this file */
        char *public_line; /* "ssh-ed25519 AAAA... gpu-shopper" */
};

static int build_path(char *buf, size_t len, const char *dir, const char *name,
                      struct gs_error *err)
{
        int n = snprintf(buf, len, "%s/%s", dir, name);

        if (n < 0 || (size_t)n >= len)
                return gs_error_set(err, GS_E_INVAL, 0, "data directory path too long: '%s'", dir);
        return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, data, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                data += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Read at most max bytes of fd into a new NUL-terminated buffer; -1 with errno, or -2 when
 * the file is longer than max. */
static int read_all(int fd, size_t max, char **ret_buf)
{
        char *buf = malloc(max + 1);
        size_t used = 0;

        if (!buf)
                return -1;
        for (;;) {
                ssize_t n = read(fd, buf + used, max + 1 - used);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int saved = errno;

                        explicit_bzero(buf, used);
                        free(buf);
                        errno = saved;
                        return -1;
                }
                if (n == 0)
                        break;
                used += (size_t)n;
                if (used > max) {
                        explicit_bzero(buf, used);
                        free(buf);
                        return -2;
                }
        }
        buf[used] = '\0';
        *ret_buf = buf;
        return 0;
}

/* Make the directory entries created in dir durable. Best effort: a failure here leaves a
 * complete key file that may not survive a power cut, which the next start recreates. */
static void sync_dir(const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return;
        (void)fsync(fd);
        (void)close(fd);
}

/*
 * Write `data` to dir/name through a temporary file. With `no_clobber` the final step is
 * link(): an existing file wins and GS_E_EXISTS is returned; otherwise rename() replaces it.
 */
static int write_file_atomic(const char *dir, const char *name, const char *data, mode_t mode,
                             bool no_clobber, struct gs_error *err)
{
        char path[MGMT_KEY_PATH_MAX], tmp[MGMT_KEY_PATH_MAX], suffix[MGMT_KEY_TMP_RANDOM_CHARS + 8];
        int fd = -1, r;

        r = build_path(path, sizeof(path), dir, name, err);
        if (r < 0)
                return r;
        if (random_id(".tmp-", MGMT_KEY_TMP_RANDOM_CHARS, suffix, sizeof(suffix)) < 0)
                return gs_error_set(err, GS_E_IO, 0, "cannot read random bytes for a file name");
        if (snprintf(tmp, sizeof(tmp), "%s/.%s%s", dir, name, suffix) >= (int)sizeof(tmp))
                return gs_error_set(err, GS_E_INVAL, 0, "data directory path too long: '%s'", dir);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return gs_error_set(err, GS_E_IO, 0, "cannot create '%s': %s", tmp,
                                    strerror(errno));
        /* The umask may have removed bits we want (0644 for the .pub): set them exactly. */
        if (fchmod(fd, mode) < 0 || write_all(fd, data, strlen(data)) < 0 || fsync(fd) < 0) {
                r = gs_error_set(err, GS_E_IO, 0, "cannot write '%s': %s", tmp, strerror(errno));
                goto fail;
        }
        r = close(fd);
        fd = -1;
        if (r < 0) {
                r = gs_error_set(err, GS_E_IO, 0, "cannot write '%s': %s", tmp, strerror(errno));
                goto fail;
        }
        if (no_clobber && link(tmp, path) < 0) {
                r = errno == EEXIST ? GS_E_EXISTS
                                    : gs_error_set(err, GS_E_IO, 0, "cannot create '%s': %s", path,
                                                   strerror(errno));
                goto fail;
        }
        if (!no_clobber && rename(tmp, path) < 0) {
                r = gs_error_set(err, GS_E_IO, 0, "cannot rename '%s' to '%s': %s", tmp, path,
                                 strerror(errno));
                goto fail;
        }
        if (no_clobber)
                (void)unlink(tmp);
        sync_dir(dir);
        return 0;
fail:
        if (fd >= 0)
                (void)close(fd);
        (void)unlink(tmp);
        return r;
}

/* Load the private key at path: GS_E_NOTFOUND when absent (no message), else 0 or an
 * error naming the file and the fix. */
static int load_private(const char *path, ssh_key *ret_key, struct gs_error *err)
{
        struct stat st;
        char *text = NULL;
        ssh_key key = NULL;
        int fd, r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT)
                return GS_E_NOTFOUND;
        if (fd < 0)
                return gs_error_set(err, GS_E_CONFIG, 0, "cannot open management key '%s': %s",
                                    path, strerror(errno));
        if (fstat(fd, &st) < 0) {
                r = gs_error_set(err, GS_E_IO, 0, "cannot stat '%s': %s", path, strerror(errno));
                goto out;
        }
        if (!S_ISREG(st.st_mode)) {
                r = gs_error_set(err, GS_E_CONFIG, 0, "management key '%s' is not a regular file",
                                 path);
                goto out;
        }
        if (st.st_uid != geteuid()) {
                r = gs_error_set(err, GS_E_CONFIG, 0,
                                 "management key '%s' is owned by uid %u, not by this process "
                                 "(uid %u): chown it or remove it to have a new one created",
                                 path, (unsigned)st.st_uid, (unsigned)geteuid());
                goto out;
        }
        if (st.st_mode & MGMT_KEY_FORBIDDEN_MODE) {
                r = gs_error_set(err, GS_E_CONFIG, 0,
                                 "management key '%s' is accessible by group or others (mode "
                                 "%04o); it is a private key: run chmod 600 '%s'",
                                 path, (unsigned)(st.st_mode & 07777), path);
                goto out;
        }
        r = read_all(fd, MGMT_KEY_FILE_MAX, &text);
        if (r == -2) {
                r = gs_error_set(err, GS_E_CONFIG, 0, "management key '%s' is larger than %d bytes",
                                 path, MGMT_KEY_FILE_MAX);
                goto out;
        }
        if (r < 0) {
                r = gs_error_set(err, GS_E_IO, 0, "cannot read '%s': %s", path, strerror(errno));
                goto out;
        }
        if (ssh_pki_import_privkey_base64(text, NULL, NULL, NULL, &key) != SSH_OK ||
            !ssh_key_is_private(key)) {
                ssh_key_free(key);
                r = gs_error_set(err, GS_E_CONFIG, 0,
                                 "management key '%s' is not an unencrypted OpenSSH private key; "
                                 "remove it to have a new one created",
                                 path);
                goto out;
        }
        *ret_key = key;
        r = 0;
out:
        ssh_keys_free_secret(text);
        (void)close(fd);
        return r;
}

/* Create the private key file unless it exists; losing a creation race is success. */
static int create_private(const char *data_dir, struct gs_error *err)
{
        struct ssh_keypair *kp = NULL;
        int r;

        r = ssh_keypair_generate(&kp, err);
        if (r < 0)
                return r;
        r = write_file_atomic(data_dir, MGMT_KEY_FILE_NAME, kp->private_openssh, MGMT_KEY_MODE,
                              true, err);
        ssh_keypair_free(kp);
        return r == GS_E_EXISTS ? 0 : r;
}

/* Write the .pub file when it is missing or says something else. */
static int sync_public(const char *data_dir, const char *line, struct gs_error *err)
{
        char path[MGMT_KEY_PATH_MAX], want[MGMT_KEY_PUB_FILE_MAX];
        char *have = NULL;
        bool same = false;
        int fd, r;

        r = build_path(path, sizeof(path), data_dir, MGMT_KEY_PUB_FILE_NAME, err);
        if (r < 0)
                return r;
        if ((size_t)snprintf(want, sizeof(want), "%s\n", line) >= sizeof(want))
                return gs_error_set(err, GS_E_INVAL, 0, "management public key too long");
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                if (read_all(fd, MGMT_KEY_PUB_FILE_MAX, &have) == 0)
                        same = strcmp(have, want) == 0;
                free(have);
                (void)close(fd);
        }
        if (same)
                return 0;
        return write_file_atomic(data_dir, MGMT_KEY_PUB_FILE_NAME, want, MGMT_KEY_PUB_MODE, false,
                                 err);
}

int mgmt_key_load_or_create(const char *data_dir, struct mgmt_key **ret_key, struct gs_error *err)
{
        char path[MGMT_KEY_PATH_MAX];
        struct mgmt_key *mk = NULL;
        struct stat st;
        ssh_key key = NULL;
        char *line = NULL;
        int r;

        if (!data_dir || !*data_dir || !ret_key)
                return gs_error_set(err, GS_E_INVAL, 0,
                                    "mgmt_key_load_or_create: no data directory");
        if (stat(data_dir, &st) < 0)
                return gs_error_set(err, GS_E_CONFIG, 0, "data directory '%s': %s", data_dir,
                                    strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return gs_error_set(err, GS_E_CONFIG, 0, "data directory '%s' is not a directory",
                                    data_dir);
        r = build_path(path, sizeof(path), data_dir, MGMT_KEY_FILE_NAME, err);
        if (r < 0)
                return r;
        r = load_private(path, &key, err);
        if (r == GS_E_NOTFOUND) {
                r = create_private(data_dir, err);
                if (r < 0)
                        goto fail;
                r = load_private(path, &key, err);
        }
        if (r == GS_E_NOTFOUND)
                r = gs_error_set(err, GS_E_IO, 0, "management key '%s' vanished after creation",
                                 path);
        if (r < 0)
                goto fail;
        r = ssh_keys_public_line(key, &line, err);
        if (r < 0)
                goto fail;
        r = sync_public(data_dir, line, err);
        if (r < 0)
                goto fail;
        mk = calloc(1, sizeof(*mk));
        if (!mk) {
                r = gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
                goto fail;
        }
        mk->key = key;
        mk->public_line = line;
        *ret_key = mk;
        return 0;
fail:
        free(line);
        ssh_key_free(key);
        return r;
}

void mgmt_key_free(struct mgmt_key *key)
{
        if (!key)
                return;
        ssh_key_free(key->key);
        free(key->public_line);
        free(key);
}

const char *mgmt_key_public_line(const struct mgmt_key *key)
{
        return key ? key->public_line : NULL;
}

ssh_key mgmt_key_ssh_key(const struct mgmt_key *key)
{
        return key ? key->key : NULL;
}
