"""Lifecycle black-box tests (issue 5, ARCHITECTURE §8): the real vastai and
tensordock plugins against gpu-market-sim with a real sshd per instance and
the lifecycle's timers shrunk through [lifecycle] (lifekit.LIFECYCLE).

Covered: reservation expiry, the hard maximum from started_at and its
admin-only audited override, idle shutdown on SSH-probed GPU utilization
(heartbeats and busy GPUs keep a session, a failing probe never stops it),
verified destruction through failing and lying destroys (stopping, reason and
gs_destroy_unverified, then stopped with the simulator's end time), a ghost
(vanished instance -> stopped, billed until last seen), orphans (our label ->
destroyed after the grace, or only reported under orphan_policy = alert;
other deployments' and unlabelled instances untouched), the start-up sweep
finishing before /ready, shutdown leaving instances alone, a hung catalog
listing not delaying a destroy, and the metrics derived from storage."""
import json
import os
import re
import signal
import time
import unittest

from harness import Daemon, http, run, wait_for, DAEMON
from lifekit import HAVE_SSH, SLOW, Stack, dur

ORPHAN_SID = "sess-zzzzzzzzzzzzzzzz"


def ms(rfc3339):
    return int(time.mktime(time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone) * 1000


def metric(text, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


class LifeCase(unittest.TestCase):
    lifecycle = {}
    st = None

    @classmethod
    def setUpClass(cls):
        if not HAVE_SSH:
            raise unittest.SkipTest("sshd/ssh are not installed")
        cls.st = Stack(seed=cls.seed, lifecycle=cls.lifecycle)

    @classmethod
    def tearDownClass(cls):
        if cls.st:
            rc = cls.st.close()
            assert rc == 0, "daemon exit status %r" % rc

    def setUp(self):
        self.st.sim.clear_faults()

    def tearDown(self):
        self.st.sim.clear_faults()

    def metrics(self):
        r = self.st.d.get("/metrics")
        self.assertEqual(r.status, 200)
        return r.body.decode()

    def stop_reason_total(self, reason):
        return metric(self.metrics(), 'gs_session_stops_total{reason="%s"}' % reason)

    def ledger_of(self, s):
        return [i for i in self.st.ledger() if i["label"] == self.st.label(s["id"])]

    def assertStoppedBy(self, s, reason):
        s = self.st.wait_status(s["id"], "stopped", timeout=15)
        self.assertTrue(s["status_reason"].startswith(reason + ":"), s)
        led = self.ledger_of(s)
        self.assertEqual(len(led), 1)
        self.assertIsNotNone(led[0]["destroyed_at_ms"], led)
        return s, led[0]

    def foreign(self, label, provider="vast"):
        return str(self.st.sim.control("POST", "/instances", {
            "provider": provider, "label": label, "price_uusd_per_hour": 300000})["instance_id"])

    def alive_ids(self):
        return {str(i["instance_id"]) for i in self.st.alive()}


class TestRules(LifeCase):
    seed = 41

    def test_expiry_stops_at_expires_at(self):
        before = self.stop_reason_total("expired")
        s = self.st.provision_running(consumer="life-expiry", hours=1)
        # Move the session's clock: its reservation ended a second ago.
        self.st.db_set(s["id"], expires_at_ms=int(time.time() * 1000) - 1000)
        s, _ = self.assertStoppedBy(s, "expired")
        self.assertIn("reservation (1 hours) ended", s["status_reason"])
        self.assertIn("verified gone", s["status_reason"])
        self.assertEqual(self.stop_reason_total("expired"), before + 1)
        ev = self.st.d.get("/api/v1/events?kind=session.stop_reason&session_id=" + s["id"]).json()
        self.assertEqual(ev["events"][0]["detail"]["reason"], "expired")

    def test_gauges_are_counted_in_storage(self):
        self.st.provision_running(consumer="life-gauge")
        want = {}
        for s in self.st.all_sessions():
            want[(s["status"], s["provider"])] = want.get((s["status"], s["provider"]), 0) + 1
        text = self.metrics()
        for status in ("pending", "provisioning", "running", "stopping", "stopped", "failed"):
            for prov in ("vastai", "tensordock"):
                self.assertEqual(metric(text, 'gs_sessions{status="%s",provider="%s"}' % (
                    status, prov)), want.get((status, prov), 0), (status, prov))

    def test_idle_stops_a_session_whose_gpu_is_unused(self):
        # idle_unit = 500ms: 3 "minutes" = 1.5 s without activity; the sim's GPUs are at 0 %.
        s = self.st.provision_running(consumer="life-idle", idle_threshold_minutes=3)
        started = ms(s["started_at"])
        s, _ = self.assertStoppedBy(s, "idle")
        self.assertIn("GPU utilization at or below 5%", s["status_reason"])
        self.assertGreaterEqual(ms(s["stopped_at"]) - started, 1000)

    def test_heartbeats_and_busy_gpus_keep_sessions_alive(self):
        beat = self.st.provision_running(consumer="life-beat", idle_threshold_minutes=3)
        busy = self.st.provision_running(consumer="life-busy", idle_threshold_minutes=3)
        self.st.sim.control("POST", "/instances/%s/util" % busy["provider_instance_id"],
                            {"gpu_util": 80})
        t_end = time.time() + 4.5 * SLOW  # three idle thresholds
        while time.time() < t_end:
            r = self.st.d.post("/api/v1/sessions/%s/heartbeat" % beat["id"])
            self.assertEqual(r.status, 200, r.body)
            time.sleep(0.4)
        self.assertEqual(self.st.session(beat["id"])["status"], "running")
        self.assertEqual(self.st.session(busy["id"])["status"], "running")
        # Without heartbeats, and once the GPU is idle, both stop.
        self.st.sim.control("POST", "/instances/%s/util" % busy["provider_instance_id"],
                            {"gpu_util": 0})
        self.assertStoppedBy(beat, "idle")
        self.assertStoppedBy(busy, "idle")

    def test_a_failing_probe_never_stops_a_session(self):
        s = self.st.provision_running(consumer="life-noprobe", idle_threshold_minutes=2)
        inst = self.st.instance(s["provider_instance_id"])
        os.kill(inst["sshd_pid"], signal.SIGKILL)  # the probe cannot connect any more
        time.sleep(3.5 * SLOW)  # more than three idle thresholds
        self.assertEqual(self.st.session(s["id"])["status"], "running")
        self.assertRegex(self.st.d.log_text(),
                         r"%s: GPU utilization probe failed .*counted as activity" % s["id"])
        r = self.st.d.delete("/api/v1/sessions/" + s["id"])
        self.assertEqual(r.status, 200)
        self.assertStoppedBy(s, "deleted")


class TestDestruction(LifeCase):
    seed = 43

    def test_destroy_failing_k_times_then_succeeding(self):
        s = self.st.provision_running(consumer="life-destroy", provider="vastai")
        before = metric(self.metrics(), 'gs_destroy_attempts_total{result="failed"}')
        self.st.sim.fault("destroy_fail", provider="vast", route="destroy", count=4)
        r = self.st.d.post("/api/v1/sessions/%s/done" % s["id"])
        self.assertEqual(r.status, 200)
        # Stopping, and it says why; the gauge shows it.
        s2 = wait_for(lambda: (lambda x: x if "destroy not verified yet" in
                               (x["status_reason"] or "") else None)(self.st.session(s["id"])),
                      timeout=10, what="the unverified note")
        self.assertEqual(s2["status"], "stopping")
        self.assertRegex(s2["status_reason"], r"^done: .* \[destroy not verified yet: "
                                              r"destroy_instance failed \d+ times? in a row")
        self.assertEqual(metric(self.metrics(), "gs_destroy_unverified"), 1)
        s, led = self.assertStoppedBy(s, "done")
        self.assertNotIn("not verified yet", s["status_reason"])
        self.assertEqual(metric(self.metrics(), "gs_destroy_unverified"), 0)
        self.assertGreaterEqual(
            metric(self.metrics(), 'gs_destroy_attempts_total{result="failed"}'), before + 4)
        # The simulator stopped billing when we say billing stopped.
        self.assertLessEqual(abs(led["destroyed_at_ms"] - ms(s["stopped_at"])), 1500 * SLOW)
        ours = round(s["cost_so_far"] * 1e6)
        self.assertLessEqual(abs(ours - led["cost_uusd"]), max(5, led["cost_uusd"] // 50))

    def test_a_destroy_that_lies_is_repeated_until_the_instance_is_gone(self):
        s = self.st.provision_running(consumer="life-silent", provider="tensordock")
        self.st.sim.fault("destroy_fail", provider="td", route="destroy", count=2, mode="silent")
        self.assertEqual(self.st.d.delete("/api/v1/sessions/" + s["id"]).status, 200)
        s, led = self.assertStoppedBy(s, "deleted")
        destroys = [e for e in self.st.sim.control(
            "GET", "/requests/log?route=destroy&provider=td&limit=2048")["requests"]
            if s["provider_instance_id"] in e["path"]]
        self.assertGreaterEqual(len(destroys), 3)
        self.assertLessEqual(abs(led["destroyed_at_ms"] - ms(s["stopped_at"])), 1500 * SLOW)

    def test_ghost_vanished_instance_stops_the_session(self):
        before = metric(self.metrics(), "gs_ghosts_total")
        s = self.st.provision_running(consumer="life-ghost")
        time.sleep(1.0 * SLOW)  # let a reconcile pass see it
        self.st.sim.control("POST", "/instances/%s/vanish" % s["provider_instance_id"])
        s = self.st.wait_status(s["id"], "stopped", timeout=10)
        self.assertTrue(s["status_reason"].startswith("ghost:"), s)
        self.assertIn("no longer has instance", s["status_reason"])
        led = self.ledger_of(s)[0]
        self.assertEqual(led["end_reason"], "vanish")
        # Billed until last seen: at or before the vanish, within a reconcile interval.
        self.assertLessEqual(ms(s["stopped_at"]), led["destroyed_at_ms"] + 999)
        self.assertGreaterEqual(ms(s["stopped_at"]), led["destroyed_at_ms"] - 2000 * SLOW)
        cost = s["cost_so_far"]
        time.sleep(0.5)
        self.assertEqual(self.st.session(s["id"])["cost_so_far"], cost)  # final
        self.assertEqual(metric(self.metrics(), "gs_ghosts_total"), before + 1)

    def test_orphans_with_our_label_destroyed_others_untouched(self):
        ours = self.foreign(self.st.label(ORPHAN_SID), "td")
        other = self.foreign("gs-otherdeploy1-" + ORPHAN_SID)
        unlabelled = self.foreign("shopper-sess-legacy")
        before = metric(self.metrics(), "gs_orphans_destroyed_total")
        time.sleep(0.5 * SLOW)  # younger than orphan_grace (1 s): left alone
        self.assertIn(ours, self.alive_ids())
        wait_for(lambda: ours not in self.alive_ids(), timeout=10, what="the orphan destroyed")
        wait_for(lambda: metric(self.metrics(), "gs_orphans_destroyed_total") == before + 1,
                 timeout=5, what="orphans_destroyed_total")
        time.sleep(1.5 * SLOW)  # two more passes
        self.assertIn(other, self.alive_ids())
        self.assertIn(unlabelled, self.alive_ids())
        ev = self.st.d.get("/api/v1/events?kind=orphan.detected").json()["events"]
        self.assertTrue(any(e["detail"]["instance_id"] == ours for e in ev), ev)
        self.assertFalse(any(e["detail"]["instance_id"] in (other, unlabelled) for e in ev))

    def test_zzz_stop_is_prompt_while_a_reconcile_listing_hangs(self):
        self.st.sim.fault("hang", provider="*", route="list", ms=60000)
        time.sleep(1.2 * SLOW)  # a reconcile pass is now inside a hanging list_instances
        t0 = time.time()
        self.assertEqual(self.st.d.stop(), 0)
        self.assertLess(time.time() - t0, 10 * SLOW)  # the plugin's 5 s timeout, not the hang
        self.st.sim.clear_faults()
        self.st.start()

    def test_zz_catalog_refresh_never_delays_a_destroy(self):
        s = self.st.provision_running(consumer="life-catalog", provider="vastai")
        # The vastai catalog listing now takes 6 s; the poller is inside one.
        self.st.sim.fault("delay", provider="vast", route="list_offers", ms=6000 * SLOW)
        time.sleep(1.5 * SLOW)
        t0 = time.time()
        self.assertEqual(self.st.d.delete("/api/v1/sessions/" + s["id"]).status, 200)
        self.st.wait_status(s["id"], "stopped", timeout=15)
        self.assertLess(time.time() - t0, 3.0 * SLOW, "the destroy waited for the catalog listing")


class TestHardMax(LifeCase):
    seed = 47
    lifecycle = {"hard_max": dur(3000), "orphan_policy": "alert", "max_override_hours": "48"}

    def test_hard_max_from_started_at(self):
        s = self.st.provision_running(consumer="life-hardmax", hours=2)
        s, _ = self.assertStoppedBy(s, "hard_max")
        self.assertRegex(s["status_reason"], r"hard maximum of \d+m?s from started_at")
        took = ms(s["stopped_at"]) - ms(s["started_at"])
        self.assertTrue(2000 * SLOW <= took <= 6000 * SLOW, took)

    def test_admin_override_is_audited_and_lifts_the_limit(self):
        s = self.st.provision_running(consumer="life-override", hours=2)
        url = "/api/v1/sessions/%s/override" % s["id"]
        for bad in ({}, {"hard_max_hours": 24}, {"hard_max_hours": 0, "reason": "x"},
                    {"hard_max_hours": 49, "reason": "x"}, {"hard_max_hours": 24, "reason": "  "},
                    {"hard_max_hours": 24, "reason": "x", "extra": 1}):
            r = self.st.d.post(url, body=bad)
            self.assertEqual(r.status, 400, (bad, r.body))
        r = self.st.d.post("/api/v1/sessions/sess-nonexistent00000/override",
                           body={"hard_max_hours": 24, "reason": "x"})
        self.assertEqual(r.status, 404)
        r = self.st.d.post(url, body={"hard_max_hours": 24, "reason": "a long training run"})
        self.assertEqual(r.status, 200, r.body)
        j = r.json()
        self.assertEqual((j["hard_max_hours"], j["reason"]), (24, "a long training run"))
        self.assertEqual(ms(j["hard_max_at"]) - ms(s["started_at"]), 24 * 3600 * 1000)
        time.sleep(4.0 * SLOW)  # past the configured 3 s
        self.assertEqual(self.st.session(s["id"])["status"], "running")
        # Extensions may now reach the overridden limit (12 h without it).
        r = self.st.d.post("/api/v1/sessions/%s/extend" % s["id"], body={"additional_hours": 12})
        self.assertEqual(r.status, 200, r.body)
        ev = self.st.d.get("/api/v1/events?kind=session.hard_max_override&session_id=" +
                           s["id"]).json()["events"]
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0]["detail"], {"hard_max_hours": 24, "reason": "a long training run"})
        self.assertEqual(ev[0]["actor"], "local")
        self.assertEqual(self.st.d.delete("/api/v1/sessions/" + s["id"]).status, 200)
        r = self.st.d.post(url, body={"hard_max_hours": 24, "reason": "too late"})
        self.assertEqual(r.status, 409)

    def test_orphan_policy_alert_reports_without_destroying(self):
        ours = self.foreign(self.st.label("sess-alertalertalert1"))
        wait_for(lambda: any(e["detail"]["instance_id"] == ours for e in self.st.d.get(
            "/api/v1/events?kind=orphan.detected").json()["events"]), timeout=10,
            what="the orphan reported")
        time.sleep(1.5 * SLOW)
        self.assertIn(ours, self.alive_ids())
        self.assertGreaterEqual(metric(self.metrics(), "gs_orphans_detected_total"), 1)
        self.st.sim.control("POST", "/instances/%s/vanish" % ours)  # tidy up

    def test_zz_startup_sweep_runs_before_ready_and_shutdown_keeps_instances(self):
        keep = self.st.provision(consumer="life-keep")
        self.assertEqual(keep.status, 201)
        keep = self.st.wait_status(keep.json()["session"]["id"], "running")
        self.st.d.post("/api/v1/sessions/%s/override" % keep["id"],
                       body={"hard_max_hours": 1, "reason": "survive the restart"})
        self.assertEqual(self.st.d.stop(), 0)
        # Shutdown left the user's instance alone.
        self.assertIn(keep["provider_instance_id"], self.alive_ids())
        self.st.sim.fault("delay", provider="*", route="list", ms=1500 * SLOW)
        self.st.start(wait_ready=False)
        r = self.st.d.get("/ready")
        self.assertEqual(r.status, 503)
        self.assertEqual(r.json()["reason"], "start-up sweep in progress")
        self.assertEqual(self.st.d.get("/health").json()["status"], "starting")
        wait_for(lambda: self.st.d.get("/ready").status == 200, timeout=15, what="ready")
        self.assertIn("start-up sweep done", self.st.d.log_text())
        self.assertEqual(self.st.session(keep["id"])["status"], "running")
        self.assertIn(keep["provider_instance_id"], self.alive_ids())
        self.st.d.delete("/api/v1/sessions/" + keep["id"])
        self.st.wait_status(keep["id"], "stopped")


class TestConfig(unittest.TestCase):
    def test_provisioning_timeout_must_exceed_verify_timeout(self):
        d = Daemon(extra_ini="[sessions]\nverify_timeout = 10m\n[lifecycle]\n"
                             "provisioning_timeout = 5m\n")
        r = run([DAEMON, "--check-config", d.config])
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stderr, r":\d+: \[lifecycle\] provisioning_timeout \(5m\) must be "
                                   r"longer than \[sessions\] verify_timeout \(10m\)")
        d = Daemon(extra_ini="[lifecycle]\norphan_policy = ignore\nhard_max = 1s\n")
        r = run([DAEMON, "--check-config", d.config])
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("[lifecycle] 'ignore' is not one of destroy|alert", r.stderr)


class TestOverrideIsAdminOnly(unittest.TestCase):
    def test_consumer_and_viewer_tokens_are_refused(self):
        d = Daemon(extra_ini="[auth]\nenabled = true\n").start(env={"GS_ADMIN_TOKEN": "gst_" +
                                                                     "a" * 40})
        try:
            admin = {"Authorization": "Bearer gst_" + "a" * 40}
            body = {"hard_max_hours": 24, "reason": "x"}
            url = "/api/v1/sessions/sess-aaaaaaaaaaaaaaaa/override"
            self.assertEqual(d.post(url, body=body).status, 401)
            for role, extra in (("consumer", {"consumers": ["app1"]}), ("viewer", {})):
                tok = d.post("/api/v1/tokens", body=dict(role=role, **extra), headers=admin)
                self.assertEqual(tok.status, 201, tok.body)
                r = d.post(url, body=body,
                           headers={"Authorization": "Bearer " + tok.json()["secret"]})
                self.assertEqual(r.status, 403, (role, r.body))
            self.assertEqual(d.post(url, body=body, headers=admin).status, 404)
        finally:
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
