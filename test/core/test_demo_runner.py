"""The demo runner fails loudly, never fakes a step; the truth table's pass/fail follows its tolerances."""
import io
import os
import sys

import iftest

sys.path.insert(0, os.path.join(iftest.REPO, "tools"))

from demo import checks, runner  # noqa: E402  (tools/demo/)


class Ctx:
    current_runs = None

    def __init__(self):
        self.ran = []
        self.errors = {}

    def log_error(self, key, text):
        self.errors[key] = text


def _steps(ctx):
    def make(key):
        def run(c):
            ctx.ran.append(key)
            return {"done": key}
        return run

    def broken(c):
        raise RuntimeError("the algorithm refused its input")

    return [runner.Step("a", 1, "first", make("a"), ("importpoints",)),
            runner.Step("b", 2, "needs a missing algorithm", make("b"), ("gwr",), ("a",)),
            runner.Step("c", 3, "depends on b", make("c"), ("regression",), ("b",)),
            runner.Step("d", 4, "independent", make("d"), ("sbasnetwork",), ("a",)),
            runner.Step("e", 5, "raises", broken, ("sbasnetwork",)),
            runner.Step("f", 6, "does not apply", make("f"), (), (), lambda c: "only on the large scene")]


def test_missing_algorithm_fails_its_step_and_its_dependents_are_not_run():
    ctx = Ctx()
    out = io.StringIO()
    have = {"importpoints", "regression", "sbasnetwork"}
    res = {r.key: r for r in runner.run_steps(_steps(ctx), ctx, runner.Console(out), have)}
    assert ctx.ran == ["a", "d"]  # b and c never ran: nothing imitates them
    assert res["b"].status == runner.FAILED and "insarfusion:gwr (issue 6)" in res["b"].message
    assert res["c"].status == runner.NOT_RUN and "step 2" in res["c"].message
    assert res["d"].status == runner.OK and res["a"].headline == "done a"
    assert res["e"].status == runner.FAILED and "refused its input" in res["e"].message
    assert "e" in ctx.errors  # the traceback is kept for the log
    assert res["f"].status == runner.NOT_APPLICABLE and "large scene" in res["f"].message
    assert runner.exit_code(list(res.values())) == 1
    text = out.getvalue()
    assert "*** FAILED: algorithm not available in this build: insarfusion:gwr" in text
    assert "*** NOT RUN" in text


def test_all_steps_ok_exit_zero_and_summary_lists_every_step():
    ctx = Ctx()
    steps = _steps(ctx)[:1] + _steps(ctx)[3:4]
    res = runner.run_steps(steps, ctx, runner.Console(io.StringIO()), {"importpoints", "sbasnetwork"})
    assert runner.exit_code(res) == 0
    text = runner.summary(res, [("Report", runner.OK, 1.0)], 3.0,
                          {"checked": 4, "passed": 3, "failed": 1, "unavailable": 0,
                           "failed_rows": ["gwr.b1 const: planted -80, recovered -60 (± 4)"]}, "/tmp/out")
    assert "first" in text and "independent" in text and "Report" in text
    assert "3 of 4 within tolerance, 1 outside" in text and "gwr.b1 const" in text


def test_truth_checks_pass_only_within_the_stated_tolerance():
    c = checks.Checks()
    c.number("s", "inside", 2.0, 2.1, abs_tol=0.15)
    c.number("s", "outside", 2.0, 2.2, abs_tol=0.15)
    c.number("s", "relative", 100.0, 109.0, rel_tol=0.1)
    c.number("s", "nan", 1.0, float("nan"), abs_tol=10.0)
    c.equal("s", "exact", 55, 55)
    c.equal("s", "exact wrong", 55, 54)
    c.number("s", "missing", 1.0, checks.attempt(_missing), abs_tol=1.0)
    c.number("s", "broken", 1.0, checks.attempt(_broken), abs_tol=1.0)
    c.info("s", "seed", 42, "identifies the scene")
    status = {r.parameter: r.status for r in c.rows}
    assert status == {"inside": "pass", "outside": "FAIL", "relative": "pass", "nan": "FAIL", "exact": "pass",
                      "exact wrong": "FAIL", "missing": "n/a", "broken": "FAIL", "seed": "info"}
    assert c.summary() == {"checked": 7, "passed": 3, "failed": 4, "unavailable": 1, "info": 1}
    assert [r.tolerance for r in c.rows][:3] == ["± 0.15", "± 0.15", "± 10 %"]


def _missing():
    raise checks.Missing("not recovered: step 8 did not run")


def _broken():
    return 1.0 / 0.0
