import datetime as dt

import numpy as np
import pytest

from insar_fusion.core import dates
from insar_fusion.core.errors import InputError


@pytest.mark.parametrize("name", ["D20190109", "D_20190109", "20190109", "d20190109"])
def test_date_field_spellings_all_parse(name):
    assert dates.date_of_field(name) == dt.date(2019, 1, 9)


@pytest.mark.parametrize("name", ["velocity", "D2019010", "pid", "D201901091", "x20190109"])
def test_non_date_fields_are_ignored(name):
    assert dates.date_of_field(name) is None


def test_impossible_date_in_a_date_field_is_refused_with_its_name():
    with pytest.raises(InputError, match="20191340"):
        dates.date_of_field("D20191340")


def test_duplicate_dates_are_refused_naming_both_fields():
    with pytest.raises(InputError, match="D20190109.*20190109|same date"):
        dates.date_fields(["D20190109", "20190109", "velocity"])


def test_date_fields_sorted_by_date():
    got = dates.date_fields(["D20200101", "velocity", "D20190601", "D_20190101"])
    assert [n for n, _ in got] == ["D_20190101", "D20190601", "D20200101"]


@pytest.mark.parametrize("name,expected", [
    ("ndvi_201907.tif", dt.date(2019, 7, 1)),
    ("NDVI_20190716.tif", dt.date(2019, 7, 16)),
    ("sm10cm_2020-01-15.tif", dt.date(2020, 1, 15)),
    ("/data/precip/precip_202008.tif", dt.date(2020, 8, 1)),
])
def test_dates_from_file_names(name, expected):
    assert dates.date_of_filename(name) == expected


def test_undated_file_is_refused_with_a_hint():
    with pytest.raises(InputError, match="YYYYMM"):
        dates.dated_files(["ndvi.tif"])


def test_decimal_years_are_exact_at_year_starts_and_leap_years():
    got = dates.decimal_years([dt.date(2019, 1, 1), dt.date(2020, 7, 2), dt.date(2021, 1, 1)])
    assert np.allclose(got, [2019.0, 2020 + 183 / 366, 2021.0])


@pytest.mark.parametrize("value", ["2019-07-01", "20190701", dt.date(2019, 7, 1),
                                   dt.datetime(2019, 7, 1, 12)])
def test_to_date_accepts_script_and_widget_forms(value):
    assert dates.to_date(value) == dt.date(2019, 7, 1)
