"""What the inspector reads (an InSAR layer and labelled stacks), kept in the project file."""
import dataclasses
import glob
import json
import os
from typing import List

from ...core.dates import MONTH_DAY, MONTH_FIRST, MONTH_MIDDLE
from ...core.errors import InputError
from ...core.timeseries.monthly import is_dated

SCOPE, KEY = "insar_fusion", "inspector/sources"
RASTER_EXTENSIONS = (".tif", ".tiff", ".vrt", ".img", ".nc", ".jp2", ".asc")
KINDS = ("layers", "folder", "pattern")


@dataclasses.dataclass
class StackSource:
    """One stack: a label and where its dated rasters come from (layer ids, a folder or a glob)."""

    label: str
    kind: str
    value: object  # list of layer ids (layers), a folder path (folder), a glob pattern (pattern)

    def describe(self) -> str:
        if self.kind == "layers":
            return f"{len(self.value)} project layer(s)"
        return str(self.value)

    def paths(self, project) -> List[str]:
        """The raster files of this stack (dated names only), sorted."""
        if self.kind == "layers":
            out = []
            for layer_id in self.value:
                layer = project.mapLayer(layer_id)
                if layer is None:
                    raise InputError(f"Stack '{self.label}': a layer of it is no longer in the project.")
                out.append(layer.source().split("|")[0])
            return out
        if self.kind == "folder":
            if not os.path.isdir(str(self.value)):
                raise InputError(f"Stack '{self.label}': the folder '{self.value}' does not exist.")
            found = [os.path.join(self.value, n) for n in os.listdir(self.value)
                     if n.lower().endswith(RASTER_EXTENSIONS)]
        elif self.kind == "pattern":
            found = glob.glob(os.path.expanduser(str(self.value)))
        else:
            raise InputError(f"Stack '{self.label}': unknown source kind '{self.kind}'.")
        found = sorted(p for p in found if os.path.isfile(p) and is_dated(p))
        if not found:
            raise InputError(f"Stack '{self.label}': no raster with a date in its name "
                             f"(e.g. ndvi_201907.tif) in {self.value}.")
        return found


@dataclasses.dataclass
class Sources:
    """The inspector's configuration."""

    insar_layer_id: str = ""
    stacks: List[StackSource] = dataclasses.field(default_factory=list)
    radius: float = 0.0      # 0: the plugin setting site_radius
    smoothing: int = 3
    month_day: int = MONTH_DAY  # the day a month-only file name (YYYYMM) stands for: 16 or 1

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Sources":
        raw = json.loads(text) if text else {}
        stacks = [StackSource(s["label"], s["kind"], s["value"]) for s in raw.get("stacks", [])
                  if s.get("kind") in KINDS]
        return cls(str(raw.get("insar_layer_id", "")), stacks, float(raw.get("radius", 0.0)),
                   int(raw.get("smoothing", 3)),
                   MONTH_FIRST if int(raw.get("month_day", MONTH_DAY)) == MONTH_FIRST else MONTH_MIDDLE)


def _with_paths(sources: Sources, convert) -> Sources:
    """A copy whose folder and pattern stacks have their paths passed through `convert`."""
    stacks = [StackSource(s.label, s.kind, convert(str(s.value)) if s.kind in ("folder", "pattern")
                          else s.value) for s in sources.stacks]
    return dataclasses.replace(sources, stacks=stacks)


def save(project, sources: Sources) -> None:
    """Write the sources into the project (saved with it; paths relative like the project's layers)."""
    project.writeEntry(SCOPE, KEY, _with_paths(sources, project.writePath).to_json())


def load(project) -> Sources:
    """The sources stored in the project, or empty ones."""
    text, ok = project.readEntry(SCOPE, KEY, "")
    try:
        stored = Sources.from_json(text) if ok and text else Sources()
    except (ValueError, KeyError, TypeError):
        return Sources()
    return _with_paths(stored, project.readPath)
