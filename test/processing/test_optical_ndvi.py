"""insarfusion:ndvi through processing.run, against NDVI computed independently with numpy."""
import os

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException, QgsRasterLayer

import iftest
import optical_data as od


def _bands(n=37, m=53, seed=1):
    rng = np.random.default_rng(seed)
    red = rng.integers(0, 4000, (n, m)).astype(np.uint16)
    nir = rng.integers(0, 6000, (n, m)).astype(np.uint16)
    red[3, 4] = nir[3, 4] = 0            # zero denominator
    red[5, 6] = 65535                    # nodata in red
    nir[7, 8] = 65535                    # nodata in nir
    return red, nir


def _numpy_ndvi(red, nir, scale=1.0, offset=0.0, nodata=65535):
    r = red.astype(np.float64) * scale + offset
    n = nir.astype(np.float64) * scale + offset
    bad = (red == nodata) | (nir == nodata) | (n + r <= 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.clip((n - r) / (n + r), -1, 1)
    out[bad] = np.nan
    return out


def test_ndvi_of_two_rasters_matches_numpy_and_masks_nodata_and_zero_sums(run_alg, tmp_path):
    red, nir = _bands()
    rp = od.write(tmp_path / "b04.tif", red, nodata=65535, dtype=gdal.GDT_UInt16, tiled=True)
    np_ = od.write(tmp_path / "b08.tif", nir, nodata=65535, dtype=gdal.GDT_UInt16)
    out = str(tmp_path / "ndvi.tif")
    res, fb = run_alg("ndvi", {"RED": rp, "NIR": np_, "SCALE": 0.0001, "OUTPUT": out})
    assert res["OUTPUT"] == out
    got = od.read(out)
    want = _numpy_ndvi(red, nir, 0.0001)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(want)], want[~np.isnan(want)], rtol=0, atol=2e-6)
    assert np.isnan(got[3, 4]) and np.isnan(got[5, 6]) and np.isnan(got[7, 8])
    ds = gdal.Open(out)
    assert ds.GetRasterBand(1).DataType == gdal.GDT_Float32
    assert ds.GetGeoTransform() == gdal.Open(rp).GetGeoTransform()
    assert "3 nodata" in fb.text()


def test_offset_changes_ndvi_as_reflectance_formula_says(run_alg, tmp_path):
    red, nir = _bands(seed=2)
    red[red < 1200] = 1200  # keep reflectance positive after the offset
    nir[nir < 1200] = 1200
    stack = np.stack([nir, red, nir])
    sp = od.write(tmp_path / "stack.tif", stack, nodata=65535, dtype=gdal.GDT_UInt16)
    out = str(tmp_path / "ndvi.tif")
    run_alg("ndvi", {"RED": sp, "RED_BAND": 2, "NIR_BAND": 3, "SCALE": 0.0001, "OFFSET": -0.1,
                     "OUTPUT": out})
    want = _numpy_ndvi(red, nir, 0.0001, -0.1)
    got = od.read(out)
    ok = ~np.isnan(want)
    np.testing.assert_allclose(got[ok], want[ok], atol=5e-6)


def test_negative_reflectance_is_clipped_to_minus_one_one(run_alg, tmp_path):
    red = np.array([[-0.05, 0.2, 0.0]], dtype=np.float32)
    nir = np.array([[0.4, -0.05, 0.0]], dtype=np.float32)
    rp, np_ = od.write(tmp_path / "r.tif", red), od.write(tmp_path / "n.tif", nir)
    out = str(tmp_path / "ndvi.tif")
    run_alg("ndvi", {"RED": rp, "NIR": np_, "OUTPUT": out})
    got = od.read(out)[0]
    assert got[0] == 1.0 and got[1] == -1.0 and np.isnan(got[2])


def test_coarser_nir_is_averaged_onto_the_red_grid(run_alg, tmp_path):
    rng = np.random.default_rng(3)
    nir20 = rng.uniform(0.2, 0.5, (10, 12)).astype(np.float32)
    red10 = rng.uniform(0.02, 0.1, (20, 24)).astype(np.float32)
    rp = od.write(tmp_path / "red.tif", red10, pixel=10.0)
    np_ = od.write(tmp_path / "nir.tif", nir20, pixel=20.0)
    out = str(tmp_path / "ndvi.tif")
    _, fb = run_alg("ndvi", {"RED": rp, "NIR": np_, "OUTPUT": out})
    nir_on_red = np.repeat(np.repeat(nir20.astype(float), 2, 0), 2, 1)  # 10 m cells inside 20 m ones
    want = (nir_on_red - red10) / (nir_on_red + red10)
    np.testing.assert_allclose(od.read(out), want, atol=2e-6)
    assert "resampled" in fb.text()


