"""insarfusion:sbasnetwork pairs exactly the acquisitions a brute-force count pairs."""
import datetime as dt
import os

import numpy as np
import pytest
from osgeo import ogr
from qgis.core import QgsProcessingException

import iftest


def _csv(path, dates, bperp):
    with open(path, "w") as f:
        f.write("date,bperp\n")
        for d, b in zip(dates, bperp):
            f.write(f"{d},{b}\n")
    return path


def _acquisitions(n=45, seed=6):
    rng = np.random.default_rng(seed)
    dates = [dt.date(2019, 1, 6) + dt.timedelta(days=12 * k) for k in range(n)]
    return dates, np.round(rng.normal(0, 70, n), 2)


def _read_table(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    return [{k: f.GetField(k) for k in f.keys()} for f in lyr]


def _brute_force(dates, bperp, max_days, max_b):
    pairs = []
    for i in range(len(dates)):
        for j in range(len(dates)):
            dtd = (dates[j] - dates[i]).days
            if 0 < dtd <= max_days and abs(bperp[j] - bperp[i]) <= max_b:
                pairs.append((dates[i].isoformat(), dates[j].isoformat(), dtd, bperp[j] - bperp[i]))
    return pairs


@pytest.mark.parametrize("max_days, max_b", [(24, 100), (48, 60), (36, 150)])
def test_pairs_equal_a_brute_force_count(run_alg, tmp_path, max_days, max_b):
    dates, bperp = _acquisitions()
    src = _csv(str(tmp_path / "T128_acquisitions.csv"), [d.isoformat() for d in dates], bperp)
    out, chart = str(tmp_path / "pairs.gpkg"), str(tmp_path / "network.png")
    res, _ = run_alg("sbasnetwork", {"INPUT": src, "MAX_TEMPORAL": max_days, "MAX_PERPENDICULAR": max_b,
                                     "OUTPUT": out, "OUTPUT_CHART": chart})
    expected = _brute_force(dates, bperp, max_days, max_b)
    assert res["N_PAIRS"] == len(expected) and res["N_DATES"] == len(dates)
    rows = _read_table(out)
    got = sorted((r["reference"], r["secondary"], r["temporal_baseline"], r["perpendicular_baseline"])
                 for r in rows)
    assert [g[:3] for g in got] == [e[:3] for e in sorted(expected)]
    np.testing.assert_allclose([g[3] for g in got], [e[3] for e in sorted(expected)], atol=1e-9)
    with open(chart, "rb") as f:
        assert f.read(4) == b"\x89PNG"


def test_a_gap_in_time_is_reported_with_its_dates(run_alg, tmp_path):
    dates, bperp = _acquisitions(30)
    keep = [k for k in range(30) if k not in (10, 11, 12)]  # 48 days without an acquisition
    dates, bperp = [dates[k] for k in keep], bperp[keep]
    src = _csv(str(tmp_path / "acq.csv"), [d.strftime("%Y%m%d") for d in dates], bperp)
    res, fb = run_alg("sbasnetwork", {"INPUT": src, "MAX_TEMPORAL": 36, "MAX_PERPENDICULAR": 1000,
                                      "OUTPUT": str(tmp_path / "pairs.gpkg")})
    assert res["CONNECTED"] is False and res["N_COMPONENTS"] == 2
    assert res["GAPS"] == f"{dates[9].isoformat()} to {dates[10].isoformat()}"
    assert "not connected" in fb.text()
    res2, _ = run_alg("sbasnetwork", {"INPUT": src, "MAX_TEMPORAL": 48, "MAX_PERPENDICULAR": 1000,
                                      "OUTPUT": str(tmp_path / "pairs2.gpkg")})
    assert res2["CONNECTED"] is True and res2["GAPS"] == ""


def test_an_acquisition_cut_off_by_its_baseline_is_reported(run_alg, tmp_path):
    dates, bperp = _acquisitions(12)
    bperp = np.zeros(12)
    bperp[5] = 500.0
    src = _csv(str(tmp_path / "acq.csv"), [d.isoformat() for d in dates], bperp)
    res, _ = run_alg("sbasnetwork", {"INPUT": src, "MAX_TEMPORAL": 24, "MAX_PERPENDICULAR": 100,
                                     "OUTPUT": str(tmp_path / "pairs.gpkg")})
    assert res["CONNECTED"] is False
    assert dates[5].isoformat() in res["GAPS"]


@pytest.mark.parametrize("rows, words", [
    ([("2019-01-06", 1.0), ("2019-01-06", 5.0)], "appears twice"),
    ([("2019-01-06", 1.0), ("2019-02-30", 5.0)], "not a date"),
    ([("2019-01-06", 1.0), ("2019-01-18", "far")], "must be numeric"),
    ([], "empty"),
])
def test_bad_acquisition_tables_are_refused(run_alg, tmp_path, rows, words):
    src = _csv(str(tmp_path / "acq.csv"), [r[0] for r in rows], [r[1] for r in rows])
    before = iftest.sha256(src)
    out = str(tmp_path / "pairs.gpkg")
    with pytest.raises(QgsProcessingException, match=words):
        run_alg("sbasnetwork", {"INPUT": src, "OUTPUT": out, "OUTPUT_CHART": str(tmp_path / "n.png")})
    assert not os.path.exists(out) and not os.path.exists(tmp_path / "n.png")
    assert iftest.sha256(src) == before
