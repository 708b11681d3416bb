"""insarfusion:importpoints reads real-format files written here and keeps their values (in mm)."""
import csv
import datetime as dt
import os

import h5py
import numpy as np
import pytest
from osgeo import gdal, ogr, osr
from qgis.core import QgsProcessingException

import iftest
from insar_fusion.core.vector_io import read_points

DATES = ["20190109", "20190121", "20190202", "20190214", "20190226"]


def _years(dates):
    """Decimal years, computed here independently of the plugin."""
    out = []
    for s in dates:
        d = dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
        start = dt.date(d.year, 1, 1)
        out.append(d.year + (d - start).days / (dt.date(d.year + 1, 1, 1) - start).days)
    return np.array(out)


def _by_pid(table):
    return {str(p): i for i, p in enumerate(table.columns["pid"])}


# --- EGMS CSV -----------------------------------------------------------------------------------
def _egms_csv(path, n=40, blanks=True, extra_dates=(), velocity=None):
    rng = np.random.default_rng(3)
    cols = ["pid", "mp_type", "latitude", "longitude", "easting", "northing", "height", "rmse",
            "temporal_coherence", "amplitude_dispersion", "incidence_angle", "track_angle", "los_east",
            "los_north", "los_up", "mean_velocity", "mean_velocity_std", "acceleration",
            "seasonality"] + DATES + list(extra_dates)
    rows = []
    for i in range(n):
        inc = rng.uniform(30, 45)
        row = {"pid": f"3Qx{i:04d}Ab", "mp_type": "PS", "latitude": 39 + i * 1e-3,
               "longitude": 100 + i * 1e-3, "easting": 4.3e6 + 30.0 * i, "northing": 2.1e6 + 20.0 * i,
               "height": 1400 + i, "rmse": 1.1, "temporal_coherence": round(rng.uniform(0.6, 1), 3),
               "amplitude_dispersion": 0.2, "incidence_angle": round(inc, 3), "track_angle": -12.0,
               "los_east": -0.6, "los_north": -0.1, "los_up": round(np.cos(np.radians(inc)), 4),
               "mean_velocity": round(rng.normal(-10, 5), 2), "mean_velocity_std": 0.8,
               "acceleration": 0.0, "seasonality": 1.0}
        for d in DATES + list(extra_dates):
            row[d] = round(rng.normal(0, 5), 1)
        rows.append(row)
    if blanks:
        rows[3][DATES[2]] = ""
        rows[5]["mean_velocity_std"] = ""
    if velocity is not None:
        rows[1]["mean_velocity"] = velocity
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return rows


def test_egms_csv_values_and_blanks_are_kept_in_mm(run_alg, tmp_path):
    src = str(tmp_path / "EGMS_L2b_042_0712_IW2_VV.csv")
    rows = _egms_csv(src)
    out = str(tmp_path / "egms.gpkg")
    res, _ = run_alg("importpoints", {"INPUT": src, "OUTPUT": out})
    assert res["FORMAT"] == "EGMS" and res["N_POINTS"] == 40 and res["N_DATES"] == 5
    got = read_points(out)
    srs = osr.SpatialReference(wkt=got.crs_wkt)
    srs.AutoIdentifyEPSG()
    assert srs.GetAuthorityCode(None) == "3035"
    idx = _by_pid(got)
    for r in rows:
        i = idx[r["pid"]]
        assert got.x[i] == pytest.approx(r["easting"]) and got.y[i] == pytest.approx(r["northing"])
        assert got.columns["velocity"][i] == pytest.approx(r["mean_velocity"])
        assert got.columns["coherence"][i] == pytest.approx(r["temporal_coherence"])
        assert got.columns["incidence"][i] == pytest.approx(r["incidence_angle"])
        assert got.columns["los_up"][i] == pytest.approx(r["los_up"])
        for d in DATES:
            if r[d] == "":
                assert np.isnan(got.columns["D" + d][i]), "a blank cell must stay NULL, not 0"
            else:
                assert got.columns["D" + d][i] == pytest.approx(r[d])
    assert np.isnan(got.columns["velocity_std"][idx[rows[5]["pid"]]])
    names = list(got.columns)
    assert names[:6] == ["pid", "velocity", "velocity_std", "coherence", "incidence", "los_up"]
    # then the viewing geometry (track_angle is the heading), the file's other numeric columns
    # under their own names (mp_type is text here: left out), then the dates
    assert names[6:9] == ["los_east", "los_north", "heading"]
    assert names[9:-len(DATES)] == ["height", "rmse", "amplitude_dispersion", "acceleration",
                                    "seasonality"]
    assert names[-len(DATES):] == ["D" + d for d in DATES]
    for r in rows:
        i = idx[r["pid"]]
        assert got.columns["los_east"][i] == r["los_east"] and got.columns["los_north"][i] == r["los_north"]
        assert got.columns["heading"][i] == r["track_angle"] and got.columns["height"][i] == r["height"]


