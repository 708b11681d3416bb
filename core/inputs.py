"""Checks of input files before a run: missing, unreadable or truncated files, named plainly."""
import os
import re
from typing import Optional

from osgeo import gdal

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
_GDAL_READ_FAILURE = re.compile(r"IReadBlock failed|TIFFRead|TIFFFillTile|TIFFFillStrip|"
                                r"Read error|ReadBlock failed|Decompression failed|"
                                r"Can't read data|truncated file|database disk image is malformed|"
                                r"file is not a database", re.IGNORECASE)
_PATH_IN_MESSAGE = re.compile(r"(/[^,:]+\.[A-Za-z0-9]+)")


def _split_fields(line: str, delimiter: str) -> int:
    """The number of fields of a CSV line (quotes respected)."""
    import csv
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (StopIteration, csv.Error):
        return 0


def csv_truncation(path: str) -> Optional[str]:
    """A message if the CSV file ends inside a row (fewer fields than its header), else None.

    A file cut at the end of a line cannot be told from a shorter file and passes.
    """
    if os.path.splitext(path)[1].lower() not in CSV_EXTENSIONS or not os.path.isfile(path):
        return None
    size = os.path.getsize(path)
    if size == 0:
        return f"'{os.path.basename(path)}' is empty (0 bytes)."
    with open(path, "rb") as f:
        head = f.readline(1 << 20).decode("utf-8", "replace")
        f.seek(max(0, size - (1 << 16)))
        tail = f.read()
    if tail.endswith((b"\n", b"\r")):
        return None
    last = tail.decode("utf-8", "replace").splitlines()[-1] if tail.strip() else ""
    if not last or last == head.rstrip("\r\n"):
        return None
    delimiter = max((",", ";", "\t", "|"), key=head.count)
    want, got = _split_fields(head.rstrip("\r\n"), delimiter), _split_fields(last, delimiter)
    if got < want:
        return (f"'{os.path.basename(path)}' ends inside a row (its last row has {got} of {want} "
                "fields): the file looks truncated. Use a complete copy of it.")
    return None


def unreadable(path: str, raster: bool) -> str:
    """Why a file that QGIS could not load cannot be read: missing, or corrupt."""
    if not os.path.exists(path):
        return f"'{path}' does not exist."
    what = "a raster" if raster else "a vector layer or table"
    try:
        ds = gdal.OpenEx(path, gdal.OF_RASTER if raster else gdal.OF_VECTOR)
    except RuntimeError as e:
        return f"'{path}' cannot be read as {what} (is the file truncated or corrupt?): {e}"
    if ds is None:
        return f"'{path}' cannot be read as {what} (is the file truncated or corrupt?)."
    return f"'{path}' cannot be loaded as {what}."


def read_failure(message: str) -> Optional[str]:
    """A user message when a GDAL/HDF5 error says the data of a file could not be read."""
    if not _GDAL_READ_FAILURE.search(message or ""):
        return None
    m = _PATH_IN_MESSAGE.search(message)
    name = f"'{os.path.basename(m.group(1))}'" if m else "an input file"
    return (f"Reading {name} failed: the file is truncated or corrupt ({message.strip()}). "
            "Use a complete copy of it.")


_DISK = re.compile(r"No space left on device|Disk quota exceeded|Read-only file system|"
                   r"Permission denied", re.IGNORECASE)


def disk_failure(message: str) -> Optional[str]:
    """A user message when a GDAL error says a file could not be written (disk full, refused)."""
    m = _DISK.search(message or "")
    if not m:
        return None
    return (f"Writing an output failed: {m.group(0)} ({message.strip()}). Free some disk space, or "
            "choose a location where you may write, and run it again.")
