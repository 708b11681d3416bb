"""The decomposition maths (core/insar/decompose.py, gridding.py) against closed forms."""
import datetime as dt

import numpy as np
import pytest

from insar_fusion.core.errors import InputError
from insar_fusion.core.insar import gridding
from insar_fusion.core.insar.decompose import (decompose_tracks, egms_velocity, los_from_angles, solve,
                                               solve_series)


def test_los_vector_of_a_right_looking_sar_points_from_the_ground_to_the_satellite():
    s, c = np.sin(np.radians(30)), np.cos(np.radians(30))
    # flying north, looking east: the satellite is west of the ground
    np.testing.assert_allclose(los_from_angles(30.0, 0.0), (-s, 0.0, c), atol=1e-15)
    # flying south (descending), looking west: the satellite is east
    np.testing.assert_allclose(los_from_angles(30.0, 180.0), (s, 0.0, c), atol=1e-15)
    # flying east, looking south: the satellite is north
    np.testing.assert_allclose(los_from_angles(30.0, 90.0), (0.0, s, c), atol=1e-15)
    e, n, u = los_from_angles(np.array([20.0, 44.0]), np.array([-12.0, 193.0]))
    np.testing.assert_allclose(e ** 2 + n ** 2 + u ** 2, 1.0)


def _geometry(inc, heading):
    return np.array(los_from_angles(inc, heading))


def test_two_tracks_recover_planted_east_and_up_with_the_closed_form_uncertainty():
    asc, dsc = _geometry(39.0, -8.9), _geometry(37.3, 191.4)
    v_e, v_u = 2.5, -7.0
    los = np.array([asc[0] * v_e + asc[2] * v_u, dsc[0] * v_e + dsc[2] * v_u])
    s = np.array([0.4, 0.9])
    sol = solve([[asc[0], dsc[0]]], [[asc[1], dsc[1]]], [[asc[2], dsc[2]]], [los], [s])
    assert sol.east[0] == pytest.approx(v_e, abs=1e-12) and sol.up[0] == pytest.approx(v_u, abs=1e-12)
    # two equations, two unknowns: x = A^-1 v and cov = A^-1 diag(s^2) A^-T
    a_inv = np.linalg.inv(np.array([[asc[0], asc[2]], [dsc[0], dsc[2]]]))
    cov = a_inv @ np.diag(s ** 2) @ a_inv.T
    assert sol.east_std[0] == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-12)
    assert sol.up_std[0] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-12)
    assert sol.condition[0] == pytest.approx(np.linalg.cond(np.array([[asc[0], asc[2]],
                                                                       [dsc[0], dsc[2]]])))
    assert sol.n_tracks[0] == 2


def test_three_tracks_are_weighted_least_squares():
    rng = np.random.default_rng(4)
    geo = np.array([_geometry(34.0, -10.0), _geometry(43.0, -12.0), _geometry(38.0, 190.0)])
    los = rng.normal(0, 5, 3)
    s = np.array([0.5, 1.5, 0.8])
    sol = solve([geo[:, 0]], [geo[:, 1]], [geo[:, 2]], [los], [s])
    a = geo[:, [0, 2]] / s[:, None]
    x, *_ = np.linalg.lstsq(a, los / s, rcond=None)
    cov = np.linalg.inv(a.T @ a)
    np.testing.assert_allclose([sol.east[0], sol.up[0]], x, rtol=1e-12)
    np.testing.assert_allclose([sol.east_std[0], sol.up_std[0]], np.sqrt(np.diag(cov)), rtol=1e-12)


