/*
 * td_fixture.c - fixture loading shared by the tensordock plugin tests.
 */
#include "td_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

char *td_fixture_read(const char *name, size_t *ret_len)
{
        char path[1024];
        char *buf;
        size_t n;
        FILE *f;
        int len;

        len = snprintf(path, sizeof(path), "%s/%s", TD_FIXTURE_DIR, name);
        assert_true(len > 0 && (size_t)len < sizeof(path));
        f = fopen(path, "rb");
        if (!f)
                fail_msg("cannot open fixture %s", path);
        buf = malloc(TD_FIXTURE_MAX + 1);
        assert_non_null(buf);
        n = fread(buf, 1, TD_FIXTURE_MAX, f);
        assert_int_equal(ferror(f), 0);
        (void)fclose(f);
        buf[n] = '\0';
        *ret_len = n;
        return buf;
}
