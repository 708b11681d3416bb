"""Mean, standard deviation and count of change rasters per region (the Heihe paper's Table 2).

A pixel belongs to a region when its centre lies inside the polygon (GDAL rasterize rule).
Regions may overlap; each is rasterized on its own, window by window. Statistics are
accumulated window by window with Chan's parallel update, so memory stays bounded.
"""
import dataclasses
import os
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, ogr, osr

from ..errors import InputError
from ..progress import Progress, ensure
from ..raster import Grid, grid_of, open_raster, read_float
from ..report import new_figure, table
from .stack import same_crs, windows_for

WHOLE = "Whole extent"


@dataclasses.dataclass(frozen=True)
class ZoneStat:
    """One row of the summary: a region (or the whole extent) and one raster."""

    region: str
    label: str
    raster: str
    mean: float
    std: float  # population standard deviation (ddof = 0)
    count: int


class _Acc:
    """Running count, mean and sum of squared deviations (Chan et al. parallel update)."""

    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, v: np.ndarray) -> None:
        if v.size == 0:
            return
        nb, mb = v.size, float(v.mean())
        m2b = float(((v - mb) ** 2).sum())
        n = self.n + nb
        delta = mb - self.mean
        self.mean += delta * nb / n
        self.m2 += m2b + delta * delta * self.n * nb / n
        self.n = n

    def result(self) -> Tuple[float, float, int]:
        if self.n == 0:
            return float("nan"), float("nan"), 0
        return self.mean, float(np.sqrt(self.m2 / self.n)), self.n


def _geometries(regions: Sequence[Tuple[str, bytes]], regions_wkt: str, raster_wkt: str):
    ct = None
    if not same_crs(regions_wkt, raster_wkt):
        src, dst = osr.SpatialReference(), osr.SpatialReference()
        src.SetFromUserInput(regions_wkt)
        dst.SetFromUserInput(raster_wkt)
        for s in (src, dst):
            s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        ct = osr.CoordinateTransformation(src, dst)
    out = []
    for name, wkb in regions:
        g = ogr.CreateGeometryFromWkb(bytes(wkb)) if wkb else None
        if g is not None and ct is not None:
            g.Transform(ct)
        out.append((name, g))
    return out


def _pixel_window(grid: Grid, geom) -> Optional[Tuple[int, int, int, int]]:
    """(col0, row0, col1, row1) of the pixels whose centres may fall in the geometry, or None."""
    if geom is None or geom.IsEmpty():
        return None
    minx, maxx, miny, maxy = geom.GetEnvelope()
    c = grid.world_to_pixel(np.array([minx, maxx]), np.array([maxy, miny]))
    cols, rows = np.sort(c[0]), np.sort(c[1])
    c0, c1 = max(0, int(np.floor(cols[0]))), min(grid.width, int(np.ceil(cols[1])))
    r0, r1 = max(0, int(np.floor(rows[0]))), min(grid.height, int(np.ceil(rows[1])))
    return (c0, r0, c1, r1) if c0 < c1 and r0 < r1 else None


def _mask(grid: Grid, layer, c0: int, r0: int, w: int, h: int) -> np.ndarray:
    x0, dx, _, y0, _, dy = grid.transform
    mem = gdal.GetDriverByName("MEM").Create("", w, h, 1, gdal.GDT_Byte)
    mem.SetGeoTransform((x0 + c0 * dx, dx, 0.0, y0 + r0 * dy, 0.0, dy))
    if grid.crs_wkt:
        mem.SetProjection(grid.crs_wkt)
    gdal.RasterizeLayer(mem, [1], layer, burn_values=[1])
    return mem.GetRasterBand(1).ReadAsArray().astype(bool)


def _memory_layer(geom, crs_wkt: str = ""):
    """A one-feature in-memory layer (in the raster's CRS, so rasterising warns of nothing)."""
    srs = osr.SpatialReference(wkt=crs_wkt) if crs_wkt else None
    ds = ogr.GetDriverByName("Memory").CreateDataSource("")
    lyr = ds.CreateLayer("r", srs, ogr.wkbUnknown)
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(geom)
    lyr.CreateFeature(f)
    return ds, lyr