def test_neglected_north_biases_by_the_closed_form_and_a_given_north_removes_it():
    asc, dsc = _geometry(39.0, -8.9), _geometry(37.3, 191.4)
    v = np.array([1.0, 0.0, -3.0])  # east, north, up
    v[1] = 4.0
    los = np.array([asc @ v, dsc @ v])
    args = ([[asc[0], dsc[0]]], [[asc[1], dsc[1]]], [[asc[2], dsc[2]]], [los], [[1.0, 1.0]])
    neglected = solve(*args)
    a = np.array([[asc[0], asc[2]], [dsc[0], dsc[2]]])
    bias = np.linalg.solve(a, np.array([asc[1], dsc[1]]) * v[1])
    assert neglected.east[0] - v[0] == pytest.approx(bias[0], abs=1e-12)
    assert neglected.up[0] - v[2] == pytest.approx(bias[1], abs=1e-12)
    known = solve(*args, north_velocity=4.0)
    assert known.east[0] == pytest.approx(v[0], abs=1e-12) and known.up[0] == pytest.approx(v[2], abs=1e-12)


def test_one_track_or_two_tracks_looking_the_same_way_give_no_answer():
    a1, a2, d = _geometry(33.0, -10.0), _geometry(44.0, -12.0), _geometry(38.0, 190.0)
    e = [[a1[0], np.nan], [a1[0], a2[0]], [a1[0], d[0]]]
    n = [[a1[1], np.nan], [a1[1], a2[1]], [a1[1], d[1]]]
    u = [[a1[2], np.nan], [a1[2], a2[2]], [a1[2], d[2]]]
    v = [[1.0, np.nan], [1.0, 2.0], [1.0, 2.0]]
    sol = solve(e, n, u, v, np.ones((3, 2)))
    assert np.isnan(sol.up[0]) and np.isinf(sol.condition[0])
    assert sol.condition[1] > 10 and np.isnan(sol.up[1])  # same side: ill-conditioned, left out
    assert sol.condition[2] < 2 and np.isfinite(sol.up[2])
    loose = solve(e, n, u, v, np.ones((3, 2)), max_condition=1e6)
    assert np.isfinite(loose.up[1])


def test_a_track_without_std_weighs_one_and_leaves_the_uncertainty_unknown():
    asc, dsc = _geometry(39.0, -8.9), _geometry(37.3, 191.4)
    sol = solve([[asc[0], dsc[0]]], [[asc[1], dsc[1]]], [[asc[2], dsc[2]]], [[1.0, -2.0]], [[0.5, np.nan]])
    assert np.isfinite(sol.up[0]) and np.isnan(sol.up_std[0])


def test_egms_velocity_recovers_a_planted_trend_with_annual_cycle():
    days = np.arange(0, 1825, 6, dtype=float) + 737427.0
    t = (days - days[0]) / 365.0
    y = 5.0 - 3.2 * t + 2.0 * (np.cos(2 * np.pi * t) - 1) + 1.5 * np.sin(2 * np.pi * t)
    rows = np.vstack([y, y + 7.0, np.where(np.arange(len(t)) % 5 == 0, np.nan, y)])
    np.testing.assert_allclose(egms_velocity(days, rows), [-3.2, -3.2, -3.2], atol=1e-9)


# --- gridding -------------------------------------------------------------------------------------
def _track(name, x, y, geo, velocity, std=None, dates=(), series=None):
    n = len(x)
    return gridding.Track(name, np.asarray(x, float), np.asarray(y, float), np.full(n, geo[0]),
                          np.full(n, geo[1]), np.full(n, geo[2]), np.asarray(velocity, float),
                          np.full(n, 0.5) if std is None else np.asarray(std, float), np.full(n, 0.8),
                          list(dates), series)


def test_points_fall_in_cells_aligned_to_the_cell_size_and_are_averaged():
    geo = _geometry(39.0, -8.9)
    t = _track("a", [10.0, 90.0, 150.0, -20.0], [10.0, 60.0, 20.0, 5.0], geo, [1.0, 3.0, 5.0, 7.0],
               std=[0.3, 0.4, 0.0, 0.2])
    targets = gridding.grid_targets([t], 100.0)
    np.testing.assert_allclose(sorted(zip(targets.x, targets.y)), [(-50, 50), (50, 50), (150, 50)])
    cells = gridding.aggregate(t, *targets.members[0], len(targets.x))
    by_centre = {(x, y): i for i, (x, y) in enumerate(zip(targets.x, targets.y))}
    i = by_centre[(50.0, 50.0)]
    assert cells.count[i] == 2 and cells.velocity[i] == pytest.approx(2.0)
    assert cells.velocity_std[i] == pytest.approx(np.sqrt(0.3 ** 2 + 0.4 ** 2) / 2)
    # a std of 0 (rounded) counts as half the smallest positive std
    assert cells.velocity_std[by_centre[(150.0, 50.0)]] == pytest.approx(0.1)
    assert targets.ids_of(np.array([by_centre[(-50.0, 50.0)]]))[0] == "E-100N0"
    half = gridding.grid_targets([t], 0.5)
    assert set(half.ids_of(np.arange(len(half.x)))) >= {"E10N10", "E-20N5"}


