"""The S2 bands and the SLC pair hold the planted NDVI-coherence law (checked with numpy and GDAL only)."""
import csv
import datetime as dt

import numpy as np
import pytest
from osgeo import gdal

import scenetest as st

gdal.UseExceptions()


@pytest.fixture(scope="module")
def t(scene):
    return st.truth(scene)


@pytest.fixture(scope="module")
def pair(scene):
    row = next(csv.DictReader(open(scene / "slc" / "pairs.csv")))
    return dt.date.fromisoformat(row["reference"]), dt.date.fromisoformat(row["secondary"]), float(row["bperp"])


def _ndvi(scene, date):
    tag = date.strftime("%Y%m%d")
    red = gdal.Open(str(scene / "s2" / f"s2_{tag}_red.tif")).ReadAsArray().astype(float)
    nir = gdal.Open(str(scene / "s2" / f"s2_{tag}_nir.tif")).ReadAsArray().astype(float)
    return (nir - red) / (nir + red)


def _s2_dates(scene):
    return sorted(dt.datetime.strptime(p.name[3:11], "%Y%m%d").date() for p in (scene / "s2").glob("*_red.tif"))


def test_s2_ndvi_spans_bare_desert_to_dense_crops(scene):
    ndvi = _ndvi(scene, _s2_dates(scene)[1])
    lo, hi = np.percentile(ndvi, [2, 98])
    assert lo < 0.15 and hi > 0.75


def test_pair_bperp_is_the_difference_of_the_track_baselines(scene, t, pair):
    ref, sec, bperp = pair
    rows = {r["date"]: float(r["bperp"]) for r in csv.DictReader(open(scene / "insar" / "T128_acquisitions.csv"))}
    assert bperp == pytest.approx(rows[sec.isoformat()] - rows[ref.isoformat()], abs=0.011)
    assert t["coherence"]["bperp_m"] == pytest.approx(bperp, abs=0.01)
    assert (scene / "slc" / f"slc_{ref:%Y%m%d}.tif").is_file() and (scene / "slc" / f"slc_{sec:%Y%m%d}.tif").is_file()


def _ndvi25(scene, ref, sec):
    """Max of the S2 NDVI between the SLC dates, averaged onto the 25 m SLC grid by GDAL."""
    between = [d for d in _s2_dates(scene) if ref <= d <= sec]
    assert len(between) >= 1
    mvc = np.max([_ndvi(scene, d) for d in between], axis=0)
    src = gdal.Open(str(scene / "s2" / f"s2_{between[0]:%Y%m%d}_red.tif"))
    mem = gdal.GetDriverByName("MEM").Create("", src.RasterXSize, src.RasterYSize, 1, gdal.GDT_Float64)
    mem.SetGeoTransform(src.GetGeoTransform())
    mem.SetProjection(src.GetProjection())
    mem.GetRasterBand(1).WriteArray(mvc)
    slc = gdal.Open(str(scene / "slc" / f"slc_{ref:%Y%m%d}.tif"))
    gt = slc.GetGeoTransform()
    bounds = (gt[0], gt[3] + gt[5] * slc.RasterYSize, gt[0] + gt[1] * slc.RasterXSize, gt[3])
    out = gdal.Warp("", mem, format="MEM", outputBounds=bounds, width=slc.RasterXSize,
                    height=slc.RasterYSize, resampleAlg="average")
    return out.ReadAsArray()


def test_true_coherence_is_the_exponential_law_of_the_25_m_ndvi(scene, t, pair):
    ref, sec, _ = pair
    c = t["coherence"]
    ndvi25 = _ndvi25(scene, ref, sec)
    gamma, _ = st.raster(scene, "slc/coherence_true.tif")
    law = np.clip(c["a"] * np.exp(c["b"] * ndvi25) + c["c"], 0, 0.99)
    ratio = gamma / law
    assert c["slope_term"]["min"] - 1e-4 <= ratio.min() and ratio.max() <= c["slope_term"]["max"] + 1e-4
    assert 0.95 < ratio.min() <= 1.0
    assert gamma.min() < 0.4 and gamma.max() > 0.85  # from dense crops to bare ground
    assert c["a"] * np.exp(c["b"] * 0.1) + c["c"] == pytest.approx(0.9, abs=0.02)
    assert c["a"] * np.exp(c["b"] * 0.8) + c["c"] == pytest.approx(0.3, abs=0.02)


def test_sample_coherence_of_the_slc_pair_matches_the_true_coherence(scene, t):
    ref, sec = (dt.date.fromisoformat(t["coherence"][k]) for k in ("reference", "secondary"))
    s1 = gdal.Open(str(scene / "slc" / f"slc_{ref:%Y%m%d}.tif")).ReadAsArray().astype(np.complex128)
    s2 = gdal.Open(str(scene / "slc" / f"slc_{sec:%Y%m%d}.tif")).ReadAsArray().astype(np.complex128)
    gamma, _ = st.raster(scene, "slc/coherence_true.tif")
    n = 10  # 10 x 10 windows: 100 looks, where the planted phase ramp is nearly constant

    def blocks(a):
        h, w = (a.shape[0] // n) * n, (a.shape[1] // n) * n
        return a[:h, :w].reshape(h // n, n, w // n, n).sum(axis=(1, 3))
    est = np.abs(blocks(s1 * np.conj(s2))) / np.sqrt(blocks(np.abs(s1) ** 2) * blocks(np.abs(s2) ** 2))
    true = blocks(gamma) / n ** 2
    assert np.corrcoef(est.ravel(), true.ravel())[0, 1] > 0.95
    assert abs(np.mean(est - true)) < 0.02
    assert np.mean(np.abs(est - true)) < 0.05
    ratio = np.mean(np.abs(s2) ** 2) / np.mean(np.abs(s1) ** 2)
    assert ratio == pytest.approx(1.0, abs=0.05)  # same backscatter in both images
    assert t["coherence"]["looks"] == 1
