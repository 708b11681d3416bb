"""insarfusion:paircomposites: one NDVI MVC per interferometric pair, averaged onto the coherence grid."""
import csv
import os

from qgis.core import (QgsProcessing, QgsProcessingOutputMultipleLayers, QgsProcessingOutputNumber,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterFolderDestination, QgsProcessingParameterMultipleLayers,
                       QgsProcessingParameterRasterLayer)

from ...core.atomic import atomic_output, remove_outputs
from ...core.dates import to_date
from ...core.errors import InputError
from ...core.optical.composite import pair_composites
from ...core.optical.stack import date_rasters
from ...core.points import find_column
from ..base import InsarFusionAlgorithm
from ..styles import ndvi_raster_style, save_raster_style
from .common import raster_path, raster_paths

REFERENCE_NAMES = ("reference", "ref", "reference_date", "master", "primary", "date1", "date_1")
SECONDARY_NAMES = ("secondary", "sec", "secondary_date", "slave", "date2", "date_2")
INDEX = "ndvi_mvc_pairs.csv"


def _date(value, field, row):
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        raise InputError(f"Row {row} of PAIRS has no date in '{field}'.")
    if hasattr(value, "toPyDateTime"):
        return value.toPyDateTime().date()
    if hasattr(value, "toPyDate"):
        return value.toPyDate()
    text = str(int(value)) if isinstance(value, (int, float)) else str(value)
    try:
        return to_date(text)
    except InputError:
        raise InputError(f"Row {row} of PAIRS holds '{text}' in '{field}', which is not a date "
                         "(write YYYY-MM-DD or YYYYMMDD).") from None


class PairComposites(InsarFusionAlgorithm):
    NAME = "paircomposites"
    DISPLAY = "NDVI composites per interferometric pair"
    GROUP = "optical"
    HELP = """
Matches optical NDVI to radar pairs in time, as in the Ningxia paper (3.1.3): for each
interferometric pair, the <b>maximum value composite (MVC)</b> of every NDVI raster dated between
the pair's reference and secondary dates (both included), then <b>averaged</b> (area-weighted)
onto the target grid, e.g. the pair's coherence raster.

<b>Dated NDVI rasters</b>: dates from the file names (YYYYMMDD or YYYYMM) or GDAL metadata, as in
<i>Composite over a time window</i>. They are composited on the first raster's grid (others are
resampled onto it).<br/>
<b>Pairs</b>: a table (CSV or layer) with one row per pair.<br/>
<b>Reference / Secondary date field</b> (optional): found by name when empty (reference, ref,
master, primary, date1 / secondary, sec, slave, date2). Dates as YYYY-MM-DD or YYYYMMDD.<br/>
<b>Target grid</b>: the raster whose grid (extent, pixel size, CRS) the outputs take.<br/>
<b>Output folder</b>: one float32 GeoTIFF per pair, <i>ndvi_mvc_&lt;reference&gt;_&lt;secondary&gt;.tif</i>
(dates YYYYMMDD), styled as NDVI, plus <i>ndvi_mvc_pairs.csv</i> listing each pair, the NDVI
rasters used and the file. A pair with no NDVI inside its window is skipped with a warning.
"""
    INPUTS, PAIRS, REFERENCE_FIELD, SECONDARY_FIELD, TARGET, OUTPUT_FOLDER = (
        "INPUTS", "PAIRS", "REFERENCE_FIELD", "SECONDARY_FIELD", "TARGET", "OUTPUT_FOLDER")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.INPUTS, self.tr("Dated NDVI rasters"), QgsProcessing.SourceType.TypeRaster))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PAIRS, self.tr("Pairs (reference and secondary dates)"), [QgsProcessing.SourceType.TypeVector]))
        self.addParameter(QgsProcessingParameterField(
            self.REFERENCE_FIELD, self.tr("Reference date field"), None, self.PAIRS, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.SECONDARY_FIELD, self.tr("Secondary date field"), None, self.PAIRS, optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.TARGET, self.tr("Target grid (e.g. a coherence raster)")))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, self.tr("Output folder")))
        self.addOutput(QgsProcessingOutputMultipleLayers("OUTPUTS", self.tr("Composites per pair")))
        self.addOutput(QgsProcessingOutputNumber("PAIRS_WRITTEN", self.tr("Pairs written")))

    def _pairs(self, parameters, context):
        source = self.parameterAsSource(parameters, self.PAIRS, context)
        if source is None:
            raise InputError("No PAIRS table was given.")
        names = [f.name() for f in source.fields()]
        chosen = []
        for param, candidates, what in ((self.REFERENCE_FIELD, REFERENCE_NAMES, "reference date"),
                                        (self.SECONDARY_FIELD, SECONDARY_NAMES, "secondary date")):
            field = self.parameterAsString(parameters, param, context)
            if field and field not in names:
                raise InputError(f"PAIRS has no field '{field}'.")
            chosen.append(field or find_column(names, candidates, required=what))
        idx = [names.index(f) for f in chosen]
        pairs = []
        for row, feat in enumerate(source.getFeatures(), start=1):
            attrs = feat.attributes()
            pairs.append(tuple(_date(attrs[i], f, row) for i, f in zip(idx, chosen)))
        return pairs

    def process(self, parameters, context, feedback, progress):
        paths = raster_paths(self, parameters, self.INPUTS, context)
        target = raster_path(self.parameterAsRasterLayer(parameters, self.TARGET, context), self.TARGET)
        folder = self.dest(self.OUTPUT_FOLDER)
        pairs = self._pairs(parameters, context)
        rasters = date_rasters(paths)
        results = pair_composites(rasters, pairs, target, folder, "max", progress.sub(0, 0.97),
                                  first_input=paths[0])
        written = [r.path for r in results if r.path]
        try:
            for r in results:
                if r.path is None:
                    feedback.reportError(f"Pair {r.reference} – {r.secondary}: no NDVI raster inside "
                                         "the window; skipped.", False)
                else:
                    save_raster_style(r.path, ndvi_raster_style())
            with atomic_output(os.path.join(folder, INDEX)) as tmp:
                with open(tmp, "w", newline="", encoding="utf-8") as f:
                    w = csv.writer(f)
                    w.writerow(["reference", "secondary", "n_inputs", "inputs", "file"])
                    for r in results:
                        w.writerow([r.reference.isoformat(), r.secondary.isoformat(), len(r.used),
                                    ";".join(r.used), os.path.basename(r.path) if r.path else ""])
        except BaseException:
            remove_outputs(written)
            raise
        feedback.pushInfo(f"Wrote {len(written)} of {len(results)} pair composite(s) to {folder}.")
        progress(1.0)
        return {self.OUTPUT_FOLDER: folder, "OUTPUTS": written, "PAIRS_WRITTEN": len(written)}
