"""Static checks: no unused imports or variables, no undefined names (ruff's pyflakes rules)."""
import os
import shutil
import subprocess
import sys

import pytest

import iftest


def _ruff():
    exe = os.path.join(os.path.dirname(sys.executable), "ruff")
    return exe if os.path.exists(exe) else shutil.which("ruff")


@pytest.mark.skipif(_ruff() is None, reason="ruff is installed by make test's venv")
def test_pyflakes_rules_pass_on_the_whole_tree():
    out = subprocess.run([_ruff(), "check", "--select", "F", "--output-format", "concise",
                          "--no-cache", "."], cwd=iftest.REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
