#!/usr/bin/env python3
"""Smoke test for gpu-market-sim (python3 stdlib only).

Usage: test_sim.py [path/to/gpu-market-sim]   (default: $GS_SIM_BIN, then build*/bin/)

Starts the simulator on an ephemeral port and exercises both provider dialects, the real SSH
endpoints with the fake nvidia-smi, the ledger and fault injection. Exit status 0 = all passed.
SSH checks are skipped (not failed) when /usr/sbin/sshd or ssh/ssh-keygen are missing.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

VAST_KEY = "smoke-vast-key"
TD_AUTH = "smoke-td-auth"
TD_TOKEN = "smoke-td-token"
SEED = 42
OFFERS = 400
READY_MS = 300

failures = []
passes = 0


def check(cond, what, detail=""):
    global passes
    if cond:
        passes += 1
        print("PASS", what)
    else:
        failures.append(what)
        print("FAIL", what, detail)


def find_binary():
    if len(sys.argv) > 1:
        return sys.argv[1]
    if os.environ.get("GS_SIM_BIN"):
        return os.environ["GS_SIM_BIN"]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for d in sorted(os.listdir(root)):
        cand = os.path.join(root, d, "bin", "gpu-market-sim")
        if d.startswith("build") and os.access(cand, os.X_OK):
            return cand
    sys.exit("gpu-market-sim binary not found; pass its path")


class Sim:
    def __init__(self, binary, *extra):
        args = [binary, "--port", "0", "--offers", str(OFFERS), "--seed", str(SEED),
                "--vast-key", VAST_KEY, "--td-auth-id", TD_AUTH, "--td-token", TD_TOKEN,
                "--ready-after-ms", str(READY_MS)] + list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        prefix = "listening on 127.0.0.1:"
        if not line.startswith(prefix):
            self.proc.kill()
            sys.exit("unexpected first line %r; stderr: %s" % (line, self.proc.stderr.read()))
        self.port = int(line[len(prefix):])
        self.base = "http://127.0.0.1:%d" % self.port

    def req(self, method, path, body=None, headers=None, timeout=30, raw=False):
        data = None
        hdrs = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        r = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(r, timeout=timeout) as resp:
                status, rh, payload = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, rh, payload = e.code, e.headers, e.read()
        if raw:
            return status, rh, payload
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = None
        return status, rh, parsed

    def vast(self, method, path, body=None, key=VAST_KEY, **kw):
        return self.req(method, "/vast/api/v0" + path, body,
                        {"Authorization": "Bearer " + key, "Accept": "application/json"}, **kw)

    def td(self, method, path, body=None, token=TD_TOKEN, **kw):
        return self.req(method, "/td/api/v2" + path, body,
                        {"Authorization": "Bearer " + token, "Accept": "application/json"}, **kw)

    def td_locations(self, auth=TD_AUTH, token=TD_TOKEN, **kw):
        q = urllib.parse.urlencode({"api_key": auth, "api_token": token})
        return self.req("GET", "/td/api/v2/locations?" + q,
                        headers={"Accept": "application/json"}, **kw)

    def ctl(self, method, path, body=None):
        return self.req(method, "/_sim" + path, body)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode


def vast_query(q):
    return "/bundles/?q=" + urllib.parse.quote_plus(json.dumps(q, sort_keys=True))


def keygen(tmp, name):
    path = os.path.join(tmp, name)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path, "-C",
                    "smoke@" + name], check=True)
    with open(path + ".pub") as f:
        return path, f.read().strip()


def ssh_run(keyfile, port, user, command):
    r = subprocess.run(["ssh", "-i", keyfile, "-p", str(port), "-o", "StrictHostKeyChecking=no",
                        "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                        "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
                        "%s@127.0.0.1" % user, command],
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def wait_for(fn, timeout=15.0, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return None


def td_create_body(loc, v0, key, name):
    esc = key.replace("'", "'\\''")
    runcmd = ["mkdir -p /root/.ssh", "chmod 700 /root/.ssh",
              "echo '%s' > /root/.ssh/authorized_keys" % esc,
              "chmod 600 /root/.ssh/authorized_keys"]
    return {"data": {"type": "virtualmachine", "attributes": {
        "name": name, "type": "virtualmachine", "image": "ubuntu2204", "location_id": loc,
        "resources": {"vcpu_count": 8, "ram_gb": 32, "storage_gb": 100,
                      "gpus": {v0: {"count": 1}}},
        "useDedicatedIp": True, "ssh_key": key, "cloud_init": {"runcmd": runcmd}}}}


def main():
    binary = find_binary()
    have_ssh = (os.access("/usr/sbin/sshd", os.X_OK) and shutil.which("ssh")
                and shutil.which("ssh-keygen"))
    tmp = tempfile.mkdtemp(prefix="gs-sim-smoke.")
    sim = Sim(binary, *([] if have_ssh else ["--no-ssh"]))
    try:
        run(sim, tmp, have_ssh, binary)
    finally:
        rc = sim.stop()
        check(rc == 0, "clean exit on SIGTERM", "rc=%s" % rc)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passes, len(failures)))
    if failures:
        print("failed:", ", ".join(failures))
    return 1 if failures else 0


def run(sim, tmp, have_ssh, binary):
    # ---- listings, both providers ----
    st, _, body = sim.vast("GET", "/bundles/")
    offers = body["offers"] if st == 200 else []
    check(st == 200 and len(offers) == OFFERS // 2, "vast list_offers", (st, len(offers)))
    o = offers[0] if offers else {}
    check(isinstance(o.get("id"), int) and isinstance(o.get("cuda_max_good"), float)
          and o.get("rentable") is True and o.get("rented") is False
          and isinstance(o.get("gpu_ram"), int), "vast offer field types")
    st, _, locs = sim.td_locations()
    locations = locs["data"]["locations"] if st == 200 else []
    n_td = sum(len(l["gpus"]) for l in locations)
    check(st == 200 and n_td == OFFERS // 2, "td list_offers (/locations)", (st, n_td))
    check(all(len(l["id"]) == 36 for l in locations), "td location ids are UUIDs")

    # ---- q= filter honours the contract keys, ignores unknown ones ----
    q = {"rentable": {"eq": True}, "type": "on-demand", "reliability2": {"gte": 0.95},
         "gpu_ram": {"gte": 24 * 1024}, "dph_total": {"lte": 2.0},
         "cuda_max_good": {"gte": 12.4}, "no_such_key": {"eq": 1}}
    st, _, body = sim.vast("GET", vast_query(q))
    expect = [x["id"] for x in offers if x["reliability2"] >= 0.95 and x["gpu_ram"] >= 24576
              and x["dph_total"] <= 2.0 and x["cuda_max_good"] >= 12.4]
    got = [x["id"] for x in body["offers"]] if st == 200 else None
    check(got == expect and len(expect) > 0, "vast q filter (gte/lte/eq, unknown key ignored)",
          (len(expect), got and len(got)))
    name = offers[0]["gpu_name"]
    st, _, body = sim.vast("GET", vast_query({"gpu_name": {"eq": name}}))
    check(st == 200 and body["offers"] and all(
        x["gpu_name"].replace("_", " ").lower() == name.replace("_", " ").lower()
        for x in body["offers"]), "vast q gpu_name eq")
    cc = offers[0]["geolocation"].split(", ")[-1]
    st, _, body = sim.vast("GET", vast_query({"geolocation": {"in": [cc]}}))
    check(st == 200 and body["offers"] and all(x["geolocation"].endswith(cc)
                                               for x in body["offers"]), "vast q geolocation in")
    st, _, body = sim.vast("GET", "/bundles/?q=%7Bnot-json")
    check(st == 400, "vast q malformed -> 400", st)

    # ---- determinism ----
    other = Sim(binary, "--no-ssh")
    try:
        a = sim.vast("GET", "/bundles/", raw=True)[2]
        b = other.vast("GET", "/bundles/", raw=True)[2]
        c = sim.td_locations(raw=True)[2]
        d = other.td_locations(raw=True)[2]
        check(a == b and c == d, "same seed -> identical catalogue")
    finally:
        other.stop()

    # ---- credentials ----
    st, _, body = sim.vast("GET", "/bundles/", key="wrong")
    check(st == 401 and body and body.get("success") is False, "vast wrong key -> 401", st)
    st, _, _ = sim.req("GET", "/vast/api/v0/bundles/")
    check(st == 401, "vast missing key -> 401", st)
    st, _, body = sim.td_locations(token="wrong")
    check(st == 401 and body == {"error": "Invalid API credentials"}, "td wrong token -> 401")
    st, _, _ = sim.td("GET", "/instances", token="wrong")
    check(st == 401, "td /instances wrong bearer -> 401", st)
    st, _, _ = sim.req("GET", "/vast/api/v0/bundles", headers={"Authorization": "Bearer " +
                                                                VAST_KEY})
    check(st == 404, "vast path without trailing slash -> 404", st)

    # ---- create on each provider ----
    if have_ssh:
        vkey_file, vkey = keygen(tmp, "vast")
        tkey_file, tkey = keygen(tmp, "td")
    else:
        vkey_file = tkey_file = None
        vkey = tkey = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBogusBogusBogusBogus"
                       "BogusBogusBogusBogus x")
    vo = offers[1]
    st, _, body = sim.vast("PUT", "/asks/%d/" % vo["id"], {
        "client_id": "me", "image": "nvidia/cuda:12.6.3-runtime-ubuntu22.04", "disk": 50,
        "label": "shopper-smoke-v", "runtype": "ssh_proxy", "ssh_key": vkey})
    check(st == 200 and body.get("success") is True and isinstance(body.get("new_contract"), int),
          "vast create", (st, body))
    vid = body["new_contract"]
    st, _, _ = sim.vast("POST", "/instances/%d/ssh/" % vid, {"ssh_key": vkey})
    check(st == 200, "vast attach ssh key", st)
    st, _, body = sim.vast("GET", "/bundles/")
    check(all(x["id"] != vo["id"] for x in body["offers"]), "rented vast offer leaves listing")
    st, _, body = sim.vast("PUT", "/asks/%d/" % vo["id"], {"client_id": "me", "label": "x"})
    check(st == 400 and "no_such_ask" in json.dumps(body), "vast create on rented offer -> "
          "400 no_such_ask", (st, body))
    st, _, body = sim.vast("GET", "/instances/%d/" % vid)
    check(st == 200 and body["instances"]["actual_status"] == "loading", "vast status loading")

    loc = locations[0]
    v0 = loc["gpus"][0]["v0Name"]
    st, _, body = sim.td("POST", "/instances", td_create_body(loc["id"], v0, tkey,
                                                               "shopper-smoke-t"))
    tid = body["data"]["id"] if st == 200 and body and "data" in body else None
    check(tid is not None and len(tid) == 36, "td create", (st, body))
    st, _, body = sim.td("POST", "/instances", td_create_body(loc["id"], v0, tkey, "shopper-x"))
    check(st == 200 and body.get("status") == 400 and "No available nodes" in body.get("error"),
          "td create on rented offer -> 200 with error body", (st, body))
    st, _, body = sim.td("POST", "/instances", {"data": {"attributes": {"name": ""}}})
    check(st == 400 and isinstance(body, list) and body[0].get("path"),
          "td validation -> 400 array", (st, body))

    # ---- running ----
    def vast_running():
        s, _, b = sim.vast("GET", "/instances/%d/" % vid)
        i = b["instances"] if s == 200 else None
        return i if i and i["actual_status"] == "running" else None

    def td_running():
        s, _, b = sim.td("GET", "/instances/" + tid)
        return b if s == 200 and b["status"] == "running" else None

    vi = wait_for(vast_running)
    ti = wait_for(td_running)
    check(vi is not None and vi["ssh_host"] == "127.0.0.1", "vast reaches running")
    check(ti is not None and ti["ipAddress"] == "127.0.0.1", "td reaches running")
    st, _, body = sim.vast("GET", "/instances/")
    check(st == 200 and any(x["label"] == "shopper-smoke-v" for x in body["instances"]),
          "vast list carries label")
    st, _, body = sim.td("GET", "/instances")
    check(st == 200 and any(x["name"] == "shopper-smoke-t" for x in body["data"]),
          "td list carries name")

    # ---- SSH + fake nvidia-smi ----
    st, _, _ = sim.ctl("POST", "/instances/%d/util" % vid, {"gpu_util": 37})
    st2, _, _ = sim.ctl("POST", "/instances/%s/util" % tid, {"gpu_util": 81})
    check(st == 200 and st2 == 200, "control util")
    if have_ssh and vi and ti:
        cmd = "nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits"
        rc, out, err = ssh_run(vkey_file, vi["ssh_port"], vi.get("ssh_user", "root"), cmd)
        lines = out.split()
        check(rc == 0 and lines and all(x == "37" for x in lines)
              and len(lines) == vi["num_gpus"], "vast ssh nvidia-smi reports util", (rc, out, err))
        port = [p["external_port"] for p in ti["portForwards"] if p["internal_port"] == 22][0]
        rc, out, err = ssh_run(tkey_file, port, ti.get("ssh_user", "root"), cmd)
        check(rc == 0 and out.split() == ["81"], "td ssh nvidia-smi reports util (runcmd key)",
              (rc, out, err))
        rc, out, err = ssh_run(tkey_file, vi["ssh_port"], vi.get("ssh_user", "root"), "true")
        check(rc != 0, "vast sshd refuses a key not passed at create", rc)
    else:
        print("SKIP ssh checks (no sshd/ssh)")

    # ---- faults ----
    st, _, body = sim.ctl("POST", "/faults", {"provider": "vast", "route": "list_offers",
                                              "kind": "status", "status": 429,
                                              "retry_after": 3, "count": 1})
    check(st == 200, "add 429 fault", body)
    st, hdrs, body = sim.vast("GET", "/bundles/")
    check(st == 429 and hdrs.get("Retry-After") == "3", "vast 429 with Retry-After",
          (st, dict(hdrs)))
    st, _, _ = sim.vast("GET", "/bundles/")
    check(st == 200, "fault count exhausted -> 200", st)
    sim.ctl("POST", "/faults", {"provider": "td", "route": "list_offers", "kind": "status",
                                "status": 503, "count": 1})
    st, _, _ = sim.td_locations()
    check(st == 503, "td 5xx fault", st)

    target = offers[2]
    sim.ctl("POST", "/faults", {"provider": "*", "kind": "stale", "count": 2})
    st, _, body = sim.vast("PUT", "/asks/%d/" % target["id"], {"client_id": "me", "label": "x"})
    check(st == 400 and "no_such_ask" in body.get("msg", ""), "injected vast stale", (st, body))
    st, _, body = sim.td("POST", "/instances", td_create_body(loc["id"], loc["gpus"][1]["v0Name"],
                                                               tkey, "shopper-z"))
    check(st == 200 and body.get("status") == 400, "injected td stale", (st, body))

    sim.ctl("POST", "/faults", {"provider": "vast", "route": "get", "kind": "malformed",
                                "count": 1})
    st, _, raw = sim.vast("GET", "/instances/%d/" % vid, raw=True)
    try:
        json.loads(raw)
        ok = False
    except ValueError:
        ok = True
    check(st == 200 and ok, "malformed body", raw[:60])
    sim.ctl("POST", "/faults", {"provider": "td", "route": "get", "kind": "wrong_types",
                                "count": 1})
    st, _, body = sim.td("GET", "/instances/" + tid)
    check(st == 200 and isinstance(body.get("id"), int), "wrong_types body", body)
    sim.ctl("POST", "/faults", {"provider": "vast", "route": "list", "kind": "huge",
                                "bytes": 3 * 1024 * 1024, "count": 1})
    st, _, raw = sim.vast("GET", "/instances/", raw=True)
    check(st == 200 and len(raw) > 3 * 1024 * 1024, "huge body", len(raw))
    sim.ctl("POST", "/faults", {"provider": "td", "route": "list", "kind": "delay", "ms": 400,
                                "count": 1})
    t0 = time.time()
    st, _, _ = sim.td("GET", "/instances")
    check(st == 200 and time.time() - t0 >= 0.38, "delay fault", time.time() - t0)
    sim.ctl("POST", "/faults", {"provider": "vast", "route": "balance", "kind": "hang"})
    t0 = time.time()
    try:
        sim.vast("GET", "/users/current/", timeout=0.5)
        hung = False
    except Exception:
        hung = True
    check(hung, "hang fault holds the request")
    sim.ctl("DELETE", "/faults")
    st, _, body = sim.vast("GET", "/users/current/", timeout=5)
    check(st == 200 and "credit" in body, "cleared faults -> normal answer", st)

    # ---- destroy (with destroy_fail first) ----
    sim.ctl("GET", "/requests")
    before = sim.ctl("GET", "/requests?route=destroy")[2]["counts"]["vast"]["destroy"]
    sim.ctl("POST", "/faults", {"provider": "vast", "kind": "destroy_fail", "count": 1})
    st, _, _ = sim.vast("DELETE", "/instances/%d/" % vid)
    check(st == 500, "destroy_fail fails once", st)
    st, _, body = sim.vast("DELETE", "/instances/%d/" % vid)
    check(st == 200 and body == {"success": True}, "vast destroy", (st, body))
    st, _, body = sim.vast("GET", "/instances/%d/" % vid)
    check(st == 200 and body == {"instances": None}, "vast status after destroy -> null")
    st, _, _ = sim.vast("DELETE", "/instances/%d/" % vid)
    check(st == 404, "vast destroy again -> 404", st)
    after = sim.ctl("GET", "/requests?route=destroy")[2]["counts"]["vast"]["destroy"]
    check(after - before == 3, "request counter counts destroys", (before, after))
    st, _, body = sim.td("DELETE", "/instances/" + tid)
    check(st == 200, "td destroy", st)
    st, _, _ = sim.td("DELETE", "/instances/" + tid)
    check(st == 404, "td destroy unknown -> 404", st)
    st, _, body = sim.vast("GET", "/bundles/")
    check(any(x["id"] == vo["id"] for x in body["offers"]), "destroyed offer is listed again")
    if have_ssh:
        rc, _, _ = ssh_run(vkey_file, vi["ssh_port"], "root", "true")
        check(rc != 0, "sshd gone after destroy", rc)

    # ---- ledger ----
    st, _, body = sim.ctl("GET", "/ledger")
    led = {e["instance_id"]: e for e in body["instances"]}
    ev, et = led.get(str(vid)), led.get(tid)
    check(ev and ev["destroyed_at_ms"] and ev["billed_ms"] ==
          ev["destroyed_at_ms"] - ev["created_at_ms"] and ev["price_uusd_per_hour"] ==
          round(vo["dph_total"] * 1e6) and ev["end_reason"] == "destroy", "ledger vast entry", ev)
    check(et and et["destroyed_at_ms"] and et["label"] == "shopper-smoke-t", "ledger td entry",
          et)

    # ---- foreign instance, vanish, forced state ----
    st, _, body = sim.ctl("POST", "/instances", {"provider": "vast", "label": "shopper-foreign"})
    fid = body["instance_id"] if st == 200 else None
    st, _, body = sim.vast("GET", "/instances/")
    check(any(x["label"] == "shopper-foreign" for x in body["instances"]), "foreign instance "
          "listed")
    sim.ctl("POST", "/instances/%s/state" % fid, {"state": "exited"})
    st, _, body = sim.vast("GET", "/instances/%s/" % fid)
    check(body["instances"]["actual_status"] == "exited", "forced state")
    st, _, body = sim.ctl("POST", "/instances/%s/vanish" % fid)
    check(st == 200 and body["end_reason"] == "vanish" and body["destroyed_at_ms"],
          "vanish", body)
    st, _, body = sim.vast("GET", "/instances/")
    check(all(x["label"] != "shopper-foreign" for x in body["instances"]), "vanished not listed")

    # ---- reset ----
    st, _, _ = sim.ctl("POST", "/reset")
    st, _, body = sim.ctl("GET", "/ledger")
    check(st == 200 and body["instances"] == [], "reset clears the ledger")


if __name__ == "__main__":
    sys.exit(main())
