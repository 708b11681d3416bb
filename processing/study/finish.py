"""The study's last steps: the GeoPackage (every layer styled) and rasters, the project with its
layouts, the report and the record (study.json), each moved into OUTPUT_FOLDER."""
import dataclasses
import datetime as dt
import json
import os
import re

from ...core.study.layers import checkpoint, write_default_styles
from ...core.study.report import write_report
from ..layers import style_documents
from .deliver import copy_layers
from .plan import Plan
from .project import build
from .styles import style, values


def _deliver(plan: Plan, st, delivery, gpkg_name: str, out: dict) -> None:
    """Every published layer into OUTPUT_FOLDER/<gpkg_name>, each saved with its style as the default."""
    gpkg = delivery.prepare(gpkg_name)
    progress = st.progress()
    n = max(len(plan.published), 1)
    copy_layers([(p.source, p.name, p.series) for p in plan.published], gpkg, progress.sub(0.0, 0.6))
    styles = []
    for k, p in enumerate(plan.published):
        progress(0.6 + 0.35 * k / n)
        if p.style:
            qml, sld = style_documents(f"{gpkg}|layername={p.name}", style(p.style, values(gpkg, p.name, p.style)))
            styles.append((p.name, qml, sld, f"InSAR Fusion: {p.title}"))
    write_default_styles(gpkg, styles)
    out["gpkg"] = gpkg
    progress(1.0)


def _texts(plan: Plan, chain) -> dict:
    n = plan.numbers
    names = ", ".join(t.name for t in plan.tracks)
    texts = {}
    screen = chain.records["screen"].runs[0]["results"]
    texts["rate"] = (f"Tracks {names}; {plan.crs_authid if plan.crs_authid.startswith('EPSG') else 'study CRS'}; "
                     "mm/yr, red subsidence, blue uplift")
    texts["significant"] = (f"|rate| ≥ {n['threshold']:g} mm/yr and inside the limits: {screen['N_KEPT']} of "
                            f"{screen['N_INPUT']} points")
    if chain.ran("gwr"):
        g = next(r["results"] for r in chain.records["gwr"].runs if r["alg"] == "insarfusion:gwr")
        texts["gwr"] = (f"velocity ~ {' + '.join(plan.explanatory)}; fixed bisquare {n['bandwidth']:g} m; "
                        f"R² {g['R2']:.3f}, AICc {g['AICC']:.1f}")
    years = n.get("ndvi_years") or n.get("soil_moisture_years")
    if years:
        texts["change"] = (f"Mean change per region: interannual = month {n['summer_month']} of {years[1]} − "
                           f"{years[0]}, seasonal = month {n['summer_month']} − month {n['winter_month']} of {years[1]}")
    return texts


def _stack_info(paths, month_day):
    from ...core.dates import date_of_filename
    from ...core.study.inputs import one_folder
    dates = [date_of_filename(p, month_day) for p in paths]
    return {"n": len(paths), "first": min(dates).isoformat(), "last": max(dates).isoformat(),
            "source": one_folder(paths) or f"{len(paths)} files"}


