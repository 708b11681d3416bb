"""The plugin's settings dialog: the thresholds that algorithms use as defaults."""
from qgis.PyQt.QtWidgets import (QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel,
                                 QLineEdit, QVBoxLayout)

from .. import settings
from ..core.defaults import DEFAULTS
from ..core.errors import InputError
from ..core.scale.cluster import parse as parse_scheduler

_RANGES = {"significant_rate": (0.0, 1000.0, 1), "gwr_bandwidth": (1.0, 1e7, 0),
           "site_radius": (1.0, 1e6, 0), "ndvi_limit": (-1.0, 1.0, 2), "radar_wavelength": (1.0, 2000.0, 3)}


class SettingsDialog(QDialog):
    """Edit the thresholds held in QgsSettings; OK saves them, Restore defaults resets the fields."""

    def __init__(self, parent=None, on_saved=None):
        super().__init__(parent)
        self.setWindowTitle("InSAR Fusion settings")
        self.setObjectName("InsarFusionSettingsDialog")
        self._on_saved = on_saved
        layout = QVBoxLayout(self)
        intro = QLabel("Defaults for the InSAR Fusion algorithms. Each algorithm still lets you "
                       "change the value for a single run.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.spins = {}
        for key, (label, unit, help_text) in settings.LABELS.items():
            lo, hi, decimals = _RANGES[key]
            spin = QDoubleSpinBox()
            spin.setObjectName(key)
            spin.setRange(lo, hi)
            spin.setDecimals(decimals)
            spin.setSuffix(f" {unit}" if unit else "")
            spin.setValue(settings.value(key))
            spin.setToolTip(help_text)
            form.addRow(label, spin)
            self.spins[key] = spin
        self.texts = {}
        for key, (label, help_text) in settings.TEXT_LABELS.items():
            edit = QLineEdit(settings.text_value(key))
            edit.setObjectName(key)
            edit.setPlaceholderText("empty: in this process; local:2; tcp://host:8786")
            edit.setToolTip(help_text)
            form.addRow(label, edit)
            self.texts[key] = edit
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("InsarFusionSettingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel |
                                   QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        layout.addWidget(buttons)

    def restore_defaults(self) -> None:
        for key, spin in self.spins.items():
            spin.setValue(DEFAULTS[key])
        for key, edit in self.texts.items():
            edit.setText(settings.TEXT_DEFAULTS[key])

    def accept(self) -> None:
        try:
            parse_scheduler(self.texts["dask_scheduler"].text())
        except InputError as e:  # keep the dialog open and say why
            self.error.setText(str(e))
            return
        for key, spin in self.spins.items():
            settings.set_value(key, spin.value())
        for key, edit in self.texts.items():
            settings.set_text(key, edit.text())
        if self._on_saved:
            self._on_saved()
        super().accept()
