/*
 * test_session_fsm.c - the session state machine checked exhaustively: every
 * (status, event) pair against a table written here, independently of the
 * implementation's transition list; plus names, predicates, stop reasons and
 * the session/consumer id syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/session_fsm.h"
#include "domain/session_id.h"
#include "gpushop/status.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Never a status, reason or event: proves out-params stay untouched. */
#define SENTINEL (-777)

/* Short names for the expected table. */
#define PE GS_SESSION_PENDING
#define PR GS_SESSION_PROVISIONING
#define RU GS_SESSION_RUNNING
#define SG GS_SESSION_STOPPING
#define SD GS_SESSION_STOPPED
#define FA GS_SESSION_FAILED
#define XX (-1) /* GS_E_CONFLICT */
/* One column per event. */
#define EVENT_COLUMNS 22

/* Adding an event or a status must come with a new column or row here. */
_Static_assert(_SESSION_EV_MAX == EVENT_COLUMNS, "update the expected table for the new event");
_Static_assert(SESSION_STATUS_COUNT == 6, "update the expected table for the new status");

/* Rows: the status before; columns: the events of column_events[] below, in order; cells: the
 * status after, or XX for 409. */
static const int expected_next[SESSION_STATUS_COUNT][EVENT_COLUMNS] = {
        /*      PS IC VE CF VF VT AB FT DN DL EX HM ID BU GH DV DF XT HB PT DR OV */
        [PE] = {PR,XX,XX,FA,XX,XX,SG,XX,SG,SG,XX,XX,XX,XX,XX,XX,XX,XX,XX,SG,XX,PE},
        [PR] = {XX,PR,RU,FA,SG,SG,SG,XX,SG,SG,XX,XX,XX,SG,FA,XX,XX,XX,XX,SG,XX,PR},
        [RU] = {XX,XX,XX,XX,XX,XX,XX,SG,SG,SG,SG,SG,SG,SG,SD,XX,XX,RU,RU,XX,XX,RU},
        [SG] = {XX,XX,XX,XX,XX,XX,XX,XX,SG,SG,XX,XX,XX,XX,XX,SD,FA,XX,XX,XX,SG,XX},
        [SD] = {XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX},
        [FA] = {XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX,XX},
};

/* The column order above, spelled out so a reordered enum fails loudly. */
static const int column_events[EVENT_COLUMNS] = {
        SESSION_EV_PROVISION_START, SESSION_EV_INSTANCE_CREATED, SESSION_EV_VERIFIED,
        SESSION_EV_CREATE_FAILED, SESSION_EV_VERIFY_FAILED, SESSION_EV_VERIFY_TIMEOUT,
        SESSION_EV_ABANDONED, SESSION_EV_FAULT, SESSION_EV_DONE, SESSION_EV_DELETE,
        SESSION_EV_EXPIRE, SESSION_EV_HARD_MAX, SESSION_EV_IDLE, SESSION_EV_BUDGET,
        SESSION_EV_GHOST, SESSION_EV_DESTROY_VERIFIED, SESSION_EV_DESTROY_VERIFIED_AFTER_FAULT,
        SESSION_EV_EXTEND, SESSION_EV_HEARTBEAT, SESSION_EV_PROVISION_TIMEOUT,
        SESSION_EV_DESTROY_RETRY, SESSION_EV_OVERRIDE,
};

static void test_every_status_event_pair_matches_table(void **state)
{
        (void)state;
        for (int c = 0; c < EVENT_COLUMNS; c++)
                assert_int_equal(column_events[c], c);
        for (int s = 0; s < SESSION_STATUS_COUNT; s++) {
                for (int e = 0; e < _SESSION_EV_MAX; e++) {
                        int next = SENTINEL;
                        int r = session_fsm_next(s, e, &next);
                        int want = expected_next[s][e];

                        if (want == XX && (r != GS_E_CONFLICT || next != SENTINEL))
                                fail_msg("%s + %s: got %d/%d, want GS_E_CONFLICT untouched",
                                         session_fsm_status_name(s), session_fsm_event_name(e),
                                         r, next);
                        if (want != XX && (r != 0 || next != want))
                                fail_msg("%s + %s: got %d/%d, want 0/%s",
                                         session_fsm_status_name(s), session_fsm_event_name(e),
                                         r, next, session_fsm_status_name(want));
                }
        }
}

