"""A tile set on disk: one GeoPackage per tile, a manifest, and a virtual layer over them.

  <stem>.vrt          an OGR union layer of every tile: QGIS opens the set as one layer
  <stem>.tiles.json   the manifest: tile grid, CRS, fields, and each tile's file and count
  <stem>_tiles/       tile_<id>.gpkg, the points of each tile (fid 1..n in the set's order)

The points of a set are in tile order, then in their order inside a tile; a point's global
id (gid) is tile * 2**32 + its row in the tile. Workers read a tile and its halo straight
from the files, so the folder must be one every worker sees (a shared file system).
"""
import json
import os
from typing import Dict, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from ..errors import InputError
from ..points import PointTable
from .tiling import TileGrid, in_rect

FORMAT = "insarfusion-tiles"
LAYER = "points"
ROW_BITS = 32


def manifest_path(vrt: str) -> str:
    return os.path.splitext(vrt)[0] + ".tiles.json"


def tiles_folder(vrt: str) -> str:
    return os.path.splitext(vrt)[0] + "_tiles"


def is_tileset(path: str) -> bool:
    """True when `path` (a layer source, maybe with |layername=) is the .vrt of a tile set."""
    base = (path or "").split("|")[0]
    return base.lower().endswith(".vrt") and os.path.isfile(manifest_path(base))


class TileSet:
    """The manifest of a tile set, and reading its tiles."""

    def __init__(self, vrt: str, data: dict):
        self.vrt = os.path.abspath(vrt)
        self.data = data
        self.grid = TileGrid.from_dict(data["grid"])
        self.crs_wkt = data.get("crs_wkt", "")
        self.tiles: Dict[int, dict] = {int(t["id"]): t for t in data["tiles"]}
        self.fields: List[Tuple[str, str]] = [tuple(f) for f in data["fields"]]

    @staticmethod
    def open(vrt: str) -> "TileSet":
        base = vrt.split("|")[0]
        path = manifest_path(base)
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise InputError(f"The tile set manifest '{os.path.basename(path)}' cannot be read: {e}. "
                             "Write the tile set again (Partition points into tiles).") from None
        if data.get("format") != FORMAT:
            raise InputError(f"'{os.path.basename(path)}' is not an InSAR Fusion tile set manifest.")
        return TileSet(base, data)

    @property
    def n_points(self) -> int:
        return int(sum(t["count"] for t in self.tiles.values()))

    @property
    def ids(self) -> List[int]:
        return sorted(self.tiles)

    @property
    def field_names(self) -> List[str]:
        return [n for n, _ in self.fields]

    def file(self, tile: int) -> str:
        return os.path.join(os.path.dirname(self.vrt), self.tiles[int(tile)]["file"])

    def bbox(self) -> Tuple[float, float, float, float]:
        boxes = np.array([t["bbox"] for t in self.tiles.values() if t["count"]], float)
        return (float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()),
                float(boxes[:, 3].max()))

    def read(self, tile: int, columns: Optional[Sequence[str]] = None) -> PointTable:
        """The points of one tile (all fields, or `columns`)."""
        from ..vector_io import read_points
        path = self.file(tile)
        if not os.path.isfile(path):
            raise InputError(f"The tile file '{path}' of the tile set is missing; write the tile "
                             "set again.")
        return read_points(path, LAYER, columns)

    def read_with_halo(self, tile: int, halo: float, columns: Sequence[str]):
        """(PointTable of the tile and every point within `halo` of its square, gid, core mask),
        in gid order."""
        parts, gids, cores = [], [], []
        rect = self.grid.bounds(tile)
        for u in self.grid.near(tile, halo):
            if u not in self.tiles or not self.tiles[u]["count"]:
                continue
            t = self.read(u, columns)
            rows = np.arange(len(t), dtype=np.int64)
            if u != tile:
                sel = in_rect(t.x, t.y, rect, halo)
                t, rows = t.subset(sel), rows[sel]
            parts.append(t)
            gids.append((np.int64(u) << ROW_BITS) + rows)
            cores.append(np.full(len(t), u == tile))
        if not parts:
            return PointTable(np.empty(0), np.empty(0), {c: np.empty(0) for c in columns}, self.crs_wkt), \
                np.empty(0, np.int64), np.empty(0, bool)
        table = concat(parts, self.crs_wkt)
        return table, np.concatenate(gids), np.concatenate(cores)


def concat(parts: Sequence[PointTable], crs_wkt: str = "") -> PointTable:
    """Tables one after the other; a column some lack is NULL there (NaN, or None for text)."""
    names: List[str] = []
    for p in parts:
        names += [n for n in p.columns if n not in names]
    cols = {}
    for n in names:
        pieces = []
        text = any(n in p.columns and p.columns[n].dtype.kind in "OSU" for p in parts)
        for p in parts:
            if n in p.columns:
                c = p.columns[n]
                pieces.append(c.astype(object) if text else c)
            else:
                pieces.append(np.full(len(p), None, object) if text else np.full(len(p), np.nan))
        cols[n] = np.concatenate(pieces) if pieces else np.empty(0)
        if not text and cols[n].dtype.kind == "f" and all(
                n in p.columns and p.columns[n].dtype.kind in "iu" for p in parts):
            cols[n] = cols[n].astype(np.int64)
    x = np.concatenate([p.x for p in parts]) if parts else np.empty(0)
    y = np.concatenate([p.y for p in parts]) if parts else np.empty(0)
    return PointTable(x, y, cols, crs_wkt or (parts[0].crs_wkt if parts else ""))


def field_kinds(table: PointTable) -> List[Tuple[str, str]]:
    return [(n, "text" if c.dtype.kind in "OSU" else ("int" if c.dtype.kind in "iub" else "real"))
            for n, c in table.columns.items()]


def tile_file_name(stem: str, tile: int) -> str:
    return f"{os.path.basename(stem)}_tiles/tile_{int(tile):06d}.gpkg"


def write_manifest(vrt: str, grid: TileGrid, crs_wkt: str, fields, tiles: List[dict]) -> None:
    """Write the manifest and the virtual layer of a tile set whose tile files exist."""
    data = {"format": FORMAT, "version": 1, "grid": grid.to_dict(), "crs_wkt": crs_wkt,
            "fields": [list(f) for f in fields], "tiles": sorted(tiles, key=lambda t: t["id"])}
    tmp = manifest_path(vrt) + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    write_vrt(vrt, [t["file"] for t in data["tiles"] if t["count"]], crs_wkt)
    os.replace(tmp, manifest_path(vrt))


def write_vrt(vrt: str, files: List[str], crs_wkt: str) -> None:
    """An OGR VRT union layer over the tile files (paths relative to the .vrt)."""
    name = os.path.splitext(os.path.basename(vrt))[0]
    srs = f"<LayerSRS>{escape(crs_wkt)}</LayerSRS>" if crs_wkt else ""
    layers = "\n".join(
        f'    <OGRVRTLayer name={quoteattr(f"t{k}")}><SrcDataSource relativeToVRT="1" shared="0">'
        f"{escape(f)}</SrcDataSource><SrcLayer>{LAYER}</SrcLayer></OGRVRTLayer>"
        for k, f in enumerate(files))
    text = (f'<OGRVRTDataSource>\n  <OGRVRTUnionLayer name={quoteattr(name)}>\n'
            "    <FieldStrategy>FirstLayer</FieldStrategy>\n"
            f"    <GeometryType>wkbPoint</GeometryType>{srs}\n{layers}\n"
            "  </OGRVRTUnionLayer>\n</OGRVRTDataSource>\n")
    tmp = vrt + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, vrt)
