"""Helpers shared by the regression algorithms: numeric fields, named styles."""
import numpy as np
from qgis.core import QgsVectorLayer

from ...core.errors import InputError
from ...core.points import PointTable, numeric


def numeric_field(table: PointTable, name: str, role: str) -> np.ndarray:
    """A field as float (NULL as NaN), or InputError naming its role."""
    if name not in table.columns:
        raise InputError(f"The {role} field '{name}' is not in the layer.")
    return numeric(table.columns[name], name)


def explanatory_fields(dependent: str, names) -> list:
    """The explanatory field names, checked: at least one, none equal to the dependent."""
    names = [n for n in (names or []) if n]
    if not names:
        raise InputError("Choose at least one explanatory field.")
    if dependent in names:
        raise InputError(f"'{dependent}' is the dependent variable; it cannot also be explanatory.")
    if len(set(names)) != len(names):
        raise InputError("An explanatory field is listed twice; give each field once.")
    return names


def save_named_style(path: str, style, name: str, description: str) -> bool:
    """Store `style` in a GeoPackage as an extra, non-default named style."""
    if not path.split("|")[0].lower().endswith(".gpkg"):
        return False
    layer = QgsVectorLayer(path, "styled", "ogr")
    if not layer.isValid():
        return False
    style(layer)
    layer.saveStyleToDatabase(name, description, False, "")
    return True
