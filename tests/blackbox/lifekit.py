"""Shared helpers of the lifecycle black-box tests (test_lifecycle.py,
test_crash.py) and of the soak (scripts/soak.sh): a simulator with real SSH,
a daemon whose lifecycle timers are shrunk to fractions of a second, session
helpers, direct reads/writes of the daemon's SQLite file (to move a
session's clock, never to fix state), and the zero-orphan invariant check.

Not a test module itself (the ctest glob only picks test_*.py)."""
import json
import os
import random
import signal
import sqlite3
import threading
import time

from harness import Daemon, Sim, http, wait_for

HAVE_SSH = os.access("/usr/sbin/sshd", os.X_OK) and os.access("/usr/bin/ssh", os.X_OK)
VALGRIND = bool(os.environ.get("GS_VALGRIND"))
# Under valgrind the daemon runs ~20x slower: every timer and every timing
# assertion of these tests is stretched by SLOW.
SLOW = 6 if VALGRIND else 1


def dur(ms):
    """A config duration of ms milliseconds, stretched under valgrind."""
    return "%dms" % (ms * SLOW)


FAST_INVENTORY = "[inventory]\nrefresh_interval = 1s\nretry_backoff = 200ms\nmax_backoff = 2s\n"
FAST_SESSIONS = ("[sessions]\nverify_timeout = %s\nverify_poll_interval = 100ms\n"
                 "verify_poll_max_interval = 300ms\nssh_probe_timeout = %s\n"
                 "destroy_confirm_interval = 150ms\ndestroy_retry_backoff = 100ms\n"
                 "destroy_max_backoff = 800ms\nworkers = 8\n" % (dur(30000), dur(5000)))
LIFECYCLE = {
    "tick_interval": "100ms",
    "reconcile_interval": dur(700),
    "orphan_grace": dur(1000),
    "ghost_confirm_interval": dur(300),
    "idle_probe_interval": dur(250),
    "idle_unit": dur(500),
    "provisioning_timeout": dur(45000),
}
VAST_EXTRA = ("timeout = 5s\nconnect_timeout = 2s\nmin_reliability = 0\n"
              "max_response_bytes = 8388608\n")
TD_EXTRA = "timeout = 5s\nconnect_timeout = 2s\nmax_response_bytes = 8388608\n"
SIM_NAME = {"vastai": "vast", "tensordock": "td"}
ACTIVE = ("pending", "provisioning", "running")
SETTLED = ("running", "stopped", "failed")


def lifecycle_ini(**over):
    keys = dict(LIFECYCLE, **over)
    return "[lifecycle]\n" + "".join("%s = %s\n" % kv for kv in keys.items() if kv[1] is not None)


