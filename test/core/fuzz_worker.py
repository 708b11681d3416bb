"""Imports the files named on stdin, one per line, and answers one line each:
'ok <n points>', 'refused <message>' (an InputError) or 'bug <traceback>' (anything else, or
an HDF5 file the importer left open).

Run by test_importer_fuzz.py in a subprocess, so that a crash or a hang of the importer on a
spoiled file cannot take the test session down: the parent sees the worker die or time out.
"""
import json
import sys
import traceback

import h5py

sys.path.insert(0, sys.argv[1])  # the folder holding the package `insar_fusion`

from insar_fusion.core.errors import InputError  # noqa: E402
from insar_fusion.core.insar.importer import import_points  # noqa: E402

for line in sys.stdin:
    path = line.strip()
    try:
        table = import_points(path, "auto", "EPSG:32647")
        answer = f"ok {len(table)}"
    except InputError as e:
        answer = "refused " + str(e)
    except Exception:  # noqa: BLE001  (reported to the parent as a bug)
        answer = "bug " + traceback.format_exc()
    open_files = h5py.h5f.get_obj_ids(types=h5py.h5f.OBJ_FILE)
    if open_files:  # the importer must close what it opened, on every path
        answer = f"bug: {len(open_files)} HDF5 file(s) left open after: {answer}"
        for fid in open_files:
            fid.close()
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
