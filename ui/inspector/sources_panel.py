"""The inspector's Sources form: the InSAR layer, labelled stacks, radius, smoothing, month day."""
from qgis.core import QgsMapLayerProxyModel
from qgis.gui import QgsCollapsibleGroupBox, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout, QHeaderView,
                                 QSpinBox, QToolButton, QTableWidget, QTableWidgetItem)

from ... import settings
from . import sources as src
from .stack_dialog import StackDialog


class SourcesPanel(QgsCollapsibleGroupBox):
    """Edits a Sources; `edited` is emitted on every change made by the user (not by set_sources)."""

    edited = pyqtSignal()

    def __init__(self, project, parent=None):
        super().__init__("Sources", parent)
        self.setObjectName("InsarFusionInspectorSources")
        self.project = project
        self._loading = False
        form = QFormLayout(self)
        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setFilters(QgsMapLayerProxyModel.Filter.PointLayer)
        self.layer_combo.setAllowEmptyLayer(True)
        self.layer_combo.layerChanged.connect(lambda _: self._changed())
        form.addRow("InSAR points", self.layer_combo)
        self.project.layersAdded.connect(self.refresh_layers)  # the dock's shutdown disconnects it
        self.refresh_layers()
        self.stack_table = QTableWidget(0, 2)
        self.stack_table.setHorizontalHeaderLabels(["Label", "Rasters"])
        self.stack_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.stack_table.setMaximumHeight(110)
        self.stack_table.itemChanged.connect(lambda _: self._changed())
        form.addRow("Stacks", self.stack_table)
        row = QGridLayout()  # two by two: narrow docks too
        for k, (text, kind) in enumerate((("+ Layers…", "layers"), ("+ Folder…", "folder"), ("+ Pattern…", "pattern"))):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(f"Add a stack from {'project layers' if kind == 'layers' else 'a ' + kind}.")
            b.clicked.connect(lambda _=False, kd=kind: self.add_stack_dialog(kd))
            row.addWidget(b, k // 2, k % 2)
        remove = QToolButton()
        remove.setText("Remove")
        remove.clicked.connect(self.remove_stack)
        row.addWidget(remove, 1, 1)
        form.addRow(row)
        self.radius = QDoubleSpinBox()
        self.radius.setRange(0.0, 1e6)  # 0: the plugin setting site_radius
        self.radius.setDecimals(0)
        self.radius.setSuffix(" m")
        self.radius.valueChanged.connect(lambda _: self._changed())
        self.smoothing = QSpinBox()
        self.smoothing.setRange(1, 25)
        self.smoothing.setSuffix(" months")
        self.smoothing.setValue(3)
        self.smoothing.valueChanged.connect(lambda _: self._changed())
        form.addRow("Radius", self.radius)
        form.addRow("Smoothing", self.smoothing)
        self.month_day = QComboBox()
        self.month_day.addItem("the 1st of the month", 1)
        self.month_day.addItem("the middle of the month (monthly means)", 16)
        self.month_day.setToolTip("The day a month-only file name (ndvi_201907.tif) stands for. "
                                  "Monthly mean products belong to the middle of their month.")
        self.month_day.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.month_day.setMinimumContentsLength(14)
        self.layer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setMinimumContentsLength(14)
        self.month_day.currentIndexChanged.connect(lambda _: self._changed())
        form.addRow("YYYYMM files are", self.month_day)
        self.setMaximumHeight(340)  # expanded, it never pushes the charts off a small screen

    def refresh_layers(self, *_args) -> None:
        """Offer only point layers that have date fields (one per acquisition)."""
        from ...core.dates import date_fields
        from qgis.core import QgsVectorLayer

        dateless = [layer for layer in self.project.mapLayers().values()
                    if isinstance(layer, QgsVectorLayer) and not date_fields([f.name() for f in layer.fields()])]
        self.layer_combo.setExceptedLayerList(dateless)

    def _changed(self) -> None:
        if not self._loading:
            self.edited.emit()

    def set_sources(self, sources: src.Sources) -> None:
        """Show `sources` in the widgets (without emitting `edited`)."""
        self._loading = True
        try:
            layer = self.project.mapLayer(sources.insar_layer_id) if sources.insar_layer_id else None
            self.layer_combo.setLayer(layer)
            self.stack_table.setRowCount(0)
            for s in sources.stacks:
                self._append_row(s)
            self.radius.setSpecialValueText(f"plugin setting ({settings.value('site_radius'):g} m)")
            self.radius.setValue(sources.radius)
            self.smoothing.setValue(sources.smoothing)
            self.month_day.setCurrentIndex(1 if sources.month_day == 16 else 0)
        finally:
            self._loading = False

    def sources(self) -> src.Sources:
        """The Sources the widgets show."""
        stacks = []
        for r in range(self.stack_table.rowCount()):
            item = self.stack_table.item(r, 0)
            kind, value = item.data(Qt.ItemDataRole.UserRole)
            stacks.append(src.StackSource(item.text().strip() or f"stack {r + 1}", kind, value))
        layer = self.layer_combo.currentLayer()
        return src.Sources(layer.id() if layer else "", stacks, self.radius.value(),
                           self.smoothing.value(), int(self.month_day.currentData()))

    def _append_row(self, stack: src.StackSource) -> None:
        self.stack_table.blockSignals(True)
        r = self.stack_table.rowCount()
        self.stack_table.insertRow(r)
        label = QTableWidgetItem(stack.label)
        label.setData(Qt.ItemDataRole.UserRole, (stack.kind, stack.value))
        self.stack_table.setItem(r, 0, label)
        where = QTableWidgetItem(stack.describe())
        where.setFlags(where.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.stack_table.setItem(r, 1, where)
        self.stack_table.blockSignals(False)

    def add_stack(self, stack: src.StackSource) -> None:
        self._append_row(stack)
        self._changed()

    def add_stack_dialog(self, kind: str) -> None:
        dialog = StackDialog(self.project, self, kind)
        if dialog.exec() and dialog.source() is not None:
            self.add_stack(dialog.source())

    def remove_stack(self) -> None:
        rows = sorted({i.row() for i in self.stack_table.selectedItems()}, reverse=True)
        for r in rows or [self.stack_table.rowCount() - 1]:
            if r >= 0:
                self.stack_table.removeRow(r)
        self._changed()
