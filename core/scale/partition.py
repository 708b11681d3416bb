"""A folder of EGMS bursts (CSV, or zips of CSV) or of GeoPackages, cut into a tile set.

No process holds all the points: each burst is read by one task, which writes its points per
tile to scratch pieces; then one task per tile joins its pieces (in burst order) into the
tile's GeoPackage. Tiles are squares of `tile_size` metres aligned on multiples of it, so the
grid is known before any burst is read. Bursts with other dates than their neighbours are
joined with NULL where a burst has no such date.
"""
import glob
import os
import tempfile
import zipfile
from typing import List, Optional

import numpy as np

from ..errors import InputError
from ..progress import Progress, ensure
from . import tileset
from .engine import collect
from .outputs import TileFolder
from .tiling import TileGrid

EXTENSIONS = (".csv", ".zip", ".gpkg")
DEFAULT_TILE_SIZE = 10_000.0


def burst_files(folder: str) -> List[str]:
    """The burst files of a folder, sorted by name."""
    if not os.path.isdir(folder):
        raise InputError(f"The folder '{folder}' does not exist.")
    files = sorted(p for p in glob.glob(os.path.join(glob.escape(folder), "*"))
                   if os.path.splitext(p)[1].lower() in EXTENSIONS and os.path.isfile(p))
    if not files:
        raise InputError(f"The folder '{folder}' holds no EGMS CSV, zip or GeoPackage file.")
    return files


def _sources(path: str) -> List[str]:
    """The readable tables of a burst file (the CSVs inside a zip, through GDAL's /vsizip/)."""
    if not path.lower().endswith(".zip"):
        return [path]
    try:
        with zipfile.ZipFile(path) as z:
            names = sorted(n for n in z.namelist() if n.lower().endswith(".csv"))
    except zipfile.BadZipFile:
        raise InputError(f"'{os.path.basename(path)}' is not a valid zip file (truncated or corrupt?).") from None
    if not names:
        raise InputError(f"'{os.path.basename(path)}' holds no CSV file.")
    return [f"/vsizip/{path}/{n}" for n in names]


def read_burst(path: str, crs: str, progress: Optional[Progress] = None):
    """One burst file as a table: an EGMS CSV in the standard layout (as importpoints reads
    it), a GeoPackage with every field as it is."""
    from ..insar.tables import read_table
    from ..vector_io import read_points
    from .tileset import concat
    from ..inputs import csv_truncation
    if path.lower().endswith(".gpkg"):
        return read_points(path)
    problem = csv_truncation(path)
    if problem:
        raise InputError(problem)
    parts = [read_table(src, "auto", crs, None, progress) for src in _sources(path)]
    return concat(parts) if len(parts) > 1 else parts[0]


def split_burst(k: int, path: str, crs: str, size: float, scratch: str, progress=None) -> dict:
    """Read burst k and write its points per tile (row, col keys) to scratch pieces."""
    progress = ensure(progress)
    table = read_burst(path, crs, progress.sub(0.0, 0.7))
    ok = np.isfinite(table.x) & np.isfinite(table.y)
    table = table.subset(ok)
    col = np.floor(table.x / size).astype(np.int64)
    row = np.floor(table.y / size).astype(np.int64)
    keys = {}
    order = np.lexsort((col, row))
    r, c = row[order], col[order]
    cuts = np.flatnonzero(np.r_[True, (r[1:] != r[:-1]) | (c[1:] != c[:-1]), True])
    for j, (a, b) in enumerate(zip(cuts[:-1], cuts[1:])):
        progress(0.7 + 0.3 * j / max(len(cuts) - 1, 1))
        idx = np.sort(order[a:b])
        key = (int(row[idx[0]]), int(col[idx[0]]))
        save_piece(os.path.join(scratch, f"piece_{key[0]}_{key[1]}_{k}.npz"), table.subset(idx))
        keys[key] = int(len(idx))
    progress(1.0)
    return {"keys": keys, "crs_wkt": table.crs_wkt, "fields": tileset.field_kinds(table)}


