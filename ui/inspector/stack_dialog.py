"""A dialog that defines one stack: a label and project layers, a folder or a file pattern."""
import os

from qgis.core import QgsMapLayerType
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QLineEdit,
                                 QListWidget, QListWidgetItem, QRadioButton, QVBoxLayout)

from .sources import StackSource

PRESETS = ("NDVI", "Soil moisture", "Precipitation")


class StackDialog(QDialog):
    """Pick a stack's label and its rasters; `source()` returns the StackSource."""

    def __init__(self, project, parent=None, kind="folder"):
        super().__init__(parent)
        self.setWindowTitle("Add a raster stack")
        self.setObjectName("InsarFusionStackDialog")
        self.project = project
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.label = QLineEdit()
        self.label.setPlaceholderText("e.g. NDVI, Soil moisture, Precipitation")
        form.addRow("Label", self.label)
        self.kinds = QButtonGroup(self)
        self.radios = {}
        for k, text in (("layers", "Project layers"), ("folder", "A folder of dated rasters"),
                        ("pattern", "A file pattern")):
            radio = QRadioButton(text)
            self.kinds.addButton(radio)
            self.radios[k] = radio
            form.addRow(radio)
            if k == "layers":
                self.layers = QListWidget()
                self.layers.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
                for layer in project.mapLayers().values():
                    if layer.type() == QgsMapLayerType.RasterLayer:
                        item = QListWidgetItem(layer.name())
                        item.setData(Qt.ItemDataRole.UserRole, layer.id())
                        self.layers.addItem(item)
                form.addRow(self.layers)
            elif k == "folder":
                self.folder = QgsFileWidget()
                self.folder.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
                self.folder.fileChanged.connect(self._guess_label)
                form.addRow(self.folder)
            else:
                self.pattern = QLineEdit()
                self.pattern.setPlaceholderText("/data/ndvi/ndvi_*.tif")
                form.addRow(self.pattern)
        self.radios[kind].setChecked(True)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _guess_label(self, path):
        if self.label.text() or not path:
            return
        name = os.path.basename(os.path.normpath(path)).lower()
        for preset in PRESETS:
            if preset.split()[0].lower()[:4] in name or (preset == "Soil moisture" and name.startswith("sm")):
                self.label.setText(preset)
                return
        self.label.setText(os.path.basename(os.path.normpath(path)))

    def source(self):
        """The StackSource described by the dialog, or None when it is incomplete."""
        label = self.label.text().strip()
        if not label:
            return None
        if self.radios["layers"].isChecked():
            ids = [i.data(Qt.ItemDataRole.UserRole) for i in self.layers.selectedItems()]
            return StackSource(label, "layers", ids) if ids else None
        if self.radios["folder"].isChecked():
            folder = self.folder.filePath()
            return StackSource(label, "folder", folder) if folder else None
        pattern = self.pattern.text().strip()
        return StackSource(label, "pattern", pattern) if pattern else None
