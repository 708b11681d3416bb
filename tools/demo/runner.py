"""The demo's runner: steps with timing and progress, loud failures, the one-screen summary.

A step names the plugin algorithms it runs and the earlier steps whose outputs it reads. A step
whose algorithm is not registered FAILS (it is never skipped or imitated); the steps that need its
outputs are reported as NOT RUN. The run exits non-zero when any step failed.
"""
import dataclasses
import sys
import time
import traceback
from typing import Callable, Dict, List, Optional, Tuple

OK, FAILED, NOT_RUN, NOT_APPLICABLE = "ok", "FAILED", "NOT RUN", "not applicable"
ISSUE_OF = {"samplerasters": 6, "gwr": 6, "regression": 6, "sitetimeseries": 7, "samplescene": 3}


@dataclasses.dataclass
class Step:
    """One step of the workflow: `run(ctx)` returns a dict of headline numbers for the summary."""

    key: str
    number: int
    title: str
    run: Callable
    algorithms: Tuple[str, ...] = ()
    needs: Tuple[str, ...] = ()
    applies: Optional[Callable] = None  # ctx -> None, or the reason the step does not apply


@dataclasses.dataclass
class StepResult:
    key: str
    number: int
    title: str
    status: str
    seconds: float = 0.0
    message: str = ""
    headline: str = ""
    runs: List[Tuple[str, float]] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class StepFailed(Exception):
    """A step could not run; the message says why (shown in the summary and the report)."""


class Console:
    """Progress on the terminal: a live percentage on a tty, one line per algorithm run otherwise."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def line(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    def progress(self, label: str, pct: float) -> None:
        if self.tty:
            print(f"\r      {label}: {pct:5.1f}%", end="", file=self.stream, flush=True)

    def done(self, label: str, seconds: float) -> None:
        if self.tty:
            print("\r" + " " * 78 + "\r", end="", file=self.stream)
        print(f"      {label}: {seconds:.1f} s", file=self.stream, flush=True)


def available_algorithms() -> set:
    """The ids of the insarfusion algorithms registered with Processing."""
    from qgis.core import QgsApplication

    provider = QgsApplication.processingRegistry().providerById("insarfusion")
    return {a.name() for a in provider.algorithms()} if provider else set()


def missing_message(missing: List[str]) -> str:
    parts = []
    for alg in missing:
        issue = ISSUE_OF.get(alg)
        parts.append(f"insarfusion:{alg}" + (f" (issue {issue})" if issue else ""))
    return ("algorithm not available in this build: " + ", ".join(parts)
            + ". Merge the branch that provides it, then run the demo again.")


def run_steps(steps: List[Step], ctx, console: Console, have: Optional[set] = None) -> List[StepResult]:
    """Run every step in order; return their results (status, time, message).

    `have`: the registered algorithm ids (default: asked from the Processing registry).
    """
    have = available_algorithms() if have is None else have
    results: Dict[str, StepResult] = {}
    for step in steps:
        res = StepResult(step.key, step.number, step.title, OK)
        label = f"[{step.number}]" if step.number else "[ ]"
        console.line(f"{label} {step.title}")
        blocked = [n for n in step.needs if results.get(n) and results[n].status in (FAILED, NOT_RUN)]
        reason = step.applies(ctx) if step.applies else None
        missing = [a for a in step.algorithms if a not in have]
        t0 = time.time()
        if blocked:
            res.status = NOT_RUN
            res.message = "needs the outputs of " + ", ".join(
                f"step {results[n].number} ({results[n].title})" for n in blocked) + ", which did not run"
        elif reason:
            res.status = NOT_APPLICABLE
            res.message = reason
        elif missing:
            res.status = FAILED
            res.message = missing_message(missing)
        else:
            ctx.current_runs = res.runs
            try:
                headline = step.run(ctx) or {}
                res.headline = "; ".join(f"{k} {v}" for k, v in headline.items())
            except StepFailed as e:
                res.status, res.message = FAILED, str(e)
            except Exception as e:  # an algorithm refused or crashed: report it loudly, go on
                res.status = FAILED
                res.message = f"{type(e).__name__}: {e}"
                ctx.log_error(step.key, traceback.format_exc())
        res.seconds = time.time() - t0
        if res.status == OK:
            console.line(f"    done in {res.seconds:.1f} s" + (f": {res.headline}" if res.headline else ""))
        elif res.status == NOT_APPLICABLE:
            console.line(f"    not applicable: {res.message}")
        else:
            console.line(f"    *** {res.status}: {res.message}")
        results[step.key] = res
    return list(results.values())


def summary(results: List[StepResult], extra: List[Tuple[str, str, float]], total: float,
            recovery: Optional[dict], out: str, extra_errors: Optional[List[str]] = None) -> str:
    """The one-screen summary: each step's status and time, the truth check, the outputs."""
    lines = ["", "InSAR Fusion demo: summary", "-" * 78]
    for r in results:
        num = f"{r.number:>2}" if r.number else "  "
        status = "" if r.status == OK else f"  {r.status}"
        lines.append(f" {num} {r.title[:52]:<52s} {r.seconds:6.1f} s{status}")
    for title, status, secs in extra:
        lines.append(f"    {title[:52]:<52s} {secs:6.1f} s" + ("" if status == OK else f"  {status}"))
    lines.append(f"    {'total':<52s} {total:6.1f} s")
    lines.append("-" * 78)
    if recovery is not None:
        lines.append(f" planted vs recovered: {recovery['passed']} of {recovery['checked']} within "
                     f"tolerance" + (f", {recovery['failed']} outside" if recovery["failed"] else "")
                     + (f", {recovery['unavailable']} not computed (step missing)"
                        if recovery.get("unavailable") else ""))
        for row in recovery.get("failed_rows", [])[:8]:
            lines.append(f"   outside tolerance: {row}"[:120])
    bad = [r for r in results if r.status in (FAILED, NOT_RUN)]
    for r in bad:
        lines.append(f" *** step {r.number} {r.title}: {r.status}: {r.message}"[:400])
    for text in extra_errors or []:
        lines.append(f" *** {text}"[:400])
    lines.append(f" outputs: {out}/study.gpkg, study.qgz, study.html (the study); report.html (against the truth)")
    return "\n".join(lines)


def exit_code(results: List[StepResult]) -> int:
    return 1 if any(r.status in (FAILED, NOT_RUN) for r in results) else 0


class StudyFeedback:
    """A QgsProcessingFeedback for insarfusion:study that prints its step lines on the console."""

    def __new__(cls, console):
        from qgis.core import QgsProcessingFeedback

        class _Feedback(QgsProcessingFeedback):
            def pushInfo(self, text):  # noqa: N802
                if text.startswith("Step ") or text.startswith("  skipped") or text.startswith("Skipped"):
                    console.line(f"    {text}")

            def pushWarning(self, text):  # noqa: N802
                console.line(f"    warning: {text}")

        return _Feedback()
