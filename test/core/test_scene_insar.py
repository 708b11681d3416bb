"""The InSAR tracks hold what truth.json says: zone rates, track offset, noise, seasonality, screening."""
import csv

import numpy as np
import pytest
from scipy.spatial import cKDTree

import scenetest as st

ZONES = ("P1", "P2", "P3", "P4", "P5", "P6", "Z7", "Z8")


@pytest.fixture(scope="module")
def data(scene):
    t = st.truth(scene)
    tracks = {n: st.track(scene, n) for n in ("T128", "T026")}
    return t, tracks, st.regions(scene)


def test_incidence_spans_33_to_45_deg_across_each_swath_and_los_up_is_its_cosine(data):
    t, tracks, _ = data
    for name, tr in tracks.items():
        inc, x = tr["incidence_angle"], tr["easting"]
        assert 33.0 <= inc.min() < 33.5 and 44.5 < inc.max() <= 45.0
        np.testing.assert_allclose(tr["los_up"], np.cos(np.radians(inc)), atol=1e-5)
        slope = np.polyfit(x, inc, 1)[0]
        assert (slope > 0) == (t["tracks"][name]["direction"] == "ascending")
        assert len(x) == t["tracks"][name]["n_points"]


def test_points_sit_on_a_56_m_grid_and_tracks_overlap_in_a_strip(data):
    t, tracks, _ = data
    for tr in tracks.values():
        d, _ = cKDTree(np.column_stack([tr["easting"], tr["northing"]])).query(
            np.column_stack([tr["easting"], tr["northing"]]), k=2)
        assert np.median(d[:, 1]) == pytest.approx(56.0, abs=0.01)
    ov = t["track_offset"]["overlap_extent"]
    for tr in tracks.values():
        x = tr["easting"]
        assert ((x > ov[0]) & (x < ov[2])).sum() > 1000
    assert tracks["T128"]["easting"].max() <= ov[2] + 28 and tracks["T026"]["easting"].min() >= ov[0] - 28


@pytest.mark.parametrize("zone", ZONES)
def test_zone_mean_vertical_rate_matches_truth_within_noise(data, zone):
    t, tracks, rings = data
    z = t["zones"][zone]
    assert z["mean_rate_by_track"], zone
    for name, expected in z["mean_rate_by_track"].items():
        tr = tracks[name]
        m = st.zone_mask(t, zone, tr["easting"], tr["northing"], rings=rings)
        up = st.vertical_rate(t, name, tr)[m]
        noise = tr["mean_velocity_std"][m] / tr["los_up"][m]
        assert m.sum() == expected["n"]
        tol = 4 * np.sqrt(np.sum(noise ** 2)) / m.sum() + 0.002
        assert abs(up.mean() - expected["mean"]) < tol, (zone, name, up.mean(), expected["mean"])


def test_bowl_centres_reach_the_planted_peak_rates(data):
    t, tracks, _ = data
    for zone in ("P4", "P5", "P6", "Z7", "Z8"):
        z = t["zones"][zone]
        ups = []
        for name, tr in tracks.items():
            r = np.hypot(tr["easting"] - z["centre"][0], tr["northing"] - z["centre"][1])
            ups.append(st.vertical_rate(t, name, tr)[r < 0.12 * z["radius_m"]])
        up = np.concatenate(ups)
        assert len(up) >= 3, zone
        assert up.mean() == pytest.approx(z["peak_rate_mm_yr"], rel=0.06), zone
    assert t["zones"]["P4"]["peak_rate_mm_yr"] == pytest.approx(-50, abs=1)
    assert t["zones"]["P6"]["peak_rate_mm_yr"] == pytest.approx(13, abs=2)
    for zone in ("P1", "P2", "P3"):
        assert -30.0 <= t["zones"][zone]["peak_rate_mm_yr"] <= -20.0


