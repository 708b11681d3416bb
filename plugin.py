"""The plugin object QGIS holds: wiring only (provider, menu, toolbar, docks)."""
import os

from qgis.core import QgsApplication
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QMenu

from .compat import QAction
from .processing.provider import InsarFusionProvider, forget_algorithm_modules

HERE = os.path.dirname(__file__)
MENU_TITLE = "&InSAR Fusion"


def icon(name: str) -> QIcon:
    return QIcon(os.path.join(HERE, "resources", name))


class InsarFusionPlugin:
    """Registers the Processing provider and adds the menu, toolbar and settings dialog."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.actions = []
        self.toolbar = None
        self.menu = None
        self.docks = []

    def initProcessing(self):  # noqa: N802 (QGIS's name)
        if self.provider is None:
            self.provider = InsarFusionProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()
        window = self.iface.mainWindow()
        self.menu = QMenu(MENU_TITLE, window)
        self.menu.setObjectName("InsarFusionMenu")
        bar = window.menuBar()
        help_menu = next((a for a in bar.actions() if a.menu() and "help" in a.text().lower()), None)
        bar.insertMenu(help_menu, self.menu) if help_menu else bar.addMenu(self.menu)
        self.toolbar = self.iface.addToolBar("InSAR Fusion")
        self.toolbar.setObjectName("InsarFusionToolbar")
        self.add_action("Time-series inspector", icon("icons/inspector.svg"), self.show_inspector,
                        "InsarFusionInspectorAction")
        self.add_action("Draw study area", icon("icons/study_area.svg"), self.draw_study_area,
                        "InsarFusionStudyAreaAction")
        self.add_action("Settings…", icon("icons/settings.svg"), self.open_settings,
                        "InsarFusionSettingsAction")

    def add_action(self, text, qicon, callback, object_name):
        """Add an action to the plugin menu and the toolbar; unload() removes it."""
        action = QAction(qicon, text, self.iface.mainWindow())
        action.setObjectName(object_name)
        action.triggered.connect(callback)
        self.menu.addAction(action)
        if self.toolbar is not None:
            self.toolbar.addAction(action)
        self.actions.append(action)
        return action

    def inspector(self):
        """The time-series inspector dock, created on first use (unload() removes it)."""
        from qgis.PyQt.QtCore import Qt

        from .ui.inspector.dock import InspectorDock

        dock = next((d for d in self.docks if isinstance(d, InspectorDock)), None)
        if dock is None:
            dock = InspectorDock(self.iface)
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.docks.append(dock)
        return dock

    def show_inspector(self):
        dock = self.inspector()
        dock.show()
        dock.raise_()
        dock.activate_pick()

    def draw_study_area(self):
        self.inspector().activate_study_area()

    def open_settings(self):
        from .ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.iface.mainWindow(), on_saved=self.refresh_defaults)
        dialog.exec()

    def refresh_defaults(self):
        """Re-create the algorithms so their parameter defaults follow the new settings."""
        if self.provider is not None:
            self.provider.refreshAlgorithms()

    def unload(self):
        from .core.scale.cluster import shutdown as close_clusters

        close_clusters()  # a LocalCluster started for tile-by-tile work ends with the plugin
        for dock in self.docks:
            close = getattr(dock, "shutdown", None)
            if close:
                close()
            self.iface.removeDockWidget(dock)
            dock.deleteLater()
        self.docks = []
        for action in self.actions:
            action.setParent(None)
            action.deleteLater()
        self.actions = []
        window = self.iface.mainWindow()
        if self.menu is not None:
            window.menuBar().removeAction(self.menu.menuAction())
            self.menu.setParent(None)
            self.menu.deleteLater()
            self.menu = None
        if self.toolbar is not None:
            window.removeToolBar(self.toolbar)
            self.toolbar.setParent(None)
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        forget_algorithm_modules()  # QGIS purges the rest; a reload then finds every algorithm
