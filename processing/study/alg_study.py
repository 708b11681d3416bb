"""insarfusion:study: the whole study on the user's own data, in one algorithm."""
import os
import shutil
import tempfile

from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingOutputFile, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingParameterCrs, QgsProcessingParameterDefinition,
                       QgsProcessingParameterEnum, QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterFolderDestination, QgsProcessingParameterMultipleLayers,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterLayer, QgsProcessingParameterString)

from ... import settings
from ..base import InsarFusionAlgorithm
from . import steps_drivers as drivers
from . import steps_insar as insar
from .chain import Chain
from .deliver import Delivery
from .finish import finish
from .help import HELP
from .resolve import resolve

NUM = QgsProcessingParameterNumber
ADVANCED = QgsProcessingParameterDefinition.Flag.FlagAdvanced
GEOPACKAGE, PROJECT, REPORT, SUMMARY = "study.gpkg", "study.qgz", "study.html", "study.json"
N_STEPS = 13  # the ten analysis steps, then the GeoPackage, the project and the report


class Study(InsarFusionAlgorithm):
    NAME = "study"
    DISPLAY = "Ground deformation and its drivers: whole study"
    GROUP = "study"
    HELP = HELP

    def flags(self):
        # the layouts are rendered for the report: QGIS draws maps on the main thread
        return super().flags() | QgsProcessingAlgorithm.Flag.FlagNoThreading

    def _add(self, param, advanced=False):
        if advanced:
            param.setFlags(param.flags() | ADVANCED)
        self.addParameter(param)

    def initAlgorithm(self, config=None):
        files = QgsProcessing.SourceType.TypeFile
        self._add(QgsProcessingParameterMultipleLayers(
            "TRACKS", self.tr("InSAR tracks (files or layers; the first is the splice reference)"), files))
        for name, label in (("NDVI", "NDVI stack (dated rasters, or a folder of them)"),
                            ("SOIL_MOISTURE", "Soil-moisture stack (m³/m³; rasters or a folder)"),
                            ("PRECIPITATION", "Precipitation stack (mm/month; rasters or a folder)")):
            self._add(QgsProcessingParameterMultipleLayers(name, self.tr(label), files, optional=True))
        polygons, points = QgsProcessing.SourceType.TypeVectorPolygon, QgsProcessing.SourceType.TypeVectorPoint
        self._add(QgsProcessingParameterFeatureSource("REGIONS", self.tr("Regions (polygons)"), [polygons],
                                                      optional=True))
        self._add(QgsProcessingParameterField("REGION_FIELD", self.tr("Region name field"), "name", "REGIONS",
                                              optional=True))
        self._add(QgsProcessingParameterRasterLayer("DEM", self.tr("DEM (m)"), optional=True))
        self._add(QgsProcessingParameterFeatureSource("STUDY_AREA", self.tr("Study area (polygons)"), [polygons],
                                                      optional=True))
        self._add(QgsProcessingParameterFeatureSource(
            "SITES", self.tr("Time-series sites (points; default: the regions' centroids)"), [points],
            optional=True))
        self._add(QgsProcessingParameterMultipleLayers(
            "COHERENCE", self.tr("Coherence rasters of pairs (named with both dates)"), files, optional=True))
        self._add(NUM("RATE_THRESHOLD", self.tr("Significant rate |velocity| (mm/yr)"), NUM.Type.Double,
                      settings.value("significant_rate"), minValue=0.0))
        self._add(NUM("BANDWIDTH", self.tr("GWR bandwidth (m)"), NUM.Type.Double, settings.value("gwr_bandwidth"),
                      minValue=0.0))
        self._add(NUM("RADIUS", self.tr("Site radius (m)"), NUM.Type.Double, settings.value("site_radius"),
                      minValue=1.0))
        self._advanced()
        self._add(QgsProcessingParameterFolderDestination("OUTPUT_FOLDER", self.tr("Output folder")))
        for key, label in (("GEOPACKAGE", "Study GeoPackage"), ("PROJECT", "QGIS project"),
                           ("REPORT", "Report (HTML)"), ("SUMMARY", "Record of the run (JSON)")):
            self.addOutput(QgsProcessingOutputFile(key, self.tr(label)))
        for key, label in (("N_POINTS", "Points of the rate layer"), ("N_SIGNIFICANT", "Significant points"),
                           ("N_LAYOUTS", "Print layouts")):
            self.addOutput(QgsProcessingOutputNumber(key, self.tr(label)))
        self.addOutput(QgsProcessingOutputString("SKIPPED", self.tr("Steps skipped, and why")))

    def _advanced(self):
        self._add(QgsProcessingParameterString("TRACK_NAMES", self.tr("Track names, comma-separated (default: "
                                                                      "the file names)"), optional=True), True)
        self._add(QgsProcessingParameterCrs("CSV_CRS", self.tr("CRS of easting/northing in CSV tracks"),
                                            "EPSG:3035", optional=True), True)
        self._add(QgsProcessingParameterCrs("CRS", self.tr("Study CRS (projected, metres; default: the first "
                                                           "track's, or its UTM zone)"), optional=True), True)
        self._add(NUM("MATCH_DISTANCE", self.tr("Splice: match distance (m)"), NUM.Type.Double, 60.0,
                      minValue=0.0), True)
        self._add(QgsProcessingParameterEnum("CORRECTION", self.tr("Splice: offset"), ["constant", "plane"],
                                             defaultValue=1), True)
        for key, label in (("DEM_MIN", "Screen: DEM minimum (m)"), ("DEM_MAX", "Screen: DEM maximum (m)"),
                           ("NDVI_MIN", "Screen: NDVI minimum"), ("NDVI_MAX", "Screen: NDVI maximum")):
            self._add(NUM(key, self.tr(label), NUM.Type.Double, None, optional=True), True)
        for key, label, default in (("SUMMER_MONTH", "Change: summer month (1-12)", 7),
                                    ("WINTER_MONTH", "Change: winter month (1-12, in year B)", 1)):
            self._add(NUM(key, self.tr(label), NUM.Type.Integer, default, minValue=1, maxValue=12), True)
        for key, label in (("YEAR_A", "Change: year A (default: the year before B)"),
                           ("YEAR_B", "Change: year B (default: the last year with a summer raster)")):
            self._add(NUM(key, self.tr(label), NUM.Type.Integer, None, optional=True, minValue=1900,
                          maxValue=2200), True)
        self._add(QgsProcessingParameterEnum(
            "MONTH_DAY", self.tr("Month-only file names (YYYYMM) stand for"),
            [self.tr("the 1st of the month"), self.tr("the middle of the month (monthly means)")],
            defaultValue=1), True)
        self._add(QgsProcessingParameterField("SITE_FIELD", self.tr("Site name field"), None, "SITES",
                                              optional=True), True)
        self._add(QgsProcessingParameterMultipleLayers(
            "COHERENCE_NDVI", self.tr("NDVI for the coherence model (default: the NDVI stack)"),
            QgsProcessing.SourceType.TypeFile, optional=True), True)
        self._add(NUM("COHERENCE_WINDOW", self.tr("Coherence model: sample window (pixels)"), NUM.Type.Integer,
                      10, minValue=2), True)

    def process(self, parameters, context, feedback, progress):
        folder = self.dest("OUTPUT_FOLDER")
        os.makedirs(folder, exist_ok=True)
        work = tempfile.mkdtemp(prefix=".insarfusion-study-", dir=folder)
        delivery = Delivery(folder)
        try:
            plan = resolve(self, parameters, context, work)
            plan.delivery = delivery
            chain = Chain(context, feedback, N_STEPS)
            self._analyse(plan, chain)
            results = finish(plan, chain, delivery, folder,
                             (GEOPACKAGE, PROJECT, REPORT, SUMMARY), feedback)
            delivery.commit()
            return results
        except BaseException:
            delivery.rollback()
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @staticmethod
    def _analyse(plan, chain):
        n = len(plan.tracks)
        chain.step("tracks", "Import the tracks, LOS to vertical", lambda st: insar.tracks(plan, st), 2 * n + 1)
        chain.step("splice", "Splice the tracks, overlap check", lambda st: insar.splice(plan, st), n - 1,
                   skip="only one track: nothing to splice" if n == 1 else None)
        insar.rate_layer(plan)
        has_places = plan.regions is not None or plan.sites is not None or plan.study_area is not None
        chain.step("places", "Regions, study area and sites", lambda st: insar.places(plan, st), 4,
                   skip=None if has_places else "no REGIONS, STUDY_AREA or SITES given")
        chain.step("screen", "Screen significant deformation", lambda st: insar.screen(plan, st))
        chain.step("seasonal", "Seasonal fit", lambda st: insar.seasonal(plan, st), n + 1)
        has_change = bool(plan.stack("ndvi") or plan.stack("soil_moisture"))
        chain.step("change", "NDVI and soil-moisture change per region", lambda st: drivers.change(plan, st), 3,
                   skip=None if has_change else "no NDVI or soil-moisture stack given")
        n_sig = chain.records["screen"].runs[0]["results"]["N_KEPT"]
        chain.step("gwr", "GWR of the rate on the changes", lambda st: drivers.gwr(plan, st), 3,
                   skip=drivers.gwr_skip(plan, n_sig))
        ols_skip = "no REGIONS given" if not plan.regions_layer else \
            "no interannual change raster" if not plan.explanatory else None
        chain.step("ols", "OLS per region", lambda st: drivers.ols(plan, st), 4, skip=ols_skip)
        chain.step("sites", "Time series at the sites", lambda st: drivers.sites(plan, st),
                   skip=None if plan.sites_layer else "no SITES and no REGIONS (whose centroids would be the sites)")
        chain.step("coherence", "NDVI–coherence model", lambda st: drivers.coherence(plan, st),
                   3 * len(plan.coherence) + 3, skip=None if plan.coherence else "no COHERENCE rasters given")
