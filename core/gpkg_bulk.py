"""Bulk writing helpers for GeoPackage point layers: a packed spatial index, quiet triggers.

Spatial index (Sort-Tile-Recursive packing).

SQLite's R*Tree has no bulk load: filling it row by row (GDAL's CreateSpatialIndex, or the
GeoPackage triggers) costs some 10 us per feature, 10 s for a million points. Here the tree is
packed with STR in numpy and its three shadow tables (`_node`, `_rowid`, `_parent`) are written
directly, in SQLite's own node format (as GDAL >= 3.7 does for GeoPackage). The result is
checked with SQLite's rtreecheck(); callers fall back to the slow path if it is not 'ok'.
"""
import math
import sqlite3

import numpy as np

CELLS = 51           # RTREE_MAXCELLS: SQLite's node holds at most 51 cells
CELL_BYTES = 24      # 8-byte id + 4 float32 coordinates (2-D)
NODE_BYTES = 4 + CELLS * CELL_BYTES  # 1228, SQLite's node size for a 2-D tree on 4 KiB pages
_CELL = np.dtype([("id", ">i8"), ("minx", ">f4"), ("maxx", ">f4"), ("miny", ">f4"), ("maxy", ">f4")])


def _round_down(v: np.ndarray) -> np.ndarray:
    """float32 no larger than v (SQLite rounds the lower bounds towards -inf)."""
    f = v.astype(np.float32)
    bad = f.astype(np.float64) > v
    f[bad] = np.nextafter(f[bad], np.float32(-np.inf))
    return f


def _round_up(v: np.ndarray) -> np.ndarray:
    f = v.astype(np.float32)
    bad = f.astype(np.float64) < v
    f[bad] = np.nextafter(f[bad], np.float32(np.inf))
    return f


