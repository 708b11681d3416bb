"""Print layouts of the study's figures (A4 landscape, title, maps, legends, scale bar, north arrow),
and their pages as PNG for the report: the report shows exactly what the layouts print."""
from typing import Dict, List, Sequence, Tuple

from qgis.core import (QgsLayoutExporter, QgsLayoutItemLabel, QgsLayoutItemLegend, QgsLayoutItemMap,
                       QgsLegendStyle, QgsTextFormat,
                       QgsLayoutItemPage, QgsLayoutItemPicture, QgsLayoutItemScaleBar, QgsLayoutPoint,
                       QgsLayoutSize, QgsPrintLayout, QgsRectangle, QgsUnitTypes)
from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice
from qgis.PyQt.QtGui import QFont

from ...compat import set_layout_font

NORTH_ARROW = ":/images/north_arrows/layout_default_north_arrow.svg"
PAGE_W, PAGE_H = 297.0, 210.0
TOP, MARGIN = 24.0, 10.0


def _label(layout, text: str, size: int, x: float, y: float, w: float, bold: bool = False) -> None:
    item = QgsLayoutItemLabel(layout)
    item.setText(text)
    set_layout_font(item, QFont("DejaVu Sans", size, QFont.Weight.Bold if bold else QFont.Weight.Normal))
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y))
    item.attemptResize(QgsLayoutSize(w, size * 0.6))


def _map(layout, layers: Sequence, extent: QgsRectangle, crs, rect: Tuple[float, float, float, float]):
    m = QgsLayoutItemMap(layout)
    m.setFrameEnabled(True)
    layout.addLayoutItem(m)
    m.attemptMove(QgsLayoutPoint(rect[0], rect[1]))
    m.attemptResize(QgsLayoutSize(rect[2], rect[3]))
    m.setCrs(crs)
    m.setLayers(list(layers))
    m.setKeepLayerSet(True)
    m.setExtent(extent)  # resizes the item to the extent's shape (zoomToExtent needs an extent first)
    m.attemptResize(QgsLayoutSize(rect[2], rect[3]))
    m.zoomToExtent(extent)
    return m


def _legend(layout, m, layers: Sequence, x: float, y: float, size: int = 9):
    """A legend of `layers` only ((layer, title) pairs), linked to the map, fonts of `size` points."""
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("")
    legend.setLinkedMap(m)
    legend.setAutoUpdateModel(False)  # the legend's own copy of the layer tree, saved with it
    root = legend.model().rootGroup()
    root.removeAllChildren()
    for layer, title in layers:
        node = root.addLayer(layer)
        node.setCustomProperty("legend/title-label", title)
    for part, pts in ((QgsLegendStyle.Style.Subgroup, size), (QgsLegendStyle.Style.SymbolLabel, size - 1)):
        set_layout_font(legend.rstyle(part), QFont("DejaVu Sans", pts, QFont.Weight.Bold if pts == size
                                                   else QFont.Weight.Normal))
    legend.setSymbolHeight(3.0)
    legend.setSymbolWidth(5.0)
    layout.addLayoutItem(legend)
    legend.attemptMove(QgsLayoutPoint(x, y))
    legend.adjustBoxSize()
    return legend


def _scalebar(layout, m, size: int = 8) -> None:
    """A scale bar inside the map's lower left corner, on a white box."""
    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(m)
    if m.extent().width() > 5000:
        bar.setUnits(QgsUnitTypes.DistanceUnit.DistanceKilometers)
        bar.setUnitLabel("km")
    else:
        bar.setUnits(QgsUnitTypes.DistanceUnit.DistanceMeters)
        bar.setUnitLabel("m")
    bar.applyDefaultSize(bar.units())
    bar.setNumberOfSegmentsLeft(0)
    bar.setNumberOfSegments(2)
    fmt = QgsTextFormat()
    fmt.setFont(QFont("DejaVu Sans", size))
    fmt.setSize(size)
    bar.setTextFormat(fmt)
    bar.setBackgroundEnabled(True)
    layout.addLayoutItem(bar)
    bar.resizeToMinimumWidth()
    r = m.sceneBoundingRect()
    bar.attemptMove(QgsLayoutPoint(r.left() + 3, r.bottom() - bar.sceneBoundingRect().height() - 3))


def _north(layout, m, x: float, y: float, small: bool = False) -> None:
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(NORTH_ARROW)
    arrow.setLinkedMap(m)
    layout.addLayoutItem(arrow)
    arrow.attemptResize(QgsLayoutSize(7, 10) if small else QgsLayoutSize(12, 16))
    arrow.attemptMove(QgsLayoutPoint(x, y))


