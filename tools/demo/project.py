"""The demo's QGIS project (written headless): every output styled, in groups, inspector configured."""
import os

from qgis.core import (QgsCategorizedSymbolRenderer, QgsCoordinateReferenceSystem, QgsFillSymbol,
                       QgsHillshadeRenderer, QgsMarkerSymbol, QgsPalLayerSettings, QgsProject,
                       QgsRasterLayer, QgsRectangle, QgsReferencedRectangle, QgsRendererCategory,
                       QgsTextFormat, QgsVectorLayer, QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtGui import QFont

from .charts import ZONE_COLOURS

PROJECT_NAME = "insar_fusion_demo.qgz"
GROUPS = ("Sites and regions", "InSAR deformation", "Regression", "Coherence", "Optical", "InSAR tracks",
          "Scene", "Tables")
COLLAPSED = {"InSAR tracks", "Tables", "Optical", "Coherence"}


def vector_style(key: str):
    """The style function for a style key of context.Published (the plugin's own styles)."""
    from insar_fusion.processing.styles import graduated, rate_style

    if key == "rate":
        return rate_style("velocity")
    if key == "seasonal":
        return graduated("seasonal_amplitude", ramp="Viridis", classes=7)
    if key == "residual":
        return graduated("residual", ramp="RdBu", classes=7, diverging=True)
    if key == "local_r2":
        return graduated("local_r2", ramp="Viridis", classes=5, limits=(0.0, 1.0))
    if key.startswith("coef:"):
        return graduated(key[5:], ramp="RdBu", classes=9, diverging=True)
    if key == "samples":
        return graduated("coherence_mean", ramp="Viridis", limits=(0.0, 1.0))
    if key == "reliability":
        from insar_fusion.processing.coherence.common import reliability_style
        return reliability_style("velocity")
    if key in ("regions", "footprints"):
        return _outlines
    if key == "sites":
        return _sites
    raise KeyError(f"no style '{key}'")


def _outlines(layer):
    """Regions and footprints: coloured outlines, no fill, labelled by name."""
    cats = []
    names = sorted({f["name"] for f in layer.getFeatures()})
    for i, name in enumerate(names):
        colour = ZONE_COLOURS.get(name, ["#333333", "#2b83ba", "#d7191c", "#fdae61", "#7b3294"][i % 5])
        sym = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": colour,
                                          "outline_width": "0.6", "outline_style":
                                          "solid" if name.startswith("P") else "dash"})
        cats.append(QgsRendererCategory(name, sym, name))
    layer.setRenderer(QgsCategorizedSymbolRenderer("name", cats))
    _label(layer, "name")


def _sites(layer):
    """Time-series sites: a star in the colour of their region (the region's outline is labelled)."""
    cats = []
    for name in sorted({f["name"] for f in layer.getFeatures()}):
        sym = QgsMarkerSymbol.createSimple({"name": "star", "color": ZONE_COLOURS.get(name, "#000000"),
                                            "size": "5", "outline_color": "black"})
        cats.append(QgsRendererCategory(name, sym, name))
    layer.setRenderer(QgsCategorizedSymbolRenderer("name", cats))


def _label(layer, field):
    settings = QgsPalLayerSettings()
    settings.fieldName = field
    fmt = QgsTextFormat()
    fmt.setFont(QFont("DejaVu Sans", 10, QFont.Weight.Bold))
    fmt.setSize(10)
    buffer = fmt.buffer()
    buffer.setEnabled(True)
    buffer.setSize(1.0)
    settings.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def _dem_style(layer):
    renderer = QgsHillshadeRenderer(layer.dataProvider(), 1, 315.0, 45.0)
    renderer.setZFactor(2.0)
    renderer.setOpacity(0.6)
    layer.setRenderer(renderer)


def build_project(ctx) -> dict:
    """Write OUT/insar_fusion_demo.qgz; return {'layers': n, 'path': ...}."""
    project = QgsProject.instance()
    project.clear()
    project.setTitle("InSAR Fusion demo: Heihe-like sample scene")
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:32647"))
    root = project.layerTreeRoot()
    groups = {g: root.addGroup(g) for g in GROUPS}
    problems = []
    styled_in_gpkg = []

    def add(layer, group, visible):
        if not layer.isValid():
            problems.append(f"{layer.name()}: not valid ({layer.source()})")
            return None
        project.addMapLayer(layer, False)
        node = groups[group].addLayer(layer)
        node.setItemVisibilityChecked(visible)
        node.setExpanded(False)
        return layer

    for p in ctx.published:
        uri = f"{ctx.gpkg}|layername={p.name}"
        copies = [(p.title, p.style, p.visible)]
        if p.name in ("gwr", "gwr_farmland"):  # the coefficients too: the layer styled by each one
            from .steps import EXPLANATORY
            which = "significant points" if p.name == "gwr" else "farmland points"
            copies += [(f"GWR coefficient of {x} ({which})", f"coef:coef_{x}", False) for x in EXPLANATORY]
        for title, style, visible in copies:
            layer = QgsVectorLayer(uri, title, "ogr")
            if style and layer.isValid():
                vector_style(style)(layer)
                if style == p.style:
                    layer.saveStyleToDatabase("default", f"InSAR Fusion demo: {title}", True, "")
                    styled_in_gpkg.append(p.name)
            add(layer, p.group, visible)
    for r in ctx.raster_outputs:
        layer = QgsRasterLayer(r.path, r.title, "gdal")  # the algorithm's .qml sidecar styles it
        add(layer, r.group, r.visible)
    dem = QgsRasterLayer(ctx.scene_path("dem.tif"), "DEM hillshade", "gdal")
    if dem.isValid():
        _dem_style(dem)
    add(dem, "Scene", True)
    add(QgsRasterLayer(ctx.scene_path("landcover.tif"), "Land cover", "gdal"), "Scene", False)
    for name in GROUPS:
        groups[name].setExpanded(name not in COLLAPSED)
        if not groups[name].children():
            root.removeChildNode(groups[name])
    path = os.path.join(ctx.out, PROJECT_NAME)
    project.setFileName(path)  # first, so the inspector's folders are stored relative to it
    inspector = _configure_inspector(project, ctx)
    x0, y0, x1, y1 = ctx.truth["extent"]
    extent = QgsReferencedRectangle(QgsRectangle(x0, y0, x1, y1), project.crs())
    project.viewSettings().setDefaultViewExtent(extent)
    if not project.write(path):
        raise RuntimeError(f"could not write {path}: {project.error()}")
    n = len(project.mapLayers())
    project.clear()
    if problems:
        raise RuntimeError("invalid layers: " + "; ".join(problems))
    if inspector:
        raise RuntimeError(inspector)
    return {"layers": n, "path": path}


def _configure_inspector(project, ctx) -> str:
    """Point the inspector at the spliced InSAR layer and the three stacks; '' or the problem."""
    layer = next((lyr for lyr in project.mapLayers().values() if lyr.source().endswith("layername=vertical_rate")),
                 None)
    if layer is None:
        return "inspector not configured: the spliced InSAR layer is missing"
    from insar_fusion.ui.inspector import sources as src

    src.save(project, src.Sources(layer.id(), [
        src.StackSource("ndvi", "folder", ctx.scene_path("ndvi")),
        src.StackSource("soil_moisture", "folder", ctx.scene_path("soil_moisture")),
        src.StackSource("precipitation", "folder", ctx.scene_path("precipitation"))], 2000.0, 3,
        month_day=1))  # the scene's monthly rasters hold the value on the 1st (docs/scene.md)
    return ""