static void test_failed_only_without_instance_or_after_verified_destroy(void **state)
{
        /* ARCHITECTURE §6: failed from pending/provisioning, or from stopping only via a
         * verified destroy after a fault; stopped only from stopping or a ghost. */
        (void)state;
        for (int s = 0; s < SESSION_STATUS_COUNT; s++) {
                for (int e = 0; e < _SESSION_EV_MAX; e++) {
                        int next = SENTINEL;

                        if (session_fsm_next(s, e, &next) != 0)
                                continue;
                        if (next == FA && s == SG)
                                assert_int_equal(e, SESSION_EV_DESTROY_VERIFIED_AFTER_FAULT);
                        if (next == FA)
                                assert_true(s == PE || s == PR || s == SG);
                        if (next == SD && s != SG)
                                assert_true(s == RU && e == SESSION_EV_GHOST);
                        assert_false(session_fsm_is_terminal(s));
                }
        }
}

static void test_next_rejects_values_out_of_range(void **state)
{
        int next = SENTINEL;

        (void)state;
        assert_int_equal(session_fsm_next(-1, SESSION_EV_DONE, &next), GS_E_INVAL);
        assert_int_equal(session_fsm_next(SESSION_STATUS_COUNT, SESSION_EV_DONE, &next),
                         GS_E_INVAL);
        assert_int_equal(session_fsm_next(RU, -1, &next), GS_E_INVAL);
        assert_int_equal(session_fsm_next(RU, _SESSION_EV_MAX, &next), GS_E_INVAL);
        assert_int_equal(session_fsm_next(GS_SESSION_ANY, SESSION_EV_DONE, &next), GS_E_INVAL);
        assert_int_equal(next, SENTINEL);
        assert_int_equal(session_fsm_next(RU, SESSION_EV_DONE, NULL), GS_E_INVAL);
}

static void test_status_names_and_parse(void **state)
{
        static const char *const want[SESSION_STATUS_COUNT] = {
                [GS_SESSION_PENDING] = "pending",   [GS_SESSION_PROVISIONING] = "provisioning",
                [GS_SESSION_RUNNING] = "running",   [GS_SESSION_STOPPING] = "stopping",
                [GS_SESSION_STOPPED] = "stopped",   [GS_SESSION_FAILED] = "failed",
        };
        static const char *const bad[] = {"", "Pending", "RUNNING", "running ", " running",
                                          "stop", "stoppedx", "active", "any"};
        int v;

        (void)state;
        for (int s = 0; s < SESSION_STATUS_COUNT; s++) {
                v = SENTINEL;
                assert_string_equal(session_fsm_status_name(s), want[s]);
                assert_int_equal(session_fsm_status_parse(want[s], &v), 0);
                assert_int_equal(v, s);
        }
        assert_null(session_fsm_status_name(-1));
        assert_null(session_fsm_status_name(SESSION_STATUS_COUNT));
        for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
                v = SENTINEL;
                assert_int_equal(session_fsm_status_parse(bad[i], &v), GS_E_INVAL);
                assert_int_equal(v, SENTINEL);
        }
        assert_int_equal(session_fsm_status_parse(NULL, &v), GS_E_INVAL);
        assert_int_equal(session_fsm_status_parse("running", NULL), GS_E_INVAL);
}

static void test_event_names_unique(void **state)
{
        (void)state;
        assert_string_equal(session_fsm_event_name(SESSION_EV_PROVISION_START), "provision_start");
        assert_string_equal(session_fsm_event_name(SESSION_EV_DESTROY_VERIFIED_AFTER_FAULT),
                            "destroy_verified_after_fault");
        assert_string_equal(session_fsm_event_name(SESSION_EV_HEARTBEAT), "heartbeat");
        for (int a = 0; a < _SESSION_EV_MAX; a++) {
                assert_non_null(session_fsm_event_name(a));
                for (int b = a + 1; b < _SESSION_EV_MAX; b++)
                        assert_string_not_equal(session_fsm_event_name(a),
                                                session_fsm_event_name(b));
        }
        assert_null(session_fsm_event_name(-1));
        assert_null(session_fsm_event_name(_SESSION_EV_MAX));
}

