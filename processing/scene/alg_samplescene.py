"""insarfusion:samplescene: write the sample scene (a Heihe-like oasis basin with planted truth)."""
import os
from urllib.parse import quote

from qgis.core import (QgsProcessingContext, QgsProcessingOutputFile, QgsProcessingOutputNumber,
                       QgsProcessingParameterBoolean, QgsProcessingParameterEnum,
                       QgsProcessingParameterFolderDestination, QgsProcessingParameterNumber,
                       QgsRasterLayer, QgsVectorLayer)

from ...core.scene import DEFAULT_SEED, SIZES, generate_scene
from ..base import InsarFusionAlgorithm
from ..layers import _StylePostProcessor
from ..styles import rate_style


def csv_uri(path: str) -> str:
    """A delimited-text layer URI for an EGMS CSV (points from easting/northing, EPSG:32647)."""
    return (f"file://{quote(os.path.abspath(path))}?type=csv&delimiter=,&xField=easting&yField=northing"
            "&crs=EPSG:32647&detectTypes=yes&geomType=point&spatialIndex=no&subsetIndex=no&watchFile=no")


class SampleScene(InsarFusionAlgorithm):
    NAME = "samplescene"
    DISPLAY = "Create sample scene"
    GROUP = "sample"
    HELP = """
Writes a deterministic sample scene to try every tool on: a 30 km × 25 km oasis basin modelled on the
Heihe paper (UTM 47N, EPSG:32647), with the parameters it planted in <i>truth.json</i>.

<b>What it writes</b> (see docs/scene.md for every file and key):
<ul><li><i>insar/T128_egms.csv</i> (ascending) and <i>insar/T026_egms.csv</i> (descending): EGMS-style
CSV points on a 56 m grid, LOS rates (mm/yr) and series (mm, one column per date YYYYMMDD), incidence
33–45°; the tracks overlap in a strip and T026 carries a planted reference offset. Load them as
delimited text with X = easting, Y = northing.</li>
<li><i>insar/*_acquisitions.csv</i>: date and perpendicular baseline (m) of each acquisition.</li>
<li><i>ndvi/ndvi_YYYYMM.tif</i> (250 m), <i>soil_moisture/sm_YYYYMM.tif</i> (1 km, m³/m³),
<i>precipitation/precip_YYYYMM.tif</i> (1 km, mm/month): monthly, 2019–2020.</li>
<li><i>dem.tif</i> (m, mountains in the south), <i>landcover.tif</i> (classes with names),
<i>regions.gpkg</i> (zones P1–P6).</li>
<li><i>s2/</i>: Sentinel-2-like red/NIR reflectance (×10000, 10 m); <i>slc/</i>: a co-registered
SLC pair (complex, 25 m), its baseline and the true coherence.</li></ul>
The zones: irrigated farmland bowls P1–P3 (−20 to −30 mm/yr, seasonal), a mine P4 (−50 mm/yr), a coal
mine P5, a saline uplift P6 (about +13 mm/yr), and two zones (Z7 mountains, Z8 desert) that DEM and NDVI
screening should remove. NDVI lags the farmland subsidence rate by 15 days, soil moisture by 30.

<b>Parameters</b>
<ul><li><b>Output folder</b>: where the scene goes (files of an earlier scene are replaced).</li>
<li><b>Size</b>: <i>small</i> (default, a few seconds, some 85 000 points) or <i>large</i>
(~1 million points and a 10980 × 10980 NDVI raster for benchmarks; about 30 s and 800 MB).</li>
<li><b>Seed</b>: the same seed always gives the same files, byte for byte.</li>
<li><b>Load key layers</b>: add the two tracks, the regions, the land cover and the July 2020 NDVI
to the project when the run ends.</li></ul>
<b>Outputs</b>: the folder, the path of truth.json and the number of points per track.
"""
    OUTPUT_FOLDER, SIZE, SEED, LOAD = "OUTPUT_FOLDER", "SIZE", "SEED", "LOAD_LAYERS"
    TRUTH, N_T128, N_T026 = "TRUTH", "N_POINTS_T128", "N_POINTS_T026"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, self.tr("Output folder for the scene")))
        self.addParameter(QgsProcessingParameterEnum(
            self.SIZE, self.tr("Size"), options=list(SIZES), defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), QgsProcessingParameterNumber.Type.Integer, DEFAULT_SEED,
            minValue=0))
        self.addParameter(QgsProcessingParameterBoolean(
            self.LOAD, self.tr("Load key layers into the project"), True))
        self.addOutput(QgsProcessingOutputFile(self.TRUTH, self.tr("truth.json")))
        self.addOutput(QgsProcessingOutputNumber(self.N_T128, self.tr("Points in track T128")))
        self.addOutput(QgsProcessingOutputNumber(self.N_T026, self.tr("Points in track T026")))

    def process(self, parameters, context, feedback, progress):
        folder = self.dest(self.OUTPUT_FOLDER)
        size = SIZES[self.parameterAsEnum(parameters, self.SIZE, context)]
        seed = self.parameterAsInt(parameters, self.SEED, context)
        if size == "large":
            feedback.pushInfo("The large scene takes about half a minute and some 800 MB of disk.")
        res = generate_scene(folder, size, seed, progress)
        feedback.pushInfo(f"Wrote the {size} scene (seed {seed}) to {folder}: {len(res.files)} files, "
                          + ", ".join(f"{k} {v} points" for k, v in res.n_points.items()) + ".")
        if self.parameterAsBoolean(parameters, self.LOAD, context):
            self._load(folder, context)
        return {self.OUTPUT_FOLDER: folder, self.TRUTH: os.path.join(folder, "truth.json"),
                self.N_T128: res.n_points["T128"], self.N_T026: res.n_points["T026"]}

    def _load(self, folder, context):
        """Queue the key layers for loading at the end of the run, the tracks styled by rate."""
        layers = [(QgsRasterLayer(os.path.join(folder, "landcover.tif"), "land cover"), None),
                  (QgsRasterLayer(os.path.join(folder, "ndvi", "ndvi_202007.tif"), "NDVI July 2020"), None),
                  (QgsVectorLayer(os.path.join(folder, "regions.gpkg") + "|layername=regions",
                                  "regions P1-P6", "ogr"), None)]
        for t in ("T026", "T128"):
            layers.append((QgsVectorLayer(csv_uri(os.path.join(folder, "insar", f"{t}_egms.csv")),
                                          f"{t} (LOS, mm/yr)", "delimitedtext"), rate_style("mean_velocity")))
        for layer, style in layers:
            if not layer.isValid():
                continue
            context.temporaryLayerStore().addMapLayer(layer)
            details = QgsProcessingContext.LayerDetails(layer.name(), context.project(), layer.name())
            if style is not None:
                pp = _StylePostProcessor(style)
                self._post_processors.append(pp)  # keep a reference: QGIS does not own it
                details.setPostProcessor(pp)
            context.addLayerToLoadOnCompletion(layer.id(), details)
