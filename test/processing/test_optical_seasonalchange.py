"""insarfusion:seasonalchange against planted change in a synthetic monthly stack."""
import os

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsRasterLayer

import iftest
import optical_data as od

SHAPE = (16, 20)


def _stack(tmp_path, prefix="ndvi", base=0.2, seed=0):
    """Monthly rasters 2019-01..2020-12: base + season, plus a planted gain in a farm zone in 2020.

    Returns (paths, truth) with truth = {"interannual", "seasonal"} arrays and the farm mask.
    """
    rng = np.random.default_rng(seed)
    farm = np.zeros(SHAPE, bool)
    farm[4:10, 5:14] = True
    field = base + 0.05 * rng.random(SHAPE)
    gain = np.where(farm, 0.12, 0.0)  # planted interannual change (2020 vs 2019), summer only
    paths, months = [], {}
    for year in (2019, 2020):
        for month in range(1, 13):
            season = 0.4 * np.sin(np.pi * (month - 1) / 11) * np.where(farm, 1.0, 0.25)
            a = field + season + (gain if (year == 2020 and month == 7) else 0.0)
            months[(year, month)] = a
            paths.append(od.write(tmp_path / f"{prefix}_{year}{month:02d}.tif", a.astype(np.float32)))
    truth = {"interannual": months[(2020, 7)] - months[(2019, 7)],
             "seasonal": months[(2020, 7)] - months[(2020, 1)]}
    return paths, truth, farm, months


def test_interannual_and_seasonal_change_match_the_planted_change(run_alg, tmp_path):
    paths, truth, farm, _ = _stack(tmp_path)
    inter, seas = str(tmp_path / "inter.tif"), str(tmp_path / "seas.tif")
    res, fb = run_alg("seasonalchange", {"INPUTS": paths, "YEAR_A": 2019, "YEAR_B": 2020,
                                         "OUTPUT_INTERANNUAL": inter, "OUTPUT_SEASONAL": seas})
    np.testing.assert_allclose(od.read(inter), truth["interannual"], atol=1e-6)
    np.testing.assert_allclose(od.read(seas), truth["seasonal"], atol=1e-6)
    assert od.read(inter)[farm].mean() == pytest.approx(0.12, abs=1e-6)  # the planted gain
    assert np.abs(od.read(inter)[~farm]).max() < 1e-6
    assert "ndvi_202007.tif" in fb.text() and "ndvi_202001.tif" in fb.text()


def test_default_years_are_the_last_summer_and_the_year_before(run_alg, tmp_path):
    paths, truth, _, _ = _stack(tmp_path, prefix="sm", base=0.1)
    inter, seas = str(tmp_path / "inter.tif"), str(tmp_path / "seas.tif")
    res, _ = run_alg("seasonalchange", {"INPUTS": paths, "OUTPUT_INTERANNUAL": inter,
                                        "OUTPUT_SEASONAL": seas})
    assert (res["YEAR_A_USED"], res["YEAR_B_USED"]) == (2019, 2020)
    np.testing.assert_allclose(od.read(inter), truth["interannual"], atol=1e-6)


def test_several_rasters_in_a_month_are_averaged_first(run_alg, tmp_path):
    rng = np.random.default_rng(3)
    jul19 = [rng.uniform(0, 0.8, SHAPE).astype(np.float32) for _ in range(3)]
    jul20 = [rng.uniform(0, 0.8, SHAPE).astype(np.float32) for _ in range(2)]
    jan20 = [rng.uniform(0, 0.3, SHAPE).astype(np.float32)]
    jul20[1][0, 0] = np.nan  # nodata in one of two: the month value is the other one
    paths = []
    for dates, arrays in ((("20190703", "20190713", "20190728"), jul19),
                          (("20200705", "20200720"), jul20), (("20200110",), jan20)):
        paths += [od.write(tmp_path / f"ndvi_{d}.tif", a) for d, a in zip(dates, arrays)]
    inter, seas = str(tmp_path / "inter.tif"), str(tmp_path / "seas.tif")
    run_alg("seasonalchange", {"INPUTS": paths, "YEAR_A": 2019, "YEAR_B": 2020,
                               "OUTPUT_INTERANNUAL": inter, "OUTPUT_SEASONAL": seas})
    with np.errstate(all="ignore"):
        m19 = np.mean(np.stack(jul19).astype(float), axis=0)
        m20 = np.nanmean(np.stack(jul20).astype(float), axis=0)
    np.testing.assert_allclose(od.read(inter), m20 - m19, atol=1e-6)
    np.testing.assert_allclose(od.read(seas), m20 - jan20[0], atol=1e-6)
    assert od.read(inter)[0, 0] == pytest.approx(jul20[0][0, 0] - m19[0, 0], abs=1e-6)


def test_change_rasters_get_a_diverging_ramp_centred_on_zero(run_alg, tmp_path):
    paths, _, _, _ = _stack(tmp_path)
    inter, seas = str(tmp_path / "inter.tif"), str(tmp_path / "seas.tif")
    run_alg("seasonalchange", {"INPUTS": paths, "OUTPUT_INTERANNUAL": inter, "OUTPUT_SEASONAL": seas})
    for path in (inter, seas):
        assert os.path.exists(os.path.splitext(path)[0] + ".qml")
        layer = QgsRasterLayer(path, "c", "gdal")  # keep it alive while its renderer is used
        items = layer.renderer().shader().rasterShaderFunction().colorRampItemList()
        assert items[0].value == pytest.approx(-items[-1].value) and items[-1].value > 0
        assert items[len(items) // 2].value == pytest.approx(0.0, abs=1e-12)


def test_a_missing_month_is_refused_without_output(run_alg, tmp_path):
    paths, _, _, _ = _stack(tmp_path)
    paths = [p for p in paths if not p.endswith("ndvi_201907.tif")]
    before = iftest.sha256(paths[0])
    inter, seas = str(tmp_path / "inter.tif"), str(tmp_path / "seas.tif")
    with pytest.raises(QgsProcessingException, match="No input falls in July 2019"):
        run_alg("seasonalchange", {"INPUTS": paths, "YEAR_A": 2019, "YEAR_B": 2020,
                                   "OUTPUT_INTERANNUAL": inter, "OUTPUT_SEASONAL": seas})
    assert not os.path.exists(inter) and not os.path.exists(seas)
    assert iftest.sha256(paths[0]) == before


def test_the_same_year_twice_is_refused(run_alg, tmp_path):
    paths, _, _, _ = _stack(tmp_path)
    with pytest.raises(QgsProcessingException, match="both 2020"):
        run_alg("seasonalchange", {"INPUTS": paths, "YEAR_A": 2020, "YEAR_B": 2020,
                                   "OUTPUT_INTERANNUAL": str(tmp_path / "i.tif"),
                                   "OUTPUT_SEASONAL": str(tmp_path / "s.tif")})
