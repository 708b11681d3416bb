"""The inspector dock's widgets: sources, tool buttons, options, status, chart tabs, in a
scroll area so that the dock never asks for more height than the screen has."""
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QMenu, QProgressBar,
                                 QScrollArea, QToolButton, QVBoxLayout, QWidget)

from ...core.timeseries import fits
from .selections_tab import SelectionsTab
from .sources_panel import SourcesPanel
from .views import ChartsView


def build(self) -> None:
    """Build the dock's widgets on `self` (an InspectorDock)."""
    body = QWidget()
    lay = QVBoxLayout(body)
    self.sources_box = SourcesPanel(self.project)
    self.sources_box.edited.connect(self._sources_edited)
    lay.addWidget(self.sources_box)
    tools = QHBoxLayout()
    self.pick_button = QToolButton()
    self.pick_button.setText("Pick")
    self.pick_button.setCheckable(True)
    self.pick_button.setToolTip("Click a point; Shift-click adds points to compare; Esc clears.")
    self.pick_button.clicked.connect(lambda on: self.activate_pick() if on else
                                     self.canvas.unsetMapTool(self.pick_tool))
    self.pick_tool.deactivated.connect(lambda: self.pick_button.setChecked(False))
    tools.addWidget(self.pick_button)
    _button(tools, "Polygon", lambda: self.draw_polygon("site"),
                 "Draw a polygon: the mean ± std of the series of its points (right-click ends it).")
    ref = QToolButton()
    ref.setText("Reference")
    ref.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(ref)
    menu.addAction("Reference point (click it)", lambda: self.activate_pick("reference"))
    menu.addAction("Reference polygon (draw it)", lambda: self.draw_polygon("reference"))
    menu.addAction("Reset the reference", lambda: self.set_reference(None))
    self.map_action = menu.addAction("Map the rates relative to it")
    self.map_action.setCheckable(True)
    self.map_action.toggled.connect(self._map_toggled)
    ref.setMenu(menu)
    ref.setToolTip("Show the series relative to a reference point or polygon.")
    tools.addWidget(ref)
    _button(tools, "Clear", self.clear, "Forget the inspected points.")
    export = QToolButton()
    export.setText("Export")
    export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    emenu = QMenu(export)
    for kind in ("png", "svg", "csv"):
        emenu.addAction(kind.upper(), lambda k=kind: self.export(k))
    export.setMenu(emenu)
    tools.addWidget(export)
    tools.addStretch(1)
    lay.addLayout(tools)
    options = QHBoxLayout()
    self.model_combo = QComboBox()
    self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    self.model_combo.setMinimumContentsLength(7)
    self.model_combo.addItem("No fit", "")
    for key, label in fits.LABELS.items():
        self.model_combo.addItem(label, key)
    self.model_combo.setToolTip("Fit a model to the shown deformation: parameters ± standard "
                                "errors, R², RMSE and residuals under Lags & fits.")
    self.model_combo.currentIndexChanged.connect(lambda _: self.redraw())
    options.addWidget(self.model_combo)
    self.replicas = QCheckBox("± λ/2")
    self.replicas.setToolTip("Phase-ambiguity replicas: the mean shifted by ± half the radar "
                             "wavelength (Settings: radar wavelength).")
    self.replicas.toggled.connect(lambda _: self.redraw())
    options.addWidget(self.replicas)
    self.uncertainty = QCheckBox("± σ")
    self.uncertainty.setChecked(True)
    self.uncertainty.setToolTip("Uncertainty: the points' ±1 std band, and the picked point's rmse "
                                "(rmse_ts) as error bars.")
    self.uncertainty.toggled.connect(lambda _: self.redraw())
    options.addWidget(self.uncertainty)
    _button(options, "GNSS…", self.load_gnss_dialog,
                 "Overlay a GNSS station (CSV: date, east, north, up) projected onto the LOS.")
    options.addStretch(1)
    self.progress = QProgressBar()
    self.progress.setRange(0, 100)
    self.progress.setMaximumWidth(100)
    self.progress.setVisible(False)
    options.addWidget(self.progress)
    lay.addLayout(options)
    self.status = QLabel("Choose the InSAR points, add stacks, then pick a point on the map.")
    self.status.setObjectName("InsarFusionInspectorStatus")
    self.status.setWordWrap(True)
    lay.addWidget(self.status)
    self.view = ChartsView()
    self.selections_tab = SelectionsTab(self)
    self.view.addTab(self.selections_tab, "Selections")
    lay.addWidget(self.view, 1)
    # the dock's minimum height stays small whatever it holds: it scrolls instead of pushing
    # the QGIS window taller than the screen
    scroll = QScrollArea()
    scroll.setObjectName("InsarFusionInspectorScroll")
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows fit any dock width
    scroll.setWidget(body)
    scroll.setMinimumHeight(200)
    self.setWidget(scroll)


def _button(layout, text, slot, tip=""):
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip)
    b.clicked.connect(lambda _=False: slot())
    layout.addWidget(b)
    return b
