"""insarfusion:importpoints: EGMS, PS layers, MintPy, LiCSBAS and dated stacks to one layout."""
import numpy as np
from qgis.core import (QgsCoordinateReferenceSystem, QgsProcessing, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingParameterBoolean,
                       QgsProcessingParameterCrs, QgsProcessingParameterEnum,
                       QgsProcessingParameterFile, QgsProcessingParameterNumber,
                       QgsProcessingParameterVectorDestination)

from ...core.crs import transform_points, utm_epsg
from ...core.insar.importer import FORMATS, check_output, import_points, notes, reference_to_first
from ...core.points import PointTable
from ...core.raster import is_geographic
from ..base import InsarFusionAlgorithm
from ..layers import write_point_table
from ..styles import rate_style

_FILTER = ("InSAR files (*.csv *.zip *.txt *.shp *.gpkg *.geojson *.h5 *.he5 *.tif *.tiff *.vrt "
           "vel vel.mskd vel.filt vel.filt.mskd);;All files (*)")


def crs_text(crs: QgsCoordinateReferenceSystem) -> str:
    """An 'EPSG:n' code when the CRS has one, else its WKT ('' when invalid)."""
    if crs is None or not crs.isValid():
        return ""
    auth = crs.authid()
    return auth if auth.upper().startswith("EPSG:") else crs.toWkt()


