"""Every real InSAR file of ../shared/realdata imports as a user picks it (core, no QGIS).

Counts, dates, units and CRS come from each folder's SOURCE.md; values are checked against
the file's own fields, read here independently (csv, zipfile, h5py, numpy, OGR).
"""
import datetime as dt
import functools
import os

import h5py
import numpy as np
import pytest
from osgeo import gdal, ogr, osr

import realdata as rd
from insar_fusion.core.errors import InputError
from insar_fusion.core.insar.decompose import los_from_angles
from insar_fusion.core.insar.importer import detect_format, import_points


@functools.lru_cache(maxsize=None)
def imported(relative, fmt="auto"):
    return import_points(rd.path(relative), fmt)


def epsg(wkt):
    srs = osr.SpatialReference()
    srs.SetFromUserInput(wkt)
    srs.AutoIdentifyEPSG()
    return srs.GetAuthorityCode(None)


def days(table):
    return np.array([d.toordinal() for _, d in table.date_columns()], float)


# --- EGMS ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("relative, n, n_dates, last", [(rd.L2B_DSC, 11590, 210, dt.date(2024, 12, 25)),
                                                        (rd.L2B_ASC, 11759, 207, dt.date(2024, 12, 31))])
def test_egms_l2b_zip_imports_with_its_string_pids_dates_and_columns(relative, n, n_dates, last):
    t = imported(relative)
    assert detect_format(rd.path(relative)) == "EGMS"
    dates = [d for _, d in t.date_columns()]
    assert (len(t), len(dates), dates[0], dates[-1]) == (n, n_dates, dt.date(2020, 1, 3), last)
    assert epsg(t.crs_wkt) == "3035"
    rows = rd.zipped_csv(relative)
    by_pid = {r["pid"]: r for r in rows}
    assert all(isinstance(p, str) and len(p) == 10 for p in t.columns["pid"])
    for i in range(0, n, 997):
        r = by_pid[t.columns["pid"][i]]
        assert t.x[i] == float(r["easting"]) and t.y[i] == float(r["northing"])
        assert t.columns["velocity"][i] == float(r["mean_velocity"])
        for name in ("height_ortho", "rmse_ts", "gnss_velocity", "los_east", "los_north"):
            assert t.columns[name][i] == float(r[name]), name
        assert t.columns["heading"][i] == float(r["track_angle"])
        for col in rd.date_columns(r)[::40]:
            assert t.columns["D" + col][i] == float(r[col]), "mm kept as they are"
    first = t.columns[t.date_columns()[0][0]]
    assert np.mean(first == 0) < 0.03, "EGMS series are not 0 at the first date, and are kept so"


@pytest.mark.parametrize("relative", [rd.L2B_DSC, rd.L2B_ASC])
def test_egms_mean_velocity_is_its_own_trend_and_annual_cycle_fit(relative):
    t = imported(relative)
    _, series = t.series()
    diff = rd.egms_fit(days(t), series) - t.columns["velocity"]
    assert np.sqrt(np.mean(diff ** 2)) < 0.06 and np.abs(diff).max() < 0.11  # rounded to 0.1


@pytest.mark.parametrize("relative", [rd.L2B_DSC, rd.L2B_ASC])
def test_egms_los_vectors_are_the_incidence_and_heading_closed_form(relative):
    t = imported(relative)
    e, n, u = los_from_angles(t.columns["incidence"], t.columns["heading"])
    for got, want in ((t.columns["los_east"], e), (t.columns["los_north"], n), (t.columns["los_up"], u)):
        assert np.abs(got - want).max() < 0.0015  # EGMS gives 3 decimals


@pytest.mark.parametrize("component", ["U", "E"])
def test_egms_l3_ortho_zip_and_geotiff_hold_the_same_522_cells(component):
    csv_t = imported(rd.L3.format(component, "zip"))
    tif_t = imported(rd.L3.format(component, "tiff"))
    assert detect_format(rd.path(rd.L3.format(component, "tiff"))) == "Velocity raster"
    dates = [d for _, d in csv_t.date_columns()]
    assert (len(csv_t), len(dates), dates[0], dates[-1]) == (522, 304, dt.date(2020, 1, 3),
                                                             dt.date(2024, 12, 25))
    assert {(b - a).days for a, b in zip(dates, dates[1:])} == {6}
    assert epsg(csv_t.crs_wkt) == epsg(tif_t.crs_wkt) == "3035" and len(tif_t) == 522
    assert set(np.round(csv_t.x) % 100) == {50.0} and set(np.round(csv_t.y) % 100) == {50.0}
    at = {(x, y): v for x, y, v in zip(tif_t.x, tif_t.y, tif_t.columns["velocity"])}
    got = np.array([at[(x, y)] for x, y in zip(csv_t.x, csv_t.y)])
    np.testing.assert_allclose(got, csv_t.columns["velocity"], atol=1e-6)  # float32 of 1 decimal
    _, series = csv_t.series()
    diff = rd.egms_fit(days(csv_t), series) - csv_t.columns["velocity"]
    assert np.abs(diff).max() < 0.06


