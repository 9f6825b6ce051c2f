"""Guards the layering of STYLE.md: every `#include "stsd/<module>/..."` in
src/ and include/ follows the allowed arrows (scripts/check_layers.py), and
the checker itself catches an upward include, a reach past the HTTP seam and
a `../` escape into another module."""

import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECKER = ROOT / "scripts" / "check_layers.py"


def run(root):
    return subprocess.run([sys.executable, str(CHECKER), str(root)], capture_output=True, text=True, timeout=60)


class LayersTest(unittest.TestCase):
    def test_the_tree_follows_the_layering(self):
        result = run(ROOT)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def make_tree(self, files):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        root = pathlib.Path(directory.name)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return root

    def test_an_upward_include_is_reported(self):
        root = self.make_tree({
            "src/domain/store.cpp": '#include "stsd/domain/store.h"\n#include "stsd/service/caller.h"\n',
            "include/stsd/crypto/crypto.h": '#include "stsd/common/result.h"\n',
        })
        result = run(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("src/domain/store.cpp:2: domain may not include stsd/service/caller.h", result.stdout)
        self.assertNotIn("crypto.h", result.stdout)

    def test_federation_is_below_the_rest_of_the_domain(self):
        root = self.make_tree({
            "src/domain/federation/jwt_verify.cpp": '#include "stsd/domain/store.h"\n',
            "src/domain/store.cpp": '#include "stsd/domain/federation/jwt_verify.h"\n',
        })
        result = run(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("src/domain/federation/jwt_verify.cpp:1: federation may not include stsd/domain/store.h", result.stdout)
        self.assertNotIn("store.cpp", result.stdout)

    def test_only_the_http_seam_is_visible_above_http(self):
        root = self.make_tree({
            "src/protocol/frontend.cpp": '#include "stsd/http/server.h"\n#include "stsd/http/session.h"\n',
        })
        result = run(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("frontend.cpp:2: protocol may not include stsd/http/session.h", result.stdout)
        self.assertNotIn("frontend.cpp:1:", result.stdout)

    def test_relative_includes_may_not_leave_their_module(self):
        root = self.make_tree({
            "src/service/sts/assume_role.cpp": '#include "../session_helpers.h"\n',
            "src/service/session_helpers.h": "",
            "src/protocol/query.cpp": '#include "../http/message.h"\n',
            "src/http/message.h": "",
        })
        result = run(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("src/protocol/query.cpp:1: protocol may not include ../http/message.h", result.stdout)
        self.assertNotIn("assume_role.cpp", result.stdout)


if __name__ == "__main__":
    unittest.main()
