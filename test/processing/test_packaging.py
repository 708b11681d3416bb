"""make package builds a zip that the QGIS plugin repository's checks accept; make install works."""
import configparser
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from urllib.parse import urlparse

import pytest

import iftest

REQUIRED = ("name", "description", "version", "qgisMinimumVersion", "author", "email", "about",
            "tracker", "repository")
ISSUE_REQUIRED = ("homepage", "tags", "category", "hasProcessingProvider", "icon", "changelog")


def _clean_env(home=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QGIS_")}
    if home:
        env["HOME"] = str(home)
    return env


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    out = subprocess.run(["make", "-s", "package", f"DIST={dist}"], cwd=iftest.REPO,
                         capture_output=True, text=True, env=_clean_env())
    assert out.returncode == 0, out.stderr
    zips = list(dist.glob("insar_fusion-*.zip"))
    assert len(zips) == 1
    return zips[0]


def test_zip_passes_the_plugin_repository_checks(package):
    assert package.stat().st_size < 25_000_000
    z = zipfile.ZipFile(package)
    assert z.testzip() is None
    names = z.namelist()
    for n in names:
        assert ".." not in n and not n.startswith("/")
        assert ".pyc" not in n
        assert not {"__MACOSX", ".git", "__pycache__"} & set(n.split("/")), n
    assert {n.split("/")[0] for n in names} == {"insar_fusion"}
    for required in ("__init__.py", "metadata.txt", "LICENSE", "plugin.py"):
        assert f"insar_fusion/{required}" in names
    parser = configparser.ConfigParser()
    parser.optionxform = str
    parser.read_file(io.StringIO(z.read("insar_fusion/metadata.txt").decode("utf-8")))
    meta = dict(parser.items("general"))
    missing = [k for k in REQUIRED + ISSUE_REQUIRED if not meta.get(k, "").strip()]
    assert missing == []
    assert meta["name"] == "InSAR Fusion"
    assert meta["qgisMinimumVersion"] == "3.22"
    assert meta["hasProcessingProvider"] == "yes"
    assert re.fullmatch(r"\d+\.\d+\.\d+", meta["version"])
    assert "/" not in meta["author"]
    for key in ("tracker", "repository", "homepage"):
        url = urlparse(meta[key])
        assert url.scheme == "https" and url.netloc, key
    assert f"insar_fusion/{meta['icon']}" in names


def test_zip_leaves_out_tests_tools_and_build_files(package):
    names = zipfile.ZipFile(package).namelist()
    for left_out in ("test/", "bench/", "tools/", ".ci/", "Makefile", "pytest.ini"):
        assert not [n for n in names if n.startswith("insar_fusion/" + left_out)], left_out
    assert any(n.startswith("insar_fusion/core/") for n in names)
    assert any(n.startswith("insar_fusion/processing/") for n in names)


@pytest.mark.desktop
def test_qgis_desktop_loads_the_plugin_installed_from_the_zip(package, tmp_path):
    """What 'Install from ZIP' does: unzip into the profile's plugins folder, then start QGIS."""
    sys.path.insert(0, os.path.join(iftest.REPO, "tools"))
    import desktop

    zipfile.ZipFile(package).extractall(tmp_path / "unzipped")
    profiles = desktop.make_profile(str(tmp_path / "profiles"), str(tmp_path / "unzipped" / "insar_fusion"))
    status = tmp_path / "status.json"
    os.environ["IF_STATUS"] = str(status)
    try:
        desktop.run(code=os.path.join(iftest.REPO, "test", "e2e", "scripts", "plugin_status.py"),
                    status=str(status), timeout=150, settle=0, profiles=profiles)
    finally:
        os.environ.pop("IF_STATUS", None)
    st = json.loads(status.read_text())
    assert st["loaded"] and st["provider"] and st["provider_errors"] == []


def test_make_install_then_qgis_process_runs_an_algorithm(tmp_path):
    env = _clean_env(tmp_path / "home")
    for _ in range(2):  # a second install (plugin already enabled) must succeed too
        out = subprocess.run(["make", "-s", "install"], cwd=iftest.REPO, capture_output=True,
                             text=True, env=env)
        assert out.returncode == 0, out.stderr
    link = tmp_path / "home/.local/share/QGIS/QGIS3/profiles/default/python/plugins/insar_fusion"
    assert os.path.realpath(link) == iftest.REPO
    env["QT_QPA_PLATFORM"] = "offscreen"
    listing = subprocess.run(["/usr/bin/qgis_process.bin", "list"], capture_output=True, text=True, env=env)
    assert "insarfusion:lostovertical" in listing.stdout
    # run one algorithm end to end from the shell
    from insar_fusion.core.points import PointTable
    from insar_fusion.core.vector_io import read_points, write_points
    import numpy as np
    src = str(tmp_path / "los.gpkg")
    write_points(src, PointTable([4e5, 4.001e5], [4.3e6, 4.3e6],
                                 {"velocity": np.array([-20.0, 5.0]), "D20190101": np.zeros(2),
                                  "D20190113": np.array([-2.0, 1.0])}, "EPSG:32647"))
    dst = str(tmp_path / "up.gpkg")
    run = subprocess.run(["/usr/bin/qgis_process.bin", "run", "insarfusion:lostovertical", "--",
                          f"INPUT={src}", "INCIDENCE_ANGLE=60", f"OUTPUT={dst}"],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    np.testing.assert_allclose(read_points(dst).columns["velocity"], [-40.0, 10.0])
