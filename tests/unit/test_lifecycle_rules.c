/*
 * test_lifecycle_rules.c - the lifecycle's pure decisions: which time rule
 * stops a session (expiry, hard maximum, idle on probe evidence, provisioning
 * timeout; the earliest deadline wins), orphan verdicts (only our label,
 * never a live session's instance or a create in flight, only past the
 * grace) and a ghost's last sighting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/lifecycle_rules.h"
#include "domain/reconcile_rules.h"
#include "domain/units.h"
#include "gpushop/plugin.h"

#define T0 INT64_C(1790000000000)
#define H MS_PER_HOUR
#define S MS_PER_SECOND
#define SENTINEL INT64_C(-777)

static const struct lifecycle_limits LIM = {
        .hard_max_ms = 12 * H, .provisioning_timeout_ms = 30 * 60 * S, .idle_unit_ms = 60 * S};

static struct lifecycle_facts running(void)
{
        struct lifecycle_facts f = {.status = GS_SESSION_RUNNING,
                                    .created_at_ms = T0 - 60 * S,
                                    .started_at_ms = T0,
                                    .expires_at_ms = T0 + 2 * H,
                                    .last_activity_ms = T0};
        return f;
}

static void test_nothing_due_before_any_deadline(void **state)
{
        struct lifecycle_facts f = running();
        int64_t at = SENTINEL;

        (void)state;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + H, &at), LIFECYCLE_RULE_NONE);
        assert_int_equal(at, SENTINEL);
        assert_int_equal(lifecycle_rule_due(NULL, &LIM, T0, &at), LIFECYCLE_RULE_NONE);
        f.status = GS_SESSION_STOPPING;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 20 * H, &at), LIFECYCLE_RULE_NONE);
        f.status = GS_SESSION_STOPPED;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 20 * H, &at), LIFECYCLE_RULE_NONE);
}

static void test_expiry_fires_at_expires_at(void **state)
{
        struct lifecycle_facts f = running();
        int64_t at = SENTINEL;

        (void)state;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 2 * H - 1, &at), LIFECYCLE_RULE_NONE);
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 2 * H, &at), LIFECYCLE_RULE_EXPIRED);
        assert_int_equal(at, T0 + 2 * H);
}

static void test_hard_max_from_started_at_not_created_at(void **state)
{
        struct lifecycle_facts f = running();
        struct lifecycle_limits lim = LIM;
        int64_t at = SENTINEL;

        (void)state;
        f.created_at_ms = T0 - 5 * H; /* a long provisioning does not count */
        f.expires_at_ms = T0 + 20 * H; /* extended past the limit somehow */
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 12 * H - 1, &at), LIFECYCLE_RULE_NONE);
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 12 * H, &at), LIFECYCLE_RULE_HARD_MAX);
        assert_int_equal(at, T0 + 12 * H);
        /* The earliest deadline names the rule. */
        f.expires_at_ms = T0 + 11 * H;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 13 * H, &at), LIFECYCLE_RULE_EXPIRED);
        /* An override is just another limit. */
        lim.hard_max_ms = 24 * H;
        f.expires_at_ms = T0 + 30 * H;
        assert_int_equal(lifecycle_rule_due(&f, &lim, T0 + 13 * H, &at), LIFECYCLE_RULE_NONE);
        /* Not started: no hard maximum yet. */
        f.started_at_ms = 0;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 13 * H, &at), LIFECYCLE_RULE_NONE);
}

static void test_idle_needs_a_probe_that_saw_it_after_the_deadline(void **state)
{
        struct lifecycle_facts f = running();
        int64_t at = SENTINEL;

        (void)state;
        f.idle_threshold_minutes = 30;
        f.last_activity_ms = T0 + 10 * 60 * S;
        assert_int_equal(lifecycle_idle_deadline_ms(&f, &LIM), T0 + 40 * 60 * S);
        /* Past the deadline, but no evidence: never (a failing probe). */
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + H, &at), LIFECYCLE_RULE_NONE);
        /* A sighting before the deadline proves nothing about after it. */
        f.idle_seen_at_ms = T0 + 39 * 60 * S;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + H, &at), LIFECYCLE_RULE_NONE);
        f.idle_seen_at_ms = T0 + 41 * 60 * S;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + H, &at), LIFECYCLE_RULE_IDLE);
        assert_int_equal(at, T0 + 40 * 60 * S);
        /* Activity (a heartbeat) moves the deadline. */
        f.last_activity_ms = T0 + 50 * 60 * S;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + H, &at), LIFECYCLE_RULE_NONE);
        /* Idle off. */
        f.idle_threshold_minutes = 0;
        assert_int_equal(lifecycle_idle_deadline_ms(&f, &LIM), 0);
}

static void test_idle_unit_shrinks_minutes(void **state)
{
        struct lifecycle_facts f = running();
        struct lifecycle_limits lim = LIM;

        (void)state;
        lim.idle_unit_ms = 500;
        f.idle_threshold_minutes = 3;
        assert_int_equal(lifecycle_idle_deadline_ms(&f, &lim), T0 + 1500);
        f.idle_threshold_minutes = UINT32_MAX;
        lim.idle_unit_ms = INT64_MAX / 2;
        assert_int_equal(lifecycle_idle_deadline_ms(&f, &lim), INT64_MAX);
}

