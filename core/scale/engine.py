"""Where tile tasks run: in this process, one after the other, or on a Dask cluster.

A task is (function, args); the function takes a keyword `progress` (core.progress.Progress)
and is called with the same arguments either way, so both engines compute the same bits.
On a cluster, Cancel sets a distributed Event that every running task checks through its
progress, cancels the futures not yet started, and waits until no task of the run is left
running on any worker, so nothing is written after the caller removes its temporary files.
(The scheduler forgets a cancelled key at once while its thread may still work, so each worker
counts the tasks inside `_remote` itself.)
"""
import threading
import time
import uuid
from typing import Callable, Dict, Iterator, Optional, Sequence, Tuple

from ..errors import Cancelled
from ..progress import Progress, ensure

Task = Tuple[Callable, tuple]
POLL = 0.02          # seconds between two looks at the futures
CHECK_EVERY = 0.2    # seconds between two looks of a task at the cancel event
SETTLE = 30.0        # seconds to wait for running tasks to stop after a cancel


class InProcess:
    """Runs the tasks here, in order (the default, and the reference for the cluster)."""

    name = "in-process"
    workers = 1

    def run(self, tasks: Sequence[Task], progress: Optional[Progress] = None) -> Iterator[Tuple[int, object]]:
        progress = ensure(progress)
        n = max(len(tasks), 1)
        for i, (fn, args) in enumerate(tasks):
            yield i, fn(*args, progress=progress.sub(i / n, (i + 1) / n))
            progress((i + 1) / n)


class _RemoteCancel:
    """cancelled() for a task on a worker: is the run's distributed Event set? (rate-limited)"""

    def __init__(self, name: str):
        self.name = name
        self._event = None
        self._last = 0.0
        self._set = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if self._set or now - self._last < CHECK_EVERY:
            return self._set
        self._last = now
        if self._event is None:
            from distributed import Event
            self._event = Event(self.name)
        self._set = bool(self._event.is_set())
        return self._set


class _Packed:
    """A task's function and arguments in one opaque object: Dask would read a tuple that
    starts with a callable as a task of its own, and look for futures inside lists."""

    __slots__ = ("fn", "args")

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __getstate__(self):
        return self.fn, self.args

    def __setstate__(self, state):
        self.fn, self.args = state


_INSIDE: Dict[str, int] = {}  # in a worker process: run -> its tasks inside _remote now
_INSIDE_LOCK = threading.Lock()


def _enter(run: str, step: int) -> None:
    with _INSIDE_LOCK:
        _INSIDE[run] = _INSIDE.get(run, 0) + step
        if not _INSIDE[run]:
            del _INSIDE[run]


def _inside(run: Optional[str] = None) -> int:
    """Tasks of `run` (of any run: None) inside _remote in this process."""
    with _INSIDE_LOCK:
        return sum(_INSIDE.values()) if run is None else _INSIDE.get(run, 0)


def tasks_running(client, run: Optional[str] = None) -> int:
    """Tasks of `run` (any: None) still working on the client's workers."""
    return sum(client.run(_inside, run).values())


def _remote(packed, cancel_name):
    """What a worker runs: the task with a Progress that sees the run's cancel event (also
    the one checkpoint() asks deeper down, in the readers)."""
    from ..progress import running
    _enter(cancel_name, 1)  # counted first: a task that starts after a cancel stops at the check
    try:
        progress = Progress(cancelled=_RemoteCancel(cancel_name))
        progress.check()
        with running(progress):
            return packed.fn(*packed.args, progress=progress)
    finally:
        _enter(cancel_name, -1)


class OnCluster:
    """Runs the tasks on a distributed Client, at most `window` at a time."""

    def __init__(self, client, name: str = "cluster"):
        self.client = client
        self.name = name

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def run(self, tasks: Sequence[Task], progress: Optional[Progress] = None,
            window: int = 0) -> Iterator[Tuple[int, object]]:
        from distributed import Event
        progress = ensure(progress)
        run = uuid.uuid4().hex[:12]
        cancel_name = f"insarfusion-cancel-{run}"
        event = Event(cancel_name, client=self.client)
        window = window or 2 * self.workers + 1
        pending: dict = {}
        n, done, nxt = len(tasks), 0, 0
        try:
            while nxt < n or pending:
                while nxt < n and len(pending) < window:
                    fn, args = tasks[nxt]
                    key = f"insarfusion-{getattr(fn, '__name__', 'task')}-{run}-{nxt}"
                    # the arguments go straight to a worker, not through the scheduler's graph
                    data = self.client.scatter(_Packed(fn, args), direct=True, hash=False)
                    fut = self.client.submit(_remote, data, cancel_name, key=key, pure=False)
                    pending[fut] = (nxt, data)
                    nxt += 1
                finished = [f for f in pending if f.done()]
                if not finished:
                    progress(done / max(n, 1))
                    time.sleep(POLL)
                    continue
                for fut in finished:
                    i, data = pending.pop(fut)
                    result = fut.result()  # re-raises a task's exception here
                    fut.release()
                    data.release()
                    done += 1
                    progress(done / max(n, 1))
                    yield i, result
        except BaseException:
            event.set()
            self.client.cancel(list(pending) + [d for _, d in pending.values()])
            self._settle(cancel_name)
            raise
        finally:
            pending.clear()

    def _settle(self, run: str) -> None:
        """Wait until no task of `run` works on any worker (they stop at their next check)."""
        deadline = time.monotonic() + SETTLE
        while time.monotonic() < deadline and tasks_running(self.client, run):
            time.sleep(0.05)


def ordered(results: Iterator[Tuple[int, object]]) -> Iterator[Tuple[int, object]]:
    """The (index, result) pairs of run() in index order (results held until their turn)."""
    held, nxt = {}, 0
    for i, r in results:
        held[i] = r
        while nxt in held:
            yield nxt, held.pop(nxt)
            nxt += 1


def collect(engine, tasks: Sequence[Task], progress: Optional[Progress] = None) -> list:
    """Every task's result, in task order."""
    out = [None] * len(tasks)
    for i, r in engine.run(tasks, progress):
        out[i] = r
    return out


__all__ = ["InProcess", "OnCluster", "ordered", "collect", "tasks_running", "Cancelled"]
