"""Screenshots of real data in the QGIS desktop for docs/ (needs ../shared/realdata and Xvfb).

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/realdata_docs.py --out /tmp/realdata-docs

Runs headless through the plugin's algorithms: the EGMS Ustica ascending and descending bursts
(zips as delivered), their decomposition (vertical and east-west, 100 m), the BOISSANO RADARSAT
PS shapefile; writes one styled QGIS project per view, opens each in the real QGIS desktop under
Xvfb (tools/desktop.py) and saves the screenshots (docs/realdata_egms_ustica.png,
docs/decompose_ustica.png, docs/realdata_boissano.png with --docs).
"""
import argparse
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import desktop  # noqa: E402
import qgis_headless  # noqa: E402


def realdata() -> str:
    for c in (os.environ.get("INSARFUSION_REALDATA", ""), os.path.join(REPO, "..", "shared", "realdata"),
              os.path.join(REPO, "..", "..", "shared", "realdata")):
        if c and os.path.isdir(c):
            return os.path.abspath(c)
    raise SystemExit("../shared/realdata not found (set INSARFUSION_REALDATA)")


def run_all(out: str) -> dict:
    import processing

    rd = realdata()
    egms = os.path.join(rd, "egms-ustica")
    files = {}
    for name, burst in (("ascending_117", "117_0227"), ("descending_022", "022_0845")):
        files[name] = os.path.join(out, f"egms_{name}.gpkg")
        processing.run("insarfusion:importpoints", {
            "INPUT": os.path.join(egms, "input", f"EGMS_L2b_{burst}_IW2_VV_2020_2024_1.zip"),
            "OUTPUT": files[name]})
    files.update(up=os.path.join(out, "ustica_up.gpkg"), east=os.path.join(out, "ustica_east.gpkg"),
                 up_tif=os.path.join(out, "ustica_up.tif"), east_tif=os.path.join(out, "ustica_east.tif"))
    processing.run("insarfusion:decompose", {
        "TRACKS": [files["ascending_117"], files["descending_022"]], "SERIES": True, "VELOCITY": 1,
        "OUTPUT_UP": files["up"], "OUTPUT_EAST": files["east"], "OUTPUT_UP_RASTER": files["up_tif"],
        "OUTPUT_EAST_RASTER": files["east_tif"]})
    files["official_u"] = os.path.join(out, "egms_l3_official_U.gpkg")
    processing.run("insarfusion:importpoints", {
        "INPUT": os.path.join(egms, "output", "EGMS_L3_E45N17_100km_U_2020_2024_1.zip"),
        "OUTPUT": files["official_u"]})
    files["boissano"] = os.path.join(out, "boissano.gpkg")
    processing.run("insarfusion:importpoints", {
        "INPUT": os.path.join(rd, "ps-speed-boissano", "BOISSANO_RSAT_S3_A_T290_COMUNEBOISSANO_GBO-TSR.shp"),
        "OUTPUT": files["boissano"]})
    return files


def project(path: str, layers, title: str, inspect: str = "", radius: float = 0.0) -> str:
    """A .qgz holding (file, name, visible) layers, the first on top, in the first layer's CRS;
    the time-series inspector points at the layer read from `inspect`, if given."""
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    from insar_fusion.ui.inspector import sources as src

    prj = QgsProject.instance()
    prj.clear()
    prj.setTitle(title)
    prj.setFileName(path)
    root = prj.layerTreeRoot()
    for i, (source, name, visible) in enumerate(layers):
        layer = (QgsRasterLayer(source, name) if source.endswith(".tif") else QgsVectorLayer(source, name, "ogr"))
        if not layer.isValid():
            raise SystemExit(f"{source} is not a valid layer")
        if i == 0:
            prj.setCrs(layer.crs())
        prj.addMapLayer(layer, False)
        root.addLayer(layer).setItemVisibilityChecked(visible)
        if inspect and source == inspect:
            src.save(prj, src.Sources(layer.id(), [], radius, 1))
    prj.write(path)
    return path


