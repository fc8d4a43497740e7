/*
 * keyfile.h - private key files of the CLI: saving a session's key atomically
 * with mode 0600 and never over an existing file, and checking a key file is
 * private before ssh is run with it.
 *
 * Saving is two steps so a bad path is refused before the server creates a
 * session (whose key could then be lost): keyfile_reserve() checks the target
 * and creates a temporary file beside it (O_CREAT|O_EXCL, 0600);
 * keyfile_commit() writes, fsyncs and links it to the target name, which
 * fails rather than replace a file that appeared in between.
 *
 * Errors: GS_E_EXISTS (target exists), GS_E_INVAL (not a usable path),
 * GS_E_IO (a system call failed), GS_E_NOMEM; the detail is in err.
 */
#ifndef GS_CLI_KEYFILE_H
#define GS_CLI_KEYFILE_H

#include <stddef.h>

#define KEYFILE_ERR_MAX 512
#define KEYFILE_MODE 0600

struct keyfile {
        char *path;     /* the target, as given */
        char *dir;      /* its directory ("." for a bare name) */
        char *tmp_path; /* reserved temporary file; NULL once committed or released */
        int fd;         /* open on tmp_path, -1 when closed */
};

/* Refuse an existing target (also a dangling symlink) and a missing or
 * unwritable directory; then reserve the temporary file. On failure kf is
 * left empty (keyfile_done() is still safe). */
int keyfile_reserve(struct keyfile *kf, const char *path, char err[KEYFILE_ERR_MAX]);
/* Write len bytes, fsync, link to the target without replacing, remove the
 * temporary name, fsync the directory. On failure the temporary file is
 * removed and nothing exists at the target that was not there before. */
int keyfile_commit(struct keyfile *kf, const char *data, size_t len, char err[KEYFILE_ERR_MAX]);
/* Remove an uncommitted temporary file and free kf's memory. NULL-safe. */
void keyfile_done(struct keyfile *kf);

/* 0 when path is a readable regular file with no group or other permission
 * bits (what ssh itself demands); GS_E_INVAL with the reason otherwise. */
int keyfile_check_private(const char *path, char err[KEYFILE_ERR_MAX]);

#endif /* GS_CLI_KEYFILE_H */
