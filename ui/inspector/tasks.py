"""Background work for the inspector. run() never touches widgets, layers or the project."""
import os
import time

import numpy as np
from qgis.core import (QgsFeatureRequest, QgsProviderRegistry, QgsTask, QgsVectorLayerFeatureSource)

from ...core.dates import date_fields
from ...core.errors import Cancelled, InputError
from ...core.progress import Progress
from ...core.timeseries.selection import site_data
from ...core.timeseries.site import analyse
from ...core.points import find_column
from ...core.timeseries.store import EXTRA_FIELDS, PointStore, find_id_field, read_store
from ...processing.timeseries.reading import number as _number

BULK_EXTENSIONS = (".gpkg", ".shp", ".geojson", ".fgb", ".sqlite")


class _Task(QgsTask):
    """A task that keeps its exception and hands the outcome to `done(task)` on the main thread."""

    def __init__(self, description, done):
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.done = done
        self.error = None
        self.result = None
        self.timings = {"created": time.perf_counter()}  # perf_counter stamps (bench/bench_inspector.py)

    def progress(self) -> Progress:
        return Progress(lambda f: self.setProgress(100.0 * f), self.isCanceled)

    def run(self):
        self.timings["run"] = time.perf_counter()
        try:
            self.result = self.work()
            return not self.isCanceled()
        except Cancelled:
            return False
        except InputError as e:
            self.error = str(e)
            return False
        except Exception as e:  # shown in the dock, never raised in a worker thread
            self.error = f"{type(e).__name__}: {e}"
            return False
        finally:
            self.timings["worked"] = time.perf_counter()

    def finished(self, ok):
        self.timings["finished"] = time.perf_counter()
        if self.done is not None:
            self.done(self)

    def work(self):
        raise NotImplementedError


class IndexTask(_Task):
    """Read an InSAR layer once into a PointStore (coordinates in a k-d tree, float32 series)."""

    def __init__(self, layer, done, lookup="kdtree"):
        super().__init__(f"Indexing {layer.name()} for the inspector", done)
        self.layer_id = layer.id()
        self.lookup = lookup
        self.crs_wkt = layer.crs().toWkt()
        self.path, self.layer_name, self.source = "", None, None
        parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
        path = parts.get("path", "")
        if layer.providerType() == "ogr" and not layer.subsetString() and \
                os.path.splitext(path)[1].lower() in BULK_EXTENSIONS:
            self.path, self.layer_name = path, parts.get("layerName") or None
        else:  # any other provider: a thread-safe copy of the feature source
            self.source = QgsVectorLayerFeatureSource(layer)
            self.fields = [f.name() for f in layer.fields()]

    def work(self) -> PointStore:
        if self.path:
            return read_store(self.path, self.layer_name, self.progress(), self.lookup)
        dated = date_fields(self.fields)
        if not dated:
            raise InputError("The InSAR layer has no date fields (DYYYYMMDD, one per acquisition).")
        id_field = find_id_field(self.fields)
        extras = {k: find_column(self.fields, aliases) for k, aliases in EXTRA_FIELDS.items()}
        extras = {k: v for k, v in extras.items() if v is not None}
        names = [n for n, _ in dated] + ([id_field] if id_field else [])
        idx = [self.fields.index(n) for n in names]
        extra_idx = {k: self.fields.index(v) for k, v in extras.items()}
        extra = {k: [] for k in extras}
        xs, ys, ids, rows = [], [], [], []
        wanted = idx + list(extra_idx.values())
        for feat in self.source.getFeatures(QgsFeatureRequest().setSubsetOfAttributes(wanted)):
            if self.isCanceled():
                raise Cancelled()
            geom = feat.geometry()
            if geom.isNull() or geom.isEmpty():
                continue
            pt = geom.asPoint() if not geom.isMultipart() else geom.centroid().asPoint()
            attrs = feat.attributes()
            xs.append(pt.x())
            ys.append(pt.y())
            ids.append(attrs[idx[-1]] if id_field else feat.id())
            rows.append([_number(attrs[i]) for i in idx[:len(dated)]])
            for k, i in extra_idx.items():
                extra[k].append(_number(attrs[i]))
        if not xs:
            raise InputError("The InSAR layer has no point.")
        return PointStore(np.array(xs), np.array(ys), np.array(ids), [d for _, d in dated],
                          np.array(rows, np.float32), self.crs_wkt, self.lookup,
                          {k: np.array(v, float) for k, v in extra.items()}, reorder=True)


class SiteTask(_Task):
    """Read one site (a clicked point and its circle, or a polygon), relative to the reference,
    with every stack, and analyse it."""

    def __init__(self, store, readers, shape, radius, smoothing, add, done, base_day=1,
                 reference=None, tolerance=None, name=""):
        super().__init__("Reading the time series at the clicked point", done)
        self.store, self.readers = store, list(readers)
        self.shape, self.radius, self.smoothing, self.add = shape, radius, smoothing, add
        self.base_day, self.reference, self.tolerance, self.name = base_day, reference, tolerance, name

    def work(self):
        return read_site(self.store, self.readers, self.shape, self.radius, self.smoothing,
                         self.base_day, self.reference, self.tolerance, self.name, self.progress())


def read_site(store, readers, shape, radius, smoothing, base_day=1, reference=None, tolerance=None,
              name="", progress=None):
    """The analysis of one site (what SiteTask runs; also called directly for saved selections)."""
    data = site_data(store, readers, shape, radius, reference, tolerance, name, progress)
    return analyse(data, smoothing, base_day=base_day)
