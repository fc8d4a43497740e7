"""API tokens and roles, as a new user would try them: auth on, every
/api/v1 route refuses anonymous requests, roles are enforced, secrets are
shown once and never stored or logged."""
import json
import os
import re
import unittest

from harness import DAEMON, Daemon, cli, http, run

ADMIN = "gst_bootstrap-admin-secret-for-tests-0001"
API_ROUTES = [
    ("GET", "/api/v1/inventory"), ("GET", "/api/v1/inventory/vastai-1"),
    ("GET", "/api/v1/sessions"), ("POST", "/api/v1/sessions"),
    ("GET", "/api/v1/sessions/sess-aaaaaaaaaaaa"), ("DELETE", "/api/v1/sessions/sess-aaaaaaaaaaaa"),
    ("POST", "/api/v1/sessions/sess-aaaaaaaaaaaa/done"),
    ("POST", "/api/v1/sessions/sess-aaaaaaaaaaaa/extend"),
    ("GET", "/api/v1/sessions/sess-aaaaaaaaaaaa/diagnostics"),
    ("POST", "/api/v1/sessions/sess-aaaaaaaaaaaa/heartbeat"),
    ("GET", "/api/v1/costs"), ("GET", "/api/v1/costs/summary"), ("GET", "/api/v1/budgets"),
    ("GET", "/api/v1/tokens"), ("POST", "/api/v1/tokens"), ("DELETE", "/api/v1/tokens/tok-x"),
    ("GET", "/api/v1/events"), ("POST", "/api/v1/sessions/sess-aaaaaaaaaaaa/override"),
]
APP_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "core", "app.c")


def bearer(secret):
    return {"Authorization": "Bearer " + secret}


