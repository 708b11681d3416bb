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
    ("ndvi_201907.tif", dt.date(2019, 7, 16)),
    ("NDVI_20190716.tif", dt.date(2019, 7, 16)),
    ("sm10cm_2020-01-15.tif", dt.date(2020, 1, 15)),
    ("/data/precip/precip_202008.tif", dt.date(2020, 8, 16)),
    ("ndvi_20190701.tif", dt.date(2019, 7, 1)),
])
def test_dates_from_file_names(name, expected):
    """A month-only name stands for the middle of the month (monthly means), a full date for itself."""
    assert dates.date_of_filename(name) == expected


@pytest.mark.parametrize("name,month_only,first,last", [
    ("ndvi_201902.tif", True, dt.date(2019, 2, 1), dt.date(2019, 2, 28)),
    ("ndvi_2020-02.tif", True, dt.date(2020, 2, 1), dt.date(2020, 2, 29)),
    ("ndvi_20190705.tif", False, dt.date(2019, 7, 5), dt.date(2019, 7, 5)),
    ("ndvi_2019_07_05.tif", False, dt.date(2019, 7, 5), dt.date(2019, 7, 5)),
])
def test_file_date_tells_month_only_names_and_their_period(name, month_only, first, last):
    found = dates.file_date(name)
    assert found.month_only is month_only
    assert (found.first, found.last) == (first, last)
    assert dates.file_date(name, dates.MONTH_FIRST).date == (first if month_only else found.date)


def test_the_modules_that_read_dated_names_all_follow_core_dates():
    """stack_dates, the optical periods and the InSAR stack grouping decide 'month-only' alike."""
    from insar_fusion.core.optical.stack import DatedRaster  # noqa: F401 (imports file_date)
    from insar_fusion.core.timeseries.monthly import stack_dates
    assert stack_dates(["/d/ndvi_201907.tif"])[0][1] == dt.date(2019, 7, dates.MONTH_DAY)
    assert dates.MONTH_DAY == dates.MONTH_MIDDLE == 16
    assert dates.dated_name_key("/d/disp_20190109.tif") == dates.dated_name_key("/d/disp_2019-01-21.tif")
    assert dates.dated_name_key("/d/disp_201901.tif") is None


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
