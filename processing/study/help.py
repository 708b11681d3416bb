"""The help text of insarfusion:study (the Processing dialog shows it beside the parameters)."""

HELP = """
The whole study of the Heihe workflow on <b>your own data</b>, in one run: where the ground moves,
how fast, and how that relates to vegetation (NDVI), soil moisture and rain. It runs the plugin's
algorithms one after the other (each step shows in the log and on the progress bar; Cancel stops at
once and leaves nothing behind) and writes three things into <b>Output folder</b>:
<i>study.gpkg</i> (every layer and table, styled), <i>study.qgz</i> (a QGIS project: layers in
groups, the time-series inspector set up, print layouts of the figures ready for PDF) and
<i>study.html</i> (the report), plus <i>study.json</i> (every step's results) and <i>rasters/</i>.
A step whose inputs are missing is skipped, and the report says why. A step that refuses your data
stops the study with its message, and nothing is written.

<b>InSAR tracks</b>: one or more point inputs in any format <i>Import InSAR points</i> reads (EGMS
CSV, PS Shapefile/GeoPackage/CSV, MintPy or LiCSBAS HDF5, a dated GeoTIFF stack), as files or project
layers. The first is the reference: every further track is spliced onto it (offset plane removed,
overlap checked). Each track becomes vertical (d_U = d_LOS / cos θ) where it has an incidence angle
or <i>los_up</i>; otherwise it stays in the line of sight, and the log and the report say so.
<b>NDVI, soil-moisture and precipitation stacks</b> (optional): dated rasters, or a folder of them;
the date comes from each file name (ndvi_20190716.tif, or ndvi_201907.tif for a month: <b>a
month-only name stands for the middle of the month</b>, the date a monthly mean describes; the
advanced option sets the 1st instead).
<b>Regions</b> (optional polygons) and their <b>name field</b>: the change per region (Table 2), OLS
per region (Table 3), and by default the sites (their centroids).
<b>DEM</b>, <b>Study area</b> (optional): screening limits (with the advanced DEM and NDVI ranges).
<b>Sites</b> (optional points): where the time series, correlations and lags are computed.
<b>Coherence rasters</b> (optional): coherence of interferometric pairs, each named with its two
dates (coherence_20190809_20190821.tif); with them the NDVI→coherence models are fitted (Ningxia
paper), the coherence is predicted from NDVI and the InSAR points in low coherence are flagged.
<b>Significant rate</b> (now {setting:significant_rate} mm/yr), <b>GWR bandwidth</b> (now
{setting:gwr_bandwidth} m), <b>Site radius</b> (now {setting:site_radius} m): defaults from the plugin settings.

<b>Steps</b>: import the tracks and convert them to vertical; splice them; regions, study area and
sites; screen significant deformation (|rate| ≥ threshold, DEM, NDVI, study area); seasonal fit of
the significant points and of every track; interannual (summer B − summer A) and seasonal (summer B
− winter B) change of NDVI and soil moisture, and their means per region; GWR of the rate on the
interannual changes at the significant points; OLS per region over every point of every track;
time series at the sites; the NDVI–coherence model; then the GeoPackage, the project and the report.

<b>Advanced</b>: track names; the CRS of CSV coordinates (EGMS: EPSG:3035) and of the study (default:
the first track's, or its UTM zone when it is in degrees); the splice's match distance and offset
(constant or plane, default plane); DEM and NDVI ranges (the NDVI of the summer month of year A);
the summer and winter months and the years of the change; what month-only names stand for; the
site name field; NDVI rasters for the coherence model (e.g. Sentinel-2 NDVI at the pairs' dates;
default the NDVI stack) and its sample window.

<b>Outputs</b>: GEOPACKAGE, PROJECT, REPORT, SUMMARY (paths), N_POINTS, N_SIGNIFICANT, N_LAYOUTS,
SKIPPED (the steps skipped, and why).
"""
