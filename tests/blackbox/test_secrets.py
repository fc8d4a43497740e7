"""Secret hygiene across a full workflow: provider credentials, API tokens
and the session's SSH private key never appear in the daemon's log (at
debug level), its database and data files, its HTTP answers after the
one-time hand-off, or the CLI's output."""
import base64
import json
import os
import time
import unittest

from harness import Daemon, Sim, cli, http, wait_for

VAST_KEY = "vk-7f3a9c1e5b2d8f4a6c0e9b1d3f5a7c9e"
TD_ID = "tdid-0b1c2d3e4f5a6b7c8d9e"
TD_TOKEN = "tdtok-9e8d7c6b5a4f3e2d1c0b"
ADMIN = "gst_secret-hygiene-admin-token-000000001"
FAST = ("[sessions]\nverify_timeout = 30s\nverify_poll_interval = 100ms\n"
        "verify_poll_max_interval = 400ms\nssh_probe_timeout = 5s\n"
        "destroy_confirm_interval = 150ms\ndestroy_retry_backoff = 100ms\n"
        "destroy_max_backoff = 1s\n")


def bearer(t):
    return {"Authorization": "Bearer " + t}


class TestSecretHygiene(unittest.TestCase):
    def test_full_workflow_leaks_nothing(self):
        sim = Sim(offers=30, ssh=True, ready_after_ms=200,
                  args=["--vast-key", VAST_KEY, "--td-auth-id", TD_ID, "--td-token", TD_TOKEN])
        sim.start()
        d = Daemon(extra_ini=(
            "[provider.vastai]\napi_key = ${T_VAST}\napi_base_url = %s\nmin_reliability = 0\n"
            "[provider.tensordock]\nplugin = tensordock\napi_base_url = %s\n"
            "[auth]\nenabled = true\n%s\n[inventory]\nrefresh_interval = 2s\n"
            % (sim.vast_url, sim.td_url, FAST)),
            server_ini="").start(env={"T_VAST": VAST_KEY, "TENSORDOCK_AUTH_ID": TD_ID,
                                      "TENSORDOCK_API_TOKEN": TD_TOKEN, "GS_ADMIN_TOKEN": ADMIN})
        seen = []  # every answer the test got after the one-time hand-offs
        try:
            r = d.post("/api/v1/tokens", body={"role": "consumer", "consumers": ["hyg"]},
                       headers=bearer(ADMIN))
            self.assertEqual(r.status, 201)
            consumer = r.json()["secret"]
            wait_for(lambda: d.get("/api/v1/inventory?provider=vastai",
                                   headers=bearer(consumer)).json().get("count", 0) > 0,
                     timeout=20, what="vastai offers")
            offer = d.get("/api/v1/inventory?provider=vastai&limit=1",
                          headers=bearer(consumer)).json()["offers"][0]["id"]
            r = d.post("/api/v1/sessions", headers=bearer(consumer), body={
                "consumer_id": "hyg", "offer_id": offer, "workload_type": "llm",
                "reservation_hours": 1})
            self.assertEqual(r.status, 201, r.body)
            key = r.json()["ssh_private_key"]
            sid = r.json()["session"]["id"]
            wait_for(lambda: d.get("/api/v1/sessions/" + sid, headers=bearer(consumer))
                     .json()["status"] == "running", timeout=30, what="running")
            for path in ("/api/v1/sessions/" + sid, "/api/v1/sessions/%s/diagnostics" % sid,
                         "/api/v1/sessions", "/api/v1/costs?consumer_id=hyg", "/health",
                         "/metrics", "/api/v1/events", "/api/v1/tokens"):
                seen.append(d.get(path, headers=bearer(ADMIN)).body)
            # A provider error with credentials involved: refused key on a create.
            sim.fault("status", provider="td", route="list_offers", status=401, count=2)
            out = cli("-o", "json", "sessions", "--id", sid, server=d.url(""),
                      env={"GPU_SHOPPER_TOKEN": consumer})
            seen.append((out.stdout + out.stderr).encode())
            seen.append(d.post("/api/v1/sessions/%s/done" % sid, headers=bearer(consumer)).body)
            wait_for(lambda: d.get("/api/v1/sessions/" + sid, headers=bearer(consumer))
                     .json()["status"] == "stopped", timeout=30, what="stopped")
            time.sleep(2.5)  # let a refresh hit the injected 401
        finally:
            self.assertEqual(d.stop(), 0)
            sim.stop()
        secrets = {"vast key": VAST_KEY, "td id": TD_ID, "td token": TD_TOKEN, "admin": ADMIN,
                   "consumer token": consumer}
        body = "".join(l for l in key.splitlines() if not l.startswith("-----"))
        secrets["ssh key base64"] = body[:60]
        secrets["ssh key seed"] = base64.b64decode(body)[-64:-32].hex()
        places = {"daemon log": d.log_text().encode()}
        for name in os.listdir(d.data):
            if name.startswith("management_key"):
                continue  # the service's own key, private by design (0600)
            with open(os.path.join(d.data, name), "rb") as f:
                places["data/" + name] = f.read()
        for i, b in enumerate(seen):
            places["answer %d" % i] = b
        leaks = [(s, p) for s, v in secrets.items() for p, data in places.items()
                 if v.encode() in data or v.encode() in data.hex().encode()]
        self.assertEqual(leaks, [])
        # The search really looks: public, non-secret values are found.
        self.assertIn(sid.encode(), places["daemon log"] + b"".join(seen))


if __name__ == "__main__":
    unittest.main()
