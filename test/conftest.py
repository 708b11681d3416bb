"""Shared fixtures. QGIS is imported lazily so that test/core runs without it."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "support"))

import iftest  # noqa: E402  (test/support/iftest.py)

iftest.make_importable()


@pytest.fixture(scope="session")
def provider(qgis_app, qgis_processing):
    """The InSAR Fusion provider registered with the Processing framework.

    A plugin-unload test (test/ui) removes it; iftest.run_alg registers it again when needed.
    """
    prov = iftest.ensure_provider()
    assert not prov.load_errors, prov.load_errors
    yield prov


@pytest.fixture
def run_alg(provider):
    """Run an algorithm through processing.run and return (results, log text)."""
    return iftest.run_alg


@pytest.fixture(scope="session")
def scene(tmp_path_factory):
    """The default small sample scene (seed 42), generated once per test session (a pathlib.Path)."""
    from insar_fusion.core.scene import generate_scene

    folder = tmp_path_factory.mktemp("scene")
    generate_scene(str(folder), "small", 42)
    return folder


@pytest.fixture(scope="session")
def hardening_data(scene, tmp_path_factory):
    """Small valid inputs for every algorithm, cut from the scene (test/support/hdata.py)."""
    import hdata

    return hdata.build(scene, tmp_path_factory.mktemp("hardening_data"))


@pytest.fixture(scope="session")
def hardening_big(scene, tmp_path_factory):
    """Inputs that keep every algorithm busy for seconds (test/support/hbig.py)."""
    import hbig

    return hbig.build(scene, tmp_path_factory.mktemp("hardening_big"))


@pytest.fixture(scope="session")
def heldout_study(provider, tmp_path_factory):
    """insarfusion:study run once on the held-out data (test/support/heldout.py), as a user would:
    (data, output folder, results, record of the run)."""
    import json

    import heldout

    data = heldout.build(tmp_path_factory.mktemp("heldout"))
    out = tmp_path_factory.mktemp("study") / "out"
    params = {"TRACKS": data.tracks, "NDVI": [data.stack("ndvi")], "SOIL_MOISTURE": [data.stack("soil_moisture")],
              "PRECIPITATION": [data.stack("precipitation")], "REGIONS": data.regions, "REGION_FIELD": "zone",
              "OUTPUT_FOLDER": str(out)}
    res, _ = iftest.run_alg("study", params)
    with open(out / "study.json", encoding="utf-8") as f:
        record = json.load(f)
    return data, out, res, record
