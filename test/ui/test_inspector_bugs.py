"""The four desktop bugs of issue 17, each shown by a test that failed on the code before the fix."""
from qgis.core import QgsFeatureRequest, QgsVectorLayer
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
