"""Session black-box tests: the real vastai and tensordock plugins against
gpu-market-sim with a real sshd per instance, driven through the session API
exactly as WORKFLOWS.md Workflows 2 and 3 write it.

Covered: provision -> running -> a real `ssh -i KEY ... true` with the
returned key; extend and the hard maximum; done/DELETE -> stopped with the
sim's ledger showing the instance destroyed; listing filters and their
validation; request validation; the structured stale_inventory 503;
auto_retry onto a comparable offer; provider create failures leaving nothing
at the sim; concurrent done + DELETE reaching the provider once; many
concurrent provisions; Idempotency-Key; a provider-side stop and the
verification timeout (verified destroy -> failed); and that no byte of any
private key appears in the daemon log, the database files or this test's
output. Every interval is shrunk through [sessions] so the file runs fast.
"""
import base64
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from harness import Daemon, Sim, http, wait_for

# Under valgrind (GS_VALGRIND=1) the daemon takes its timestamps after the
# provider's by up to ~100 ms more: billing comparisons allow that much.
VALGRIND_BILLING_SLACK = 6 if os.environ.get("GS_VALGRIND") else 1

# ---------------------------------------------------------------------------
# Everything this process prints goes through a tee, so the last check can
# search the test output for key material too.


class _Tee(io.TextIOBase):
    def __init__(self, stream, sink):
        self.stream = stream
        self.sink = sink

    def write(self, s):
        self.sink.append(s)
        return self.stream.write(s)

    def flush(self):
        self.stream.flush()


OUTPUT = []
sys.stdout = _Tee(sys.stdout, OUTPUT)
sys.stderr = _Tee(sys.stderr, OUTPUT)

# Every private key any response carried (searched for at the end).
KEYS = []

FAST_INVENTORY = "[inventory]\nrefresh_interval = 1s\nretry_backoff = 200ms\nmax_backoff = 2s\n"
FAST_SESSIONS = ("[sessions]\nverify_timeout = 30s\nverify_poll_interval = 100ms\n"
                 "verify_poll_max_interval = 400ms\nssh_probe_timeout = 5s\n"
                 "destroy_confirm_interval = 150ms\ndestroy_retry_backoff = 100ms\n"
                 "destroy_max_backoff = 1s\nworkers = 8\n")
