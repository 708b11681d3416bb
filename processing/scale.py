"""Tile-by-tile runs of the algorithms: the scheduler setting, tile-set inputs, and the outputs.

An algorithm runs tile by tile (core.scale) when the Dask scheduler setting is not empty, when
its input is a tile set (the .vrt that 'Partition points into tiles' writes), or when the user
asks for a folder of tiles as output. Otherwise it takes today's path, in this process.
"""
import dataclasses
import os
from typing import Optional

from qgis.core import (QgsProcessingParameterDefinition, QgsProcessingParameterEnum,
                       QgsProcessingParameterNumber, QgsProviderRegistry, QgsVectorLayer)

from .. import settings
from ..core.errors import InputError
from ..core.scale import cluster, points
from ..core.scale.outputs import GpkgAppender, TileFolder
from ..core.scale.tileset import TileSet, field_kinds, is_tileset
from .layers import attach_style, write_point_table

OUTPUT_MODE, TILE_SIZE = "OUTPUT_MODE", "TILE_SIZE"
MODES = ("one GeoPackage (one writer)", "a folder of per-tile GeoPackages and a virtual layer (.vrt)")
HELP = """
<b>National scale</b> (advanced): with a Dask scheduler in InSAR Fusion &gt; Settings
(local, local:N or tcp://host:port), or a tile set as input (the .vrt written by <i>Partition
points into tiles</i>), the points are cut into square tiles and run tile by tile on the
cluster, each tile with the halo it needs; the results equal an in-process run's bit for bit.
<b>Write the output as</b>: one GeoPackage, written by one writer, or a folder
&lt;output&gt;_tiles/ of per-tile GeoPackages with &lt;output&gt;.vrt, a virtual layer QGIS
opens as one layer (and that the next algorithm takes as a tile set).
<b>Tile size</b> (m): 0 chooses about 250 000 points per tile (a tile set keeps its own tiles).
"""


