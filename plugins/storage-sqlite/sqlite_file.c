/*
 * sqlite_file.c - make sure the database file exists with private modes
 * before SQLite opens it: missing parent directories are created 0700 (every
 * intermediate one too), a missing file is created 0600. SQLite then gives
 * the -wal and -shm files the database file's mode.
 *
 * Existing directories and files are left as they are; a database file that
 * group or others can access is reported with a warning.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_store.h"

/* mkdir -p of the directory part of `path` (a writable copy). */
static int make_parents(struct sqls *s, char *path, struct gs_error *err)
{
        char *slash;
        char *p;

        slash = strrchr(path, '/');
        if (!slash || slash == path)
                return 0; /* relative to the working directory, or under "/" */
        *slash = '\0';
        for (p = path + 1;; p++) {
                if (*p != '/' && *p != '\0')
                        continue;
                if (p[-1] != '/') {
                        char saved = *p;

                        *p = '\0';
                        if (mkdir(path, SQLS_DIR_MODE) < 0 && errno != EEXIST) {
                                int e = errno;

                                return s->api->error_set(err, GS_E_IO, 0,
                                                         "cannot create directory '%s': %s", path,
                                                         strerror(e));
                        }
                        *p = saved;
                }
                if (*p == '\0')
                        break;
        }
        *slash = '/';
        return 0;
}

int sqls_file_prepare(struct sqls *s, const char *path, struct gs_error *err)
{
        char buf[SQLS_PATH_MAX];
        struct stat st;
        size_t len;
        int fd;
        int r;

        len = strnlen(path, sizeof(buf));
        if (len == 0 || len >= sizeof(buf))
                return s->api->error_set(err, GS_E_CONFIG, 0, "path: must be 1 to %d bytes long",
                                         SQLS_PATH_MAX - 1);
        memcpy(buf, path, len + 1);
        r = make_parents(s, buf, err);
        if (r < 0)
                return r;

        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, SQLS_FILE_MODE);
        if (fd < 0) {
                int e = errno;

                return s->api->error_set(err, GS_E_IO, 0, "cannot open database '%s': %s", path,
                                         strerror(e));
        }
        if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
                s->api->log(s->host, GS_LOG_WARNING,
                            "database '%s' is accessible to group/others (mode %03o); "
                            "consider chmod 600",
                            path, (unsigned)(st.st_mode & 0777));
        (void)close(fd);
        return 0;
}
