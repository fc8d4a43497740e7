"""Costs and budgets against a real gpu-shopperd, gpu-market-sim and the real
plugins: every Workflow 4 curl as written, our ledger against the simulator's
(provider-billed milliseconds x the price the provider charges, within 1
micro-USD per session) after done, DELETE and expiry, ghosts (an instance
vanished while provisioning or running) billed to their last sighting, live
costs of running sessions, consumer scoping under API tokens, date and period
validation, budget refusal (402) and the alert and stop policies.

Exact arithmetic with an injected clock is in tests/unit/test_cost_meter.c."""
import json
import os
import re
import sqlite3
import subprocess
import time
import unittest
from fractions import Fraction

from harness import Daemon, Sim, cli, http, wait_for

# Our billing times are the daemon's clock reads around the provider's
# answers; the sim's are its own. A normal build agrees to 1 uUSD. Under
# ASan/UBSan (GS_SANITIZED) or valgrind (GS_VALGRIND) the daemon reads its
# clock milliseconds later, so the comparison allows that many milliseconds
# of the session's rate on top.
INSTRUMENTED_CLOCK_SLACK_MS = (150 if os.environ.get("GS_VALGRIND")
                               else 25 if os.environ.get("GS_SANITIZED") else 0)

FAST_INVENTORY = "[inventory]\nrefresh_interval = 1s\nretry_backoff = 200ms\nmax_backoff = 3s\n"
VAST_EXTRA = "timeout = 5s\nconnect_timeout = 1s\nmin_reliability = 0\n"
TD_EXTRA = "timeout = 5s\nconnect_timeout = 1s\n"
FAST_SESSIONS = ("[sessions]\nverify_poll_interval = 200ms\nverify_poll_max_interval = 1s\n"
                 "destroy_confirm_interval = 200ms\ndestroy_retry_backoff = 200ms\n"
                 "destroy_max_backoff = 2s\n")
READY_AFTER_MS = 300
SLOW_READY_MS = 60000
RUNNING_TIMEOUT_S = 60
STOPPED_TIMEOUT_S = 60
MS_PER_HOUR = 3600000
# verify_poll_max_interval below, and the spread of the two processes' clock readings.
POLL_MAX_MS = 1000
CLOCK_SLACK_MS = 50
# A ghost is billed to the last provider listing that showed it: at most one
# reconcile interval (LIFECYCLE_FAST) before it vanished.
GHOST_SLACK_MS = 500 + 200
UUSD = 1000000
# Workflow 4 as written in WORKFLOWS.md; BASE and the example session id are
# replaced by the test daemon's address and a real session.
WORKFLOW4 = [
    'curl "http://localhost:8080/api/v1/costs?session_id=sess-abc123"',
    'curl "http://localhost:8080/api/v1/costs?consumer_id=my-app"',
    'curl http://localhost:8080/api/v1/costs/summary',
    'curl "http://localhost:8080/api/v1/costs/summary?consumer_id=my-app"',
    'curl "http://localhost:8080/api/v1/costs?start_date=2026-01-01&end_date=2026-01-31"',
]
SUMMARY_KEYS = {"total_cost", "currency", "session_count", "hours_used", "by_provider",
                "by_gpu_type", "period_start", "period_end"}


def session_of(j):
    return j["session"] if isinstance(j.get("session"), dict) else j


def uusd(x):
    """A JSON USD number (exact decimal text) as integer micro-USD."""
    return int(Fraction(str(x)) * UUSD)