def save_piece(path: str, table) -> None:
    """A table as plain arrays in an .npz (no pickle): text as str with a NULL mask."""
    arrays = {"x": table.x, "y": table.y, "crs": np.array(table.crs_wkt),
              "names": np.array(list(table.columns), dtype=str)}
    for k, col in enumerate(table.columns.values()):
        if col.dtype.kind == "O":
            null = np.array([v is None for v in col], bool)
            arrays[f"c{k}"] = np.array(["" if v is None else str(v) for v in col], dtype=str)
            arrays[f"n{k}"] = null
        else:
            arrays[f"c{k}"] = col
    np.savez(path, **arrays)


def load_piece(path: str):
    from ..points import PointTable
    with np.load(path, allow_pickle=False) as z:
        cols = {}
        for k, name in enumerate(z["names"].tolist()):
            col = z[f"c{k}"]
            if f"n{k}" in z.files:
                col = col.astype(object)
                col[z[f"n{k}"]] = None
            cols[name] = col
        return PointTable(z["x"], z["y"], cols, str(z["crs"]))


def join_tile(tile: int, key, bursts: List[int], scratch: str, fields, sink, progress=None) -> dict:
    """A tile's pieces, in burst order, written as the tile's GeoPackage with every field."""
    from ..points import PointTable
    progress = ensure(progress)
    parts = []
    for j, k in enumerate(bursts):
        progress(0.3 * j / len(bursts))
        parts.append(load_piece(os.path.join(scratch, f"piece_{key[0]}_{key[1]}_{k}.npz")))
    table = tileset.concat(parts)
    cols = {}
    for name, kind in fields:
        if name in table.columns:
            cols[name] = table.columns[name]
        else:
            cols[name] = np.full(len(table), None, object) if kind == "text" else np.full(len(table), np.nan)
    progress(0.3)
    return sink.write(tile, PointTable(table.x, table.y, cols, table.crs_wkt), progress.sub(0.3, 1.0))


def partition(folder: str, vrt: str, engine, tile_size: float = DEFAULT_TILE_SIZE,
              crs: str = "EPSG:3035", progress: Optional[Progress] = None) -> dict:
    """Write the tile set `vrt` from the bursts in `folder`; return its summary."""
    progress = ensure(progress)
    if not tile_size or tile_size <= 0:
        raise InputError("The tile size must be a positive distance in metres.")
    files = burst_files(folder)
    out = TileFolder(vrt)
    scratch_dir = tempfile.TemporaryDirectory(prefix="insarfusion-part-", dir=out.tmp)
    try:
        scratch = scratch_dir.name
        got = collect(engine, [(split_burst, (k, f, crs, float(tile_size), scratch))
                               for k, f in enumerate(files)], progress.sub(0.0, 0.6))
        crs_set = {g["crs_wkt"] for g in got if g["keys"]}
        if len(crs_set) > 1:
            raise InputError("The bursts are in different CRSs; give them all in one CRS.")
        fields = _union_fields([g["fields"] for g in got])
        keys = sorted({key for g in got for key in g["keys"]})
        if not keys:
            raise InputError(f"No burst in '{folder}' holds a point with coordinates.")
        rows, cols = [k[0] for k in keys], [k[1] for k in keys]
        grid = TileGrid(min(cols) * tile_size, min(rows) * tile_size, float(tile_size),
                        max(cols) - min(cols) + 1, max(rows) - min(rows) + 1)
        sink = out.sink()
        tasks = []
        for key in keys:
            tile = (key[0] - min(rows)) * grid.ncols + (key[1] - min(cols))
            bursts = [k for k, g in enumerate(got) if key in g["keys"]]
            tasks.append((join_tile, (tile, key, bursts, scratch, fields, sink)))
        entries = collect(engine, tasks, progress.sub(0.6, 0.98))
        scratch_dir.cleanup()
        out.finish(grid, crs_set.pop() if crs_set else "", fields, entries)
    except BaseException:
        scratch_dir.cleanup()
        out.abort()
        raise
    n = sum(e["count"] for e in entries)
    return {"n_points": n, "n_tiles": len(entries), "n_bursts": len(files), "vrt": out.vrt}


def _union_fields(lists) -> list:
    """Every burst's fields, layout fields first, then the dates in order."""
    from ..dates import date_fields
    seen = {}
    for fl in lists:
        for name, kind in fl:
            if name not in seen or seen[name] != kind and kind == "text":
                seen[name] = kind
    dated = [n for n, _ in date_fields(seen.keys())]
    first = [n for n in seen if n not in dated]
    return [(n, seen[n]) for n in first + dated]