def test_overlap_offset_from_matched_points_recovers_the_planted_constant_and_ramp(data):
    t, tracks, _ = data
    a, b = tracks["T128"], tracks["T026"]
    ua = st.vertical_rate(t, "T128", a, remove_offset=False)
    ub = st.vertical_rate(t, "T026", b, remove_offset=False)
    tree = cKDTree(np.column_stack([a["easting"], a["northing"]]))
    d, i = tree.query(np.column_stack([b["easting"], b["northing"]]), distance_upper_bound=30.0)
    ok = np.isfinite(d)
    assert ok.sum() > 2000
    x, y, diff = b["easting"][ok], b["northing"][ok], ub[ok] - ua[i[ok]]
    o = t["track_offset"]
    X = np.column_stack([np.ones(ok.sum()), (x - o["origin"][0]) / 1000, (y - o["origin"][1]) / 1000])
    c, rx, ry = np.linalg.lstsq(X, diff, rcond=None)[0]
    assert c == pytest.approx(o["constant_mm_yr"], abs=0.1)
    assert rx == pytest.approx(o["ramp_x_mm_yr_per_km"], abs=0.02)
    assert ry == pytest.approx(o["ramp_y_mm_yr_per_km"], abs=0.01)
    rmse = np.sqrt(np.mean((diff - X @ np.array([c, rx, ry])) ** 2))
    assert 0.3 < rmse < 3.0  # a few tenths to a few mm/yr, like the paper's 2.8 mm/yr


def test_rate_errors_follow_mean_velocity_std_truncated_at_the_stated_sigma(data):
    t, tracks, rings = data
    tr = tracks["T128"]
    far = np.ones(len(tr["easting"]), bool)
    for zone in ZONES:  # stable ground: away from every zone
        z = t["zones"][zone]
        far &= np.hypot(tr["easting"] - z["centre"][0], tr["northing"] - z["centre"][1]) > 4000
    zs = tr["mean_velocity"][far] / tr["mean_velocity_std"][far]
    cut = t["noise"]["rate_truncation_sigma"]
    assert far.sum() > 2000
    assert np.abs(zs).max() <= cut + 0.02
    phi = np.exp(-cut ** 2 / 2) / np.sqrt(2 * np.pi)
    from math import erf, sqrt
    expected_sd = np.sqrt(1 - 2 * cut * phi / erf(cut / sqrt(2)))
    assert zs.std() == pytest.approx(expected_sd, abs=0.04)
    assert abs(zs.mean()) < 0.06
    nominal = t["tracks"]["T128"]["rate_noise_mm_yr"]
    assert 0.5 * nominal < np.median(tr["mean_velocity_std"]) < 1.5 * nominal


def test_screening_at_10_mm_yr_with_dem_and_ndvi_keeps_exactly_p1_to_p6(data, scene):
    t, tracks, rings = data
    s = t["screen"]
    dem, gdem = st.raster(scene, s["dem_raster"])
    ndvi, gn = st.raster(scene, s["ndvi_raster"])
    for name, tr in tracks.items():
        for remove in (True, False):  # before and after removing the planted track offset
            x, y = tr["easting"], tr["northing"]
            up = st.vertical_rate(t, name, tr, remove_offset=remove)
            sig = np.abs(up) >= s["significant_rate_mm_yr"]
            member = {z: st.zone_mask(t, z, x, y, rings=rings) for z in ZONES}
            in_any = np.any(list(member.values()), axis=0)
            assert not (sig & ~in_any).any(), f"{name}: significant points outside every zone"
            h = st.nearest(dem, gdem, x, y)
            nd = st.bilinear(ndvi, gn, x, y)
            kept = sig & (h <= s["dem_max"]) & (nd >= s["ndvi_min"]) & (nd <= s["ndvi_max"])
            for z in ZONES:
                here = member[z] & sig
                if t["zones"][z]["removed_by"]:
                    if here.any():
                        assert here.sum() >= 10 and not (kept & member[z]).any(), (name, z)
                elif here.sum() >= 10:
                    assert (kept & member[z]).sum() >= 0.98 * here.sum(), (name, z)
    for z in ZONES:
        n = sum(t["zones"][z]["mean_rate_by_track"].get(k, {}).get("n", 0) for k in tracks)
        assert n > 0, z