static void test_stop_reason_names_parse_and_fault(void **state)
{
        static const struct {
                int reason;
                const char *name;
                bool fault;
        } want[] = {
                {SESSION_STOP_DONE, "done", false},
                {SESSION_STOP_DELETED, "deleted", false},
                {SESSION_STOP_EXPIRED, "expired", false},
                {SESSION_STOP_HARD_MAX, "hard_max", false},
                {SESSION_STOP_IDLE, "idle", false},
                {SESSION_STOP_GHOST, "ghost", false},
                {SESSION_STOP_BUDGET, "budget", false},
                {SESSION_STOP_PROVISION_FAILED, "provision_failed", true},
                {SESSION_STOP_VERIFY_FAILED, "verify_failed", true},
                {SESSION_STOP_VERIFY_TIMEOUT, "verify_timeout", true},
                {SESSION_STOP_INSTANCE_STOPPED, "instance_stopped", true},
                {SESSION_STOP_INSTANCE_VANISHED, "instance_vanished", true},
                {SESSION_STOP_CRASH_RECOVERY, "crash_recovery", true},
                {SESSION_STOP_PROVISION_TIMEOUT, "provision_timeout", true},
        };
        int v;

        (void)state;
        assert_int_equal(ARRAY_LEN(want), _SESSION_STOP_REASON_MAX);
        for (size_t i = 0; i < ARRAY_LEN(want); i++) {
                v = SENTINEL;
                assert_string_equal(session_fsm_stop_reason_name(want[i].reason), want[i].name);
                assert_int_equal(session_fsm_stop_reason_parse(want[i].name, &v), 0);
                assert_int_equal(v, want[i].reason);
                assert_int_equal(session_fsm_stop_reason_is_fault(want[i].reason),
                                 want[i].fault);
        }
        v = SENTINEL;
        assert_int_equal(session_fsm_stop_reason_parse("Done", &v), GS_E_INVAL);
        assert_int_equal(session_fsm_stop_reason_parse("", &v), GS_E_INVAL);
        assert_int_equal(session_fsm_stop_reason_parse(NULL, &v), GS_E_INVAL);
        assert_int_equal(v, SENTINEL);
        assert_null(session_fsm_stop_reason_name(-1));
        assert_null(session_fsm_stop_reason_name(_SESSION_STOP_REASON_MAX));
        assert_false(session_fsm_stop_reason_is_fault(-1));
        assert_false(session_fsm_stop_reason_is_fault(_SESSION_STOP_REASON_MAX));
}

static void test_stop_reason_implied_by_transition(void **state)
{
        static const struct {
                int status, event, reason;
        } want[] = {
                {PE, SESSION_EV_CREATE_FAILED, SESSION_STOP_PROVISION_FAILED},
                {PE, SESSION_EV_ABANDONED, SESSION_STOP_CRASH_RECOVERY},
                {PE, SESSION_EV_DELETE, SESSION_STOP_DELETED},
                {PR, SESSION_EV_DONE, SESSION_STOP_DONE},
                {PR, SESSION_EV_VERIFY_FAILED, SESSION_STOP_VERIFY_FAILED},
                {PR, SESSION_EV_VERIFY_TIMEOUT, SESSION_STOP_VERIFY_TIMEOUT},
                {PR, SESSION_EV_GHOST, SESSION_STOP_INSTANCE_VANISHED},
                {PR, SESSION_EV_BUDGET, SESSION_STOP_BUDGET},
                {RU, SESSION_EV_GHOST, SESSION_STOP_GHOST},
                {RU, SESSION_EV_FAULT, SESSION_STOP_INSTANCE_STOPPED},
                {RU, SESSION_EV_EXPIRE, SESSION_STOP_EXPIRED},
                {RU, SESSION_EV_HARD_MAX, SESSION_STOP_HARD_MAX},
                {RU, SESSION_EV_IDLE, SESSION_STOP_IDLE},
                {RU, SESSION_EV_DONE, SESSION_STOP_DONE},
                {RU, SESSION_EV_DELETE, SESSION_STOP_DELETED},
                {PE, SESSION_EV_PROVISION_TIMEOUT, SESSION_STOP_PROVISION_TIMEOUT},
                {PR, SESSION_EV_PROVISION_TIMEOUT, SESSION_STOP_PROVISION_TIMEOUT},
        };
        static const struct {
                int status, event;
        } none[] = {
                {PE, SESSION_EV_PROVISION_START}, {PR, SESSION_EV_VERIFIED},
                {RU, SESSION_EV_EXTEND},          {RU, SESSION_EV_HEARTBEAT},
                {SG, SESSION_EV_DONE},            {SG, SESSION_EV_DESTROY_VERIFIED},
                {SG, SESSION_EV_DESTROY_VERIFIED_AFTER_FAULT},
                {SD, SESSION_EV_DONE},            {RU, SESSION_EV_VERIFIED},
                {-1, SESSION_EV_DONE},            {RU, _SESSION_EV_MAX},
                {SG, SESSION_EV_DESTROY_RETRY},   {RU, SESSION_EV_OVERRIDE},
                {PE, SESSION_EV_OVERRIDE},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(want); i++)
                assert_int_equal(session_fsm_stop_reason(want[i].status, want[i].event),
                                 want[i].reason);
        for (size_t i = 0; i < ARRAY_LEN(none); i++)
                assert_int_equal(session_fsm_stop_reason(none[i].status, none[i].event),
                                 _SESSION_STOP_REASON_INVALID);
        /* A session that ends failed must have been stopped for a fault reason, and vice
         * versa: every transition into stopping implies a reason. */
        for (int s = 0; s < SESSION_STATUS_COUNT; s++) {
                for (int e = 0; e < _SESSION_EV_MAX; e++) {
                        int next = SENTINEL;
                        int reason = session_fsm_stop_reason(s, e);

                        if (session_fsm_next(s, e, &next) != 0)
                                continue;
                        if (s != SG && (next == SG || next == FA || next == SD))
                                assert_int_not_equal(reason, _SESSION_STOP_REASON_INVALID);
                        if (s != SG && next == FA)
                                assert_true(session_fsm_stop_reason_is_fault(reason));
                }
        }
}

