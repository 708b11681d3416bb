"""generate_scene(): write every file of the sample scene into a folder."""
import contextlib
import dataclasses
import os
from typing import Dict, List, Optional

import numpy as np

from ..errors import InputError
from ..progress import Progress, ensure
from ..raster import Grid, srs_wkt
from .acquisitions import SLC_PAIR, TRACKS, acquisitions, incidence
from .config import MONTHS, SceneConfig, make_config
from .geometry import CRS, Ground, LANDCOVER
from .insar import RegionOLS, write_track
from .optical import Optical, class_fractions, grid_for
from .rates import PlantedRates
from .slc import SUBAREA, make_slc
from .truth import build_truth, region_layers
from . import writer


@dataclasses.dataclass(frozen=True)
class SceneResult:
    """Where the scene was written and what it holds."""

    folder: str
    size: str
    seed: int
    files: tuple
    n_points: Dict[str, int]


def _big_ndvi(folder: str, cfg: SceneConfig, grid_ndvi, jul2020: np.ndarray, wkt: str, progress) -> str:
    """A 10980 x 10980 NDVI raster (July 2020) for benchmarks, written strip by strip."""
    n = 10980
    res = cfg.big_ndvi_res
    xmin, _, _, ymax = cfg.extent
    grid = Grid((xmin, res, 0.0, ymax, 0.0, -res), n, n, wkt)
    rng = np.random.default_rng([cfg.seed, 6])
    parcels = 0.85 + 0.3 * rng.random((n // 20 + 1, n // 20 + 1))
    x0, dx, _, y0, _, dy = grid_ndvi.transform
    colf = ((xmin + res * (np.arange(n) + 0.5)) - x0) / dx - 0.5
    c0 = np.clip(np.floor(colf), 0, grid_ndvi.width - 2).astype(int)
    fx = np.clip(colf - c0, 0, 1)
    src = jul2020.astype(float)

    def strip(win):
        xoff, yoff, xs, ys = win
        rows = np.arange(yoff, yoff + ys)
        rowf = ((ymax - res * (rows + 0.5)) - y0) / dy - 0.5
        r0 = np.clip(np.floor(rowf), 0, grid_ndvi.height - 2).astype(int)
        fy = np.clip(rowf - r0, 0, 1)[:, None]
        top = src[r0][:, c0] * (1 - fx) + src[r0][:, c0 + 1] * fx
        bot = src[r0 + 1][:, c0] * (1 - fx) + src[r0 + 1][:, c0 + 1] * fx
        v = top * (1 - fy) + bot * fy
        v = v * parcels[rows // 20][:, np.arange(n) // 20]
        v += np.random.default_rng([cfg.seed, 7, yoff]).normal(0, 0.01, v.shape)
        return np.clip(v, -0.2, 0.95).astype(np.float32)

    path = os.path.join(folder, "ndvi_5m", "ndvi_202007.tif")
    return writer.write_blocks(path, grid, strip, rows=256, description="NDVI July 2020 (5 m)",
                               progress=progress)


SUBFOLDERS = ("insar", "ndvi", "soil_moisture", "precipitation", "s2", "slc", "ndvi_5m")


def generate_scene(folder: str, size: str = "small", seed: int = 42,
                   progress: Optional[Progress] = None) -> SceneResult:
    """Write the sample scene (files listed in docs/scene.md) and truth.json into `folder`.

    On an error or a cancel, the files and folders this run created are removed again.
    """
    progress = ensure(progress)
    cfg = make_config(size, seed)
    folder = os.path.abspath(folder)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise InputError(f"'{folder}' is a file; give a folder for the scene.")
    existed = {p for p in SUBFOLDERS + ("",) if os.path.isdir(os.path.join(folder, p))}
    files: List[str] = []
    try:
        return _generate(folder, cfg, progress, files)
    except BaseException:
        _cleanup(folder, files, existed)
        raise


def _cleanup(folder: str, files: List[str], existed: set) -> None:
    """Remove what a failed run wrote: its files, then the folders it created if they are empty."""
    for f in files:
        with contextlib.suppress(OSError):
            os.remove(f)
            if f.endswith(".tif"):
                os.remove(f + ".aux.xml")
    for sub in SUBFOLDERS + ("",):
        path = os.path.join(folder, sub)
        if sub not in existed and os.path.isdir(path):
            with contextlib.suppress(OSError):
                os.rmdir(path)


def _generate(folder: str, cfg: SceneConfig, progress: Progress, files: List[str]) -> SceneResult:
    writer.ensure_dirs(folder, [s for s in SUBFOLDERS if s != "ndvi_5m" or cfg.big_ndvi])
    wkt = srs_wkt(CRS)
    ground = Ground(cfg.seed)
    optical = Optical(ground, cfg)

    # --- DEM and land cover (25 m), strip by strip; land cover kept for the point model ---
    gdem = grid_for(cfg.extent, cfg.dem_res, wkt)
    lc_full = np.zeros((gdem.height, gdem.width), np.uint8)

    def dem_strip(win):
        x, y = gdem.centres(win)
        X, Y = np.meshgrid(x, y)
        return ground.dem(X, Y).astype(np.float32)

    def lc_strip(win):
        x, y = gdem.centres(win)
        X, Y = np.meshgrid(x, y)
        lc = ground.landcover(X, Y, farm_margin=cfg.dem_res / np.sqrt(2.0))
        lc_full[win[1]:win[1] + win[3]] = lc
        return lc

    files.append(writer.write_blocks(os.path.join(folder, "dem.tif"), gdem, dem_strip,
                                     description="elevation (m)", progress=progress.sub(0.0, 0.05)))
    import osgeo.gdal as gdal
    files.append(writer.write_blocks(os.path.join(folder, "landcover.tif"), gdem, lc_strip,
                                     dtype=gdal.GDT_Byte, nodata=0, description="land cover",
                                     progress=progress.sub(0.05, 0.1), **writer.landcover_options()))

    # --- monthly optical rasters ---
    gndvi = grid_for(cfg.extent, cfg.ndvi_res, wkt)
    gsm = grid_for(cfg.extent, cfg.sm_res, wkt)
    f_ndvi = class_fractions(ground, gndvi, 5)
    progress.check()
    f_sm = class_fractions(ground, gsm, 10)
    progress.check()
    optical.tune_peaks(gndvi, f_ndvi, gsm, f_sm)
    progress.check()
    ndvi = optical.monthly(gndvi, f_ndvi, "ndvi")
    progress.check()
    sm = optical.monthly(gsm, f_sm, "sm")
    progress.check()
    precip = optical.precipitation(gsm)
    for m, a, b, c in zip(MONTHS, ndvi, sm, precip):
        progress.check()
        tag = m.strftime("%Y%m")
        files.append(writer.write_float(os.path.join(folder, "ndvi", f"ndvi_{tag}.tif"), gndvi, a, "NDVI"))
        files.append(writer.write_float(os.path.join(folder, "soil_moisture", f"sm_{tag}.tif"), gsm, b,
                                        "soil moisture 10 cm (m3/m3)"))
        files.append(writer.write_float(os.path.join(folder, "precipitation", f"precip_{tag}.tif"), gsm, c,
                                        "precipitation (mm/month)"))
    progress(0.2)
    idx = {m.strftime("%Y%m"): i for i, m in enumerate(MONTHS)}
    f64 = lambda arr: arr.astype(np.float64)  # noqa: E731
    rates = PlantedRates(ground, gdem, lc_full, gndvi,
                         f64(ndvi[idx["202007"]]) - f64(ndvi[idx["201907"]]), ndvi[idx["201907"]],
                         gsm, f64(sm[idx["202007"]]) - f64(sm[idx["201907"]]))

    # --- InSAR tracks ---
    ols = RegionOLS([z.name for z in ground.zones if z.name.startswith("P")])
    track_info, stats = {}, {}
    for k, spec in enumerate(TRACKS):
        dates, bperp = acquisitions(spec, cfg.seed)
        track_info[spec.name] = (dates, bperp)
        files.append(writer.write_acquisitions(
            os.path.join(folder, "insar", f"{spec.name}_acquisitions.csv"), dates, bperp))
        path = os.path.join(folder, "insar", f"{spec.name}_egms.csv")
        stats[spec.name] = write_track(path, spec, dates, cfg, ground, rates, ols,
                                       progress.sub(0.2 + 0.3 * k, 0.5 + 0.3 * k))
        files.append(path)

    # --- Sentinel-2 bands and the SLC pair ---
    t128 = TRACKS[0]
    dates, bperp = track_info[t128.name]
    pair_bperp = float(bperp[dates.index(SLC_PAIR[1])] - bperp[dates.index(SLC_PAIR[0])])
    theta = float(incidence(t128, cfg.extent, np.array([(SUBAREA[0] + SUBAREA[2]) / 2]))[0])
    slc = make_slc(cfg, ground, optical, SLC_PAIR, pair_bperp, theta, wkt)
    for d, r, n in zip(slc.s2_dates, slc.red, slc.nir):
        progress.check()
        tag = d.strftime("%Y%m%d")
        files.append(writer.write_uint16(os.path.join(folder, "s2", f"s2_{tag}_red.tif"), slc.grid10, r,
                                         "red reflectance x10000"))
        files.append(writer.write_uint16(os.path.join(folder, "s2", f"s2_{tag}_nir.tif"), slc.grid10, n,
                                         "NIR reflectance x10000"))
    for d, s in zip(SLC_PAIR, (slc.slc1, slc.slc2)):
        progress.check()
        files.append(writer.write_complex(os.path.join(folder, "slc", f"slc_{d.strftime('%Y%m%d')}.tif"),
                                          slc.grid25, s, "SLC"))
    files.append(writer.write_float(os.path.join(folder, "slc", "coherence_true.tif"), slc.grid25,
                                    slc.gamma, "true coherence"))
    files.append(writer.write_pairs(os.path.join(folder, "slc", "pairs.csv"), SLC_PAIR[0], SLC_PAIR[1],
                                    pair_bperp))
    progress(0.85)

    # --- regions and truth ---
    files.append(writer.write_gpkg(os.path.join(folder, "regions.gpkg"), CRS, region_layers(ground, cfg)))
    if cfg.big_ndvi:
        files.append(_big_ndvi(folder, cfg, gndvi, ndvi[idx["202007"]], wkt, progress.sub(0.86, 0.98)))
    truth = build_truth(cfg, ground, rates, track_info, stats, ols, ndvi, sm, gndvi, gsm, slc.truth,
                        LANDCOVER, optical.farm_change)
    files.append(writer.write_truth(os.path.join(folder, "truth.json"), truth))
    progress(1.0)
    return SceneResult(folder, cfg.size, cfg.seed, tuple(os.path.relpath(f, folder) for f in files),
                       {k: v.n_points for k, v in stats.items()})
