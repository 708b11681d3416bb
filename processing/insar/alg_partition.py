"""insarfusion:partition: a folder of EGMS bursts or GeoPackages cut into a tile set."""
from qgis.core import (QgsProcessingOutputNumber, QgsProcessingParameterCrs,
                       QgsProcessingParameterFile, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber)

from ... import settings
from ...core.scale import cluster
from ...core.scale.partition import DEFAULT_TILE_SIZE, partition
from ..base import InsarFusionAlgorithm
from ..styles import rate_style
from .. import scale
from .alg_importpoints import crs_text


class Partition(InsarFusionAlgorithm):
    NAME = "partition"
    DISPLAY = "Partition points into tiles"
    GROUP = "insar"
    HELP = """
Reads a folder of InSAR point files one at a time and cuts them into square tiles: a
<b>tile set</b>, one GeoPackage per tile plus a virtual layer (.vrt) that QGIS opens as one layer.
The tile set is the input of the national-scale runs: <i>LOS to vertical</i>, <i>Screen
significant deformation</i>, <i>Seasonal fit</i>, <i>Sample rasters at points</i> and <i>GWR</i>
take the .vrt and run tile by tile (on the Dask cluster of InSAR Fusion &gt; Settings, or in this
process), without any process holding every point.

<b>Parameters</b><ul>
<li><b>Folder of bursts</b>: EGMS CSV files (as downloaded, or the zip files holding them) and/or
GeoPackages in the standard point layout. CSV files are read as <i>Import InSAR points</i> reads
them (mm, NULL kept); GeoPackages keep every field. Bursts with other dates get NULL where they
lack a date.</li>
<li><b>CRS of CSV coordinates</b>: the CRS of easting/northing (EGMS: EPSG:3035).</li>
<li><b>Tile size</b> (m): the side of the square tiles, aligned on multiples of it (default
10 km). Aim for 10⁵–10⁶ points per tile.</li>
<li><b>Tile set</b>: the .vrt to write; the tiles go into &lt;name&gt;_tiles/ beside it, with the
manifest &lt;name&gt;.tiles.json.</li></ul>

<b>Method</b>: one task per burst reads it and writes its points per tile to scratch pieces; one
task per tile joins its pieces, in the order of the bursts' file names, into the tile's
GeoPackage. Points without coordinates are left out.
<b>Outputs</b>: the tile set; N_POINTS, N_TILES, N_BURSTS.
"""
    INPUT, CRS, TILE_SIZE, OUTPUT = "INPUT", "CRS", "TILE_SIZE", "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, self.tr("Folder of bursts (EGMS CSV, zip, GeoPackage)"),
            behavior=QgsProcessingParameterFile.Behavior.Folder))
        self.addParameter(QgsProcessingParameterCrs(self.CRS, self.tr("CRS of CSV coordinates"), "EPSG:3035",
                                                  optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.TILE_SIZE, self.tr("Tile size (m)"), QgsProcessingParameterNumber.Type.Double,
            DEFAULT_TILE_SIZE, minValue=1.0))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, self.tr("Tile set"), self.tr("Virtual layer (*.vrt)")))
        for key in ("N_POINTS", "N_TILES", "N_BURSTS"):
            self.addOutput(QgsProcessingOutputNumber(key, key))

    def process(self, parameters, context, feedback, progress):
        folder = self.parameterAsFile(parameters, self.INPUT, context)
        crs = crs_text(self.parameterAsCrs(parameters, self.CRS, context)) or "EPSG:3035"
        size = self.parameterAsDouble(parameters, self.TILE_SIZE, context)
        vrt = scale.vrt_of(self.dest(self.OUTPUT))
        engine = cluster.engine_for(settings.scheduler())
        s = partition(folder, vrt, engine, size, crs, progress)
        feedback.pushInfo(f"{s['n_bursts']} bursts, {s['n_points']} points, {s['n_tiles']} tiles of "
                          f"{size:g} m ({engine.name}).")
        path = scale.publish(self, context, self.OUTPUT, s["vrt"], rate_style("velocity"))
        return {self.OUTPUT: path, "N_POINTS": s["n_points"], "N_TILES": s["n_tiles"],
                "N_BURSTS": s["n_bursts"]}
