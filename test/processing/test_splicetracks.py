"""insarfusion:splicetracks recovers a planted offset between two synthetic tracks."""
import datetime as dt
import os

import numpy as np
import pytest
from qgis.core import QgsProcessingException

import iftest
from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import read_points, write_points

CRS = "EPSG:32647"
X0, Y0 = 400000.0, 4300000.0
NOISE = 1.5  # mm/yr on each track
SEASON = 8.0  # mm, the same everywhere


def _years(dates):
    return np.array([d.year + (d.timetuple().tm_yday - 1) / (366 if d.year % 4 == 0 else 365) for d in dates])


def _truth_rate(x, y):
    """A subsidence bowl centred in the overlap plus a gentle regional trend (mm/yr)."""
    return -25.0 * np.exp(-(((x - X0 - 5000) / 1500) ** 2 + ((y - Y0 - 1000) / 1200) ** 2)) - 2.0 + \
        0.3 * (y - Y0) / 1000.0


def _truth_disp(x, y, t):
    """Displacement (mm) at decimal years t."""
    return _truth_rate(x, y)[:, None] * (t[None, :] - 2019.0) + SEASON * np.sin(2 * np.pi * t)[None, :]


def _track(rng, xmin, xmax, spacing, shift, dates, offset=None, noise=NOISE, series_noise=0.0):
    xs = np.arange(xmin, xmax, spacing) + shift
    ys = np.arange(Y0, Y0 + 2000, spacing) + shift
    gx, gy = np.meshgrid(xs, ys)
    x = gx.ravel() + rng.uniform(-15, 15, gx.size)  # random, unbiased offsets between the tracks
    y = gy.ravel() + rng.uniform(-15, 15, gx.size)
    t = _years(dates)
    off = offset(x, y) if offset is not None else np.zeros(len(x))
    v = _truth_rate(x, y) + off + rng.normal(0, noise, len(x))
    d = _truth_disp(x, y, t)
    d = d - d[:, :1] + off[:, None] * (t - t[0])[None, :] + rng.normal(0, series_noise, d.shape)
    cols = {"pid": np.arange(len(x), dtype=np.int64), "velocity": v,
            "velocity_std": np.full(len(x), 1.0), "coherence": np.full(len(x), 0.9)}
    for j, day in enumerate(dates):
        cols["D" + day.strftime("%Y%m%d")] = d[:, j]
    return PointTable(x, y, cols, CRS)


def _dates(start, n=40, step=12):
    return [start + dt.timedelta(days=step * k) for k in range(n)]


def _nearest(x, y, ref):
    """Brute-force distance from each point to the nearest reference point (chunked)."""
    out = np.empty(len(x))
    for a in range(0, len(x), 500):
        d = np.hypot(x[a:a + 500, None] - ref.x[None, :], y[a:a + 500, None] - ref.y[None, :])
        out[a:a + 500] = d.min(axis=1)
    return out


def _write(tmp_path, name, table):
    path = str(tmp_path / name)
    write_points(path, table)
    return path


def _scene(tmp_path, offset, sec_start=dt.date(2019, 1, 3), seed=1, **kw):
    rng = np.random.default_rng(seed)
    ref = _track(rng, X0, X0 + 6000, 56.0, 0.0, _dates(dt.date(2019, 1, 9)), **kw)
    # both grids share their nodes (4032 = 72 * 56), so matched points differ only by random jitter
    sec = _track(rng, X0 + 4032, X0 + 10000, 56.0, 0.0, _dates(sec_start), offset=offset, **kw)
    return _write(tmp_path, "T128.gpkg", ref), _write(tmp_path, "T026.gpkg", sec), ref, sec


