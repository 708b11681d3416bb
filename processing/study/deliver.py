"""The study's outputs in OUTPUT_FOLDER, and taking them back on failure.

Intermediate layers live in a work folder inside OUTPUT_FOLDER (removed at the end). The rasters
and the GeoPackage are written in place (QGIS keeps files it opened open, so they are never moved);
the project and the report are written under temporary names and moved in. A cancel or a failure
removes every output of the run and puts back an earlier study's files, kept aside meanwhile.
"""
import os
import shutil
from typing import List, Optional, Tuple

from osgeo import gdal

from ...core.dates import date_of_field
from ...core.errors import Cancelled, InputError

gdal.UseExceptions()
BACKUP = ".insarfusion-previous"


class Delivery:
    def __init__(self, folder: str):
        self.folder = folder
        self.moved: List[Tuple[str, Optional[str]]] = []  # (final path, backup of what it replaced)

    def prepare(self, name: str, folder: bool = False) -> str:
        """OUTPUT_FOLDER/name, emptied for this run (what was there is kept aside until commit)."""
        final = os.path.join(self.folder, name)
        backup = _set_aside(final)
        for suffix in ("-wal", "-shm", "-journal"):
            _remove(final + suffix)
        if folder:
            os.makedirs(final)
        self.moved.append((final, backup))
        return final

    def install(self, src: str, name: str) -> str:
        """Move `src` (a file or folder) to OUTPUT_FOLDER/name; keep a backup of what was there."""
        final = os.path.join(self.folder, name)
        backup = _set_aside(final)
        os.replace(src, final)
        self.moved.append((final, backup))
        return final

    def rollback(self) -> None:
        for final, backup in reversed(self.moved):
            for path in (final, final + "-wal", final + "-shm", final + "-journal"):
                _remove(path)
            if backup and os.path.lexists(backup):
                os.replace(backup, final)
        self.moved = []

    def commit(self) -> None:
        for _, backup in self.moved:
            if backup:
                _remove(backup)


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.remove(path)


def copy_layers(items, gpkg: str, progress=None) -> None:
    """Copy layers into one GeoPackage: items are (source, name, series); the first layer of a source
    (or its |layername=) goes in as `name`, its DYYYYMMDD fields only with series."""
    for k, (src, name, series) in enumerate(items):
        part = progress.sub(k / len(items), (k + 1) / len(items)) if progress is not None else None
        copy_layer(src, gpkg, name, series, part)


def copy_layer(src: str, gpkg: str, name: str, series: bool, progress=None) -> None:
    """Copy one layer (see copy_layers); `progress` (a core Progress) follows GDAL's and can cancel."""
    from osgeo import ogr

    path, _, layer_name = src.partition("|layername=")
    ds = ogr.Open(path)
    if ds is None:
        raise InputError(f"Could not read the work layer '{src}'.")
    layer = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
    src_name = layer.GetName()
    geometry = layer.GetGeomType() != ogr.wkbNone
    defn = layer.GetLayerDefn()
    fields = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    keep = fields if series else [f for f in fields if _not_a_date(f)]
    points = ogr.GT_Flatten(layer.GetGeomType()) == ogr.wkbPoint
    ds = None
    if points:  # the plugin's bulk writer: a packed spatial index, and progress all along
        from ...core.vector_io import add_points_layer, read_points
        table = read_points(path, src_name, keep)
        add_points_layer(gpkg, table, name, progress)
        return
    state = {"last": -1.0, "cancelled": False}

    def callback(done, _message, _data):
        if progress is None or done - state["last"] < 0.02:
            return 1
        state["last"] = done
        try:
            progress(done)
        except Cancelled:
            state["cancelled"] = True
            return 0
        return 1
    opts = gdal.VectorTranslateOptions(
        format="GPKG", layers=[src_name], layerName=name, callback=callback,
        accessMode="overwrite" if os.path.exists(gpkg) else None,
        selectFields=None if len(keep) == len(fields) else keep,
        layerCreationOptions=["SPATIAL_INDEX=YES"] if geometry else [])
    try:
        result = gdal.VectorTranslate(gpkg, path, options=opts)
    except RuntimeError:
        if state["cancelled"]:
            raise Cancelled() from None
        raise
    if state["cancelled"]:
        raise Cancelled()
    if result is None:
        raise RuntimeError(f"could not copy {src} into {gpkg}")


def _not_a_date(name: str) -> bool:
    try:
        return date_of_field(name) is None
    except InputError:
        return True


def _set_aside(final: str):
    """Move what is at `final` to its backup name (kept until commit); None when nothing is there."""
    if not os.path.lexists(final):
        return None
    backup = final + BACKUP
    _remove(backup)
    os.replace(final, backup)
    return backup
