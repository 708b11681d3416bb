"""The inspector on real products in ../shared/realdata: BOISSANO (RADARSAT-1 PS, 99 dates with
24–96-day gaps), EGMS L2b over Ustica (210 dates, not zero at the first date) and DePSI (11
epochs, metres, read by issue 15's importer). Each is checked against the product's own numbers.
Skipped without the folder."""
import csv
import zipfile

import numpy as np
import pytest
from qgis.core import QgsProject, QgsVectorLayer

import iftest
import realdata
from inspector_kit import click, wait
from insar_fusion.core.timeseries import fits, gnss

BOISSANO, USTICA, DEPSI = realdata.BOISSANO, realdata.L2B_DSC, realdata.DEPSI


@pytest.fixture
def dock_on(qgis_iface, qgis_new_project, qgis_canvas):
    from insar_fusion.ui.inspector import sources as src
    from insar_fusion.ui.inspector.dock import InspectorDock

    docks = []

    def make(layer, radius):
        QgsProject.instance().addMapLayer(layer)
        qgis_canvas.resize(600, 600)
        qgis_canvas.setDestinationCrs(layer.crs())
        qgis_canvas.setExtent(layer.extent())
        dock = InspectorDock(qgis_iface)
        dock.set_sources(src.Sources(layer.id(), [], radius, 3))
        dock.activate_pick()
        wait(dock, 120)
        assert dock.store is not None, dock.status.text()
        docks.append(dock)
        return dock, qgis_canvas

    yield make
    for d in docks:
        d.shutdown()
        d.deleteLater()


def _rows(layer, fields):
    out = {}
    for f in layer.getFeatures():
        p = f.geometry().asPoint()
        out[f[fields[0]]] = (p.x(), p.y(), [f[n] for n in fields[1:]])
    return out


def test_boissano_linear_fit_of_a_point_gives_back_its_vel(dock_on):
    layer = QgsVectorLayer(realdata.path(BOISSANO), "boissano", "ogr")
    assert layer.isValid()
    dock, canvas = dock_on(layer, 1.0)  # a 1 m radius: the circle is the point itself
    assert len(dock.store) == 1372 and len(dock.store.dates) == 99
    gaps = np.diff([d.toordinal() for d in dock.store.dates])
    assert gaps.min() == 24 and gaps.max() == 96  # the irregular sampling
    dock.model_combo.setCurrentIndex(dock.model_combo.findData("linear"))
    feats = {f["CODE"]: f for f in layer.getFeatures()}
    xy = {c: f.geometry().asPoint() for c, f in feats.items()}
    for code in list(feats)[::250]:
        p = xy[code]
        mp = click(dock, canvas, p.x(), p.y())
        nearest = min(xy, key=lambda c: (xy[c].x() - mp.x()) ** 2 + (xy[c].y() - mp.y()) ** 2)
        a = dock.analyses[0]
        assert a.data.point_id == nearest and a.site == f"#{nearest}"  # a text id, as the layer has it
        picked = feats[nearest]
        assert a.data.circle.n_points == 1
        assert a.data.attribute("velocity") == pytest.approx(picked["VEL"])
        f = fits.fit("linear", a.data.circle.dates, a.data.circle.mean)
        assert f.param("b") == pytest.approx(picked["VEL"], abs=0.005)  # the product's own VEL
        rows = dock.view.series_view.series()
        assert any("linear fit" in k for k in rows["deformation"]) and "residuals" in rows


def _imported(dock_on, source, tmp_path, name):
    """The file imported with importpoints, as a layer, and the dock on it (1 m radius)."""
    out = str(tmp_path / f"{name}.gpkg")
    iftest.ensure_provider()
    iftest.run_alg("importpoints", {"INPUT": source, "OUTPUT": out})
    layer = QgsVectorLayer(out, name, "ogr")
    dock, canvas = dock_on(layer, 1.0)
    return layer, dock, canvas


def test_egms_ustica_series_are_shown_as_the_product_gives_them(dock_on, tmp_path):
    with zipfile.ZipFile(realdata.path(USTICA)) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        z.extract(name, tmp_path)
    csv_path = str(tmp_path / name)
    layer, dock, canvas = _imported(dock_on, csv_path, tmp_path, "ustica")
    assert len(dock.store.dates) == 210
    with open(csv_path, newline="") as f:
        reader = csv.DictReader(f)
        dates = [k for k in reader.fieldnames if k.isdigit()]
        rows = [r for _, r in zip(range(400), reader)]
    nonzero = [r for r in rows if float(r[dates[0]]) != 0.0][:3]
    assert nonzero  # the series do not start at zero
    feats = {f["pid"]: f.geometry().asPoint() for f in layer.getFeatures()}
    canvas.zoomScale(2000.0)  # 1 m radius: zoom in so that the click lands on its point
    for r in nonzero:
        p = feats[r["pid"]]
        canvas.setCenter(p)
        mp = click(dock, canvas, p.x(), p.y())
        nearest = min(feats, key=lambda c: (feats[c].x() - mp.x()) ** 2 + (feats[c].y() - mp.y()) ** 2)
        a = dock.analyses[0]
        assert a.data.point_id == nearest == r["pid"]
        want = np.array([float(r[d]) for d in dates])
        assert np.allclose(a.data.point, want, atol=1e-4)  # not re-based to the first date
        assert a.data.attribute("velocity") == pytest.approx(float(r["mean_velocity"]), abs=1e-6)
        dock.model_combo.setCurrentIndex(dock.model_combo.findData("annual+semiannual"))
        assert "R² =" in dock.view.lags.toPlainText()
        assert a.data.point_sigma == pytest.approx(float(r["rmse_ts"]), abs=1e-6)  # the error bars
        # EGMS's own LOS vector is the one the GNSS projection derives from incidence and heading
        # (track_angle): e = -sin θ cos α, n = sin θ sin α, u = cos θ
        att = a.data.attribute
        given = gnss.los_vector(att("los_east"), att("los_north"), att("los_up"))
        derived = gnss.los_vector(incidence=float(r["incidence_angle"]), heading=float(r["track_angle"]))
        assert np.allclose(given, derived, atol=0.01)


def test_depsi_eleven_epochs_in_metres(dock_on, tmp_path):
    depsi = realdata.path(DEPSI)
    layer, dock, canvas = _imported(dock_on, depsi, tmp_path, "depsi")
    assert len(dock.store.dates) == 11
    with open(depsi, newline="") as f:
        r = next(csv.DictReader(f))
    feat = next(f for f in layer.getFeatures() if str(f.attribute(1)) == r["pnt_id"] or
                r["pnt_id"] in [str(v) for v in f.attributes()])
    p = feat.geometry().asPoint()
    click(dock, canvas, p.x(), p.y())
    want = np.array([float(r[k]) for k in r if k.startswith("d_")]) * 1000.0  # metres to mm
    assert np.allclose(dock.analyses[0].data.point, want, atol=1e-3)
    dock.model_combo.setCurrentIndex(dock.model_combo.findData("linear"))
    assert "R² =" in dock.view.lags.toPlainText()
