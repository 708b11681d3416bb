"""The real files of ../shared/realdata (beside the repository), for the tests that use them.

The folder is looked for beside the repository (../shared/realdata), one level higher for a git
worktree (../../shared/realdata), or where INSARFUSION_REALDATA points. When it is absent, the
tests that need it are skipped with a message, so a user's clone still passes.
"""
import csv
import io
import os
import zipfile
from typing import List, Optional

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EGMS = "egms-ustica"
L2B_ASC = "egms-ustica/input/EGMS_L2b_117_0227_IW2_VV_2020_2024_1.zip"
L2B_DSC = "egms-ustica/input/EGMS_L2b_022_0845_IW2_VV_2020_2024_1.zip"
L3 = "egms-ustica/output/EGMS_L3_E45N17_100km_{}_2020_2024_1.{}"
BOISSANO = "ps-speed-boissano/BOISSANO_RSAT_S3_A_T290_COMUNEBOISSANO_GBO-TSR.shp"
DEPSI = "ps-depsi-amsterdam-stmtools/example.csv"
MINTPY = "mintpy-kirishima-alos2"
LICSBAS = "licsbas-campi-flegrei-results/campi_flegrei_LiCSBAS_example_data/TS_GEOCml1clip"
PYRATE = "pyrate-ifg-coherence/cropA_mexico_city_S1/geotiffs"
ENVISAT = "pyrate-ifg-coherence/small_test_envisat/tif"
SLC = "s1-slc-pair-amsterdam"


def folder() -> Optional[str]:
    """The realdata folder, or None when it is not there."""
    candidates = [os.environ.get("INSARFUSION_REALDATA", ""),
                  os.path.join(REPO, "..", "shared", "realdata"),
                  os.path.join(REPO, "..", "..", "shared", "realdata")]
    for c in candidates:
        if c and os.path.isdir(c):
            return os.path.abspath(c)
    return None


def path(relative: str) -> str:
    """The absolute path of a realdata file; skips the test (with the reason) when it is absent."""
    base = folder()
    if base is None:
        pytest.skip("../shared/realdata is not beside the repository (set INSARFUSION_REALDATA to "
                    "its folder): the tests on real files are skipped.")
    p = os.path.join(base, relative)
    if not os.path.exists(p):
        pytest.skip(f"{relative} is not in {base}: this real-data test is skipped.")
    return p


def zipped_csv(relative: str) -> List[dict]:
    """The rows of the CSV inside a zip, read with the csv module (independently of the plugin)."""
    with zipfile.ZipFile(path(relative)) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        with z.open(name) as f:
            return list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8")))


def date_columns(row: dict) -> List[str]:
    return sorted(k for k in row if k.isdigit() and len(k) == 8)


def egms_fit(days: np.ndarray, series: np.ndarray) -> np.ndarray:
    """EGMS's velocity of each row: trend of t, cos(2 pi t) - 1, sin(2 pi t), 1 (t = days / 365)."""
    t = (days - days[0]) / 365.0
    g = np.column_stack([t, np.cos(2 * np.pi * t) - 1, np.sin(2 * np.pi * t), np.ones_like(t)])
    return np.linalg.lstsq(g, series.T, rcond=None)[0][0]


def ols_slope(days: np.ndarray, series: np.ndarray, year: float = 365.25) -> np.ndarray:
    """Least-squares slope per row of `series` against days / year (rows without NaN)."""
    t = (days - days[0]) / year
    g = np.column_stack([t, np.ones_like(t)])
    return np.linalg.lstsq(g, series.T, rcond=None)[0][0]


def decimal_years(dates) -> np.ndarray:
    """Dates as decimal years with each year's true length (the plugin's time axis for fitted
    velocities), computed here independently."""
    import datetime as dt
    out = []
    for d in dates:
        start = dt.date(d.year, 1, 1)
        out.append(d.year + (d - start).days / (dt.date(d.year + 1, 1, 1) - start).days)
    return np.array(out)
