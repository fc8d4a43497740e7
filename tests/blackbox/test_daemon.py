"""Foundation black-box tests: health, ready, metrics, JSON errors, request
ids, access log, clean shutdown, data directory permissions."""
import os
import signal
import stat
import unittest

from harness import Daemon, DaemonTest, http


class TestEndpoints(DaemonTest):
    server_ini = "max_body_bytes = 2048\n"

    def test_health_says_what_is_missing(self):
        r = self.d.get("/health")
        self.assertEqual(r.status, 200)
        j = r.json()
        self.assertEqual(j["status"], "degraded")
        self.assertEqual(j["components"]["storage"]["status"], "ok")
        self.assertEqual(j["components"]["storage"]["plugin"], "storage-sqlite")
        self.assertIn("no provider configured", j["components"]["providers"]["detail"])
        self.assertRegex(j["deployment_id"], r"^[a-z2-7]{12}$")

    def test_ready(self):
        r = self.d.get("/ready")
        self.assertEqual(r.status, 200)
        self.assertIs(r.json()["ready"], True)

    def test_metrics_prometheus_text(self):
        self.d.get("/health")
        self.d.get("/nope")
        r = self.d.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain"))
        text = r.body.decode()
        self.assertIn("# TYPE gs_http_requests_total counter", text)
        self.assertRegex(text, r'gs_http_requests_total\{method="GET",route="/health",code="200"\} [1-9]')
        self.assertRegex(text, r'gs_http_requests_total\{method="",route="unmatched",code="404"\} [1-9]')
        self.assertRegex(text, r"process_resident_memory_bytes [1-9]\d+")
        self.assertIn("gs_providers_configured 0", text)

    def test_unknown_route_404_json(self):
        self.assertJsonError(self.d.get("/api/v1/does-not-exist"), 404, "not_found")

    def test_wrong_method_405_json(self):
        r = self.d.post("/health", body={})
        self.assertJsonError(r, 405, "method_not_allowed")
        self.assertEqual(r.headers.get("Allow"), "GET")

    def test_body_over_limit_413_json(self):
        r = self.d.post("/health", body=b"x" * 4096)
        self.assertJsonError(r, 413, "payload_too_large")
        # Chunked upload without Content-Length is cut off the same way.
        r = self.d.post("/health", body=iter([b"y" * 1500, b"y" * 1500]),
                        headers={"Transfer-Encoding": "chunked"})
        self.assertJsonError(r, 413, "payload_too_large")

    def test_request_id_echoed_or_replaced(self):
        r = self.d.get("/health", headers={"X-Request-ID": "abc-123_x.y"})
        self.assertEqual(r.headers["X-Request-ID"], "abc-123_x.y")
        r = self.d.get("/nope", headers={"X-Request-ID": "bad id<script>"})
        rid = r.headers["X-Request-ID"]
        self.assertNotIn("<", rid)
        self.assertEqual(r.json()["request_id"], rid)

    def test_error_message_is_escaped_json(self):
        r = self.d.get('/x%22%3Cb%3E')
        j = self.assertJsonError(r, 404)
        self.assertIn('"<b>', j["error"])  # quoted inside a valid JSON string

    def test_access_log_line(self):
        self.d.get("/ready", headers={"X-Request-ID": "accesslogcheck"})
        self.assertRegex(self.d.log_text(), r"\[http\] GET /ready 200 [\d.]+ms id=accesslogcheck")


class TestHostileRequests(DaemonTest):
    server_ini = "max_query_bytes = 300\nrate_limit_per_second = 2\nrate_limit_burst = 3\n"

    def test_bad_percent_encoding_400(self):
        for path in ("/api/v1/x%zz", "/health?q=%4", "/api/v1/a%00b"):
            self.assertJsonError(self.d.get(path), 400, "bad_request")

    def test_query_too_long_414(self):
        r = self.d.get("/health?x=" + "a" * 400)
        self.assertJsonError(r, 414, "uri_too_long")

    def test_oversized_headers_refused(self):
        r = self.d.get("/health", headers={"X-Big": "h" * 40000})
        self.assertIn(r.status, (413, 431))
        self.assertEqual(self.d.get("/health").status, 200)

    def test_rate_limit_429_with_retry_after_on_api_only(self):
        codes = [self.d.get("/api/v1/nothing").status for _ in range(6)]
        self.assertIn(429, codes)
        self.assertEqual(codes[:3], [404, 404, 404])
        r = self.d.get("/api/v1/nothing")
        j = self.assertJsonError(r, 429, "rate_limited")
        self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
        self.assertIn("retry in", j["error"])
        # Health probes are never limited.
        self.assertEqual([self.d.get("/health").status for _ in range(6)], [200] * 6)


class TestLifecycle(unittest.TestCase):
    def test_sigterm_and_sigint_stop_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            d = Daemon().start()
            self.assertEqual(d.get("/health").status, 200)
            self.assertEqual(d.stop(sig), 0, d.log_text())
            self.assertIn("stopped", d.log_text())

    def test_data_dir_0700_and_database_0600(self):
        d = Daemon().start()
        try:
            self.assertEqual(stat.S_IMODE(os.stat(d.data).st_mode), 0o700)
            db = os.path.join(d.data, "gpu-shopper.db")
            self.assertEqual(stat.S_IMODE(os.stat(db).st_mode), 0o600)
        finally:
            self.assertEqual(d.stop(), 0)

    def test_deployment_id_survives_restart(self):
        d = Daemon().start()
        first = d.get("/health").json()["deployment_id"]
        self.assertEqual(d.stop(), 0)
        d.start()
        try:
            self.assertEqual(d.get("/health").json()["deployment_id"], first)
        finally:
            self.assertEqual(d.stop(), 0)

    def test_port_in_use_is_a_clear_error(self):
        a = Daemon().start()
        try:
            b = Daemon(server_ini="")
            with open(b.config) as f:
                text = f.read().replace("port = 0", "port = %d" % a.port)
            with open(b.config, "w") as f:
                f.write(text)
            from harness import run, DAEMON
            r = run([DAEMON, "--config", b.config])
            self.assertEqual(r.returncode, 3)
            self.assertIn("cannot listen on 127.0.0.1:%d" % a.port, r.stderr)
        finally:
            self.assertEqual(a.stop(), 0)


if __name__ == "__main__":
    unittest.main()
