"""The four desktop bugs of issue 17, each shown by a test that failed on the code before the fix."""
import sys

import pytest
from qgis.core import QgsApplication, QgsVectorLayer
from qgis.PyQt.QtCore import Qt

from inspector_kit import CENTRE, event, key


def _delete_selection_shortcut(layer):
    """What QGIS's main window does on the canvas's keyPressed signal (QgisApp::mapCanvas_keyPressed):
    Backspace or Delete that the map tool left accepted deletes the selected features."""
    def shortcut(e):
        if e.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and e.isAccepted():
            layer.deleteSelectedFeatures()
    return shortcut


def test_backspace_in_draw_study_area_deletes_no_selected_feature(setup):
    dock, _, canvas = setup
    layer = QgsVectorLayer("Point?crs=EPSG:32647&field=name:string", "edited", "memory")
    assert layer.dataProvider().addFeatures([_feature(layer, CENTRE)])[0]
    dock.project.addMapLayer(layer)
    layer.startEditing()
    layer.selectAll()
    canvas.setCurrentLayer(layer)
    shortcut = _delete_selection_shortcut(layer)
    canvas.keyPressed.connect(shortcut)
    try:
        dock.activate_study_area()
        tool = dock.study_tool
        for k in range(3):
            tool.canvasReleaseEvent(event(canvas, CENTRE[0] + 1000 * k, CENTRE[1] + 500 * (k % 2)))
        canvas.keyPressEvent(key(Qt.Key.Key_Backspace))  # the canvas hands it to the tool, then emits keyPressed
        assert len(tool.vertices) == 2  # the last vertex went
        assert layer.featureCount() == 1 and layer.selectedFeatureCount() == 1  # and nothing else
        canvas.keyPressEvent(key(Qt.Key.Key_Delete))  # QGIS's capture tools undo a vertex on Delete too
        assert len(tool.vertices) == 1
        assert layer.featureCount() == 1
        canvas.keyPressEvent(key(Qt.Key.Key_Escape))
        assert tool.vertices == []
        assert layer.featureCount() == 1
    finally:
        canvas.keyPressed.disconnect(shortcut)
        layer.rollBack()


def _feature(layer, xy):
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY

    f = QgsFeature(layer.fields())
    f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*xy)))
    f.setAttribute("name", "keep me")
    return f


@pytest.fixture
def fresh_plugin_modules(qgis_iface, qgis_processing):
    """The plugin loaded the way QGIS loads it (qgis.utils, whose import hook records its modules),
    with the test session's own modules put back afterwards."""
    import qgis.utils as qu

    saved = {k: v for k, v in sys.modules.items() if k == "insar_fusion" or k.startswith("insar_fusion.")}
    registry = QgsApplication.processingRegistry()
    session_provider = registry.providerById("insarfusion")
    if session_provider is not None:
        registry.removeProvider(session_provider)
    for k in saved:
        del sys.modules[k]
    old_iface, qu.iface = qu.iface, qgis_iface
    added = "insar_fusion" not in qu.available_plugins
    if added:
        qu.available_plugins.append("insar_fusion")
    qu._plugin_modules.pop("insar_fusion", None)
    try:
        yield qu
    finally:
        if "insar_fusion" in qu.active_plugins:
            qu.unloadPlugin("insar_fusion")
        for k in [k for k in sys.modules if k == "insar_fusion" or k.startswith("insar_fusion.")]:
            del sys.modules[k]
        sys.modules.update(saved)
        qu._plugin_modules.pop("insar_fusion", None)
        if added:
            qu.available_plugins.remove("insar_fusion")
        qu.iface = old_iface


def test_unloading_and_reloading_the_plugin_finds_every_algorithm_again(fresh_plugin_modules):
    qu = fresh_plugin_modules
    registry = QgsApplication.processingRegistry()
    assert qu.loadPlugin("insar_fusion") and qu.startPlugin("insar_fusion")
    first = sorted(a.id() for a in registry.providerById("insarfusion").algorithms())
    assert len(first) > 20
    # the Plugin Manager's "disable, enable", a plugin upgrade and Plugin Reloader all do this
    assert qu.reloadPlugin("insar_fusion")
    provider = registry.providerById("insarfusion")
    assert provider is not None and not provider.load_errors
    assert sorted(a.id() for a in provider.algorithms()) == first
    assert qu.unloadPlugin("insar_fusion")
    assert registry.providerById("insarfusion") is None
    assert not [k for k in sys.modules if ".alg_" in k]  # no algorithm module is left stale
