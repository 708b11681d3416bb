"""The plugin loads through classFactory, adds its menu, toolbar and provider, and unload() removes them."""
import pytest
from qgis.core import QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QEvent
from qgis.PyQt.QtWidgets import QDialogButtonBox, QDockWidget, QMenu, QToolBar

import insar_fusion
from insar_fusion import settings


@pytest.fixture
def plugin(qgis_iface, qgis_processing):
    registry = QgsApplication.processingRegistry()
    existing = registry.providerById("insarfusion")
    if existing is not None:  # the session provider fixture may have registered one
        registry.removeProvider(existing)
    p = insar_fusion.classFactory(qgis_iface)
    p.initProcessing()
    p.initGui()
    yield p
    p.unload()


def _menu_titles(window):
    return [a.text() for a in window.menuBar().actions()]


def _flush_deletes():
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_init_gui_adds_menu_toolbar_settings_and_provider(plugin, qgis_iface):
    window = qgis_iface.mainWindow()
    assert "&InSAR Fusion" in _menu_titles(window)
    assert window.findChild(QToolBar, "InsarFusionToolbar") is not None
    assert QgsApplication.processingRegistry().providerById("insarfusion") is plugin.provider
    names = [a.objectName() for a in plugin.menu.actions()]
    assert "InsarFusionSettingsAction" in names
    toolbar_actions = [a.objectName() for a in plugin.toolbar.actions()]
    assert "InsarFusionSettingsAction" in toolbar_actions


def test_unload_leaves_no_menu_toolbar_provider_or_dock(qgis_iface, qgis_processing):
    window = qgis_iface.mainWindow()
    p = insar_fusion.classFactory(qgis_iface)
    p.initProcessing()
    p.initGui()
    docks_before = len(window.findChildren(QDockWidget))
    p.unload()
    _flush_deletes()
    assert "&InSAR Fusion" not in _menu_titles(window)
    assert window.findChild(QToolBar, "InsarFusionToolbar") is None
    assert window.findChild(QMenu, "InsarFusionMenu") is None
    assert QgsApplication.processingRegistry().providerById("insarfusion") is None
    assert len(window.findChildren(QDockWidget)) <= docks_before
    assert not [d for d in window.findChildren(QDockWidget) if d.objectName().startswith("InsarFusion")]
    assert p.actions == [] and p.docks == []


def test_settings_dialog_saves_thresholds_and_refreshes_defaults(plugin, qgis_iface):
    from insar_fusion.ui.settings_dialog import SettingsDialog

    settings.reset()
    refreshed = []
    dialog = SettingsDialog(qgis_iface.mainWindow(), on_saved=lambda: refreshed.append(True))
    assert dialog.spins["significant_rate"].value() == 10.0
    assert dialog.spins["gwr_bandwidth"].value() == 500.0
    assert dialog.spins["site_radius"].value() == 2000.0
    assert dialog.spins["ndvi_limit"].value() == pytest.approx(0.4)
    dialog.spins["significant_rate"].setValue(12.5)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert settings.value("significant_rate") == 12.5
    assert float(QgsSettings().value("insar_fusion/significant_rate")) == 12.5
    assert refreshed == [True]
    dialog2 = SettingsDialog(qgis_iface.mainWindow())
    dialog2.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert dialog2.spins["significant_rate"].value() == 10.0
    dialog2.reject()
    assert settings.value("significant_rate") == 12.5  # Cancel keeps the saved value
    settings.reset()
    assert settings.value("significant_rate") == 10.0


def test_settings_action_opens_the_dialog(plugin, monkeypatch):
    from insar_fusion.ui import settings_dialog

    opened = []
    monkeypatch.setattr(settings_dialog.SettingsDialog, "exec", lambda self: opened.append(self) or 0)
    action = [a for a in plugin.actions if a.objectName() == "InsarFusionSettingsAction"][0]
    action.trigger()
    assert len(opened) == 1 and opened[0].windowTitle() == "InSAR Fusion settings"


def test_inspector_and_study_area_actions_open_the_dock_and_set_the_map_tools(plugin, qgis_iface):
    from insar_fusion.ui.inspector.dock import InspectorDock

    names = [a.objectName() for a in plugin.toolbar.actions()]
    assert "InsarFusionInspectorAction" in names and "InsarFusionStudyAreaAction" in names
    canvas = qgis_iface.mapCanvas()
    action = [a for a in plugin.actions if a.objectName() == "InsarFusionInspectorAction"][0]
    action.trigger()
    docks = [d for d in plugin.docks if isinstance(d, InspectorDock)]
    assert len(docks) == 1 and docks[0].objectName() == "InsarFusionInspectorDock"
    assert canvas.mapTool() is docks[0].pick_tool
    [a for a in plugin.actions if a.objectName() == "InsarFusionStudyAreaAction"][0].trigger()
    assert canvas.mapTool() is docks[0].study_tool
    action.trigger()
    assert len([d for d in plugin.docks if isinstance(d, InspectorDock)]) == 1  # reused, not stacked


def test_unload_removes_the_inspector_dock_its_map_tools_and_marks(qgis_iface, qgis_processing):
    from qgis.gui import QgsMapMouseEvent, QgsRubberBand
    from qgis.PyQt.QtCore import QPoint, Qt

    window = qgis_iface.mainWindow()
    canvas = qgis_iface.mapCanvas()

    def bands():
        return [i for i in canvas.scene().items() if isinstance(i, QgsRubberBand)]

    before = len(bands())
    p = insar_fusion.classFactory(qgis_iface)
    p.initProcessing()
    p.initGui()
    p.draw_study_area()
    dock = p.inspector()
    tool = dock.study_tool
    for xy in ((10, 10), (60, 10), (60, 60)):
        tool.canvasReleaseEvent(QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, QPoint(*xy),
                                                 Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert len(bands()) > before  # the study-area rubber band is on the canvas
    p.unload()
    _flush_deletes()
    assert canvas.mapTool() is not tool
    assert len(bands()) == before
    assert not [d for d in window.findChildren(QDockWidget) if d.objectName().startswith("InsarFusion")]
    assert p.docks == []
