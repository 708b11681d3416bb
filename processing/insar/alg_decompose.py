"""insarfusion:decompose: two or more LOS tracks to vertical and east-west (as EGMS L3 Ortho)."""
import numpy as np
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterBoolean,
                       QgsProcessingParameterEnum, QgsProcessingParameterMultipleLayers,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterString, QgsProcessingParameterVectorDestination)

from ...core.crs import require_projected
from ...core.errors import InputError
from ...core.insar.decompose import decompose_tracks
from ...core.insar.gridding import MAX_GAP, cell_raster
from ...core.insar.tracks import parse_headings, result_table, to_track
from ...core.raster import Grid, write_array
from ..base import InsarFusionAlgorithm
from ..layers import read_layer, write_point_table
from ..styles import raster_ramp, rate_style, style_raster_output

MODES = ("Grid: cells of the cell size (as EGMS L3 Ortho)", "At the points of the first track")
RESAMPLINGS = ("Nearest acquisition, equidistant ones averaged (as EGMS L3)", "Linear")
VELOCITIES = ("Decompose the LOS velocities (std propagated)",
              "Fit the decomposed series: trend + annual cycle, as EGMS L3 (needs the series)")


class Decompose(InsarFusionAlgorithm):
    NAME = "decompose"
    DISPLAY = "Decompose LOS tracks into vertical and east-west"
    GROUP = "insar"
    HELP = """
Combines two or more line-of-sight (LOS) tracks, e.g. one ascending and one descending, into the
<b>vertical (up)</b> and <b>east-west (east)</b> motion, as EGMS L3 Ortho does. Each track sees
v_LOS = e·v_E + n·v_N + u·v_U with (e, n, u) the unit vector from the ground to the satellite.
<b>The north component is neglected</b> (as EGMS does): near-polar orbits are almost blind to it.
A north velocity known from GNSS can be given instead; it is then removed from every track first.

<b>Method</b>: every point of a track falls in a square cell aligned to multiples of the cell size
in the first track's CRS (EGMS: 100 m in EPSG:3035); per cell and track the points are averaged
(LOS vector, velocity, series) and the result sits at the cell centre. In each cell seen by at
least two tracks the weighted least squares N = Σ w·a·aᵀ, a = (e, u), w = 1/σ², gives v_E and v_U;
their std is √diag(N⁻¹), propagated from the velocity std (a track's cell std is √Σσᵢ²/n). With
the series, each track's cell series is resampled onto common dates (a regular step inside the
period all tracks cover) and solved date by date the same way. Checked against the official EGMS
L3 Ortho of Ustica (docs/formats.md): velocities to 0.08 mm/yr RMS decomposing the LOS velocities,
0.03 fitting the series as EGMS does; series to 0.03 mm.

<b>LOS tracks</b>: point layers in the layout of 'Import InSAR points' (<i>velocity</i>,
<i>velocity_std</i>, and <i>los_east, los_north, los_up</i> as EGMS gives them, or an
<i>incidence</i> (or <i>los_up</i>) and a <i>heading</i> field). Other CRSs are reprojected to the
first track's, which must be in metres.
<b>Where</b>: a grid, or at the points of the first track (each gathers every track's points within
the search radius).
<b>Cell size</b> (m, default 100 as EGMS) and <b>search radius</b> (m, at points).
<b>Minimum points per track and cell</b>: cells with fewer points of a track are not seen by it.
<b>Headings</b>: one heading per track (degrees clockwise from north: flight direction, e.g.
'-10.5, 190.2'), for tracks with an incidence but no los_east/los_north or heading field.
<b>North velocity</b> (mm/yr): assumed north motion, 0 to neglect it as EGMS does.
<b>Maximum condition number</b> of each cell's design [e, u]: ascending + descending give about 1.3;
two tracks looking the same way give 10 or more and noisy results, which are left out.
<b>Series on common dates</b> and <b>date step</b> (days; 6 as EGMS, 0 for the first track's dates).
<b>Resampling in time</b>: each common date takes the nearest acquisition of the track (equidistant
ones averaged: what reproduces the official EGMS L3 series), or linear interpolation; either way no
value comes from more than MAX_GAP days away.
<b>Velocity</b>: from the LOS velocities (default), or fitted to the decomposed series with EGMS's
model (trend + annual cycle).

<b>Outputs</b>: the vertical and the east-west layers in the standard layout (<i>velocity</i> mm/yr,
<i>velocity_std</i>, the series in mm, plus <i>n_tracks</i>, <i>n_points</i> and <i>condition</i>),
styled by velocity; on a grid, optionally the two velocities as GeoTIFFs.
""".replace("MAX_GAP", f"{MAX_GAP:g}")
    (TRACKS, MODE, CELL_SIZE, RADIUS, MIN_POINTS, HEADINGS, NORTH_VELOCITY, MAX_CONDITION, SERIES,
     DATE_STEP, RESAMPLING, VELOCITY, OUTPUT_UP, OUTPUT_EAST, OUTPUT_UP_RASTER,
     OUTPUT_EAST_RASTER) = (
        "TRACKS", "MODE", "CELL_SIZE", "RADIUS", "MIN_POINTS", "HEADINGS", "NORTH_VELOCITY",
        "MAX_CONDITION", "SERIES", "DATE_STEP", "RESAMPLING", "VELOCITY", "OUTPUT_UP", "OUTPUT_EAST",
        "OUTPUT_UP_RASTER", "OUTPUT_EAST_RASTER")

    def initAlgorithm(self, config=None):
        number = QgsProcessingParameterNumber.Type
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.TRACKS, self.tr("LOS tracks (two or more point layers)"),
            QgsProcessing.SourceType.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterEnum(self.MODE, self.tr("Where"), list(MODES),
                                                     defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.CELL_SIZE, self.tr("Cell size (m)"), number.Double, 100.0, minValue=0.001))
        self.addParameter(QgsProcessingParameterNumber(
            self.RADIUS, self.tr("Search radius at points (m)"), number.Double, 50.0, minValue=0.001))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_POINTS, self.tr("Minimum points per track and cell"), number.Integer, 1,
            minValue=1))
        self.addParameter(QgsProcessingParameterString(
            self.HEADINGS, self.tr("Headings, one per track (degrees, when the layers lack them)"),
            "", optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.NORTH_VELOCITY, self.tr("North velocity (mm/yr; 0 neglects it, as EGMS)"),
            number.Double, 0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_CONDITION, self.tr("Maximum condition number"), number.Double, 10.0,
            minValue=1.0))
        self.addParameter(QgsProcessingParameterBoolean(
            self.SERIES, self.tr("Series on common dates"), False))
        self.addParameter(QgsProcessingParameterNumber(
            self.DATE_STEP, self.tr("Date step of the series (days; 0: the first track's dates)"),
            number.Integer, 6, minValue=0))
        self.addParameter(QgsProcessingParameterEnum(self.RESAMPLING, self.tr("Resampling in time"),
                                                     list(RESAMPLINGS), defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(self.VELOCITY, self.tr("Velocity"),
                                                     list(VELOCITIES), defaultValue=0))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_UP, self.tr("Vertical (up)"), QgsProcessing.SourceType.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_EAST, self.tr("East-west (east)"), QgsProcessing.SourceType.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_UP_RASTER, self.tr("Vertical velocity raster (grid only)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_EAST_RASTER, self.tr("East-west velocity raster (grid only)"), optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("N_CELLS", self.tr("Cells or points solved")))
        self.addOutput(QgsProcessingOutputNumber("N_DATES", self.tr("Common dates")))

    def process(self, parameters, context, feedback, progress):
        layers = self.parameterAsLayerList(parameters, self.TRACKS, context)
        if len(layers) < 2:
            raise InputError("Give at least two LOS tracks (for example one ascending and one "
                             "descending).")
        at_points = self.parameterAsEnum(parameters, self.MODE, context) == 1
        series = self.parameterAsBool(parameters, self.SERIES, context)
        from_series = self.parameterAsEnum(parameters, self.VELOCITY, context) == 1
        if from_series and not series:
            raise InputError("'Fit the decomposed series' needs the series: tick 'Series on common "
                             "dates', or decompose the LOS velocities.")
        if at_points and (self.dest(self.OUTPUT_UP_RASTER) or self.dest(self.OUTPUT_EAST_RASTER)):
            raise InputError("The velocity rasters need the grid: leave them out at points, or "
                             "choose the grid.")
        headings = parse_headings(self.parameterAsString(parameters, self.HEADINGS, context),
                                  len(layers))
        tracks, first = [], None
        for i, layer in enumerate(layers):
            table = read_layer(layer, f"Track {i + 1}")
            if first is None:
                first = table
                require_projected(table.crs_wkt, table.x, table.y, f"The first track ('{layer.name()}')")
            track, where = to_track(table, layer.name(), first.crs_wkt, headings[i], series)
            tracks.append(track)
            ok = np.isfinite(track.up)
            feedback.pushInfo(f"Track {i + 1} '{layer.name()}': {len(table)} points, LOS from {where} "
                              f"(mean east {np.nanmean(track.east[ok]):.3f}, north "
                              f"{np.nanmean(track.north[ok]):.3f}, up {np.nanmean(track.up[ok]):.3f}).")
            progress(0.1 * (i + 1) / len(layers))
        north = self.parameterAsDouble(parameters, self.NORTH_VELOCITY, context)
        size = self.parameterAsDouble(parameters, self.CELL_SIZE, context)
        result = decompose_tracks(
            tracks, cell_size=size,
            radius=self.parameterAsDouble(parameters, self.RADIUS, context) if at_points else None,
            point_ids=first.columns.get("pid"),
            min_points=self.parameterAsInt(parameters, self.MIN_POINTS, context),
            max_condition=self.parameterAsDouble(parameters, self.MAX_CONDITION, context),
            north_velocity=north, series=series,
            date_step=self.parameterAsInt(parameters, self.DATE_STEP, context),
            velocity_from_series=from_series,
            resampling=("nearest", "linear")[self.parameterAsEnum(parameters, self.RESAMPLING, context)],
            progress=progress.sub(0.1, 0.8))
        where = "points of the first track" if at_points else f"cells of {size:g} m"
        feedback.pushInfo(f"Solved {len(result.x)} of {result.n_targets} {where} (seen by at least two "
                          f"tracks, condition number median {np.median(result.solution.condition):.2f}).")
        feedback.pushInfo("The north component is " + ("neglected, as EGMS does." if north == 0 else
                                                        f"taken as {north:g} mm/yr and removed first."))
        if series:
            feedback.pushInfo(f"Series on {len(result.dates)} common dates, {result.dates[0]} to "
                              f"{result.dates[-1]}.")
        out = {"N_CELLS": len(result.x), "N_DATES": len(result.dates)}
        for i, (name, component) in enumerate(((self.OUTPUT_UP, "up"), (self.OUTPUT_EAST, "east"))):
            table = result_table(result, component, first.crs_wkt)
            write_point_table(self, name, table, context, style=rate_style("velocity"),
                              progress=progress.sub(0.8 + 0.08 * i, 0.88 + 0.08 * i))
            out[name] = self.dest(name)
        for name, values, what in ((self.OUTPUT_UP_RASTER, result.solution.up, "vertical"),
                                   (self.OUTPUT_EAST_RASTER, result.solution.east, "east-west")):
            path = self.dest(name)
            if not path:
                continue
            transform, array = cell_raster(result.x, result.y, values, size)
            write_array(path, Grid(transform, array.shape[1], array.shape[0], first.crs_wkt), array,
                        descriptions=[f"{what} velocity (mm/yr)"])
            style_raster_output(self, context, path, raster_ramp("RdBu", diverging=True))
            out[name] = path
        progress(1.0)
        return out
