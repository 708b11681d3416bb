"""insarfusion:lostovertical through processing.run."""
import os

import numpy as np
import pytest
from qgis.core import QgsProcessingException

import iftest
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import read_points, write_points


def _layer(tmp_path, n=50, with_incidence=True, with_los_up=False, dates=True, name="los.gpkg"):
    rng = np.random.default_rng(11)
    theta = rng.uniform(33, 45, n)
    cols = {"pid": np.arange(n, dtype=np.int64), "velocity": rng.normal(-15, 8, n),
            "velocity_std": rng.uniform(1, 3, n), "coherence": rng.uniform(0.6, 1, n)}
    if with_incidence:
        cols["incidence"] = theta
    if with_los_up:
        cols["los_up"] = np.cos(np.radians(theta))
    if dates:
        for d in ("D20190109", "D20190121", "D20190202"):
            cols[d] = rng.normal(0, 5, n)
    path = str(tmp_path / name)
    write_points(path, PointTable(rng.uniform(4e5, 4.1e5, n), rng.uniform(4.3e6, 4.31e6, n),
                                  cols, "EPSG:32647"))
    return path, theta, read_points(path)


def test_incidence_field_gives_los_over_cos(run_alg, tmp_path):
    path, theta, src = _layer(tmp_path)
    out = str(tmp_path / "up.gpkg")
    res, _ = run_alg("lostovertical", {"INPUT": path, "OUTPUT": out})
    assert res["OUTPUT"] == out
    got = read_points(out)
    c = np.cos(np.radians(theta))
    for f in ("velocity", "velocity_std", "D20190121"):
        np.testing.assert_allclose(got.columns[f], src.columns[f] / c, rtol=1e-12)
    np.testing.assert_array_equal(got.columns["pid"], src.columns["pid"])


def test_fixed_angle_overrides_the_field(run_alg, tmp_path):
    path, _, src = _layer(tmp_path)
    out = str(tmp_path / "up.gpkg")
    run_alg("lostovertical", {"INPUT": path, "INCIDENCE_ANGLE": 39.0, "OUTPUT": out})
    got = read_points(out)
    np.testing.assert_allclose(got.columns["velocity"], src.columns["velocity"] / np.cos(np.radians(39)))


def test_los_up_is_used_when_there_is_no_incidence(run_alg, tmp_path):
    path, theta, src = _layer(tmp_path, with_incidence=False, with_los_up=True)
    out = str(tmp_path / "up.gpkg")
    _, fb = run_alg("lostovertical", {"INPUT": path, "OUTPUT": out})
    assert "los_up" in fb.text()
    got = read_points(out)
    np.testing.assert_allclose(got.columns["D20190202"],
                               src.columns["D20190202"] / np.cos(np.radians(theta)))


def test_angle_above_80_degrees_is_refused_without_output(run_alg, tmp_path):
    path, _, _ = _layer(tmp_path)
    before = iftest.sha256(path)
    out = str(tmp_path / "up.gpkg")
    with pytest.raises(QgsProcessingException, match="outside"):
        run_alg("lostovertical", {"INPUT": path, "INCIDENCE_ANGLE": 85.0, "OUTPUT": out})
    assert not os.path.exists(out)
    assert iftest.sha256(path) == before


def test_layer_without_date_fields_is_refused(run_alg, tmp_path):
    path, _, _ = _layer(tmp_path, dates=False)
    with pytest.raises(QgsProcessingException, match="no date fields"):
        run_alg("lostovertical", {"INPUT": path, "OUTPUT": str(tmp_path / "up.gpkg")})


@pytest.mark.parametrize("where", ["under_a_file", "in_proc"])
def test_unwritable_output_location_is_refused(run_alg, tmp_path, where):
    path, _, _ = _layer(tmp_path)
    if where == "under_a_file":
        blocker = tmp_path / "not_a_folder.txt"
        blocker.write_text("x")
        out = str(blocker / "up.gpkg")
    else:
        out = "/proc/insar_fusion_test/up.gpkg"
    with pytest.raises(QgsProcessingException, match="not writable"):
        run_alg("lostovertical", {"INPUT": path, "OUTPUT": out})
    assert not os.path.exists(out)


def test_output_is_styled_by_rate_in_the_geopackage(run_alg, tmp_path):
    from qgis.core import QgsVectorLayer
    path, _, _ = _layer(tmp_path)
    out = str(tmp_path / "up.gpkg")
    run_alg("lostovertical", {"INPUT": path, "OUTPUT": out})
    layer = QgsVectorLayer(out, "up", "ogr")
    assert layer.isValid()
    assert layer.renderer().type() == "graduatedSymbol"
    assert layer.renderer().classAttribute() == "velocity"
