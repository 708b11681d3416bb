"""insarfusion:paircomposites: MVC per pair, then an area-weighted average onto the target grid."""
import csv
import os

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsRasterLayer

import iftest
import optical_data as od

DATES = ["20190101", "20190113", "20190125", "20190206", "20190218"]


def _ndvi(tmp_path, seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for d in DATES:
        a = rng.uniform(0.0, 0.9, (20, 20)).astype(np.float32)
        a[rng.random(a.shape) < 0.05] = np.nan
        out[d] = (od.write(tmp_path / f"ndvi_{d}.tif", a, pixel=10.0), a)
    return out


def _pairs_csv(tmp_path, rows, header=("reference", "secondary", "bperp")):
    path = tmp_path / "pairs.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def test_each_pair_gets_the_mvc_of_its_window_averaged_by_area_onto_the_target(run_alg, tmp_path):
    s = _ndvi(tmp_path)
    target = od.write(tmp_path / "coherence.tif", np.zeros((8, 8), np.float32), pixel=25.0)
    pairs = _pairs_csv(tmp_path, [("2019-01-01", "2019-01-25", 40.0), ("20190113", "20190218", -12.0)])
    folder = str(tmp_path / "out")
    res, fb = run_alg("paircomposites", {"INPUTS": [p for p, _ in s.values()], "PAIRS": pairs,
                                         "TARGET": target, "OUTPUT_FOLDER": folder})
    assert res["PAIRS_WRITTEN"] == 2
    for (ref, sec), window in ((("20190101", "20190125"), DATES[0:3]),
                               (("20190113", "20190218"), DATES[1:5])):
        path = os.path.join(folder, f"ndvi_mvc_{ref}_{sec}.tif")
        assert path in res["OUTPUTS"]
        with np.errstate(all="ignore"):
            mvc = np.nanmax(np.stack([s[d][1] for d in window]), axis=0)
        want = od.area_average(mvc)
        assert od.grid(path) == od.grid(target)
        np.testing.assert_allclose(od.read(path), want, rtol=0, atol=1e-5)
        layer = QgsRasterLayer(path, "p", "gdal")
        assert layer.renderer().type() == "singlebandpseudocolor"
    with open(os.path.join(folder, "ndvi_mvc_pairs.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [r["n_inputs"] for r in rows] == ["3", "4"]
    assert rows[0]["inputs"] == "ndvi_20190101.tif;ndvi_20190113.tif;ndvi_20190125.tif"


def test_a_pair_without_ndvi_is_skipped_with_a_warning(run_alg, tmp_path):
    s = _ndvi(tmp_path)
    target = od.write(tmp_path / "coherence.tif", np.zeros((8, 8), np.float32), pixel=25.0)
    pairs = _pairs_csv(tmp_path, [("2019-01-02", "2019-01-12", 0), ("2019-01-13", "2019-01-13", 0)])
    folder = str(tmp_path / "out")
    res, fb = run_alg("paircomposites", {"INPUTS": [p for p, _ in s.values()], "PAIRS": pairs,
                                         "TARGET": target, "OUTPUT_FOLDER": folder})
    assert "2019-01-02 – 2019-01-12: no NDVI raster" in fb.text()
    assert od.listing(folder) == ["ndvi_mvc_20190113_20190113.qml", "ndvi_mvc_20190113_20190113.tif",
                                  "ndvi_mvc_pairs.csv"]
    np.testing.assert_allclose(od.read(os.path.join(folder, "ndvi_mvc_20190113_20190113.tif")),
                               od.area_average(s["20190113"][1]), atol=1e-5)


def test_no_pair_with_ndvi_inside_is_refused_without_output(run_alg, tmp_path):
    s = _ndvi(tmp_path)
    paths = [p for p, _ in s.values()]
    target = od.write(tmp_path / "coherence.tif", np.zeros((8, 8), np.float32), pixel=25.0)
    pairs = _pairs_csv(tmp_path, [("2020-01-01", "2020-01-13", 0)])
    before = [iftest.sha256(p) for p in paths]
    folder = str(tmp_path / "out")
    with pytest.raises(QgsProcessingException, match="No dated input falls inside any pair"):
        run_alg("paircomposites", {"INPUTS": paths, "PAIRS": pairs, "TARGET": target,
                                   "OUTPUT_FOLDER": folder})
    assert not os.path.exists(folder) or od.listing(folder) == []
    assert [iftest.sha256(p) for p in paths] == before


def test_pairs_without_date_columns_are_refused(run_alg, tmp_path):
    s = _ndvi(tmp_path)
    target = od.write(tmp_path / "coherence.tif", np.zeros((8, 8), np.float32), pixel=25.0)
    pairs = _pairs_csv(tmp_path, [("a", "b")], header=("first", "second"))
    with pytest.raises(QgsProcessingException, match="No reference date field found"):
        run_alg("paircomposites", {"INPUTS": [p for p, _ in s.values()], "PAIRS": pairs,
                                   "TARGET": target, "OUTPUT_FOLDER": str(tmp_path / "out")})


def test_a_target_that_does_not_overlap_is_refused(run_alg, tmp_path):
    s = _ndvi(tmp_path)
    target = od.write(tmp_path / "coherence.tif", np.zeros((8, 8), np.float32), pixel=25.0,
                      x0=600000.0)
    pairs = _pairs_csv(tmp_path, [("2019-01-01", "2019-01-25", 0)])
    folder = str(tmp_path / "out")
    with pytest.raises(QgsProcessingException, match="does not overlap the TARGET"):
        run_alg("paircomposites", {"INPUTS": [p for p, _ in s.values()], "PAIRS": pairs,
                                   "TARGET": target, "OUTPUT_FOLDER": folder})
    assert not os.path.exists(folder) or od.listing(folder) == []
