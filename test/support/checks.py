"""What a successful run must have produced, for the example registry (examples.py).

Each check takes a Ctx (the run's results and parameters, the valid run's, and the algorithm)
and asserts. The references are the inputs themselves and the valid run of the same example:
a spoiled input that the algorithm may accept must give the valid run's answer where the
spoiling cannot matter (a reprojected input, a duplicated raster), and no value where it must.
"""
import math
import os
from dataclasses import dataclass
from typing import Dict, Optional

import numpy as np
from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()


@dataclass
class Ctx:
    alg: object
    results: dict
    params: dict
    valid_results: dict
    valid_params: dict
    log: str = ""

    def outputs(self, params: Optional[dict] = None) -> Dict[str, str]:
        """Destination name -> path of the outputs that were asked for."""
        from matrix import output_names
        params = self.params if params is None else params
        return {n: params[n] for n in output_names(self.alg, params)}


def read_vector(path: str) -> Dict[str, np.ndarray]:
    """Every attribute of the first layer as arrays (numbers float with NaN for NULL, else objects),
    sorted by pid when there is one; '_n' holds the feature count."""
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    fields = [defn.GetFieldDefn(i) for i in range(defn.GetFieldCount())]
    rows = [[f.GetField(i) if f.IsFieldSetAndNotNull(i) else None for i in range(len(fields))]
            for f in lyr]
    cols = {}
    for j, fd in enumerate(fields):
        vals = [r[j] for r in rows]
        if fd.GetType() in (ogr.OFTReal, ogr.OFTInteger, ogr.OFTInteger64):
            cols[fd.GetName()] = np.array([np.nan if v is None else float(v) for v in vals])
        else:
            cols[fd.GetName()] = np.array(vals, dtype=object)
    key = next((k for k in ("pid", "pid_ref") if k in cols and cols[k].dtype.kind == "f"), None)
    if key:
        order = np.argsort(cols[key], kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
    cols["_n"] = np.array([len(rows)])
    return cols


def read_raster(path: str) -> np.ndarray:
    ds = gdal.Open(path)
    arr = ds.ReadAsArray().astype(float)
    nd = ds.GetRasterBand(1).GetNoDataValue()
    if nd is not None and not math.isnan(nd):
        arr[arr == nd] = np.nan
    return arr


def _kind(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext in (".tif", ".tiff"):
        return "raster"
    if ext in (".gpkg", ".shp", ".csv", ".geojson", ".xlsx", ".ods"):
        return "vector"
    if os.path.isdir(path):
        return "folder"
    return "file"


def _files(path: str):
    if os.path.isdir(path):
        return {n: os.path.join(path, n) for n in sorted(os.listdir(path))}
    return {"": path}


# --- checks --------------------------------------------------------------------------------------
def outputs_exist(ctx: Ctx) -> None:
    for name, path in ctx.outputs().items():
        assert os.path.exists(path), f"{name} was not written: {path}"
        if os.path.isfile(path):
            assert os.path.getsize(path) > 0, f"{name} is empty: {path}"


def _input_columns(ctx: Ctx) -> Dict[str, np.ndarray]:
    """The fields of the vector inputs (the user's data, which outputs may copy through)."""
    outputs = set(ctx.outputs().values())
    cols = {}
    for v in ctx.params.values():
        if isinstance(v, str) and v not in outputs and _kind(v) == "vector" and os.path.exists(v):
            cols.update(read_vector(v))
    return cols


def _copied(col: np.ndarray, source: Optional[np.ndarray]) -> bool:
    return source is not None and len(source) == len(col) and source.dtype.kind == "f" and \
        np.array_equal(col, source, equal_nan=True)


def no_inf(ctx: Ctx) -> None:
    """No output holds ±inf, except input fields copied through unchanged; no result is inf."""
    outputs_exist(ctx)
    inputs = _input_columns(ctx)
    for name, path in ctx.outputs().items():
        for fname, f in _files(path).items():
            kind = _kind(f)
            if kind == "raster":
                assert not np.isinf(read_raster(f)).any(), f"{name} {fname} holds inf"
            elif kind == "vector":
                for col, v in read_vector(f).items():
                    if v.dtype.kind == "f" and not _copied(v, inputs.get(col)):
                        assert not np.isinf(v).any(), f"{name}: field {col} holds inf"
    for key, v in ctx.results.items():
        if isinstance(v, float):
            assert not math.isinf(v), f"result {key} is {v}"


def same_as_valid(ctx: Ctx, rtol: float = 1e-6, atol: float = 1e-6, results: bool = True) -> None:
    """Every output equals the valid run's (values, NULLs, feature counts, numeric results)."""
    outputs_exist(ctx)
    valid = ctx.outputs(ctx.valid_params)
    for name, path in ctx.outputs().items():
        mine, theirs = _files(path), _files(valid[name])
        assert sorted(mine) == sorted(theirs), f"{name}: files {sorted(mine)} vs {sorted(theirs)}"
        for fname in mine:
            a, b = mine[fname], theirs[fname]
            kind = _kind(a)
            if kind == "raster":
                ra, rb = read_raster(a), read_raster(b)
                assert ra.shape == rb.shape, f"{name}: shape {ra.shape} vs {rb.shape}"
                np.testing.assert_allclose(ra, rb, rtol=rtol, atol=atol, err_msg=name)
            elif kind == "vector":
                va, vb = read_vector(a), read_vector(b)
                assert va["_n"][0] == vb["_n"][0], f"{name}: {va['_n'][0]} features vs {vb['_n'][0]}"
                for col in vb:
                    if vb[col].dtype.kind == "f" and col in va:
                        np.testing.assert_allclose(va[col], vb[col], rtol=rtol, atol=atol,
                                                   err_msg=f"{name}.{col}")
    if results:
        for key, v in ctx.valid_results.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and key in ctx.results:
                assert ctx.results[key] == pytest_approx(v, rtol, atol), f"result {key}"


def pytest_approx(v, rtol, atol):
    import pytest
    return pytest.approx(v, rel=rtol, abs=atol, nan_ok=True)


def same_rows(output: str, null_rows: Dict[str, list]):
    """Each named field of `output` has no value in the listed rows (inf and NaN were read as no
    value) and the valid run's value in every other row (rows in pid order)."""
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        a, b = read_vector(ctx.params[output]), read_vector(ctx.valid_params[output])
        assert a["_n"][0] == b["_n"][0]
        for f, rows in null_rows.items():
            other = np.ones(len(b[f]), bool)
            other[rows] = False
            np.testing.assert_allclose(a[f][other], b[f][other], rtol=1e-9, err_msg=f)
            assert np.isnan(a[f][rows]).all(), f"{f}: rows read as inf/NaN kept a value"
        no_inf(ctx)
    return check


def same_fields(output: str, fields):
    """The named fields of `output` equal the valid run's (feature counts too)."""
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        a, b = read_vector(ctx.params[output]), read_vector(ctx.valid_params[output])
        assert a["_n"][0] == b["_n"][0]
        for f in fields:
            if b[f].dtype.kind == "f":
                np.testing.assert_allclose(a[f], b[f], rtol=1e-9, err_msg=f)
            else:
                assert list(a[f]) == list(b[f]), f
    return check


def result_equals(key: str, value):
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        assert ctx.results[key] == value, f"{key} = {ctx.results[key]}, expected {value}"
    return check


def kept_without_first(output: str, n: int):
    """The points kept are the valid run's minus the first n input points (no velocity)."""
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        src = read_vector(ctx.valid_params["INPUT"])
        dropped = set(src["pid"][:n])
        a, b = read_vector(ctx.params[output]), read_vector(ctx.valid_params[output])
        assert set(a["pid"]) == set(b["pid"]) - dropped
    return check


def same_as_valid_loosely(ctx: Ctx) -> None:
    """A reprojection there and back moves points by micrometres: the same answer to 1e-6."""
    same_as_valid(ctx, rtol=1e-6, atol=1e-6)


def same_counts(ctx: Ctx) -> None:
    """Reprojected regions cover the same pixels: the same counts and means per region."""
    outputs_exist(ctx)
    a, b = read_vector(ctx.params["OUTPUT"]), read_vector(ctx.valid_params["OUTPUT"])
    assert list(a["region"]) == list(b["region"])
    np.testing.assert_allclose(a["count"], b["count"], rtol=0.02)
    np.testing.assert_allclose(a["mean"], b["mean"], rtol=0.02, atol=0.01)


def files_in(output: str, n: int):
    """The output folder holds n composites (.tif) besides its index."""
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        tifs = [f for f in os.listdir(ctx.params[output]) if f.endswith(".tif")]
        assert len(tifs) == n, tifs
    return check


def n_features(output: str, n: int):
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        got = read_vector(ctx.params[output])["_n"][0]
        assert got == n, f"{output} has {got} features, expected {n}"
    return check


def all_nodata(output: str):
    """Nodata in, nodata out: the raster output is written and has no value anywhere."""
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        assert np.isnan(read_raster(ctx.params[output])).all()
    return check


def loose(ctx: Ctx) -> None:
    """Resampled inputs give slightly different numbers: the outputs exist and hold no inf."""
    no_inf(ctx)


def result_at_most_valid(key: str):
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        assert ctx.results[key] <= ctx.valid_results[key]
    return check


def regions_named_by_feature(ctx: Ctx) -> None:
    """NULL region names become 'feature N'; every region still gets its statistics."""
    outputs_exist(ctx)
    a, b = read_vector(ctx.params["OUTPUT"]), read_vector(ctx.valid_params["OUTPUT"])
    assert a["_n"][0] == b["_n"][0]
    names = {r for r in a["region"] if r != "Whole extent"}
    assert names and all(r.startswith("feature ") for r in names), names
    np.testing.assert_allclose(np.sort(a["mean"]), np.sort(b["mean"]), rtol=1e-9)


def lostovertical_valid(ctx: Ctx) -> None:
    """velocity / cos(incidence), computed here from the input layer."""
    outputs_exist(ctx)
    src, out = read_vector(ctx.params["INPUT"]), read_vector(ctx.params["OUTPUT"])
    np.testing.assert_allclose(out["velocity"], src["velocity"] / np.cos(np.radians(src["incidence"])),
                               rtol=1e-9)


def same_results(keys, rtol: float = 1e-9):
    """The named numeric results equal the valid run's."""
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        for k in keys:
            assert ctx.results[k] == pytest_approx(ctx.valid_results[k], rtol, 0.0), k
    return check


def mostly_same(output: str, fields, share: float = 0.97):
    """The named fields equal the valid run's at `share` of the points at least: points lying
    exactly on a pixel edge may round to the neighbouring pixel after a reprojection."""
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        a, b = read_vector(ctx.params[output]), read_vector(ctx.valid_params[output])
        assert a["_n"][0] == b["_n"][0]
        for f in fields:
            same = np.isclose(a[f], b[f], rtol=1e-9, equal_nan=True)
            assert same.mean() >= share, f"{f}: only {same.mean():.1%} equal"
    return check


def n_sites(n: int):
    """The lags table holds n sites."""
    def check(ctx: Ctx) -> None:
        outputs_exist(ctx)
        sites = set(read_vector(ctx.params["OUTPUT_LAGS"])["site"])
        assert len(sites) == n, sites
    return check


def constant_regressor_has_no_fit(ctx: Ctx) -> None:
    """The constant variable's rows have no slope, the other variable's rows do, the log says why."""
    outputs_exist(ctx)
    t = read_vector(ctx.params["OUTPUT_TABLE"])
    const = t["explanatory"] == "dndvi"
    assert const.any() and np.isnan(t["slope"][const]).all()
    assert np.isfinite(t["slope"][~const]).all()
    assert "constant dndvi" in ctx.log


def decompose_regridded(ctx: Ctx) -> None:
    """The grid is laid in the first track's CRS, so another CRS gives other cells: about as many,
    and the same mean vertical and east velocities (to 0.2 mm/yr) as the valid run."""
    no_inf(ctx)
    for name in ("OUTPUT_UP", "OUTPUT_EAST"):
        a, b = read_vector(ctx.params[name]), read_vector(ctx.valid_params[name])
        assert abs(a["_n"][0] - b["_n"][0]) <= 0.2 * b["_n"][0], (a["_n"], b["_n"])
        assert abs(np.nanmean(a["velocity"]) - np.nanmean(b["velocity"])) < 0.2