def test_interpolation_is_linear_and_leaves_long_gaps_and_the_outside_empty():
    dates = [dt.date(2020, 1, 1), dt.date(2020, 1, 13), dt.date(2020, 6, 1), dt.date(2020, 6, 13)]
    series = np.array([[0.0, 12.0, 24.0, 36.0], [1.0, np.nan, 3.0, 5.0]])
    targets = [dt.date(2019, 12, 30), dt.date(2020, 1, 1), dt.date(2020, 1, 7), dt.date(2020, 3, 1),
               dt.date(2020, 6, 7)]
    out = gridding.interpolate(dates, series, targets, method="linear")
    np.testing.assert_allclose(out[0], [np.nan, 0.0, 6.0, np.nan, 30.0])
    assert np.isnan(out[1, 2])  # row 2 lacks 13 January: 1 Jan to 1 Jun is a gap of 152 days
    assert out[1, 4] == pytest.approx(4.0)


def test_nearest_resampling_takes_the_nearest_acquisition_and_averages_equidistant_ones():
    dates = [dt.date(2020, 1, 1), dt.date(2020, 1, 13), dt.date(2020, 1, 25), dt.date(2020, 6, 1)]
    series = np.array([[0.0, 12.0, 30.0, 50.0]])
    targets = [dt.date(2020, 1, 3), dt.date(2020, 1, 7), dt.date(2020, 1, 20), dt.date(2020, 1, 25),
               dt.date(2020, 3, 15), dt.date(2020, 5, 15)]
    out = gridding.interpolate(dates, series, targets)
    # 3 Jan: 1 Jan; 7 Jan: 1 and 13 Jan equidistant, averaged; 20 Jan: 25 Jan; 15 Mar: 50 days from
    # 25 Jan, 78 from 1 Jun; 15 May: 17 days from 1 Jun
    np.testing.assert_allclose(out[0], [0.0, 6.0, 30.0, 30.0, 30.0, 50.0])
    # 30 March: 65 days after 25 January, 63 before 1 June: the nearest is within 90 days
    assert gridding.interpolate(dates, series, [dt.date(2020, 3, 30)])[0, 0] == 50.0
    assert np.isnan(gridding.interpolate(dates, series, [dt.date(2020, 3, 30)], max_gap=60.0)[0, 0])
    assert np.isnan(gridding.interpolate(dates, series, [dt.date(2019, 12, 31)])[0, 0])  # before


def test_common_dates_are_a_regular_step_inside_the_shared_period():
    a = [dt.date(2020, 1, 3), dt.date(2020, 3, 1)]
    b = [dt.date(2020, 1, 9), dt.date(2020, 2, 26)]
    got = gridding.common_dates([a, b], 6)
    assert got[0] == dt.date(2020, 1, 9) and got[-1] <= dt.date(2020, 2, 26)
    assert all((q - p).days == 6 for p, q in zip(got, got[1:]))
    assert gridding.common_dates([a, b], 0) == []  # a's dates inside the shared period: none
    with pytest.raises(InputError, match="share no period"):
        gridding.common_dates([a, [dt.date(2021, 1, 1)]], 6)


