"""The session commands of the gpu-shopper CLI (provision, sessions, done, extend,
shutdown, ssh) against a real gpu-shopperd and gpu-market-sim with a real sshd
per instance: every CLI line of WORKFLOWS.md Workflows 2 and 3 as written,
--save-key (mode 0600, never over a file), --wait, -g cheapest pick, `ssh ID
--key PATH -- true` through the sim's sshd, and the documented exit codes
(2 usage, 3 unreachable, 4 unknown id, 5 not running)."""
import json
import os
import pty
import re
import socket
import stat
import subprocess
import tempfile
import time
import unittest

from harness import CLI, Daemon, Sim, cli, wait_for

FAST_INVENTORY = "[inventory]\nrefresh_interval = 1s\nretry_backoff = 200ms\nmax_backoff = 3s\n"
VAST_EXTRA = "timeout = 5s\nconnect_timeout = 1s\nmin_reliability = 0\n"
TD_EXTRA = "timeout = 5s\nconnect_timeout = 1s\n"
READY_AFTER_MS = 300
# Short session timings (every one is a [sessions] key) so a test takes seconds.
FAST_SESSIONS = ("[sessions]\nverify_poll_interval = 200ms\nverify_poll_max_interval = 1s\n"
                 "destroy_confirm_interval = 200ms\ndestroy_retry_backoff = 200ms\n"
                 "destroy_max_backoff = 2s\n")
# Provisioning on the sim takes about a second; the service verifies over SSH.
RUNNING_TIMEOUT_S = 90
STOPPED_TIMEOUT_S = 60
KEY_HEADER = "-----BEGIN OPENSSH PRIVATE KEY-----"
SESSION_ID_RE = re.compile(r"\bsess-[a-z0-9]+\b")
TABLE_HEADER_RE = re.compile(r"^ID\s+CONSUMER\s+PROVIDER\s+GPU\s+STATUS\s+EXPIRES\s+COST$", re.M)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def session_of(j):
    return j["session"] if isinstance(j.get("session"), dict) else j


SIM = D = None
SKIP = None
TMP = tempfile.mkdtemp(prefix="gs-cli-sess-")


def start_services():
    """One sim (with a real sshd per instance) and one daemon for the module,
    started by the first class that needs them; SkipTest while the daemon has
    no session API."""
    global SIM, D, SKIP
    if SKIP:
        raise unittest.SkipTest(SKIP)
    if D:
        return
    sim = Sim(offers=60, seed=11, ssh=True, ready_after_ms=READY_AFTER_MS).start()
    d = None
    try:
        ini = FAST_INVENTORY + FAST_SESSIONS + sim.provider_ini(vast_extra=VAST_EXTRA,
                                                                td_extra=TD_EXTRA)
        d = Daemon(extra_ini=ini)
        d.start()
        r = d.get("/api/v1/sessions")
        if r.status == 404 and b"no route" in r.body:
            SKIP = "the session API is not built yet"
            d.stop()
            sim.stop()
            raise unittest.SkipTest(SKIP)

        def listed():
            return d.get("/api/v1/inventory?provider=vastai&limit=1").json().get("total", 0) > 0
        wait_for(listed, timeout=20, what="the first inventory snapshot")
    except unittest.SkipTest:
        raise
    except BaseException:
        if d:
            d.kill()
        sim.kill()
        raise
    SIM, D = sim, d


def tearDownModule():
    if not D:
        return
    rc = D.stop()
    SIM.stop()
    assert rc == 0, "daemon exit status %r\n%s" % (rc, D.log_text())


def gs(*args, env=None, input="", server=None):
    """Run the CLI against the test daemon with stdin a pipe (never a terminal)
    and a private XDG_STATE_HOME (per-session known_hosts files)."""
    e = {"XDG_STATE_HOME": os.path.join(TMP, "state")}
    e.update(env or {})
    return cli(*args, server=server or D.url(""), env=e, input=input)


def run_in_pty(args, answer=None, timeout=120):
    """Run the CLI on a pseudo-terminal (stdin, stdout and stderr are a tty);
    type `answer` once the first output arrived. Returns (exit code, output)."""
    env = dict(os.environ, GPU_SHOPPER_URL=D.url(""), XDG_STATE_HOME=os.path.join(TMP, "state"))
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(CLI, [CLI] + list(args), env)
        finally:
            os._exit(127)
    out = b""
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            out += data
            if answer is not None and b"[y/N]" in out:
                os.write(fd, answer)
                answer = None
    finally:
        os.close(fd)
        if time.time() >= deadline:
            os.kill(pid, 9)
        _, st = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(st), out.decode(errors="replace")


