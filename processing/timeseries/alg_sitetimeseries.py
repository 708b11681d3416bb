"""insarfusion:sitetimeseries: deformation, NDVI, soil moisture and rain at sites; correlations and lags."""
from qgis.core import (QgsProcessing, QgsProcessingParameterEnum, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterMultipleLayers, QgsProcessingParameterNumber,
                       QgsProcessingParameterVectorDestination)

from ... import settings
from ...core.crs import require_projected
from ...core.errors import InputError
from ...core.timeseries import tables
from ...core.timeseries.monthly import FIRST, MIDDLE
from ...core.timeseries.report import write_report
from ...core.timeseries.site import SiteData, analyse
from ...core.timeseries.stacks import StackReader
from ..base import InsarFusionAlgorithm
from .reading import circle_series, insar_fields, read_sites, stack_paths

STACKS = (("NDVI_STACK", "ndvi", "NDVI stack (one raster per date)"),
          ("SM_STACK", "soil_moisture", "Soil moisture stack (m³/m³, one raster per date)"),
          ("PRECIP_STACK", "precipitation", "Precipitation stack (mm/month, one raster per date)"))


class SiteTimeSeries(InsarFusionAlgorithm):
    NAME = "sitetimeseries"
    DISPLAY = "Time series at sites"
    GROUP = "timeseries"
    HELP = """
For each site, compares the ground deformation with NDVI, soil moisture and precipitation over
time (Heihe paper, Figs. 7, 11 and 12): their series, Pearson correlations and how many days
each variable lags the deformation rate.

<b>Parameters</b>
<ul><li><b>Sites</b>: points; one analysis per point.</li>
<li><b>Site name field</b> (optional): names the sites in the outputs; otherwise the feature id.</li>
<li><b>InSAR points</b>: a layer with one displacement field per date, named DYYYYMMDD
(also D_YYYYMMDD or YYYYMMDD), in mm, in a projected CRS (metres).</li>
<li><b>Radius</b> (m, default from the plugin settings, now {setting:site_radius} m): the circle averaged around each site.</li>
<li><b>NDVI / soil moisture / precipitation stacks</b> (optional): one raster per date; the date
is read from the file name (ndvi_201907.tif or ndvi_20190716.tif). Band 1 is used; rasters may be
in any CRS.</li>
<li><b>Month-only file names stand for</b>: the middle of the month (the 16th, default) or the 1st.
A monthly mean or composite (MODIS monthly NDVI, GEE monthly composites, ERA5-Land soil moisture,
CHIRPS rain totals) describes the whole month, so its date is the middle: dated on the 1st, every
lag comes out about 15 days short. Choose the 1st only for rasters that hold the 1st of the month.
The monthly time base uses the same day.</li>
<li><b>Smoothing</b> (months, default 3): centred moving-average window applied to every monthly
series before the rate is taken and before correlating (1 = none; an even number grows by one).</li>
<li><b>Maximum lag</b> (days, default 90): the lag search window. Keep it under a quarter of the
seasonal period, or the opposite phase of the cycle can win.</li></ul>

<b>Method</b>
<ul><li>Deformation: the mean of the InSAR points within the radius at each acquisition (also
their count and standard deviation), interpolated linearly to the same day of each month as the stacks, then smoothed.</li>
<li>Rate = d(deformation)/dt by central differences, in mm per mean month (30.44 days).</li>
<li>Each stack: the mean of the pixels whose centre lies in the circle, per date (only a window
around the circle is read), put on the same monthly base and smoothed.</li>
<li>Pearson r with a two-sided p-value for every pair of deformation, rate and the stacks,
over the months where both have a value.</li>
<li>Lag of each stack behind the rate: the shift that maximises |r| of rate(t) against
variable(t + shift), refined below one month by a parabola through the peak. <b>A positive lag
means the variable comes after the rate.</b></li></ul>

<b>Outputs</b>
<ul><li><b>Series table</b>: long form, fields site, date, variable, value, unit. Variables:
deformation (smoothed, mm), deformation_raw, deformation_spread (mm), point_count, rate (mm/month),
and each stack (ndvi, soil_moisture, precipitation) smoothed and as &lt;name&gt;_raw.</li>
<li><b>Correlations</b>: site, variable_a, variable_b, r, p_value, n.</li>
<li><b>Lags</b>: site, variable (ndvi, soil_moisture, precipitation), r_with_rate (Pearson r at
zero lag), lag_days, r_at_lag, p_value (of r_with_rate), n, at_limit (1 when the best shift is at
the edge of the window).</li>
<li><b>HTML report</b>: per site, the time-series panel on a shared date axis, the correlation
heatmap and the rate-against-variable scatters with fitted lines.</li></ul>
"""
    SITES, SITE_FIELD, INSAR, RADIUS, SMOOTHING, MAX_LAG, MONTH_DAY = (
        "SITES", "SITE_FIELD", "INSAR", "RADIUS", "SMOOTHING", "MAX_LAG", "MONTH_DAY")
    MONTH_DAYS = ((FIRST, "the 1st of the month"), (MIDDLE, "the middle of the month (monthly means)"))
    MIDDLE_INDEX = 1
    OUTPUT_TABLE, OUTPUT_CORRELATION, OUTPUT_LAGS, OUTPUT_HTML = (
        "OUTPUT_TABLE", "OUTPUT_CORRELATION", "OUTPUT_LAGS", "OUTPUT_HTML")

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SITES, self.tr("Sites"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(
            self.SITE_FIELD, self.tr("Site name field"), None, self.SITES, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INSAR, self.tr("InSAR points (DYYYYMMDD fields, mm)"), [QgsProcessing.SourceType.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterNumber(
            self.RADIUS, self.tr("Radius (m)"), QgsProcessingParameterNumber.Type.Double,
            settings.value("site_radius"), minValue=1.0))
        for name, _, label in STACKS:
            self.addParameter(QgsProcessingParameterMultipleLayers(
                name, self.tr(label), QgsProcessing.SourceType.TypeRaster, optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.MONTH_DAY, self.tr("Month-only file names (YYYYMM) stand for"),
            [self.tr(text) for _, text in self.MONTH_DAYS], defaultValue=self.MIDDLE_INDEX))
        self.addParameter(QgsProcessingParameterNumber(
            self.SMOOTHING, self.tr("Smoothing window (months)"), QgsProcessingParameterNumber.Type.Integer,
            3, minValue=1, maxValue=25))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_LAG, self.tr("Maximum lag (days)"), QgsProcessingParameterNumber.Type.Double,
            90.0, minValue=15.0, maxValue=365.0))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_TABLE, self.tr("Series table"), QgsProcessing.SourceType.TypeVector))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_CORRELATION, self.tr("Correlations"), QgsProcessing.SourceType.TypeVector))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_LAGS, self.tr("Lags behind the rate"), QgsProcessing.SourceType.TypeVector))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HTML, self.tr("Report"), self.tr("HTML files (*.html)")))

    def process(self, parameters, context, feedback, progress):
        insar = self.parameterAsSource(parameters, self.INSAR, context)
        sites_src = self.parameterAsSource(parameters, self.SITES, context)
        if insar is None or sites_src is None:
            raise InputError("Give both SITES and INSAR point layers.")
        if insar.featureCount() == 0:
            raise InputError("The INSAR layer has no features.")
        crs = insar.sourceCrs()
        field = self.parameterAsString(parameters, self.SITE_FIELD, context)
        sites = read_sites(sites_src, field, crs, context)
        require_projected(crs.toWkt(), [s[1] for s in sites], [s[2] for s in sites], "The INSAR layer")
        fields, dates = insar_fields(insar)
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        smoothing = self.parameterAsInt(parameters, self.SMOOTHING, context)
        max_lag = self.parameterAsDouble(parameters, self.MAX_LAG, context)
        month_day = self.MONTH_DAYS[self.parameterAsEnum(parameters, self.MONTH_DAY, context)][0]
        readers = []
        try:
            for name, label, _ in STACKS:
                paths = stack_paths(self.parameterAsLayerList(parameters, name, context), name)
                if paths:
                    readers.append(StackReader(label, paths, crs.toWkt(), month_day))
            if not readers:
                feedback.pushWarning("No stack was given: only the deformation and its rate are analysed.")
            analyses = []
            step = progress.sub(0.0, 0.8)
            for k, (site, x, y) in enumerate(sites):
                step(k / len(sites))
                circle = circle_series(insar, x, y, radius, fields, dates)
                if circle.n_points == 0:
                    feedback.reportError(f"Site {site}: no InSAR point within {radius:g} m; skipped.", False)
                    continue
                stacks = tuple(r.circle_means(x, y, radius) for r in readers)
                for s in stacks:
                    if not (s.pixels > 0).any():
                        feedback.reportError(f"Site {site}: the {s.label} stack does not cover the "
                                             "circle.", False)
                analysis = analyse(SiteData(site, x, y, radius, circle, stacks), smoothing, max_lag,
                                   base_day=month_day)
                analyses.append(analysis)
                lags = ", ".join(f"{g.variable} {g.lag_days:+.1f} d (r={g.r_with_rate:+.2f})"
                                 for g in analysis.lags)
                feedback.pushInfo(f"Site {site}: {circle.n_points} points. {lags}")
        finally:
            for r in readers:
                r.close()
        if not analyses:
            raise InputError(f"No site has an InSAR point within {radius:g} m. Check that the "
                             "sites lie on the InSAR points, or enlarge the radius.")
        progress(0.82)
        tables.write_rows(self.dest(self.OUTPUT_TABLE), tables.SERIES_FIELDS,
                           tables.series_rows(analyses), "series")
        tables.write_rows(self.dest(self.OUTPUT_CORRELATION), tables.CORRELATION_FIELDS,
                           tables.correlation_rows(analyses), "correlation")
        tables.write_rows(self.dest(self.OUTPUT_LAGS), tables.LAG_FIELDS,
                           tables.lag_rows(analyses), "lags")
        progress(0.84)
        write_report(self.dest(self.OUTPUT_HTML), analyses, progress.sub(0.84, 1.0))
        progress(1.0)
        return {name: self.dest(name) for name in
                (self.OUTPUT_TABLE, self.OUTPUT_CORRELATION, self.OUTPUT_LAGS, self.OUTPUT_HTML)}
