"""Save a drawn study area as a polygon layer in a GeoPackage that travels with the project."""
import os

from qgis.core import (QgsApplication, QgsFeature, QgsField, QgsGeometry, QgsVectorFileWriter,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QVariant

from ..core.vector_io import layer_names

FILE_NAME = "insarfusion_study_areas.gpkg"


def study_area_file(project) -> str:
    """The GeoPackage for study areas: in the project's folder, else in the QGIS profile folder."""
    home = project.homePath()
    if home and os.path.isdir(home) and os.access(home, os.W_OK):
        return os.path.join(home, FILE_NAME)
    folder = os.path.join(QgsApplication.qgisSettingsDirPath(), "insar_fusion")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, FILE_NAME)


def save_study_area(project, vertices, crs, name: str = "") -> QgsVectorLayer:
    """Write the polygon as a new layer of the study-area GeoPackage and add it to the project."""
    path = study_area_file(project)
    taken = set(layer_names(path)) if os.path.exists(path) else set()
    if not name:
        k = 1
        while f"study_area_{k}" in taken:
            k += 1
        name = f"study_area_{k}"
    memory = QgsVectorLayer(f"Polygon?crs={crs.authid() or crs.toWkt()}", name, "memory")
    memory.dataProvider().addAttributes([QgsField("name", QVariant.Type.String)])
    memory.updateFields()
    feat = QgsFeature(memory.fields())
    ring = list(vertices) + [vertices[0]]
    feat.setGeometry(QgsGeometry.fromPolygonXY([ring]))
    feat.setAttribute("name", name)
    memory.dataProvider().addFeatures([feat])
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    options.actionOnExistingFile = (QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer if os.path.exists(path)
                                    else QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteFile)
    error = QgsVectorFileWriter.writeAsVectorFormatV3(memory, path, project.transformContext(), options)
    if error[0] != QgsVectorFileWriter.WriterError.NoError:
        raise RuntimeError(f"Could not save the study area to {path}: {error[1]}")
    layer = QgsVectorLayer(f"{path}|layername={name}", name.replace("_", " ").capitalize(), "ogr")
    if not layer.isValid():
        raise RuntimeError(f"The study area saved in {path} could not be loaded.")
    symbol = layer.renderer().symbol()
    symbol.setOpacity(0.35)
    project.addMapLayer(layer)
    return layer