class Services:
    """The simulator and one daemon, with session helpers."""

    def __init__(self, extra_ini="", sim=None):
        self.own_sim = sim is None
        self.sim = sim or Sim(offers=80, seed=21, ssh=True, ready_after_ms=READY_AFTER_MS).start()
        self.extra_ini = extra_ini
        self.d = None

    def start_daemon(self, data_from=None):
        ini = (FAST_INVENTORY + FAST_SESSIONS + self.extra_ini +
               self.sim.provider_ini(vast_extra=VAST_EXTRA, td_extra=TD_EXTRA))
        storage = None
        if data_from:
            storage = "[storage]\npath = %s/gpu-shopper.db\n" % data_from.data
        self.d = Daemon(extra_ini=ini, storage_ini=storage)
        self.d.start()
        r = self.d.get("/api/v1/sessions")
        if r.status == 404:
            self.stop()
            raise unittest.SkipTest("the session API is not built yet")

        def listed():
            j = self.d.get("/api/v1/inventory?limit=1").json()
            return j.get("total", 0) > 0 and \
                self.d.get("/api/v1/inventory?provider=tensordock&limit=1").json().get("total")
        wait_for(listed, timeout=20, what="the first inventory snapshots")
        return self.d

    def stop_daemon(self):
        if self.d:
            rc = self.d.stop()
            self.d = None
            return rc
        return None

    def stop(self):
        self.stop_daemon()
        if self.own_sim:
            self.sim.stop()

    def cheapest(self, provider, n=1, skip=0):
        j = self.d.get("/api/v1/inventory?provider=%s&sort=price&limit=%d" %
                       (provider, n + skip)).json()
        return j["offers"][skip:skip + n]

    def provision(self, consumer, offer, hours=1, expect=201):
        r = self.d.post("/api/v1/sessions", {"consumer_id": consumer, "offer_id": offer["id"],
                                             "workload_type": "llm", "reservation_hours": hours})
        if r.status not in (200, 201, 202):
            return r
        return session_of(r.json())

    def session(self, sid):
        return session_of(self.d.get("/api/v1/sessions/" + sid).json())

    def wait_status(self, sid, statuses, timeout):
        return wait_for(lambda: self.session(sid)["status"] in statuses and self.session(sid),
                        timeout=timeout, what="%s to become %s" % (sid, "/".join(statuses)))

    def costs(self, query):
        r = self.d.get("/api/v1/costs" + query)
        if r.status != 200:
            raise AssertionError("GET /api/v1/costs%s: %d %s" % (query, r.status, r.body))
        return r.json()

    def sim_ledger(self):
        return {i["label"]: i for i in self.sim.control("GET", "/ledger")["instances"]}


