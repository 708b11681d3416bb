"""insarfusion:samplescene through processing.run, and the scene's files as QGIS layers."""
import json
import os

import pytest
from qgis.core import (QgsCoordinateReferenceSystem, QgsProcessingContext, QgsProcessingException,
                       QgsProject, QgsRasterLayer, QgsVectorLayer)

import iftest
from insar_fusion.processing.scene.alg_samplescene import csv_uri


def test_algorithm_writes_the_same_scene_as_the_core_generator(run_alg, scene, tmp_path):
    out = tmp_path / "scene"
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    res, fb = run_alg("samplescene", {"OUTPUT_FOLDER": str(out), "SIZE": 0, "SEED": 42}, context=context)
    assert res["OUTPUT_FOLDER"] == str(out)
    assert res["TRUTH"] == str(out / "truth.json")
    assert (out / "truth.json").read_bytes() == (scene / "truth.json").read_bytes()
    truth = json.loads((out / "truth.json").read_text())
    assert res["N_POINTS_T128"] == truth["tracks"]["T128"]["n_points"]
    assert res["N_POINTS_T026"] == truth["tracks"]["T026"]["n_points"]
    assert "T128" in fb.text() and "points" in fb.text()
    queued = context.layersToLoadOnCompletion()
    names = sorted(d.name for d in queued.values())
    assert names == ["NDVI July 2020", "T026 (LOS, mm/yr)", "T128 (LOS, mm/yr)", "land cover", "regions P1-P6"]


def test_algorithm_without_loading_queues_no_layer_and_honours_the_seed(run_alg, scene, tmp_path):
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    run_alg("samplescene", {"OUTPUT_FOLDER": str(tmp_path), "SEED": 5, "LOAD_LAYERS": False}, context=context)
    assert context.layersToLoadOnCompletion() == {}
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["seed"] == 5 and truth["size"] == "small"
    assert (tmp_path / "truth.json").read_bytes() != (scene / "truth.json").read_bytes()


def test_unwritable_folder_is_refused(run_alg):
    with pytest.raises(QgsProcessingException, match="not writable"):
        run_alg("samplescene", {"OUTPUT_FOLDER": "/proc/insar_fusion_scene"})


def test_cancelling_removes_everything_the_run_wrote(run_alg, tmp_path):
    out = tmp_path / "cancelled"
    fb = iftest.LogFeedback.create()
    fb.progressChanged.connect(lambda p: fb.cancel() if p >= 30 else None)
    with pytest.raises(QgsProcessingException, match="cancelled"):
        run_alg("samplescene", {"OUTPUT_FOLDER": str(out), "LOAD_LAYERS": False}, feedback=fb)
    assert not out.exists()


def test_tracks_load_as_delimited_text_points_with_dates_and_crs(scene):
    truth = json.loads((scene / "truth.json").read_text())
    for t in ("T128", "T026"):
        layer = QgsVectorLayer(csv_uri(str(scene / "insar" / f"{t}_egms.csv")), t, "delimitedtext")
        assert layer.isValid()
        assert layer.crs().authid() == "EPSG:32647"
        assert layer.featureCount() == truth["tracks"][t]["n_points"]
        names = layer.fields().names()
        assert names[:9] == ["pid", "easting", "northing", "height", "incidence_angle", "los_up",
                             "mean_velocity", "mean_velocity_std", "temporal_coherence"]
        first = truth["tracks"][t]["first_date"].replace("-", "")
        assert first in names and len(names) == 9 + truth["tracks"][t]["n_dates"]
        f = next(layer.getFeatures())
        assert isinstance(f["mean_velocity"], float) and f[first] == 0.0
        ext = layer.extent()
        xmin, ymin, xmax, ymax = truth["extent"]
        assert xmin <= ext.xMinimum() and ext.xMaximum() <= xmax + 14
        assert ymin <= ext.yMinimum() and ext.yMaximum() <= ymax + 14


@pytest.mark.parametrize("rel", ["dem.tif", "landcover.tif", "ndvi/ndvi_201907.tif", "soil_moisture/sm_202007.tif",
                                 "precipitation/precip_201908.tif", "s2/s2_20190811_red.tif",
                                 "slc/slc_20190809.tif", "slc/coherence_true.tif"])
def test_rasters_load_as_valid_qgis_layers_in_utm_47n(scene, rel):
    layer = QgsRasterLayer(str(scene / rel), os.path.basename(rel))
    assert layer.isValid(), rel
    assert layer.crs() == QgsCoordinateReferenceSystem("EPSG:32647")
    assert layer.width() > 10 and layer.height() > 10


def test_regions_load_as_a_polygon_layer_named_p1_to_p6(scene):
    layer = QgsVectorLayer(str(scene / "regions.gpkg"), "regions", "ogr")  # the first layer
    assert layer.isValid() and layer.crs().authid() == "EPSG:32647"
    assert sorted(f["name"] for f in layer.getFeatures()) == ["P1", "P2", "P3", "P4", "P5", "P6"]
    screened = QgsVectorLayer(str(scene / "regions.gpkg") + "|layername=screened_zones", "z", "ogr")
    assert sorted(f["removed_by"] for f in screened.getFeatures()) == ["dem", "ndvi"]


def test_landcover_opens_with_its_class_colours(scene):
    layer = QgsRasterLayer(str(scene / "landcover.tif"), "lc")
    assert layer.renderer().type() == "paletted"
    labels = {c.value: c.label for c in layer.renderer().classes()}
    assert labels[1] == "farmland" and labels[6] == "water"