VAST_EXTRA = "timeout = 5s\nconnect_timeout = 2s\nmin_reliability = 0\nmax_response_bytes = 8388608\n"
TD_EXTRA = "timeout = 5s\nconnect_timeout = 2s\nmax_response_bytes = 8388608\n"
SIM_NAME = {"vastai": "vast", "tensordock": "td"}
HAVE_SSH = os.access("/usr/sbin/sshd", os.X_OK) and os.access("/usr/bin/ssh", os.X_OK)
SESSION_FIELDS = ("id", "consumer_id", "offer_id", "provider", "provider_instance_id", "gpu_type",
                  "gpu_count", "status", "status_reason", "ssh_host", "ssh_port", "ssh_user",
                  "workload_type", "reservation_hours", "idle_threshold_minutes",
                  "storage_policy", "disk_gb", "template_hash_id", "price_per_hour",
                  "created_at", "started_at", "expires_at", "stopped_at", "cost_so_far")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def rfc3339_s(text):
    return time.mktime(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone


def redacted(r):
    """A response body safe to print in an assertion message."""
    try:
        j = json.loads(r.body)
    except ValueError:
        return r.body[:300]
    if isinstance(j, dict) and j.get("ssh_private_key"):
        j["ssh_private_key"] = "<redacted>"
    return json.dumps(j)[:2000]


def curl_post(url, body, headers=()):
    """POST like the WORKFLOWS.md curl lines (-H Content-Type, -d JSON)."""
    return http("POST", url, body=body if isinstance(body, str) else json.dumps(body),
                headers=dict([("Content-Type", "application/json")] + list(headers)))


class SessionCase(unittest.TestCase):
    sessions_ini = FAST_SESSIONS
    sim_kw = {}
    d = None
    sim = None

    @classmethod
    def setUpClass(cls):
        if not HAVE_SSH:
            raise unittest.SkipTest("sshd/ssh are not installed")
        cls.sim = Sim(offers=300, seed=11, ssh=True, ready_after_ms=300, **cls.sim_kw).start()
        try:
            cls.d = Daemon(extra_ini=FAST_INVENTORY + cls.sessions_ini +
                           cls.sim.provider_ini(vast_extra=VAST_EXTRA, td_extra=TD_EXTRA))
            cls.d.start()
            wait_for(lambda: all(i["last_success"] for i in cls.d.get("/health").json()
                                 ["components"]["providers"]["instances"].values()),
                     timeout=20, what="first inventory snapshots")
        except BaseException:
            if cls.d:
                cls.d.kill()
            cls.sim.kill()
            raise
        cls.used = set()

    @classmethod
    def tearDownClass(cls):
        rc = cls.d.stop()
        cls.sim.stop()
        assert rc == 0, "daemon exit status %r\n%s" % (rc, cls.d.log_text()[-4000:])
        assert_no_key_material(cls.d)

    def tearDown(self):
        self.sim.clear_faults()

    # -- helpers -------------------------------------------------------------

    def offers(self, query=""):
        r = self.d.get("/api/v1/inventory?limit=1000" + query)
        self.assertEqual(r.status, 200, r.body)
        return r.json()["offers"]

    def fresh_offer(self, provider=None, pred=lambda o: True):
        """An offer no earlier test rented."""
        for o in self.offers("&provider=%s" % provider if provider else ""):
            if o["id"] not in self.used and pred(o):
                self.used.add(o["id"])
                return o
        self.fail("no unused offer left (provider %s)" % provider)

    def provision(self, offer_id, consumer="bb-sessions", hours=2, headers=(), **extra):
        body = dict(consumer_id=consumer, offer_id=offer_id, workload_type="llm",
                    reservation_hours=hours, **extra)
        self.used.add(offer_id)
        r = curl_post(self.d.url("/api/v1/sessions"), body, headers)
        if r.status == 201:
            KEYS.append(r.json()["ssh_private_key"])
        return r

    def session(self, sid):
        r = self.d.get("/api/v1/sessions/" + sid)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def wait_status(self, sid, want, timeout=30):
        want = (want,) if isinstance(want, str) else want
        return wait_for(lambda: (lambda s: s if s["status"] in want else None)(self.session(sid)),
                        timeout=timeout, interval=0.1, what="%s to be %s" % (sid, want))

    def ledger(self):
        return self.sim.control("GET", "/ledger")["instances"]

    def ledger_for(self, label):
        return [i for i in self.ledger() if i["label"] == label]

    def destroys_of(self, provider, instance_id):
        log = self.sim.control("GET", "/requests/log?route=destroy&limit=2048")["requests"]
        return [e for e in log if e["provider"] == SIM_NAME[provider]
                and "/instances/%s" % instance_id in e["path"]]

    def assertError(self, r, status, error_type):
        self.assertEqual(r.status, status, redacted(r))
        j = r.json()
        self.assertEqual(j["error_type"], error_type, j)
        self.assertTrue(j["error"] and j["request_id"], j)
        return j

    def ssh(self, key, s, command="true"):
        with tempfile.NamedTemporaryFile("w", delete=False, prefix="gs-key-") as f:
            f.write(key)
            path = f.name
        try:
            os.chmod(path, 0o600)
            return subprocess.run(
                ["ssh", "-i", path, "-p", str(s["ssh_port"]), "-o", "StrictHostKeyChecking=no",
                 "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o",
                 "ConnectTimeout=10", "%s@%s" % (s["ssh_user"], "127.0.0.1"), command],
                capture_output=True, text=True, timeout=30)
        finally:
            os.unlink(path)


def _string(buf, off):
    n = int.from_bytes(buf[off:off + 4], "big")
    return buf[off + 4:off + 4 + n], off + 4 + n


def ed25519_seed(blob):
    """The 32-byte secret seed of an unencrypted OpenSSH ed25519 key blob."""
    off = len(b"openssh-key-v1\0")
    for _ in range(3):                  # cipher, kdf, kdf options
        _, off = _string(blob, off)
    off += 4                            # number of keys
    _, off = _string(blob, off)         # public key
    priv, _ = _string(blob, off)
    p = 8                               # two check integers
    _, p = _string(priv, p)             # key type
    _, p = _string(priv, p)             # public half
    secret, _ = _string(priv, p)        # seed + public half
    assert len(secret) == 64, "cannot parse the OpenSSH key"
    return secret[:32]


def key_fragments(pem):
    """Byte strings that would betray the private key: the whole PEM, each
    base64 line that is not the constant first line, and the ed25519 seed raw,
    in hex and in base64 at every alignment."""
    lines = [l for l in pem.strip().splitlines() if not l.startswith("-----")]
    frags = [pem.strip().encode()] + [l.encode() for l in lines[1:] if len(l) >= 16]
    seed = ed25519_seed(base64.b64decode("".join(lines)))
    frags += [seed, seed.hex().encode()]
    for shift in range(3):
        frags.append(base64.b64encode(seed[shift:]).rstrip(b"=")[:-2])
    return frags


def assert_no_key_material(d):
    with open(d.log_path, "rb") as f:
        places = {"daemon log": f.read(), "test output": "".join(OUTPUT).encode()}
    for root, _, files in os.walk(d.data):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                places["data file " + name] = f.read()
    for key in KEYS:
        for frag in key_fragments(key):
            for where, data in places.items():
                assert frag not in data, "private key material found in the %s" % where


# ---------------------------------------------------------------------------


class TestSessions(SessionCase):

    def test_workflow2_provision_ssh_extend_done(self):
        offer = self.fresh_offer("vastai")
        # Exactly the Workflow 2 curl, with an offer id the sim really has.
        r = curl_post(self.d.url("/api/v1/sessions"),
                      '{\n    "consumer_id": "my-app",\n    "offer_id": "%s",\n'
                      '    "workload_type": "llm",\n    "reservation_hours": 2\n  }' % offer["id"])
        self.assertEqual(r.status, 201, redacted(r))
        j = r.json()
        key = j["ssh_private_key"]
        KEYS.append(key)
        self.assertTrue(key.startswith("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
        self.assertIn("only", j["message"])
        s = j["session"]
        for f in SESSION_FIELDS:
            self.assertIn(f, s)
        self.assertEqual(s["status"], "provisioning")
        self.assertTrue(re.match(r"^sess-[a-z2-7]{16}$", s["id"]), s["id"])
        self.assertEqual((s["consumer_id"], s["offer_id"], s["provider"]),
                         ("my-app", offer["id"], "vastai"))
        self.assertEqual(s["price_per_hour"], offer["price_per_hour"])
        self.assertEqual((s["disk_gb"], s["storage_policy"], s["idle_threshold_minutes"]),
                         (50, "destroy", 0))
        self.assertTrue(RFC3339.match(s["created_at"]) and RFC3339.match(s["expires_at"]))
        self.assertIsNone(s["started_at"])
        self.assertTrue(s["provider_instance_id"])
        sid = s["id"]
        # The row and its label existed before the provider was called.
        inst = self.ledger_for("gs-%s-%s" % (self.d.get("/health").json()["deployment_id"], sid))
        self.assertEqual(len(inst), 1, self.ledger())
        self.assertEqual(str(inst[0]["instance_id"]), s["provider_instance_id"])

        # Step 5 (curl http://.../sessions/ID) until running, then step 6.
        s = self.wait_status(sid, "running")
        self.assertTrue(s["ssh_host"] and s["ssh_port"] and s["ssh_user"], s)
        self.assertTrue(RFC3339.match(s["started_at"]), s)
        self.assertEqual(rfc3339_s(s["expires_at"]) - rfc3339_s(s["started_at"]), 2 * 3600)
        done = self.ssh(key, s)
        self.assertEqual(done.returncode, 0, done.stderr)
        # GET never returns the key.
        self.assertNotIn("ssh_private_key", self.d.get("/api/v1/sessions/" + sid).json())

        # Workflow 3: extend, then past the 12-hour hard maximum.
        r = curl_post(self.d.url("/api/v1/sessions/%s/extend" % sid), '{"additional_hours": 2}')
        self.assertEqual(r.status, 200, r.body)
        x = r.json()
        self.assertEqual((x["message"], x["session_id"], x["additional_hours"]),
                         ("session extended", sid, 2))
        self.assertEqual(rfc3339_s(x["new_expires_at"]) - rfc3339_s(s["started_at"]), 4 * 3600)
        self.assertEqual(x["session"]["reservation_hours"], 4)
        self.assertEqual(x["max_additional_hours"], 8)
        r = curl_post(self.d.url("/api/v1/sessions/%s/extend" % sid), '{"additional_hours": 9}')
        e = self.assertError(r, 409, "hard_max_exceeded")
        self.assertIn("12-hour hard maximum", e["error"])
        self.assertEqual((e["limit_hours"], e["max_additional_hours"]), (12, 8))
        self.assertEqual(self.session(sid)["expires_at"], x["new_expires_at"])
        for bad in ('{"additional_hours": 0}', '{"additional_hours": 13}', '{}',
                    '{"additional_hours": "2"}', '{"additional_hours": 2, "x": 1}'):
            r = curl_post(self.d.url("/api/v1/sessions/%s/extend" % sid), bad)
            self.assertEqual(r.status, 400, (bad, r.body))

        # Heartbeat and diagnostics.
        r = self.d.post("/api/v1/sessions/%s/heartbeat" % sid)
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(RFC3339.match(r.json()["last_activity_at"]))
        diag = self.d.get("/api/v1/sessions/%s/diagnostics" % sid).json()
        self.assertEqual(diag["instance"]["state"], "running")
        self.assertTrue(diag["instance"]["found"])
        self.assertTrue(diag["ssh"]["available"])
        self.assertTrue(diag["last_probe"]["ok"])
        self.assertTrue(diag["host_key"].startswith("SHA256:"))

        # Signalling completion (CLI `done`, API POST /done).
        r = self.d.post("/api/v1/sessions/%s/done" % sid)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["session"]["status"], "stopping")
        s = self.wait_status(sid, "stopped")
        self.assertTrue(RFC3339.match(s["stopped_at"]))
        self.assertIn("verified gone", s["status_reason"])
        led = self.ledger_for(inst[0]["label"])[0]
        self.assertIsNotNone(led["destroyed_at_ms"], led)
        self.assertEqual(led["end_reason"], "destroy")
        # Billed from creation to destruction, per second, like the sim.
        ours = round(s["cost_so_far"] * 1e6)
        self.assertLessEqual(abs(ours - led["cost_uusd"]),
                             max(5, led["cost_uusd"] // 100) * VALGRIND_BILLING_SLACK,
                             (s["cost_so_far"], led))
        self.assertEqual(len(self.destroys_of("vastai", led["instance_id"])), 1)
        # Terminal: done again is a 409 naming the status.
        e = self.assertError(self.d.post("/api/v1/sessions/%s/done" % sid), 409, "conflict")
        self.assertEqual(e["status"], "stopped")
        self.assertIn("stopped", e["error"])

    def test_workflow3_list_filter_get_delete(self):
        offer = self.fresh_offer("tensordock")
        r = self.provision(offer["id"], consumer="wf3-app", hours=1)
        self.assertEqual(r.status, 201, redacted(r))
        sid = r.json()["session"]["id"]
        self.wait_status(sid, "running")

        everything = self.d.get("/api/v1/sessions").json()
        self.assertIn(sid, [s["id"] for s in everything["sessions"]])
        self.assertEqual(everything["count"], len(everything["sessions"]))
        self.assertGreaterEqual(everything["total"], everything["count"])
        mine = self.d.get("/api/v1/sessions?consumer_id=wf3-app").json()
        self.assertEqual([s["id"] for s in mine["sessions"]], [sid])
        running = self.d.get("/api/v1/sessions?status=running").json()["sessions"]
        self.assertIn(sid, [s["id"] for s in running])
        self.assertTrue(all(s["status"] == "running" for s in running))
        by_provider = self.d.get("/api/v1/sessions?provider=tensordock&consumer_id=wf3-app")
        self.assertEqual(by_provider.json()["total"], 1)
        page = self.d.get("/api/v1/sessions?limit=1&offset=0").json()
        self.assertEqual(page["count"], 1)
        for q, param in (("status=bogus", "status"), ("status=running,", "status"),
                         ("provider=nope", "provider"), ("limit=0", "limit"),
                         ("limit=abc", "limit"), ("offset=-1", "offset"),
                         ("consumer_id=a%20b", "consumer_id"), ("colour=red", None),
                         ("limit=1&limit=2", None)):
            r = self.d.get("/api/v1/sessions?" + q)
            j = self.assertError(r, 400, "invalid_parameter")
            if param:
                self.assertEqual(j["parameter"], param, j)

        s = self.session(sid)
        self.assertEqual(s["provider"], "tensordock")
        for path in ("/api/v1/sessions/sess-abc123", "/api/v1/sessions/not-a-session"):
            self.assertError(self.d.get(path), 404, "not_found")
        self.assertError(self.d.post("/api/v1/sessions/sess-abc123/done"), 404, "not_found")
        self.assertError(self.d.delete("/api/v1/sessions/sess-abc123"), 404, "not_found")
        self.assertError(curl_post(self.d.url("/api/v1/sessions/sess-abc123/extend"),
                                   '{"additional_hours": 1}'), 404, "not_found")

        # Force destroying (CLI `shutdown`, API DELETE).
        r = self.d.delete("/api/v1/sessions/" + sid)
        self.assertEqual(r.status, 200, r.body)
        self.assertFalse(r.json()["already_stopping"])
        s = self.wait_status(sid, "stopped")
        self.assertTrue(s["status_reason"].startswith("deleted:"), s)
        led = [i for i in self.ledger() if i["label"].endswith(sid)]
        self.assertEqual(len(led), 1)
        self.assertIsNotNone(led[0]["destroyed_at_ms"])
        e = self.assertError(self.d.delete("/api/v1/sessions/" + sid), 409, "conflict")
        self.assertEqual(e["status"], "stopped")
        self.assertError(curl_post(self.d.url("/api/v1/sessions/%s/extend" % sid),
                                   '{"additional_hours": 1}'), 409, "conflict")
        self.assertError(self.d.post("/api/v1/sessions/%s/heartbeat" % sid), 409, "conflict")

    def test_create_validation(self):
        offer = self.offers("&provider=vastai")[0]["id"]
        base = {"consumer_id": "v", "offer_id": offer, "workload_type": "llm",
                "reservation_hours": 2}

        def post(body):
            return curl_post(self.d.url("/api/v1/sessions"),
                             body if isinstance(body, str) else json.dumps(body))
        before = len(self.ledger())
        j = self.assertError(post(dict(base, colour="red", size=3)), 400, "unknown_field")
        self.assertEqual(sorted(j["fields"]), ["colour", "size"])
        self.assertIn("'colour'", j["error"])
        self.assertIn("'size'", j["error"])
        cases = [
            ({k: v for k, v in base.items() if k != "consumer_id"}, "consumer_id", "required"),
            ({k: v for k, v in base.items() if k != "reservation_hours"}, "reservation_hours",
             "required"),
            (dict(base, consumer_id="bad id!"), "consumer_id", "characters"),
            (dict(base, consumer_id="x" * 129), "consumer_id", "characters"),
            (dict(base, consumer_id=7), "consumer_id", "string"),
            (dict(base, offer_id=""), "offer_id", "characters"),
            (dict(base, workload_type="mining"), "workload_type", "llm_vllm"),
            (dict(base, reservation_hours=0), "reservation_hours", "between 1 and 12"),
            (dict(base, reservation_hours=13), "reservation_hours", "between 1 and 12"),
            (dict(base, reservation_hours="2"), "reservation_hours", "integer"),
            (dict(base, reservation_hours=2.5), "reservation_hours", "integer"),
            (dict(base, idle_threshold_minutes=-1), "idle_threshold_minutes", "between"),
            (dict(base, storage_policy="keep"), "storage_policy", "destroy, preserve"),
            (dict(base, disk_gb=5), "disk_gb", "between 10 and 2048"),
            (dict(base, disk_gb=100000), "disk_gb", "between"),
            (dict(base, template_hash_id="a b"), "template_hash_id", "characters"),
            (dict(base, auto_retry="yes"), "auto_retry", "true or false"),
        ]
        for body, field, words in cases:
            j = self.assertError(post(body), 400, "invalid_request")
            self.assertEqual(j["field"], field, (body, j))
            self.assertIn(words, j["error"], (body, j))
        for body in ("", "{", "[1,2]", '{"consumer_id": "a", "consumer_id": "b"}'):
            r = post(body)
            self.assertEqual(r.status, 400, (body, r.body))
        r = http("POST", self.d.url("/api/v1/sessions"), body=json.dumps(base),
                 headers={"Idempotency-Key": "has space"})
        self.assertError(r, 400, "invalid_header")
        # Not in the inventory: 404, and no session row.
        j = self.assertError(post(dict(base, offer_id="vastai-12345")), 404, "not_found")
        self.assertIn("vastai-12345", j["error"])
        self.assertNotIn("session_id", j)
        self.assertEqual(len(self.ledger()), before)

    def test_stale_offer_is_a_structured_503(self):
        offer = self.fresh_offer("tensordock")
        self.sim.fault("stale", provider="td", route="create", count=1)
        r = self.provision(offer["id"], consumer="stale-app")
        j = self.assertError(r, 503, "stale_inventory")
        self.assertEqual((j["offer_id"], j["provider"]), (offer["id"], "tensordock"))
        self.assertTrue(j["retry_suggested"])
        self.assertIn("inventory", j["hint"])
        self.assertEqual(j["offers_tried"], [offer["id"]])
        s = self.session(j["session_id"])
        self.assertEqual(s["status"], "failed")
        self.assertTrue(s["status_reason"].startswith("provision_failed:"), s)
        self.assertIn("no longer available", s["status_reason"])
        self.assertEqual(s["cost_so_far"], 0)
        self.assertEqual([i for i in self.ledger() if i["label"].endswith(s["id"])], [])

    def test_auto_retry_lands_on_a_comparable_offer(self):
        offers = [o for o in self.offers() if o["id"] not in self.used]

        def comparable(a, b):
            return (b["id"] != a["id"] and b["gpu_type"] == a["gpu_type"]
                    and b["gpu_count"] >= a["gpu_count"]
                    and b["price_per_hour"] <= a["price_per_hour"] * 1.2)
        pairs = [(a, b) for a in offers for b in offers if comparable(a, b)]
        self.assertTrue(pairs, "the catalogue has no comparable offers")
        orig = pairs[0][0]
        self.used.add(orig["id"])
        self.sim.fault("stale", provider=SIM_NAME[orig["provider"]], route="create", count=1)
        r = self.provision(orig["id"], consumer="retry-app", auto_retry=True)
        self.assertEqual(r.status, 201, redacted(r))
        s = r.json()["session"]
        self.used.add(s["offer_id"])
        self.assertNotEqual(s["offer_id"], orig["id"])
        self.assertEqual(s["offers_tried"], [orig["id"], s["offer_id"]])
        self.assertTrue(s["auto_retry"])
        chosen = [o for o in offers if o["id"] == s["offer_id"]][0]
        self.assertTrue(comparable(orig, chosen), (orig, chosen))
        self.assertEqual(s["price_per_hour"], chosen["price_per_hour"])
        self.assertEqual(s["gpu_type"], orig["gpu_type"])
        # Stored, not just answered.
        self.assertEqual(self.session(s["id"])["offers_tried"], s["offers_tried"])
        self.assertEqual(self.d.delete("/api/v1/sessions/" + s["id"]).status, 200)
        self.wait_status(s["id"], "stopped")

    def test_provider_create_failure_leaves_nothing(self):
        # An unclear failure (HTTP 500): the label is searched until sure.
        offer = self.fresh_offer("vastai")
        lists = self.sim.requests(route="list", provider="vast")["total"]
        self.sim.fault("status", provider="vast", route="create", status=500, count=1)
        r = self.provision(offer["id"], consumer="fail-app")
        j = self.assertError(r, 502, "provider_error")
        self.assertEqual(j["provider"], "vastai")
        sid = j["session_id"]
        s = self.wait_status(sid, "failed")
        self.assertTrue(s["status_reason"].startswith("provision_failed:"), s)
        self.assertIn("500", s["status_reason"])
        self.assertIn("no instance", s["status_reason"])
        self.assertGreater(self.sim.requests(route="list", provider="vast")["total"], lists)
        self.assertEqual([i for i in self.ledger() if i["label"].endswith(sid)], [])
        self.assertEqual(s["cost_so_far"], 0)
        # A certain refusal (HTTP 401): failed at once.
        offer = self.fresh_offer("tensordock")
        self.sim.fault("status", provider="td", route="create", status=401, count=1)
        r = self.provision(offer["id"], consumer="fail-app")
        j = self.assertError(r, 502, "provider_error")
        self.assertEqual(j["session_status"], "failed")
        s = self.session(j["session_id"])
        self.assertEqual(s["status"], "failed")
        self.assertIn("E_AUTH", s["status_reason"])
        self.assertEqual([i for i in self.ledger() if i["label"].endswith(s["id"])], [])

    def test_concurrent_done_and_delete_destroy_once(self):
        offer = self.fresh_offer("vastai")
        r = self.provision(offer["id"], consumer="race-app")
        self.assertEqual(r.status, 201, redacted(r))
        s = r.json()["session"]
        self.wait_status(s["id"], "running")
        go = threading.Barrier(2)
        out = {}

        def call(name, method, path):
            go.wait()
            out[name] = http(method, self.d.url(path))
        threads = [threading.Thread(target=call, args=("done", "POST",
                                                       "/api/v1/sessions/%s/done" % s["id"])),
                   threading.Thread(target=call, args=("delete", "DELETE",
                                                       "/api/v1/sessions/" + s["id"]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual((out["done"].status, out["delete"].status), (200, 200),
                         (out["done"].body, out["delete"].body))
        flags = sorted(out[k].json()["already_stopping"] for k in out)
        self.assertEqual(flags, [False, True])
        self.wait_status(s["id"], "stopped")
        # Idempotent while stopping, terminal afterwards: still one destroy.
        self.assertEqual(len(self.destroys_of("vastai", s["provider_instance_id"])), 1)

    def test_concurrent_provisions_get_distinct_instances(self):
        n = 40
        offers = [o for o in self.offers() if o["id"] not in self.used][:n]
        self.assertEqual(len(offers), n)
        out = [None] * n
        go = threading.Barrier(n)

        def one(i):
            go.wait()
            out[i] = self.provision(offers[i]["id"], consumer="crowd-%d" % (i % 5), hours=1)
        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        bad = [redacted(r) for r in out if r.status != 201]
        self.assertEqual(bad, [])
        sessions = [r.json()["session"] for r in out]
        ids = {s["id"] for s in sessions}
        instances = {(s["provider"], s["provider_instance_id"]) for s in sessions}
        self.assertEqual((len(ids), len(instances)), (n, n))
        labels = {i["label"] for i in self.ledger()}
        self.assertTrue(all(any(l.endswith(sid) for l in labels) for sid in ids))
        for s in sessions:
            self.wait_status(s["id"], "running", timeout=90)
        for s in sessions:
            self.assertEqual(self.d.delete("/api/v1/sessions/" + s["id"]).status, 200)
        for s in sessions:
            self.wait_status(s["id"], "stopped", timeout=60)
        gone = [i for i in self.ledger() if any(i["label"].endswith(sid) for sid in ids)]
        self.assertEqual(len(gone), n)
        self.assertTrue(all(i["destroyed_at_ms"] for i in gone))

    def test_idempotency_key_returns_the_same_session(self):
        offer = self.fresh_offer("vastai")
        hdr = [("Idempotency-Key", "order-42")]
        first = self.provision(offer["id"], consumer="idem-app", headers=hdr)
        self.assertEqual(first.status, 201, redacted(first))
        again = self.provision(offer["id"], consumer="idem-app", headers=hdr)
        self.assertEqual(again.status, 200, redacted(again))
        j = again.json()
        self.assertTrue(j["idempotent_replay"])
        self.assertIsNone(j["ssh_private_key"])
        self.assertIn("never returned again", j["message"])
        sid = first.json()["session"]["id"]
        self.assertEqual(j["session"]["id"], sid)
        self.assertEqual(len([i for i in self.ledger() if i["label"].endswith(sid)]), 1)
        # The same key for another offer is refused; another consumer's key space is its own.
        other = self.fresh_offer("vastai")
        j = self.assertError(self.provision(other["id"], consumer="idem-app", headers=hdr), 422,
                             "idempotency_key_reused")
        self.assertEqual(j["session_id"], sid)
        # Two concurrent requests with one new key: one instance.
        offer2 = self.fresh_offer("tensordock")
        go = threading.Barrier(2)
        out = []

        def one():
            go.wait()
            out.append(self.provision(offer2["id"], consumer="idem-app",
                                      headers=[("Idempotency-Key", "order-43")]))
        threads = [threading.Thread(target=one) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(r.status for r in out), [200, 201], [redacted(r) for r in out])
        sids = {r.json()["session"]["id"] for r in out}
        self.assertEqual(len(sids), 1)
        sid2 = sids.pop()
        self.assertEqual(len([i for i in self.ledger() if i["label"].endswith(sid2)]), 1)
        for s in (sid, sid2):
            self.d.delete("/api/v1/sessions/" + s)

    def test_instance_stopped_by_provider_fails_after_a_verified_destroy(self):
        offer = self.fresh_offer("vastai")
        r = self.provision(offer["id"], consumer="stop-app")
        self.assertEqual(r.status, 201, redacted(r))
        s = r.json()["session"]
        self.sim.control("POST", "/instances/%s/state" % s["provider_instance_id"],
                         {"state": "exited"})
        s = self.wait_status(s["id"], "failed")
        self.assertTrue(s["status_reason"].startswith("instance_stopped:"), s)
        self.assertIn("exited", s["status_reason"])
        self.assertIn("verified gone", s["status_reason"])
        led = [i for i in self.ledger() if i["label"].endswith(s["id"])]
        self.assertTrue(led and led[0]["destroyed_at_ms"], led)

    def test_instance_vanishing_while_provisioning_fails_it(self):
        offer = self.fresh_offer("tensordock")
        r = self.provision(offer["id"], consumer="vanish-app")
        self.assertEqual(r.status, 201, redacted(r))
        s = r.json()["session"]
        self.sim.control("POST", "/instances/%s/vanish" % s["provider_instance_id"])
        s = self.wait_status(s["id"], "failed")
        self.assertTrue(s["status_reason"].startswith("instance_vanished:"), s)
        self.assertTrue(RFC3339.match(s["stopped_at"]))
        self.assertLessEqual(s["cost_so_far"], 0.01)
        self.assertEqual(self.destroys_of("tensordock", s["provider_instance_id"]), [])

    def test_zz_no_private_key_in_log_database_or_output(self):
        self.assertGreater(len(KEYS), 40)
        assert_no_key_material(self.d)


class TestVerifyTimeout(SessionCase):
    """A short verification timeout: an instance stuck loading is destroyed
    (verified) and the session fails with an actionable reason."""
    sessions_ini = FAST_SESSIONS.replace("verify_timeout = 30s", "verify_timeout = 2s").replace(
        "ssh_probe_timeout = 5s", "ssh_probe_timeout = 1s")

    def test_stuck_instance_times_out(self):
        offer = self.fresh_offer("vastai")
        r = self.provision(offer["id"], consumer="slow-app")
        self.assertEqual(r.status, 201, redacted(r))
        s = r.json()["session"]
        self.sim.control("POST", "/instances/%s/state" % s["provider_instance_id"],
                         {"state": "loading"})
        diag = self.d.get("/api/v1/sessions/%s/diagnostics" % s["id"]).json()
        self.assertEqual(diag["status"], "provisioning")
        s = self.wait_status(s["id"], "failed", timeout=30)
        self.assertTrue(s["status_reason"].startswith("verify_timeout:"), s)
        self.assertIn("2s", s["status_reason"])
        self.assertIn("try another offer", s["status_reason"])
        led = [i for i in self.ledger() if i["label"].endswith(s["id"])]
        self.assertTrue(led and led[0]["destroyed_at_ms"], led)
        self.assertGreater(s["cost_so_far"], 0)


class TestRestart(SessionCase):
    """Shutdown never destroys an instance; a destroy that keeps failing keeps
    the session stopping, and it resumes after a restart."""

    def test_shutdown_keeps_instances_and_stopping_resumes(self):
        keep = self.provision(self.fresh_offer("vastai")["id"], consumer="restart-app")
        stuck = self.provision(self.fresh_offer("tensordock")["id"], consumer="restart-app")
        self.assertEqual((keep.status, stuck.status), (201, 201))
        keep, stuck = keep.json()["session"], stuck.json()["session"]
        self.wait_status(keep["id"], "running")
        self.wait_status(stuck["id"], "running")
        self.sim.fault("destroy_fail", provider="td", route="destroy", count=1000)
        self.assertEqual(self.d.delete("/api/v1/sessions/" + stuck["id"]).status, 200)
        wait_for(lambda: self.destroys_of("tensordock", stuck["provider_instance_id"]),
                 what="a failing destroy")
        time.sleep(0.5)
        self.assertEqual(self.session(stuck["id"])["status"], "stopping")
        self.assertEqual(self.d.stop(), 0)

        alive = {i["label"][-21:]: i for i in self.ledger() if i["destroyed_at_ms"] is None}
        self.assertIn(keep["id"], alive)
        self.assertIn(stuck["id"], alive)
        self.sim.clear_faults()
        self.d.start()
        s = self.wait_status(stuck["id"], "stopped")
        self.assertTrue(s["status_reason"].startswith("deleted:"), s)
        self.assertEqual(self.session(keep["id"])["status"], "running")
        self.assertEqual(self.d.delete("/api/v1/sessions/" + keep["id"]).status, 200)
        self.wait_status(keep["id"], "stopped")
        self.assertTrue(all(i["destroyed_at_ms"] for i in self.ledger()))


if __name__ == "__main__":
    unittest.main()