def add_parameters(alg) -> None:
    """The two advanced parameters of every algorithm that can run tile by tile."""
    mode = QgsProcessingParameterEnum(OUTPUT_MODE, alg.tr("Write the output as"), list(MODES),
                                      defaultValue=0)
    size = QgsProcessingParameterNumber(TILE_SIZE, alg.tr("Tile size (m; 0 = automatic)"),
                                        QgsProcessingParameterNumber.Type.Double, 0.0, minValue=0.0)
    for p in (mode, size):
        p.setFlags(p.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        alg.addParameter(p)


@dataclasses.dataclass
class Plan:
    """How a tile-by-tile run goes: the engine, the input tile set (if any), the output kind."""

    engine: object
    tileset: Optional[TileSet]
    folder: bool
    tile_size: float


def input_tileset(alg, parameters, name, context) -> Optional[TileSet]:
    """The tile set behind an input layer, or None for any other layer."""
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    if layer is None or layer.providerType() != "ogr":
        return None
    path = QgsProviderRegistry.instance().decodeUri("ogr", layer.source()).get("path", "")
    return TileSet.open(path) if is_tileset(path) else None


def plan(alg, parameters, context, name: str = "INPUT") -> Optional[Plan]:
    """The tile-by-tile plan, or None for today's in-process path."""
    ts = input_tileset(alg, parameters, name, context)
    folder = alg.parameterAsEnum(parameters, OUTPUT_MODE, context) == 1
    size = alg.parameterAsDouble(parameters, TILE_SIZE, context) if parameters.get(TILE_SIZE) else 0.0
    setting = settings.scheduler()
    if not setting and not folder and ts is None:
        return None
    if folder and alg.dest("OUTPUT").startswith("ogr:"):
        raise InputError("A folder of tiles cannot go into a GeoPackage layer; give a file name "
                         "as the output, or write one GeoPackage.")
    return Plan(cluster.engine_for(setting), ts, folder, size)


def vrt_of(dest: str) -> str:
    return os.path.splitext(dest.split("|")[0])[0] + ".vrt"


def publish(alg, context, name, path, style) -> str:
    """The virtual layer replaces the destination QGIS was to load, styled by a .qml beside it.

    The style's classes come from one tile, not from the whole set: reading every value back
    through the virtual layer would cost minutes at national scale."""
    dest = alg.dest(name)
    if style is not None:
        qml = os.path.splitext(path)[0] + ".qml"
        sample = _sample_tile(path)
        layer = QgsVectorLayer(sample or path, os.path.basename(path), "ogr")
        if layer.isValid():
            style(layer)
            layer.saveNamedStyle(qml)
    if context.willLoadLayerOnCompletion(dest) and path != dest:
        details = context.layerToLoadOnCompletionDetails(dest)
        layers = context.layersToLoadOnCompletion()
        layers.pop(dest, None)
        context.setLayersToLoadOnCompletion(layers)
        context.addLayerToLoadOnCompletion(path, details)
        if style is not None:
            attach_style(alg, context, path, lambda lyr: lyr.loadNamedStyle(qml))
    return path


def _sample_tile(vrt: str) -> str:
    """The file of the tile set's fullest tile ('' when there is none)."""
    try:
        ts = TileSet.open(vrt)
    except InputError:
        return ""
    full = [t for t in ts.ids if ts.tiles[t]["count"]]
    return ts.file(max(full, key=lambda t: ts.tiles[t]["count"])) if full else ""


def style_gpkg(dest: str, style, sample_rows: int = 200_000) -> None:
    """Store `style` as the GeoPackage's default style, its classes from the first rows only."""
    if style is None:
        return
    layer = QgsVectorLayer(dest, "styled", "ogr")
    if layer.isValid():
        layer.setSubsetString(f"fid <= {int(sample_rows)}")
        style(layer)
        layer.setSubsetString("")
        layer.saveStyleToDatabase("default", "InSAR Fusion style", True, "")


def run_points(alg, context, name, pl: Plan, step, table, style, progress, columns=None):
    """Run a per-point step tile by tile and write the output; return (output path, infos).

    table: the input read here (a layer), or None when the input is the plan's tile set."""
    if table is not None:
        grid, sources = points.memory_sources(table, pl.tile_size)
        crs = table.crs_wkt
    else:
        grid, sources, crs = pl.tileset.grid, points.file_sources(pl.tileset, columns), pl.tileset.crs_wkt
    run_p, write_p = progress.sub(0.0, 0.9), progress.sub(0.9, 1.0)
    if pl.folder:
        out = TileFolder(vrt_of(alg.dest(name)))
        try:
            results = list(points.run(step, pl.engine, sources, out.sink(), run_p))
            alg.check_tiled([r[3] for r in results])
            entries = [r[4] for r in results]
            first = _first_table(out, entries)
            path = out.finish(grid, crs, field_kinds(first) if first is not None else [], entries)
        except BaseException:
            out.abort()
            raise
        return publish(alg, context, name, path, style), [r[3] for r in results]
    if table is not None:
        results = list(points.run(step, pl.engine, sources, None, run_p))
        whole, infos = points.assemble(results, len(table), table)
        alg.check_tiled(infos)
        return write_point_table(alg, name, whole, context, style=style, progress=write_p), infos
    dest = alg.dest(name)
    if not dest.lower().endswith(".gpkg"):
        raise InputError("With a tile set as input, write the output to a GeoPackage (.gpkg), or "
                         "choose the folder of tiles as output.")
    app = GpkgAppender(dest)
    infos, last = [], None
    try:
        for _, out_table, _, info, _ in points.run(step, pl.engine, sources, None, run_p):
            infos.append(info)
            app.append(out_table, write_p.sub(0.0, 0.0))
            last = out_table
        alg.check_tiled(infos)
        app.finish(last)
    except BaseException:
        app.abort()
        raise
    style_gpkg(dest, style)
    return dest, infos


def _first_table(out: TileFolder, entries):
    from ..core.vector_io import read_points
    for e in entries:
        if e and e["count"]:
            return read_points(os.path.join(out.tmp, e["file"]))
    return None


def write_table_tiles(alg, context, name, pl: Plan, table, style, progress=None) -> str:
    """A table held here written as a folder of tiles (for in-memory results such as GWR's)."""
    from ..core.scale.tiling import cut, grid_of_points
    grid = grid_of_points(table.x, table.y, pl.tile_size)
    out = TileFolder(vrt_of(alg.dest(name)))
    try:
        sink = out.sink()
        parts = list(cut(table.x, table.y, grid, 0.0))
        entries = []
        for k, (t, core, _) in enumerate(parts):
            span = progress.sub(k / len(parts), (k + 1) / len(parts)) if progress is not None else None
            entries.append(sink.write(t, table.subset(core), span))
        path = out.finish(grid, table.crs_wkt, field_kinds(table), entries)
    except BaseException:
        out.abort()
        raise
    return publish(alg, context, name, path, style)
