"""--check-config and --describe-plugin as an operator uses them."""
import glob
import os
import tempfile
import unittest

from harness import ABI_PLUGINS, DAEMON, SOURCE, run


def write(text):
    fd, path = tempfile.mkstemp(suffix=".ini", prefix="gs-cfg-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


class TestCheckConfig(unittest.TestCase):
    def test_every_shipped_config_is_valid(self):
        files = sorted(glob.glob(os.path.join(SOURCE, "etc", "*.ini")))
        self.assertGreaterEqual(len(files), 2)
        for f in files:
            r = run([DAEMON, "--check-config", f])
            self.assertEqual(r.returncode, 0, "%s:\n%s%s" % (f, r.stdout, r.stderr))
            self.assertIn("configuration OK", r.stdout)

    def test_four_mistakes_all_reported_with_lines(self):
        plugin = os.path.join(ABI_PLUGINS, "ok.so")
        long_value = "k" * 300
        path = write(
            "[server]\n"                                  # 1
            "prot = 8080\n"                               # 2 misspelt key
            "threads = 2\n"                               # 3
            "threads = 3\n"                               # 4 duplicate key
            "\n"                                          # 5
            "[provider.test]\n"                           # 6 missing api_key
            "plugin = %s\n"                               # 7
            "timeout = 5s\n"                              # 8
            "# %s\n"                                      # 9 300-byte line
            "[storage]\n"                                 # 10
            "path = /tmp/gs-never-created/x.db\n"         # 11
            % (plugin, long_value))
        r = run([DAEMON, "--check-config", path], env={"TEST_PLUGIN_API_KEY": ""})
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        err = r.stderr
        self.assertIn("%s:2: [server] unknown key 'prot' (known: " % path, err)
        self.assertIn("port", err)
        self.assertIn("%s:4: [server] key 'threads' set twice (lines 3 and 4)" % path, err)
        self.assertIn("%s:9: line too long" % path, err)
        self.assertIn("%s:6: [provider.test] missing required key 'api_key'" % path, err)
        self.assertIn("TEST_PLUGIN_API_KEY", err)
        self.assertNotIn(long_value, err)

    def test_secret_is_redacted_in_dump(self):
        plugin = os.path.join(ABI_PLUGINS, "ok.so")
        secret = "s3cr3t-value-never-printed"
        path = write("[provider.test]\nplugin = %s\napi_key = %s\n[storage]\npath = :memory:\n"
                     % (plugin, secret))
        r = run([DAEMON, "--check-config", path])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("<redacted>", r.stdout)
        self.assertNotIn(secret, r.stdout + r.stderr)

    def test_secret_from_conventional_env(self):
        plugin = os.path.join(ABI_PLUGINS, "ok.so")
        path = write("[provider.test]\nplugin = %s\n[storage]\npath = :memory:\n" % plugin)
        r = run([DAEMON, "--check-config", path], env={"TEST_PLUGIN_API_KEY": "from-env"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("from-env", r.stdout + r.stderr)

    def test_unknown_section_and_bad_values(self):
        path = write("[sever]\nport = 1\n[server]\nport = 99999\nthreads = many\n"
                     "[log]\nlevel = loud\naccess_log = perhaps\n")
        r = run([DAEMON, "--check-config", path])
        self.assertEqual(r.returncode, 1)
        self.assertIn(":1: [sever] unknown section", r.stderr)
        self.assertIn(":4: [server]", r.stderr)
        self.assertIn("out of range", r.stderr)
        self.assertIn(":5: [server] 'many' is not an integer", r.stderr)
        self.assertIn(":7: [log]", r.stderr)
        self.assertIn(":8: [log]", r.stderr)

    def test_missing_file(self):
        r = run([DAEMON, "--check-config", "/nonexistent/gs.ini"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/gs.ini", r.stderr)

    def test_describe_plugin(self):
        r = run([DAEMON, "--describe-plugin", "storage-sqlite"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("storage-sqlite", r.stdout)
        self.assertIn("busy_timeout", r.stdout)
        r = run([DAEMON, "--describe-plugin", "no-such-plugin"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot load", r.stderr)


if __name__ == "__main__":
    unittest.main()