static void test_provisioning_timeout_for_pending_and_provisioning(void **state)
{
        struct lifecycle_facts f = {.status = GS_SESSION_PROVISIONING, .created_at_ms = T0};
        int64_t at = SENTINEL;

        (void)state;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 30 * 60 * S - 1, &at),
                         LIFECYCLE_RULE_NONE);
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 30 * 60 * S, &at),
                         LIFECYCLE_RULE_PROVISION_TIMEOUT);
        f.status = GS_SESSION_PENDING;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + H, NULL),
                         LIFECYCLE_RULE_PROVISION_TIMEOUT);
        /* Expiry and the hard maximum do not apply before running. */
        f.expires_at_ms = T0 + 1;
        f.started_at_ms = 0;
        assert_int_equal(lifecycle_rule_due(&f, &LIM, T0 + 10, NULL), LIFECYCLE_RULE_NONE);
}

static void test_rule_names(void **state)
{
        (void)state;
        assert_string_equal(lifecycle_rule_name(LIFECYCLE_RULE_EXPIRED), "expired");
        assert_string_equal(lifecycle_rule_name(LIFECYCLE_RULE_HARD_MAX), "hard_max");
        assert_string_equal(lifecycle_rule_name(LIFECYCLE_RULE_IDLE), "idle");
        assert_string_equal(lifecycle_rule_name(LIFECYCLE_RULE_PROVISION_TIMEOUT),
                            "provision_timeout");
        assert_null(lifecycle_rule_name(LIFECYCLE_RULE_NONE));
        assert_null(lifecycle_rule_name(_LIFECYCLE_RULE_MAX));
        assert_null(lifecycle_rule_name(-1));
}

/* ------------------------------------------------------------------------ */

static struct orphan_facts facts(int status, const char *recorded)
{
        struct orphan_facts f = {.ours = true,
                                 .session_found = true,
                                 .session_status = status,
                                 .session_provider = "vastai",
                                 .session_instance_id = recorded,
                                 .provider = "vastai",
                                 .instance_id = "42",
                                 .age_ms = 20 * 60 * S,
                                 .grace_ms = 10 * 60 * S};
        return f;
}

static void test_orphan_verdicts(void **state)
{
        struct orphan_facts f;

        (void)state;
        f = facts(GS_SESSION_RUNNING, "42");
        assert_int_equal(orphan_classify(&f), ORPHAN_OWNED);
        f = facts(GS_SESSION_STOPPING, "42");
        assert_int_equal(orphan_classify(&f), ORPHAN_OWNED);
        /* A create (or a find-by-label destroy) under way. */
        f = facts(GS_SESSION_PENDING, NULL);
        assert_int_equal(orphan_classify(&f), ORPHAN_IN_FLIGHT);
        f = facts(GS_SESSION_STOPPING, NULL);
        assert_int_equal(orphan_classify(&f), ORPHAN_IN_FLIGHT);
        /* Over, or never ours to keep. */
        f = facts(GS_SESSION_STOPPED, "42");
        assert_int_equal(orphan_classify(&f), ORPHAN_YES);
        f = facts(GS_SESSION_FAILED, NULL);
        assert_int_equal(orphan_classify(&f), ORPHAN_YES);
        f = facts(GS_SESSION_RUNNING, "41"); /* a second instance under the label */
        assert_int_equal(orphan_classify(&f), ORPHAN_YES);
        f = facts(GS_SESSION_RUNNING, "42");
        f.provider = "tensordock"; /* same id at another provider */
        assert_int_equal(orphan_classify(&f), ORPHAN_YES);
        f = facts(GS_SESSION_RUNNING, NULL);
        f.session_found = false;
        assert_int_equal(orphan_classify(&f), ORPHAN_YES);
        /* The grace. */
        f.age_ms = f.grace_ms - 1;
        assert_int_equal(orphan_classify(&f), ORPHAN_YOUNG);
        f.age_ms = f.grace_ms;
        assert_int_equal(orphan_classify(&f), ORPHAN_YES);
        /* Not ours: never, whatever the rest says. */
        f.ours = false;
        assert_int_equal(orphan_classify(&f), ORPHAN_NOT_OURS);
        assert_int_equal(orphan_classify(NULL), ORPHAN_NOT_OURS);
}

static void test_ghost_last_seen(void **state)
{
        (void)state;
        /* The previous listing showed it running: billed until then. */
        assert_int_equal(ghost_last_seen_ms(T0 + H, T0, T0, T0 + 2 * H), T0 + H);
        /* It started after the previous listing: its start is the last sighting. */
        assert_int_equal(ghost_last_seen_ms(T0 - 10, T0, 0, T0 + H), T0);
        /* A heartbeat after the listing is a later sign of life. */
        assert_int_equal(ghost_last_seen_ms(T0 + H, T0, T0 + 90 * 60 * S, T0 + 2 * H),
                         T0 + 90 * 60 * S);
        /* No listing since the restart: the latest stored sign of life. */
        assert_int_equal(ghost_last_seen_ms(0, T0, T0 + 5, T0 + H), T0 + 5);
        /* Never after the first "missing" observation; that when nothing is known. */
        assert_int_equal(ghost_last_seen_ms(0, T0 + 2 * H, 0, T0 + H), T0 + H);
        assert_int_equal(ghost_last_seen_ms(0, 0, 0, T0 + H), T0 + H);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nothing_due_before_any_deadline),
                cmocka_unit_test(test_expiry_fires_at_expires_at),
                cmocka_unit_test(test_hard_max_from_started_at_not_created_at),
                cmocka_unit_test(test_idle_needs_a_probe_that_saw_it_after_the_deadline),
                cmocka_unit_test(test_idle_unit_shrinks_minutes),
                cmocka_unit_test(test_provisioning_timeout_for_pending_and_provisioning),
                cmocka_unit_test(test_rule_names),
                cmocka_unit_test(test_orphan_verdicts),
                cmocka_unit_test(test_ghost_last_seen),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
