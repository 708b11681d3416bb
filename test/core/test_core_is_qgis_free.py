"""core/ must never import qgis or Qt: it is tested and reused without QGIS."""
import ast
import os
import subprocess
import sys

import iftest

CORE = os.path.join(iftest.REPO, "core")


def _core_modules():
    for root, _, files in os.walk(CORE):
        for f in files:
            if f.endswith(".py"):
                yield os.path.join(root, f)


def test_no_core_module_imports_qgis_or_qt():
    offenders = []
    for path in _core_modules():
        tree = ast.parse(open(path, encoding="utf-8").read(), path)
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [(path, n) for n in names if n.split(".")[0] in ("qgis", "PyQt5", "PyQt6", "sip")]
    assert offenders == []


def test_every_core_module_imports_with_qgis_blocked():
    parent = iftest.make_importable()
    modules = []
    for path in _core_modules():
        rel = os.path.relpath(path, iftest.REPO)[:-3].replace(os.sep, ".")
        modules.append("insar_fusion." + rel.replace(".__init__", ""))
    code = ("import sys\n"
            "for blocked in ('qgis', 'PyQt5', 'PyQt6'):\n"
            "    sys.modules[blocked] = None\n"
            f"sys.path.insert(0, {parent!r})\n"
            "import importlib\n"
            f"for m in {modules!r}:\n"
            "    importlib.import_module(m)\n"
            "print('ok', len(sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")
