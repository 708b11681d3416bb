"""insarfusion:coherence and insarfusion:baselinecorrelation through processing.run."""
import math
import os

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException, QgsRasterLayer

import cohsim
import iftest


def brute_force(s1, s2, wy, wx):
    """Per-pixel window sums in complex128 (truncated windows at the edges)."""
    s1, s2 = np.asarray(s1, np.complex128), np.asarray(s2, np.complex128)
    h, w = s1.shape
    top, left = (wy - 1) // 2, (wx - 1) // 2
    out = np.empty((h, w))
    for i in range(h):
        for j in range(w):
            sl = (slice(max(0, i - top), i - top + wy), slice(max(0, j - left), j - left + wx))
            a, b = s1[sl], s2[sl]
            out[i, j] = abs(np.sum(a * np.conj(b))) / math.sqrt(np.sum(abs(a) ** 2) * np.sum(abs(b) ** 2))
    return out


@pytest.fixture
def slcs(tmp_path):
    rng = np.random.default_rng(21)
    g = np.linspace(0.15, 0.95, 37)[None, :] * np.ones((29, 1))
    s1, s2 = cohsim.slc_pair(g, (29, 37), rng, 900.0, 400.0)
    ref = cohsim.write_raster(tmp_path / "ref.tif", s1, 25.0)
    sec = cohsim.write_raster(tmp_path / "sec.tif", s2, 25.0)
    return s1, s2, ref, sec


def test_slc_pair_coherence_equals_window_sums(run_alg, slcs, tmp_path):
    s1, s2, ref, sec = slcs
    out = str(tmp_path / "coh.tif")
    res, fb = run_alg("coherence", {"REFERENCE": ref, "SECONDARY": sec, "WINDOW_X": 5,
                                    "WINDOW_Y": 3, "OUTPUT": out})
    got = cohsim.read_raster(out)
    expected = brute_force(s1, s2, 3, 5)
    np.testing.assert_allclose(got, expected, atol=2e-6)
    assert res["MEAN_COHERENCE"] == pytest.approx(expected.mean(), abs=1e-5)
    assert res["VALID_FRACTION"] == 1.0
    ds = gdal.Open(out)
    assert ds.GetRasterBand(1).DataType == gdal.GDT_Float32
    assert ds.GetGeoTransform() == gdal.Open(ref).GetGeoTransform()
    assert "5 x 3 window" in fb.text()


def test_cint16_and_two_band_real_imaginary_inputs_are_read_as_complex(run_alg, slcs, tmp_path):
    s1, s2, _, _ = slcs
    q1, q2 = np.round(s1 * 20), np.round(s2 * 20)  # what a CInt16 file holds (no exact 0)
    assert np.all(q1 != 0) and np.all(q2 != 0)
    ref = cohsim.write_raster(tmp_path / "ref16.tif", q1, 25.0, dtype=gdal.GDT_CInt16)
    sec = cohsim.write_raster(tmp_path / "sec2b.tif", np.stack([q2.real, q2.imag]).astype(np.float32), 25.0)
    out = str(tmp_path / "coh.tif")
    run_alg("coherence", {"REFERENCE": ref, "SECONDARY": sec, "WINDOW_X": 4, "WINDOW_Y": 4,
                          "OUTPUT": out})
    np.testing.assert_allclose(cohsim.read_raster(out), brute_force(q1, q2, 4, 4), atol=2e-6)


def test_interferogram_phase_and_amplitudes_give_the_slc_coherence(run_alg, slcs, tmp_path):
    s1, s2, _, _ = slcs
    ifg = s1 * np.conj(s2)
    phase = cohsim.write_raster(tmp_path / "phase.tif", np.angle(ifg).astype(np.float32), 25.0)
    cplx = cohsim.write_raster(tmp_path / "ifg.tif", ifg.astype(np.complex64), 25.0)
    a1 = cohsim.write_raster(tmp_path / "a1.tif", np.abs(s1).astype(np.float32), 25.0)
    a2 = cohsim.write_raster(tmp_path / "a2.tif", np.abs(s2).astype(np.float32), 25.0)
    expected = brute_force(s1, s2, 5, 5)
    for i, src in enumerate((phase, cplx)):
        out = str(tmp_path / f"coh{i}.tif")
        run_alg("coherence", {"MODE": 1, "INTERFEROGRAM": src, "AMPLITUDE_1": a1,
                              "AMPLITUDE_2": a2, "OUTPUT": out})
        np.testing.assert_allclose(cohsim.read_raster(out), expected, atol=5e-6)


def test_output_is_styled_from_0_to_1(run_alg, slcs, tmp_path):
    _, _, ref, sec = slcs
    out = str(tmp_path / "coh.tif")
    run_alg("coherence", {"REFERENCE": ref, "SECONDARY": sec, "OUTPUT": out})
    assert os.path.exists(str(tmp_path / "coh.qml"))
    layer = QgsRasterLayer(out, "coh", "gdal")
    assert layer.renderer().type() == "singlebandpseudocolor"
    assert (layer.renderer().classificationMin(), layer.renderer().classificationMax()) == (0.0, 1.0)


def _refused(run_alg, params, words, inputs, out):
    before = [iftest.sha256(p) for p in inputs]
    with pytest.raises(QgsProcessingException, match=words):
        run_alg("coherence", dict(params, OUTPUT=out))
    assert not os.path.exists(out)
    assert [iftest.sha256(p) for p in inputs] == before


