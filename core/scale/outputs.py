"""Where the tiles' results go: one GeoPackage through a single writer, or a tile set.

GpkgAppender writes tables one after the other into one GeoPackage layer (in bulk through
SQLite, as core.vector_io does), atomically: nothing is left at the path unless finish().
TileFolder writes one GeoPackage per tile under a temporary folder beside the output, and
finish() moves the folder, the manifest and the virtual layer into place.
"""
import os
import shutil
import sqlite3
import tempfile
from typing import List, Optional

import numpy as np
from osgeo import ogr

from ..gpkg_bulk import bulk_point_index, drop_triggers, restore_triggers
from ..points import PointTable
from ..vector_io import _create_layer, _empty_spatial_index, _gpkg_blobs, _python_column, write_points
from . import tileset
from .tiling import TileGrid


class GpkgAppender:
    """One GeoPackage point layer, filled table by table (the same fields in every table)."""

    def __init__(self, path: str, layer_name: Optional[str] = None):
        self.path = os.path.abspath(path)
        self.layer_name = layer_name or os.path.splitext(os.path.basename(path))[0]
        folder = os.path.dirname(self.path)
        os.makedirs(folder, exist_ok=True)
        self._tmpdir = tempfile.mkdtemp(prefix=".insarfusion-", dir=folder)
        self.tmp = os.path.join(self._tmpdir, os.path.basename(self.path))
        self.con = None
        self.names: List[str] = []
        self.xs: List[np.ndarray] = []
        self.ys: List[np.ndarray] = []
        self.n = 0

    def _start(self, table: PointTable) -> None:
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(self.tmp)
        lyr = _create_layer(ds, self.layer_name, table, ["SPATIAL_INDEX=NO", "GEOMETRY_NAME=geom", "FID=fid"])
        self.table_name = lyr.GetName()
        defn = lyr.GetLayerDefn()
        self.field_names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
        lyr.SyncToDisk()  # the table must be in the file before SQLite opens it (vector_io)
        defn = lyr = None
        ds = None
        self.names = list(table.columns)
        self.bulk = _empty_spatial_index(self.tmp, self.table_name)
        con = sqlite3.connect(self.tmp)
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        self.triggers = drop_triggers(con, self.table_name, "geom", self.bulk)
        row = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name=?",
                          (self.table_name,)).fetchone()
        self.srs_id = int(row[0]) if row else 0
        quoted = ", ".join('"%s"' % n.replace('"', '""') for n in ["geom"] + self.field_names)
        self.sql = (f'INSERT INTO "{self.table_name}" ({quoted}) VALUES '
                    f'({", ".join("?" * (len(self.field_names) + 1))})')
        self.con = con

    def append(self, table: PointTable, progress=None) -> None:
        if self.con is None:
            self._start(table)
        if list(table.columns) != self.names:
            raise ValueError("every table appended must have the same fields")
        cols = list(table.columns.values())
        for start in range(0, len(table), 50000):
            if progress is not None:
                progress(start / max(len(table), 1))  # a cancel stops here
            stop = min(len(table), start + 50000)
            blobs = _gpkg_blobs(table.x[start:stop], table.y[start:stop], self.srs_id)
            self.con.executemany(self.sql, zip(blobs, *[_python_column(c[start:stop]) for c in cols]))
        self.xs.append(np.asarray(table.x, float))
        self.ys.append(np.asarray(table.y, float))
        self.n += len(table)

    def finish(self, empty: Optional[PointTable] = None) -> str:
        """Close the layer and move it into place; `empty` gives the fields when nothing came."""
        if self.con is None:
            write_points(self.tmp, empty, self.layer_name)
        else:
            x, y = np.concatenate(self.xs), np.concatenate(self.ys)
            con = self.con
            if self.n:
                con.execute("UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=? WHERE table_name=?",
                            (float(np.nanmin(x)), float(np.nanmin(y)), float(np.nanmax(x)),
                             float(np.nanmax(y)), self.table_name))
            bulk = bulk_point_index(con, self.table_name, "geom", x, y) if self.bulk else False
            restore_triggers(con, self.table_name, self.triggers)
            con.commit()
            con.close()
            self.con = None
            if not bulk:
                ds = ogr.Open(self.tmp, 1)
                if self.bulk:
                    ds.ExecuteSQL(f"SELECT DisableSpatialIndex('{self.table_name}', 'geom')")
                ds.ExecuteSQL(f"SELECT CreateSpatialIndex('{self.table_name}', 'geom')")
                ds = None
        os.replace(self.tmp, self.path)
        self.abort()
        return self.path

    def abort(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        shutil.rmtree(self._tmpdir, ignore_errors=True)


class TileFolder:
    """A tile set written tile by tile (by the workers) into a temporary folder."""

    def __init__(self, vrt: str):
        self.vrt = os.path.abspath(os.path.splitext(vrt)[0] + ".vrt")
        folder = os.path.dirname(self.vrt)
        os.makedirs(folder, exist_ok=True)
        self.stem = os.path.splitext(self.vrt)[0]
        self.tmp = tempfile.mkdtemp(prefix=".insarfusion-tiles-", dir=folder)

    def sink(self) -> "TileSink":
        return TileSink(self.tmp, os.path.basename(self.stem))

    def finish(self, grid: TileGrid, crs_wkt: str, fields, entries: List[dict]) -> str:
        final = tileset.tiles_folder(self.vrt)
        if os.path.exists(final):
            shutil.rmtree(final)
        os.replace(os.path.join(self.tmp, os.path.basename(final)), final)
        tileset.write_manifest(self.vrt, grid, crs_wkt, fields, entries)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return self.vrt

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


class TileSink:
    """Writes one tile's table (picklable: it travels to the workers)."""

    def __init__(self, folder: str, stem: str):
        self.folder, self.stem = folder, stem
        os.makedirs(os.path.join(folder, stem + "_tiles"), exist_ok=True)

    def write(self, tile: int, table: PointTable, progress=None) -> dict:
        rel = tileset.tile_file_name(self.stem, tile)
        if not os.path.isdir(self.folder):
            raise FileNotFoundError(f"the run's folder {self.folder} is gone (cancelled)")
        write_points(os.path.join(self.folder, rel), table, tileset.LAYER, progress)
        ok = np.isfinite(table.x) & np.isfinite(table.y)
        bbox = ([float(table.x[ok].min()), float(table.y[ok].min()), float(table.x[ok].max()),
                 float(table.y[ok].max())] if ok.any() else [0.0, 0.0, 0.0, 0.0])
        return {"id": int(tile), "file": rel, "count": int(len(table)), "bbox": bbox}