def test_egms_latitude_longitude_only_is_read_as_wgs84(run_alg, tmp_path):
    src = str(tmp_path / "egms_ll.csv")
    with open(src, "w") as f:
        f.write("pid,latitude,longitude,mean_velocity," + ",".join(DATES) + "\n")
        f.write("a,39.5,100.25,-3.5,0,1,2,3,4\nb,39.6,100.35,2.0,0,-1,-2,,-4\n")
    out = str(tmp_path / "ll.gpkg")
    run_alg("importpoints", {"INPUT": src, "FORMAT": 1, "OUTPUT": out})
    got = read_points(out)
    assert osr.SpatialReference(wkt=got.crs_wkt).IsGeographic()
    np.testing.assert_allclose(got.x, [100.25, 100.35])
    np.testing.assert_allclose(got.y, [39.5, 39.6])
    assert np.isnan(got.columns["D20190214"][1])


# --- PS shapefile -------------------------------------------------------------------------------
def _ps_shapefile(path, n=30, dates=("D20190109", "D20190121", "D20190202")):
    rng = np.random.default_rng(5)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
    lyr = ds.CreateLayer("ps", srs, ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("CODE", ogr.OFTString))
    for name in ("VEL", "V_STDEV", "COHERENCE") + tuple(dates):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTReal))
    truth = []
    for i in range(n):
        f = ogr.Feature(lyr.GetLayerDefn())
        rec = {"CODE": f"P{i:05d}", "VEL": float(rng.normal(-8, 6)), "V_STDEV": float(rng.uniform(0.5, 2)),
               "COHERENCE": float(rng.uniform(0.5, 1)), "x": 4.0e5 + 50 * i, "y": 4.3e6 - 40 * i}
        for k, d in enumerate(dates):
            rec[d] = None if (i == 7 and k == 1) else float(rng.normal(0, 4))
        for key, v in rec.items():
            if key in ("x", "y"):
                continue
            if v is None:
                f.SetFieldNull(key)
            else:
                f.SetField(key, v)
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(rec["x"], rec["y"])
        f.SetGeometry(g)
        lyr.CreateFeature(f)
        truth.append(rec)
    ds = None
    return truth


def test_ps_shapefile_fields_map_onto_the_layout(run_alg, tmp_path):
    src = str(tmp_path / "ps.shp")
    truth = _ps_shapefile(src)
    out = str(tmp_path / "ps.gpkg")
    res, _ = run_alg("importpoints", {"INPUT": src, "OUTPUT": out})
    assert res["FORMAT"] == "PS"
    got = read_points(out)
    idx = _by_pid(got)
    for rec in truth:
        i = idx[rec["CODE"]]
        assert (got.x[i], got.y[i]) == pytest.approx((rec["x"], rec["y"]))
        assert got.columns["velocity"][i] == pytest.approx(rec["VEL"])
        assert got.columns["velocity_std"][i] == pytest.approx(rec["V_STDEV"])
        assert got.columns["coherence"][i] == pytest.approx(rec["COHERENCE"])
        for d in ("D20190109", "D20190121", "D20190202"):
            if rec[d] is None:
                assert np.isnan(got.columns[d][i])
            else:
                assert got.columns[d][i] == pytest.approx(rec[d])
    assert "incidence" not in got.columns and "los_up" not in got.columns


