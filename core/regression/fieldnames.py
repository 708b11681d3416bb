"""Field names made from raster names: sanitised, unique, short enough for the output format."""
import re
from typing import Iterable, List, Sequence

SHAPEFILE_LIMIT = 10
DEFAULT_LIMIT = 63  # PostgreSQL's identifier limit; GeoPackage has none


def name_limit(output_path: str) -> int:
    """The longest field name the output format keeps intact."""
    return SHAPEFILE_LIMIT if output_path.split("|")[0].lower().endswith(".shp") else DEFAULT_LIMIT


def sanitise(text: str) -> str:
    """Letters, digits and '_' only; never empty; never starting with a digit."""
    s = re.sub(r"[^0-9A-Za-z_]+", "_", text)
    s = re.sub(r"_+", "_", s).strip("_")
    if not s:
        s = "raster"
    if s[0].isdigit():
        s = "r" + s
    return s


def _fit(base: str, suffix: str, limit: int) -> str:
    return base[:max(1, limit - len(suffix))] + suffix


def sample_field_names(prefix: str, rasters: Sequence[str], band_counts: Sequence[int],
                       existing: Iterable[str], limit: int = DEFAULT_LIMIT) -> List[List[str]]:
    """Field names per raster and band: prefix + raster (layer) name, + _<band> if several bands.

    Names are unique (case-insensitively, also against `existing`) and at most `limit` long;
    a clash gets _2, _3, ... .
    """
    taken = {e.lower() for e in existing}
    out = []
    for name, bands in zip(rasters, band_counts):
        base = sanitise(prefix + name)
        names = []
        for b in range(1, bands + 1):
            suffix = f"_{b}" if bands > 1 else ""
            candidate = _fit(base, suffix, limit)
            k = 2
            while candidate.lower() in taken:
                candidate = _fit(base, f"{suffix}_{k}", limit)
                k += 1
            taken.add(candidate.lower())
            names.append(candidate)
        out.append(names)
    return out
