"""The sample scene writes every file of the contract (docs/scene.md), in EPSG:32647, with truth.json."""
import csv
import datetime as dt
import json

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

gdal.UseExceptions()

MONTHS = [f"{y}{m:02d}" for y in (2019, 2020) for m in range(1, 13)]
EGMS_COLUMNS = ["pid", "easting", "northing", "height", "incidence_angle", "los_up", "mean_velocity",
                "mean_velocity_std", "temporal_coherence"]


@pytest.fixture(scope="module")
def truth(scene):
    return json.loads((scene / "truth.json").read_text())


def _epsg(wkt):
    srs = osr.SpatialReference()
    srs.ImportFromWkt(wkt)
    srs.AutoIdentifyEPSG()
    return srs.GetAuthorityCode(None)


def test_every_contract_file_exists(scene):
    expected = ["truth.json", "dem.tif", "landcover.tif", "regions.gpkg", "slc/pairs.csv",
                "slc/coherence_true.tif"]
    for t in ("T128", "T026"):
        expected += [f"insar/{t}_egms.csv", f"insar/{t}_acquisitions.csv"]
    for m in MONTHS:
        expected += [f"ndvi/ndvi_{m}.tif", f"soil_moisture/sm_{m}.tif", f"precipitation/precip_{m}.tif"]
    missing = [p for p in expected if not (scene / p).is_file()]
    assert missing == []
    assert len(list((scene / "s2").glob("s2_*_red.tif"))) >= 2
    assert len(list((scene / "s2").glob("s2_*_nir.tif"))) == len(list((scene / "s2").glob("s2_*_red.tif")))
    assert len(list((scene / "slc").glob("slc_*.tif"))) == 2


def test_truth_has_every_contract_key(truth):
    for key in ("seed", "size", "crs", "extent", "tracks", "track_offset", "zones", "lags_days", "screen",
                "change", "gwr", "ols", "coherence", "noise"):
        assert key in truth, key
    assert truth["crs"] == "EPSG:32647" and truth["seed"] == 42 and truth["size"] == "small"
    for t in ("T128", "T026"):
        for k in ("direction", "incidence_range_deg", "n_dates", "first_date", "last_date", "n_points",
                  "rate_noise_mm_yr", "series_noise_mm"):
            assert k in truth["tracks"][t], (t, k)
    for k in ("reference", "secondary", "constant_mm_yr", "ramp_x_mm_yr_per_km", "ramp_y_mm_yr_per_km",
              "origin", "overlap_extent"):
        assert k in truth["track_offset"], k
    for name in ("P1", "P2", "P3", "P4", "P5", "P6"):
        z = truth["zones"][name]
        for k in ("kind", "centre", "radius_m", "peak_rate_mm_yr", "seasonal_amplitude_mm",
                  "seasonal_peak_doy", "significant", "removed_by"):
            assert k in z, (name, k)
        assert set(truth["change"][name]) >= {"ndvi_interannual", "ndvi_seasonal", "sm_interannual",
                                              "sm_seasonal"}
        assert name in truth["ols"]
    for b in ("b0", "b1", "b2"):
        assert set(truth["gwr"][b]) >= {"const", "per_km_x", "per_km_y", "origin"}
    for k in ("law", "a", "b", "c", "slope_term", "looks", "bperp_m", "reference", "secondary"):
        assert k in truth["coherence"], k
    assert set(truth["screen"]) >= {"dem_max", "ndvi_min", "ndvi_max"}


def test_every_raster_is_in_utm_47n_inside_the_extent(scene, truth):
    xmin, ymin, xmax, ymax = truth["extent"]
    for path in sorted(scene.rglob("*.tif")):
        ds = gdal.Open(str(path))
        assert _epsg(ds.GetProjection()) == "32647", path.name
        x0, dx, _, y0, _, dy = ds.GetGeoTransform()
        assert dx > 0 and dy < 0
        assert xmin - 1e-6 <= x0 and x0 + dx * ds.RasterXSize <= xmax + 1e-6, path.name
        assert ymin - 1e-6 <= y0 + dy * ds.RasterYSize and y0 <= ymax + 1e-6, path.name


def test_raster_types_resolutions_and_units(scene):
    def info(rel):
        ds = gdal.Open(str(scene / rel))
        b = ds.GetRasterBand(1)
        return ds.GetGeoTransform()[1], gdal.GetDataTypeName(b.DataType), b.GetNoDataValue(), b.ReadAsArray()

    res, typ, nodata, ndvi = info("ndvi/ndvi_201907.tif")
    assert (res, typ) == (250.0, "Float32") and np.isnan(nodata)
    assert -0.2 <= np.nanmin(ndvi) and np.nanmax(ndvi) <= 1.0
    res, typ, _, sm = info("soil_moisture/sm_202007.tif")
    assert (res, typ) == (1000.0, "Float32") and 0.0 < sm.min() and sm.max() <= 0.5  # m3/m3
    res, typ, _, pr = info("precipitation/precip_201908.tif")
    assert res == 1000.0 and pr.min() >= 0.0 and 5.0 < pr.mean() < 150.0  # mm/month
    res, typ, nodata, red = info("s2/s2_20190811_red.tif")
    assert (res, typ, nodata) == (10.0, "UInt16", 0.0) and red.max() <= 10000
    res, typ, _, slc = info("slc/slc_20190809.tif")
    assert (res, typ) == (25.0, "CFloat32") and np.iscomplexobj(slc)
    res, typ, nodata, lc = info("landcover.tif")
    assert typ == "Byte" and set(np.unique(lc)) <= {1, 2, 3, 4, 5, 6, 7}
    ds = gdal.Open(str(scene / "landcover.tif"))
    assert ds.GetRasterBand(1).GetColorTable() is not None  # (this also loads the .aux.xml names)
    names = ds.GetRasterBand(1).GetCategoryNames()
    assert names[1] == "farmland" and names[6] == "water"


def test_egms_csv_columns_dates_and_revisit(scene, truth):
    for t in ("T128", "T026"):
        with open(scene / "insar" / f"{t}_egms.csv", newline="") as f:
            header = next(csv.reader(f))
        assert header[:9] == EGMS_COLUMNS
        dates = [dt.datetime.strptime(h, "%Y%m%d").date() for h in header[9:]]
        tr = truth["tracks"][t]
        assert 47 <= len(dates) <= 61 and len(dates) == tr["n_dates"]
        assert dates[0].isoformat() == tr["first_date"] and dates[-1].isoformat() == tr["last_date"]
        steps = {(b - a).days for a, b in zip(dates, dates[1:])}
        assert steps <= {12, 24} and dates[0].year == 2019 and dates[-1].year == 2020
        acq = list(csv.DictReader(open(scene / "insar" / f"{t}_acquisitions.csv")))
        assert [a["date"] for a in acq] == [d.isoformat() for d in dates]
        assert all(abs(float(a["bperp"])) <= 150 for a in acq)


def test_regions_gpkg_holds_p1_to_p6_polygons(scene):
    ds = ogr.Open(str(scene / "regions.gpkg"))
    lyr = ds.GetLayerByName("regions")
    assert ds.GetLayer(0).GetName() == "regions"
    names = sorted(f.GetField("name") for f in lyr)
    assert names == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert _epsg(lyr.GetSpatialRef().ExportToWkt()) == "32647"
    assert all(f.GetGeometryRef().GetArea() > 1e6 for f in lyr)
