"""insarfusion:decompose on tracks with planted east and up motion, and its refusals."""
import datetime as dt

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException

from insar_fusion.core.points import PointTable
from insar_fusion.core.vector_io import read_points, write_points

UTM = "EPSG:32633"
START = dt.date(2021, 1, 4)


def _los(inc, heading):
    t, a = np.radians(inc), np.radians(heading)
    return -np.sin(t) * np.cos(a), np.sin(t) * np.sin(a), np.cos(t)


def _field(x, y):
    """The planted motion (mm/yr): up and east vary smoothly across 1 km."""
    return -4.0 + 3.0 * x / 1000.0, 1.0 - 2.0 * y / 1000.0


def _track(path, heading, inc, offset_days, seed, geometry="los", n=400):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    up, east = _field(np.floor(x / 100) * 100 + 50, np.floor(y / 100) * 100 + 50)  # constant per cell
    e, nn, u = _los(inc, heading)
    v = e * east + u * up
    cols = {"pid": np.arange(1, n + 1), "velocity": v, "velocity_std": np.full(n, 0.4),
            "coherence": np.full(n, 0.9), "incidence": np.full(n, inc)}
    if geometry == "los":
        cols.update(los_up=np.full(n, u), los_east=np.full(n, e), los_north=np.full(n, nn))
    dates = [START + dt.timedelta(days=offset_days + 12 * k) for k in range(31)]
    for d in dates:
        years = (d - START).days / 365.25
        cols["D" + d.strftime("%Y%m%d")] = v * years
    write_points(str(path), PointTable(x + 400000.0, y + 4500000.0, cols, UTM))
    return str(path)


@pytest.fixture
def tracks(tmp_path):
    return [_track(tmp_path / "asc.gpkg", -10.0, 39.0, 0, 1), _track(tmp_path / "dsc.gpkg", 190.0, 37.0, 6, 2)]


def _truth(table):
    return _field(table.x - 400000.0, table.y - 4500000.0)


