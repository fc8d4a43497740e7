"""gpu-shopper cleanup-orphans without the server: real plugins against the
simulator, the real database; only this deployment's session-less
instances are listed or destroyed."""
import json
import os
import unittest

from harness import Daemon, Sim, cli


class TestCleanupOrphans(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(offers=40).start()
        cls.d = Daemon(extra_ini=cls.sim.provider_ini())
        cls.d.start()
        cls.deployment = cls.d.get("/health").json()["deployment_id"]
        # The tool works without the server.
        assert cls.d.stop() == 0

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def setUp(self):
        self.sim.control("POST", "/reset")
        mk = lambda prov, label: self.sim.control(
            "POST", "/instances", {"provider": prov, "label": label,
                                   "price_uusd_per_hour": 250000})["instance_id"]
        dep = self.deployment
        self.ours_vast = mk("vast", "gs-%s-sess-orphanvast1" % dep)
        self.ours_td = mk("td", "gs-%s-sess-orphantd1" % dep)
        self.other_dep = mk("vast", "gs-otherdeploy1-sess-notours1")
        self.foreign = mk("td", "shopper-sess-legacy")

    def orphans(self, *args):
        r = cli("cleanup-orphans", "--config", self.d.config, "-o", "json", *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def alive(self):
        return {i["instance_id"] for i in self.sim.control("GET", "/ledger")["instances"]
                if i["destroyed_at_ms"] is None}

    def test_dry_run_lists_only_our_sessionless_instances(self):
        out = self.orphans()
        ids = {o["instance_id"] for o in out["orphans"]}
        self.assertEqual(ids, {self.ours_vast, self.ours_td})
        self.assertFalse(out["executed"])
        self.assertEqual(out["total_price_per_hour"], "0.500000")
        self.assertEqual(len(self.alive()), 4)  # nothing destroyed
        table = cli("cleanup-orphans", "--config", self.d.config)
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn("2 orphans, $0.500000/hour (dry run", table.stdout)

    def test_provider_filter(self):
        out = self.orphans("-p", "tensordock")
        self.assertEqual([o["instance_id"] for o in out["orphans"]], [self.ours_td])
        r = cli("cleanup-orphans", "--config", self.d.config, "-p", "nope")
        self.assertEqual(r.returncode, 2)

    def test_execute_needs_confirmation_or_force(self):
        r = cli("cleanup-orphans", "--config", self.d.config, "--execute", input="")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--force", r.stderr)
        self.assertEqual(len(self.alive()), 4)

    def test_execute_force_destroys_exactly_the_orphans(self):
        out = self.orphans("--execute", "--force")
        self.assertTrue(out["executed"])
        self.assertEqual({o["instance_id"] for o in out["orphans"] if o["result"] == "destroyed"},
                         {self.ours_vast, self.ours_td})
        self.assertEqual(self.alive(), {self.other_dep, self.foreign})
        self.assertEqual(self.orphans()["count"], 0)

    def test_unreachable_database_needs_deployment(self):
        cfg = os.path.join(self.d.dir, "nodb.ini")
        with open(self.d.config) as f:
            text = f.read()
        text = text.replace("path = %s/gpu-shopper.db" % self.d.data,
                            "path = /proc/gs-no-such-dir/x.db")
        with open(cfg, "w") as f:
            f.write(text)
        r = cli("cleanup-orphans", "--config", cfg)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("--deployment", r.stderr)
        r = cli("cleanup-orphans", "--config", cfg, "--deployment", self.deployment, "-o", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["count"], 2)


if __name__ == "__main__":
    unittest.main()