def _str_order(cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """STR: vertical slices of about sqrt(nodes) nodes each, sorted by y inside a slice."""
    n = len(cx)
    nodes = math.ceil(n / CELLS)
    per_slice = math.ceil(math.sqrt(nodes)) * CELLS
    slice_id = np.empty(n, np.int64)
    slice_id[np.argsort(cx, kind="stable")] = np.arange(n) // per_slice
    return np.lexsort((cy, slice_id))


def _pack(ids, minx, maxx, miny, maxy):
    """Group entries into nodes of up to CELLS cells; return (node cells, node boxes)."""
    order = _str_order((minx + maxx) * 0.5, (miny + maxy) * 0.5)
    ids, minx, maxx, miny, maxy = ids[order], minx[order], maxx[order], miny[order], maxy[order]
    n = len(ids)
    k = math.ceil(n / CELLS)
    starts = np.arange(k) * CELLS
    boxes = (np.minimum.reduceat(minx, starts), np.maximum.reduceat(maxx, starts),
             np.minimum.reduceat(miny, starts), np.maximum.reduceat(maxy, starts))
    cells = np.zeros(k * CELLS, _CELL)
    cells["id"][:n], cells["minx"][:n], cells["maxx"][:n] = ids, minx, maxx
    cells["miny"][:n], cells["maxy"][:n] = miny, maxy
    counts = np.full(k, CELLS)
    counts[-1] = n - (k - 1) * CELLS
    return cells, counts, boxes, ids


def _blobs(cells, counts, depth_of_root=None):
    k = len(counts)
    raw = np.zeros((k, NODE_BYTES), np.uint8)
    raw[:, 4:] = cells.view(np.uint8).reshape(k, CELLS * CELL_BYTES)
    raw[:, 2] = counts >> 8
    raw[:, 3] = counts & 0xFF
    if depth_of_root is not None:
        raw[0, 0], raw[0, 1] = depth_of_root >> 8, depth_of_root & 0xFF
    return [bytes(r) for r in raw]


def fill_point_rtree(con: sqlite3.Connection, rtree: str, fids: np.ndarray, x: np.ndarray,
                     y: np.ndarray) -> None:
    """Fill the (empty) R*Tree virtual table `rtree` with points, in bulk.

    fids are the feature ids; points with a non-finite coordinate are left out (as GDAL does
    for empty geometries). Raises RuntimeError if SQLite's rtreecheck() does not report 'ok'.
    """
    ok = np.isfinite(x) & np.isfinite(y)
    ids = np.asarray(fids, np.int64)[ok]
    q = '"%s' % rtree.replace('"', '""')
    con.execute(f'DELETE FROM {q}_node"')
    con.execute(f'DELETE FROM {q}_rowid"')
    con.execute(f'DELETE FROM {q}_parent"')
    if ids.size == 0:
        con.execute(f'INSERT INTO {q}_node" VALUES (1, ?)', (bytes(NODE_BYTES),))
        return
    xs, ys = np.asarray(x, float)[ok], np.asarray(y, float)[ok]
    level = (ids, _round_down(xs), _round_up(xs), _round_down(ys), _round_up(ys))
    levels = []
    while True:
        cells, counts, boxes, ordered_ids = _pack(*level)
        levels.append((cells, counts, ordered_ids))
        if len(counts) == 1:
            break
        level = (np.arange(len(counts), dtype=np.int64), *boxes)  # placeholder ids for now
    # Number the nodes: the root is 1, then level by level downwards.
    depth = len(levels) - 1
    first, nxt = {}, 1
    for li in range(depth, -1, -1):
        first[li] = nxt
        nxt += len(levels[li][1])
    parents = []
    for li in range(depth, -1, -1):
        cells, counts, ordered_ids = levels[li]
        nodenos = first[li] + np.arange(len(counts))
        owner = np.repeat(nodenos, counts)
        if li > 0:  # cells point at the nodes of the level below (ids were their positions)
            children = first[li - 1] + ordered_ids
            cells["id"][:len(children)] = children
            parents.append((children, owner))
        else:
            order = np.argsort(ordered_ids)  # ascending rowids append to the B-tree
            con.executemany(f'INSERT INTO {q}_rowid" VALUES (?, ?)',
                            zip(ordered_ids[order].tolist(), owner[order].tolist()))
        blobs = _blobs(cells, counts, depth if li == depth else None)
        con.executemany(f'INSERT INTO {q}_node" VALUES (?, ?)', zip(nodenos.tolist(), blobs))
    for children, owner in parents:
        con.executemany(f'INSERT INTO {q}_parent" VALUES (?, ?)',
                        zip(children.tolist(), owner.tolist()))
    check = con.execute("SELECT rtreecheck(?)", (rtree,)).fetchone()[0]
    if check != "ok":
        raise RuntimeError(f"bulk R-tree failed rtreecheck: {check[:200]}")


def _quote(name: str) -> str:
    return '"%s"' % name.replace('"', '""')


def bulk_point_index(con: sqlite3.Connection, table: str, geom: str, x: np.ndarray,
                     y: np.ndarray) -> bool:
    """Fill the GeoPackage R-tree of `table` (created empty, its triggers dropped) in bulk.

    The features must have fids 1..n in the order of x and y. Returns False, with nothing
    changed, when that does not hold or the packed tree fails its check: the caller then
    builds the index the slow way.
    """
    n = len(x)
    row = con.execute(f"SELECT min(fid), max(fid), count(*) FROM {_quote(table)}").fetchone()
    if n == 0 or tuple(row) != (1, n, n):
        return False
    con.execute("SAVEPOINT bulk_rtree")
    try:
        fill_point_rtree(con, f"rtree_{table}_{geom}", np.arange(1, n + 1), x, y)
    except (RuntimeError, sqlite3.Error):
        con.execute("ROLLBACK TO bulk_rtree")
        con.execute("RELEASE bulk_rtree")
        return False
    con.execute("RELEASE bulk_rtree")
    return True


def drop_triggers(con: sqlite3.Connection, table: str, geom: str, rtree: bool) -> list:
    """Drop the per-row triggers of `table` for a bulk insert; return their SQL to restore them.

    The feature-count triggers (an UPDATE of gpkg_ogr_contents per row, a third of the insert
    time) always go; the R-tree ones (they call GDAL's SQL functions, which a plain sqlite3
    connection lacks) when `rtree`.
    """
    names = [f"trigger_insert_feature_count_{table}", f"trigger_delete_feature_count_{table}"]
    rows = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                       (table,)).fetchall()
    prefix = f"rtree_{table}_{geom}_"
    dropped = [(n, sql) for n, sql in rows if n in names or (rtree and n.startswith(prefix))]
    for name, _ in dropped:
        con.execute(f"DROP TRIGGER {_quote(name)}")
    return dropped


def restore_triggers(con: sqlite3.Connection, table: str, dropped: list) -> None:
    """Re-create the dropped triggers and set the feature count they would have kept."""
    for _, sql in dropped:
        con.execute(sql)
    if any(n.startswith("trigger_insert_feature_count_") for n, _ in dropped):
        con.execute("UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM "
                    f"{_quote(table)}) WHERE lower(table_name) = lower(?)", (table,))
