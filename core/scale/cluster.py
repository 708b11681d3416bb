"""The scheduler setting (insar_fusion/dask_scheduler) and the Dask client it names.

  ""                 in this process (no Dask needed; the default)
  "local", "local:N" a distributed.LocalCluster of N worker processes (default 2) on this
                     machine, started on first use and closed by shutdown() (plugin unload)
  "tcp://host:port"  the scheduler of an existing cluster

dask and distributed are imported here only when a cluster is asked for.
"""
import logging
import os
import re
import threading
from typing import Optional, Tuple

from ..errors import InputError
from .engine import InProcess, OnCluster

DEFAULT_LOCAL_WORKERS = 2
INSTALL = ("Running on a Dask cluster needs the Python packages 'dask' and 'distributed': on "
           "Debian or Ubuntu `apt install python3-distributed`, elsewhere `python3 -m pip install "
           "\"dask[distributed]\"` in QGIS's Python. Or clear the scheduler in InSAR Fusion > "
           "Settings to run in-process.")
_LOCK = threading.Lock()
_CLIENTS: dict = {}   # setting -> (client, cluster or None)


def parse(setting: str) -> Tuple[str, object]:
    """("", None), ("local", n_workers) or ("tcp", address); InputError for anything else."""
    s = (setting or "").strip()
    if not s:
        return "", None
    m = re.fullmatch(r"local(?::(\d+))?", s, re.IGNORECASE)
    if m:
        n = int(m.group(1)) if m.group(1) else DEFAULT_LOCAL_WORKERS
        if not 1 <= n <= 256:
            raise InputError(f"The scheduler '{s}' asks for {n} local workers; give 1 to 256, e.g. local:2.")
        return "local", n
    m = re.fullmatch(r"(tcp|tls)://([^\s:/]+|\[[0-9a-fA-F:]+\]):(\d{1,5})", s)
    if m and 0 < int(m.group(3)) < 65536:
        return "tcp", s
    raise InputError(f"The Dask scheduler '{s}' is not understood. Leave it empty (in-process), "
                     "write local or local:N (N worker processes on this machine), or the address "
                     "of a running scheduler such as tcp://10.0.0.5:8786.")


def available() -> bool:
    """True when dask and distributed can be imported."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _require():
    try:
        import distributed
    except ImportError:
        raise InputError(INSTALL) from None
    return distributed


def _python() -> str:
    """The Python interpreter for worker processes (inside QGIS, sys.executable may be QGIS)."""
    import sys
    exe = sys.executable or ""
    if os.path.basename(exe).lower().startswith("python"):
        return exe
    for cand in (os.path.join(sys.exec_prefix, "bin", "python3"), "/usr/bin/python3"):
        if os.path.exists(cand):
            return cand
    return exe


def engine_for(setting: str):
    """The engine the setting names: InProcess() for "", a cluster engine otherwise."""
    kind, arg = parse(setting)
    if not kind:
        return InProcess()
    return OnCluster(client_for(setting), name=str(setting).strip())


def client_for(setting: str):
    """The Client of the setting's cluster, started (local) or connected (tcp) on first use."""
    kind, arg = parse(setting)
    if not kind:
        raise ValueError("no cluster for the in-process setting")
    distributed = _require()
    key = str(setting).strip().lower()
    with _LOCK:
        held = _CLIENTS.get(key)
        if held is not None and held[0].status == "running":
            return held[0]
        if kind == "local":
            import multiprocessing
            import warnings

            import dask
            multiprocessing.set_executable(_python())
            # Dask's default MALLOC_TRIM_THRESHOLD_ for workers turns off glibc's adaptive mmap
            # threshold: every large numpy temporary is then mapped and unmapped anew, and the
            # same GWR tile cost 1.6x the CPU time on a worker. Keep one BLAS thread a worker.
            env = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}
            with warnings.catch_warnings(), dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
                warnings.filterwarnings("ignore", message=".*already in use.*")
                cluster = distributed.LocalCluster(n_workers=arg, threads_per_worker=1,
                                                   processes=True, host="127.0.0.1",
                                                   dashboard_address=None,
                                                   silence_logs=logging.ERROR)
            client = distributed.Client(cluster, set_as_default=False)
        else:
            cluster = None
            try:
                client = distributed.Client(arg, timeout=10, set_as_default=False)
            except (OSError, TimeoutError) as e:
                raise InputError(f"Cannot reach the Dask scheduler at {arg}: {e}. Check that the "
                                 "scheduler runs and that this machine may connect to it.") from None
        _CLIENTS[key] = (client, cluster)
        return client


def shutdown() -> None:
    """Close every client this module opened and every LocalCluster it started."""
    with _LOCK:
        held = list(_CLIENTS.values())
        _CLIENTS.clear()
    for client, cluster in held:
        for obj in (client, cluster):
            if obj is None:
                continue
            try:
                obj.close()
            except Exception:  # closing is best effort: the process may be going away
                pass


def running() -> Optional[list]:
    """The settings whose clients are open (for tests and the unload check)."""
    with _LOCK:
        return sorted(_CLIENTS)
