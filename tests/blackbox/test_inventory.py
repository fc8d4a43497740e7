"""Inventory black-box tests: the real vastai and tensordock plugins against
gpu-market-sim, driven through GET /api/v1/inventory and `gpu-shopper
inventory` exactly as WORKFLOWS.md Workflow 1 writes them; query validation;
single-offer lookup; and every fault kind the simulator injects (the daemon
stays up, serves the last good snapshot with a growing age, /health says
degraded, and it recovers when the fault clears)."""
import decimal
import json
import re
import time
import unittest

from harness import DAEMON, Daemon, Sim, cli, run, wait_for

# Short timings so each fault cycle takes seconds (ARCHITECTURE §4: every
# duration is a config key).
FAST_INVENTORY = ("[inventory]\nrefresh_interval = 1s\nretry_backoff = 200ms\n"
                  "max_backoff = 3s\n")
# Plugin timeouts below the sim's hang so a hung listing fails quickly;
# min_reliability 0 lists every Vast.ai offer of the catalogue.
VAST_EXTRA = ("timeout = 2s\nconnect_timeout = 1s\nmin_reliability = 0\n"
              "max_response_bytes = 4194304\n")
TD_EXTRA = "timeout = 2s\nconnect_timeout = 1s\nmax_response_bytes = 4194304\n"
PROVIDERS = ("vastai", "tensordock")
PAGE_ALL = 1000


def loads(body):
    """JSON with exact decimals, so prices compare without float error."""
    return json.loads(body, parse_float=decimal.Decimal)


def start_pair(offers=300, seed=7, inventory=FAST_INVENTORY, vast_extra=VAST_EXTRA,
               td_extra=TD_EXTRA, sim_args=(), **provider_kw):
    sim = Sim(offers=offers, seed=seed, args=sim_args).start()
    try:
        d = Daemon(extra_ini=inventory + sim.provider_ini(vast_extra=vast_extra,
                                                           td_extra=td_extra, **provider_kw))
        d.start()
    except BaseException:
        sim.kill()
        raise
    return sim, d


def health(d):
    return d.get("/health").json()


def provider_health(d, name):
    return health(d)["components"]["providers"]["instances"][name]


def wait_listed(d, names=PROVIDERS, timeout=15):
    def ok():
        inst = health(d)["components"]["providers"]["instances"]
        return all(inst[n]["last_success"] for n in names)
    wait_for(ok, timeout=timeout, what="first snapshot of %s" % (names,))


def listing(d, query=""):
    r = d.get("/api/v1/inventory" + query)
    assert r.status == 200, (query, r.status, r.body)
    return loads(r.body)


def all_offers(d):
    j = listing(d, "?limit=%d" % PAGE_ALL)
    offers = j["offers"]
    while len(offers) < j["total"]:
        offers += listing(d, "?limit=%d&offset=%d" % (PAGE_ALL, len(offers)))["offers"]
    return offers


def price_order(o):
    return (o["price_per_hour"], -o["reliability"], o["id"])


def expect(offers, pred, key=price_order):
    return [o["id"] for o in sorted((o for o in offers if pred(o)), key=key)]


def ids(j):
    return [o["id"] for o in j["offers"]]


class InventoryCase(unittest.TestCase):
    """One simulator and one daemon for the class."""
    offers = 300

    @classmethod
    def setUpClass(cls):
        cls.sim, cls.d = start_pair(offers=cls.offers)
        try:
            wait_listed(cls.d)
            cls.catalogue = all_offers(cls.d)
        except BaseException:
            cls.d.kill()
            cls.sim.kill()
            raise

    @classmethod
    def tearDownClass(cls):
        rc = cls.d.stop()
        cls.sim.stop()
        assert rc == 0, "daemon exit status %r\n%s" % (rc, cls.d.log_text())

    def assertMatches(self, query, pred, key=price_order, limit=100):
        """The page and total of `query` are exactly the matching offers."""
        want = expect(self.catalogue, pred, key)
        j = listing(self.d, query)
        self.assertEqual(j["total"], len(want), query)
        self.assertEqual(ids(j), want[:limit], query)
        self.assertEqual(j["count"], len(j["offers"]))
        return j


