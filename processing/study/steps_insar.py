"""The study's InSAR steps: import and LOS to vertical, splice, regions and sites, screen, seasonal fit."""
import os

from ...core.errors import InputError
from ...core.study.inputs import change_years, raster_in_month
from ...core.dates import date_fields
from ...core.study.layers import crs_of, feature_count, field_names, incidence_source, local_utm
from .plan import Plan

G_DEFORMATION, G_TRACKS, G_SITES = "Deformation", "InSAR tracks", "Sites and regions"


def tracks(plan: Plan, st) -> None:
    """Import every track into the point layout; convert it to vertical where θ or los_up is known."""
    for k, t in enumerate(plan.tracks):
        t.los = plan.path(f"{t.slug}_los")
        source = t.source
        if "|layername=" in source:  # one layer of a GeoPackage: importpoints reads a file's first layer
            from .deliver import copy_layer
            source = plan.path(f"{t.slug}_input")
            copy_layer(t.source, source, t.slug, series=True)
        params = {"INPUT": source, "FORMAT": 0, "CRS": plan.numbers["csv_crs"], "OUTPUT": t.los}
        if plan.crs_authid:
            params["TARGET_CRS"] = plan.crs_authid
        res = st.run("importpoints", params, f"import {t.name}")
        if k == 0 and not plan.crs_authid:
            wkt, auth, geographic = crs_of(t.los)
            if geographic:  # distances need metres: the local UTM zone, said in the log
                plan.crs_authid = local_utm(t.los)
                st.note(f"{t.name} is in degrees; the study works in {plan.crs_authid} (the local UTM zone).")
                res = st.run("importpoints", dict(params, TARGET_CRS=plan.crs_authid), f"import {t.name} again")
            else:
                plan.crs_authid = auth or wkt
        t.n_points, t.n_dates, t.fmt = int(res["N_POINTS"]), int(res["N_DATES"]), str(res["FORMAT"])
        dates = [d for _, d in date_fields(field_names(t.los))]
        t.first_date, t.last_date = (dates[0].isoformat(), dates[-1].isoformat()) if dates else ("", "")
        plan.publish(t.los, f"{t.slug}_los", f"{t.name}: imported rate (LOS, mm/yr)", G_TRACKS, "rate")
        field = incidence_source(t.los)
        if field:
            t.vertical = plan.path(f"{t.slug}_vertical")
            st.run("lostovertical", {"INPUT": t.los, "OUTPUT": t.vertical}, f"{t.name} to vertical")
            t.conversion = ("vertical: d_U = d_LOS / cos θ, θ from the field incidence" if field == "incidence"
                            else "vertical: d_U = d_LOS / los_up (the up component of the line of sight)")
            plan.publish(t.vertical, f"{t.slug}_vertical", f"{t.name}: vertical rate (mm/yr)", G_TRACKS, "rate")
        else:
            t.conversion = ("kept in the line of sight: the input has neither an incidence angle nor "
                            "los_up, so LOS could not be converted to vertical")
            st.note(f"{t.name}: {t.conversion}.")
            st.chain.feedback.pushWarning(f"{t.name}: {t.conversion}.")
    plan.crs_wkt = crs_of(plan.tracks[0].los)[0]
    kinds = {bool(t.vertical) for t in plan.tracks}
    if len(kinds) > 1:
        st.note("Some tracks are vertical and some stay LOS: their rates are different components, "
                "so the splice offsets and the merged rate mix them (see each track's conversion).")
    if len(plan.tracks) == 1:
        plan.rate = plan.tracks[0].layer


def splice(plan: Plan, st) -> None:
    """Each further track onto the merge of the ones before: offset plane removed, overlap checked."""
    ref = plan.tracks[0]
    current = ref.layer
    for k, t in enumerate(plan.tracks[1:], start=1):
        out, fixed = plan.path(f"merged_{k}"), plan.path(f"{t.slug}_spliced")
        pairs, chart = plan.path(f"overlap_pairs_{t.slug}"), plan.path(f"overlap_{t.slug}", ".png")
        st.run("splicetracks", {
            "REFERENCE": current, "SECONDARY": t.layer, "MATCH_DISTANCE": plan.numbers["match_distance"],
            "CORRECTION": plan.numbers["correction"], "REFERENCE_NAME": ref.name, "SECONDARY_NAME": t.name,
            "OUTPUT": out, "OUTPUT_SECONDARY": fixed, "OUTPUT_PAIRS": pairs, "OUTPUT_CHART": chart},
            f"{t.name} onto {'the merge' if k > 1 else ref.name}")
        t.spliced, current = fixed, out
        plan.reports[f"overlap_{t.slug}"] = chart
        plan.publish(fixed, f"{t.slug}_spliced", f"{t.name}: offset removed (mm/yr)", G_TRACKS, "rate")
        plan.publish(pairs, f"overlap_pairs_{t.slug}", f"Overlap {ref.name}–{t.name}: residual after the "
                     "offset (mm/yr)", G_TRACKS, "residual")
    plan.rate = current