def cheapest(query):
    j = D.get("/api/v1/inventory?sort=price&limit=1&" + query).json()
    assert j["offers"], query
    return j["offers"][0]


def api_session(sid):
    r = D.get("/api/v1/sessions/" + sid)
    assert r.status == 200, (sid, r.status, r.body)
    return session_of(r.json())


def ledger_entry(sid):
    """The sim's ledger entry of the session's instance (label carries the id)."""
    for i in SIM.control("GET", "/ledger")["instances"]:
        if i["label"] and i["label"].endswith(sid):
            return i
    return None


class CliSessionCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        start_services()

    def assertOk(self, r, *args):
        self.assertEqual(r.returncode, 0, "%s\nstdout: %s\nstderr: %s" % (args, r.stdout, r.stderr))

    def provision(self, *args, **kw):
        r = gs("provision", *args, **kw)
        self.assertOk(r, args)
        m = SESSION_ID_RE.search(r.stdout + r.stderr)
        self.assertIsNotNone(m, r.stdout)
        return m.group(0), r

    def status_via_cli(self, sid):
        """`gpu-shopper sessions --id ID` as Workflow 2 step 5 writes it."""
        r = gs("sessions", "--id", sid)
        self.assertOk(r, sid)
        m = re.search(r"^Status\s+(\S+)$", r.stdout, re.M)
        self.assertIsNotNone(m, r.stdout)
        return m.group(1)

    def wait_status(self, sid, want, timeout):
        return wait_for(lambda: self.status_via_cli(sid) in want and self.status_via_cli(sid),
                        timeout=timeout, interval=0.3, what="%s in %s" % (sid, want))

    def wait_destroyed(self, sid):
        self.wait_status(sid, ("stopped",), STOPPED_TIMEOUT_S)
        e = wait_for(lambda: (ledger_entry(sid) or {}).get("destroyed_at_ms") and ledger_entry(sid),
                     timeout=STOPPED_TIMEOUT_S, what="sim destroyed %s" % sid)
        self.assertEqual(e["end_reason"], "destroy")

    def key_file(self, name, text, mode=0o600):
        path = os.path.join(TMP, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path


class TestWorkflows(CliSessionCase):
    def test_workflow2_and_3_as_written(self):
        offer = cheapest("provider=vastai")
        # Workflow 2 step 2, exactly as written (with a real offer id).
        r = gs("provision", "--offer-id", offer["id"], "--consumer-id", "my-app",
               "--workload-type", "llm", "--hours", "2")
        self.assertOk(r)
        sid = SESSION_ID_RE.search(r.stdout).group(0)
        self.assertIn("Session %s created for my-app" % sid, r.stdout)
        self.assertRegex(r.stdout, r"(?m)^Offer\s+%s$" % re.escape(offer["id"]))
        # The key is printed once (stdout), with a warning (stderr) that says so.
        self.assertIn(KEY_HEADER, r.stdout)
        self.assertIn("shown only this once", r.stderr)
        key = r.stdout[r.stdout.index(KEY_HEADER):]
        key = key[:key.index("-----END OPENSSH PRIVATE KEY-----")] + \
            "-----END OPENSSH PRIVATE KEY-----\n"
        self.assertIn("gpu-shopper sessions --id %s" % sid, r.stdout)
        s = api_session(sid)
        self.assertEqual((s["consumer_id"], s["workload_type"], s["reservation_hours"]),
                         ("my-app", "llm", 2))

        # Step 5: poll `gpu-shopper sessions --id ID` until running.
        self.wait_status(sid, ("running",), RUNNING_TIMEOUT_S)
        r = gs("sessions", "--id", sid)
        s = api_session(sid)
        self.assertIn("ssh -i KEY_FILE -p %d %s@%s" % (s["ssh_port"], s["ssh_user"], s["ssh_host"]),
                      r.stdout)
        # Steps 4 and 6: the printed key, saved as the workflow does, logs in.
        path = self.key_file("wf2-key", key)
        p = subprocess.run(["ssh", "-i", path, "-p", str(s["ssh_port"]), "-o", "BatchMode=yes",
                            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                            "%s@%s" % (s["ssh_user"], s["ssh_host"]), "true"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)

        # Workflow 3: `gpu-shopper sessions` lists it.
        r = gs("sessions")
        self.assertOk(r)
        self.assertRegex(r.stdout, TABLE_HEADER_RE)
        row = [ln for ln in r.stdout.splitlines() if ln.startswith(sid)]
        self.assertEqual(len(row), 1, r.stdout)
        self.assertRegex(row[0], r"^%s\s+my-app\s+vastai\s+\d+x .+\s+running\s+\S+\s+\$\d" % sid)
        self.assertRegex(r.stdout, r"\n\d+ of \d+ sessions\n$")
        # `gpu-shopper done ID` ends it; the instance is destroyed at the sim.
        r = gs("done", sid)
        self.assertOk(r)
        self.assertIn("Session %s" % sid, r.stdout)
        self.wait_destroyed(sid)
        r = gs("done", sid)  # repeated: idempotent or a clear refusal, never a crash
        self.assertIn(r.returncode, (0, 1), r.stderr)
        r = gs("sessions", "--id", sid)
        self.assertRegex(r.stdout, r"(?m)^Stopped\s+\d{4}-")

    def test_shutdown_as_written(self):
        sid, _ = self.provision("-i", cheapest("provider=vastai")["id"], "-c", "wf3-shutdown",
                                "-t", "1")
        # `gpu-shopper shutdown ID` as written: stdin is not a terminal here, so it
        # refuses and says to use --force; nothing is destroyed.
        r = gs("shutdown", sid)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("use --force", r.stderr)
        self.assertNotIn(api_session(sid)["status"], ("stopping", "stopped"))
        r = gs("shutdown", sid, "--force")
        self.assertOk(r)
        self.assertIn("Session %s" % sid, r.stdout)
        self.wait_destroyed(sid)


class TestProvision(CliSessionCase):
    def test_save_key_wait_ssh_extend_shutdown(self):
        path = os.path.join(TMP, "saved-key")
        want = cheapest("gpu_type=" + cheapest("provider=vastai")["gpu_type"].replace(" ", "%20"))
        gpu = want["gpu_type"]
        r = gs("provision", "-g", gpu, "-c", "cli-ssh", "-w", "llm", "-t", "2",
               "--save-key", path, "--wait")
        self.assertOk(r)
        sid = SESSION_ID_RE.search(r.stdout).group(0)
        # -g picks the cheapest offer of the type, and says so.
        self.assertIn("Auto-selected offer %s" % want["id"], r.stdout)
        self.assertEqual(api_session(sid)["offer_id"], want["id"])
        # The key: a new file, mode 0600, never on stdout or stderr.
        st = os.stat(path)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        with open(path) as f:
            self.assertTrue(f.read().startswith(KEY_HEADER))
        self.assertNotIn("PRIVATE KEY", r.stdout + r.stderr)
        self.assertEqual([n for n in os.listdir(TMP) if ".tmp-" in n], [])
        self.assertIn("Private key saved to %s (mode 0600)" % path, r.stdout)
        # --wait returned running, and the output says how to connect.
        self.assertEqual(api_session(sid)["status"], "running")
        s = api_session(sid)
        self.assertIn("ssh -i %s -p %d %s@%s" % (path, s["ssh_port"], s["ssh_user"], s["ssh_host"]),
                      r.stdout)
        self.assertIn("gpu-shopper ssh %s --key %s" % (sid, path), r.stdout)
        self.assertIn("%s: running" % sid, r.stderr)  # not a terminal: one line per status

        # ssh through the sim's real sshd.
        r = gs("ssh", sid, "--key", path, "--", "true")
        self.assertOk(r)
        r = gs("ssh", sid, "--key", path, "--", "exit", "7")
        self.assertEqual(r.returncode, 7, r.stderr)
        r = gs("ssh", sid, "--key", path, "--", "nvidia-smi", "-L")
        self.assertOk(r)
        self.assertIn("GPU 0:", r.stdout)
        r = gs("ssh", sid, "--key", path, "--print")
        self.assertOk(r)
        self.assertRegex(r.stdout, r"^ssh -i %s -p %d -o IdentitiesOnly=yes .*%s@%s\n$"
                         % (re.escape(path), s["ssh_port"], s["ssh_user"], s["ssh_host"]))
        # A key readable by others is refused before ssh runs.
        with open(path) as f:
            loose = self.key_file("loose-key", f.read(), mode=0o644)
        r = gs("ssh", sid, "--key", loose, "--", "true")
        self.assertEqual(r.returncode, 2)
        self.assertIn("chmod 600", r.stderr)

        # extend (top level and as a sessions subcommand).
        before = api_session(sid)["expires_at"]
        r = gs("extend", sid, "--hours", "1")
        self.assertOk(r)
        self.assertIn("Session %s extended by 1 hour." % sid, r.stdout)
        self.assertGreater(api_session(sid)["expires_at"], before)
        r = gs("-o", "json", "sessions", "extend", sid, "-t", "1")
        self.assertOk(r)
        self.assertEqual(session_of(json.loads(r.stdout))["id"], sid)

        # shutdown --force, then ssh refuses: the session is not running (exit 5).
        r = gs("shutdown", sid, "--force")
        self.assertOk(r)
        r = gs("ssh", sid, "--key", path, "--", "true")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("ssh needs a running session", r.stderr)
        self.wait_destroyed(sid)

    def test_save_key_refuses_existing_path(self):
        existing = self.key_file("existing-key", "keep me\n")
        dangling = os.path.join(TMP, "dangling-key")
        os.symlink(os.path.join(TMP, "nowhere"), dangling)
        before = len(SIM.control("GET", "/ledger")["instances"])
        for path, msg in ((existing, "already exists"), (dangling, "already exists"),
                          (os.path.join(TMP, "no-dir", "k"), "does not exist")):
            r = gs("provision", "-i", cheapest("provider=vastai")["id"], "-c", "cli-refuse",
                   "--save-key", path)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(msg, r.stderr)
        with open(existing) as f:
            self.assertEqual(f.read(), "keep me\n")
        # Refused before the server was called: no session, no instance.
        j = json.loads(gs("-o", "json", "sessions", "-c", "cli-refuse").stdout)
        self.assertEqual(j["sessions"], [])
        self.assertEqual(len(SIM.control("GET", "/ledger")["instances"]), before)

    def test_json_output_and_idempotency_key(self):
        path = os.path.join(TMP, "json-key")
        offer = cheapest("provider=vastai")["id"]
        args = ("-o", "json", "provision", "-i", offer, "-c", "cli-idem", "-t", "1",
                "--idempotency-key", "cli-idem-1")
        r = gs(*(args + ("--save-key", path)))
        self.assertOk(r)
        j = json.loads(r.stdout)  # stdout is pure JSON
        sid = j["session"]["id"]
        self.assertEqual(j["ssh_private_key_file"], path)
        self.assertNotIn("ssh_private_key", j)
        # The same key again: the same session, never a second instance.
        r = gs(*args)
        self.assertOk(r)
        self.assertEqual(json.loads(r.stdout)["session"]["id"], sid)
        labels = [i for i in SIM.control("GET", "/ledger")["instances"]
                  if i["label"] and i["label"].endswith(sid)]
        self.assertEqual(len(labels), 1)
        r = gs("sessions", "delete", sid, "--force")
        self.assertOk(r)

    def test_wait_exits_5_when_the_session_fails(self):
        SIM.control("POST", "/config", {"ready_after_ms": 600000})
        try:
            proc = subprocess.Popen(
                [CLI, "provision", "-i", cheapest("provider=vastai")["id"], "-c", "cli-fail",
                 "--save-key", os.path.join(TMP, "fail-key"), "--wait"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, env=dict(os.environ, GPU_SHOPPER_URL=D.url("")))

            def created():
                j = D.get("/api/v1/sessions?consumer_id=cli-fail").json()
                return j["sessions"] and j["sessions"][0]
            s = wait_for(created, timeout=30, what="the cli-fail session")
            inst = wait_for(lambda: ledger_entry(s["id"]), timeout=30, what="its instance")
            # The provider reports the instance dead: the session fails.
            SIM.control("POST", "/instances/%s/state" % inst["instance_id"], {"state": "exited"})
            out, err = proc.communicate(timeout=RUNNING_TIMEOUT_S)
        finally:
            SIM.control("POST", "/config", {"ready_after_ms": READY_AFTER_MS})
        self.assertEqual(proc.returncode, 5, out + err)
        self.assertIn("did not become running", out)
        self.assertEqual(api_session(s["id"])["status"], "failed")

    def test_terminal_progress_and_confirmation(self):
        # --wait on a terminal: one progress line rewritten with "\r".
        path = os.path.join(TMP, "tty-key")
        rc, out = run_in_pty(["provision", "-i", cheapest("provider=vastai")["id"], "-c",
                              "cli-tty", "-t", "1", "--save-key", path, "--wait"])
        self.assertEqual(rc, 0, out)
        sid = SESSION_ID_RE.search(out).group(0)
        self.assertRegex(out, r"\rwaiting for %s: running \(\d+s\)" % sid)
        self.assertIn("Session %s is running." % sid, out)
        # shutdown on a terminal asks first: "no" changes nothing (exit 6) ...
        rc, out = run_in_pty(["shutdown", sid], answer=b"no\n")
        self.assertEqual(rc, 6, out)
        self.assertIn("Destroy session %s" % sid, out)
        self.assertIn("Aborted", out)
        self.assertEqual(api_session(sid)["status"], "running")
        # ... "yes" destroys it.
        rc, out = run_in_pty(["shutdown", sid], answer=b"yes\n")
        self.assertEqual(rc, 0, out)
        self.wait_destroyed(sid)


class TestSessionsCommand(CliSessionCase):
    def test_list_filters_json_and_get(self):
        sid, _ = self.provision("-i", cheapest("provider=vastai")["id"], "-c", "cli-list", "-t",
                                "1")
        r = gs("-o", "json", "sessions", "-c", "cli-list")
        self.assertOk(r)
        j = json.loads(r.stdout)
        self.assertEqual([s["id"] for s in j["sessions"]], [sid])
        r = gs("sessions", "list", "--consumer-id", "cli-list", "-p", "vastai", "--limit", "5")
        self.assertOk(r)
        self.assertRegex(r.stdout, TABLE_HEADER_RE)
        self.assertIn(sid, r.stdout)
        self.assertIn("1 of 1 sessions", r.stdout)
        r = gs("sessions", "-c", "cli-list", "--status", "stopped")
        self.assertOk(r)
        self.assertEqual(r.stdout, "No sessions found.\n")
        r = gs("sessions", "--status", "bogus")  # the server rejects it (400)
        self.assertEqual(r.returncode, 1, r.stderr)
        r = gs("sessions", "get", sid)
        self.assertOk(r)
        self.assertRegex(r.stdout, r"(?m)^ID\s+%s$" % sid)
        self.assertRegex(r.stdout, r"(?m)^Consumer\s+cli-list$")
        r = gs("-o", "json", "sessions", "--id", sid)
        self.assertEqual(session_of(json.loads(r.stdout))["id"], sid)
        r = gs("sessions", "done", sid)
        self.assertOk(r)
        self.wait_destroyed(sid)

    def test_unknown_id_exits_4(self):
        key = self.key_file("any-key", "x\n")
        for args in (("sessions", "--id", "sess-doesnotexist"), ("sessions", "get", "sess-nope"),
                     ("done", "sess-nope"), ("sessions", "done", "sess-nope"),
                     ("extend", "sess-nope", "--hours", "1"), ("shutdown", "sess-nope", "--force"),
                     ("sessions", "delete", "sess-nope", "-f"),
                     ("ssh", "sess-nope", "--key", key, "--", "true")):
            r = gs(*args)
            self.assertEqual(r.returncode, 4, "%s: %s" % (args, r.stderr))
            self.assertIn("404", r.stderr)

    def test_provision_unknown_offer_and_gpu(self):
        r = gs("provision", "-i", "vastai-999999999", "-c", "cli-404")
        self.assertEqual(r.returncode, 4, r.stderr)
        r = gs("provision", "-g", "NoSuchGPU 9000", "-c", "cli-404")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("no offer matches --gpu-type", r.stderr)


class TestCommandLine(unittest.TestCase):
    """Usage, help and transport errors need no session API: the server is a
    closed port, so exit 2 proves nothing was sent."""

    @classmethod
    def setUpClass(cls):
        cls.dead = "http://127.0.0.1:%d" % free_port()
        cls.tmp = tempfile.mkdtemp(prefix="gs-cli-usage-")

    def run_cli(self, *args):
        return cli(*args, server=self.dead, input="")

    def test_help_everywhere(self):
        for args in (["provision", "--help"], ["sessions", "--help"], ["sessions", "-h"],
                     ["sessions", "list", "--help"], ["sessions", "get", "--help"],
                     ["sessions", "done", "--help"], ["sessions", "extend", "--help"],
                     ["sessions", "delete", "--help"], ["done", "--help"], ["extend", "-h"],
                     ["shutdown", "--help"], ["ssh", "--help"]):
            r = self.run_cli(*args)
            self.assertEqual(r.returncode, 0, args)
            self.assertTrue(r.stdout.startswith("Usage: gpu-shopper"), args)
        r = self.run_cli("--help")
        for c in ("provision", "sessions", "done", "extend", "shutdown", "ssh"):
            self.assertRegex(r.stdout, r"(?m)^  %s\s" % c)

    def test_usage_errors_exit_2(self):
        existing = os.path.join(self.tmp, "exists")
        open(existing, "w").close()
        cases = [
            (["provision", "-i", "vastai-1"], "--consumer-id is required"),
            (["provision", "-c", "my-app"], "either --offer-id or --gpu-type"),
            (["provision", "-c", "my-app", "-i", "x", "-g", "y"], "not both"),
            (["provision", "-c", "bad id", "-i", "x"], "is not 1-128 characters"),
            (["provision", "-c", "a", "-i", "x", "--hours", "0"], "--hours needs an integer"),
            (["provision", "-c", "a", "-i", "x", "-t", "two"], "--hours needs an integer"),
            (["provision", "-c", "a", "-i", "x", "--storage", "keep"], "destroy or preserve"),
            (["provision", "-c", "a", "-i", "x", "--disk", "-5"], "--disk needs an integer"),
            (["provision", "-c", "a", "-i", "x", "--idle-timeout", "x"], "--idle-timeout"),
            (["provision", "-c", "a", "-i", "x", "--idempotency-key", "a b"], "printable"),
            (["provision", "-c", "a", "-i", "x", "--frobnicate"], "unknown option"),
            (["provision", "-c", "a", "-i", "x", "--save-key", existing], "already exists"),
            (["sessions", "--limit", "-1"], "--limit"),
            (["sessions", "--id", "sess-a", "-c", "x"], "no filters"),
            (["sessions", "sess-abc"], "sessions --id sess-abc"),
            (["sessions", "get"], "needs a session ID"),
            (["sessions", "get", "a", "b"], "unexpected argument"),
            (["done"], "needs a session ID"),
            (["extend", "sess-a"], "--hours N is required"),
            (["extend", "sess-a", "--hours", "0"], "--hours needs an integer"),
            (["shutdown", "sess-a"], "use --force"),
            (["sessions", "delete", "sess-a"], "use --force"),
            (["ssh", "sess-a"], "--key PATH is required"),
            (["ssh", "--key", existing], "exactly one session ID"),
        ]
        for args, msg in cases:
            r = self.run_cli(*args)
            self.assertEqual(r.returncode, 2, "%s: %s" % (args, r.stderr))
            self.assertIn(msg, r.stderr, args)

    def test_unreachable_server_exits_3(self):
        tmp = tempfile.mkdtemp(prefix="gs-cli-unreach-")
        key = os.path.join(tmp, "key")
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        saved = os.path.join(tmp, "never-written")
        for args in (["provision", "-i", "vastai-1", "-c", "a"],
                     ["provision", "-g", "RTX 4090", "-c", "a", "--save-key", saved],
                     ["sessions"], ["sessions", "--id", "sess-a"], ["done", "sess-a"],
                     ["extend", "sess-a", "--hours", "1"], ["shutdown", "sess-a", "--force"],
                     ["ssh", "sess-a", "--key", key]):
            r = self.run_cli(*args)
            self.assertEqual(r.returncode, 3, args)
            self.assertIn("cannot reach the server at %s" % self.dead, r.stderr)
        # The reserved temporary key file is removed again; nothing was saved.
        self.assertEqual(os.listdir(tmp), ["key"])


if __name__ == "__main__":
    unittest.main()
