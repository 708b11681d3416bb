"""Small questions the study asks of its work layers (OGR, no QGIS): fields, CRS, counts, and the
regions layer joined with the change per region (for the map of Table 2)."""
import os
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import ogr, osr

from ..crs import utm_epsg
from ..errors import InputError
from ..points import numeric
from ..vector_io import read_points

ogr.UseExceptions()
osr.UseExceptions()


def _layer(path: str):
    ds = ogr.Open(path.split("|")[0])
    if ds is None:
        raise InputError(f"Cannot open '{os.path.basename(path)}'.")
    name = path.split("|layername=")[1] if "|layername=" in path else None
    return ds, (ds.GetLayerByName(name) if name else ds.GetLayer(0))


def field_names(path: str) -> List[str]:
    ds, lyr = _layer(path)
    defn = lyr.GetLayerDefn()
    return [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]


def feature_count(path: str) -> int:
    ds, lyr = _layer(path)
    return int(lyr.GetFeatureCount())


def incidence_source(path: str) -> str:
    """'incidence' or 'los_up' when that field holds a value at some point, else ''."""
    names = field_names(path)
    for field in ("incidence", "los_up"):
        if field in names:
            t = read_points(path, columns=[field])
            if np.isfinite(numeric(t.columns[field], field)).any():
                return field
    return ""


def crs_of(path: str) -> Tuple[str, str, bool]:
    """(WKT, 'EPSG:n' or '', geographic?) of a vector layer."""
    ds, lyr = _layer(path)
    srs = lyr.GetSpatialRef()
    if srs is None:
        return "", "", False
    srs = srs.Clone()
    try:
        srs.AutoIdentifyEPSG()
    except RuntimeError:
        pass
    code = srs.GetAuthorityCode(None)
    auth = f"{srs.GetAuthorityName(None)}:{code}" if code else ""
    return srs.ExportToWkt(), auth, bool(srs.IsGeographic())


def local_utm(path: str) -> str:
    """'EPSG:326nn' (or 327nn) of the UTM zone at the median point of a layer in degrees."""
    t = read_points(path, columns=[])
    ok = np.isfinite(t.x) & np.isfinite(t.y)
    if not ok.any():
        raise InputError(f"'{os.path.basename(path)}' has no point with coordinates.")
    return f"EPSG:{utm_epsg(float(np.median(t.x[ok])), float(np.median(t.y[ok])))}"


def join_change(regions: str, name_field: str, rows: Sequence[dict], out: str, layer: str = "regions_change"
                ) -> List[str]:
    """The regions with one field per change label (its mean per region, from the changesummary
    rows) written to `out`; returns the labels."""
    labels = sorted({r["label"] for r in rows})
    means: Dict[Tuple[str, str], Optional[float]] = {(str(r["region"]), r["label"]): r["mean"] for r in rows}
    ds, src = _layer(regions)
    drv = ogr.GetDriverByName("GPKG")
    if os.path.exists(out):
        drv.DeleteDataSource(out)
    dst_ds = drv.CreateDataSource(out)
    dst = dst_ds.CreateLayer(layer, src.GetSpatialRef(), src.GetGeomType())
    dst.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    for label in labels:
        dst.CreateField(ogr.FieldDefn(label, ogr.OFTReal))
    has_name = name_field in field_names(regions)
    dst.StartTransaction()
    for feat in src:
        value = feat.GetField(name_field) if has_name else None
        name = str(value) if value is not None else f"feature {feat.GetFID()}"  # as changesummary
        out_feat = ogr.Feature(dst.GetLayerDefn())
        out_feat.SetGeometry(feat.GetGeometryRef())
        out_feat.SetField("name", name)
        for label in labels:
            v = means.get((name, label))
            if v is not None and np.isfinite(v):
                out_feat.SetField(label, float(v))
        dst.CreateFeature(out_feat)
    dst.CommitTransaction()
    dst_ds = None
    return labels


def rows(path: str) -> List[dict]:
    """Every feature's attributes of a table or layer, as dicts."""
    ds, lyr = _layer(path)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return [{n: f.GetField(n) for n in names} for f in lyr]


def checkpoint(gpkg: str) -> None:
    """Write a GeoPackage's write-ahead log (QGIS opens GeoPackages in WAL mode) into the file itself,
    so that study.gpkg alone holds everything, whoever still has it open."""
    import sqlite3

    if not os.path.exists(gpkg + "-wal"):
        return
    con = sqlite3.connect(gpkg, timeout=5.0)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass
    finally:
        con.close()


_STYLE_FIELDS = (("f_table_catalog", ogr.OFTString, 256), ("f_table_schema", ogr.OFTString, 256),
                 ("f_table_name", ogr.OFTString, 256), ("f_geometry_column", ogr.OFTString, 256),
                 ("styleName", ogr.OFTString, 30), ("styleQML", ogr.OFTString, 0), ("styleSLD", ogr.OFTString, 0),
                 ("useAsDefault", ogr.OFTInteger, 0), ("description", ogr.OFTString, 0),
                 ("owner", ogr.OFTString, 30), ("ui", ogr.OFTString, 30), ("update_time", ogr.OFTDateTime, 0))


