"""Spoilers of text and HDF5 inputs for the bad-input catalogue (mutations.py): CSV tables,
EGMS CSV files and MintPy HDF5 files. Each takes a valid file and a folder and writes the
spoiled copy there."""
import csv
import os
from typing import Callable, Dict

import h5py
import numpy as np


def _out(folder, value, suffix="") -> str:
    stem, ext = os.path.splitext(os.path.basename(value))
    return os.path.join(str(folder), f"{stem}{suffix}{ext}")


# --- CSV tables ------------------------------------------------------------------------------
def _rows(value):
    with open(value, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def csv_edit(edit):
    """A CSV mutation: edit(header, rows) -> (header, rows)."""
    def make(value, folder):
        header, rows = edit(*_rows(value))
        out = _out(folder, value)
        with open(out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        return out
    return make


def _is_date(text):
    t = text.replace("-", "")
    return len(t) == 8 and t.isdigit()


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _cols(header, rows, test):
    return [j for j in range(len(header)) if rows and test(rows[0][j])]


def _set(rows, j_list, row, value):
    for j in j_list:
        rows[row][j] = value
    return rows


def csv_cases() -> Dict[str, Callable]:
    """Edits of a table whose columns hold dates and/or numbers (the first row decides which)."""
    def dates(h, r):
        return [j for j in _cols(h, r, _is_date) if not _is_number(r[0][j]) or "-" in r[0][j]]

    def numbers(h, r):
        return [j for j in _cols(h, r, _is_number) if "-" not in r[0][j] or r[0][j].startswith("-")]
    return {
        "empty_layer": lambda h, r: (h, []),
        "one_feature": lambda h, r: (h, r[:1]),
        "all_null": lambda h, r: (h, [[""] * len(h) for _ in r]),
        "nan_inf": lambda h, r: (h, _set(_set(r, numbers(h, r), 0, "inf"), numbers(h, r), 1, "nan")),
        "text_number": lambda h, r: (h, _set(r, numbers(h, r)[:1], 0, "abc")),
        "bad_date": lambda h, r: (h, _set(r, dates(h, r)[:1], 0, "2019-13-45")),
        "duplicate_date": lambda h, r: (h, r + [list(r[0])]),
    }


def truncated_csv(value, folder):
    """Cut inside the first field of a row past the middle, as a copy that stopped."""
    out = _out(folder, value)
    data = open(value, "rb").read()
    start = data.index(b"\n", len(data) // 2) + 1
    if start >= len(data) - 3:  # the middle is in the last row: cut that row instead
        start = data.rindex(b"\n", 0, len(data) - 1) + 1
    with open(out, "wb") as f:
        f.write(data[:start + 3])
    return out


# --- EGMS CSV (importpoints) ------------------------------------------------------------------
def egms_cases() -> Dict[str, Callable]:
    def date_cols(h):
        return [j for j, n in enumerate(h) if n.isdigit() and len(n) == 8]

    def nan_inf(h, r):
        j = h.index("mean_velocity")
        r[0][j], r[1][j] = "inf", "nan"
        r[2][date_cols(h)[0]] = "-inf"
        return h, r

    def text(h, r):
        r[0][h.index("mean_velocity")] = "abc"
        return h, r

    def bad_date(h, r):
        h = list(h)
        h[date_cols(h)[1]] = "20191340"
        return h, r

    def dup_date(h, r):
        j = date_cols(h)[0]
        return h + ["D" + h[j]], [row + [row[j]] for row in r]
    return {"empty_layer": lambda h, r: (h, []), "one_feature": lambda h, r: (h, r[:1]),
            "all_null": lambda h, r: (h, [[""] * len(h) for _ in r]), "nan_inf": nan_inf,
            "text_number": text, "bad_date": bad_date, "duplicate_date": dup_date}


# --- MintPy HDF5 (importpoints) ---------------------------------------------------------------
def h5_edit(edit):
    def make(value, folder):
        out = _out(folder, value)
        with h5py.File(value, "r") as src, h5py.File(out, "w") as dst:
            data = {k: src[k][()] for k in src.keys()}
            data = edit(data)
            for k, v in data.items():
                dst.create_dataset(k, data=v)
            dst.attrs.update(dict(src.attrs))
        return out
    return make


def h5_set(key, fn):
    def edit(d):
        d[key] = fn(np.array(d[key]))
        return d
    return edit


def h5_nan_inf(d):
    ts = d["timeseries"].astype(np.float32)
    ts[0, 1, 1], ts[1, 2, 2] = np.inf, -np.inf
    d["timeseries"] = ts
    return d


def h5_text(d):
    d["timeseries"] = np.array([b"abc"] * d["timeseries"].size).reshape(d["timeseries"].shape)
    return d


def h5_empty(d):
    d["timeseries"] = d["timeseries"][:0]
    d["date"] = d["date"][:0]
    return d