def test_constant_offset_is_recovered_within_its_noise(run_alg, tmp_path):
    ref_path, sec_path, ref, sec = _scene(tmp_path, lambda x, y: np.full(len(x), 6.5))
    out, pairs, chart = (str(tmp_path / n) for n in ("merged.gpkg", "pairs.gpkg", "fig8.png"))
    res, _ = run_alg("splicetracks", {"REFERENCE": ref_path, "SECONDARY": sec_path, "OUTPUT": out,
                                      "OUTPUT_PAIRS": pairs, "OUTPUT_CHART": chart})
    n = res["N_PAIRS"]
    assert n > 500
    sd_mean = NOISE * np.sqrt(2) / np.sqrt(n)
    assert abs(res["OFFSET"] - 6.5) < 4 * sd_mean * 1.3  # Huber is ~95% efficient
    assert res["RMSE"] == pytest.approx(NOISE * np.sqrt(2), rel=0.1)
    assert res["RMSE_BEFORE"] > 6.0
    assert res["FRACTION_WITHIN_3RMSE"] > 0.98
    assert len(read_points(pairs)) == n
    with open(chart, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_plane_offset_is_recovered_everywhere_on_the_secondary(run_alg, tmp_path):
    plane = lambda x, y: 3.0 + 0.8 * (x - X0 - 5000) / 1000.0 - 0.5 * (y - Y0 - 1000) / 1000.0  # noqa: E731
    ref_path, sec_path, _, sec = _scene(tmp_path, plane)
    out = str(tmp_path / "merged.gpkg")
    res, _ = run_alg("splicetracks", {"REFERENCE": ref_path, "SECONDARY": sec_path, "CORRECTION": 1,
                                      "OUTPUT": out})
    ox, oy = res["ORIGIN_X"], res["ORIGIN_Y"]
    fitted = lambda x, y: res["PLANE_A"] + res["PLANE_B"] * (x - ox) / 1000 + res["PLANE_C"] * (y - oy) / 1000  # noqa: E731
    assert res["PLANE_B"] == pytest.approx(0.8, abs=0.3)  # ~3 standard errors
    assert res["PLANE_C"] == pytest.approx(-0.5, abs=0.3)
    # Within the overlap the plane is well determined: compare at the pair centroid.
    assert fitted(ox, oy) == pytest.approx(plane(ox, oy), abs=0.3)
    assert res["RMSE"] == pytest.approx(NOISE * np.sqrt(2), rel=0.1)


def test_merged_layer_keeps_reference_in_the_overlap_and_corrects_the_secondary(run_alg, tmp_path):
    ref_path, sec_path, ref, sec = _scene(tmp_path, lambda x, y: np.full(len(x), 5.0), noise=0.0)
    out = str(tmp_path / "merged.gpkg")
    res, _ = run_alg("splicetracks", {"REFERENCE": ref_path, "SECONDARY": sec_path, "OUTPUT": out,
                                      "REFERENCE_NAME": "T128", "SECONDARY_NAME": "T026"})
    got = read_points(out)
    track = got.columns["track"]
    assert set(track) == {"T128", "T026"}
    is_sec = track == "T026"
    assert (~is_sec).sum() == len(ref)
    # no secondary point is kept within the match distance of a reference point
    assert _nearest(got.x[is_sec], got.y[is_sec], ref).min() > 60.0
    expected = (_nearest(sec.x, sec.y, ref) > 60.0).sum()
    assert is_sec.sum() == expected == res["N_MERGED"] - len(ref)
    # matched points are up to 60 m apart on a sloping bowl, so the offset is 5 to within ~0.01
    np.testing.assert_allclose(got.columns["velocity"][is_sec],
                               _truth_rate(got.x[is_sec], got.y[is_sec]), atol=0.02)


@pytest.mark.parametrize("sec_start", [dt.date(2019, 1, 3), dt.date(2019, 1, 15)],
                         ids=["secondary_starts_earlier", "secondary_starts_later"])
def test_secondary_series_lands_on_the_reference_dates_and_datum(run_alg, tmp_path, sec_start):
    ref_path, sec_path, ref, _ = _scene(tmp_path, lambda x, y: np.full(len(x), 5.0), sec_start=sec_start,
                                        noise=0.0)
    out = str(tmp_path / "merged.gpkg")
    run_alg("splicetracks", {"REFERENCE": ref_path, "SECONDARY": sec_path, "OUTPUT": out})
    got = read_points(out)
    names = [n for n in got.columns if n.startswith("D")]
    assert names == [n for n in ref.columns if n.startswith("D")]
    ref_dates = [dt.datetime.strptime(n[1:], "%Y%m%d").date() for n in names]
    t = _years(ref_dates)
    is_sec = got.columns["track"] == "T026"
    truth = _truth_disp(got.x[is_sec], got.y[is_sec], t)
    truth -= truth[:, :1]
    series = np.column_stack([got.columns[n][is_sec] for n in names])
    ok = np.isfinite(series)
    assert ok[:, 1:-2].all()
    # linear interpolation of an 8 mm seasonal term over 12 days errs by < 0.1 mm; extrapolating the
    # datum 6 days back is corrected by the per-date alignment to the same level
    assert np.nanmax(np.abs(series - truth)) < 0.25


def _refused(run_alg, tmp_path, ref_path, sec_path, words):
    before = (iftest.sha256(ref_path), iftest.sha256(sec_path))
    out = str(tmp_path / "merged.gpkg")
    with pytest.raises(QgsProcessingException, match=words):
        run_alg("splicetracks", {"REFERENCE": ref_path, "SECONDARY": sec_path, "OUTPUT": out,
                                 "OUTPUT_PAIRS": str(tmp_path / "p.gpkg"), "OUTPUT_CHART": str(tmp_path / "c.png")})
    for p in ("merged.gpkg", "p.gpkg", "c.png"):
        assert not os.path.exists(tmp_path / p)
    assert (iftest.sha256(ref_path), iftest.sha256(sec_path)) == before


def test_tracks_without_overlap_are_refused(run_alg, tmp_path):
    rng = np.random.default_rng(4)
    dates = _dates(dt.date(2019, 1, 9), n=6)
    a = _write(tmp_path, "a.gpkg", _track(rng, X0, X0 + 2000, 100.0, 0.0, dates))
    b = _write(tmp_path, "b.gpkg", _track(rng, X0 + 5000, X0 + 7000, 100.0, 0.0, dates))
    _refused(run_alg, tmp_path, a, b, "do not overlap")


def test_fewer_than_ten_pairs_are_refused(run_alg, tmp_path):
    rng = np.random.default_rng(4)
    dates = _dates(dt.date(2019, 1, 9), n=6)
    a = _write(tmp_path, "a.gpkg", _track(rng, X0, X0 + 1000, 200.0, 0.0, dates))
    sec = _track(rng, X0 + 790, X0 + 2000, 200.0, 0.0, dates)
    near = np.flatnonzero(sec.x < X0 + 900)
    keep = sec.x >= X0 + 900
    keep[near[:5]] = True  # only five secondary points lie next to a reference point
    b = _write(tmp_path, "b.gpkg", sec.subset(keep))
    _refused(run_alg, tmp_path, a, b, "Only [0-9] matched pairs")


def test_geographic_reference_is_refused_with_a_utm_zone(run_alg, tmp_path):
    rng = np.random.default_rng(4)
    dates = _dates(dt.date(2019, 1, 9), n=6)
    t = _track(rng, X0, X0 + 1000, 100.0, 0.0, dates)
    geo = PointTable(100.0 + (t.x - X0) / 1e5, 39.0 + (t.y - Y0) / 1e5, t.columns, "EPSG:4326")
    a = _write(tmp_path, "a.gpkg", geo)
    b = _write(tmp_path, "b.gpkg", geo)
    _refused(run_alg, tmp_path, a, b, "not in metres.*UTM zone 47N")


def test_layers_without_dates_or_numeric_velocity_are_refused(run_alg, tmp_path):
    rng = np.random.default_rng(4)
    dates = _dates(dt.date(2019, 1, 9), n=6)
    t = _track(rng, X0, X0 + 1000, 100.0, 0.0, dates)
    no_dates = PointTable(t.x, t.y, {k: v for k, v in t.columns.items() if not k.startswith("D")}, CRS)
    a = _write(tmp_path, "a.gpkg", t)
    b = _write(tmp_path, "b.gpkg", no_dates)
    _refused(run_alg, tmp_path, a, b, "no date fields")
    text = dict(t.columns, velocity=np.array(["fast"] * len(t), dtype=object))
    c = _write(tmp_path, "c.gpkg", PointTable(t.x, t.y, text, CRS))
    _refused(run_alg, tmp_path, a, c, "must be numeric")


def test_corrected_secondary_is_the_whole_track_minus_the_fitted_plane(run_alg, tmp_path):
    """Every secondary point, overlap included: velocity minus the plane the run reports (PLANE_*)
    and, without noise, the planted rate (an outside reference); the series minus offset·(t − t1)."""
    from insar_fusion.core.dates import decimal_years

    plane = lambda x, y: 3.0 + 0.8 * (x - X0 - 5000) / 1000.0 - 0.5 * (y - Y0 - 1000) / 1000.0  # noqa: E731
    ref_path, sec_path, _, sec = _scene(tmp_path, plane, noise=0.0)
    out, fixed = str(tmp_path / "m.gpkg"), str(tmp_path / "fixed.gpkg")
    res, _ = run_alg("splicetracks", {"REFERENCE": ref_path, "SECONDARY": sec_path, "CORRECTION": 1,
                                      "OUTPUT": out, "OUTPUT_SECONDARY": fixed})
    assert res["OUTPUT_SECONDARY"] == fixed
    after = read_points(fixed)
    assert len(after) == len(sec)
    assert np.allclose(after.x, sec.x) and np.allclose(after.y, sec.y)
    fitted = res["PLANE_A"] + res["PLANE_B"] * (after.x - res["ORIGIN_X"]) / 1000 + \
        res["PLANE_C"] * (after.y - res["ORIGIN_Y"]) / 1000
    assert np.allclose(after.columns["offset"], fitted)
    assert np.allclose(sec.columns["velocity"] - after.columns["velocity"], fitted)
    assert np.max(np.abs(after.columns["velocity"] - _truth_rate(after.x, after.y))) < 0.05
    dates, s0 = sec.series()
    _, s1 = after.series()
    t = decimal_years(dates)
    assert np.allclose(s0 - s1, fitted[:, None] * (t - t[0])[None, :], equal_nan=True)