def comparison_chart(files: dict, path: str) -> None:
    """Ours against the official EGMS L3 Ortho, U and E, over the official cells (matplotlib)."""
    import numpy as np
    from matplotlib.figure import Figure

    from insar_fusion.core.insar.importer import import_points
    from insar_fusion.core.vector_io import read_points

    egms = os.path.join(realdata(), "egms-ustica", "output")
    fig = Figure(figsize=(9.0, 4.2), dpi=110)
    for k, (comp, key) in enumerate((("U", "up"), ("E", "east"))):
        ours = read_points(files[key])
        official = import_points(os.path.join(egms, f"EGMS_L3_E45N17_100km_{comp}_2020_2024_1.zip"))
        at = {(round(x), round(y)): i for i, (x, y) in enumerate(zip(ours.x, ours.y))}
        idx = np.array([at[(round(x), round(y))] for x, y in zip(official.x, official.y)])
        a, b = official.columns["velocity"], ours.columns["velocity"][idx]
        rms, worst = float(np.sqrt(np.mean((b - a) ** 2))), float(np.abs(b - a).max())
        ax = fig.add_subplot(1, 2, k + 1)
        lo, hi = float(min(a.min(), b.min())) - 0.3, float(max(a.max(), b.max())) + 0.3
        ax.plot([lo, hi], [lo, hi], color="0.6", lw=1)
        ax.scatter(a, b, s=9, color="#2166ac" if comp == "U" else "#b2182b", alpha=0.7)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel(f"official EGMS L3 Ortho {comp} (mm/yr)")
        ax.set_ylabel(f"insarfusion:decompose {comp} (mm/yr)")
        ax.set_title(f"{'Vertical' if comp == 'U' else 'East-west'}: {len(a)} cells, "
                     f"RMS {rms:.3f}, max {worst:.3f} mm/yr", fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle("Ustica 2020-2024, tracks 117 (asc) + 022 (desc), 100 m cells", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/realdata-docs")
    ap.add_argument("--docs", action="store_true", help="copy the screenshots into docs/")
    a = ap.parse_args(argv)
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    qgis_headless.start()
    f = run_all(out)
    views = {
        "realdata_egms_ustica": ([(f["descending_022"], "EGMS L2b 2020-2024, track 022 descending (LOS mm/yr)", True),
                                  (f["ascending_117"], "EGMS L2b 2020-2024, track 117 ascending (LOS mm/yr)", False)],
                                 "EGMS Ustica imported from the zips", "inspector", f["descending_022"], 30.0),
        "decompose_ustica": ([(f["up"], "Vertical (up) at the cell centres", False),
                              (f["official_u"], "Official EGMS L3 Ortho U (cell centres)", False),
                              (f["up_tif"], "Decomposed vertical velocity, 100 m cells (mm/yr)", True),
                              (f["east_tif"], "Decomposed east-west velocity, 100 m cells (mm/yr)", False),
                              (f["ascending_117"], "EGMS track 117 ascending", False),
                              (f["descending_022"], "EGMS track 022 descending", False)],
                             "Ustica: ascending + descending decomposed", "inspector", f["up"], 50.0),
        "realdata_boissano": ([(f["boissano"], "BOISSANO RADARSAT PS, EPSG:3003 (mm/yr)", True)],
                              "BOISSANO RADARSAT PS", "inspector", f["boissano"], 30.0),
    }
    comparison_chart(f, os.path.join(out, "decompose_vs_egms.png"))
    if a.docs:
        shutil.copy(os.path.join(out, "decompose_vs_egms.png"), os.path.join(REPO, "docs"))
    report = {}
    for name, (layers, title, mode, *inspect) in views.items():
        qgz = project(os.path.join(out, name + ".qgz"), layers, title, *inspect)
        shot, status = os.path.join(out, name + ".png"), os.path.join(out, name + ".json")
        if os.path.exists(status):
            os.remove(status)
        os.environ.update(IF_STATUS=status, IF_MODE=mode)
        desktop.run(code=os.path.join(HERE, "realdata_startup.py"), project=qgz, screenshot=shot,
                    status=status, timeout=180, settle=3.0)
        if os.path.exists(status):
            with open(status) as fh:
                report[name] = json.load(fh)
        else:
            report[name] = {"status": "none"}
        print(name, report[name], shot if os.path.exists(shot) else "(no screenshot)")
        if a.docs and os.path.exists(shot):
            shutil.copy(shot, os.path.join(REPO, "docs", name + ".png"))
    return 0 if all("layers" in r for r in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