class TestAuth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(extra_ini="[auth]\nenabled = true\nmetrics_public = false\n")
        cls.d.start(env={"GS_ADMIN_TOKEN": ADMIN})

    @classmethod
    def tearDownClass(cls):
        assert cls.d.stop() == 0

    def create(self, body, secret=ADMIN):
        return self.d.post("/api/v1/tokens", body=body, headers=bearer(secret))

    def test_the_route_list_covers_the_router(self):
        # A new route added to core/app.c without being listed above fails here.
        with open(APP_C) as f:
            table = re.findall(r'\{"(GET|POST|PUT|PATCH|DELETE)", "(/api/v1[^"]*)"', f.read())
        self.assertGreaterEqual(len(table), 18)
        listed = {(m, re.sub(r"/(vastai-1|sess-aaaaaaaaaaaa|tok-x)(?=/|$)", "/:id", p))
                  for m, p in API_ROUTES}
        self.assertEqual(set(table) - listed, set())

    def test_every_api_route_needs_a_token(self):
        for method, path in API_ROUTES:
            r = http(method, self.d.url(path), body={} if method == "POST" else None)
            self.assertEqual(r.status, 401, "%s %s -> %s" % (method, path, r.body))
            self.assertEqual(r.json()["error_type"], "unauthorized")
            self.assertIn("Bearer", r.headers.get("WWW-Authenticate", ""))
        r = self.d.get("/api/v1/inventory", headers=bearer("gst_wrong"))
        self.assertEqual(r.status, 401)

    def test_health_and_ready_public_metrics_per_config(self):
        self.assertEqual(self.d.get("/health").status, 200)
        self.assertEqual(self.d.get("/ready").status, 200)
        self.assertEqual(self.d.get("/metrics").status, 401)
        self.assertEqual(self.d.get("/metrics", headers=bearer(ADMIN)).status, 200)

    def test_roles(self):
        r = self.create({"role": "viewer", "label": "dashboards"})
        self.assertEqual(r.status, 201, r.body)
        viewer = r.json()["secret"]
        r = self.create({"role": "consumer", "consumers": ["app1"]})
        consumer = r.json()["secret"]
        # Viewer: reads, never writes or administers.
        self.assertEqual(self.d.get("/api/v1/inventory", headers=bearer(viewer)).status, 200)
        r = self.create({"role": "viewer"}, secret=viewer)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error_type"], "forbidden")
        # Consumer: no token administration, no audit log.
        self.assertEqual(self.create({"role": "admin"}, secret=consumer).status, 403)
        self.assertEqual(self.d.get("/api/v1/events", headers=bearer(consumer)).status, 403)
        self.assertEqual(self.d.get("/api/v1/inventory", headers=bearer(consumer)).status, 200)

    def test_create_validation(self):
        for body in ({"role": "root"}, {"role": "consumer"}, {"role": "consumer", "consumers": []},
                     {"role": "consumer", "consumers": ["bad id!"]},
                     {"role": "admin", "consumers": ["a"]}, {"role": "admin", "extra": 1}):
            r = self.create(body)
            self.assertEqual(r.status, 400, body)
            self.assertEqual(r.json()["error_type"], "invalid_request")
        r = self.d.post("/api/v1/tokens", body=b"{not json", headers=bearer(ADMIN))
        self.assertEqual(r.status, 400)

    def test_secret_shown_once_hashed_at_rest_and_revocable(self):
        r = self.create({"role": "consumer", "consumers": ["app2", "app3"]})
        self.assertEqual(r.status, 201)
        tok = r.json()
        secret, tid = tok["secret"], tok["token"]["id"]
        self.assertTrue(secret.startswith("gst_"))
        self.assertEqual(tok["token"]["consumers"], ["app2", "app3"])
        listing = self.d.get("/api/v1/tokens", headers=bearer(ADMIN))
        self.assertEqual(listing.status, 200)
        self.assertNotIn(secret.encode(), listing.body)
        self.assertIn(tid, [t["id"] for t in listing.json()["tokens"]])
        self.assertEqual(self.d.get("/api/v1/inventory", headers=bearer(secret)).status, 200)
        r = self.d.delete("/api/v1/tokens/" + tid, headers=bearer(ADMIN))
        self.assertEqual(r.status, 200)
        self.assertEqual(self.d.delete("/api/v1/tokens/" + tid, headers=bearer(ADMIN)).status, 409)
        self.assertEqual(self.d.delete("/api/v1/tokens/tok-nope", headers=bearer(ADMIN)).status, 404)
        self.assertEqual(self.d.get("/api/v1/inventory", headers=bearer(secret)).status, 401)
        # Secrets never at rest or in the log.
        at_rest = b""
        for name in os.listdir(self.d.data):  # the database, its WAL and journal
            with open(os.path.join(self.d.data, name), "rb") as f:
                at_rest += f.read()
        self.assertIn(tid.encode(), at_rest)
        for s in (secret, ADMIN):
            self.assertNotIn(s.encode(), at_rest)
            self.assertNotIn(s, self.d.log_text())
        # The audit trail names the actor.
        ev = self.d.get("/api/v1/events?kind=token.revoke", headers=bearer(ADMIN)).json()["events"]
        self.assertEqual(ev[0]["actor"], "admin:bootstrap")
        self.assertEqual(ev[0]["detail"]["token_id"], tid)
        self.assertEqual(self.d.get("/api/v1/events?limit=0", headers=bearer(ADMIN)).status, 400)
        self.assertEqual(self.d.get("/api/v1/events?bogus=1", headers=bearer(ADMIN)).status, 400)


class TestTokensCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(extra_ini="[auth]\nenabled = true\n")
        cls.d.start(env={"GS_ADMIN_TOKEN": ADMIN})

    @classmethod
    def tearDownClass(cls):
        assert cls.d.stop() == 0

    def test_cli_without_token_gets_401_exit_1(self):
        r = cli("inventory", server=self.d.url(""), env={"GPU_SHOPPER_TOKEN": ""})
        self.assertEqual(r.returncode, 1)
        self.assertIn("HTTP 401", r.stderr)

    def test_create_list_revoke(self):
        env = {"GPU_SHOPPER_TOKEN": ADMIN}
        r = cli("tokens", "create", "--role", "consumer", "--consumer", "app1", "--consumer",
                "app2", "--label", "ci", server=self.d.url(""), env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        tid = r.stdout.split()[1]
        secret = r.stdout.strip().splitlines()[-1]
        self.assertTrue(tid.startswith("tok-") and secret.startswith("gst_"))
        r = cli("-o", "json", "tokens", "list", server=self.d.url(""), env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        listed = {t["id"]: t for t in json.loads(r.stdout)["tokens"]}
        self.assertEqual(listed[tid]["consumers"], ["app1", "app2"])
        self.assertNotIn(secret, r.stdout)
        # The new token works through --token, and cannot manage tokens.
        r = cli("--token", secret, "inventory", server=self.d.url(""))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = cli("--token", secret, "tokens", "list", server=self.d.url(""))
        self.assertEqual(r.returncode, 1)
        self.assertIn("HTTP 403", r.stderr)
        r = cli("tokens", "revoke", tid, server=self.d.url(""), env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = cli("tokens", "revoke", tid, server=self.d.url(""), env=env)
        self.assertEqual(r.returncode, 1)
        r = cli("tokens", "revoke", "tok-none", server=self.d.url(""), env=env)
        self.assertEqual(r.returncode, 4)
        self.assertEqual(cli("tokens", server=self.d.url("")).returncode, 2)
        self.assertEqual(cli("tokens", "create", server=self.d.url("")).returncode, 2)
        self.assertEqual(cli("tokens", "--help").returncode, 0)


class TestAuthConfig(unittest.TestCase):
    def write(self, text, mode=0o600):
        d = Daemon()
        with open(d.config, "w") as f:
            f.write(text)
        os.chmod(d.config, mode)
        return d.config

    def test_public_listen_needs_auth(self):
        path = self.write("[server]\nlisten = 0.0.0.0\n[storage]\npath = :memory:\n")
        r = run([DAEMON, "--check-config", path])
        self.assertEqual(r.returncode, 1)
        self.assertIn("listen = '0.0.0.0' exposes the API beyond this machine", r.stderr)
        path = self.write("[server]\nlisten = 0.0.0.0\n[storage]\npath = :memory:\n"
                          "[auth]\nenabled = true\n")
        r = run([DAEMON, "--check-config", path], env={"GS_ADMIN_TOKEN": ADMIN})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(ADMIN, r.stdout + r.stderr)

    def test_create_token_offline_then_use_it(self):
        d = Daemon(extra_ini="[auth]\nenabled = true\n")
        r = run([DAEMON, "--config", d.config, "--create-token", "admin", "--label", "first"])
        self.assertEqual(r.returncode, 0, r.stderr)
        secret = r.stdout.strip().splitlines()[-1]
        self.assertTrue(secret.startswith("gst_"))
        bad = run([DAEMON, "--config", d.config, "--create-token", "consumer"])
        self.assertEqual(bad.returncode, 2)
        bad = run([DAEMON, "--config", d.config, "--create-token", "consumer",
                   "--consumer", "ok,bad id"])
        self.assertEqual(bad.returncode, 2)
        d.start(env={"GS_ADMIN_TOKEN": ""})
        try:
            self.assertEqual(d.get("/api/v1/tokens").status, 401)
            r = d.get("/api/v1/tokens", headers=bearer(secret))
            self.assertEqual(r.status, 200)
            self.assertEqual(r.json()["tokens"][0]["created_by"], "cli:create-token")
            self.assertNotIn(secret, d.log_text())
        finally:
            self.assertEqual(d.stop(), 0)

    def test_readable_config_with_secret_warns(self):
        path = self.write("[storage]\npath = :memory:\n[auth]\nenabled = true\n"
                          "admin_token = %s\n" % ADMIN, mode=0o644)
        r = run([DAEMON, "--check-config", path])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("holds secrets and is readable by other users", r.stderr)
        self.assertNotIn(ADMIN, r.stdout + r.stderr)
        path = self.write("[storage]\npath = :memory:\n[auth]\nenabled = true\n"
                          "admin_token = ${GS_ADMIN_TOKEN}\n", mode=0o644)
        r = run([DAEMON, "--check-config", path], env={"GS_ADMIN_TOKEN": ADMIN})
        self.assertNotIn("readable by other users", r.stderr)


if __name__ == "__main__":
    unittest.main()
