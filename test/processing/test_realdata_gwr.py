"""insarfusion:gwr on the real house-price points against the published AICc and R²
(FastGWR/mgwr for Zillow, GWmodel for London), the layers built from the CSVs as a user would."""
import csv

import numpy as np
import pytest
from osgeo import ogr, osr

import realdata as rd

KERNELS = ("bisquare", "gaussian", "exponential", "box")  # the algorithm's KERNEL choices


def _layer(relative, out, epsg, xf, yf):
    """A GeoPackage point layer from a CSV with x/y columns (what 'Add delimited text' gives)."""
    with open(rd.path(relative), newline="") as f:
        rows = list(csv.DictReader(f))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(out))
    lyr = ds.CreateLayer("points", srs, ogr.wkbPoint)
    names = [n for n in rows[0] if n not in (xf, yf)]
    for n in names:
        lyr.CreateField(ogr.FieldDefn(n, ogr.OFTReal))
    lyr.StartTransaction()
    for r in rows:
        feat = ogr.Feature(lyr.GetLayerDefn())
        for n in names:
            feat.SetField(n, float(r[n]))
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(float(r[xf]), float(r[yf]))
        feat.SetGeometry(g)
        lyr.CreateFeature(feat)
    lyr.CommitTransaction()
    ds = None
    return str(out)


def test_gwr_algorithm_on_zillow_gives_fastgwr_aicc_and_r2(run_alg, tmp_path):
    src = _layer("gwr-zillow-fastgwr/zillow_5k.csv", tmp_path / "zillow.gpkg", 32611, "utmX", "utmY")
    common = {"INPUT": src, "DEPENDENT": "value", "EXPLANATORY": ["nbaths", "nbeds", "area", "age"]}
    res, _ = run_alg("gwr", dict(common, BANDWIDTH=0.0, KERNEL=KERNELS.index("bisquare"),
                                 ADAPTIVE_NEIGHBOURS=121, OUTPUT=str(tmp_path / "adaptive.gpkg")))
    assert res["AICC"] == pytest.approx(61867.18296256346, rel=1e-10)
    assert res["R2"] == pytest.approx(0.7741417970962883, rel=1e-10)
    assert res["TR_S"] == pytest.approx(528.2622212380004, rel=1e-10)
    res, _ = run_alg("gwr", dict(common, BANDWIDTH=1495.04, KERNEL=KERNELS.index("gaussian"),
                                 OUTPUT=str(tmp_path / "fixed.gpkg")))
    assert res["AICC"] == pytest.approx(61011.90437602184, rel=1e-10)
    assert res["R2"] == pytest.approx(0.8443763943519637, rel=1e-10)


@pytest.mark.parametrize("bandwidth, k, aicc, r2", [(0.0, 36, 2448.27206524754, 0.708010632044736),
                                                    (5000.0, None, 2447.676281164379, 0.701466295457)])
def test_gwr_algorithm_on_london_gives_gwmodel_aicc_and_r2(run_alg, tmp_path, bandwidth, k, aicc, r2):
    src = _layer("gwr-londonhp-gwmodel/londonhp100.csv", tmp_path / "london.gpkg", 27700, "x", "y")
    params = {"INPUT": src, "DEPENDENT": "PURCHASE", "EXPLANATORY": ["FLOORSZ", "UNEMPLOY", "PROF"],
              "BANDWIDTH": bandwidth, "KERNEL": KERNELS.index("gaussian"), "EXACT": True,
              "OUTPUT": str(tmp_path / "gwr.gpkg")}
    if k:
        params["ADAPTIVE_NEIGHBOURS"] = k
    res, _ = run_alg("gwr", params)
    assert res["AICC"] == pytest.approx(aicc, rel=1e-9)
    assert res["R2"] == pytest.approx(r2, rel=1e-7)
    assert np.isfinite(res["ENP"])