class CostLedgerTest(unittest.TestCase):
    """One daemon, no budgets: metering, the ledger, the cost API and CLI."""

    @classmethod
    def setUpClass(cls):
        cls.s = Services()
        try:
            cls.d = cls.s.start_daemon()
        except BaseException:
            cls.s.stop()
            raise
        cls.finished = {}

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop_daemon()
        cls.s.stop()
        assert rc == 0, "daemon exit status %r" % rc

    def assert_matches_sim(self, sid):
        """Our final cost of sid = the sim's billed ms x charged price, +-1 uusd."""
        ledger = self.s.sim_ledger()
        inst = [v for k, v in ledger.items() if k.endswith("-" + sid)]
        self.assertEqual(len(inst), 1, "sim ledger has no instance labelled for %s" % sid)
        inst = inst[0]
        self.assertIsNotNone(inst["destroyed_at_ms"], "the sim still bills %s" % sid)
        ours = self.s.costs("?session_id=" + sid)
        self.assertEqual(ours["session_id"], sid)
        self.assertEqual(ours["currency"], "USD")
        self.assertEqual(ours["session_count"], 1)
        got = ours["total_cost_uusd"]
        self.assertEqual(uusd(ours["total_cost"]), got)
        exact = Fraction(inst["billed_ms"] * inst["rate_uusd_per_hour"], MS_PER_HOUR)
        ours_ms = round(Fraction(str(ours["hours_used"])) * MS_PER_HOUR)
        msg = ("%s (%s): ours %d uusd over ~%d ms; sim %s uusd over %d ms at %d uusd/h" %
               (sid, inst["provider"], got, ours_ms, float(exact), inst["billed_ms"],
                inst["rate_uusd_per_hour"]))
        print(msg)
        slack = Fraction(INSTRUMENTED_CLOCK_SLACK_MS * inst["rate_uusd_per_hour"], MS_PER_HOUR)
        self.assertLessEqual(abs(got - exact), 1 + slack, msg)
        # the session API's final cost is the ledger's
        self.assertEqual(uusd(self.s.session(sid)["cost_so_far"]), got)
        return got

    def test_1_mixed_run_matches_the_sim_ledger(self):
        v1, v2 = self.s.cheapest("vastai", 2)
        td, = self.s.cheapest("tensordock", 1)
        a = self.s.provision("my-app", v1)
        b = self.s.provision("my-app", v2)
        c = self.s.provision("team-b", td)
        for x in (a, b, c):
            self.assertIsInstance(x, dict, getattr(x, "body", x))
            self.s.wait_status(x["id"], ("running",), RUNNING_TIMEOUT_S)
        time.sleep(1.0)
        self.assertEqual(self.d.post("/api/v1/sessions/%s/done" % a["id"]).status // 100, 2)
        self.assertEqual(self.d.delete("/api/v1/sessions/%s" % b["id"]).status // 100, 2)
        self.assertEqual(self.d.post("/api/v1/sessions/%s/done" % c["id"]).status // 100, 2)
        total = 0
        for x in (a, b, c):
            self.s.wait_status(x["id"], ("stopped",), STOPPED_TIMEOUT_S)
            total += self.assert_matches_sim(x["id"])
        type(self).finished = {"a": a, "b": b, "c": c}
        # the totals agree with the sessions
        mine = self.s.costs("?consumer_id=my-app")
        self.assertEqual(mine["session_count"], 2)
        self.assertEqual(mine["total_cost_uusd"],
                         sum(self.s.costs("?session_id=" + x["id"])["total_cost_uusd"]
                             for x in (a, b)))
        everything = self.s.costs("")
        self.assertEqual(everything["total_cost_uusd"], total)
        self.assertEqual(sum(uusd(v) for v in everything["by_provider"].values()), total)
        self.assertEqual(sum(uusd(v) for v in everything["by_gpu_type"].values()), total)
        self.assertEqual(set(everything["by_provider"]), {"vastai", "tensordock"})

    def test_2_vanished_instance_costs_until_last_seen(self):
        """A provision whose instance vanishes before it runs ends failed, billed
        from the creation to the last poll that still saw the instance: never
        more than the provider bills, less by at most one poll interval."""
        v, = self.s.cheapest("vastai", 1, skip=2)
        self.s.sim.control("POST", "/config", {"ready_after_ms": SLOW_READY_MS})
        try:
            x = self.s.provision("my-app", v)
            self.assertIsInstance(x, dict, getattr(x, "body", x))
            inst = x.get("provider_instance_id")
            self.assertTrue(inst)
            time.sleep(0.5)
            self.s.sim.control("POST", "/instances/%s/vanish" % inst)
        finally:
            self.s.sim.control("POST", "/config", {"ready_after_ms": READY_AFTER_MS})
        s = self.s.wait_status(x["id"], ("failed", "stopped"), STOPPED_TIMEOUT_S)
        self.assertEqual(s["status"], "failed")
        sim = [i for k, i in self.s.sim_ledger().items() if k.endswith("-" + x["id"])][0]
        self.assertEqual(sim["end_reason"], "vanish")
        ours = self.s.costs("?session_id=" + x["id"])
        ours_ms = round(Fraction(str(ours["hours_used"])) * MS_PER_HOUR)
        print("%s (vanished): ours ~%d ms, %d uusd; sim %d ms, %d uusd" %
              (x["id"], ours_ms, ours["total_cost_uusd"], sim["billed_ms"], sim["cost_uusd"]))
        self.assertLessEqual(ours_ms, sim["billed_ms"] + CLOCK_SLACK_MS)
        self.assertGreaterEqual(ours_ms, sim["billed_ms"] - POLL_MAX_MS - CLOCK_SLACK_MS)
        self.assertLessEqual(ours["total_cost_uusd"],
                             Fraction(sim["billed_ms"] * sim["rate_uusd_per_hour"], MS_PER_HOUR)
                             + 1)
        self.assertEqual(uusd(self.s.session(x["id"])["cost_so_far"]), ours["total_cost_uusd"])

    def test_3_workflow4_curls_as_written(self):
        if not self.finished:
            self.skipTest("needs the sessions of test_1")
        sid = self.finished["a"]["id"]
        base = self.d.url("")
        outs = []
        for line in WORKFLOW4:
            cmd = line.replace("http://localhost:8080", base).replace("sess-abc123", sid)
            cmd = cmd.replace("curl ", "curl -sS -w '\\n%{http_code}' ", 1)
            p = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, "%s: %s" % (cmd, p.stderr))
            body, code = p.stdout.rsplit("\n", 1)
            self.assertEqual(code, "200", "%s -> %s %s" % (cmd, code, body))
            outs.append(json.loads(body))
        by_session, by_consumer, summary, summary_mine, january = outs
        self.assertEqual(by_session["session_id"], sid)
        self.assertEqual(by_session["currency"], "USD")
        self.assertGreater(by_session["total_cost"], 0)
        self.assertEqual(by_consumer["consumer_id"], "my-app")
        self.assertTrue(SUMMARY_KEYS <= set(by_consumer), by_consumer)
        self.assertIsInstance(by_consumer["by_provider"]["vastai"], (int, float))
        for s in (summary, summary_mine, january):
            self.assertTrue(SUMMARY_KEYS <= set(s), s)
        self.assertEqual(summary_mine["consumer_id"], "my-app")
        self.assertTrue(summary["period_start"].endswith("-01T00:00:00Z"))
        self.assertEqual(january["period_start"], "2026-01-01T00:00:00Z")
        self.assertEqual(january["period_end"], "2026-02-01T00:00:00Z")
        # the sessions ran this month (the clock is real)
        self.assertGreaterEqual(summary["total_cost_uusd"], by_consumer["total_cost_uusd"])
        # the example's session id is unknown here: a JSON 404
        r = self.d.get("/api/v1/costs?session_id=sess-abc123")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error_type"], "not_found")

    def test_4_running_session_counts_its_live_cost(self):
        v, = self.s.cheapest("vastai", 1, skip=3)
        x = self.s.provision("live-app", v)
        self.assertIsInstance(x, dict, getattr(x, "body", x))
        self.s.wait_status(x["id"], ("running",), RUNNING_TIMEOUT_S)
        first = self.s.costs("?session_id=" + x["id"])["total_cost_uusd"]
        time.sleep(1.5)
        second = self.s.costs("?session_id=" + x["id"])
        self.assertGreater(second["total_cost_uusd"], first)
        self.assertEqual(second["session_count"], 1)
        mine = self.s.costs("?consumer_id=live-app")
        self.assertGreaterEqual(mine["total_cost_uusd"], second["total_cost_uusd"])
        summary = self.d.get("/api/v1/costs/summary?consumer_id=live-app").json()
        self.assertEqual(summary["session_count"], 1)
        self.assertGreaterEqual(summary["total_cost_uusd"], second["total_cost_uusd"])
        # today's bucket holds it
        daily = self.s.costs("?consumer_id=live-app&period=daily")
        today = [p for p in daily["periods"] if p["session_count"]]
        self.assertEqual(len(today), 1)
        self.assertGreaterEqual(today[0]["total_cost_uusd"], second["total_cost_uusd"])
        self.d.delete("/api/v1/sessions/" + x["id"])
        self.s.wait_status(x["id"], ("stopped",), STOPPED_TIMEOUT_S)
        self.assert_matches_sim(x["id"])

    def test_5_dates_periods_and_validation(self):
        bad = {
            "?start_date=2026-13-01": "start_date",
            "?end_date=2026-02-30": "end_date",
            "?start_date=26-01-01": "start_date",
            "?start_date=2026-02-01&end_date=2026-01-31": "after",
            "?period=weekly": "period",
            "?session_id=nope": "session_id",
            "?consumer_id=a%2Fb": "consumer_id",
            "?color=red": "unknown query parameter",
            "?start_date=2026-01-01&start_date=2026-01-02": "more than once",
        }
        for q, word in bad.items():
            r = self.d.get("/api/v1/costs" + q)
            self.assertEqual(r.status, 400, "%s: %s" % (q, r.body))
            j = r.json()
            self.assertEqual(j["error_type"], "invalid_parameter")
            self.assertIn(word, j["error"])
        r = self.d.get("/api/v1/costs/summary?period=daily")
        self.assertEqual(r.status, 400)
        self.assertEqual(self.d.get("/api/v1/costs?session_id=sess-unknown0000").status, 404)
        # one day, inclusive: the whole UTC day
        j = self.s.costs("?start_date=2024-02-29&end_date=2024-02-29")
        self.assertEqual(j["period_start"], "2024-02-29T00:00:00Z")
        self.assertEqual(j["period_end"], "2024-03-01T00:00:00Z")
        self.assertEqual(j["total_cost_uusd"], 0)
        # months of a leap year's first quarter
        j = self.s.costs("?start_date=2024-01-15&end_date=2024-03-02&period=monthly")
        self.assertEqual([p["period_start"] for p in j["periods"]],
                         ["2024-01-15T00:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"])
        self.assertEqual(j["periods"][1]["period_end"], "2024-03-01T00:00:00Z")
        j = self.s.costs("?start_date=2024-02-27&end_date=2024-03-01&period=daily")
        self.assertEqual(len(j["periods"]), 4)
        # too many buckets
        r = self.d.get("/api/v1/costs?start_date=1970-01-01&end_date=2026-01-01&period=daily")
        self.assertEqual(r.status, 400)
        # all days of this month sum to the month (each cut part truncated: -1 uusd per cut)
        month = self.s.costs("?period=daily")
        parts = sum(p["total_cost_uusd"] for p in month["periods"])
        self.assertLessEqual(0, month["total_cost_uusd"] - parts)
        self.assertLessEqual(month["total_cost_uusd"] - parts, len(month["periods"]))

    def test_6_cli(self):
        if not self.finished:
            self.skipTest("needs the sessions of test_1")
        sid = self.finished["a"]["id"]
        server = self.d.url("")
        p = cli("costs", "-s", sid, server=server)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Session:    " + sid, p.stdout)
        self.assertRegex(p.stdout, r"Total:\s+\$[0-9.]+ USD \(1 session")
        p = cli("costs", "-c", "my-app", "-p", "daily", server=server)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("PROVIDER", p.stdout)
        self.assertRegex(p.stdout, r"PERIOD\s+COST\s+SESSIONS\s+HOURS")
        p = cli("-o", "json", "costs", "summary", "-c", "my-app", server=server)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["consumer_id"], "my-app")
        p = cli("budgets", server=server)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("No monthly budgets configured.", p.stdout)
        for args in (("costs", "--start", "2026-02-30"), ("costs", "-p", "weekly"),
                     ("costs", "bogus"), ("budgets", "-c", "a/b")):
            p = cli(*args, server=server)
            self.assertEqual(p.returncode, 2, "%s: %s" % (args, p.stdout))
        self.assertEqual(cli("costs", "-s", "sess-unknown0000", server=server).returncode, 4)
        for args in (("costs", "--help"), ("costs", "summary", "--help"), ("budgets", "--help")):
            p = cli(*args, server=server)
            self.assertEqual(p.returncode, 0)
            self.assertIn("Usage: gpu-shopper", p.stdout)


LIFECYCLE_FAST = ("[lifecycle]\ntick_interval = 100ms\nreconcile_interval = 500ms\n"
                  "ghost_confirm_interval = 300ms\norphan_grace = 5s\n")


class LifecycleLedgerTest(unittest.TestCase):
    """The lifecycle's terminal paths finalize the cost like the others:
    expiry (billed to the verified destroy, matching the sim within 1
    micro-USD) and a running instance lost by the provider (a ghost: billed
    to the last listing that still showed it, never past the sim's end)."""

    @classmethod
    def setUpClass(cls):
        cls.s = Services(extra_ini=LIFECYCLE_FAST)
        try:
            cls.d = cls.s.start_daemon()
        except AssertionError as e:
            cls.s.stop()
            if "unknown section [lifecycle]" in str(e):
                raise unittest.SkipTest("no lifecycle in this build")
            raise
        except BaseException:
            cls.s.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop_daemon()
        cls.s.stop()
        assert rc == 0, "daemon exit status %r" % rc

    def running(self, consumer, offer):
        x = self.s.provision(consumer, offer)
        self.assertIsInstance(x, dict, getattr(x, "body", x))
        return self.s.wait_status(x["id"], ("running",), RUNNING_TIMEOUT_S)

    def sim_entry(self, sid):
        return [i for k, i in self.s.sim_ledger().items() if k.endswith("-" + sid)][0]

    def test_expiry_matches_the_sim(self):
        v, = self.s.cheapest("vastai", 1)
        x = self.running("expiring", v)
        time.sleep(0.5)
        # move the session's clock: its reservation ends now
        db = sqlite3.connect(os.path.join(self.d.data, "gpu-shopper.db"), timeout=10)
        with db:
            db.execute("UPDATE sessions SET expires_at_ms = ? WHERE id = ?",
                       (int(time.time() * 1000) - 1, x["id"]))
        db.close()
        s = self.s.wait_status(x["id"], ("stopped", "failed"), STOPPED_TIMEOUT_S)
        self.assertEqual(s["status"], "stopped")
        self.assertIn("expire", s["status_reason"])
        CostLedgerTest.assert_matches_sim(self, x["id"])

    def test_running_ghost_is_billed_to_its_last_sighting(self):
        v, = self.s.cheapest("vastai", 1, skip=1)
        x = self.running("haunted", v)
        time.sleep(1.0)
        self.s.sim.control("POST", "/instances/%s/vanish" % x["provider_instance_id"])
        s = self.s.wait_status(x["id"], ("stopped", "failed"), STOPPED_TIMEOUT_S)
        sim = self.sim_entry(x["id"])
        self.assertEqual(sim["end_reason"], "vanish")
        ours = self.s.costs("?session_id=" + x["id"])
        ours_ms = round(Fraction(str(ours["hours_used"])) * MS_PER_HOUR)
        print("%s (ghost, %s): ours ~%d ms, %d uusd; sim %d ms, %d uusd" %
              (x["id"], s["status"], ours_ms, ours["total_cost_uusd"], sim["billed_ms"],
               sim["cost_uusd"]))
        self.assertLessEqual(ours_ms, sim["billed_ms"] + CLOCK_SLACK_MS)
        self.assertGreaterEqual(ours_ms, sim["billed_ms"] - GHOST_SLACK_MS)
        self.assertLessEqual(ours["total_cost_uusd"],
                             Fraction(sim["billed_ms"] * sim["rate_uusd_per_hour"], MS_PER_HOUR)
                             + 1)
        self.assertEqual(uusd(self.s.session(x["id"])["cost_so_far"]), ours["total_cost_uusd"])


class BudgetTest(unittest.TestCase):
    """Refusals (402), then the alert and stop policies on a consumer whose
    budget is lowered below what it spent while its session runs."""

    @classmethod
    def setUpClass(cls):
        cls.s = Services()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def restart(self, extra_ini, data_from=None):
        rc = self.s.stop_daemon()
        self.assertIn(rc, (0, None))
        self.s.extra_ini = extra_ini
        return self.s.start_daemon(data_from=data_from)

    def test_1_refusals(self):
        d = self.restart("[budget]\nmax_running_usd_per_hour = 1.00\n"
                         "[budget.tight]\nmonthly_usd = 0.05\n")
        cheap, = self.s.cheapest("vastai", 1)
        price = uusd(cheap["price_per_hour"])
        # monthly: price x 2 h > $0.05
        r = d.post("/api/v1/sessions", {"consumer_id": "tight", "offer_id": cheap["id"],
                                        "workload_type": "llm", "reservation_hours": 2})
        self.assertEqual(r.status, 402, r.body)
        j = r.json()
        self.assertEqual(j["error_type"], "budget_exceeded")
        self.assertEqual(j["budget"], "monthly_budget")
        self.assertEqual(uusd(j["limit_usd"]), 50000)
        self.assertEqual(uusd(j["projected_usd"]), 2 * price)
        self.assertEqual(uusd(j["resulting_usd"]), uusd(j["spent_usd"]) + 2 * price)
        self.assertTrue(j["request_id"])
        # ceiling: an offer above $1/h
        dear = [o for o in d.get("/api/v1/inventory?sort=price&limit=500").json()["offers"]
                if uusd(o["price_per_hour"]) > UUSD][0]
        r = d.post("/api/v1/sessions", {"consumer_id": "other", "offer_id": dear["id"],
                                        "workload_type": "llm", "reservation_hours": 1})
        self.assertEqual(r.status, 402, r.body)
        j = r.json()
        self.assertEqual(j["budget"], "running_ceiling")
        self.assertEqual(uusd(j["max_running_usd_per_hour"]), UUSD)
        self.assertEqual(uusd(j["price_per_hour"]), uusd(dear["price_per_hour"]))
        # nothing was created for either
        self.assertEqual(d.get("/api/v1/sessions?consumer_id=tight").json().get("sessions", []),
                         [])
        b = d.get("/api/v1/budgets").json()
        self.assertEqual(uusd(b["ceiling"]["max_running_usd_per_hour"]), UUSD)
        self.assertEqual([x["consumer_id"] for x in b["budgets"]], ["tight"])
        self.assertEqual(uusd(b["budgets"][0]["monthly_usd"]), 50000)
        self.assertFalse(b["budgets"][0]["exceeded"])

    def test_2_alert_then_stop_policy(self):
        # spend some money with no budget
        d = self.restart("")
        dear = d.get("/api/v1/inventory?provider=vastai&sort=price&limit=500").json()["offers"][-1]
        x = self.s.provision("spender", dear)
        self.assertIsInstance(x, dict, getattr(x, "body", x))
        self.s.wait_status(x["id"], ("running",), RUNNING_TIMEOUT_S)
        wait_for(lambda: self.s.costs("?consumer_id=spender")["total_cost_uusd"] > 20,
                 timeout=30, what="20 uusd spent")
        # lower the budget below the spend: alert counts it once, keeps running
        first = self.s.d
        d = self.restart("[budget]\npolicy = alert\ncheck_interval = 200ms\n"
                         "[budget.spender]\nmonthly_usd = 0.000010\n", data_from=first)
        metric = re.compile(r'^gs_budget_exceeded_total\{consumer="spender"\} (\d+)$', re.M)
        wait_for(lambda: metric.search(d.get("/metrics").body.decode()), timeout=20,
                 what="gs_budget_exceeded_total for spender")
        time.sleep(1.0)
        self.assertEqual(metric.search(d.get("/metrics").body.decode()).group(1), "1")
        self.assertEqual(self.s.session(x["id"])["status"], "running")
        self.assertIn("monthly budget exceeded", d.log_text())
        b = d.get("/api/v1/budgets?consumer_id=spender").json()["budgets"][0]
        self.assertTrue(b["exceeded"])
        self.assertLess(uusd(b["remaining_usd"]), 0)
        # a new session for the consumer is refused
        cheap, = self.s.cheapest("vastai", 1)
        r = d.post("/api/v1/sessions", {"consumer_id": "spender", "offer_id": cheap["id"],
                                        "workload_type": "llm", "reservation_hours": 1})
        self.assertEqual(r.status, 402, r.body)
        # policy stop: the running session is stopped and billed to its end
        d = self.restart("[budget]\npolicy = stop\ncheck_interval = 200ms\n"
                         "[budget.spender]\nmonthly_usd = 0.000010\n", data_from=first)
        s = self.s.wait_status(x["id"], ("stopping", "stopped"), STOPPED_TIMEOUT_S)
        self.assertIn("budget", s["status_reason"] or "")
        self.s.wait_status(x["id"], ("stopped",), STOPPED_TIMEOUT_S)
        ledger = [i for k, i in self.s.sim_ledger().items() if k.endswith("-" + x["id"])][0]
        self.assertEqual(ledger["end_reason"], "destroy")


class CostScopeTest(unittest.TestCase):
    """With API tokens on: a consumer token sees only its consumers' costs and
    budgets (403 for another consumer, 404 for another consumer's session)."""
    ADMIN = "gst_costs_admin_token_for_tests_0123456789"

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(offers=60, seed=23, ssh=True, ready_after_ms=READY_AFTER_MS).start()
        ini = (FAST_INVENTORY + FAST_SESSIONS + "[auth]\nenabled = true\n" +
               "[budget.app2]\nmonthly_usd = 50\n" +
               cls.sim.provider_ini(vast_extra=VAST_EXTRA, td_extra=TD_EXTRA))
        cls.d = Daemon(extra_ini=ini)
        try:
            cls.d.start(env={"GS_ADMIN_TOKEN": cls.ADMIN})
        except BaseException:
            cls.sim.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        rc = cls.d.stop()
        cls.sim.stop()
        assert rc == 0, "daemon exit status %r" % rc

    def call(self, method, path, secret, body=None):
        r = http(method, self.d.url(path), body=body,
                 headers={"Authorization": "Bearer " + secret})
        return r

    def test_consumer_token_sees_its_own_costs(self):
        admin = self.ADMIN

        def listed():
            r = self.call("GET", "/api/v1/inventory?provider=vastai&sort=price&limit=2", admin)
            return r.status == 200 and len(r.json()["offers"]) == 2 and r.json()["offers"]
        offers = wait_for(listed, timeout=20, what="the inventory")
        ids = {}
        for consumer, offer in zip(("app1", "app2"), offers):
            r = self.call("POST", "/api/v1/sessions", admin,
                          {"consumer_id": consumer, "offer_id": offer["id"],
                           "workload_type": "llm", "reservation_hours": 1})
            self.assertIn(r.status, (200, 201, 202), r.body)
            ids[consumer] = session_of(r.json())["id"]
        for sid in ids.values():
            self.assertEqual(self.call("DELETE", "/api/v1/sessions/" + sid, admin).status // 100,
                             2)
        for sid in ids.values():
            wait_for(lambda: session_of(self.call("GET", "/api/v1/sessions/" + sid,
                                                  admin).json())["status"] == "stopped",
                     timeout=STOPPED_TIMEOUT_S, what=sid + " stopped")
        r = self.call("POST", "/api/v1/tokens", admin, {"role": "consumer", "consumers": ["app1"]})
        self.assertEqual(r.status, 201, r.body)
        app1 = r.json()["secret"]
        own = self.call("GET", "/api/v1/costs?session_id=" + ids["app1"], admin).json()
        both = self.call("GET", "/api/v1/costs", admin).json()
        self.assertEqual(both["session_count"], 2)
        mine = self.call("GET", "/api/v1/costs", app1).json()
        self.assertEqual(mine["session_count"], 1)
        self.assertEqual(mine["total_cost_uusd"], own["total_cost_uusd"])
        other = self.call("GET", "/api/v1/costs?session_id=" + ids["app2"], admin).json()
        # Short sessions may cost 0 micro-USD, so compare sums, not order.
        self.assertEqual(mine["total_cost_uusd"] + other["total_cost_uusd"],
                         both["total_cost_uusd"])
        summary = self.call("GET", "/api/v1/costs/summary", app1).json()
        self.assertEqual(summary["total_cost_uusd"], own["total_cost_uusd"])
        self.assertEqual(self.call("GET", "/api/v1/costs?consumer_id=app1", app1).status, 200)
        r = self.call("GET", "/api/v1/costs?consumer_id=app2", app1)
        self.assertEqual(r.status, 403, r.body)
        self.assertEqual(r.json()["error_type"], "forbidden")
        self.assertEqual(self.call("GET", "/api/v1/costs/summary?consumer_id=app2", app1).status,
                         403)
        r = self.call("GET", "/api/v1/costs?session_id=" + ids["app2"], app1)
        self.assertEqual(r.status, 404, r.body)
        self.assertEqual(self.call("GET", "/api/v1/budgets?consumer_id=app2", app1).status, 403)
        b = self.call("GET", "/api/v1/budgets", app1).json()
        self.assertEqual(b["budgets"], [])
        b = self.call("GET", "/api/v1/budgets", admin).json()
        self.assertEqual([x["consumer_id"] for x in b["budgets"]], ["app2"])
        self.assertEqual(http("GET", self.d.url("/api/v1/costs")).status, 401)


if __name__ == "__main__":
    unittest.main()