# --- PS layers ---------------------------------------------------------------------------------
def test_boissano_shapefile_in_epsg_3003_with_99_dates_and_vel_as_the_ols_slope():
    t = imported(rd.BOISSANO)
    dates = [d for _, d in t.date_columns()]
    assert (len(t), len(dates), dates[0], dates[-1]) == (1372, 99, dt.date(2003, 3, 17),
                                                         dt.date(2010, 12, 17))
    assert epsg(t.crs_wkt) == "3003"
    ds = ogr.Open(rd.path(rd.BOISSANO))
    vel = {f["CODE"]: f["VEL"] for f in ds.GetLayer(0)}
    assert all(t.columns["velocity"][i] == vel[p] for i, p in enumerate(t.columns["pid"]))
    _, series = t.series()
    assert (series[:, 0] == 0).all()
    slope = rd.ols_slope(days(t), series)
    assert np.median(np.abs(slope - t.columns["velocity"])) < 0.005
    assert np.corrcoef(slope, t.columns["velocity"])[0, 1] > 0.99999
    assert {"HEIGHT", "H_STDEV", "EFF_AREA"} <= set(t.columns)


def test_depsi_csv_in_metres_becomes_mm_without_the_amplitude_families():
    t = imported(rd.DEPSI)
    assert detect_format(rd.path(rd.DEPSI)) == "DePSI"
    dates = [d for _, d in t.date_columns()]
    assert (len(t), len(dates), dates[0], dates[-1]) == (2500, 11, dt.date(2016, 3, 27),
                                                         dt.date(2016, 7, 15))
    assert epsg(t.crs_wkt) == "4326"
    import csv
    with open(rd.path(rd.DEPSI), newline="") as f:
        rows = {r["pnt_id"]: r for r in csv.DictReader(f)}
    d_cols = sorted(k for k in next(iter(rows.values())) if k.startswith("d_"))
    assert len(d_cols) == 11
    _, series = t.series()
    for i in range(0, 2500, 101):
        r = rows[t.columns["pid"][i]]
        assert t.x[i] == float(r["pnt_lon"]) and t.y[i] == float(r["pnt_lat"])
        np.testing.assert_allclose(series[i], [1000.0 * float(r[c]) for c in d_cols], rtol=1e-12)
        assert t.columns["coherence"][i] == float(r["pnt_enscoh"])
    assert (series[:, 0] == 0).all()
    years = rd.decimal_years([d for _, d in t.date_columns()])
    slope = rd.ols_slope(years, series, year=1.0)  # no velocity column: fitted, mm per year
    np.testing.assert_allclose(t.columns["velocity"], slope, rtol=1e-9, atol=1e-9)
    assert "pnt_linear" in t.columns and not any(n.startswith(("a_", "h2ph_")) for n in t.columns)


# --- grids -------------------------------------------------------------------------------------
def test_mintpy_velocity_in_metres_with_its_temporal_coherence_and_masked_zeros_left_out():
    folder = rd.path(rd.MINTPY)
    t = imported(os.path.join(rd.MINTPY, "velocity.h5"))
    with h5py.File(os.path.join(folder, "velocity.h5")) as f:
        v, s, attrs = f["velocity"][()], f["velocityStd"][()], dict(f.attrs)
    with h5py.File(os.path.join(folder, "temporalCoherence.h5")) as f:
        coh = f["temporalCoherence"][()]
    masked = (v == 0) & (s == 0)
    masked[int(attrs["REF_Y"]), int(attrs["REF_X"])] = False
    assert len(t) == v.size - masked.sum() == 291656
    assert epsg(t.crs_wkt) == "4326" and not t.date_columns()
    col = np.round((t.x - float(attrs["X_FIRST"])) / float(attrs["X_STEP"]) - 0.5).astype(int)
    row = np.round((t.y - float(attrs["Y_FIRST"])) / float(attrs["Y_STEP"]) - 0.5).astype(int)
    np.testing.assert_allclose(t.columns["velocity"], 1000.0 * v[row, col].astype(float), rtol=1e-6)
    np.testing.assert_allclose(t.columns["velocity_std"], 1000.0 * s[row, col].astype(float), rtol=1e-6)
    np.testing.assert_allclose(t.columns["coherence"], coh[row, col], rtol=1e-6)
    assert t.columns["heading"][0] == pytest.approx(-169.61518096923828)
    # picking the coherence file imports the velocity beside it
    again = imported(os.path.join(rd.MINTPY, "temporalCoherence.h5"))
    np.testing.assert_array_equal(again.columns["velocity"], t.columns["velocity"])