static void test_terminal_active_predicates(void **state)
{
        static const struct {
                int status;
                bool terminal, active;
        } want[] = {
                {PE, false, true}, {PR, false, true},  {RU, false, true},
                {SG, false, false}, {SD, true, false}, {FA, true, false},
                {-1, false, false}, {SESSION_STATUS_COUNT, false, false},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(want); i++) {
                assert_int_equal(session_fsm_is_terminal(want[i].status), want[i].terminal);
                assert_int_equal(session_fsm_is_active(want[i].status), want[i].active);
        }
}

static void test_idempotent_stop_only_done_delete_while_stopping(void **state)
{
        (void)state;
        for (int s = -1; s <= SESSION_STATUS_COUNT; s++) {
                for (int e = -1; e <= _SESSION_EV_MAX; e++) {
                        bool want = s == SG && (e == SESSION_EV_DONE || e == SESSION_EV_DELETE);

                        assert_int_equal(session_fsm_is_idempotent_stop(s, e), want);
                }
        }
}

static void test_session_id_syntax(void **state)
{
        char longest[SESSION_ID_SIZE + 1];
        static const char *const good[] = {"sess-a", "sess-abc123", "sess-abcdefghijklmnop"};
        static const char *const bad[] = {
                "", "sess-", "sess", "SESS-abc", "sess-ABC", "sess-ab_c", "sess-ab/c",
                "sess-ab c", "sess-ab\nc", "xsess-abc", "sess--abc", "../sess-a",
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(good); i++)
                if (!session_id_is_valid(good[i]))
                        fail_msg("'%s' should be a valid session id", good[i]);
        for (size_t i = 0; i < ARRAY_LEN(bad); i++)
                if (session_id_is_valid(bad[i]))
                        fail_msg("'%s' should not be a valid session id", bad[i]);
        assert_false(session_id_is_valid(NULL));
        /* The longest accepted id fills SESSION_ID_SIZE exactly. */
        memcpy(longest, SESSION_ID_PREFIX, SESSION_ID_PREFIX_LEN);
        memset(longest + SESSION_ID_PREFIX_LEN, 'z', SESSION_ID_SUFFIX_MAX);
        longest[SESSION_ID_SIZE - 1] = '\0';
        assert_true(session_id_is_valid(longest));
        longest[SESSION_ID_SIZE - 1] = '7';
        longest[SESSION_ID_SIZE] = '\0';
        assert_false(session_id_is_valid(longest));
}

static void test_consumer_id_syntax(void **state)
{
        char max[CONSUMER_ID_MAX + 2];
        static const char *const good[] = {"a", "alice", "team.ml:job-7_x", "A-Z.0:9_"};
        static const char *const bad[] = {"", " alice", "alice ", "al ice", "a/b", "a\tb",
                                          "caf\xc3\xa9", "a;b", "a\"b", "a%20b"};

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(good); i++)
                assert_true(session_id_is_valid_consumer(good[i]));
        for (size_t i = 0; i < ARRAY_LEN(bad); i++)
                if (session_id_is_valid_consumer(bad[i]))
                        fail_msg("'%s' should not be a valid consumer id", bad[i]);
        assert_false(session_id_is_valid_consumer(NULL));
        memset(max, 'c', CONSUMER_ID_MAX);
        max[CONSUMER_ID_MAX] = '\0';
        assert_true(session_id_is_valid_consumer(max));
        max[CONSUMER_ID_MAX] = 'c';
        max[CONSUMER_ID_MAX + 1] = '\0';
        assert_false(session_id_is_valid_consumer(max));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_status_event_pair_matches_table),
                cmocka_unit_test(test_failed_only_without_instance_or_after_verified_destroy),
                cmocka_unit_test(test_next_rejects_values_out_of_range),
                cmocka_unit_test(test_status_names_and_parse),
                cmocka_unit_test(test_event_names_unique),
                cmocka_unit_test(test_stop_reason_names_parse_and_fault),
                cmocka_unit_test(test_stop_reason_implied_by_transition),
                cmocka_unit_test(test_terminal_active_predicates),
                cmocka_unit_test(test_idempotent_stop_only_done_delete_while_stopping),
                cmocka_unit_test(test_session_id_syntax),
                cmocka_unit_test(test_consumer_id_syntax),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
