"""Per-point steps tile by tile: lostovertical, screen, seasonalfit and samplerasters.

A step is a small picklable object: step(table, progress) -> (output table, kept mask or None,
info dict). run_tile() loads a tile (from the client's memory or from a tile set's file), runs
the step, and returns the output or writes it (TileSink). These steps need no halo: each point
depends on itself alone, so a tile gives the bits the whole layer gives.
"""
import dataclasses
from typing import Iterator, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError
from ..points import PointTable, numeric
from ..progress import Progress, ensure
from .tileset import ROW_BITS, TileSet
from .tiling import TARGET_POINTS, TileGrid, cut, grid_of_points


@dataclasses.dataclass
class MemorySource:
    """A tile cut from a table held by the client; gid = the rows in the whole table."""

    tile: int
    table: PointTable
    gid: np.ndarray

    def load(self, progress=None):
        return self.table, self.gid


@dataclasses.dataclass
class FileSource:
    """A tile of a tile set, read on the worker."""

    vrt: str
    tile: int
    columns: Optional[List[str]] = None

    def load(self, progress=None):
        table = TileSet.open(self.vrt).read(self.tile, self.columns)
        return table, (np.int64(self.tile) << ROW_BITS) + np.arange(len(table), dtype=np.int64)


def run_tile(step, source, sink, progress: Optional[Progress] = None):
    """(tile, output table or None, gid of its rows, info, tile entry or None)."""
    progress = ensure(progress)
    table, gid = source.load(progress.sub(0.0, 0.2))
    out, keep, info = step(table, progress.sub(0.2, 0.9 if sink else 1.0), first_row=_first_row(gid))
    gid_out = gid if keep is None else gid[keep]
    if sink is None:
        return source.tile, out, gid_out, info, None
    entry = sink.write(source.tile, out, progress.sub(0.9, 1.0))
    return source.tile, None, None, info, entry


def _first_row(gid):
    return gid  # row numbers in messages: the client's rows (in-memory) or tile-coded gids


TILE_BYTES = 64 * 2**20  # about this much input per tile when the tile size is automatic