# --- MintPy -------------------------------------------------------------------------------------
def _mintpy(folder, rows=6, cols=8, epsg="32647", write_velocity=True, geocoded=True):
    rng = np.random.default_rng(9)
    dates = DATES
    vel = rng.normal(-0.01, 0.005, (rows, cols)).astype(np.float32)  # m/yr
    vel[0, 0] = np.nan
    vel[2, 3] = np.nan
    ts = rng.normal(0, 0.004, (len(dates), rows, cols)).astype(np.float32)  # m
    ts[:, 0, 0] = np.nan
    ts[:, 2, 3] = np.nan
    ts[2, 4, 5] = np.nan
    attrs = {"FILE_TYPE": "timeseries", "LENGTH": str(rows), "WIDTH": str(cols), "UNIT": "m",
             "REF_DATE": dates[0]}
    if geocoded:
        attrs.update({"X_FIRST": "400000.0", "Y_FIRST": "4300000.0", "X_STEP": "30.0", "Y_STEP": "-30.0",
                      "X_UNIT": "meters", "Y_UNIT": "meters", "EPSG": epsg})
    with h5py.File(os.path.join(folder, "geo_timeseries.h5"), "w") as f:
        f.create_dataset("timeseries", data=ts)
        f.create_dataset("date", data=np.array([d.encode() for d in dates]))
        f.create_dataset("bperp", data=np.zeros(len(dates), np.float32))
        f.attrs.update(attrs)
    if write_velocity:
        with h5py.File(os.path.join(folder, "geo_velocity.h5"), "w") as f:
            f.create_dataset("velocity", data=vel)
            f.create_dataset("velocityStd", data=np.full((rows, cols), 0.001, np.float32))
            f.attrs.update(dict(attrs, FILE_TYPE="velocity", UNIT="m/year"))
    return vel, ts


@pytest.mark.parametrize("given", ["geo_timeseries.h5", "geo_velocity.h5"])
def test_mintpy_pair_is_read_in_mm_at_pixel_centres(run_alg, tmp_path, given):
    vel, ts = _mintpy(str(tmp_path))
    out = str(tmp_path / "mintpy.gpkg")
    res, _ = run_alg("importpoints", {"INPUT": str(tmp_path / given), "OUTPUT": out})
    assert res["FORMAT"] == "MintPy"
    got = read_points(out)
    rows, cols = vel.shape
    assert len(got) == rows * cols - 2  # the two NaN pixels are not points
    r = np.round((4300000.0 - got.y) / 30.0 - 0.5).astype(int)
    c = np.round((got.x - 400000.0) / 30.0 - 0.5).astype(int)
    np.testing.assert_allclose(got.x, 400000.0 + (c + 0.5) * 30.0)  # pixel centres, not corners
    np.testing.assert_allclose(got.columns["velocity"], vel[r, c] * 1000.0, rtol=1e-6)
    np.testing.assert_allclose(got.columns["velocity_std"], 1.0, rtol=1e-6)
    for k, d in enumerate(DATES):
        np.testing.assert_allclose(got.columns["D" + d], ts[k, r, c] * 1000.0, rtol=1e-6)
    hole = (r == 4) & (c == 5)
    assert hole.sum() == 1 and np.isnan(got.columns["D" + DATES[2]][hole][0])
    srs = osr.SpatialReference(wkt=got.crs_wkt)
    srs.AutoIdentifyEPSG()
    assert srs.GetAuthorityCode(None) == "32647"


def test_mintpy_time_series_alone_gets_a_fitted_velocity(run_alg, tmp_path):
    _, ts = _mintpy(str(tmp_path), write_velocity=False)
    out = str(tmp_path / "mintpy.gpkg")
    run_alg("importpoints", {"INPUT": str(tmp_path / "geo_timeseries.h5"), "FORMAT": 3, "OUTPUT": out})
    got = read_points(out)
    i = int(np.flatnonzero(np.isfinite(got.columns["D20190202"]))[0])
    series = np.array([got.columns["D" + d][i] for d in DATES])
    slope = np.polyfit(_years(DATES), series, 1)[0]
    assert got.columns["velocity"][i] == pytest.approx(slope, rel=1e-6)


# --- LiCSBAS ------------------------------------------------------------------------------------
def _cum_h5(path, rows=5, cols=7):
    rng = np.random.default_rng(21)
    cum = rng.normal(0, 6, (len(DATES), rows, cols)).astype(np.float32)
    cum[0] = 0.0
    vel = rng.normal(-12, 5, (rows, cols)).astype(np.float32)
    vel[1, 1] = np.nan
    cum[:, 1, 1] = np.nan
    cum[3, 2, 2] = np.nan
    with h5py.File(path, "w") as f:
        f.create_dataset("cum", data=cum)
        f.create_dataset("vel", data=vel)
        f.create_dataset("imdates", data=np.array([int(d) for d in DATES], np.int32))
        f.create_dataset("corner_lat", data=39.2)
        f.create_dataset("corner_lon", data=100.1)
        f.create_dataset("post_lat", data=-0.001)
        f.create_dataset("post_lon", data=0.001)
        f.create_dataset("refarea", data="3:4/2:3")
        f.create_dataset("gap", data=np.zeros((len(DATES) - 1, rows, cols), np.int8))
    return cum, vel


