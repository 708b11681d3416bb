"""The scene's ground: extent, zones, region outlines, land cover, DEM and smooth textures.

Everything here is an analytic function of (x, y) in EPSG:32647 metres, so any raster or point
set can be evaluated on demand (block by block for the large scene).
"""
import dataclasses
import math
from typing import List, Optional, Sequence, Tuple

import numpy as np

CRS = "EPSG:32647"
SMALL_EXTENT = (560000.0, 4290000.0, 590000.0, 4315000.0)
LARGE_EXTENT = (560000.0, 4290000.0, 615000.0, 4345000.0)
ORIGIN = (575000.0, 4302500.0)  # centre of the small extent; origin of the coefficient surfaces

LANDCOVER = {1: "farmland", 2: "mine", 3: "saline/barren", 4: "urban", 5: "desert", 6: "water",
             7: "mountain grassland"}
LANDCOVER_COLOURS = {1: (255, 211, 0), 2: (120, 60, 30), 3: (230, 230, 200), 4: (200, 0, 0),
                     5: (245, 200, 140), 6: (30, 90, 200), 7: (90, 160, 70)}
FARMLAND, MINE, SALINE, URBAN, DESERT, WATER, GRASS = 1, 2, 3, 4, 5, 6, 7
MOUNTAIN_DEM = 1900.0  # m; above this the ground is mountain grassland


RING_VERTICES = 360


@dataclasses.dataclass(frozen=True)
class Blob:
    """A closed region with a wobbly outline r(theta) = R (1 + sum a_k cos(k theta + p_k))."""

    centre: Tuple[float, float]
    radius: float
    harmonics: Tuple[Tuple[int, float, float], ...] = ()

    def radius_at(self, theta: np.ndarray) -> np.ndarray:
        """Outline radius (m) in direction theta (radians from east)."""
        r = np.ones_like(np.asarray(theta, float))
        for k, a, p in self.harmonics:
            r = r + a * np.cos(k * theta + p)
        return self.radius * r

    def contains(self, x: np.ndarray, y: np.ndarray, margin: float = 0.0) -> np.ndarray:
        """True where (x, y) lies inside the written polygon ring() (shrunk radially by `margin` m).

        The polygon is star-shaped about the centre, so the test is exact: the point's distance
        against where its ray from the centre crosses the polygon edge.
        """
        dx, dy = np.asarray(x, float) - self.centre[0], np.asarray(y, float) - self.centre[1]
        theta = np.mod(np.arctan2(dy, dx), 2 * np.pi)
        pts = self.ring()[:, :] - np.asarray(self.centre)
        i = np.minimum((theta / (2 * np.pi / RING_VERTICES)).astype(np.int64), RING_VERTICES - 1)
        a, b = pts[i], pts[i + 1]
        ux, uy = np.cos(theta), np.sin(theta)
        edge = (a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]) / (
            ux * (b[..., 1] - a[..., 1]) - uy * (b[..., 0] - a[..., 0]))
        return np.hypot(dx, dy) < edge - margin

    def ring(self) -> np.ndarray:
        """The outline as a (RING_VERTICES + 1, 2) closed ring (counter-clockwise), as written."""
        theta = np.linspace(0.0, 2 * np.pi, RING_VERTICES, endpoint=False)
        r = self.radius_at(theta)
        pts = np.column_stack([self.centre[0] + r * np.cos(theta), self.centre[1] + r * np.sin(theta)])
        return np.vstack([pts, pts[:1]])

    @property
    def max_radius(self) -> float:
        return self.radius * (1.0 + sum(abs(a) for _, a, _ in self.harmonics))


@dataclasses.dataclass(frozen=True)
class Zone:
    """A deformation zone: a farmland bowl (rate from the GWR relation) or a bisquare bowl."""

    name: str
    kind: str
    centre: Tuple[float, float]
    radius_m: float                 # bisquare radius of the bowl (rate is 0 beyond it)
    peak_rate: Optional[float]      # mm/yr vertical at the centre (None: from the GWR relation)
    seasonal_amplitude_mm: float    # vertical, at the centre
    seasonal_peak_doy: float        # day of year of the seasonal displacement maximum
    removed_by: Optional[str]       # None, "dem" or "ndvi"
    region: Blob                    # the outline written to regions.gpkg (P zones)


def bisquare(r: np.ndarray, radius: float) -> np.ndarray:
    """(1 - (r/R)^2)^2 inside R, 0 outside: a bowl with compact support."""
    q = np.clip(1.0 - (np.asarray(r, float) / radius) ** 2, 0.0, None)
    return q * q


def _wobble(seed_phase: float) -> Tuple[Tuple[int, float, float], ...]:
    return ((2, 0.07, seed_phase), (3, 0.05, 1.3 + seed_phase), (5, 0.025, 2.1 - seed_phase))


def zones() -> List[Zone]:
    """The planted deformation zones P1..P6 and the two that screening must remove (Z7, Z8)."""
    def disc(c, r):
        return Blob(c, r)
    return [
        Zone("P1", "farmland", (566500.0, 4306500.0), 2200.0, None, 14.0, 90.0, None,
             Blob((566500.0, 4306500.0), 2900.0, _wobble(0.4))),
        Zone("P2", "farmland", (575500.0, 4309000.0), 2000.0, None, 12.0, 90.0, None,
             Blob((575500.0, 4309000.0), 2600.0, _wobble(2.0))),
        Zone("P3", "farmland", (583500.0, 4305500.0), 2200.0, None, 13.0, 90.0, None,
             Blob((583500.0, 4305500.0), 2900.0, _wobble(4.1))),
        Zone("P4", "mine", (563000.0, 4299500.0), 1200.0, -50.0, 0.0, 90.0, None,
             disc((563000.0, 4299500.0), 1200.0)),
        Zone("P5", "coal mine", (586500.0, 4299000.0), 900.0, -24.0, 0.0, 90.0, None,
             disc((586500.0, 4299000.0), 900.0)),
        Zone("P6", "saline uplift", (579500.0, 4313200.0), 1000.0, 14.0, 6.0, 290.0, None,
             disc((579500.0, 4313200.0), 1000.0)),
        Zone("Z7", "mountain landslide", (570000.0, 4292000.0), 1000.0, -18.0, 0.0, 90.0, "dem",
             disc((570000.0, 4292000.0), 1000.0)),
        Zone("Z8", "desert (aeolian)", (587000.0, 4311500.0), 900.0, -16.0, 0.0, 90.0, "ndvi",
             disc((587000.0, 4311500.0), 900.0)),
    ]


