"""Helpers shared by the regression algorithms: numeric fields."""
import numpy as np

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

