"""The study's steps: each runs child algorithms under a multi-step feedback and keeps a record.

A step is skipped (with the reason) when its inputs are missing; a child algorithm that refuses
stops the whole study with the step's name and the child's message (nothing is written then).
"""
import dataclasses
import time
from typing import Callable, Dict, List, Optional

from qgis.core import QgsProcessingException, QgsProcessingMultiStepFeedback

from ...core.errors import Cancelled, InputError
from ...core.progress import Progress

OK, SKIPPED = "ok", "skipped"


class StepFeedback(QgsProcessingMultiStepFeedback):
    """A multi-step feedback whose isCanceled() asks its parent's (from Python): the children's
    cancel checks then reach the feedback the user holds, and whoever watches it."""

    def __init__(self, steps: int, parent):
        super().__init__(steps, parent)
        self._parent = parent

    def isCanceled(self) -> bool:  # noqa: N802 (QGIS's name)
        return self._parent.isCanceled() or super().isCanceled()


@dataclasses.dataclass
class StepRecord:
    """What a step did: its status, why it was skipped, its time, its children's results, notes."""

    key: str
    title: str
    status: str = OK
    reason: str = ""
    seconds: float = 0.0
    runs: List[dict] = dataclasses.field(default_factory=list)  # {alg, label, seconds, results}
    notes: List[str] = dataclasses.field(default_factory=list)

    def results(self, label: str) -> dict:
        """The results of the child run called `label` ({} if it did not run)."""
        return next((r["results"] for r in self.runs if r["label"] == label), {})


class Step:
    """One step in progress: run children, report own progress, skip, add notes."""

    def __init__(self, chain: "Chain", record: StepRecord, children: int):
        self.chain, self.record = chain, record
        self.feedback = StepFeedback(max(children, 1), chain.multi)
        self.children, self.done = max(children, 1), 0

    def run(self, alg: str, params: dict, label: str) -> dict:
        """processing.run of a child algorithm (an 'insarfusion:' id unless it has a provider)."""
        import processing

        alg_id = alg if ":" in alg else "insarfusion:" + alg
        self.feedback.setCurrentStep(min(self.done, self.children - 1))
        self.done += 1
        self.chain.check()
        self.chain.feedback.pushInfo(f"  {alg_id}: {label}")
        t0 = time.time()
        store = self.chain.context.temporaryLayerStore()
        before = set(store.mapLayers())
        try:
            results = processing.run(alg_id, params, feedback=self.feedback, context=self.chain.context,
                                     is_child_algorithm=True)
        except QgsProcessingException as e:
            self.chain.check()
            text = str(e).replace("Unable to execute algorithm\n", "").strip()
            raise InputError(f"Step '{self.record.title}' stopped in {alg_id} ({label}): {text}") from None
        finally:
            # release the layers the child opened (not those of the caller, e.g. a model's outputs)
            opened = [i for i in store.mapLayers() if i not in before]
            if opened:
                store.removeMapLayersById(opened)
        self.chain.check()
        plain = {k: _plain(v) for k, v in (results or {}).items()}
        self.record.runs.append({"alg": alg_id, "label": label, "seconds": round(time.time() - t0, 2),
                                 "results": plain})
        return plain

    def progress(self) -> Progress:
        """A core Progress for the step's own work, in the slot of one child."""
        self.feedback.setCurrentStep(min(self.done, self.children - 1))
        self.done += 1
        fb = self.feedback
        return Progress(lambda f: fb.setProgress(100.0 * f), fb.isCanceled)

    def skip(self, reason: str) -> None:
        """Mark the step skipped after all (its data turned out not to allow it)."""
        self.record.status, self.record.reason = SKIPPED, reason
        self.chain.feedback.pushInfo(f"  skipped: {reason}")

    def note(self, text: str) -> None:
        self.record.notes.append(text)
        self.chain.feedback.pushInfo(f"  {text}")


class Chain:
    """Steps in order, each given an equal share of the progress bar; records kept for the report."""

    def __init__(self, context, feedback, n_steps: int):
        self.context, self.feedback = context, feedback
        self.multi = StepFeedback(max(n_steps, 1), feedback)
        self.n_steps, self.index = max(n_steps, 1), 0
        self.records: Dict[str, StepRecord] = {}
        self.order: List[str] = []

    def check(self) -> None:
        if self.feedback.isCanceled():
            raise Cancelled()

    def step(self, key: str, title: str, work: Callable[[Step], None], children: int = 1,
             skip: Optional[str] = None) -> StepRecord:
        """Run one step: work(step), or record it as skipped when `skip` (the reason) is given."""
        self.check()
        self.multi.setCurrentStep(min(self.index, self.n_steps - 1))
        self.index += 1
        record = StepRecord(key, title)
        self.records[key] = record
        self.order.append(key)
        head = f"Step {self.index}/{self.n_steps}: {title}"
        if skip:
            record.status, record.reason = SKIPPED, skip
            self.feedback.pushInfo(f"{head}: skipped ({skip})")
            return record
        self.feedback.pushInfo(head)
        t0 = time.time()
        work(Step(self, record, children))
        record.seconds = round(time.time() - t0, 2)
        return record

    def ran(self, key: str) -> bool:
        """True when the step ran (not skipped, not absent)."""
        return key in self.records and self.records[key].status == OK

    def reason(self, key: str) -> str:
        """Why a step did not run ('' if it ran)."""
        if key not in self.records:
            return "not run"
        return self.records[key].reason


def _plain(value):
    """A child result as a JSON-able value (layers and odd types as text)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
