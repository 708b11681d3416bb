"""National scale: points cut into spatial tiles with halos, run tile by tile in this process or
on a Dask cluster, with results equal to one run over all the points (docs/scale-out.md).

Nothing here imports dask or distributed at module level: the plugin loads without them.
"""
