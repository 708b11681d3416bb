"""python3 -m insar_fusion.core.scene writes the scene from the command line."""
import json
import os
import subprocess
import sys

import iftest


def _run(*args):
    env = dict(os.environ, PYTHONPATH=iftest.make_importable())
    return subprocess.run([sys.executable, "-m", "insar_fusion.core.scene", *args], capture_output=True,
                          text=True, env=env, cwd="/")


def test_cli_writes_a_scene_with_the_given_seed(tmp_path):
    out = _run(str(tmp_path / "s"), "--size", "small", "--seed", "3")
    assert out.returncode == 0, out.stderr
    assert "small scene (seed 3)" in out.stdout and "T128" in out.stdout
    assert "100%" in out.stderr  # progress
    truth = json.loads((tmp_path / "s" / "truth.json").read_text())
    assert truth["seed"] == 3 and truth["size"] == "small"


def test_cli_refuses_an_unknown_size(tmp_path):
    out = _run(str(tmp_path / "s"), "--size", "huge")
    assert out.returncode == 2 and "invalid choice: 'huge'" in out.stderr
    assert not (tmp_path / "s").exists()
