/*
 * test_sqlite_tokens.c - storage-sqlite API tokens: insert, lookup by hash,
 * uniqueness, newest-first listing, one-way revocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sqls_harness.h"

static struct gs_token_sink tokens;

static int setup(void **state)
{
        struct th_db *db = calloc(1, sizeof(*db));

        if (!db)
                return -1;
        th_open_memory(db);
        *state = db;
        return 0;
}

static int teardown(void **state)
{
        struct th_db *db = *state;

        th_token_sink_reset(&tokens);
        th_cleanup(db);
        free(db);
        return 0;
}

static int insert(struct th_db *db, const char *id, const char *hash, uint32_t role,
                  const char *consumers, int64_t at)
{
        struct gs_token_record t = {.struct_size = sizeof(t)};

        t.id = id;
        t.secret_hash = hash;
        t.role = role;
        t.consumers = consumers;
        t.label = "note";
        t.created_by = "admin:bootstrap";
        t.created_at_ms = at;
        return th_ops()->token_insert(db->inst, &t, &db->err);
}

static void test_token_insert_and_find_by_hash(void **state)
{
        struct th_db *db = *state;

        assert_int_equal(insert(db, "tok-a", "aa11", GS_ROLE_CONSUMER, "app1,app2", 1000), 0);
        assert_int_equal(th_ops()->token_find_by_hash(db->inst, "aa11", &tokens, &db->err), 0);
        assert_int_equal(tokens.n, 1);
        assert_string_equal(tokens.tok[0].id, "tok-a");
        assert_int_equal(tokens.tok[0].role, GS_ROLE_CONSUMER);
        assert_string_equal(tokens.tok[0].consumers, "app1,app2");
        assert_string_equal(tokens.tok[0].created_by, "admin:bootstrap");
        assert_int_equal(tokens.tok[0].created_at_ms, 1000);
        assert_int_equal(tokens.tok[0].revoked_at_ms, 0);
        assert_int_equal(th_ops()->token_find_by_hash(db->inst, "bb22", &tokens, &db->err),
                         GS_E_NOTFOUND);
}

static void test_token_id_and_hash_are_unique(void **state)
{
        struct th_db *db = *state;

        assert_int_equal(insert(db, "tok-a", "aa11", GS_ROLE_ADMIN, NULL, 1), 0);
        assert_int_equal(insert(db, "tok-a", "cc33", GS_ROLE_ADMIN, NULL, 2), GS_E_EXISTS);
        assert_int_equal(insert(db, "tok-b", "aa11", GS_ROLE_ADMIN, NULL, 3), GS_E_EXISTS);
        assert_int_equal(insert(db, "tok-c", "dd44", 9, NULL, 4), GS_E_INVAL);
}

static void test_token_list_newest_first(void **state)
{
        struct th_db *db = *state;

        assert_int_equal(insert(db, "tok-old", "h1", GS_ROLE_VIEWER, NULL, 10), 0);
        assert_int_equal(insert(db, "tok-new", "h2", GS_ROLE_ADMIN, NULL, 20), 0);
        assert_int_equal(th_ops()->token_list(db->inst, &tokens, &db->err), 0);
        assert_int_equal(tokens.n, 2);
        assert_string_equal(tokens.tok[0].id, "tok-new");
        assert_string_equal(tokens.tok[1].id, "tok-old");
}

static void test_token_revoke_once(void **state)
{
        struct th_db *db = *state;

        assert_int_equal(insert(db, "tok-a", "aa11", GS_ROLE_ADMIN, NULL, 1), 0);
        assert_int_equal(th_ops()->token_revoke(db->inst, "tok-a", 500, &db->err), 0);
        assert_int_equal(th_ops()->token_revoke(db->inst, "tok-a", 600, &db->err), GS_E_CONFLICT);
        assert_int_equal(th_ops()->token_revoke(db->inst, "tok-zz", 600, &db->err), GS_E_NOTFOUND);
        assert_int_equal(th_ops()->token_find_by_hash(db->inst, "aa11", &tokens, &db->err), 0);
        assert_int_equal(tokens.tok[0].revoked_at_ms, 500);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_token_insert_and_find_by_hash, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_token_id_and_hash_are_unique, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_token_list_newest_first, setup, teardown),
                cmocka_unit_test_setup_teardown(test_token_revoke_once, setup, teardown),
        };
        int failed;

        th_load();
        failed = cmocka_run_group_tests(tests, NULL, NULL);
        th_unload();
        return failed;
}
