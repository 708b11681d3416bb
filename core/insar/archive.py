"""Zip archives as users download them (EGMS delivers a CSV and an XML per product in a zip).

The data file inside is read in place through GDAL's /vsizip/, never unpacked to disk.
"""
import os
import re
import zipfile
from typing import Dict, Optional, Tuple

from ..errors import InputError

DATA_EXTENSIONS = (".csv", ".txt", ".tsv", ".shp", ".gpkg", ".geojson", ".tif", ".tiff", ".h5")
_TAG = re.compile(r"<([A-Za-z_]+)>([^<]*)</\1>")


def is_zip(path: str) -> bool:
    return os.path.splitext(path)[1].lower() == ".zip"


def _members(path: str):
    try:
        with zipfile.ZipFile(path) as z:
            return [i for i in z.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as e:
        raise InputError(f"Cannot read '{os.path.basename(path)}' as a zip archive (truncated or "
                         f"not a zip?): {e}") from None


def data_member(path: str) -> Tuple[str, Optional[str]]:
    """(GDAL path of the one data file inside the zip, text of the XML beside it or None)."""
    if not os.path.exists(path):
        raise InputError(f"The file '{path}' does not exist.")
    members = _members(path)
    data = [m for m in members if os.path.splitext(m.filename)[1].lower() in DATA_EXTENSIONS
            and not os.path.basename(m.filename).startswith(".")]
    name = os.path.basename(path)
    if not data:
        found = ", ".join(m.filename for m in members[:8]) or "nothing"
        raise InputError(f"'{name}' holds no CSV, Shapefile, GeoPackage, GeoTIFF or HDF5 file "
                         f"(it holds: {found}). Give the zip EGMS delivers, or the data file itself.")
    if len(data) > 1:
        shp = [m for m in data if m.filename.lower().endswith(".shp")]
        if len(shp) != 1:
            listed = ", ".join(m.filename for m in data[:8])
            raise InputError(f"'{name}' holds several data files ({listed}); unzip it and give "
                             "the one to import.")
        data = shp
    inner = data[0].filename
    if inner.lower().endswith(".h5"):
        raise InputError(f"'{name}' holds the HDF5 file '{inner}'; HDF5 cannot be read inside a zip. "
                         "Unzip it and give the .h5 file.")
    xml = None
    stem = os.path.splitext(inner)[0]
    with zipfile.ZipFile(path) as z:
        for m in members:
            if m.filename.lower().endswith(".xml") and os.path.splitext(m.filename)[0] in (stem, ""):
                xml = z.read(m).decode("utf-8", "replace")
            elif xml is None and m.filename.lower().endswith(".xml"):
                xml = z.read(m).decode("utf-8", "replace")
    return "/vsizip/" + os.path.abspath(path) + "/" + inner, xml


def xml_tags(xml: Optional[str]) -> Dict[str, str]:
    """The first value of every simple <tag>value</tag> of an EGMS product XML."""
    out: Dict[str, str] = {}
    for tag, value in _TAG.findall(xml or ""):
        if tag not in out and value.strip():
            out[tag] = value.strip()
    return out


def describe(path: str, xml: Optional[str]) -> str:
    """One line on the product, from its XML (EGMS: level, track, burst, production date)."""
    tags = xml_tags(xml)
    parts = [f"{k.replace('_', ' ')} {tags[k]}" for k in ("product_level", "track", "burst_id",
                                                          "production_date") if k in tags]
    return f"{os.path.basename(path)}: " + (", ".join(parts) if parts else "no product XML")