def test_seasonal_amplitude_and_peak_day_of_zone_series_match_truth(data):
    t, tracks, _ = data
    for zone, name, radius in (("P1", "T128", 400.0), ("P3", "T026", 400.0), ("P6", "T026", 250.0)):
        z = t["zones"][zone]
        tr = tracks[name]
        r = np.hypot(tr["easting"] - z["centre"][0], tr["northing"] - z["centre"][1])
        m = r < radius
        up_series = tr["series"][m] / tr["los_up"][m][:, None]
        v, amp, peak = st.harmonic_fit(st.years(tr["dates"]), up_series.mean(axis=0))
        assert amp == pytest.approx(z["seasonal_amplitude_mm"], rel=0.2), zone
        assert abs((peak - z["seasonal_peak_doy"] + 182) % 365.25 - 182) < 6.0, (zone, peak)
        # the series carry the secondary track's planted offset, like its mean_velocity
        assert v == pytest.approx(st.vertical_rate(t, name, tr, remove_offset=False)[m].mean(), abs=0.5)


def test_series_start_at_zero_and_their_trend_is_the_mean_velocity(data):
    t, tracks, _ = data
    for name, tr in tracks.items():
        assert np.all(tr["series"][:, 0] == 0.0)
        ty = st.years(tr["dates"])
        rng = np.random.default_rng(0)
        idx = rng.choice(len(tr["easting"]), 300, replace=False)
        X = np.column_stack([np.ones_like(ty), ty, np.sin(2 * np.pi * ty), np.cos(2 * np.pi * ty)])
        coef = np.linalg.lstsq(X, tr["series"][idx].T, rcond=None)[0]
        resid = tr["series"][idx].T - X @ coef
        assert np.abs(coef[1] - tr["mean_velocity"][idx]).max() < 2.0
        assert resid.std() == pytest.approx(t["tracks"][name]["series_noise_mm"], rel=0.1)


def test_farmland_keeps_far_fewer_points_than_the_desert(data):
    t, tracks, rings = data
    tr = tracks["T128"]
    x, y = tr["easting"], tr["northing"]
    farm = st.inside(rings["P1"], x, y).sum() / (_area(rings["P1"]) / 56.0 ** 2)
    z = t["zones"]["P4"]  # the full 56 m grid also covers a desert ring around the mine
    r = np.hypot(x - z["centre"][0], y - z["centre"][1])
    r0, r1 = 1.6 * z["radius_m"], 2.1 * z["radius_m"]
    desert = ((r > r0) & (r < r1)).sum() / (np.pi * (r1 ** 2 - r0 ** 2) / 56.0 ** 2)
    assert farm < 0.65 * desert and desert > 0.85


def test_acquisition_networks_connect_at_48_days_and_150_m(data, scene):
    t, tracks, _ = data
    for name, tr in tracks.items():
        rows = list(csv.DictReader(open(scene / "insar" / f"{name}_acquisitions.csv")))
        assert [r["date"] for r in rows] == [d.isoformat() for d in tr["dates"]]
        ordinal = np.array([d.toordinal() for d in tr["dates"]])
        bperp = np.array([float(r["bperp"]) for r in rows])
        parent = list(range(len(ordinal)))

        def find(i):
            while parent[i] != i:
                i = parent[i]
            return i
        for i in range(len(ordinal)):
            for j in range(i + 1, len(ordinal)):
                if ordinal[j] - ordinal[i] <= 48 and abs(bperp[j] - bperp[i]) <= 150:
                    parent[find(i)] = find(j)
        assert len({find(i) for i in range(len(ordinal))}) == 1, name
        assert np.abs(bperp).max() <= 150 and np.ptp(bperp) > 60


def _area(ring):
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
