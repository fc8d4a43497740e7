/* keyfile.c - atomic, private, never-overwriting key files (see keyfile.h). */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpushop/plugin.h"

/* Attempts at a fresh temporary name before giving up. */
#define TMP_NAME_TRIES 16
/* Permission bits a private key must not have (what ssh refuses). */
#define NOT_PRIVATE_BITS 0077
#define MODE_BITS 07777

static int fail(char err[KEYFILE_ERR_MAX], int status, const char *fmt, ...) GS_PRINTF(3, 4);

/* Fill err (truncated to KEYFILE_ERR_MAX) and return status. */
static int fail(char err[KEYFILE_ERR_MAX], int status, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(err, KEYFILE_ERR_MAX, fmt, ap);
        va_end(ap);
        return status;
}

/* The directory part of path: "." for a bare name, "/" for "/x". */
static char *dir_of(const char *path)
{
        const char *slash = strrchr(path, '/');

        if (!slash)
                return strdup(".");
        if (slash == path)
                return strdup("/");
        return strndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

int keyfile_reserve(struct keyfile *kf, const char *path, char err[KEYFILE_ERR_MAX])
{
        struct stat st;
        char name[64];
        size_t len;
        int r;

        memset(kf, 0, sizeof(*kf));
        kf->fd = -1;
        if (!path || !path[0] || base_of(path)[0] == '\0')
                return fail(err, GS_E_INVAL, "'%s' is not a file name", path ? path : "");
        if (lstat(path, &st) == 0)
                return fail(err, GS_E_EXISTS,
                            "'%s' already exists; refusing to overwrite it%s (choose a new path)",
                            path, S_ISREG(st.st_mode) ? "" : " (not a regular file)");
        if (errno != ENOENT)
                return fail(err, GS_E_IO, "cannot use '%s': %s", path, strerror(errno));
        kf->path = strdup(path);
        kf->dir = dir_of(path);
        if (!kf->path || !kf->dir) {
                r = fail(err, GS_E_NOMEM, "out of memory");
                goto fail;
        }
        if (stat(kf->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                r = fail(err, GS_E_INVAL, "directory '%s' does not exist", kf->dir);
                goto fail;
        }
        len = strlen(kf->dir) + 1 + strlen(base_of(path)) + sizeof(name) + 1;
        kf->tmp_path = malloc(len);
        if (!kf->tmp_path) {
                r = fail(err, GS_E_NOMEM, "out of memory");
                goto fail;
        }
        for (int i = 0; i < TMP_NAME_TRIES && kf->fd < 0; i++) {
                (void)snprintf(name, sizeof(name), ".tmp-%ld-%d", (long)getpid(), i);
                (void)snprintf(kf->tmp_path, len, "%s/.%s%s", kf->dir, base_of(path), name);
                kf->fd = open(kf->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                              KEYFILE_MODE);
                if (kf->fd < 0 && errno != EEXIST)
                        break;
        }
        if (kf->fd < 0) {
                r = fail(err, GS_E_IO, "cannot create a file in '%s': %s", kf->dir,
                         strerror(errno));
                free(kf->tmp_path);
                kf->tmp_path = NULL;
                goto fail;
        }
        /* umask may narrow 0600; the result must be exactly owner read/write. */
        if (fchmod(kf->fd, KEYFILE_MODE) < 0) {
                r = fail(err, GS_E_IO, "cannot set the mode of a file in '%s': %s", kf->dir,
                         strerror(errno));
                goto fail;
        }
        return 0;
fail:
        keyfile_done(kf);
        return r;
}

/* Give the temporary file the target name without ever replacing a file. */
static int link_noreplace(const char *from, const char *to)
{
        if (link(from, to) == 0)
                return 0;
        if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != ENOSYS)
                return -1;
        /* File systems without hard links (vfat, some FUSE). */
        return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

int keyfile_commit(struct keyfile *kf, const char *data, size_t len, char err[KEYFILE_ERR_MAX])
{
        size_t done = 0;
        int dfd, r;

        if (!kf->tmp_path || kf->fd < 0)
                return fail(err, GS_E_INVAL, "key file '%s' was not reserved",
                            kf->path ? kf->path : "");
        while (done < len) {
                ssize_t n = write(kf->fd, data + done, len - done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = fail(err, GS_E_IO, "cannot write '%s': %s", kf->tmp_path,
                                 n < 0 ? strerror(errno) : "no progress");
                        goto fail;
                }
                done += (size_t)n;
        }
        if (fsync(kf->fd) < 0) {
                r = fail(err, GS_E_IO, "cannot sync '%s': %s", kf->tmp_path, strerror(errno));
                goto fail;
        }
        r = close(kf->fd);
        kf->fd = -1;
        if (r < 0) {
                r = fail(err, GS_E_IO, "cannot write '%s': %s", kf->tmp_path, strerror(errno));
                goto fail;
        }
        if (link_noreplace(kf->tmp_path, kf->path) < 0) {
                if (errno == EEXIST)
                        r = fail(err, GS_E_EXISTS,
                                 "'%s' appeared meanwhile; refusing to overwrite it", kf->path);
                else
                        r = fail(err, GS_E_IO, "cannot create '%s': %s", kf->path, strerror(errno));
                goto fail;
        }
        /* After a hard link the temporary name still exists (gone after a rename). */
        (void)unlink(kf->tmp_path);
        free(kf->tmp_path);
        kf->tmp_path = NULL;
        dfd = open(kf->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                (void)fsync(dfd);
                (void)close(dfd);
        }
        return 0;
fail:
        if (kf->fd >= 0) {
                (void)close(kf->fd);
                kf->fd = -1;
        }
        (void)unlink(kf->tmp_path);
        free(kf->tmp_path);
        kf->tmp_path = NULL;
        return r;
}

void keyfile_done(struct keyfile *kf)
{
        if (!kf)
                return;
        if (kf->fd >= 0)
                (void)close(kf->fd);
        if (kf->tmp_path)
                (void)unlink(kf->tmp_path);
        free(kf->tmp_path);
        free(kf->dir);
        free(kf->path);
        memset(kf, 0, sizeof(*kf));
        kf->fd = -1;
}

int keyfile_check_private(const char *path, char err[KEYFILE_ERR_MAX])
{
        struct stat st;

        if (stat(path, &st) < 0)
                return fail(err, GS_E_INVAL, "cannot use key file '%s': %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return fail(err, GS_E_INVAL, "key file '%s' is not a regular file", path);
        if (st.st_mode & NOT_PRIVATE_BITS)
                return fail(err, GS_E_INVAL,
                            "key file '%s' is accessible by group or others (mode %04o); "
                            "ssh would refuse it. Run: chmod 600 '%s'",
                            path, (unsigned)(st.st_mode & MODE_BITS), path);
        if (access(path, R_OK) < 0)
                return fail(err, GS_E_INVAL, "cannot read key file '%s': %s", path,
                            strerror(errno));
        return 0;
}
