"""What the study works on: the resolved inputs, the work folder, and what each step produced."""
import dataclasses
import os
from typing import Dict, List, Optional

from ...core.study.inputs import Pair

STACK_LABELS = ("ndvi", "soil_moisture", "precipitation")
CHANGE_PREFIX = {"ndvi": "ndvi", "soil_moisture": "sm"}


@dataclasses.dataclass
class Track:
    """One InSAR track: its input, and the layers the study made of it (work paths)."""

    name: str
    slug: str
    source: str
    los: str = ""
    vertical: str = ""      # '' when the track stays LOS
    conversion: str = ""    # how LOS became vertical, or why it did not
    spliced: str = ""       # a secondary with the splice offset removed
    n_points: int = 0
    n_dates: int = 0
    fmt: str = ""
    first_date: str = ""
    last_date: str = ""

    @property
    def layer(self) -> str:
        """The track as the study uses it: vertical when it could be converted, else LOS."""
        return self.vertical or self.los

    @property
    def corrected(self) -> str:
        """The track with its splice offset removed (the reference and unspliced ones as they are)."""
        return self.spliced or self.layer


@dataclasses.dataclass
class Published:
    """A vector layer or table copied from a work file into the study's GeoPackage."""

    name: str
    title: str
    group: str
    source: str
    style: str = ""          # a key of project.STYLES ('' for tables)
    visible: bool = False
    series: bool = False     # keep the DYYYYMMDD fields


@dataclasses.dataclass
class RasterOut:
    """A raster the study wrote under OUTPUT_FOLDER/rasters/, with its .qml style."""

    source: str
    title: str
    group: str
    visible: bool = False


@dataclasses.dataclass
class Plan:
    """The resolved inputs (as the children take them) and every product of the steps."""

    work: str
    tracks: List[Track]
    stacks: Dict[str, List[str]]
    regions: object = None          # the REGIONS parameter value (None: not given)
    region_field: str = "name"
    dem: object = None
    study_area: object = None
    sites: object = None
    site_field: str = ""
    coherence: List[Pair] = dataclasses.field(default_factory=list)
    coherence_ndvi: List[str] = dataclasses.field(default_factory=list)
    numbers: Dict[str, object] = dataclasses.field(default_factory=dict)
    crs_authid: str = ""
    crs_wkt: str = ""
    # products (work paths)
    rate: str = ""
    significant: str = ""
    regions_layer: str = ""
    sites_layer: str = ""
    study_area_layer: str = ""
    change: Dict[str, str] = dataclasses.field(default_factory=dict)   # label -> raster
    change_table: str = ""
    gwr: str = ""
    region_points: str = ""
    site_lags: str = ""
    reports: Dict[str, str] = dataclasses.field(default_factory=dict)  # key -> child HTML or PNG
    published: List[Published] = dataclasses.field(default_factory=list)
    rasters: List[RasterOut] = dataclasses.field(default_factory=list)
    delivery: object = None         # deliver.Delivery: makes OUTPUT_FOLDER/rasters on first use
    raster_dir: str = ""

    def raster(self, name: str) -> str:
        """The path of an output raster, OUTPUT_FOLDER/rasters/<name>.tif (written in place)."""
        if not self.raster_dir:
            self.raster_dir = self.delivery.prepare("rasters", folder=True)
        path = os.path.join(self.raster_dir, name + ".tif")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def path(self, name: str, ext: str = ".gpkg") -> str:
        return os.path.join(self.work, name + ext)

    def publish(self, source: str, name: str, title: str, group: str, style: str = "",
                visible: bool = False, series: bool = False) -> None:
        self.published = [p for p in self.published if p.name != name]
        self.published.append(Published(name, title, group, source, style, visible, series))

    def add_raster(self, source: str, title: str, group: str, visible: bool = False) -> None:
        self.rasters.append(RasterOut(source, title, group, visible))

    def stack(self, label: str) -> List[str]:
        return self.stacks.get(label, [])

    @property
    def explanatory(self) -> List[str]:
        """The interannual change fields sampled at the points (ndvi_interannual, sm_interannual)."""
        return [f"{CHANGE_PREFIX[k]}_interannual" for k in ("ndvi", "soil_moisture")
                if f"{CHANGE_PREFIX[k]}_interannual" in self.change]

    @property
    def group_field(self) -> str:
        return f"region_{self.region_field}"

    def number(self, key: str, default=None):
        value = self.numbers.get(key)
        return default if value is None else value

    def published_named(self, name: str) -> Optional[Published]:
        return next((p for p in self.published if p.name == name), None)
