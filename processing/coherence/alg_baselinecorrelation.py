"""insarfusion:baselinecorrelation: critical baseline and baseline decorrelation (Ningxia eqs. 2-3)."""
import math

import numpy as np
from qgis.core import (QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterNumber,
                       QgsProcessingParameterVectorDestination)

from ...core.coherence.baseline import (DEFAULT_INCIDENCE, DEFAULT_RANGE_RESOLUTION,
                                        DEFAULT_SLANT_RANGE, S1_WAVELENGTH, baseline_gamma,
                                        critical_baseline)
from ...core.tables import write_table
from ...core.errors import InputError
from ...core.points import numeric
from ..base import InsarFusionAlgorithm
from .common import read_rows


class BaselineCorrelation(InsarFusionAlgorithm):
    NAME = "baselinecorrelation"
    DISPLAY = "Baseline decorrelation"
    GROUP = "coherence"
    HELP = """
How much coherence a perpendicular baseline costs (Ningxia paper, eqs. 2-3).
<p><b>B⊥,c = λ · R · tan(θ − α) / (2 · ρ_r)</b> &nbsp; and &nbsp;
<b>γ_baseline = 1 − |B⊥| / B⊥,c</b>, clipped to [0, 1].</p>
<b>Parameters</b>
<ul><li><b>WAVELENGTH</b> λ (m): default Sentinel-1 C band, 0.05546576 m.</li>
<li><b>SLANT_RANGE</b> R (m), <b>INCIDENCE</b> θ (degrees), <b>SLOPE</b> α (degrees, positive
for terrain tilted towards the radar), <b>RANGE_RESOLUTION</b> ρ_r (m, slant range).</li>
<li><b>BPERP</b>: one perpendicular baseline (m); or <b>PAIRS</b>, a table with one row per
interferometric pair and its baseline in <b>BPERP_FIELD</b> (default <i>bperp</i>, e.g. the
scene's slc/pairs.csv). With a table, <b>OUTPUT</b> holds every pair with the fields
<i>critical_baseline</i> and <i>gamma_baseline</i>.</li></ul>
<b>Defaults</b> reproduce the paper's Sentinel-1 example: R = 900 km (the paper prints 90 km,
which would give about 480 m), θ = 44°, flat terrain, ρ_r = 5 m (the nominal IW resolution):
B⊥,c = 4.82 km ("about 5 km") and γ = 0.979 at 100 m. Sentinel-1 IW's true slant-range
resolution is 2.7-3.5 m, which gives 7-9 km: type your sensor's value for a strict estimate.
<b>Results</b>: CRITICAL_BASELINE (m); GAMMA_BASELINE (for BPERP, or the lowest over the
pairs); N_PAIRS.
"""
    WAVELENGTH, SLANT_RANGE, INCIDENCE, SLOPE = "WAVELENGTH", "SLANT_RANGE", "INCIDENCE", "SLOPE"
    RANGE_RESOLUTION, BPERP, PAIRS, BPERP_FIELD, OUTPUT = (
        "RANGE_RESOLUTION", "BPERP", "PAIRS", "BPERP_FIELD", "OUTPUT")

    def initAlgorithm(self, config=None):
        num = QgsProcessingParameterNumber
        self.addParameter(num(self.WAVELENGTH, self.tr("Wavelength λ (m)"), num.Double,
                              S1_WAVELENGTH, minValue=1e-6))
        self.addParameter(num(self.SLANT_RANGE, self.tr("Slant range R (m)"), num.Double,
                              DEFAULT_SLANT_RANGE, minValue=1.0))
        self.addParameter(num(self.INCIDENCE, self.tr("Incidence angle θ (degrees)"), num.Double,
                              DEFAULT_INCIDENCE, minValue=0.0, maxValue=90.0))
        self.addParameter(num(self.SLOPE, self.tr("Terrain slope α towards the radar (degrees)"),
                              num.Double, 0.0, minValue=-90.0, maxValue=90.0))
        self.addParameter(num(self.RANGE_RESOLUTION, self.tr("Slant-range resolution ρ_r (m)"),
                              num.Double, DEFAULT_RANGE_RESOLUTION, minValue=1e-6))
        self.addParameter(num(self.BPERP, self.tr("Perpendicular baseline B⊥ (m)"), num.Double,
                              100.0, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PAIRS, self.tr("Pairs table (one row per pair)"), [QgsProcessing.SourceType.TypeVector],
            optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.BPERP_FIELD, self.tr("Perpendicular-baseline field (m)"), "bperp", self.PAIRS,
            QgsProcessingParameterField.DataType.Any, optional=True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Pairs with baseline decorrelation"), QgsProcessing.SourceType.TypeVector,
            optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("CRITICAL_BASELINE", self.tr("Critical baseline (m)")))
        self.addOutput(QgsProcessingOutputNumber("GAMMA_BASELINE", self.tr("Baseline correlation")))
        self.addOutput(QgsProcessingOutputNumber("N_PAIRS", self.tr("Number of pairs")))

    def process(self, parameters, context, feedback, progress):
        d = lambda n: self.parameterAsDouble(parameters, n, context)  # noqa: E731
        geom = critical_baseline(d(self.WAVELENGTH), d(self.SLANT_RANGE), d(self.INCIDENCE),
                                 d(self.SLOPE), d(self.RANGE_RESOLUTION))
        feedback.pushInfo(f"Critical perpendicular baseline: {geom.critical:.1f} m.")
        rows = read_rows(self, parameters, self.PAIRS, context) if parameters.get(self.PAIRS) else []
        if parameters.get(self.PAIRS) and not rows:
            raise InputError("The PAIRS table has no rows.")
        if rows:
            field = self.parameterAsString(parameters, self.BPERP_FIELD, context) or "bperp"
            if field not in rows[0]:
                raise InputError(f"The PAIRS table has no field '{field}' (it has: "
                                 f"{', '.join(rows[0])}). Choose the baseline field as BPERP_FIELD.")
            bperp = numeric(np.array([r[field] for r in rows], dtype=object), field)
            if not np.isfinite(bperp).any():
                raise InputError(f"The field '{field}' of the PAIRS table has no value in any row.")
        else:
            value = self.optional_number(parameters, self.BPERP, context)
            if value is None:
                raise InputError("Give a perpendicular baseline (BPERP) or a PAIRS table.")
            bperp = np.array([value])
            rows = [{"bperp": float(bperp[0])}]
        gamma = baseline_gamma(bperp, geom.critical)
        progress(0.5)
        for r, b, g in zip(rows, bperp, gamma):
            label = " ".join(f"{k}={v}" for k, v in r.items() if k.lower() in ("reference", "secondary"))
            feedback.pushInfo(f"{label + ': ' if label else ''}B⊥ = {b:g} m -> γ_baseline = {g:.4f}")
        out = self.dest(self.OUTPUT)
        if out:
            cols = {k: [r.get(k) for r in rows] for k in rows[0]}
            cols["critical_baseline"] = [geom.critical] * len(rows)
            cols["gamma_baseline"] = [float(g) for g in gamma]
            write_table(out, cols)
        finite = gamma[np.isfinite(gamma)]
        return {self.OUTPUT: out or None, "CRITICAL_BASELINE": geom.critical,
                "GAMMA_BASELINE": float(finite.min()) if finite.size else math.nan,
                "N_PAIRS": len(rows)}