def test_licsbas_cum_h5_is_read_in_mm_on_its_grid(run_alg, tmp_path):
    src = str(tmp_path / "cum.h5")
    cum, vel = _cum_h5(src)
    out = str(tmp_path / "licsbas.gpkg")
    res, _ = run_alg("importpoints", {"INPUT": src, "OUTPUT": out})
    assert res["FORMAT"] == "LiCSBAS"
    got = read_points(out)
    assert osr.SpatialReference(wkt=got.crs_wkt).IsGeographic()
    assert len(got) == vel.size - 1
    r = np.round((got.y - 39.2) / -0.001).astype(int)
    c = np.round((got.x - 100.1) / 0.001).astype(int)
    np.testing.assert_allclose(got.y, 39.2 - 0.001 * r, atol=1e-9)  # corner_lat is the first centre
    np.testing.assert_allclose(got.columns["velocity"], vel[r, c], rtol=1e-6)
    for k, d in enumerate(DATES):
        np.testing.assert_allclose(got.columns["D" + d], cum[k, r, c], rtol=1e-6)
    assert np.isnan(got.columns["D" + DATES[3]][(r == 2) & (c == 2)][0])


def test_licsbas_reprojected_to_utm_matches_gdal(run_alg, tmp_path):
    src = str(tmp_path / "cum.h5")
    _cum_h5(src)
    out = str(tmp_path / "utm.gpkg")
    run_alg("importpoints", {"INPUT": src, "TARGET_CRS": "EPSG:32647", "OUTPUT": out})
    got = read_points(out)
    wgs, utm = osr.SpatialReference(), osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    utm.ImportFromEPSG(32647)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    utm.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    back = osr.CoordinateTransformation(utm, wgs)
    lon, lat, _ = back.TransformPoint(float(got.x[0]), float(got.y[0]))
    assert abs((lat - 39.2) / 0.001 - round((lat - 39.2) / 0.001)) < 1e-3
    assert abs((lon - 100.1) / 0.001 - round((lon - 100.1) / 0.001)) < 1e-3


# --- Raster stack -------------------------------------------------------------------------------
def test_dated_geotiff_stack_becomes_points_with_a_fitted_rate(run_alg, tmp_path):
    rows, cols = 4, 5
    rng = np.random.default_rng(2)
    data = rng.normal(0, 5, (len(DATES), rows, cols)).astype(np.float32)
    data[:, 0, 0] = -9999
    path = str(tmp_path / "stack.tif")
    ds = gdal.GetDriverByName("GTiff").Create(path, cols, rows, len(DATES), gdal.GDT_Float32)
    ds.SetGeoTransform((500000, 100, 0, 4200000, 0, -100))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    ds.SetProjection(srs.ExportToWkt())
    for k, d in enumerate(DATES):
        band = ds.GetRasterBand(k + 1)
        band.WriteArray(data[k])
        band.SetNoDataValue(-9999)
        band.SetDescription(d)
    ds = None
    out = str(tmp_path / "stack.gpkg")
    res, _ = run_alg("importpoints", {"INPUT": path, "OUTPUT": out})
    assert res["FORMAT"] == "Raster stack"
    got = read_points(out)
    assert len(got) == rows * cols - 1
    c = ((got.x - 500000) / 100 - 0.5).astype(int)
    r = ((4200000 - got.y) / 100 - 0.5).astype(int)
    t = _years(DATES)
    for i in range(len(got)):
        series = data[:, r[i], c[i]].astype(float)
        np.testing.assert_allclose([got.columns["D" + d][i] for d in DATES], series, rtol=1e-6)
        assert got.columns["velocity"][i] == pytest.approx(np.polyfit(t, series, 1)[0], rel=1e-6)


# --- refusals -----------------------------------------------------------------------------------
def _refused(run_alg, tmp_path, src, words, out_name="out.gpkg", **params):
    before = iftest.sha256(src)
    out = str(tmp_path / out_name)
    with pytest.raises(QgsProcessingException, match=words):
        run_alg("importpoints", dict({"INPUT": src, "OUTPUT": out}, **params))
    assert not os.path.exists(out)
    assert iftest.sha256(src) == before


