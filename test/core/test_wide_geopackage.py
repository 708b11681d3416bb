"""A GeoPackage with hundreds of date fields (EGMS at a 6-day revisit) is read in full.

GDAL 3.6's GeoPackage Arrow reader silently returns no rows beyond ~125 fields; read_points must
still return every row and value.
"""
import numpy as np
from osgeo import ogr, osr

from insar_fusion.core.vector_io import read_points


def test_read_points_returns_every_row_of_a_layer_with_300_fields(tmp_path):
    path = str(tmp_path / "wide.gpkg")
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("wide", srs, ogr.wkbPoint)
    names = [f"f{k:03d}" for k in range(300)]
    for n in names:
        lyr.CreateField(ogr.FieldDefn(n, ogr.OFTReal))
    rng = np.random.default_rng(0)
    values = rng.normal(size=(7, 300))
    lyr.StartTransaction()
    for i in range(7):
        f = ogr.Feature(lyr.GetLayerDefn())
        for j, n in enumerate(names):
            f.SetField(n, float(values[i, j]))
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(4e5 + i, 4.3e6)
        f.SetGeometry(g)
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None
    got = read_points(path)
    assert len(got) == 7
    np.testing.assert_allclose(got.x, 4e5 + np.arange(7))
    np.testing.assert_allclose(np.column_stack([got.columns[n] for n in names]), values)