class ImportPoints(InsarFusionAlgorithm):
    NAME = "importpoints"
    DISPLAY = "Import InSAR points"
    GROUP = "insar"
    HELP = """
Reads the InSAR results users already have into <b>one point layout</b>: <i>pid</i>,
<i>velocity</i> (mm/yr), <i>velocity_std</i> (mm/yr), <i>coherence</i>, <i>incidence</i> (degrees,
when known), <i>los_up</i> (when known) and one field per acquisition <i>DYYYYMMDD</i> (mm),
the layout PS Time Series Viewer and InSAR Explorer users know. NULL and nodata stay NULL, never 0.

<b>Input file</b> and <b>Format</b> (auto detects from the extension and the contents; the
realdata file that proves each is named in docs/formats.md):
<ul><li><b>EGMS</b> L2a/L2b/L3 CSV, or the <b>zip</b> EGMS delivers (CSV and XML, read in place):
columns matched by name (<i>pid, easting, northing, mean_velocity, mean_velocity_std,
temporal_coherence, incidence_angle, los_east, los_north, los_up, track_angle</i> as heading) and
date columns <i>YYYYMMDD</i>; string pids kept; the other columns (<i>height_ortho, rmse_ts,
gnss_velocity, acceleration, seasonality</i>, ...) are kept under their own names. EGMS L3 Ortho
(U or E) holds the vertical or east-west component, not the line of sight.</li>
<li><b>PS</b> layers (Shapefile, GeoPackage or CSV): <i>CODE, VEL, V_STDEV, COHERENCE</i> and
date fields <i>D20190109</i>, <i>D_20190109</i> or <i>20190109</i>.</li>
<li><b>DePSI</b> CSV: <i>pnt_id, pnt_lat, pnt_lon, pnt_enscoh</i> and <i>d_YYYYMMDD</i> in
<b>metres</b> (converted to mm); the <i>a_</i> and <i>h2ph_</i> families are not displacement.</li>
<li><b>MintPy</b>: <i>geo_timeseries.h5</i> (/timeseries in m, /date) and <i>geo_velocity.h5</i>
(/velocity in m/yr, /velocityStd); give either (or <i>temporalCoherence.h5</i>), the others are found
beside it (or give one as the companion file). <i>temporalCoherence.h5</i> and
<i>geometryRadar.h5</i> (incidenceAngle) beside them are used when present; HEADING becomes the
<i>heading</i> field. Metres become mm. Grid from X_FIRST, Y_FIRST, X_STEP, Y_STEP and EPSG. Pixels
whose velocity and std are both exactly 0 (MintPy's masked pixels) are left out, except the
reference pixel.</li>
<li><b>LiCSBAS</b> <i>cum.h5</i>: cum (mm), vel (mm/yr), imdates, and the grid from corner_lat,
corner_lon, post_lat, post_lon (WGS 84). An optional mask (0 = masked), vstd and coh_avg are used.</li>
<li><b>LiCSBAS results</b> (no cum.h5): pick <i>results/vel</i>; vstd, coh_avg, mask and hgt beside
it and the grid from <i>info/EQA.dem_par</i> (raw float32, corner = centre of the first pixel).</li>
<li><b>Velocity raster</b>: one band of velocity in mm/yr (m/yr when the band unit says so), e.g. the
EGMS L3 Ortho GeoTIFF (nodata -9999); one point per valid pixel, no dates.</li>
<li><b>PyRate interferogram</b> (<i>*_unw.tif</i>, DATA_TYPE=ORIGINAL_IFG): phase in radians turned
into LOS mm with WAVELENGTH_METRES as PyRate does; a two-date series and its rate; coherence from the
<i>*_cc.tif</i> of the same pair beside it. Coherence rasters are refused: they hold no deformation.</li>
<li><b>Raster stack</b>: a multi-band GeoTIFF whose band descriptions are dates, or one of several
single-band files named with their date (disp_20190109.tif, ...), in mm.</li></ul>
Grids become one point per valid pixel centre. Without a velocity, it is fitted (least squares,
mm/yr) from the series.

<b>CRS of CSV coordinates</b>: the CRS of <i>easting/northing</i> (EGMS: EPSG:3035, the default).
<i>latitude/longitude</i> columns are always WGS 84.
<b>Companion file</b>: the MintPy velocity or time-series file, when it is not beside the input.
<b>Nodata value</b>: a value to treat as NULL besides empty cells and NaN (e.g. -9999).
<b>Minimum coherence</b>: grids only; pixels below it are skipped.
<b>Reproject to</b>: optional output CRS; splicing and screening need metres, e.g. the local UTM zone.
<b>Re-reference each series to 0 at its first date</b>: EGMS series are not 0 at the first date
(about 98 % of the points of a 2020-2024 burst); they are kept as in the file unless this is ticked,
and the log says how many are not 0.

<b>Output</b>: the point layer styled by velocity. A Shapefile holds at most 250 fields; an input
with more dates is refused before any work, with the advice to save a GeoPackage.
"""
    INPUT, FORMAT, CRS, COMPANION, NODATA, MIN_COHERENCE, TARGET_CRS, REREFERENCE, OUTPUT = (
        "INPUT", "FORMAT", "CRS", "COMPANION", "NODATA", "MIN_COHERENCE", "TARGET_CRS", "REREFERENCE",
        "OUTPUT")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, self.tr("InSAR file (CSV, EGMS zip, Shapefile, GeoPackage, HDF5, GeoTIFF, LiCSBAS vel)"),
            QgsProcessingParameterFile.Behavior.File, fileFilter=_FILTER))
        self.addParameter(QgsProcessingParameterEnum(
            self.FORMAT, self.tr("Format"), list(FORMATS), defaultValue=0))
        self.addParameter(QgsProcessingParameterCrs(
            self.CRS, self.tr("CRS of easting/northing columns (CSV)"), "EPSG:3035", optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.COMPANION, self.tr("Companion file (MintPy velocity or time series)"),
            QgsProcessingParameterFile.Behavior.File, fileFilter="HDF5 (*.h5 *.he5);;All files (*.*)",
            optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.NODATA, self.tr("Nodata value (read as NULL)"), QgsProcessingParameterNumber.Type.Double,
            None, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_COHERENCE, self.tr("Minimum coherence (grids)"), QgsProcessingParameterNumber.Type.Double,
            0.0, minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterCrs(
            self.TARGET_CRS, self.tr("Reproject to"), None, optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.REREFERENCE, self.tr("Re-reference each series to 0 at its first date"), False))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("InSAR points"), QgsProcessing.SourceType.TypeVectorPoint))
        self.addOutput(QgsProcessingOutputNumber("N_POINTS", self.tr("Number of points")))
        self.addOutput(QgsProcessingOutputNumber("N_DATES", self.tr("Number of dates")))
        self.addOutput(QgsProcessingOutputString("FORMAT", self.tr("Format read")))

    def process(self, parameters, context, feedback, progress):
        path = self.parameterAsFile(parameters, self.INPUT, context)
        fmt = FORMATS[self.parameterAsEnum(parameters, self.FORMAT, context)]
        companion = self.parameterAsFile(parameters, self.COMPANION, context) or ""
        crs = crs_text(self.parameterAsCrs(parameters, self.CRS, context)) or "EPSG:3035"
        nodata = parameters.get(self.NODATA)
        nodata = None if nodata in (None, "") else self.parameterAsDouble(parameters, self.NODATA, context)
        min_coh = self.parameterAsDouble(parameters, self.MIN_COHERENCE, context)
        target = crs_text(self.parameterAsCrs(parameters, self.TARGET_CRS, context))
        fmt, n_dates = check_output(path, fmt, self.dest(self.OUTPUT), companion)
        feedback.pushInfo(f"Reading {path} as {fmt} ({n_dates} dates).")
        table = import_points(path, fmt, crs, companion, nodata, min_coh, progress.sub(0.0, 0.7))
        for line in notes(path, fmt, table):
            feedback.pushInfo(line)
        if self.parameterAsBool(parameters, self.REREFERENCE, context) and table.date_columns():
            table = reference_to_first(table)
            feedback.pushInfo("Every series was shifted to 0 at its first valid date.")
        if target:
            x, y = transform_points(table.x, table.y, table.crs_wkt, target)
            table = PointTable(x, y, table.columns, target)
        if is_geographic(table.crs_wkt) and len(table):
            ok = np.isfinite(table.x) & np.isfinite(table.y)
            code = utm_epsg(float(np.median(table.x[ok])), float(np.median(table.y[ok])))
            feedback.pushWarning(f"The output is in geographic coordinates. Splicing and screening need "
                                 f"metres: set 'Reproject to' EPSG:{code} (the local UTM zone).")
        write_point_table(self, self.OUTPUT, table, context, style=rate_style("velocity"),
                          progress=progress.sub(0.7, 1.0))
        n = len(table.date_columns())
        feedback.pushInfo(f"Wrote {len(table)} points with {n} dates.")
        return {self.OUTPUT: self.dest(self.OUTPUT), "N_POINTS": len(table), "N_DATES": n, "FORMAT": fmt}