def test_non_complex_raster_given_as_slc_is_refused(run_alg, slcs, tmp_path):
    _, _, ref, _ = slcs
    real = cohsim.write_raster(tmp_path / "amp.tif", np.ones((29, 37), np.float32), 25.0)
    _refused(run_alg, {"REFERENCE": ref, "SECONDARY": real}, "is not complex: it has one real band",
             [ref, real], str(tmp_path / "coh.tif"))


def test_slcs_on_different_grids_are_refused(run_alg, slcs, tmp_path):
    s1, _, ref, _ = slcs
    other = cohsim.write_raster(tmp_path / "crop.tif", s1[:, :30], 25.0)
    _refused(run_alg, {"REFERENCE": ref, "SECONDARY": other}, "different grids: 37 x 29 pixels "
             "against 30 x 29", [ref, other], str(tmp_path / "coh.tif"))
    shifted = cohsim.write_raster(tmp_path / "shift.tif", s1, 25.0, origin=(500100.0, 4300000.0))
    _refused(run_alg, {"REFERENCE": ref, "SECONDARY": shifted}, "geotransforms differ",
             [ref, shifted], str(tmp_path / "coh2.tif"))


def test_window_larger_than_the_raster_is_refused(run_alg, slcs, tmp_path):
    _, _, ref, sec = slcs
    _refused(run_alg, {"REFERENCE": ref, "SECONDARY": sec, "WINDOW_X": 40, "WINDOW_Y": 5},
             r"window \(40 x 5 pixels.*larger than the raster \(37 x 29", [ref, sec],
             str(tmp_path / "coh.tif"))


def test_critical_baseline_and_gamma_of_the_paper_example(run_alg):
    res, fb = run_alg("baselinecorrelation", {"BPERP": 100.0})
    by_hand = 0.05546576 * 900e3 * math.tan(math.radians(44)) / (2 * 5.0)
    assert res["CRITICAL_BASELINE"] == pytest.approx(by_hand)
    assert res["GAMMA_BASELINE"] == pytest.approx(1 - 100.0 / by_hand)
    assert res["GAMMA_BASELINE"] == pytest.approx(0.98, abs=0.005)


def test_pairs_table_gets_a_gamma_per_pair(run_alg, tmp_path):
    csv = tmp_path / "pairs.csv"
    csv.write_text("reference,secondary,bperp\n20190815,20190827,41.2379\n"
                   "20190803,20190827,-68.1896\n20190417,20190429,6000\n")
    out = str(tmp_path / "gamma.gpkg")
    params = {"PAIRS": str(csv), "SLANT_RANGE": 850000.0, "INCIDENCE": 39.0, "SLOPE": 5.0,
              "RANGE_RESOLUTION": 3.1, "OUTPUT": out}
    res, _ = run_alg("baselinecorrelation", params)
    crit = 0.05546576 * 850e3 * math.tan(math.radians(34.0)) / (2 * 3.1)
    from insar_fusion.core.tables import read_table
    rows = read_table(out)
    got = [r["gamma_baseline"] for r in rows]
    np.testing.assert_allclose(got, [1 - 41.2379 / crit, 1 - 68.1896 / crit, 0.0])
    assert [str(r["reference"]) for r in rows] == ["20190815", "20190803", "20190417"]
    assert res["N_PAIRS"] == 3 and res["GAMMA_BASELINE"] == 0.0
    assert res["CRITICAL_BASELINE"] == pytest.approx(crit)


def test_pairs_table_without_the_baseline_field_is_refused(run_alg, tmp_path):
    csv = tmp_path / "pairs.csv"
    csv.write_text("reference,secondary,baseline\n20190815,20190827,41.2\n")
    with pytest.raises(QgsProcessingException, match="no field 'bperp'"):
        run_alg("baselinecorrelation", {"PAIRS": str(csv), "OUTPUT": str(tmp_path / "g.gpkg")})
    assert not os.path.exists(tmp_path / "g.gpkg")


def test_phase_in_degrees_is_refused(run_alg, slcs, tmp_path):
    s1, s2, _, _ = slcs
    deg = cohsim.write_raster(tmp_path / "deg.tif", np.degrees(np.angle(s1 * np.conj(s2))).astype(np.float32), 25.0)
    a1 = cohsim.write_raster(tmp_path / "a1.tif", np.abs(s1).astype(np.float32), 25.0)
    a2 = cohsim.write_raster(tmp_path / "a2.tif", np.abs(s2).astype(np.float32), 25.0)
    out = str(tmp_path / "coh.tif")
    with pytest.raises(QgsProcessingException, match=r"wrapped phase must be in radians"):
        run_alg("coherence", {"MODE": 1, "INTERFEROGRAM": deg, "AMPLITUDE_1": a1,
                              "AMPLITUDE_2": a2, "OUTPUT": out})
    assert not os.path.exists(out)


def test_cancel_stops_the_run_and_leaves_no_output(run_alg, tmp_path):
    rng = np.random.default_rng(1)
    s1, s2 = cohsim.slc_pair(0.5, (600, 300), rng)
    ref = cohsim.write_raster(tmp_path / "r.tif", s1, 25.0)
    sec = cohsim.write_raster(tmp_path / "s.tif", s2, 25.0)
    fb = iftest.LogFeedback.create()
    fb.progressChanged.connect(lambda _: fb.cancel())
    out = str(tmp_path / "coh.tif")
    with pytest.raises(QgsProcessingException, match="cancelled"):
        run_alg("coherence", {"REFERENCE": ref, "SECONDARY": sec, "OUTPUT": out}, feedback=fb)
    assert not os.path.exists(out)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".insarfusion")]
