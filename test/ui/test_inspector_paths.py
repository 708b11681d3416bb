"""The inspector's folder stacks are stored relative to the project, so a moved project still works."""
import shutil

from qgis.core import QgsProject
from qgis.PyQt.QtCore import QCoreApplication, QEvent

from insar_fusion.ui.inspector import sources as S


def test_folder_stacks_follow_a_moved_project(tmp_path):
    first = tmp_path / "study"
    (first / "ndvi").mkdir(parents=True)
    (first / "ndvi" / "ndvi_201907.tif").write_bytes(b"")
    project = QgsProject()
    project.setFileName(str(first / "p.qgz"))
    S.save(project, S.Sources(stacks=[S.StackSource("NDVI", "folder", str(first / "ndvi"))]))
    assert project.write()
    moved = tmp_path / "moved"
    shutil.move(str(first), str(moved))
    again = QgsProject()
    assert again.read(str(moved / "p.qgz"))
    stack = S.load(again).stacks[0]
    assert stack.value == str(moved / "ndvi")
    assert stack.paths(again) == [str(moved / "ndvi" / "ndvi_201907.tif")]


def test_dock_restores_folder_stacks_after_the_project_is_saved_elsewhere_and_moved(
        tmp_path, qgis_iface, qgis_new_project):
    from insar_fusion.ui.inspector.dock import InspectorDock

    first = tmp_path / "study"
    (first / "sm").mkdir(parents=True)
    project = QgsProject.instance()
    dock = InspectorDock(qgis_iface)
    try:
        dock.set_sources(S.Sources(stacks=[S.StackSource("SM", "folder", str(first / "sm"))]))
        assert project.write(str(first / "p.qgz"))  # first save: the folder becomes relative
    finally:
        dock.shutdown()
        dock.deleteLater()  # parented to the main window: later tests count its docks
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    moved = tmp_path / "moved"
    shutil.move(str(first), str(moved))
    again = QgsProject()
    assert again.read(str(moved / "p.qgz"))
    assert S.load(again).stacks[0].value == str(moved / "sm")


def test_opening_the_inspector_leaves_a_clean_project_clean(qgis_iface, qgis_new_project):
    """Radius 0 stands for the plugin setting, so showing the defaults is not an edit."""
    from insar_fusion.ui.inspector.dock import InspectorDock

    project = QgsProject.instance()
    project.setDirty(False)
    dock = InspectorDock(qgis_iface)
    try:
        assert not project.isDirty()
        project.clear()
        assert not project.isDirty()
        assert dock.sources.radius == 0.0  # follows the site_radius setting
        assert "plugin setting" in dock.sources_box.radius.text()
    finally:
        dock.shutdown()
        dock.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