def test_licsbas_results_folder_without_cum_h5_on_its_dem_par_grid():
    base = rd.path(rd.LICSBAS)
    t = imported(os.path.join(rd.LICSBAS, "results", "vel"))
    shape = (121, 191)

    def raw(name):
        return np.fromfile(os.path.join(base, "results", name), "<f4").reshape(shape)

    vel, mask = raw("vel"), raw("mask")
    keep = np.isfinite(vel) & (mask != 0)
    assert len(t) == keep.sum() and epsg(t.crs_wkt) == "4326"
    row = np.round((t.y - 40.89966842648) / -0.0009999992100000023).astype(int)
    col = np.round((t.x - 14.02994428828) / 0.0009999992099999995).astype(int)
    # GAMMA's corner is the centre of the first pixel: the offsets are whole pixels
    np.testing.assert_allclose((t.x - 14.02994428828) / 0.0009999992099999995, col, atol=1e-6)
    np.testing.assert_allclose(t.columns["velocity"], vel[row, col], rtol=1e-6)
    np.testing.assert_allclose(t.columns["velocity_std"], raw("vstd")[row, col], rtol=1e-6)
    np.testing.assert_allclose(t.columns["coherence"], raw("coh_avg")[row, col], rtol=1e-6)
    np.testing.assert_allclose(t.columns["hgt"], raw("hgt")[row, col], rtol=1e-6)
    assert -88 < np.nanmin(vel[keep]) and np.nanmax(vel[keep]) < 115  # mm/yr, Campi Flegrei uplift
    with pytest.raises(InputError, match="not a velocity; give 'vel'"):
        import_points(os.path.join(base, "results", "coh_avg"))


def test_pyrate_interferogram_becomes_a_two_date_los_series_in_mm():
    relative = os.path.join(rd.PYRATE, "cropA_20180106-20180518_VV_8rlks_eqa_unw.tif")
    t = imported(relative)
    ds = gdal.Open(rd.path(relative))
    tags = ds.GetMetadata()
    phase = ds.GetRasterBand(1).ReadAsArray().astype(float)
    valid = phase != 0  # PyRate's nodata
    assert len(t) == valid.sum() and epsg(t.crs_wkt) == "4326"
    assert [d for _, d in t.date_columns()] == [dt.date(2018, 1, 6), dt.date(2018, 5, 18)]
    gt = ds.GetGeoTransform()
    col = np.floor((t.x - gt[0]) / gt[1]).astype(int)
    row = np.floor((t.y - gt[3]) / gt[5]).astype(int)
    mm = phase[row, col] * float(tags["WAVELENGTH_METRES"]) / (4 * np.pi) * 1000.0
    np.testing.assert_allclose(t.columns["D20180518"], mm, rtol=1e-6)
    assert (t.columns["D20180106"] == 0).all()
    span = (dt.date(2018, 5, 18) - dt.date(2018, 1, 6)).days
    years = 2018 + 137 / 365 - (2018 + 5 / 365)
    assert span == 132
    np.testing.assert_allclose(t.columns["velocity"], mm / years, rtol=1e-9)
    cc = gdal.Open(rd.path(relative.replace("_eqa_unw", "_flat_eqa_cc"))).ReadAsArray().astype(float)
    cc[cc == 0] = np.nan  # the coherence raster's nodata
    np.testing.assert_allclose(t.columns["coherence"], cc[row, col], rtol=1e-6)
    assert t.columns["incidence"][0] == pytest.approx(float(tags["INCIDENCE_DEGREES"]))


def test_envisat_roipac_interferogram_dates_come_from_the_tags():
    t = imported(os.path.join(rd.ENVISAT, "geo_060619-061002_unw.tif"))
    assert [d for _, d in t.date_columns()] == [dt.date(2006, 6, 19), dt.date(2006, 10, 2)]


@pytest.mark.parametrize("relative, words", [
    (os.path.join(rd.PYRATE, "cropA_20180106-20180518_VV_8rlks_flat_eqa_cc.tif"),
     r"coherence raster \(DATA_TYPE=ORIGINAL_COH\), not deformation"),
    ("pyrate-ifg-coherence/cropA_mexico_city_S1/coherence_stats/coh_mean.tif",
     r"coherence raster \(DATA_TYPE=COH_MEAN\)"),
    (os.path.join(rd.PYRATE, "cropA_T005A_dem.tif"), r"without a date in its name.*'Velocity raster'"),
])
def test_files_that_hold_no_deformation_are_refused_with_the_reason(relative, words):
    with pytest.raises(InputError, match=words):
        import_points(rd.path(relative))


def test_string_pids_reach_the_inspector_as_text(tmp_path):
    """EGMS pids are 10-character strings: the inspector's store must show 166ax5Ofja, not b'...'."""
    from insar_fusion.core.timeseries.store import read_store
    from insar_fusion.core.vector_io import write_points

    t = imported(rd.L2B_DSC)
    path = str(tmp_path / "egms.gpkg")
    write_points(path, t.subset(np.arange(0, len(t), 50)))
    store = read_store(path)
    # the store keeps its rows in Z order (nearby points together), so compare as sets of ids
    assert sorted(store.ids) == sorted(t.columns["pid"][::50])
    assert all(isinstance(p, str) for p in store.ids)
