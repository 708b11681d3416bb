"""The optical algorithms with every output left at TEMPORARY_OUTPUT (as the dialog runs them)."""
import os

import numpy as np
from osgeo import ogr

import optical_data as od


def test_temporary_outputs_are_real_files_of_the_right_kind(run_alg, tmp_path):
    a = od.write(tmp_path / "ndvi_20190705.tif", np.full((8, 8), 0.2, np.float32))
    b = od.write(tmp_path / "ndvi_20200705.tif", np.full((8, 8), 0.5, np.float32))
    c = od.write(tmp_path / "ndvi_20200105.tif", np.full((8, 8), 0.1, np.float32))
    res, _ = run_alg("seasonalchange", {"INPUTS": [a, b, c], "OUTPUT_INTERANNUAL": "TEMPORARY_OUTPUT",
                                        "OUTPUT_SEASONAL": "TEMPORARY_OUTPUT"})
    inter, seas = res["OUTPUT_INTERANNUAL"], res["OUTPUT_SEASONAL"]
    assert inter.endswith(".tif") and seas.endswith(".tif") and inter != seas
    np.testing.assert_allclose(od.read(inter), 0.3, atol=1e-6)
    np.testing.assert_allclose(od.read(seas), 0.4, atol=1e-6)
    square = [(400000.0, 4300000.0), (400080.0, 4300000.0), (400080.0, 4299920.0), (400000.0, 4299920.0)]
    regions = od.regions(tmp_path, {"all": square})
    res, _ = run_alg("changesummary", {"REGIONS": regions, "RASTERS": [inter],
                                       "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_HTML": "TEMPORARY_OUTPUT"})
    assert os.path.exists(res["OUTPUT_HTML"])
    ds = ogr.Open(res["OUTPUT"])  # keep the dataset alive while its layer is read
    rows = {f["region"]: f["mean"] for f in ds.GetLayer(0)}
    assert rows["all"] == rows["Whole extent"] == np.float32(0.3)
    res, _ = run_alg("ndvi", {"RED": a, "NIR": b, "OUTPUT": "TEMPORARY_OUTPUT"})
    assert res["OUTPUT"].endswith(".tif") and os.path.exists(res["OUTPUT"])
