"""The inspector's saved selections: named sets of sites with their reference, kept in the
project, shown again with one click, exported together as one long-format CSV or as figures."""
import os

from qgis.PyQt.QtWidgets import (QFileDialog, QGridLayout, QInputDialog, QListWidget, QToolButton,
                                 QVBoxLayout, QWidget)
from qgis.PyQt.QtWidgets import QAbstractItemView

from ...core.errors import InputError
from ...core.report import figure_png, literal_text
from ...core.timeseries import charts, panel, tables
from . import saved
from .tasks import read_site


class SelectionsTab(QWidget):
    def __init__(self, dock):
        super().__init__()
        self.dock = dock
        self.selections = []
        lay = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setObjectName("InsarFusionSelections")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemDoubleClicked.connect(lambda _: self.show_selected())
        lay.addWidget(self.list, 1)
        row = QGridLayout()  # two rows of three: narrow docks too
        for k, (text, slot) in enumerate((("Save…", self.save_dialog), ("Show", self.show_selected),
                           ("Remove", self.remove_selected), ("CSV…", lambda: self.export_dialog("csv")),
                           ("PNG…", lambda: self.export_dialog("png")), ("SVG…", lambda: self.export_dialog("svg")))):
            b = QToolButton()
            b.setText(text)
            b.clicked.connect(lambda _=False, s=slot: s())
            row.addWidget(b, k // 3, k % 3)
        lay.addLayout(row)

    def set_selections(self, selections) -> None:
        self.selections = list(selections)
        self.list.clear()
        for s in self.selections:
            ref = ", with a reference" if s.reference else ""
            self.list.addItem(f"{s.name} ({len(s.shapes)} site(s){ref})")

    def _store(self) -> None:
        saved.save_selections(self.dock.project, self.selections)
        self.set_selections(self.selections)

    def save_current(self, name: str) -> saved.Selection:
        """Keep the shown sites and the reference as a named selection (replacing one of that name)."""
        if not self.dock.shapes:
            raise InputError("Nothing to save: pick points or a polygon first.")
        sel = saved.Selection(name.strip() or f"selection {len(self.selections) + 1}", list(self.dock.shapes),
                              self.dock.reference)
        self.selections = [s for s in self.selections if s.name != sel.name] + [sel]
        self._store()
        return sel

    def save_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Save selection", "Name:", text=f"selection {len(self.selections) + 1}")
        if ok:
            try:
                self.save_current(name)
            except InputError as e:
                self.dock._say(str(e))

    def _chosen(self, all_if_none=True):
        rows = sorted({i.row() for i in self.list.selectedIndexes()})
        if not rows and all_if_none:
            rows = list(range(len(self.selections)))
        return [self.selections[r] for r in rows]

    def remove_selected(self) -> None:
        gone = {s.name for s in self._chosen(all_if_none=False)}
        self.selections = [s for s in self.selections if s.name not in gone]
        self._store()

    def analyses_of(self, sel):
        """Read a selection's sites now (relative to its own reference)."""
        dock = self.dock
        if dock.store is None:
            raise InputError("The InSAR layer is not indexed yet; pick a point first.")
        readers = dock._ensure_readers(dock.store.crs_wkt)
        return [read_site(dock.store, readers, shape, dock._radius(), dock.sources.smoothing,
                          dock.sources.month_day, sel.reference) for shape in sel.shapes]

    def show_selected(self) -> None:
        chosen = self._chosen(all_if_none=False)[:1]
        if not chosen:
            return
        sel = chosen[0]
        try:
            analyses = self.analyses_of(sel)
        except InputError as e:
            self.dock._say(str(e))
            return
        self.dock.reference = sel.reference
        saved.save_reference(self.dock.project, sel.reference)
        self.dock._show_reference()
        self.dock.analyses, self.dock.shapes = analyses, list(sel.shapes)
        self.dock.redraw()
        self.dock._say(f"Selection '{sel.name}': {len(analyses)} site(s).")

    def export(self, kind: str, path: str, selections=None) -> str:
        """Export selections (all by default): CSV as one long table; PNG/SVG one figure each
        (the file name gets the selection's name when there are several)."""
        selections = list(selections if selections is not None else self.selections)
        if not selections:
            raise InputError("No saved selection to export.")
        model = self.dock.options().model
        done = [(s.name, a, panel.site_fits(a, model)) for s in selections for a in [self.analyses_of(s)]]
        if kind == "csv":
            return tables.selections_csv(path, done)
        stem, ext = os.path.splitext(path)
        out = []
        for name, analyses, _ in done:
            target = path if len(done) == 1 else f"{stem}_{_safe(name)}{ext}"
            fig = charts.inspector_figure(analyses, options=self.dock.options(),
                                          reference=analyses[0].data.reference)
            if kind == "png":
                with open(target, "wb") as f:
                    f.write(figure_png(fig, dpi=110))
            else:
                literal_text(fig).savefig(target, format="svg")
            out.append(target)
        return out[0]

    def export_dialog(self, kind: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, f"Export selections as {kind.upper()}",
                                              os.path.expanduser(f"~/selections.{kind}"), f"{kind.upper()} (*.{kind})")
        if not path:
            return
        try:
            self.dock._say(f"Saved {self.export(kind, path, self._chosen())}")
        except (InputError, OSError) as e:
            self.dock._say(str(e))


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
