"""What the inspector was asked to show: a clicked point or a polygon, optionally relative to a
reference point or polygon, read from a PointStore and the stacks into a SiteData."""
import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Optional, Sequence, Tuple

import numpy as np

from ..errors import InputError
from ..progress import Progress, ensure
from .site import SiteData
from .store import PointStore, summarise


@dataclasses.dataclass(frozen=True)
class Shape:
    """A point (x, y) or a polygon (its ring's xs, ys), in the point layer's CRS."""

    kind: str                    # "point" or "polygon"
    xs: Tuple[float, ...]
    ys: Tuple[float, ...]

    @classmethod
    def point(cls, x: float, y: float) -> "Shape":
        return cls("point", (float(x),), (float(y),))

    @classmethod
    def polygon(cls, xs: Sequence[float], ys: Sequence[float]) -> "Shape":
        if len(xs) < 3:
            raise InputError("A polygon needs at least three vertices.")
        return cls("polygon", tuple(map(float, xs)), tuple(map(float, ys)))

    def to_json(self) -> dict:
        return {"kind": self.kind, "xs": list(self.xs), "ys": list(self.ys)}

    @classmethod
    def from_json(cls, raw: dict) -> "Shape":
        kind = raw.get("kind")
        if kind == "point":
            return cls.point(raw["xs"][0], raw["ys"][0])
        if kind == "polygon":
            return cls.polygon(raw["xs"], raw["ys"])
        raise InputError(f"Unknown selection shape '{kind}'.")


@dataclasses.dataclass(frozen=True)
class Picked:
    """The rows a shape selects: all of them, the anchor point (nearest to a click) and a label."""

    rows: np.ndarray
    anchor: Optional[int]
    x: float
    y: float
    label: str


def pick(store: PointStore, shape: Shape, radius: float, tolerance: Optional[float] = None,
         name: str = "") -> Picked:
    """A point: the nearest point to it (within `tolerance` when given) and the points within
    `radius` of that one. A polygon: the points inside it."""
    if shape.kind == "point":
        row, dist = store.nearest(shape.xs[0], shape.ys[0])
        if tolerance is not None and dist > tolerance:
            raise InputError(f"No InSAR point near the click (the nearest is {dist:.0f} m away); "
                             "click closer to a point.")
        px, py = float(store.x[row]), float(store.y[row])
        pid = store.ids[row]
        pid = pid.item() if hasattr(pid, "item") else pid
        return Picked(store.within(px, py, radius), row, px, py, name or f"#{pid}")
    rows = store.in_polygon(shape.xs, shape.ys)
    if rows.size == 0:
        raise InputError("No InSAR point lies inside the polygon; draw it around some points.")
    return Picked(rows, None, float(np.mean(store.x[rows])), float(np.mean(store.y[rows])),
                  name or f"polygon ({rows.size} points)")


def reference_series(store: PointStore, reference: Optional[Shape], radius: float):
    """(series to subtract per date, description, mean velocity) of a reference; zeros for none."""
    if reference is None:
        return np.zeros(len(store.dates)), "", 0.0
    picked = pick(store, reference, radius, name="reference")
    values = store.series[picked.rows].astype(np.float64)
    ref = summarise(store.dates, values).mean
    if not np.isfinite(ref).any():
        raise InputError("The reference points have no value on any date; choose another reference.")
    what = "point" if reference.kind == "point" else "polygon"
    vel = store.extra.get("velocity")
    velocity = float(np.nanmean(vel[picked.rows])) if vel is not None and np.isfinite(vel[picked.rows]).any() else 0.0
    return ref, f"the reference {what} (mean of {picked.rows.size} points)", velocity


def read_stacks(readers, shape: Shape, x: float, y: float, radius: float, progress: Progress):
    """Each stack's mean over the circle (a point) or the polygon, the stacks read side by side
    (GDAL releases the GIL while it reads; each reader has its own lock)."""
    def one(reader):
        if shape.kind == "point":
            return reader.circle_means(x, y, radius, progress if reader is readers[0] else None)
        return reader.polygon_means(shape.xs, shape.ys, progress if reader is readers[0] else None)

    if len(readers) < 2 or all(r.held() for r in readers):  # in memory: threads would only cost
        return [one(r) for r in readers]
    with ThreadPoolExecutor(max_workers=len(readers)) as pool:
        return list(pool.map(one, readers))


def site_data(store: PointStore, readers, shape: Shape, radius: float, reference: Optional[Shape] = None,
              tolerance: Optional[float] = None, name: str = "",
              progress: Optional[Progress] = None) -> SiteData:
    """Read one site: the InSAR mean ± std of its points (relative to the reference) and each stack."""
    progress = ensure(progress)
    picked = pick(store, shape, radius, tolerance, name)
    ref, ref_label, _ = reference_series(store, reference, radius)
    circle = store.summarise(picked.rows, ref if reference is not None else None)
    progress(0.1)
    stacks = read_stacks(readers, shape, picked.x, picked.y, radius, progress.sub(0.1, 0.9))
    point = point_id = sigma = None
    attributes = ()
    if picked.anchor is not None:
        row = picked.anchor
        point = store.point_series(row) - ref
        point_id = store.ids[row].item() if hasattr(store.ids[row], "item") else store.ids[row]
        sigma = store.sigma(row)
        attributes = store.attributes(row)
    return SiteData(picked.label, picked.x, picked.y, radius if shape.kind == "point" else 0.0, circle,
                    tuple(stacks), point_id, point, sigma, ref_label, attributes)