def new_layout(project, name: str, title: str, subtitle: str = ""):
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(name)
    layout.pageCollection().page(0).setPageSize("A4", QgsLayoutItemPage.Orientation.Landscape)
    _label(layout, title, 16, MARGIN, 6, PAGE_W - 2 * MARGIN, bold=True)
    if subtitle:
        _label(layout, subtitle, 9, MARGIN, 15, PAGE_W - 2 * MARGIN)
    return layout


def single_map(project, name: str, title: str, subtitle: str, layers: Sequence, legend: Sequence,
               extent: QgsRectangle):
    """One map with its legend ((layer, title) pairs) on the right, scale bar and north arrow inside."""
    layout = new_layout(project, name, title, subtitle)
    w, h = 205.0, PAGE_H - TOP - MARGIN
    m = _map(layout, layers, extent, project.crs(), (MARGIN, TOP, w, h))
    _legend(layout, m, legend, MARGIN + w + 6, TOP)
    _scalebar(layout, m)
    r = m.sceneBoundingRect()
    _north(layout, m, r.right() - 16, r.top() + 3)
    project.layoutManager().addLayout(layout)
    return layout


def map_grid(project, name: str, title: str, subtitle: str, panels: List[Tuple[str, Sequence, Sequence]],
             extent: QgsRectangle):
    """Up to four maps ((caption, layers, legend pairs) each) in a grid, each with its legend."""
    layout = new_layout(project, name, title, subtitle)
    cols = 1 if len(panels) == 1 else 2
    rows = (len(panels) + cols - 1) // cols
    cell_w = (PAGE_W - 2 * MARGIN) / cols
    cell_h = (PAGE_H - TOP - MARGIN) / rows
    for k, (caption, layers, legend) in enumerate(panels):
        x0, y0 = MARGIN + (k % cols) * cell_w, TOP + (k // cols) * cell_h
        mw, mh = cell_w * 0.70, cell_h - 8.0
        _label(layout, caption, 9, x0, y0, cell_w - 4, bold=True)
        m = _map(layout, layers, extent, project.crs(), (x0, y0 + 5, mw, mh))
        _legend(layout, m, legend, x0 + mw + 2, y0 + 5, size=8)
        r = m.sceneBoundingRect()
        _north(layout, m, r.right() - 10, r.top() + 2, small=True)
        _scalebar(layout, m, size=7)
    project.layoutManager().addLayout(layout)
    return layout


def page_png(layout, dpi: int = 110) -> bytes:
    """The layout's first page as PNG bytes (what a PNG export of it gives)."""
    image = QgsLayoutExporter(layout).renderPageToImage(0, dpi=dpi)
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data)


def build(project, layers: Dict[str, object], titles: Dict[str, str], extent: QgsRectangle,
          texts: Dict[str, str], check) -> List:
    """The study's layouts from the project's layers (keyed as in the GeoPackage; titles: the legend's
    short names); check() between layouts."""
    out = []

    def pairs(*keys):
        return [(layers[k], titles.get(k, layers[k].name())) for k in keys if k in layers]
    context = [k for k in ("regions", "study_area", "sites") if k in layers]
    outlines = [k for k in ("regions", "study_area") if k in layers]
    maps = [("rate", "Deformation rate", "Deformation rate", context),
            ("significant", "Significant deformation", "Significant deformation", outlines),
            ("gwr", "GWR local R²", "GWR: local R²", outlines)]
    for key, name, title, around in maps:
        if key in layers:
            out.append(single_map(project, name, title, texts.get(key, ""),
                                  [layers[k] for k in reversed(around)] + [layers[key]],
                                  pairs(key, *around), extent))
            check()
    coefs = [k for k in layers if k.startswith("gwr_coef:")]
    if coefs:
        out.append(map_grid(project, "GWR coefficients", "GWR: local coefficients", texts.get("gwr", ""),
                            [(f"coefficient of {k.partition(':')[2]}", [layers[o] for o in outlines] + [layers[k]],
                              pairs(k)) for k in coefs], extent))
        check()
    changes = [k for k in layers if k.startswith("regions_change:")]
    if changes:
        out.append(map_grid(project, "Change per region", "Change per region", texts.get("change", ""),
                            [(k.partition(":")[2].replace("_", " "), [layers[k]], pairs(k)) for k in changes],
                            extent))
        check()
    return out