def test_grid_recovers_the_planted_up_and_east_with_their_propagated_std(run_alg, tracks, tmp_path):
    up, east, up_tif = (str(tmp_path / n) for n in ("up.gpkg", "east.gpkg", "up.tif"))
    res, log = run_alg("decompose", {"TRACKS": tracks, "SERIES": True, "RESAMPLING": 1, "OUTPUT_UP": up,
                                     "OUTPUT_EAST": east, "OUTPUT_UP_RASTER": up_tif})
    cells = [{(int(x // 100), int(y // 100)) for x, y in zip(t.x, t.y)} for t in map(read_points, tracks)]
    assert res["N_CELLS"] == len(cells[0] & cells[1]) > 80 and res["N_DATES"] > 50
    u, e = read_points(up), read_points(east)
    want_up, want_east = _truth(u)
    np.testing.assert_allclose(u.columns["velocity"], want_up, atol=1e-9)
    np.testing.assert_allclose(e.columns["velocity"], want_east, atol=1e-9)
    assert set(np.round(u.x) % 100) == {50.0}  # cell centres of a grid aligned to 100 m
    # std: each track's cell std is 0.4 / sqrt(n), then through the 2 x 2 inverse
    a = np.array([[_los(39, -10)[0], _los(39, -10)[2]], [_los(37, 190)[0], _los(37, 190)[2]]])
    a_inv = np.linalg.inv(a)
    assert (u.columns["n_points"] >= 2).all() and np.isfinite(u.columns["velocity_std"]).all()
    assert (u.columns["condition"] < 1.5).all() and (u.columns["n_tracks"] == 2).all()
    counts = []
    for t in map(read_points, tracks):
        keys = list(zip((t.x // 100).astype(int), (t.y // 100).astype(int)))
        counts.append({k: keys.count(k) for k in set(keys)})
    for i, (x, y) in enumerate(zip(u.x, u.y)):
        key = (int(x // 100), int(y // 100))
        s_a, s_d = 0.4 / np.sqrt(counts[0][key]), 0.4 / np.sqrt(counts[1][key])
        assert u.columns["velocity_std"][i] == pytest.approx(np.hypot(a_inv[1, 0] * s_a, a_inv[1, 1] * s_d))
        assert e.columns["velocity_std"][i] == pytest.approx(np.hypot(a_inv[0, 0] * s_a, a_inv[0, 1] * s_d))
    dates, series = u.series()
    years = np.array([(d - START).days / 365.25 for d in dates])
    np.testing.assert_allclose(series, np.outer(want_up, years), atol=1e-9)  # linear: exact
    r = gdal.Open(up_tif)
    assert r.GetGeoTransform()[1] == 100.0 and np.nanmax(np.abs(r.ReadAsArray())) > 0
    assert "neglected, as EGMS does" in log.text() and "LOS from its los_east" in log.text()


def test_at_points_and_from_incidence_and_headings(run_alg, tmp_path):
    tracks = [_track(tmp_path / "a.gpkg", -10.0, 39.0, 0, 1, geometry="angles"),
              _track(tmp_path / "d.gpkg", 190.0, 37.0, 6, 2, geometry="angles")]
    up, east = str(tmp_path / "up.gpkg"), str(tmp_path / "east.gpkg")
    res, log = run_alg("decompose", {"TRACKS": tracks, "MODE": 1, "RADIUS": 30.0, "HEADINGS": "-10, 190",
                                     "OUTPUT_UP": up, "OUTPUT_EAST": east})
    got = read_points(up)
    first = read_points(tracks[0])
    assert set(got.columns["pid"]) <= set(first.columns["pid"]) and 0 < len(got) <= len(first)
    assert "the heading -10°" in log.text()
    # points gather neighbours across cell edges: the planted cell values mix near edges only
    want, _ = _truth(got)
    assert np.median(np.abs(got.columns["velocity"] - want)) < 0.5


@pytest.mark.parametrize("change, words", [
    (lambda p, t: dict(p, TRACKS=t[:1]), r"at least two LOS tracks"),
    (lambda p, t: dict(p, HEADINGS="-10"), r"gives 1 headings for 2 tracks"),
    (lambda p, t: dict(p, HEADINGS="north, south"), r"must be numbers"),
    (lambda p, t: dict(p, VELOCITY=1), r"needs the series"),
    (lambda p, t: dict(p, MODE=1, OUTPUT_UP_RASTER="up.tif"), r"rasters need the grid"),
    (lambda p, t: dict(p, TRACKS=[t[0], t[0]], HEADINGS="-10, -10"), r"too alike to separate"),
])
def test_refusals_name_the_problem(run_alg, tmp_path, change, words):
    tracks = [_track(tmp_path / "a.gpkg", -10.0, 39.0, 0, 1, geometry="angles"),
              _track(tmp_path / "d.gpkg", 190.0, 37.0, 6, 2, geometry="angles")]
    params = {"TRACKS": tracks, "HEADINGS": "-10, 190", "OUTPUT_UP": str(tmp_path / "up.gpkg"),
              "OUTPUT_EAST": str(tmp_path / "east.gpkg")}
    params = change(params, tracks)
    if "OUTPUT_UP_RASTER" in params:
        params["OUTPUT_UP_RASTER"] = str(tmp_path / params["OUTPUT_UP_RASTER"])
    with pytest.raises(QgsProcessingException, match=words):
        run_alg("decompose", params)
    assert not (tmp_path / "up.gpkg").exists() and not (tmp_path / "east.gpkg").exists()


def test_a_track_without_viewing_geometry_is_refused(run_alg, tmp_path):
    tracks = [_track(tmp_path / "a.gpkg", -10.0, 39.0, 0, 1, geometry="angles"),
              _track(tmp_path / "d.gpkg", 190.0, 37.0, 6, 2, geometry="angles")]
    with pytest.raises(QgsProcessingException, match=r"has no viewing geometry.*HEADINGS"):
        run_alg("decompose", {"TRACKS": tracks, "OUTPUT_UP": str(tmp_path / "up.gpkg"),
                              "OUTPUT_EAST": str(tmp_path / "east.gpkg")})
