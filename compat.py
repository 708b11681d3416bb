"""The one place where QGIS and Qt differ between the versions the plugin supports.

QGIS 3.22 to 3.44 run on Qt5 (PyQt5); QGIS 4 runs on Qt6 (PyQt6), where QAction, QActionGroup
and QShortcut moved from QtWidgets to QtGui. Import them from here. tools/qt6_rules.py (and its
test) checks the rest of the Qt6 rules over the whole source.
"""
try:  # Qt6
    from qgis.PyQt.QtGui import QAction
except ImportError:  # Qt5
    from qgis.PyQt.QtWidgets import QAction

__all__ = ["QAction"]
