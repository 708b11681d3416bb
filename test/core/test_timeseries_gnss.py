"""GNSS against InSAR: LOS geometry against its closed form, and planted truth recovered."""
import datetime as dt
import math

import numpy as np
import pytest

from insar_fusion.core.errors import InputError
from insar_fusion.core.timeseries import gnss


def test_los_vector_from_incidence_and_heading_is_the_textbook_one():
    # Sentinel-1 ascending: heading about -12 deg, incidence 39 deg: the satellite is to the
    # west (a little south) of the ground and above it
    v = gnss.los_vector(incidence=39.0, heading=-12.0)
    th, al = math.radians(39.0), math.radians(-12.0)
    assert np.allclose(v, [-math.sin(th) * math.cos(al), math.sin(th) * math.sin(al), math.cos(th)])
    assert v[0] < -0.6 and v[1] < 0 and v[2] > 0.7 and np.linalg.norm(v) == pytest.approx(1.0)
    # a pure vertical motion shows as cos(incidence) of it in LOS
    up = gnss.Station("s", (dt.date(2020, 1, 1), dt.date(2020, 2, 1)), np.zeros(2), np.zeros(2), np.array([0.0, 10.0]))
    series, _, direction = gnss.project(up, v)
    assert direction == "LOS" and series[1] == pytest.approx(10.0 * math.cos(th))
    assert np.allclose(gnss.los_vector(0.6, -0.1, 0.79), np.array([0.6, -0.1, 0.79]) / np.linalg.norm([0.6, -0.1, 0.79]))
    assert gnss.los_vector() is None
    assert gnss.project(up, None)[2] == "vertical"


def test_read_station_and_compare_recover_the_planted_offset_rate_and_noise(tmp_path):
    days = np.arange(0, 900, 1)
    dates = [dt.date(2019, 1, 1) + dt.timedelta(days=int(d)) for d in days]
    rng = np.random.default_rng(4)
    up_m = (-0.02 * days / 365.25) + rng.normal(0, 0.001, len(days))  # -20 mm/yr, in metres
    path = tmp_path / "STA1.csv"
    with open(path, "w") as f:
        f.write("Date,East,North,Up,sigma_up\n")
        for d, u in zip(dates, up_m):
            f.write(f"{d.isoformat()},0.001,0.000,{u:.6f},0.0015\n")
    st = gnss.read_station(str(path), unit="m")
    assert st.name == "STA1" and len(st.dates) == len(days)
    assert st.up[10] == pytest.approx(up_m[10] * 1000.0, abs=1e-3) and st.sigma_up[0] == pytest.approx(1.5)
    assert st.sigma_east is None
    idates = dates[5:880:12]
    insar = np.array([-20.0 * (d - dates[0]).days / 365.25 + 7.0 for d in idates]) + rng.normal(0, 2.0, len(idates))
    series, sigma, direction = gnss.project(st, None)
    c = gnss.compare(idates, insar, st.dates, series, direction)
    expected_offset = np.mean(insar - np.interp([d.toordinal() for d in idates],
                                                [d.toordinal() for d in st.dates], series))
    assert c.offset_mm == pytest.approx(expected_offset, abs=1e-9)
    assert c.offset_mm == pytest.approx(7.0, abs=1.0)
    assert c.rms_mm == pytest.approx(2.0, rel=0.3)  # the InSAR noise planted
    assert c.rate_gnss == pytest.approx(-20.0, abs=0.3) and abs(c.rate_difference) < 1.5
    assert np.allclose(c.insar - c.gnss, insar - (np.interp([d.toordinal() for d in idates],
                       [d.toordinal() for d in st.dates], series) + c.offset_mm))


def test_bad_gnss_files_are_refused_clearly(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("date,x,y\n2020-01-01,1,2\n2020-01-02,1,2\n")
    with pytest.raises(InputError, match="lacks the column"):
        gnss.read_station(str(p))
    p.write_text("date,east,north,up\n2020-01-01,1,2,3\nyesterday,1,2,3\n")
    with pytest.raises(InputError, match="row 3"):
        gnss.read_station(str(p))
    with pytest.raises(InputError, match="overlap"):
        gnss.compare([dt.date(2010, 1, 1)] * 3, np.zeros(3), [dt.date(2020, 1, 1), dt.date(2020, 2, 1)],
                     np.zeros(2))
