"""Black-box harness: runs gpu-shopperd (and later the simulator) as real
processes on loopback ephemeral ports and talks to them over real HTTP.

Paths come from the environment ctest sets: GS_BUILD_DIR, GS_SOURCE_DIR.
GS_VALGRIND=1 runs the daemon under valgrind memcheck and fails the test on
any error or leak it reports.
"""
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

BUILD = os.environ.get("GS_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
SOURCE = os.environ.get("GS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))
BIN = os.path.join(BUILD, "bin")
DAEMON = os.path.join(BIN, "gpu-shopperd")
CLI = os.path.join(BIN, "gpu-shopper")
SIM = os.path.join(BIN, "gpu-market-sim")
ABI_PLUGINS = os.path.join(BUILD, "tests", "abi", "plugins")
START_TIMEOUT_S = 60 if os.environ.get("GS_VALGRIND") else 15

LISTEN_RE = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
SIM_LISTEN_RE = re.compile(r"^listening on 127\.0\.0\.1:(\d+)$", re.M)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def http(method, url, body=None, headers=None, timeout=30):
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        if isinstance(body, (bytes, str)) or hasattr(body, "__next__"):
            data = body.encode() if isinstance(body, str) else body
        else:
            data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers, e.read())


class Daemon:
    """One gpu-shopperd with its own temporary data directory and config."""

    def __init__(self, extra_ini="", server_ini="", storage_ini=None):
        self.dir = tempfile.mkdtemp(prefix="gs-bb-")
        self.data = os.path.join(self.dir, "data")
        self.config = os.path.join(self.dir, "gpu-shopper.ini")
        self.log_path = os.path.join(self.dir, "daemon.log")
        if storage_ini is None:
            storage_ini = "[storage]\npath = %s/gpu-shopper.db\n" % self.data
        with open(self.config, "w") as f:
            f.write("[server]\nlisten = 127.0.0.1\nport = 0\nthreads = 4\n"
                    "data_dir = %s\n%s\n[log]\nlevel = info\n\n%s\n%s\n"
                    % (self.data, server_ini, storage_ini, extra_ini))
        self.proc = None
        self.port = None

    def start(self, env=None, wait_ready=True):
        """Start and wait until it listens and, unless wait_ready is False,
        until /ready says the start-up sweep (crash recovery and the first
        reconciliation) is done."""
        self._start(env)
        if wait_ready:
            deadline = time.time() + START_TIMEOUT_S
            while self.get("/ready").status != 200:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise AssertionError("gpu-shopperd never became ready:\n" + self.log_text())
                time.sleep(0.02)
        return self

    def _start(self, env=None):
        cmd = [DAEMON, "--config", self.config]
        if os.environ.get("GS_VALGRIND"):
            cmd = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                   "--errors-for-leak-kinds=definite,indirect", "--show-leak-kinds=definite,indirect",
                   "--log-file=%s/valgrind.log" % self.dir] + cmd
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, **(env or {})))
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline:
            text = self.log_text()
            m = LISTEN_RE.search(text)
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise AssertionError("gpu-shopperd exited %s:\n%s" % (self.proc.returncode, text))
            time.sleep(0.05)
        raise AssertionError("gpu-shopperd did not start:\n" + self.log_text())

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def get(self, path, **kw):
        return http("GET", self.url(path), **kw)

    def post(self, path, body=None, **kw):
        return http("POST", self.url(path), body=body, **kw)

    def delete(self, path, **kw):
        return http("DELETE", self.url(path), **kw)

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stop the daemon; returns its exit status."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout * (4 if os.environ.get("GS_VALGRIND") else 1))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise AssertionError("gpu-shopperd did not stop on signal %d" % sig)
        self.log.close()
        if os.environ.get("GS_VALGRIND") and rc == 99:
            with open(os.path.join(self.dir, "valgrind.log")) as f:
                raise AssertionError("valgrind reported errors:\n" + f.read())
        return rc

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Sim:
    """One gpu-market-sim (tests/sim, docs/SIM.md) on an ephemeral loopback
    port: Vast.ai under /vast/api/v0, TensorDock under /td/api/v2, control
    API under /_sim/. Credentials are fixed per instance (see provider_ini)."""

    VAST_KEY = "bb-vast-key"
    TD_AUTH_ID = "bb-td-auth-id"
    TD_TOKEN = "bb-td-token"

    def __init__(self, offers=200, seed=1, ssh=False, ready_after_ms=None, args=()):
        self.dir = tempfile.mkdtemp(prefix="gs-sim-")
        self.log_path = os.path.join(self.dir, "sim.out")
        self.err_path = os.path.join(self.dir, "sim.err")
        self.cmd = [SIM, "--port", "0", "--offers", str(offers), "--seed", str(seed),
                    "--vast-key", self.VAST_KEY, "--td-auth-id", self.TD_AUTH_ID,
                    "--td-token", self.TD_TOKEN]
        if not ssh:
            self.cmd.append("--no-ssh")
        if ready_after_ms is not None:
            self.cmd += ["--ready-after-ms", str(ready_after_ms)]
        self.cmd += list(args)
        self.proc = None
        self.port = None

    def start(self):
        if not os.access(SIM, os.X_OK):
            raise unittest.SkipTest("gpu-market-sim is not built (%s)" % SIM)
        self.out = open(self.log_path, "w+")
        self.err = open(self.err_path, "w+")
        self.proc = subprocess.Popen(self.cmd, stdout=self.out, stderr=self.err)
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline:
            with open(self.log_path) as f:
                m = SIM_LISTEN_RE.search(f.read())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise AssertionError("gpu-market-sim exited %s:\n%s"
                                     % (self.proc.returncode, self.stderr_text()))
            time.sleep(0.02)
        self.kill()
        raise AssertionError("gpu-market-sim did not start:\n" + self.stderr_text())

    def stderr_text(self):
        with open(self.err_path) as f:
            return f.read()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    @property
    def vast_url(self):
        return self.url("/vast/api/v0")

    @property
    def td_url(self):
        return self.url("/td/api/v2")

    def provider_ini(self, vast="vastai", td="tensordock", vast_extra="", td_extra=""):
        """[provider.*] sections aimed at this simulator (None leaves one out)."""
        text = ""
        if vast:
            text += ("[provider.%s]\nplugin = vastai\napi_key = %s\napi_base_url = %s\n%s\n"
                     % (vast, self.VAST_KEY, self.vast_url, vast_extra))
        if td:
            text += ("[provider.%s]\nplugin = tensordock\nauth_id = %s\napi_token = %s\n"
                     "api_base_url = %s\n%s\n"
                     % (td, self.TD_AUTH_ID, self.TD_TOKEN, self.td_url, td_extra))
        return text

    def control(self, method, path, body=None):
        r = http(method, self.url("/_sim" + path), body=body)
        if r.status >= 300:
            raise AssertionError("sim %s %s: HTTP %d %s" % (method, path, r.status, r.body))
        return r.json() if r.body else None

    def fault(self, kind, provider="*", route="list_offers", **spec):
        """Inject a fault (kinds: status, delay, hang, malformed, wrong_types,
        huge, stale, destroy_fail); returns its id."""
        body = dict(spec, kind=kind, provider=provider, route=route)
        return self.control("POST", "/faults", body)["id"]

    def clear_faults(self):
        self.control("DELETE", "/faults")

    def requests(self, route=None, provider=None):
        q = "&".join("%s=%s" % kv for kv in (("route", route), ("provider", provider)) if kv[1])
        return self.control("GET", "/requests" + ("?" + q if q else ""))

    def stop(self, timeout=30):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.out.close()
        self.err.close()
        return rc

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    """Poll predicate() until it returns a true value (returned) or fail."""
    if os.environ.get("GS_VALGRIND"):
        timeout *= 4
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %.1fs waiting for %s (last: %r)" % (timeout, what, last))


def run(cmd, env=None, input=None, timeout=60):
    """Run a command; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **(env or {})),
                          input=input, timeout=timeout)


def cli(*args, server=None, env=None, input=None):
    e = dict(env or {})
    if server:
        e["GPU_SHOPPER_URL"] = server
    return run([CLI] + list(args), env=e, input=input)


class DaemonTest(unittest.TestCase):
    """A test case with one daemon per test class."""
    extra_ini = ""
    server_ini = ""

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(extra_ini=cls.extra_ini, server_ini=cls.server_ini).start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.d.stop()
        assert rc == 0, "daemon exit status %r\n%s" % (rc, cls.d.log_text())

    def assertJsonError(self, r, status, error_type=None):
        self.assertEqual(r.status, status, r.body)
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"))
        j = r.json()
        self.assertIsInstance(j.get("error"), str)
        self.assertTrue(j["error"])
        self.assertIsInstance(j.get("error_type"), str)
        self.assertTrue(j.get("request_id"))
        if error_type:
            self.assertEqual(j["error_type"], error_type)
        return j
