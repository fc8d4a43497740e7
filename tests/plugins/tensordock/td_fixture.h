/*
 * td_fixture.h - fixture loading shared by the tensordock plugin tests.
 */
#ifndef TD_FIXTURE_H
#define TD_FIXTURE_H

#include <stddef.h>

/* Largest fixture file read. */
#define TD_FIXTURE_MAX (1024 * 1024)

/* Read tests/fixtures/tensordock/<name> into a malloc'd NUL-terminated buffer
 * (the test fails when it cannot). */
char *td_fixture_read(const char *name, size_t *ret_len);

#endif /* TD_FIXTURE_H */