def test_series_on_common_dates_recover_planted_linear_motion_from_offset_acquisitions():
    asc, dsc = _geometry(39.0, -8.9), _geometry(37.3, 191.4)
    start = dt.date(2020, 1, 1)
    da = [start + dt.timedelta(days=12 * i) for i in range(60)]
    dd = [start + dt.timedelta(days=5 + 12 * i) for i in range(60)]
    x, y = np.array([20.0, 40.0, 260.0]), np.array([30.0, 70.0, 40.0])
    v_e, v_u = np.array([1.5, 1.5, -2.0]), np.array([-6.0, -6.0, 3.0])

    def los(geo, dates):
        t = np.array([(d - start).days / 365.25 for d in dates])
        return (geo[0] * v_e + geo[2] * v_u)[:, None] * t[None, :]

    a = _track("asc", x, y, asc, geo_rate(asc, v_e, v_u), dates=da, series=los(asc, da))
    d = _track("dsc", x + 5, y - 5, dsc, geo_rate(dsc, v_e, v_u), dates=dd, series=los(dsc, dd))
    res = decompose_tracks([a, d], 100.0, series=True, date_step=6, resampling="linear")
    assert len(res.x) == 2  # cells (0, 0) and (2, 0)
    order = np.argsort(res.x)
    np.testing.assert_allclose(res.solution.up[order], [-6.0, 3.0], atol=1e-12)
    np.testing.assert_allclose(res.solution.east[order], [1.5, -2.0], atol=1e-12)
    t = np.array([(q - start).days / 365.25 for q in res.dates])
    np.testing.assert_allclose(res.up_series[order], np.outer([-6.0, 3.0], t), atol=1e-9)
    np.testing.assert_allclose(res.east_series[order], np.outer([1.5, -2.0], t), atol=1e-9)
    assert res.dates[0] == dt.date(2020, 1, 6) and (res.dates[1] - res.dates[0]).days == 6
    fitted = decompose_tracks([a, d], 100.0, series=True, velocity_from_series=True,
                              resampling="linear")
    # EGMS's fit counts years of 365 days; the motion was planted per 365.25 days
    np.testing.assert_allclose(fitted.solution.up[np.argsort(fitted.x)],
                               np.array([-6.0, 3.0]) * 365.0 / 365.25, atol=1e-9)


def geo_rate(geo, v_e, v_u):
    return geo[0] * v_e + geo[2] * v_u


def test_at_points_each_point_of_the_first_track_gathers_the_tracks_within_the_radius():
    asc, dsc = _geometry(39.0, -8.9), _geometry(37.3, 191.4)
    a = _track("asc", [0.0, 500.0], [0.0, 0.0], asc, [geo_rate(asc, 1.0, -2.0)] * 2)
    d = _track("dsc", [10.0, 30.0, 900.0], [0.0, 0.0, 0.0], dsc, [geo_rate(dsc, 1.0, -2.0)] * 3)
    res = decompose_tracks([a, d], radius=40.0, point_ids=np.array([11, 12]))
    assert list(res.ids) == [11] and res.n_points[0] == 3  # the second point has no neighbour
    assert res.solution.up[0] == pytest.approx(-2.0) and res.solution.east[0] == pytest.approx(1.0)


def test_tracks_that_do_not_overlap_are_refused_with_the_reason():
    asc, dsc = _geometry(39.0, -8.9), _geometry(37.3, 191.4)
    a = _track("asc", [0.0], [0.0], asc, [1.0])
    d = _track("dsc", [5000.0], [0.0], dsc, [1.0])
    with pytest.raises(InputError, match="do not overlap"):
        decompose_tracks([a, d])
    a2 = _track("asc2", [5.0], [5.0], _geometry(44.0, -12.0), [1.0])
    with pytest.raises(InputError, match="too alike"):
        decompose_tracks([a, a2])


def test_series_solve_drops_a_missing_track_at_a_date():
    asc, dsc = _geometry(39.0, -8.9), _geometry(37.3, 191.4)
    cube = np.array([[[1.0, np.nan], [2.0, 3.0]]])  # 1 cell, 2 tracks, 2 dates
    e, u = solve_series([[asc[0], dsc[0]]], [[0.0, 0.0]], [[asc[2], dsc[2]]], cube, [[1.0, 1.0]], [0, 1])
    assert np.isnan(e[0, 1]) and np.isfinite(e[0, 0])