class TestWorkflowOneApi(InventoryCase):
    """Every curl line of Workflow 1, as written."""

    def test_catalogue_has_both_providers(self):
        provs = {o["provider"] for o in self.catalogue}
        self.assertEqual(provs, set(PROVIDERS))
        self.assertGreater(len(self.catalogue), 200)
        self.assertEqual(len({o["id"] for o in self.catalogue}), len(self.catalogue))

    def test_list_all(self):
        j = self.assertMatches("", lambda o: True)
        self.assertEqual(j["count"], 100)  # default page

    def test_filter_gpu_type(self):
        j = self.assertMatches("?gpu_type=RTX%204090", lambda o: o["gpu_type"] == "RTX 4090")
        self.assertGreater(j["total"], 0)
        self.assertEqual({o["provider"] for o in j["offers"]}, set(PROVIDERS))

    def test_filter_min_vram(self):
        j = self.assertMatches("?min_vram=24", lambda o: o["vram_gb"] >= 24)
        self.assertLess(j["total"], len(self.catalogue))

    def test_filter_max_price(self):
        j = self.assertMatches("?max_price=0.50",
                               lambda o: o["price_per_hour"] <= decimal.Decimal("0.50"))
        self.assertGreater(j["total"], 0)

    def test_filter_provider(self):
        for p in PROVIDERS:
            j = self.assertMatches("?provider=" + p, lambda o, p=p: o["provider"] == p)
            self.assertGreater(j["total"], 0)

    def test_filter_gpu_count(self):
        j = self.assertMatches("?min_gpu_count=2", lambda o: o["gpu_count"] >= 2)
        self.assertGreater(j["total"], 0)

    def test_combined_filters(self):
        self.assertMatches("?gpu_type=RTX%204090&max_price=0.50&provider=vastai",
                           lambda o: o["gpu_type"] == "RTX 4090" and o["provider"] == "vastai"
                           and o["price_per_hour"] <= decimal.Decimal("0.50"))

    def test_offer_attributes(self):
        j = listing(self.d, "?limit=1")
        o = j["offers"][0]
        for k in ("id", "provider", "provider_id", "gpu_type", "gpu_count", "vram_gb",
                  "price_per_hour", "location", "reliability", "available", "fetched_at",
                  "age_seconds", "gpu_name_raw", "form_factor", "cuda_version",
                  "max_duration_hours", "price_per_gpu_hour", "price_per_vram_gb_hour"):
            self.assertIn(k, o)
        self.assertEqual(o["id"], o["provider"] + "-" + o["provider_id"])
        self.assertRegex(o["fetched_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertGreaterEqual(o["age_seconds"], 0)
        self.assertTrue(0 <= o["reliability"] <= 1)
        self.assertIs(o["available"], True)
        self.assertEqual(o["price_per_gpu_hour"],
                         (o["price_per_hour"] / o["gpu_count"]).quantize(
                             decimal.Decimal("0.000001"), rounding=decimal.ROUND_HALF_UP))


class TestFilters(InventoryCase):
    """Every parameter, sort order and paging, against the unfiltered listing."""

    def test_gpu_type_spellings_are_equivalent(self):
        want = listing(self.d, "?gpu_type=RTX%204090&limit=1000")
        self.assertGreater(want["total"], 0)
        for q in ("rtx4090", "RTX_4090", "GeForce%20RTX%204090", "RTX%204090",
                  "NVIDIA%20GeForce%20RTX%204090", "rtx%204090"):
            got = listing(self.d, "?limit=1000&gpu_type=" + q)
            self.assertEqual(ids(got), ids(want), q)
        # a spelling that names the form factor and memory narrows to them
        got = listing(self.d, "?limit=1000&gpu_type=geforcertx4090-pcie-24gb")
        self.assertEqual(ids(got), [o["id"] for o in want["offers"]
                                    if o["form_factor"] == "PCIe" and o["vram_gb"] == 24])

    def test_gpu_type_list(self):
        self.assertMatches("?gpu_type=RTX%204090,A100&limit=1000",
                           lambda o: o["gpu_type"] in ("RTX 4090", "A100"), limit=1000)

    def test_gpu_type_form_factor(self):
        self.assertMatches("?gpu_type=A100%20SXM&limit=1000",
                           lambda o: o["gpu_type"] == "A100" and o["form_factor"] == "SXM",
                           limit=1000)

    def test_unknown_gpu_type_is_empty(self):
        j = listing(self.d, "?gpu_type=Voodoo%205")
        self.assertEqual((j["count"], j["total"], j["offers"]), (0, 0, []))

    def test_location_substring_case_insensitive(self):
        loc = next(o["location"] for o in self.catalogue if o["location"])
        part = loc.split(",")[0].strip().upper()
        self.assertMatches("?limit=1000&location=" + part.replace(" ", "%20"),
                           lambda o: o["location"] is not None
                           and part.lower() in o["location"].lower(), limit=1000)

    def test_min_reliability(self):
        self.assertMatches("?limit=1000&min_reliability=0.95",
                           lambda o: o["reliability"] >= decimal.Decimal("0.95"), limit=1000)

    def test_min_cuda(self):
        self.assertMatches("?limit=1000&min_cuda=12.2",
                           lambda o: o["cuda_version"] is not None
                           and o["cuda_version"] >= decimal.Decimal("12.2"), limit=1000)

    def test_exact_gpu_count(self):
        self.assertMatches("?limit=1000&gpu_count=4", lambda o: o["gpu_count"] == 4, limit=1000)

    def test_sort_orders(self):
        orders = {
            "price": price_order,
            "price_per_gpu": lambda o: (o["price_per_gpu_hour"], o["price_per_hour"], o["id"]),
            "reliability": lambda o: (-o["reliability"], o["price_per_hour"], o["id"]),
            "vram_gb": lambda o: (-o["vram_gb"], o["price_per_hour"], o["id"]),
        }
        for name, key in orders.items():
            self.assertMatches("?limit=1000&sort=" + name, lambda o: True, key=key, limit=1000)

    def test_paging(self):
        every = ids(listing(self.d, "?limit=1000"))
        got = []
        for off in range(0, len(every), 70):
            got += ids(listing(self.d, "?limit=70&offset=%d" % off))
        self.assertEqual(got, every)
        j = listing(self.d, "?offset=%d" % len(every))
        self.assertEqual((j["count"], j["total"]), (0, len(every)))

    def test_single_offer_lookup(self):
        o = self.catalogue[0]
        for oid in (o["id"], o["id"].upper().split("-", 1)[0] + "-" + o["provider_id"]):
            r = self.d.get("/api/v1/inventory/" + oid)
            self.assertEqual(r.status, 200, oid)
            got = loads(r.body)
            for k in o:
                if k not in ("age_seconds", "fetched_at"):
                    self.assertEqual(got[k], o[k], k)

    def test_unknown_offer_404(self):
        for oid in ("vastai-0", "nope", "tensordock-x-y", "VASTAI-"):
            r = self.d.get("/api/v1/inventory/" + oid)
            self.assertEqual(r.status, 404, oid)
            j = r.json()
            self.assertEqual(j["error_type"], "not_found")
            self.assertIn("offer not found", j["error"])
            self.assertTrue(j["request_id"])

    def test_bad_parameters_400_name_the_parameter(self):
        cases = [
            ("foo=1", "foo"), ("min_vram=-1", "min_vram"), ("min_vram=abc", "min_vram"),
            ("min_vram=", "min_vram"), ("min_vram", "min_vram"), ("min_vram=2.5", "min_vram"),
            ("max_price=abc", "max_price"), ("max_price=-0.5", "max_price"),
            ("max_price=1e3", "max_price"), ("limit=0", "limit"), ("limit=1001", "limit"),
            ("limit=-1", "limit"), ("offset=-1", "offset"), ("offset=x", "offset"),
            ("sort=cheapest", "sort"), ("min_reliability=1.5", "min_reliability"),
            ("min_reliability=-1", "min_reliability"), ("min_cuda=twelve", "min_cuda"),
            ("gpu_count=0", "gpu_count"), ("min_gpu_count=-2", "min_gpu_count"),
            ("provider=lambda", "provider"), ("provider=vast%20ai", "provider"),
            ("gpu_type=,", "gpu_type"), ("min_vram=1&min_vram=2", "min_vram"),
            ("gpu_type=RTX%204090&limt=5", "limt"),
        ]
        for q, param in cases:
            r = self.d.get("/api/v1/inventory?" + q)
            self.assertEqual(r.status, 400, q)
            j = r.json()
            self.assertEqual(j["error_type"], "invalid_parameter", q)
            self.assertEqual(j["parameter"], param, q)
            self.assertIn(param, j["error"], q)
            self.assertTrue(j["request_id"], q)

    def test_metrics_per_provider(self):
        text = self.d.get("/metrics").body.decode()
        for p in PROVIDERS:
            n = sum(1 for o in self.catalogue if o["provider"] == p)
            self.assertIn('gs_inventory_offers{provider="%s"} %d' % (p, n), text)
            self.assertRegex(text, r'gs_inventory_provider_up\{provider="%s"\} 1' % p)
            self.assertRegex(text, r'gs_inventory_refreshes_total\{provider="%s",result="ok"\} '
                                   r'[1-9]' % p)
            self.assertRegex(text, r'gs_inventory_snapshot_age_seconds\{provider="%s"\} \d' % p)

    def test_health_ok_per_provider(self):
        j = health(self.d)
        self.assertEqual(j["status"], "ok")
        for p in PROVIDERS:
            h = j["components"]["providers"]["instances"][p]
            self.assertEqual(h["status"], "ok")
            self.assertEqual(h["offers"], sum(1 for o in self.catalogue if o["provider"] == p))
            self.assertIsNone(h["last_error"])
            self.assertEqual(h["consecutive_failures"], 0)
            self.assertLessEqual(h["age_seconds"], 5)


TABLE_ROW = re.compile(r"^(\S+)\s+(vastai|tensordock)\s")
TOTAL_LINE = re.compile(r"^(\d+) of (\d+) offers$", re.M)


class TestWorkflowOneCli(InventoryCase):
    """Every CLI line of Workflow 1, as written, against the API's answer."""

    def run_cli(self, *args):
        r = cli(*args, server=self.d.url(""))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def assertTable(self, out, query):
        want = listing(self.d, query)
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["ID", "PROVIDER", "GPU", "COUNT", "VRAM", "PRICE/HR",
                                            "LOCATION", "RELIABILITY", "AGE"])
        rows = [m.group(1) for m in map(TABLE_ROW.match, lines[1:]) if m]
        self.assertEqual(rows, ids(want))
        m = TOTAL_LINE.search(out)
        self.assertIsNotNone(m, out)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (want["count"], want["total"]))
        # columns are aligned: every row starts its PROVIDER column at one offset
        col = lines[0].index("PROVIDER")
        for line in lines[1:1 + len(rows)]:
            self.assertIn(line[col:col + 6], ("vastai", "tensor"), line)

    def test_inventory(self):
        self.assertTable(self.run_cli("inventory"), "")

    def test_gpu_type(self):
        self.assertTable(self.run_cli("inventory", "--gpu-type", "RTX 4090"),
                         "?gpu_type=RTX%204090")
        self.assertTable(self.run_cli("inventory", "-g", "rtx4090"), "?gpu_type=RTX%204090")

    def test_min_vram(self):
        self.assertTable(self.run_cli("inventory", "--min-vram", "24"), "?min_vram=24")

    def test_max_price(self):
        self.assertTable(self.run_cli("inventory", "--max-price", "0.50"), "?max_price=0.50")

    def test_provider(self):
        self.assertTable(self.run_cli("inventory", "--provider", "vastai"), "?provider=vastai")
        self.assertTable(self.run_cli("inventory", "-p", "tensordock"), "?provider=tensordock")

    def test_other_flags(self):
        self.assertTable(self.run_cli("inventory", "--min-gpus", "2", "--sort", "reliability",
                                      "--limit", "7"),
                         "?min_gpu_count=2&sort=reliability&limit=7")
        loc = next(o["location"] for o in self.catalogue if o["location"] and " " in o["location"])
        self.assertTable(self.run_cli("inventory", "--location", loc),
                         "?location=" + loc.replace(" ", "%20").replace(",", "%2C"))

    def test_json_output(self):
        out = self.run_cli("-o", "json", "inventory", "--gpu-type", "RTX 4090", "--limit", "3")
        got = loads(out)
        want = listing(self.d, "?gpu_type=RTX%204090&limit=3")
        self.assertEqual(ids(got), ids(want))
        self.assertEqual(got["total"], want["total"])
        self.assertEqual(got["offers"][0]["price_per_hour"], want["offers"][0]["price_per_hour"])

    def test_no_match_message(self):
        out = self.run_cli("inventory", "--gpu-type", "Voodoo 5")
        self.assertIn("No offers found", out)

    def test_help(self):
        out = self.run_cli("inventory", "--help")
        for flag in ("--gpu-type", "-g", "--min-vram", "--max-price", "--provider", "-p",
                     "--min-gpus", "--location", "--sort", "--limit"):
            self.assertIn(flag, out)

    def test_usage_errors(self):
        for args in (("--min-vram", "abc"), ("--max-price", "-1"), ("--bogus",),
                     ("--limit",), ("extra",)):
            r = cli("inventory", *args, server=self.d.url(""))
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("gpu-shopper inventory", r.stderr)

    def test_server_rejection_exit_1(self):
        r = cli("inventory", "--limit", "5000", server=self.d.url(""))
        self.assertEqual(r.returncode, 1)
        self.assertIn("invalid limit", r.stderr)
        r = cli("inventory", "-p", "lambda", server=self.d.url(""))
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown provider 'lambda'", r.stderr)


