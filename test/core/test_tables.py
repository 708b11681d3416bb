import csv
import datetime as dt
import os

import numpy as np
import pytest

from insar_fusion.core.errors import InputError
from insar_fusion.core.tables import read_table, write_rows, write_table


def test_geopackage_table_round_trip_keeps_types_and_nulls(tmp_path):
    path = write_table(str(tmp_path / "t.gpkg"), {
        "name": ["P1", None, "P3"], "n": np.array([3, 4, 5]), "r": [0.5, float("nan"), float("inf")],
        "day": [dt.date(2019, 7, 1), None, dt.date(2020, 1, 1)]})
    rows = read_table(path)
    assert [r["name"] for r in rows] == ["P1", None, "P3"]
    assert [r["n"] for r in rows] == [3, 4, 5]
    assert rows[0]["r"] == 0.5 and rows[1]["r"] is None and rows[2]["r"] is None
    assert rows[0]["day"] in ("2019/07/01", "2019-07-01") and rows[1]["day"] is None


def test_csv_rows_keep_numbers_unquoted(tmp_path):
    path = write_rows(str(tmp_path / "t.csv"), ("site", "lag_days"), [("P1", 14.5), ("P2, east", 30.0)])
    text = open(path).read().splitlines()
    assert text[0] == "site,lag_days" and text[1] == "P1,14.5" and text[2] == '"P2, east",30'
    assert list(csv.reader(text))[2] == ["P2, east", "30"]


def test_unknown_extension_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(InputError, match="extension"):
        write_table(str(tmp_path / "t.txt"), {"a": [1]})
    assert os.listdir(tmp_path) == []
