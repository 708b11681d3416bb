"""What the inspector keeps in the project besides its sources: the reference and the named
selections (each its shapes and its reference)."""
import dataclasses
import json
from typing import List, Optional

from ...core.errors import InputError
from ...core.timeseries.selection import Shape

SCOPE = "insar_fusion"
REFERENCE_KEY, SELECTIONS_KEY = "inspector/reference", "inspector/selections"


@dataclasses.dataclass
class Selection:
    name: str
    shapes: List[Shape]
    reference: Optional[Shape] = None

    def to_json(self) -> dict:
        return {"name": self.name, "shapes": [s.to_json() for s in self.shapes],
                "reference": self.reference.to_json() if self.reference else None}

    @classmethod
    def from_json(cls, raw: dict) -> "Selection":
        return cls(str(raw["name"]), [Shape.from_json(s) for s in raw.get("shapes", [])],
                   Shape.from_json(raw["reference"]) if raw.get("reference") else None)


def save_reference(project, shape: Optional[Shape]) -> None:
    text = json.dumps(shape.to_json()) if shape else ""
    if project.readEntry(SCOPE, REFERENCE_KEY, "")[0] != text:
        project.writeEntry(SCOPE, REFERENCE_KEY, text)


def load_reference(project) -> Optional[Shape]:
    text, ok = project.readEntry(SCOPE, REFERENCE_KEY, "")
    try:
        return Shape.from_json(json.loads(text)) if ok and text else None
    except (ValueError, KeyError, TypeError, InputError):
        return None


def save_selections(project, selections: List[Selection]) -> None:
    text = json.dumps([s.to_json() for s in selections]) if selections else ""
    if project.readEntry(SCOPE, SELECTIONS_KEY, "")[0] != text:
        project.writeEntry(SCOPE, SELECTIONS_KEY, text)


def load_selections(project) -> List[Selection]:
    text, ok = project.readEntry(SCOPE, SELECTIONS_KEY, "")
    try:
        return [Selection.from_json(r) for r in json.loads(text)] if ok and text else []
    except (ValueError, KeyError, TypeError, InputError):
        return []