class TestFaults(unittest.TestCase):
    """Each fault kind on both providers' listings at once: stays up, serves
    the last good snapshot with a growing age, degraded, then recovers."""

    @classmethod
    def setUpClass(cls):
        cls.sim, cls.d = start_pair(offers=120, seed=11)
        try:
            wait_listed(cls.d)
            cls.before = {o["id"] for o in all_offers(cls.d)}
        except BaseException:
            cls.d.kill()
            cls.sim.kill()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.sim.clear_faults()
        rc = cls.d.stop()
        cls.sim.stop()
        assert rc == 0, "daemon exit status %r\n%s" % (rc, cls.d.log_text())

    def tearDown(self):
        self.sim.clear_faults()

    def ages(self):
        j = listing(self.d, "?limit=1000")
        return {o["provider"]: o["age_seconds"] for o in j["offers"]}

    def cycle(self, kind, providers=PROVIDERS, status_names=None, **spec):
        sim_names = {"vastai": "vast", "tensordock": "td"}
        for p in providers:
            self.sim.fault(kind, provider=sim_names[p], **spec)

        def degraded():
            inst = health(self.d)["components"]["providers"]["instances"]
            return all(inst[p]["status"] == "degraded" and inst[p]["last_error"]
                       for p in providers)
        wait_for(degraded, timeout=12, what="%s degraded by %s" % (providers, kind))
        h = health(self.d)
        self.assertEqual(h["status"], "degraded")
        self.assertEqual(h["components"]["providers"]["status"], "degraded")
        for p in providers:
            ph = h["components"]["providers"]["instances"][p]
            self.assertGreaterEqual(ph["consecutive_failures"], 1)
            self.assertTrue(ph["last_error"]["message"])
            if status_names:
                self.assertIn(ph["last_error"]["status"], status_names, ph["last_error"])
            self.assertTrue(ph["last_success"])
            self.assertGreater(ph["offers"], 0)
        # the last good snapshot is still served, and a request does not wait
        t0 = time.time()
        got = {o["id"] for o in all_offers(self.d)}
        self.assertLess(time.time() - t0, 1.5)
        self.assertEqual(got, self.before)
        first = self.ages()
        wait_for(lambda: all(self.ages()[p] >= first[p] + 1 for p in providers), timeout=8,
                 what="age to grow")
        self.assertIsNone(self.d.proc.poll(), "daemon died")
        # clear: back to ok with a fresh snapshot
        self.sim.clear_faults()

        def recovered():
            inst = health(self.d)["components"]["providers"]["instances"]
            return all(inst[p]["status"] == "ok" and inst[p]["age_seconds"] <= 2
                       for p in PROVIDERS)
        wait_for(recovered, timeout=15, what="recovery from %s" % kind)
        self.assertEqual(health(self.d)["status"], "ok")
        self.assertEqual({o["id"] for o in all_offers(self.d)}, self.before)

    def test_http_500(self):
        self.cycle("status", status=500, status_names=("E_UPSTREAM",))

    def test_http_503(self):
        self.cycle("status", status=503, status_names=("E_UPSTREAM",))

    def test_rate_limited_honours_retry_after(self):
        before = self.sim.requests(route="list_offers", provider="vast")["total"]
        self.cycle("status", providers=("vastai",), status=429, retry_after=3,
                   status_names=("E_RATELIMIT",))
        log = self.d.log_text()
        self.assertRegex(log, r"vastai: .*429.*\(E_RATELIMIT, 1 in a row\), retrying in 3 s")
        # with Retry-After 3 s the governor must not poll at the 200 ms backoff
        calls = self.sim.requests(route="list_offers", provider="vast")["total"] - before
        self.assertLess(calls, 8, calls)

    def test_malformed(self):
        self.cycle("malformed", status_names=("E_BADRESPONSE",))

    def test_wrong_types(self):
        self.cycle("wrong_types", status_names=("E_BADRESPONSE",))

    def test_huge(self):
        self.cycle("huge", bytes=6 * 1024 * 1024, status_names=("E_BADRESPONSE", "E_TOOBIG"))

    def test_hang(self):
        self.cycle("hang", ms=4000, status_names=("E_TIMEOUT", "E_UPSTREAM"))

    def test_delay_past_timeout(self):
        self.cycle("delay", ms=3000, status_names=("E_TIMEOUT", "E_UPSTREAM"))

    def test_slow_provider_does_not_slow_requests(self):
        self.sim.fault("delay", provider="*", ms=1500)
        for _ in range(10):
            t0 = time.time()
            self.assertEqual(self.d.get("/api/v1/inventory?limit=5").status, 200)
            self.assertLess(time.time() - t0, 0.5)
            time.sleep(0.1)
        self.assertEqual(health(self.d)["status"], "ok")

    def test_one_provider_failing_leaves_the_other(self):
        self.sim.fault("status", provider="td", status=502)
        wait_for(lambda: provider_health(self.d, "tensordock")["status"] == "degraded",
                 what="tensordock degraded")
        self.assertEqual(provider_health(self.d, "vastai")["status"], "ok")
        text = self.d.get("/metrics").body.decode()
        self.assertIn('gs_inventory_provider_up{provider="tensordock"} 0', text)
        self.assertIn('gs_inventory_provider_up{provider="vastai"} 1', text)
        self.assertRegex(text, r'gs_inventory_consecutive_failures\{provider="tensordock"\} '
                               r'[1-9]')