def write_default_styles(gpkg: str, styles: Sequence[Tuple[str, str, str, str]]) -> None:
    """Store QGIS styles in a GeoPackage's layer_styles table, as QGIS does (the same columns), each as
    its layer's default: styles are (layer, QML, SLD, description). Written with OGR, so that QGIS
    never opens the file for writing (it would leave it in WAL mode while it keeps it open)."""
    ds = ogr.Open(gpkg, 1)
    table = ds.GetLayerByName("layer_styles")
    if table is None:
        table = ds.CreateLayer("layer_styles", None, ogr.wkbNone)
        for name, kind, width in _STYLE_FIELDS:
            field = ogr.FieldDefn(name, kind)
            if width:
                field.SetWidth(width)
            if name == "useAsDefault":
                field.SetSubType(ogr.OFSTBoolean)
            if name == "update_time":
                field.SetDefault("CURRENT_TIMESTAMP")
            table.CreateField(field)
    geometry = {}
    for layer, _, _, _ in styles:
        lyr = ds.GetLayerByName(layer)
        geometry[layer] = lyr.GetGeometryColumn() if lyr is not None else ""
    table.StartTransaction()
    for layer, qml, sld, description in styles:
        table.SetAttributeFilter(f"f_table_name = '{layer}' AND styleName = 'default'")
        for old in list(table):
            table.DeleteFeature(old.GetFID())
        table.SetAttributeFilter(None)
        feat = ogr.Feature(table.GetLayerDefn())
        for key, value in (("f_table_catalog", ""), ("f_table_schema", ""), ("f_table_name", layer),
                           ("f_geometry_column", geometry[layer]), ("styleName", "default"), ("styleQML", qml),
                           ("styleSLD", sld), ("useAsDefault", 1), ("description", description), ("owner", "")):
            feat.SetField(key, value)
        table.CreateFeature(feat)
    table.CommitTransaction()
    ds = None


def merge_tracks(sources: Sequence[Tuple[str, str]], out: str, progress=None) -> int:
    """Every point of every track as one layer of pid, track and velocity (mm/yr): the points the
    regression per region uses (the secondaries with their splice offset removed). Returns the count."""
    from ..points import PointTable
    from ..progress import ensure
    from ..vector_io import write_points

    progress = ensure(progress)
    xs, ys, pids, tracks, rates, wkt = [], [], [], [], [], ""
    for k, (path, name) in enumerate(sources):
        progress(0.5 * k / max(len(sources), 1))
        t = read_points(path, columns=[c for c in ("pid", "velocity") if c in field_names(path)])
        wkt = wkt or t.crs_wkt
        xs.append(t.x)
        ys.append(t.y)
        pids.append(np.array([None if v is None else str(v) for v in t.columns["pid"].tolist()], dtype=object)
                    if "pid" in t.columns else np.full(len(t), None, dtype=object))
        tracks.append(np.full(len(t), name, dtype=object))
        rates.append(numeric(t.columns["velocity"], "velocity"))
    table = PointTable(np.concatenate(xs), np.concatenate(ys),
                       {"pid": np.concatenate(pids), "track": np.concatenate(tracks),
                        "velocity": np.concatenate(rates)}, wkt)
    write_points(out, table, progress=progress.sub(0.5, 1.0))
    return len(table)


def polygons_of(path: str, field: str):
    """(name, rings) of every polygon of a layer, in its CRS: rings as (k, 2) arrays (exterior, holes;
    every part of a multipolygon). A feature with no name is 'feature <fid>' (as changesummary)."""
    ds, lyr = _layer(path)
    has = field in field_names(path)
    out = []
    for feat in lyr:
        geom = feat.GetGeometryRef()
        if geom is None:
            continue
        value = feat.GetField(field) if has else None
        name = str(value) if value is not None else f"feature {feat.GetFID()}"
        parts = [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())] \
            if ogr.GT_Flatten(geom.GetGeometryType()) == ogr.wkbMultiPolygon else [geom]
        rings = [np.array(part.GetGeometryRef(k).GetPoints())[:, :2] for part in parts
                 for k in range(part.GetGeometryCount())]
        out.append((name, rings))
    return out


def assign_regions(points: str, regions: str, field: str, out: str, inside_only: bool, progress=None) -> int:
    """The points with the name of the region each lies in (field region_<field>; the first region
    when they overlap), written to `out`; inside_only drops the others. Both layers in one CRS.
    Returns the number of points written."""
    from ..insar.screen import points_in_polygons
    from ..points import PointTable
    from ..progress import ensure
    from ..vector_io import write_points

    progress = ensure(progress)
    t = read_points(points)
    names = np.full(len(t), None, dtype=object)
    shapes = polygons_of(regions, field)
    for k, (name, rings) in enumerate(shapes):
        progress(0.5 * k / max(len(shapes), 1))
        hit = points_in_polygons(t.x, t.y, [rings]) & (names == None)  # noqa: E711 (object array)
        names[hit] = name
    cols = dict(t.columns)
    cols[f"region_{field}"] = names
    table = PointTable(t.x, t.y, cols, t.crs_wkt)
    if inside_only:
        table = table.subset(np.array([n is not None for n in names], bool))
    write_points(out, table, progress=progress.sub(0.5, 1.0))
    return len(table)
