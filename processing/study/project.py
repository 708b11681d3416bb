"""The study's QGIS project: every layer styled, in groups, the time-series inspector set on the rate
layer with the stacks, and the print layouts."""
import os
from typing import Dict

from qgis.core import (QgsCoordinateReferenceSystem, QgsProject, QgsRasterLayer, QgsRectangle,
                       QgsReferencedRectangle, QgsVectorLayer)

from ...core.errors import InputError
from ...core.study.inputs import one_folder
from . import layouts
from .plan import Plan
from .styles import hillshade, style

GROUPS = ("Sites and regions", "Deformation", "Regression", "Drivers", "Coherence", "InSAR tracks", "Inputs",
          "Tables")
COLLAPSED = {"InSAR tracks", "Tables", "Drivers", "Coherence", "Inputs"}


class Built:
    """The written project: its path, layer count, layouts (name, PNG of the page) and problems."""

    def __init__(self):
        self.path, self.n_layers, self.layouts, self.invalid = "", 0, [], []


def _add(project, groups, layer, group, visible, built):
    if not layer.isValid():
        built.invalid.append(f"{layer.name()} ({layer.source()})")
        return None
    project.addMapLayer(layer, False)
    node = groups[group].addLayer(layer)
    node.setItemVisibilityChecked(visible)
    node.setExpanded(False)
    return layer


def _vectors(project, groups, plan: Plan, gpkg: str, built, progress) -> Dict[str, object]:
    """The published layers, styled by the default style saved with each in the GeoPackage; the GWR
    layer again per coefficient and the change per region per change (styled here)."""
    from .styles import values

    layers = {}
    for k, p in enumerate(plan.published):
        progress(k / max(len(plan.published), 1))
        uri = f"{gpkg}|layername={p.name}"
        copies = [(p.name, p.title, "", p.visible)]
        if p.name == "gwr":
            copies += [(f"gwr_coef:{x}", f"GWR coefficient of {x}", f"coef:coef_{x}", False) for x in plan.explanatory]
        if p.name == "regions_change":
            copies = [(f"regions_change:{label}", f"Regions: mean {label.replace('_', ' ')}", f"change:{label}", False)
                      for label in sorted(plan.change)]
        for key, title, key_style, visible in copies:
            layer = QgsVectorLayer(uri, title, "ogr")
            if key_style and layer.isValid():
                style(key_style, values(gpkg, p.name, key_style))(layer)
            if _add(project, groups, layer, p.group, visible, built) is not None:
                layers[key] = layer
    return layers


def _inspector(project, plan: Plan, rate) -> None:
    """The inspector's sources, saved in the project: the rate layer and the stacks."""
    from ...ui.inspector import sources as src

    stacks = []
    for label in ("ndvi", "soil_moisture", "precipitation"):
        paths = plan.stack(label)
        if not paths:
            continue
        folder = one_folder(paths)
        if folder:
            stacks.append(src.StackSource(label, "folder", folder))
        else:
            stacks.append(src.StackSource(label, "layers", [plan.numbers["stack_layer_ids"][p] for p in paths]))
    src.save(project, src.Sources(rate.id(), stacks, float(plan.numbers["radius"]), 3,
                                  int(plan.numbers["month_day"])))


def _stack_layers(project, groups, plan: Plan, built) -> None:
    """Stacks that are not one whole folder are added as (hidden) layers: the inspector reads layers."""
    ids = {}
    for label in ("ndvi", "soil_moisture", "precipitation"):
        paths = plan.stack(label)
        if paths and not one_folder(paths):
            for p in paths:
                layer = QgsRasterLayer(p, f"{label}: {os.path.basename(p)}", "gdal")
                if _add(project, groups, layer, "Inputs", False, built) is not None:
                    ids[p] = layer.id()
    plan.numbers["stack_layer_ids"] = ids


