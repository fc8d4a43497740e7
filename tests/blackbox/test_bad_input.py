"""Hostile input: well over 100 malformed requests across every resource,
each answered with a 4xx JSON error, while the daemon stays healthy."""
import http.client
import json
import unittest

from harness import Daemon, Sim

SESSION = "/api/v1/sessions"
GOOD = {"consumer_id": "my-app", "offer_id": "vastai-1", "workload_type": "llm",
        "reservation_hours": 2}


def with_field(name, value):
    body = dict(GOOD)
    body[name] = value
    return json.dumps(body).encode()


def raw(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.getheader("Content-Type", ""), r.read()


def cases():
    c = []
    # Session-create bodies: wrong types, ranges, charset, unknown fields.
    for field, values in {
        "consumer_id": [None, 1, True, [], {}, "", "a" * 129, "bad id", "ümlaut", "a/b", "x\u0000y"],
        "offer_id": [None, 12345, [], "", "x" * 5000],
        "workload_type": [None, 1, "", "crypto-mining", "LLM"],
        "reservation_hours": [None, "2", 0, -1, 13, 2.5, 1e300, -1e300, 2 ** 63, True, [], {}],
        "idle_threshold_minutes": [-1, "10", 1.5, 2 ** 64, None, {}],
        "storage_policy": ["keep", 1, None, ""],
        "disk_gb": [-50, 0, "100", 10 ** 12, 1.5, None],
        "template_hash_id": [1, [], "x" * 5000],
        "auto_retry": ["yes", 1, None, []],
        "surprise": [1],
    }.items():
        for v in values:
            c.append(("POST", SESSION, with_field(field, v), "field %s=%r" % (field, v)))
    missing = dict(GOOD)
    del missing["consumer_id"]
    c.append(("POST", SESSION, json.dumps(missing).encode(), "missing consumer_id"))
    # Bodies that are not JSON objects at all.
    for body, why in [
        (b"", "empty"), (b"null", "null"), (b"[]", "array"), (b"42", "number"), (b'"s"', "string"),
        (b"{", "truncated"), (b'{"consumer_id": "a"', "truncated object"), (b"{'a': 1}", "quotes"),
        (b'{"reservation_hours": NaN}', "NaN"), (b'{"reservation_hours": Infinity}', "Infinity"),
        (b'{"consumer_id": "\xff\xfe"}', "invalid UTF-8"), (b"\xef\xbb\xbf{}", "BOM"),
        (b'{"consumer_id": "a", "consumer_id": "b"}', "duplicate keys"),
        (b"[" * 100000 + b"]" * 100000, "deep nesting"), (b'{"a":' * 5000 + b"1" + b"}" * 5000,
                                                          "deep objects"),
        (b"{}" + b" " * 10, "trailing spaces ok but empty object"), (b"{}garbage", "trailing garbage"),
        (b"\x00\x01\x02", "binary"),
    ]:
        c.append(("POST", SESSION, body, why))
    # Extend bodies on a session that does not exist or with bad values.
    for body in [b"{}", b'{"additional_hours": "2"}', b'{"additional_hours": -1}',
                 b'{"additional_hours": 0}', b'{"additional_hours": 1e9}', b"[]", b"{",
                 b'{"additional_hours": 1, "x": 2}']:
        c.append(("POST", SESSION + "/sess-doesnotexist0/extend", body, "extend %r" % body))
    # Ids and paths.
    for path in ["/api/v1/sessions/nope", "/api/v1/sessions/sess-", "/api/v1/sessions/sess-UPPER",
                 "/api/v1/sessions/" + "a" * 5000, "/api/v1/sessions/sess-x/unknown",
                 "/api/v1/sessions/%2e%2e/etc", "/api/v1/sessions/sess-%00", "/api/v1/inventory/nope",
                 "/api/v1/inventory/" + "z" * 3000, "/api/v1//sessions", "/api/v2/sessions", "/",
                 "/api", "/api/v1/costs?session_id=sess-nope", "/x%ZZ", "/%",
                 "/api/v1/sessions/sess-x/done/extra"]:
        c.append(("GET", path, None, "path %s" % path[:40]))
    # Query strings.
    for q in ["min_vram=-1", "min_vram=abc", "max_price=1e5", "max_price=-0.5", "limit=0",
              "limit=100000", "offset=-1", "sort=random", "provider=nope", "min_reliability=2",
              "min_gpu_count=-2", "gpu_count=x", "min_cuda=abc", "unknown=1", "limit=1&limit=2",
              "gpu_type=" + "x" * 3000, "max_price=0.1234567", "min_vram=1%"]:
        c.append(("GET", "/api/v1/inventory?" + q, None, "inventory %s" % q[:30]))
    for q in ["status=bogus", "limit=-1", "offset=x", "consumer_id=bad%20id", "provider=x%20y",
              "nope=1"]:
        c.append(("GET", SESSION + "?" + q, None, "sessions %s" % q))
    for q in ["start_date=2026-13-01", "start_date=2026-02-30", "end_date=yesterday",
              "start_date=2026-02-01&end_date=2026-01-01", "period=weekly", "consumer_id=bad%20id",
              "session_id=x", "bogus=1"]:
        c.append(("GET", "/api/v1/costs?" + q, None, "costs %s" % q))
    # Methods.
    for method, path in [("PUT", SESSION), ("PATCH", SESSION), ("DELETE", SESSION),
                         ("PUT", "/api/v1/inventory"), ("POST", "/api/v1/inventory"),
                         ("DELETE", "/health"), ("PATCH", "/metrics"), ("BREW", SESSION),
                         ("TRACE", "/api/v1/inventory")]:
        c.append((method, path, None, "method %s %s" % (method, path)))
    return c


class TestBadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(offers=20).start()
        cls.d = Daemon(extra_ini=cls.sim.provider_ini())
        cls.d.start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.d.stop()
        cls.sim.stop()
        assert rc == 0, cls.d.log_text()

    def test_malformed_requests_get_4xx_json_and_daemon_stays_healthy(self):
        all_cases = cases()
        self.assertGreaterEqual(len(all_cases), 100)
        failures = []
        for method, path, body, why in all_cases:
            conn = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=30)
            headers = {"Content-Type": "application/json"} if body is not None else {}
            try:
                status, ctype, data = raw(conn, method, path, body, headers)
            finally:
                conn.close()
            ok = 400 <= status < 500
            if ok and status not in (431,):
                try:
                    j = json.loads(data)
                    ok = bool(j.get("error")) and bool(j.get("error_type")) and "request_id" in j
                except ValueError:
                    ok = False
            if not ok:
                failures.append("%s (%s %s) -> %d %r" % (why, method, path[:60], status, data[:120]))
        self.assertEqual(failures, [], "\n".join(failures))
        self.assertEqual(self.d.get("/health").status, 200)
        self.assertIsNone(self.d.proc.poll())
        # Nothing reached the providers' create endpoints.
        self.assertEqual(self.sim.requests(route="create").get("total", 0), 0)

    def test_wrong_content_type_415(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=30)
        status, _, data = raw(conn, "POST", SESSION, json.dumps(GOOD).encode(),
                              {"Content-Type": "text/plain"})
        conn.close()
        self.assertEqual(status, 415)
        self.assertEqual(json.loads(data)["error_type"], "unsupported_media_type")

    def test_error_messages_never_echo_raw_markup_unescaped(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=30)
        status, ctype, data = raw(conn, "GET", "/api/v1/inventory?provider=%3Cscript%3E")
        conn.close()
        self.assertEqual(status, 400)
        self.assertTrue(ctype.startswith("application/json"))
        self.assertNotIn(b"<", data)
        self.assertIn("<script>", json.loads(data)["error"])  # same text once decoded
        self.assertEqual(self.d.get("/health").headers["X-Content-Type-Options"], "nosniff")


if __name__ == "__main__":
    unittest.main()
