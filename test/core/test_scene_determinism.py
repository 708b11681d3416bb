"""The scene is deterministic from its seed, and bad sizes or seeds are refused with a clear message."""
import hashlib

import numpy as np
import pytest
from osgeo import gdal

from insar_fusion.core.errors import InputError
from insar_fusion.core.scene import generate_scene
from insar_fusion.core.scene.config import make_config

import scenetest as st


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_gives_identical_truth_csv_and_arrays(scene, tmp_path):
    res = generate_scene(str(tmp_path), "small", 42)
    assert (tmp_path / "truth.json").read_bytes() == (scene / "truth.json").read_bytes()
    for rel in ("insar/T128_egms.csv", "insar/T026_acquisitions.csv", "slc/pairs.csv"):
        assert _sha(tmp_path / rel) == _sha(scene / rel), rel
    for rel in ("ndvi/ndvi_202007.tif", "soil_moisture/sm_201907.tif", "landcover.tif",
                "slc/slc_20190821.tif", "s2/s2_20190811_nir.tif", "dem.tif"):
        a = gdal.Open(str(tmp_path / rel)).ReadAsArray()
        b = gdal.Open(str(scene / rel)).ReadAsArray()
        np.testing.assert_array_equal(a, b, err_msg=rel)
    assert set(res.files) >= {"truth.json", "insar/T128_egms.csv", "regions.gpkg"}


def test_another_seed_changes_noise_and_textures_but_not_the_layout(scene, tmp_path):
    generate_scene(str(tmp_path), "small", 7)
    a, b = st.truth(scene), st.truth(tmp_path)
    assert b["seed"] == 7 and a["zones"]["P4"]["centre"] == b["zones"]["P4"]["centre"]
    assert a["zones"]["P4"]["peak_rate_mm_yr"] == b["zones"]["P4"]["peak_rate_mm_yr"]
    assert a["tracks"]["T128"]["n_points"] != b["tracks"]["T128"]["n_points"]
    assert _sha(tmp_path / "insar" / "T026_egms.csv") != _sha(scene / "insar" / "T026_egms.csv")
    for z in ("P1", "P2", "P3"):  # the planted farmland peaks do not depend on the seed
        assert b["zones"][z]["peak_rate_mm_yr"] == pytest.approx(a["zones"][z]["peak_rate_mm_yr"], abs=1.0)


@pytest.mark.parametrize("size, seed, words", [("medium", 1, "Unknown scene size 'medium'"),
                                               ("small", -3, "zero or positive"),
                                               ("small", "abc", "whole number")])
def test_bad_size_or_seed_is_refused_without_writing(tmp_path, size, seed, words):
    with pytest.raises(InputError, match=words):
        make_config(size, seed)
    with pytest.raises(InputError, match=words):
        generate_scene(str(tmp_path / "out"), size, seed)
    assert not (tmp_path / "out").exists()