def _transforms(project) -> None:
    """Choose the datum transformation for every layer CRS that differs from the project's (QGIS's
    best available one), and keep it in the project: opening it then asks the user nothing."""
    from qgis.core import QgsDatumTransform

    context = project.transformContext()
    done = set()
    for layer in project.mapLayers().values():
        src, dst = layer.crs(), project.crs()
        if not src.isValid() or src == dst or src.authid() in done:
            continue
        done.add(src.authid())
        operations = [op for op in QgsDatumTransform.operations(src, dst) if op.isAvailable]
        if len(operations) > 1:
            context.addCoordinateOperation(src, dst, operations[0].proj)
    project.setTransformContext(context)


def _extent(layers: Dict[str, object]) -> QgsRectangle:
    extent = QgsRectangle()
    for key in ("rate", "regions", "study_area"):
        if key in layers:
            if extent.isEmpty():
                extent = QgsRectangle(layers[key].extent())
            else:
                extent.combineExtentWith(layers[key].extent())
    if not extent.isEmpty():
        extent.scale(1.04)
    return extent


def legend_titles(plan: Plan, layers) -> Dict[str, str]:
    """Short layer titles for the layouts' legends."""
    out = {"rate": "Rate (mm/yr)", "significant": f"|rate| ≥ {plan.numbers['threshold']:g} mm/yr",
           "gwr": "Local R²", "regions": "Regions", "study_area": "Study area", "sites": "Sites"}
    for key in layers:
        if key.startswith("gwr_coef:"):
            out[key] = "mm/yr per unit"
        if key.startswith("regions_change:"):
            out[key] = "mean per region"
    return out


def build(plan: Plan, folder: str, gpkg: str, name: str, texts: Dict[str, str], progress) -> Built:
    """Write the project beside the delivered gpkg and rasters, under a temporary name in `folder`
    (built.path; the caller moves it to `name`); progress: a core Progress (reported often: cancel)."""
    built = Built()
    project = QgsProject()
    project.setTitle("InSAR Fusion study")
    crs = QgsCoordinateReferenceSystem(plan.crs_authid) if plan.crs_authid.upper().startswith("EPSG:") \
        else QgsCoordinateReferenceSystem.fromWkt(plan.crs_wkt)
    project.setCrs(crs)
    tmp = os.path.join(folder, ".insarfusion-" + name)
    project.setFileName(tmp)  # first: the inspector's folders are stored relative to it
    root = project.layerTreeRoot()
    groups = {g: root.addGroup(g) for g in GROUPS}
    layers = _vectors(project, groups, plan, gpkg, built, progress.sub(0.0, 0.3))
    for k, r in enumerate(plan.rasters):
        progress(0.3 + 0.1 * k / len(plan.rasters))
        _add(project, groups, QgsRasterLayer(r.source, r.title, "gdal"), r.group, r.visible, built)
    if plan.dem is not None and plan.numbers.get("dem_path"):
        dem = QgsRasterLayer(plan.numbers["dem_path"], "DEM (hillshade)", "gdal")
        if dem.isValid():
            hillshade(dem)
        _add(project, groups, dem, "Inputs", True, built)
    _stack_layers(project, groups, plan, built)
    for g in GROUPS:
        groups[g].setExpanded(g not in COLLAPSED)
        if not groups[g].children():
            root.removeChildNode(groups[g])
    if built.invalid:
        raise InputError("The study's project could not load: " + "; ".join(built.invalid))
    _transforms(project)
    if "rate" in layers:
        _inspector(project, plan, layers["rate"])
    extent = _extent(layers)
    project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(extent, crs))
    progress(0.45)
    made = layouts.build(project, layers, legend_titles(plan, layers), extent, texts, lambda: progress(0.5))
    for k, layout in enumerate(made):
        progress(0.5 + 0.45 * k / max(len(made), 1))  # around a layout page
        built.layouts.append((layout.name(), layouts.page_png(layout)))  # one QGIS call: not interruptible
        progress(0.5 + 0.45 * (k + 1) / max(len(made), 1))  # around a layout page
    progress(0.97)  # around a QGIS call
    if not project.write(tmp):
        raise OSError(f"could not write the project {tmp}: {project.error()}")
    progress(0.99)  # around a QGIS call
    built.path, built.n_layers = tmp, len(project.mapLayers())
    project.clear()
    return built