# Land-cover patches that are not deformation zones.
MINE_SCALE = 1.3  # the mine pit area extends 1.3 bowl radii
SALT_FLAT = Blob((579500.0, 4313200.0), 1700.0, _wobble(5.0))
TOWN = Blob((572000.0, 4301500.0), 900.0, ((3, 0.1, 0.5),))
RESERVOIR = Blob((583000.0, 4313000.0), 600.0, ((2, 0.15, 1.0),))


@dataclasses.dataclass(frozen=True)
class Waves:
    """A smooth texture: sum of plane waves a*sin(kx*x + ky*y + p) (x, y relative to ORIGIN)."""

    terms: Tuple[Tuple[float, float, float, float], ...]

    @staticmethod
    def draw(rng: np.random.Generator, specs: Sequence[Tuple[float, float, float]]) -> "Waves":
        """specs: (amplitude, wavelength_m, direction_deg); phases drawn from rng."""
        terms = []
        for amp, wavelength, direction in specs:
            k = 2 * np.pi / wavelength
            d = math.radians(direction)
            terms.append((float(amp), k * math.cos(d), k * math.sin(d), float(rng.uniform(0, 2 * np.pi))))
        return Waves(tuple(terms))

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x = np.asarray(x, float) - ORIGIN[0]
        y = np.asarray(y, float) - ORIGIN[1]
        out = np.zeros(np.broadcast(x, y).shape)
        for a, kx, ky, p in self.terms:
            out += a * np.sin(kx * x + ky * y + p)
        return out

    @property
    def amplitude(self) -> float:
        return float(sum(abs(t[0]) for t in self.terms))


class Ground:
    """DEM and land cover of the scene for one seed (textures drawn once from the seed)."""

    def __init__(self, seed: int):
        rng = np.random.default_rng([seed, 1])
        self.zones = zones()
        self.front_phase = float(rng.uniform(0, 2 * np.pi))
        self.ridges = Waves.draw(rng, [(180.0, 2300.0, 80.0), (120.0, 1700.0, 130.0), (90.0, 1100.0, 20.0)])
        self.plain = Waves.draw(rng, [(4.0, 3100.0, 30.0), (3.0, 1900.0, 115.0), (1.5, 700.0, 60.0)])

    def front_y(self, x: np.ndarray) -> np.ndarray:
        """Northing of the mountain front (foot of the slope) at easting x."""
        return 4295500.0 + 500.0 * np.sin(2 * np.pi * (np.asarray(x, float) - 560000.0) / 11000.0
                                          + self.front_phase)

    def mountain_fraction(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """0 on the plain, 1 in the mountains (logistic across the front, width ~800 m)."""
        s = (self.front_y(x) - np.asarray(y, float)) / 800.0
        return 1.0 / (1.0 + np.exp(-np.clip(s, -50, 50)))

    def dem(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Elevation (m): a plain sloping gently north, and mountains rising in the south."""
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        m = self.mountain_fraction(x, y)
        z = 1600.0 - 0.006 * (y - 4290000.0) + self.plain(x, y)
        return z + m * (1900.0 + self.ridges(x, y))

    def landcover(self, x: np.ndarray, y: np.ndarray, dem: Optional[np.ndarray] = None,
                  farm_margin: float = 0.0) -> np.ndarray:
        """Land-cover class (uint8, see LANDCOVER) at the points.

        farm_margin shrinks the farmland outlines: with half a pixel diagonal, a pixel is farmland
        only when it lies wholly inside its region polygon.
        """
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        z = self.dem(x, y) if dem is None else dem
        lc = np.full(x.shape, DESERT, np.uint8)
        lc[z >= MOUNTAIN_DEM] = GRASS
        lc[SALT_FLAT.contains(x, y)] = SALINE
        lc[TOWN.contains(x, y)] = URBAN
        for zn in self.zones:
            if zn.kind == "farmland":
                lc[zn.region.contains(x, y, farm_margin)] = FARMLAND
            elif "mine" in zn.kind:
                lc[np.hypot(x - zn.centre[0], y - zn.centre[1]) < MINE_SCALE * zn.radius_m] = MINE
        lc[RESERVOIR.contains(x, y)] = WATER
        return lc

    def zone(self, name: str) -> Zone:
        return next(z for z in self.zones if z.name == name)

    def dense_mask(self, x: np.ndarray, y: np.ndarray, buffer: float = 1000.0) -> np.ndarray:
        """True near any zone (within its outline or bowl plus `buffer`): kept at full density."""
        x, y = np.asarray(x, float), np.asarray(y, float)
        out = np.zeros(np.broadcast(x, y).shape, bool)
        for zn in self.zones:
            reach = max(zn.region.max_radius, MINE_SCALE * zn.radius_m) + buffer
            out |= np.hypot(x - zn.centre[0], y - zn.centre[1]) < reach
        return out