class Stack:
    """One simulator (real sshd per instance) and one daemon on it, which can
    be killed and restarted on the same data directory."""

    def __init__(self, seed=21, offers=400, ready_after_ms=250, lifecycle=None, extra=""):
        self.sim = Sim(offers=offers, seed=seed, ssh=True, ready_after_ms=ready_after_ms).start()
        try:
            ini = (FAST_INVENTORY + FAST_SESSIONS + lifecycle_ini(**(lifecycle or {})) + extra +
                   self.sim.provider_ini(vast_extra=VAST_EXTRA, td_extra=TD_EXTRA))
            self.d = Daemon(extra_ini=ini)
            self.start()
            wait_for(lambda: all(i["last_success"] for i in self.d.get("/health").json()
                                 ["components"]["providers"]["instances"].values()),
                     timeout=20, what="first inventory snapshots")
            self.deployment = self.d.get("/health").json()["deployment_id"]
        except BaseException:
            self.d.kill()
            self.sim.kill()
            raise
        self.used = set()
        self.rng = random.Random(seed)

    def start(self, env=None, wait_ready=True):
        self.d.start(env=env, wait_ready=wait_ready)
        return self

    def kill9(self):
        """kill -9 the daemon (no-op when it already died) and reap it."""
        p = self.d.proc
        if p and p.poll() is None:
            p.send_signal(signal.SIGKILL)
        if p:
            p.wait()
            self.d.log.close()
        return p.returncode if p else None

    def close(self):
        rc = self.d.stop()
        self.sim.stop()
        return rc

    # -- sessions ------------------------------------------------------------

    def offers(self, provider=None):
        q = "?limit=1000" + ("&provider=%s" % provider if provider else "")
        r = self.d.get("/api/v1/inventory" + q)
        assert r.status == 200, r.body
        return r.json()["offers"]

    def fresh_offer(self, provider=None):
        provider = provider or self.rng.choice(("vastai", "tensordock"))
        # After a restart the inventory is empty until the first listing.
        wait_for(lambda: self.offers(provider), timeout=20, what="offers of " + provider)
        for o in self.offers(provider):
            if o["id"] not in self.used and o["available"]:
                self.used.add(o["id"])
                return o
        raise AssertionError("no unused offer left at %s" % provider)

    def provision(self, consumer="life", hours=2, provider=None, offer=None, timeout=30, **extra):
        offer = offer or self.fresh_offer(provider)
        body = dict(consumer_id=consumer, offer_id=offer["id"], workload_type="llm",
                    reservation_hours=hours, **extra)
        return http("POST", self.d.url("/api/v1/sessions"), body=body, timeout=timeout)

    def provision_running(self, **kw):
        r = self.provision(**kw)
        assert r.status == 201, r.body[:500]
        sid = r.json()["session"]["id"]
        return self.wait_status(sid, "running")

    def session(self, sid):
        r = self.d.get("/api/v1/sessions/" + sid)
        assert r.status == 200, r.body
        return r.json()

    def wait_status(self, sid, want, timeout=30):
        want = (want,) if isinstance(want, str) else tuple(want)
        return wait_for(lambda: (lambda s: s if s["status"] in want else None)(self.session(sid)),
                        timeout=timeout, interval=0.05, what="%s to be %s" % (sid, want))

    def all_sessions(self):
        out, offset = [], 0
        while True:
            r = self.d.get("/api/v1/sessions?limit=1000&offset=%d" % offset)
            assert r.status == 200, r.body
            page = r.json()["sessions"]
            out += page
            offset += len(page)
            if len(page) < 1000:
                return out

    def label(self, sid):
        return "gs-%s-%s" % (self.deployment, sid)

    # -- the simulator -------------------------------------------------------

    def ledger(self):
        return self.sim.control("GET", "/ledger")["instances"]

    def alive(self):
        return [i for i in self.ledger() if i["destroyed_at_ms"] is None]

    def ours_alive(self):
        prefix = "gs-%s-" % self.deployment
        return [i for i in self.alive() if (i.get("label") or "").startswith(prefix)]

    def instance(self, instance_id):
        for i in self.sim.control("GET", "/instances")["instances"]:
            if str(i["instance_id"]) == str(instance_id):
                return i
        return None

    # -- the database (to move clocks only) ----------------------------------

    def db(self):
        return sqlite3.connect(os.path.join(self.d.data, "gpu-shopper.db"), timeout=10)

    def db_set(self, sid, **cols):
        with self.db() as c:
            c.execute("UPDATE sessions SET %s WHERE id = ?" % ", ".join("%s = ?" % k for k in cols),
                      list(cols.values()) + [sid])

    # -- the invariant -------------------------------------------------------

    def problems(self):
        """Everything that breaks the zero-orphan promise right now: an
        instance with our label not tied to a running session, a running
        session without its instance, a stopped/failed session whose
        instance lives, and sessions not in a settled state."""
        sessions = {s["id"]: s for s in self.all_sessions()}
        bad = []
        alive = self.ours_alive()
        alive_ids = {(SIM_NAME_REV[i["provider"]], str(i["instance_id"])) for i in alive}
        prefix = "gs-%s-" % self.deployment
        for i in alive:
            sid = i["label"][len(prefix):]
            s = sessions.get(sid)
            if not s or s["status"] != "running" or s["provider_instance_id"] != str(
                    i["instance_id"]):
                bad.append("instance %s (%s) alive, session %s" % (
                    i["instance_id"], i["label"], s and (s["status"], s["provider_instance_id"])))
        for s in sessions.values():
            if s["status"] not in SETTLED:
                bad.append("session %s is %s (%s)" % (s["id"], s["status"], s["status_reason"]))
            elif s["status"] == "running" and (s["provider"], s["provider_instance_id"]) \
                    not in alive_ids:
                bad.append("running session %s has no live instance %s" % (
                    s["id"], s["provider_instance_id"]))
        return bad

    def settle(self, timeout=20):
        """Wait until the invariant holds; returns the settle time or fails
        with what is still wrong."""
        t0 = time.time()
        last = []
        deadline = t0 + timeout * SLOW
        while time.time() < deadline:
            last = self.problems()
            if not last:
                return time.time() - t0
            time.sleep(0.1)
        raise AssertionError("zero-orphan invariant still broken after %.0fs:\n  %s\n%s" % (
            timeout, "\n  ".join(last), self.d.log_text()[-6000:]))


