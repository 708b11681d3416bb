"""Nothing the plugin reads from a data file is ever run as code: the plugin's source has no
eval/exec/compile of strings, no pickle/marshal/shelve loading, no numpy pickle loading, no
shell commands, and no dynamic imports of names (a parse of every module, not a text search)."""
import ast
import os

import pytest

import iftest

PLUGIN_DIRS = ("core", "processing", "ui")
PLUGIN_FILES = ("__init__.py", "plugin.py", "settings.py")
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile", "input"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "yaml", "jsonpickle"}
FORBIDDEN_ATTRS = {("os", "system"), ("os", "popen"), ("importlib", "import_module")}
# provider.py discovers the plugin's own alg_*.py modules by their package path, never by a name
# read from data; that one dynamic import is allowed.
ALLOWED_IMPORT_MODULE = {os.path.join("processing", "provider.py")}


def _modules():
    for d in PLUGIN_DIRS:
        for root, _, files in os.walk(os.path.join(iftest.REPO, d)):
            for f in files:
                if f.endswith(".py"):
                    yield os.path.relpath(os.path.join(root, f), iftest.REPO)
    for f in PLUGIN_FILES:
        if os.path.exists(os.path.join(iftest.REPO, f)):
            yield f


def _problems(rel):
    tree = ast.parse(open(os.path.join(iftest.REPO, rel), encoding="utf-8").read(), rel)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            out += [f"imports {n}" for n in names if n.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in FORBIDDEN_CALLS:
                out.append(f"calls {f.id}() at line {node.lineno}")
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                pair = (f.value.id, f.attr)
                if pair in FORBIDDEN_ATTRS and not (pair[1] == "import_module" and rel in ALLOWED_IMPORT_MODULE):
                    out.append(f"calls {f.value.id}.{f.attr}() at line {node.lineno}")
            for kw in node.keywords:
                if kw.arg == "allow_pickle" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    out.append(f"allow_pickle at line {node.lineno}")
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    out.append(f"shell= at line {node.lineno}")
    return out


def test_the_scan_finds_the_plugin_modules():
    mods = list(_modules())
    assert len(mods) > 50 and os.path.join("core", "insar", "hdf5.py") in mods


@pytest.mark.parametrize("source", ["x = eval(text)", "import pickle", "from yaml import load",
                                    "np.load(p, allow_pickle=True)", "os.system(cmd)",
                                    "subprocess.run(c, shell=True)", "exec(code)"])
def test_the_scan_catches_each_forbidden_form(tmp_path, monkeypatch, source):
    (tmp_path / "bad.py").write_text(source + "\n")
    monkeypatch.setattr(iftest, "REPO", str(tmp_path))
    assert _problems("bad.py")


def test_no_plugin_module_evaluates_or_unpickles_anything():
    found = {rel: p for rel in _modules() if (p := _problems(rel))}
    assert not found, found