class TestNeverListed(unittest.TestCase):
    def test_refused_credentials_degraded_and_other_provider_served(self):
        sim = Sim(offers=60).start()
        providers = sim.provider_ini(vast_extra=VAST_EXTRA, td_extra=TD_EXTRA)
        d = Daemon(extra_ini=FAST_INVENTORY + providers.replace(
            "api_key = %s" % Sim.VAST_KEY, "api_key = wrong-key"))
        try:
            d.start()
            wait_listed(d, names=("tensordock",))
            wait_for(lambda: provider_health(d, "vastai")["last_error"], what="vast error")
            ph = provider_health(d, "vastai")
            self.assertEqual(ph["status"], "degraded")
            self.assertIsNone(ph["last_success"])
            self.assertIsNone(ph["age_seconds"])
            self.assertEqual(ph["last_error"]["status"], "E_AUTH")
            self.assertEqual(ph["last_error"]["http_status"], 401)
            self.assertNotIn("wrong-key", json.dumps(health(d)))
            self.assertEqual(health(d)["status"], "degraded")
            j = listing(d, "?limit=1000")
            self.assertGreater(j["total"], 0)
            self.assertEqual({o["provider"] for o in j["offers"]}, {"tensordock"})
            self.assertEqual(d.get("/api/v1/inventory?provider=vastai").json()["total"], 0)
        finally:
            rc = d.stop()
            sim.stop()
        self.assertEqual(rc, 0)


