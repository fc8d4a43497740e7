"""Crash soak (docs/LIFECYCLE.md, run by scripts/soak.sh): N randomized
kill -9 points against gpu-market-sim with real SSH, each followed by a
restart and a check of the zero-orphan invariant (lifekit.Stack.problems);
ends with a final check that the simulator holds nothing but the instances
of running sessions. Prints one line per point and a summary.

Usage: GS_BUILD_DIR=build python3 tests/blackbox/soak_crash.py [POINTS] [SEED]"""
import collections
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lifekit import Stack, random_crash  # noqa: E402


def main():
    points = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else int(time.time())
    rng = random.Random(seed)
    print("soak: %d randomized kill -9 points, seed %d" % (points, seed), flush=True)
    t0 = time.time()
    st = Stack(seed=seed % 1000 + 1, offers=1000)
    kinds = collections.Counter()
    ok = False
    try:
        for k in range(points):
            what = random_crash(st, rng, log=lambda m: print("%4d %s" % (k + 1, m), flush=True))
            kinds["random kill" if what.startswith("random") else what.split(":")[0]] += 1
        bad = st.problems()
        running = {s["provider_instance_id"] for s in st.all_sessions() if s["status"] == "running"}
        alive = {str(i["instance_id"]) for i in st.ours_alive()}
        sessions = st.all_sessions()
        statuses = collections.Counter(s["status"] for s in sessions)
        reasons = collections.Counter((s["status_reason"] or "").split(":")[0] for s in sessions
                                      if s["status"] != "running")
        metrics = [l for l in st.d.get("/metrics").body.decode().splitlines()
                   if l.startswith(("gs_orphans", "gs_ghosts", "gs_destroy_unverified"))]
        print("\nsoak summary: %d points in %.0f s, seed %d" % (points, time.time() - t0, seed))
        print("  points by kind: %s" % dict(kinds))
        print("  sessions: %d %s; end reasons %s" % (len(sessions), dict(statuses), dict(reasons)))
        print("  simulator: %d instances created; %d alive, all of them running sessions': %s"
              % (len(st.ledger()), len(alive), alive == running))
        print("  " + "\n  ".join(metrics))
        ok = not bad and alive == running
        print("RESULT: %s (%d orphans)" % ("PASS" if ok else "FAIL", len(alive - running)))
        for b in bad:
            print("  " + b)
    finally:
        rc = st.close()
        if rc != 0:
            print("daemon exit status %r" % rc)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