def rate_layer(plan: Plan) -> None:
    plan.publish(plan.rate, "rate", "Deformation rate, all tracks (mm/yr)", G_DEFORMATION, "rate",
                 visible=True, series=True)


def places(plan: Plan, st) -> None:
    """Regions, study area and sites in the study's CRS; the default sites are the regions' centroids."""
    crs = plan.crs_authid or plan.crs_wkt
    if plan.regions is not None:
        plan.regions_layer = plan.path("regions")
        st.run("native:reprojectlayer", {"INPUT": plan.regions, "TARGET_CRS": crs,
                                         "OUTPUT": plan.regions_layer}, "regions")
        if feature_count(plan.regions_layer) == 0:
            raise InputError("The REGIONS layer has no features; give polygons, or leave REGIONS empty.")
        if plan.region_field not in field_names(plan.regions_layer):
            raise InputError(f"REGIONS has no field '{plan.region_field}'; set REGION_FIELD to the field "
                             "that names the regions.")
        plan.publish(plan.regions_layer, "regions", "Regions", G_SITES, f"regions:{plan.region_field}",
                     visible=True)
    if plan.study_area is not None:
        plan.study_area_layer = plan.path("study_area")
        st.run("native:reprojectlayer", {"INPUT": plan.study_area, "TARGET_CRS": crs,
                                         "OUTPUT": plan.study_area_layer}, "study area")
        plan.publish(plan.study_area_layer, "study_area", "Study area", G_SITES, "outline", visible=True)
    if plan.sites is not None:
        plan.sites_layer = plan.path("sites")
        st.run("native:reprojectlayer", {"INPUT": plan.sites, "TARGET_CRS": crs, "OUTPUT": plan.sites_layer},
               "sites")
    elif plan.regions_layer:
        plan.sites_layer, plan.site_field = plan.path("sites"), plan.region_field
        st.run("native:centroids", {"INPUT": plan.regions_layer, "ALL_PARTS": False,
                                    "OUTPUT": plan.sites_layer}, "sites: the regions' centroids")
        st.note("Sites: the centroids of the regions (no SITES given).")
    if plan.sites_layer:
        plan.publish(plan.sites_layer, "sites", "Time-series sites", G_SITES, f"sites:{plan.site_field}",
                     visible=True)


def screen(plan: Plan, st) -> None:
    """|rate| ≥ the threshold inside the DEM, NDVI and study-area limits."""
    n = plan.numbers
    params = {"INPUT": plan.rate, "THRESHOLD": n["threshold"], "OUTPUT": plan.path("significant")}
    if plan.dem is not None:
        params["DEM"] = plan.dem
    for key in ("DEM_MIN", "DEM_MAX", "NDVI_MIN", "NDVI_MAX"):
        if n.get(key.lower()) is not None:
            params[key] = n[key.lower()]
    if n.get("ndvi_min") is not None or n.get("ndvi_max") is not None:
        ndvi = plan.stack("ndvi")
        if not ndvi:
            raise InputError("NDVI_MIN and NDVI_MAX screen by NDVI: give the NDVI stack too.")
        years, why = change_years(ndvi, n["summer_month"], n["winter_month"], n.get("year_a"), n.get("year_b"))
        path = raster_in_month(ndvi, years[0], n["summer_month"]) if years else ""
        if not path:
            raise InputError(f"NDVI_MIN/NDVI_MAX need the NDVI of the summer month of year A: {why}.")
        params["NDVI"] = path
        st.note(f"NDVI range applied to {os.path.basename(path)} (the summer month of year A).")
    if plan.study_area_layer:
        params["STUDY_AREA"] = plan.study_area_layer
    st.run("screen", params, f"|rate| ≥ {n['threshold']:g} mm/yr")
    plan.significant = params["OUTPUT"]
    plan.publish(plan.significant, "significant", f"Significant deformation (|rate| ≥ {n['threshold']:g} mm/yr)",
                 G_DEFORMATION, "rate", visible=False, series=True)


def seasonal(plan: Plan, st) -> None:
    """Trend and annual cycle of the significant points and of every whole track."""
    if feature_count(plan.significant) > 0:
        out = plan.path("seasonal")
        st.run("seasonalfit", {"INPUT": plan.significant, "STYLE": 0, "OUTPUT": out}, "significant points")
        plan.publish(out, "seasonal", "Seasonal amplitude of the significant points (mm)", G_DEFORMATION,
                     "seasonal")
    else:
        st.note("No significant point: the seasonal fit covers the whole tracks only.")
    for t in plan.tracks:
        out = plan.path(f"seasonal_{t.slug}")
        st.run("seasonalfit", {"INPUT": t.layer, "STYLE": 0, "OUTPUT": out}, f"all {t.name} points")
        plan.publish(out, f"seasonal_{t.slug}", f"{t.name}: seasonal amplitude (mm)", G_TRACKS, "seasonal")