class TestLimitsAndShutdown(unittest.TestCase):
    def test_offer_cap_per_provider(self):
        sim, d = start_pair(offers=200, inventory=FAST_INVENTORY + "max_offers_per_provider = 40\n")
        try:
            wait_listed(d)
            for p in PROVIDERS:
                ph = provider_health(d, p)
                self.assertEqual(ph["offers"], 40)
                self.assertIs(ph.get("truncated"), True)
                self.assertEqual(listing(d, "?provider=" + p)["total"], 40)
            self.assertRegex(d.log_text(), r"listing truncated at 40 offers")
        finally:
            rc = d.stop()
            sim.stop()
        self.assertEqual(rc, 0)

    def test_stops_cleanly_while_a_listing_hangs(self):
        sim, d = start_pair(offers=40)
        try:
            wait_listed(d)
            sim.fault("hang", ms=60000)
            time.sleep(1.5)  # a poller is now inside a hanging list_offers
            t0 = time.time()
            rc = d.stop()
            self.assertEqual(rc, 0)
            self.assertLess(time.time() - t0, 15)
        finally:
            d.kill()
            sim.clear_faults()
            sim.stop()

    def test_bad_inventory_config_rejected(self):
        d = Daemon(extra_ini="[inventory]\nrefresh_interval = 10ms\nbogus = 1\n")
        r = run([DAEMON, "--check-config", d.config])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"gpu-shopper.ini:\d+: \[inventory\] refresh_interval 10ms out "
                                   r"of range 100\.\.86400000 ms")
        self.assertIn("[inventory] unknown key 'bogus'", r.stderr)
        d = Daemon(extra_ini="[inventory]\nretry_backoff = 5s\nmax_backoff = 1s\n")
        r = run([DAEMON, "--check-config", d.config])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"gpu-shopper.ini:\d+: \[inventory\] max_backoff \(1000 ms\) "
                                   r"is shorter than retry_backoff \(5000 ms\)")


if __name__ == "__main__":
    unittest.main()