def test_output_is_styled_with_a_green_ramp_in_a_qml_sidecar(run_alg, tmp_path):
    red, nir = _bands()
    rp = od.write(tmp_path / "r.tif", red, nodata=65535, dtype=gdal.GDT_UInt16)
    np_ = od.write(tmp_path / "n.tif", nir, nodata=65535, dtype=gdal.GDT_UInt16)
    out = str(tmp_path / "ndvi.tif")
    run_alg("ndvi", {"RED": rp, "NIR": np_, "OUTPUT": out})
    assert os.path.exists(str(tmp_path / "ndvi.qml"))
    layer = QgsRasterLayer(out, "ndvi", "gdal")
    assert layer.renderer().type() == "singlebandpseudocolor"
    items = layer.renderer().shader().rasterShaderFunction().colorRampItemList()
    top = items[-1].color
    assert (items[0].value, items[-1].value) == (0.0, 1.0)
    assert top.green() > top.red() and top.green() > top.blue()


def test_band_out_of_range_is_refused_without_output(run_alg, tmp_path):
    red, nir = _bands()
    sp = od.write(tmp_path / "stack.tif", np.stack([red, nir]), dtype=gdal.GDT_UInt16)
    before = iftest.sha256(sp)
    out = str(tmp_path / "ndvi.tif")
    with pytest.raises(QgsProcessingException, match="Band 5 does not exist.*has 2 band"):
        run_alg("ndvi", {"RED": sp, "RED_BAND": 1, "NIR_BAND": 5, "OUTPUT": out})
    assert not os.path.exists(out)
    assert iftest.sha256(sp) == before


def test_same_band_for_red_and_nir_is_refused(run_alg, tmp_path):
    red, nir = _bands()
    sp = od.write(tmp_path / "stack.tif", np.stack([red, nir]), dtype=gdal.GDT_UInt16)
    out = str(tmp_path / "ndvi.tif")
    with pytest.raises(QgsProcessingException, match="both band 1"):
        run_alg("ndvi", {"RED": sp, "OUTPUT": out})
    assert not os.path.exists(out)


@pytest.mark.parametrize("case", ["no_overlap", "other_crs"])
def test_nir_that_does_not_overlap_or_has_another_crs_is_refused(run_alg, tmp_path, case):
    red, nir = _bands()
    rp = od.write(tmp_path / "r.tif", red, dtype=gdal.GDT_UInt16)
    kw = {"x0": 900000.0} if case == "no_overlap" else {"epsg": 32648}
    np_ = od.write(tmp_path / "n.tif", nir, dtype=gdal.GDT_UInt16, **kw)
    before = iftest.sha256(np_)
    out = str(tmp_path / "ndvi.tif")
    words = "does not overlap" if case == "no_overlap" else "UTM zone 48N.*UTM zone 47N"
    with pytest.raises(QgsProcessingException, match=words):
        run_alg("ndvi", {"RED": rp, "NIR": np_, "OUTPUT": out})
    assert not os.path.exists(out)
    assert iftest.sha256(np_) == before


def test_cancel_stops_the_run_and_leaves_no_output(run_alg, tmp_path, monkeypatch):
    red, nir = _bands(1100, 600)
    rp = od.write(tmp_path / "r.tif", red, dtype=gdal.GDT_UInt16)
    np_ = od.write(tmp_path / "n.tif", nir, dtype=gdal.GDT_UInt16)
    out = str(tmp_path / "ndvi.tif")
    fb = iftest.LogFeedback.create()
    fb.progressChanged.connect(lambda p: fb.cancel() if p > 0 else None)
    from insar_fusion.core.optical import stack
    monkeypatch.setattr(stack, "STRIP_PIXELS", 256 * 256)  # 5 strips x 3 windows
    with pytest.raises(QgsProcessingException, match="cancelled"):
        run_alg("ndvi", {"RED": rp, "NIR": np_, "OUTPUT": out}, feedback=fb)
    assert not os.path.exists(out)
    assert 0 < max(fb.progress_values) < 10  # stopped at the window after the cancel
    assert sorted(os.listdir(tmp_path)) == ["n.tif", "r.tif"]  # no temporary files left