def test_shapefile_output_with_more_than_250_dates_is_refused_before_reading(run_alg, tmp_path):
    extra = [(dt.date(2019, 3, 1) + dt.timedelta(days=k)).strftime("%Y%m%d") for k in range(250)]
    src = str(tmp_path / "many.csv")
    _egms_csv(src, n=8, extra_dates=extra)
    _refused(run_alg, tmp_path, src, r"255 dates, so the output needs .* GeoPackage", out_name="out.shp")


def test_hdf5_without_expected_datasets_is_refused(run_alg, tmp_path):
    src = str(tmp_path / "other.h5")
    with h5py.File(src, "w") as f:
        f.create_dataset("phase", data=np.zeros((3, 3)))
    _refused(run_alg, tmp_path, src, "neither")
    _refused(run_alg, tmp_path, src, "LiCSBAS", FORMAT=4)


def test_mintpy_in_radar_coordinates_is_refused(run_alg, tmp_path):
    _mintpy(str(tmp_path), geocoded=False)
    _refused(run_alg, tmp_path, str(tmp_path / "geo_timeseries.h5"), "radar coordinates")


@pytest.mark.parametrize("header, words", [
    ("pid,easting,northing,mean_velocity,height", "no date columns"),
    ("pid,easting,northing,mean_velocity,20190109,20191340", "not a valid"),
    ("pid,easting,northing,VEL,D20190109,20190109", "same date"),
])
def test_bad_date_columns_are_refused(run_alg, tmp_path, header, words):
    src = str(tmp_path / "bad.csv")
    n = len(header.split(","))
    with open(src, "w") as f:
        f.write(header + "\n" + ",".join(["p1", "1", "2"] + ["3"] * (n - 3)) + "\n")
    _refused(run_alg, tmp_path, src, words)


def test_non_numeric_velocity_is_refused(run_alg, tmp_path):
    src = str(tmp_path / "text.csv")
    _egms_csv(src, n=8, velocity="fast")
    _refused(run_alg, tmp_path, src, "must be numeric")


def test_csv_without_rows_is_refused(run_alg, tmp_path):
    src = str(tmp_path / "empty.csv")
    with open(src, "w") as f:
        f.write("pid,easting,northing,mean_velocity,20190109\n")
    _refused(run_alg, tmp_path, src, "no points")


def test_nodata_value_and_low_coherence_pixels_become_null_or_are_skipped(run_alg, tmp_path):
    src = str(tmp_path / "cum.h5")
    cum, vel = _cum_h5(src)
    coh = np.linspace(0.1, 0.9, vel.size).reshape(vel.shape).astype(np.float32)
    with h5py.File(src, "a") as f:
        f.create_dataset("coh_avg", data=coh)
        f["cum"][4, 3, 3] = -9999.0
    out = str(tmp_path / "coh.gpkg")
    res, _ = run_alg("importpoints", {"INPUT": src, "NODATA": -9999, "MIN_COHERENCE": 0.5, "OUTPUT": out})
    got = read_points(out)
    r = np.round((got.y - 39.2) / -0.001).astype(int)
    c = np.round((got.x - 100.1) / 0.001).astype(int)
    expected = int(((coh >= 0.5) & np.isfinite(vel)).sum())
    assert res["N_POINTS"] == len(got) == expected
    assert (got.columns["coherence"] >= 0.5).all()
    np.testing.assert_allclose(got.columns["coherence"], coh[r, c], rtol=1e-6)
    at = (r == 3) & (c == 3)
    assert at.sum() == 1 and np.isnan(got.columns["D" + DATES[4]][at][0])


def test_mintpy_companion_file_from_another_folder_is_used(run_alg, tmp_path):
    a, b = tmp_path / "ts", tmp_path / "vel"
    a.mkdir()
    b.mkdir()
    vel, _ = _mintpy(str(b))  # both written in b ...
    os.replace(b / "geo_timeseries.h5", a / "geo_timeseries.h5")  # ... the series moved away
    out = str(tmp_path / "m.gpkg")
    res, _ = run_alg("importpoints", {"INPUT": str(a / "geo_timeseries.h5"),
                                      "COMPANION": str(b / "geo_velocity.h5"), "OUTPUT": out})
    got = read_points(out)
    r = np.round((4300000.0 - got.y) / 30.0 - 0.5).astype(int)
    c = np.round((got.x - 400000.0) / 30.0 - 0.5).astype(int)
    np.testing.assert_allclose(got.columns["velocity"], vel[r, c] * 1000.0, rtol=1e-6)
    np.testing.assert_allclose(got.columns["velocity_std"], 1.0, rtol=1e-6)  # from the companion