SIM_NAME_REV = {"vast": "vastai", "td": "tensordock"}


# ---------------------------------------------------------------------------
# Randomized kill -9 points.

# Named crash points (core/crash_point.h), with what must happen to reach them.
PROVISION_POINTS = ("provision.before_create", "provision.after_create",
                    "provision.after_record", "verify.before_running")
DESTROY_POINTS = ("destroy.before_call", "destroy.after_call", "destroy.before_final")


class Workload:
    """Concurrent clients: provisions, then done/DELETE of running sessions,
    until stopped or the daemon dies."""

    def __init__(self, stack, clients=3, seed=0):
        self.stack = stack
        self.rng = random.Random(seed)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True)
                        for n in range(clients)]

    def run(self, n):
        st = self.stack
        consumer = "soak-%d" % n
        while not self.stop.is_set():
            try:
                mine = [s for s in st.all_sessions() if s["consumer_id"] == consumer and
                        s["status"] in ACTIVE + ("stopping",)]
                running = [s for s in mine if s["status"] == "running"]
                if len(mine) < 2:
                    offers = [o for o in st.offers() if o["available"]]
                    st.provision(consumer=consumer, offer=self.rng.choice(offers), timeout=10)
                elif running:
                    s = self.rng.choice(running)
                    if self.rng.random() < 0.5:
                        st.d.post("/api/v1/sessions/%s/done" % s["id"], timeout=10)
                    else:
                        st.d.delete("/api/v1/sessions/" + s["id"], timeout=10)
                time.sleep(self.rng.uniform(0.0, 0.2))
            except Exception:  # the daemon was killed under us
                time.sleep(0.05)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)


def random_crash(stack, rng, log=None):
    """One randomized kill -9 point: either a named crash point reached on its
    n-th hit under a concurrent workload, or a kill at a random moment of the
    workload. Then restart, settle and check the invariant. Returns a short
    description of the point. The daemon may be running or not on entry; it
    is running and settled on return."""
    if stack.d.proc and stack.d.proc.poll() is None:
        stop_for_restart(stack)
    fault = rng.random()
    if fault < 0.25:
        # Destroys fail a few times: kills land in the middle of the backoff.
        stack.sim.fault("destroy_fail", route="destroy", count=rng.randint(1, 3))
    elif fault < 0.45:
        # Slow creates: kills land while the provider is creating, and the
        # instance appears after the daemon died (an orphan for the reaper).
        stack.sim.fault("delay", route="create", ms=rng.randint(200, 1500))
    if rng.random() < 0.5:
        point = rng.choice(PROVISION_POINTS + DESTROY_POINTS)
        hit = rng.randint(1, 3)
        what = "%s:%d" % (point, hit)
        stack.start(env={"GS_TEST_CRASH_AT": what})
        with Workload(stack, seed=rng.randrange(1 << 30)):
            deadline = time.time() + 8 * SLOW
            while stack.d.proc.poll() is None and time.time() < deadline:
                time.sleep(0.02)
        if stack.d.proc.poll() is None:
            what += " (not reached: killed at 8 s)"
    else:
        delay = rng.uniform(0.05, 2.5) * SLOW
        what = "random kill at %.2fs" % delay
        stack.start()
        with Workload(stack, seed=rng.randrange(1 << 30)):
            time.sleep(delay)
            stack.kill9()
    stack.kill9()
    stack.sim.clear_faults()
    stack.start()
    took = stack.settle()
    if log:
        log("%-48s settled in %.1fs" % (what, took))
    # Leave room for the next round: end most running sessions.
    for s in stack.all_sessions():
        if s["status"] == "running" and rng.random() < 0.7:
            stack.d.post("/api/v1/sessions/%s/done" % s["id"])
    stack.settle()
    return what


def stop_for_restart(stack):
    """A graceful stop between points (never destroys an instance)."""
    rc = stack.d.stop()
    assert rc == 0, rc
