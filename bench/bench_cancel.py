"""How soon Cancel is obeyed: the longest stretch of work between two cancel checks, per algorithm.

Every algorithm runs uncancelled on the inputs of the cancellation tests (test/support/hbig.py:
the sample scene's whole tracks and 2048 x 2048 rasters), while test/support/cancelling.Stretches
stamps the CPU time of the running thread at each cancel check. The figure is the longest
stretch, from the start, between checks or up to the end; the peer is the whole run of the same
algorithm in the same process (the stretch as a share of it), and the target is 0.2 s, five times
under the one-second promise. Thread CPU time leaves out the machine's other load and OpenBLAS's
spinning helper threads.

A stretch that is one call into QGIS, which Python cannot interrupt (rendering a print layout
page of the study: test/support/cancelling.QGIS_CALLS), is shown in its own column and left out
of the longest stretch. The runs are in-process whatever the Dask scheduler setting says.

Prints a markdown table and writes bench/results/bench_cancel.json. `--quick`: one run each
(default: the worst of three runs); `--where`: sample the stack during the longest stretch.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "test", "support"))
import qgis_headless  # noqa: E402

TARGET = 0.2


class _Sampler:
    """Samples the calling thread's stack every 5 ms, tagged with the stretch it falls in."""

    def __init__(self, watch):
        import threading
        self.ident, self.samples, self.watch = threading.get_ident(), [], watch
        self.done = threading.Event()
        import gc
        import time
        self.gc_times, self._gc_t0 = [], 0.0

        def _gc(phase, info):
            if phase == "start":
                self._gc_t0 = time.thread_time()
            elif info.get("generation") == 2:
                self.gc_times.append(round(time.thread_time() - self._gc_t0, 3))
        self._gc = _gc
        gc.callbacks.append(_gc)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        import traceback
        while not self.done.wait(0.005):
            frame = sys._current_frames().get(self.ident)
            if frame is not None:
                stack = traceback.extract_stack(frame)
                ours = [f for f in stack if "insar_fusion/" in f.filename or "/work/" in f.filename]
                mine = ours[-1] if ours else stack[-1]
                self.samples.append((len(self.watch.stamps), [f"{f.filename.split('/')[-1]}:{f.lineno} {f.name}"
                                                             for f in stack[-12:]],
                                     f"{mine.filename.split('insar_fusion/')[-1]}:{mine.lineno} {mine.name}"))

    def stop(self):
        self.done.set()
        if self.gc_times:
            self.gc_times.sort()
            print(f"  gc passes: {len(self.gc_times)}, longest {self.gc_times[-3:]} s")
        import gc
        gc.callbacks.remove(self._gc)
        self.thread.join()

    def report(self, watch):
        import collections
        stamps = watch.stamps
        from cancelling import one_qgis_call
        gaps = [(b[0] - a[0], k + 1) for k, (a, b) in enumerate(zip(stamps, stamps[1:]))
                if not one_qgis_call((0.0, a[1], b[1]))]
        _, index = max(gaps)
        for t, w in stamps[max(index - 4, 0):index + 3]:
            print(f"    stamp {t:9.3f}  {w}")
        inside = [st for n, st, _ in self.samples if n == index]
        ours = [m for n, _, m in self.samples if n == index]
        print(f"  longest stretch: {len(inside)} samples; innermost frames, then innermost plugin frames:")
        for line, n in collections.Counter(st[-1] for st in inside).most_common(4):
            print(f"    {n:4d}  {line}")
        for line, n in collections.Counter(ours).most_common(8):
            print(f"    {n:4d}  {line}")
        if inside:
            print("  one sample's stack:\n    " + "\n    ".join(inside[len(inside) // 2]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--where", action="store_true",
                    help="sample the running thread's stack and print where the longest stretch spends its time")
    ap.add_argument("names", nargs="*", help="algorithms (default: every long-running one)")
    a = ap.parse_args(argv)
    qgis_headless.start()
    from insar_fusion import settings
    scheduler = settings.scheduler()
    settings.set_text("dask_scheduler", "")  # in-process, as the tests run
    try:
        return _run(a)
    finally:
        settings.set_text("dask_scheduler", scheduler)


def _run(a) -> int:
    import cancelling
    import hbig
    import iftest
    from insar_fusion.core.scene import generate_scene

    tmp = Path(tempfile.mkdtemp(prefix="bench_cancel_"))
    generate_scene(str(tmp / "scene"), "small", 42)
    big = hbig.build(tmp / "scene", tmp / "big")
    names = a.names or [n for n, v in cancelling.CANCEL.items() if not isinstance(v, tuple)]
    rows, over = [], []
    print("| Algorithm | Cancel checks | Longest stretch (thread CPU s) | Where | Whole run (thread CPU s) | Share | Target ≤ 0.2 s | One QGIS call (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        worst, call = None, 0.0
        for k in range(1 if a.quick else 3):
            out = tmp / f"out_{name}_{k}"
            out.mkdir()
            feedback = iftest.LogFeedback.create()
            watch = cancelling.Stretches(feedback)
            sampler = _Sampler(watch) if a.where else None
            t0 = time.thread_time()
            try:
                iftest.run_alg(name, cancelling.CANCEL[name](big, out), feedback=feedback)
            finally:
                if sampler:
                    sampler.stop()
            watch.finish()
            if sampler:
                sampler.report(watch)
            run = time.thread_time() - t0
            longest, start, end = watch.longest()
            call = max(call, watch.longest(qgis_calls=True)[0])
            if worst is None or longest > worst[0]:
                worst = (longest, start, end, run, watch.count)
        longest, start, end, run, count = worst
        ok = longest <= TARGET
        if not ok:
            over.append(name)
        rows.append({"algorithm": name, "checks": count, "longest_s": round(longest, 4), "qgis_call_s": round(call, 4),
                     "from": start, "to": end, "run_s": round(run, 3)})
        print(f"| `{name}` | {count} | {longest:.3f} | {start} → {end} | {run:.2f} | "
              f"{100 * longest / max(run, 1e-9):.0f} % | {'✔' if ok else '✘'} | {f'{call:.3f}' if call else '–'} |",
              flush=True)
    worst = max(rows, key=lambda r: r["longest_s"])
    print(f"\nLongest of all: {worst['longest_s']:.3f} s ({worst['algorithm']}); "
          f"{len(rows) - len(over)} of {len(rows)} algorithms within {TARGET} s"
          + (f"; over: {', '.join(over)}" if over else "") + ".")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "bench_cancel.json"), "w") as f:
        json.dump({"target_s": TARGET, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
