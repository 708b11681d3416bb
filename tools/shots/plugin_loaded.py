"""QGIS start-up script: show the plugin's menu, toolbar and its Processing toolbox entries."""
import os

from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QDockWidget, QLineEdit, QTreeView
from qgis.utils import iface

window = iface.mainWindow()
window.setGeometry(0, 0, 1600, 1000)


def show_toolbox():
    dock = window.findChild(QDockWidget, "ProcessingToolbox")
    if dock is not None:
        dock.show()
        dock.raise_()
        search = dock.findChild(QLineEdit)
        if search is not None:
            search.setText("insarfusion")
        tree = dock.findChild(QTreeView)
        if tree is not None:
            tree.expandAll()
    QTimer.singleShot(2500, finish)


def finish():
    with open(os.environ.get("IF_STATUS", "/tmp/if_status.json"), "w") as f:
        f.write("{}")


QTimer.singleShot(2500, show_toolbox)
