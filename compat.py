"""The one place where QGIS and Qt differ between the versions the plugin supports.

QGIS 3.22 to 3.44 run on Qt5 (PyQt5); QGIS 4 runs on Qt6 (PyQt6), where QAction, QActionGroup
and QShortcut moved from QtWidgets to QtGui. Import them from here. tools/qt6_rules.py (and its
test) checks the rest of the Qt6 rules over the whole source.

Layout text: labels (QGIS 3.24) and legend styles (3.30) take a QgsTextFormat, and their
setFont is deprecated since; 3.22 has only setFont. `set_layout_font` picks what is there.
A Processing field-list parameter is read with parameterAsStrings (3.32; parameterAsFields is
deprecated since): `parameter_as_fields`.
"""
try:  # Qt6
    from qgis.PyQt.QtGui import QAction
except ImportError:  # Qt5
    from qgis.PyQt.QtWidgets import QAction



def set_layout_font(target, font) -> None:
    """Give a layout label or a legend style `font` (a QFont with its point size)."""
    if hasattr(target, "setTextFormat"):
        from qgis.core import QgsTextFormat
        fmt = QgsTextFormat()
        fmt.setFont(font)
        fmt.setSize(font.pointSizeF())
        target.setTextFormat(fmt)
    else:
        target.setFont(font)


def parameter_as_fields(algorithm, parameters, name, context) -> list:
    """The field names of a QgsProcessingParameterField with allowMultiple."""
    read = getattr(algorithm, "parameterAsStrings", None) or algorithm.parameterAsFields
    return list(read(parameters, name, context))


__all__ = ["QAction", "set_layout_font", "parameter_as_fields"]
