"""The gpu-shopper CLI skeleton against a running daemon."""
import json
import socket
import unittest

from harness import DaemonTest, cli


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class TestCli(DaemonTest):
    def test_health_table_and_json(self):
        r = cli("health", server=self.d.url(""))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"status\s+degraded")
        self.assertIn("no provider configured", r.stdout)
        r = cli("-o", "json", "health", "--server", self.d.url(""))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["components"]["storage"]["status"], "ok")

    def test_version(self):
        r = cli("version", server=self.d.url(""))
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"client \d+\.\d+\.\d+\nserver \d+\.\d+\.\d+")

    def test_unreachable_server(self):
        url = "http://127.0.0.1:%d" % free_port()
        r = cli("health", server=url)
        self.assertEqual(r.returncode, 3)
        self.assertIn("cannot reach the server at %s" % url, r.stderr)

    def test_help_everywhere(self):
        for args in (["--help"], ["health", "--help"], ["version", "-h"]):
            r = cli(*args)
            self.assertEqual(r.returncode, 0, args)
            self.assertIn("Usage: gpu-shopper", r.stdout)

    def test_usage_errors(self):
        self.assertEqual(cli().returncode, 2)
        r = cli("frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command 'frobnicate'", r.stderr)
        self.assertEqual(cli("-o", "yaml", "health").returncode, 2)


if __name__ == "__main__":
    unittest.main()
