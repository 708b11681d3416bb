"""Predicted coherence from NDVI, its error against a true coherence, and the usable mask."""
import contextlib
import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
from osgeo import gdal

from ..errors import InputError
from ..progress import Progress, ensure
from ..raster import create, grid_of, open_raster, read_float, row_windows
from .models import MODELS, evaluate
from .samples import onto_grid

HIST_EDGES = np.linspace(-1.0, 1.0, 101)  # error histogram bins, 0.02 wide
USABLE_NODATA = 255


@dataclass(frozen=True)
class Law:
    """A fitted or typed-in model: gamma = f(NDVI; a, b, c)."""

    model: str
    a: float
    b: float
    c: float = float("nan")

    def __post_init__(self):
        if self.model not in MODELS:
            raise InputError(f"Unknown model '{self.model}'; use one of {', '.join(MODELS)}.")
        if not (math.isfinite(self.a) and math.isfinite(self.b)):
            raise InputError(f"The {self.model} model needs finite parameters a and b "
                             f"(got a={self.a}, b={self.b}).")

    def __call__(self, ndvi) -> np.ndarray:
        """Predicted coherence, clipped to [0, 1]; NaN where NDVI is NaN (or <= 0 for ln)."""
        with np.errstate(invalid="ignore"):
            return np.clip(evaluate(self.model, (self.a, self.b, self.c), ndvi), 0.0, 1.0)


@dataclass(frozen=True)
class PredictionRun:
    """Summary of a prediction run."""

    n_valid: int              # pixels with an NDVI and a prediction
    n_usable: int
    usable_fraction: float
    n_undefined: int          # NDVI <= 0 under the logarithmic model
    error_n: int
    error_mean: float
    error_std: float
    hist_counts: np.ndarray
    hist_edges: np.ndarray
    grid: str                 # which grid the outputs are on


def _combine(acc: list, e: np.ndarray) -> None:
    """Chan et al.'s pairwise update of (n, mean, M2) with a new batch."""
    nb = e.size
    if nb == 0:
        return
    mb = float(e.mean())
    m2b = float(((e - mb) ** 2).sum())
    na, ma, m2a = acc
    n = na + nb
    d = mb - ma
    acc[:] = [n, ma + d * nb / n, m2a + m2b + d * d * na * nb / n]


def predict_rasters(ndvi_path: str, law: Law, out_path: str, true_path: Optional[str] = None,
                    error_path: Optional[str] = None, usable_path: Optional[str] = None,
                    ndvi_limit: float = 0.4, threshold: float = 0.3,
                    progress: Optional[Progress] = None) -> PredictionRun:
    """Write predicted coherence (and error, usable mask) strip by strip; return the summary.

    Without a true coherence the outputs are on the NDVI grid. With one, they are on the
    coherence grid and the NDVI is averaged onto it (as when the model was fitted).
    Usable = NDVI <= ndvi_limit and predicted >= threshold (1), else 0; 255 = no data.
    """
    progress = ensure(progress)
    if error_path and not true_path:
        raise InputError("OUTPUT_ERROR needs TRUE_COHERENCE: the error is true - predicted.")
    if true_path:
        tds = open_raster(true_path)
        grid = grid_of(tds)
        nds, how = onto_grid(ndvi_path, grid)
        tband = tds.GetRasterBand(1)
        where = f"the TRUE_COHERENCE grid (NDVI {how})"
    else:
        nds = open_raster(ndvi_path)
        grid = grid_of(nds)
        tband, where = None, "the NDVI grid"
    nband = nds.GetRasterBand(1)
    rows = max(1, (1 << 20) // max(grid.width, 1))
    acc = [0, 0.0, 0.0]
    hist = np.zeros(HIST_EDGES.size - 1, np.int64)
    n_valid = n_usable = n_undef = 0
    outs = [(out_path, gdal.GDT_Float32, float("nan"), "predicted coherence")]
    if error_path:
        outs.append((error_path, gdal.GDT_Float32, float("nan"), "true - predicted coherence"))
    if usable_path:
        outs.append((usable_path, gdal.GDT_Byte, USABLE_NODATA, "usable for InSAR (1) or not (0)"))
    with contextlib.ExitStack() as stack:
        dss = [stack.enter_context(create(p, grid, 1, t, nd, descriptions=[d]))
               for p, t, nd, d in outs]
        wins = list(row_windows(grid.width, grid.height, rows))
        for i, win in enumerate(wins):
            progress(i / len(wins))
            ndvi = read_float(nband, win, np.float64)
            pred = law(ndvi)
            if law.model == "logarithmic":
                n_undef += int(np.sum(np.isfinite(ndvi) & (ndvi <= 0)))
            ok = np.isfinite(pred)
            n_valid += int(ok.sum())
            dss[0].GetRasterBand(1).WriteArray(pred.astype(np.float32), win[0], win[1])
            k = 1
            if tband is not None:
                err = read_float(tband, win, np.float64) - pred
                e = err[np.isfinite(err)]
                _combine(acc, e)
                hist += np.histogram(np.clip(e, -1, 1), HIST_EDGES)[0]
                if error_path:
                    dss[k].GetRasterBand(1).WriteArray(err.astype(np.float32), win[0], win[1])
                    k += 1
            with np.errstate(invalid="ignore"):
                usable = ok & (ndvi <= ndvi_limit) & (pred >= threshold)
            n_usable += int(usable.sum())
            if usable_path:
                u = np.where(ok, usable.astype(np.uint8), USABLE_NODATA).astype(np.uint8)
                dss[k].GetRasterBand(1).WriteArray(u, win[0], win[1])
        if n_valid == 0:  # raised inside the block: no output is left behind
            raise InputError("No pixel has both an NDVI and a prediction (is the NDVI raster "
                             "empty, or all NDVI <= 0 under the logarithmic model?).")
    progress(1.0)
    n, mean, m2 = acc
    std = math.sqrt(m2 / (n - 1)) if n > 1 else float("nan")
    return PredictionRun(n_valid, n_usable, n_usable / n_valid, n_undef, int(n),
                         float(mean) if n else float("nan"), std, hist, HIST_EDGES.copy(), where)


def law_from_rows(rows: Sequence[dict], model: str) -> Law:
    """The law in a models table (rows of dicts with model, a, b, c, and best) for `model`.

    model = 'best' takes the row flagged best (or, failing a flag, the first row).
    """
    rows = [r for r in rows if r.get("model")]
    if not rows:
        raise InputError("The models table has no rows with a 'model' field. Give the OUTPUT_MODELS "
                         "table of 'Fit NDVI-coherence models'.")
    if model == "best":
        flagged = [r for r in rows if _num(r.get("best")) == 1]
        row = flagged[0] if flagged else rows[0]
    else:
        match = [r for r in rows if str(r["model"]).lower() == model]
        if not match:
            have = ", ".join(sorted({str(r["model"]) for r in rows}))
            raise InputError(f"The models table has no '{model}' row (it has: {have}).")
        row = match[0]
    return Law(str(row["model"]).lower(), _num(row.get("a")), _num(row.get("b")), _num(row.get("c")))


def _num(v) -> float:
    try:
        return float(v) if v is not None and v != "" else float("nan")
    except (TypeError, ValueError):
        return float("nan")