def zonal_stats(rasters: Sequence[Tuple[str, str]], regions: Sequence[Tuple[str, bytes]],
                regions_wkt: str = "", progress: Optional[Progress] = None) -> List[ZoneStat]:
    """Statistics of band 1 of each (label, path) per region (name, WKB) plus the whole extent."""
    progress = ensure(progress)
    if not rasters:
        raise InputError("No change rasters were given.")
    out = []
    for k, (label, path) in enumerate(rasters):
        step = progress.sub(k / len(rasters), (k + 1) / len(rasters))
        ds = open_raster(path)
        grid, band = grid_of(ds), ds.GetRasterBand(1)
        zones = []
        for name, geom in _geometries(regions, regions_wkt, grid.crs_wkt):
            win = _pixel_window(grid, geom)
            zones.append((name, win, _memory_layer(geom, grid.crs_wkt) if win else None, _Acc()))
        whole = _Acc()
        block_rows = band.GetBlockSize()[1]
        windows = windows_for(grid, 6)
        for i, ((xo, yo, xs, ys), strip_done) in enumerate(windows):
            step(i / len(windows))
            vals = read_float(band, (xo, yo, xs, ys))
            whole.add(vals[np.isfinite(vals)])
            for _, win, mem, acc in zones:
                if win is None or win[3] <= yo or win[1] >= yo + ys or win[2] <= xo or win[0] >= xo + xs:
                    continue
                c0, c1 = max(win[0], xo), min(win[2], xo + xs)
                r0, r1 = max(win[1], yo), min(win[3], yo + ys)
                m = _mask(grid, mem[1], c0, r0, c1 - c0, r1 - r0)
                sub = vals[r0 - yo:r1 - yo, c0 - xo:c1 - xo][m]
                acc.add(sub[np.isfinite(sub)])
            if strip_done and (block_rows <= 1 or (yo + ys) % block_rows == 0):
                ds.FlushCache()
        name = os.path.basename(path)
        for region, acc in [(WHOLE, whole)] + [(z[0], z[3]) for z in zones]:
            mean, std, n = acc.result()
            out.append(ZoneStat(region, label, name, mean, std, n))
    progress(1.0)
    return out


def table2_html(stats: Sequence[ZoneStat]) -> List[str]:
    """HTML sections: the mean per region and raster (Table 2), then std and count in detail."""
    labels = list(dict.fromkeys(s.label for s in stats))
    regions = list(dict.fromkeys(s.region for s in stats))
    by = {(s.region, s.label): s for s in stats}
    wide = [[r] + [by[(r, lab)].mean if (r, lab) in by else None for lab in labels] for r in regions]
    detail = [[s.region, s.label, s.raster, s.mean, s.std, s.count] for s in stats]
    return ["<h2>Mean change per region</h2>", table(["Region"] + labels, wide),
            "<p class='note'>Mean of the pixels whose centres lie inside each region; "
            f"'{WHOLE}' is every valid pixel of the raster.</p>",
            "<h2>Details</h2>", table(["Region", "Label", "Raster", "Mean", "Std", "Pixels"], detail)]


def change_chart(stats: Sequence[ZoneStat]):
    """A grouped bar chart of the mean change per region, one bar colour per raster label."""
    labels = list(dict.fromkeys(s.label for s in stats))
    regions = list(dict.fromkeys(s.region for s in stats))
    by = {(s.region, s.label): s for s in stats}
    fig = new_figure(max(6.0, 1.1 * len(regions) + 2), 4.0)
    ax = fig.add_subplot(111)
    width = 0.8 / max(1, len(labels))
    x = np.arange(len(regions))
    for j, lab in enumerate(labels):
        vals = [by[(r, lab)].mean if (r, lab) in by else np.nan for r in regions]
        errs = [by[(r, lab)].std if (r, lab) in by else np.nan for r in regions]
        errs = errs if np.isfinite(errs).any() else None  # matplotlib fails on all-NaN error bars
        ax.bar(x + (j - (len(labels) - 1) / 2) * width, vals, width, yerr=errs, label=lab, capsize=2)
    ax.axhline(0, color="#444", lw=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels(regions, rotation=30, ha="right")
    ax.set_ylabel("mean change (± std)")
    ax.legend(fontsize="small")
    return fig

def stats_columns(stats: Sequence[ZoneStat]) -> Dict[str, list]:
    """The summary as columns: region, label, raster, mean, std, count."""
    return {"region": [s.region for s in stats], "label": [s.label for s in stats],
            "raster": [s.raster for s in stats], "mean": [float(s.mean) for s in stats],
            "std": [float(s.std) for s in stats], "count": [int(s.count) for s in stats]}