def _record(plan: Plan, chain, out: dict, layouts, folder: str) -> dict:
    def shown(value):
        if value is None:
            return ""
        return value if isinstance(value, str) else getattr(value, "source", lambda: str(value))()
    n = plan.numbers
    others = {"REGIONS": shown(plan.regions), "REGION_FIELD": plan.region_field, "DEM": n["dem_path"],
              "STUDY_AREA": shown(plan.study_area), "SITES": shown(plan.sites) or
              ("the regions' centroids" if plan.regions is not None else ""),
              "COHERENCE": ", ".join(os.path.basename(p.path) for p in plan.coherence),
              "RATE_THRESHOLD (mm/yr)": n["threshold"], "BANDWIDTH (m)": n["bandwidth"], "RADIUS (m)": n["radius"],
              "study CRS": plan.crs_authid if plan.crs_authid.startswith("EPSG") else "(WKT)"}
    return {
        "title": "InSAR Fusion study", "created": dt.datetime.now().isoformat(timespec="seconds"),
        "inputs": {"stacks": {k: _stack_info(v, n["month_day"]) for k, v in plan.stacks.items()},
                   "month_day": n["month_day"], "others": {k: v for k, v in others.items() if v not in ("", None)}},
        "crs": plan.crs_authid, "explanatory": plan.explanatory,
        "tracks": [{"name": t.name, "slug": t.slug, "source": t.source, "fmt": t.fmt, "n_points": t.n_points,
                    "n_dates": t.n_dates, "first_date": t.first_date, "last_date": t.last_date,
                    "conversion": t.conversion, "spliced": bool(t.spliced)} for t in plan.tracks],
        "steps": [dataclasses.asdict(chain.records[k]) for k in chain.order],
        "numbers": {k: v for k, v in n.items() if isinstance(v, (int, float, str, list)) or v is None},
        "outputs": {"geopackage": out.get("gpkg", ""), "project": out.get("project", ""),
                    "report": out.get("report", ""), "layouts": [name for name, _ in layouts],
                    "layers": [{"name": p.name, "title": p.title, "group": p.group} for p in plan.published],
                    "rasters": [{"file": os.path.relpath(r.source, folder), "title": r.title} for r in plan.rasters]},
    }


def figure_name(layout: str) -> str:
    """A layout's PNG file name: 'GWR local R²' -> gwr_local_r2."""
    return re.sub(r"[^0-9a-z]+", "_", layout.lower().replace("²", "2")).strip("_")


def finish(plan: Plan, chain, delivery, folder: str, names, feedback) -> dict:
    gpkg_name, qgz_name, html_name, json_name = names
    out, built = {}, {}
    chain.step("deliver", "The study GeoPackage and rasters", lambda st: _deliver(plan, st, delivery, gpkg_name, out))

    def project(st):
        b = build(plan, folder, out["gpkg"], qgz_name, _texts(plan, chain), st.progress())
        out["project"] = delivery.install(b.path, qgz_name)
        built["layouts"] = b.layouts
        st.note(f"{b.n_layers} layers; print layouts: {', '.join(name for name, _ in b.layouts)}.")
    chain.step("project", "The QGIS project and its print layouts", project)

    def report(st):
        figures = dict(built["layouts"])
        folder_figures = delivery.prepare("figures", folder=True)
        for name, png in built["layouts"]:
            with open(os.path.join(folder_figures, figure_name(name) + ".png"), "wb") as f:
                f.write(png)
        tmp = os.path.join(plan.work, html_name)
        out["report"] = os.path.join(folder, html_name)
        record = _record(plan, chain, out, built["layouts"], folder)
        write_report(tmp, record, out["gpkg"], figures, plan.reports, st.progress())
        delivery.install(tmp, html_name)
    chain.step("report", "The report", report)
    out["summary"] = os.path.join(folder, json_name)  # the record, with every step's time (the report's too)
    tmp_json = os.path.join(plan.work, json_name)
    with open(tmp_json, "w", encoding="utf-8") as f:
        json.dump(_record(plan, chain, out, built["layouts"], folder), f, indent=1, default=str)
    delivery.install(tmp_json, json_name)
    checkpoint(out["gpkg"])
    skipped = [f"{chain.records[k].title}: {chain.records[k].reason}" for k in chain.order
               if chain.records[k].status != "ok"]
    for line in skipped:
        feedback.pushInfo(f"Skipped: {line}")
    screen = chain.records["screen"].runs[0]["results"]
    return {"OUTPUT_FOLDER": folder, "GEOPACKAGE": out["gpkg"], "PROJECT": out["project"], "REPORT": out["report"],
            "SUMMARY": out["summary"], "N_POINTS": screen["N_INPUT"], "N_SIGNIFICANT": screen["N_KEPT"],
            "N_LAYOUTS": len(built["layouts"]), "SKIPPED": "; ".join(skipped)}
