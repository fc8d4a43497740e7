/*
 * fuzz_main.c - standalone driver for the fuzz targets (systemd's fuzz-main.c
 * idea): runs LLVMFuzzerTestOneInput() once on every regular file named on
 * the command line or found (not recursively) in a directory named there.
 * Used by the gcc build, where libFuzzer is not available, so that ctest
 * replays every corpus entry and every past crash reproducer.
 *
 * Each input is read into a buffer of exactly its size, so a sanitizer build
 * catches reads past the end just as libFuzzer would. Exit status: 0 when
 * every input ran (the target aborts on a finding), 1 on an I/O error.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Largest input replayed; libFuzzer's default -max_len is far below this. */
#define FUZZ_MAIN_MAX_INPUT (16u * 1024u * 1024u)

static int read_file(const char *path, uint8_t **ret_data, size_t *ret_size)
{
        FILE *f = fopen(path, "rb");
        uint8_t *data = NULL;
        size_t size = 0, cap = 0;

        if (!f)
                return -1;
        for (;;) {
                size_t n;

                if (size == cap) {
                        size_t ncap = cap ? cap * 2 : 4096;
                        uint8_t *p;

                        if (ncap > FUZZ_MAIN_MAX_INPUT) {
                                errno = EFBIG;
                                goto fail;
                        }
                        p = realloc(data, ncap);
                        if (!p)
                                goto fail;
                        data = p;
                        cap = ncap;
                }
                n = fread(data + size, 1, cap - size, f);
                size += n;
                if (n == 0)
                        break;
        }
        if (ferror(f))
                goto fail;
        fclose(f);
        /* Shrink to the exact size (at least one byte for malloc). */
        {
                uint8_t *exact = malloc(size ? size : 1);

                if (!exact) {
                        free(data);
                        return -1;
                }
                memcpy(exact, data, size);
                free(data);
                *ret_data = exact;
        }
        *ret_size = size;
        return 0;
fail:
        fclose(f);
        free(data);
        return -1;
}

static int run_file(const char *path)
{
        uint8_t *data;
        size_t size;

        if (read_file(path, &data, &size) < 0) {
                fprintf(stderr, "fuzz_main: %s: %s\n", path, strerror(errno));
                return -1;
        }
        (void)LLVMFuzzerTestOneInput(data, size);
        free(data);
        return 0;
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of `dir`, in name order; returns the number run or -1. */
static long run_dir(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0, cap = 0;
        long ran = 0;

        if (!d) {
                fprintf(stderr, "fuzz_main: %s: %s\n", dir, strerror(errno));
                return -1;
        }
        while ((de = readdir(d))) {
                size_t len = strlen(dir) + 1 + strlen(de->d_name) + 1;
                char *path;

                if (de->d_name[0] == '.')
                        continue;
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 64;
                        char **p = realloc(names, ncap * sizeof(*names));

                        if (!p)
                                break;
                        names = p;
                        cap = ncap;
                }
                path = malloc(len);
                if (!path)
                        break;
                (void)snprintf(path, len, "%s/%s", dir, de->d_name);
                names[n++] = path;
        }
        closedir(d);
        if (n)
                qsort(names, n, sizeof(*names), name_cmp);
        for (size_t i = 0; i < n; i++) {
                struct stat st;

                if (ran >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
                        if (run_file(names[i]) < 0)
                                ran = -1;
                        else
                                ran++;
                }
                free(names[i]);
        }
        free(names);
        return ran;
}

int main(int argc, char **argv)
{
        long total = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                struct stat st;
                long ran;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "fuzz_main: %s: %s\n", argv[i], strerror(errno));
                        return 1;
                }
                if (S_ISDIR(st.st_mode)) {
                        ran = run_dir(argv[i]);
                } else {
                        ran = run_file(argv[i]) < 0 ? -1 : 1;
                }
                if (ran < 0)
                        return 1;
                total += ran;
        }
        printf("%s: %ld inputs replayed, no finding\n", argv[0], total);
        return 0;
}