def memory_sources(table: PointTable, tile_size: float = 0.0) -> Tuple[TileGrid, List[MemorySource]]:
    """A table cut into tiles (no halo), each tile's rows in table order. Automatic tiles hold
    about TILE_BYTES of input (fewer points per tile for a table with many dates)."""
    target = int(min(TARGET_POINTS, max(1000, TILE_BYTES // (8 * (len(table.columns) + 2)))))
    grid = grid_of_points(table.x, table.y, tile_size, target)
    sources = [MemorySource(t, table.subset(core), core.astype(np.int64))
               for t, core, _ in cut(table.x, table.y, grid, 0.0)]
    return grid, sources


def file_sources(ts: TileSet, columns: Optional[List[str]] = None) -> List[FileSource]:
    return [FileSource(ts.vrt, t, columns) for t in ts.ids if ts.tiles[t]["count"]]


def run(step, engine, sources: Sequence, sink=None, progress: Optional[Progress] = None) -> Iterator:
    """run_tile over every source, the results in source order."""
    from .engine import ordered
    tasks = [(run_tile, (step, s, sink)) for s in sources]
    for _, result in ordered(engine.run(tasks, progress)):
        yield result


def assemble(results, n: int, like: PointTable) -> Tuple[PointTable, list]:
    """The tiles' outputs put back in the table's row order (rows not kept left out)."""
    tables, gids, infos = [], [], []
    for _, out, gid, info, _ in results:
        tables.append(out)
        gids.append(gid)
        infos.append(info)
    from .tileset import concat
    whole = concat(tables, like.crs_wkt) if tables else like.subset(np.zeros(len(like), bool))
    order = np.argsort(np.concatenate(gids), kind="stable") if gids else np.empty(0, np.int64)
    out = whole.subset(order)
    for name, col in like.columns.items():  # keep the input's dtypes (concat may widen)
        if name in out.columns and out.columns[name].dtype != col.dtype and col.dtype.kind != "f":
            out.columns[name] = out.columns[name].astype(col.dtype)
    return out, infos


# --- the steps ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class LosStep:
    """LOS to vertical: the factor from a fixed angle, a raster, an incidence field or los_up."""

    how: str            # "angle", "raster", "field", "los_up"
    value: object = None
    crs_wkt: str = ""

    def __call__(self, table, progress, first_row=None):
        from ..insar.los import check_los_up, los_to_vertical, up_factor_from_incidence
        from ..sampling import sample
        if self.how == "angle":
            factor = up_factor_from_incidence(np.full(len(table), float(self.value)))
        elif self.how == "raster":
            theta = sample(self.value, table.x, table.y, self.crs_wkt, [1], progress=progress)[:, 0]
            factor = _rows_named(up_factor_from_incidence, theta, first_row)
        elif self.how == "field":
            factor = _rows_named(up_factor_from_incidence, numeric(table.columns[self.value], self.value),
                                 first_row)
        else:
            factor = numeric(table.columns["los_up"], "los_up")
            _rows_named(check_los_up, factor, first_row)
        out = los_to_vertical(table, factor)
        return out, None, {"missing": int(np.sum(~np.isfinite(factor))), "n": len(table)}


def _rows_named(fn, values, rows):
    """fn(values), with 'row k' in its message turned into the row of the whole layer."""
    import re
    try:
        return fn(values)
    except InputError as e:
        m = re.search(r"row (\d+)", str(e))
        if m is None or rows is None:
            raise
        k = int(m.group(1)) - 1
        raise InputError(str(e).replace(m.group(0), f"row {_row_label(rows[k])}", 1)) from None


def _row_label(gid) -> str:
    gid = int(gid)
    if gid >> ROW_BITS:
        return f"{(gid & ((1 << ROW_BITS) - 1)) + 1} of tile {gid >> ROW_BITS}"
    return str(gid + 1)


@dataclasses.dataclass(frozen=True)
class ScreenStep:
    """Significant deformation: rate, study area (polygons), DEM and NDVI ranges."""

    threshold: float
    polygons: Optional[tuple] = None
    dem: Optional[tuple] = None    # (path, lo, hi)
    ndvi: Optional[tuple] = None
    crs_wkt: str = ""

    def __call__(self, table, progress, first_row=None):
        from ..insar.screen import points_in_polygons, screen
        from ..sampling import sample
        velocity = numeric(table.columns["velocity"], "velocity")
        in_area = points_in_polygons(table.x, table.y, self.polygons) if self.polygons else None
        vals = {}
        for key, spec, sub in (("dem", self.dem, progress.sub(0.0, 0.5)), ("ndvi", self.ndvi, progress.sub(0.5, 1.0))):
            vals[key] = sample(spec[0], table.x, table.y, self.crs_wkt, [1], progress=sub)[:, 0] if spec else None
        r = screen(velocity, self.threshold, in_area, vals["dem"], self.dem[1:] if self.dem else (None, None),
                   vals["ndvi"], self.ndvi[1:] if self.ndvi else (None, None))
        info = {"removed": r.removed, "n": r.n_input, "kept": r.n_kept,
                "vel_any": bool(np.isfinite(velocity).any()),
                "area_hits": int(in_area.sum()) if in_area is not None else 0,
                "no_dem": int(np.isnan(vals["dem"]).sum()) if vals["dem"] is not None else 0,
                "no_ndvi": int(np.isnan(vals["ndvi"]).sum()) if vals["ndvi"] is not None else 0,
                "dem_any": bool(np.isfinite(vals["dem"]).any()) if vals["dem"] is not None else False,
                "ndvi_any": bool(np.isfinite(vals["ndvi"]).any()) if vals["ndvi"] is not None else False}
        return table.subset(r.keep), r.keep, info


@dataclasses.dataclass(frozen=True)
class SeasonalStep:
    """Trend and annual cycle per point (the fields of insarfusion:seasonalfit)."""

    fields: Tuple[str, ...]

    def __call__(self, table, progress, first_row=None):
        from ..insar.seasonal import fit
        dates, series = table.series()
        r = fit(dates, series, progress)
        fall, rise = r.swings()
        values = dict(zip(self.fields, (r.trend, r.amplitude, r.peak_doy, fall, rise, r.fit_rmse)))
        cols = {k: v for k, v in table.columns.items() if k not in self.fields}
        cols.update({k: np.asarray(v, float) for k, v in values.items()})
        return PointTable(table.x, table.y, cols, table.crs_wkt), None, {
            "fitted": int(np.isfinite(r.trend).sum()), "n": len(table), "dates": len(dates)}


@dataclasses.dataclass(frozen=True)
class SampleStep:
    """Raster values at the points: one field per raster and band."""

    rasters: Tuple[Tuple[str, Tuple[str, ...]], ...]  # (path, field names)
    method: str = "nearest"
    crs_wkt: str = ""

    def __call__(self, table, progress, first_row=None):
        from ..sampling import sample
        cols = dict(table.columns)
        info = {"any": [], "missing": [], "n": len(table)}
        for k, (path, names) in enumerate(self.rasters):
            sub = progress.sub(k / len(self.rasters), (k + 1) / len(self.rasters))
            values = sample(path, table.x, table.y, self.crs_wkt, method=self.method, progress=sub)
            for j, name in enumerate(names):
                cols[name] = values[:, j]
            info["any"].append(bool(np.isfinite(values).any()))
            info["missing"].append(int((~(values == values)).all(axis=1).sum()))
        return PointTable(table.x, table.y, cols, table.crs_wkt), None, info
