"""Running one algorithm on one (possibly spoiled) input and recording everything that matters.

An Outcome says whether the run succeeded, its message and log, which output paths exist
afterwards, which watched files changed or appeared, and the algorithm's results.
"""
import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import iftest

DESTINATIONS = ("QgsProcessingParameterVectorDestination", "QgsProcessingParameterRasterDestination",
                "QgsProcessingParameterFileDestination", "QgsProcessingParameterFolderDestination")
BUG = "Unexpected error"
TRACEBACK = "Traceback (most recent call last)"


def snapshot(folders) -> Dict[str, str]:
    """sha256 of every file under the folders (path -> hash)."""
    out = {}
    for folder in folders:
        for root, _, files in os.walk(str(folder)):
            for name in files:
                p = os.path.join(root, name)
                if os.path.isfile(p):
                    out[p] = iftest.sha256(p)
    return out


def repo_status() -> List[str]:
    """`git status --porcelain --ignored` of the repository: files the tests must not create."""
    import subprocess
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
                         cwd=iftest.REPO, capture_output=True, text=True, check=False).stdout
    return [line for line in out.splitlines() if "__pycache__" not in line and ".pyc" not in line]


def destinations(alg) -> List[str]:
    """Names of the destination parameters of an algorithm."""
    return [p.name() for p in alg.parameterDefinitions() if type(p).__name__ in DESTINATIONS]


def output_names(alg, params) -> List[str]:
    """The destination parameters whose value in `params` is a file path."""
    out = []
    for name in destinations(alg):
        v = params.get(name)
        if isinstance(v, str) and v and v != "TEMPORARY_OUTPUT" and not v.startswith(("memory:", "ogr:")):
            out.append(name)
    return out


def qgis_statistics_cache(path: str) -> bool:
    """True for a GDAL .aux.xml holding only band statistics: QGIS writes one beside any raster
    it loads as a layer (its renderer's min/max), for its native algorithms as for ours."""
    if not path.endswith(".aux.xml"):
        return False
    text = open(path, encoding="utf-8", errors="replace").read()
    keys = re.findall(r'<MDI key="([^"]+)"', text)
    rest = re.sub(r"<MDI key=\"STATISTICS_[A-Z_]+\">[^<]*</MDI>|<Description>[^<]*</Description>"
                  r"|</?(PAMDataset|PAMRasterBand[^>]*|Metadata)>",
                  "", text)
    return bool(keys) and all(k.startswith("STATISTICS_") for k in keys) and not rest.strip()


@dataclass
class Outcome:
    ok: bool
    message: str
    log: str
    results: dict
    outputs_left: List[str] = field(default_factory=list)  # output paths that exist after a failure
    out_dir_left: List[str] = field(default_factory=list)   # anything left in the output folder
    changed: List[str] = field(default_factory=list)        # watched files whose bytes changed
    appeared: List[str] = field(default_factory=list)       # new files in watched folders
    vanished: List[str] = field(default_factory=list)

    def problems(self) -> List[str]:
        """What is wrong whatever the expectation: bugs, tracebacks, touched inputs, debris."""
        p = []
        if BUG in self.message:
            p.append(f"the message reports a bug: {self.message}")
        if TRACEBACK in self.log or TRACEBACK in self.message:
            p.append("a Python traceback in the log")
        if self.changed:
            p.append(f"inputs changed: {self.changed}")
        if self.appeared:
            p.append(f"files appeared beside the inputs or in the temp folder: {self.appeared}")
        if self.vanished:
            p.append(f"files vanished: {self.vanished}")
        if not self.ok and self.outputs_left:
            p.append(f"outputs left after a failed run: {self.outputs_left}")
        if not self.ok and self.out_dir_left:
            p.append(f"debris left in the output folder: {self.out_dir_left}")
        return p


def _listing(folder) -> List[str]:
    out = []
    for root, dirs, files in os.walk(str(folder)):
        out += [os.path.join(root, d) for d in dirs] + [os.path.join(root, f) for f in files]
    return sorted(out)


def run(alg_id: str, params: dict, watched, out_dir, feedback=None, scratch_tmp=None) -> Outcome:
    """processing.run the algorithm, watching `watched` folders (inputs) and `out_dir` (outputs).

    `scratch_tmp`, when given, becomes Python's temporary folder during the run, so that any
    file the plugin writes there (rather than where the user pointed) shows up as appeared.
    """
    from qgis.core import QgsApplication, QgsProcessingException

    alg = QgsApplication.processingRegistry().algorithmById("insarfusion:" + alg_id)
    watched = [str(w) for w in watched] + ([str(scratch_tmp)] if scratch_tmp else [])
    before = snapshot(watched)
    fb = feedback or iftest.LogFeedback.create()
    old_tmp = tempfile.tempdir
    if scratch_tmp:
        tempfile.tempdir = str(scratch_tmp)
    try:
        results, _ = iftest.run_alg(alg_id, params, feedback=fb)
        ok, message = True, ""
    except QgsProcessingException as e:
        results, ok, message = {}, False, str(e)
    finally:
        tempfile.tempdir = old_tmp
    after = snapshot(watched)
    outcome = Outcome(ok, message, fb.text(), results)
    outcome.changed = sorted(p for p in before if p in after and before[p] != after[p])
    outcome.appeared = sorted(p for p in after if p not in before and not qgis_statistics_cache(p))
    outcome.vanished = sorted(p for p in before if p not in after)
    outcome.outputs_left = [params[n] for n in output_names(alg, params)
                            if os.path.exists(params[n].split("|")[0])]
    outcome.out_dir_left = _listing(out_dir) if out_dir and os.path.isdir(str(out_dir)) else []
    return outcome


def matches(words: str, message: str) -> bool:
    return bool(re.search(words, message, re.IGNORECASE))


def describe(outcome: Optional[Outcome]) -> str:
    if outcome is None:
        return "not run"
    return ("succeeded" if outcome.ok else f"refused: {outcome.message}") + \
        (f"\nlog:\n{outcome.log[-2000:]}" if outcome.log else "")


@dataclass(frozen=True)
class Case:
    id: str  # "PARAM:case" or "case"
    param: str
    case: str
    edit: object  # (params, data, case_dir) -> spoiled params
    default_error: str  # '' when the default answer is a clean success
    what: str


def _mutated(param, mutation):
    def edit(params, data, case_dir):
        return dict(params, **{param: mutation.make(params[param], case_dir)})
    return edit


def _nan(param):
    return lambda params, data, case_dir: dict(params, **{param: float("nan")})


def _unwritable(param):
    def edit(params, data, case_dir):
        blocker = os.path.join(str(case_dir), "a_file_not_a_folder.txt")
        with open(blocker, "w") as f:
            f.write("x")
        return dict(params, **{param: os.path.join(blocker, os.path.basename(params[param]))})
    return edit


def enumerate_cases(example, alg, catalogue) -> List[Case]:
    """Every bad input that applies to the example: mutations of each input by its kind, NaN
    for every number parameter, an unwritable place for every output, and the extra cases."""
    out = []
    probe = example.params(_Probe(), _ProbeDir())
    for param, kind in example.kinds.items():
        for m in catalogue:
            if kind in m.kinds:
                out.append(Case(f"{param}:{m.case}", param, m.case, _mutated(param, m), m.error, m.what))
    for p in alg.parameterDefinitions():
        if type(p).__name__ == "QgsProcessingParameterNumber":
            out.append(Case(f"{p.name()}:nan", p.name(), "nan", _nan(p.name()),
                            r"not a number", "NaN typed as the value"))
    for name in output_names(alg, probe):
        out.append(Case(f"{name}:unwritable", name, "unwritable", _unwritable(name), r"not writable",
                        "a folder that cannot be created (under a file)"))
    for case, (edit, expect) in example.extra.items():
        out.append(Case(case, "", case, edit, getattr(expect, "words", ""), case.replace("_", " ")))
    return out


class _Probe:
    """Stands in for the data when only the parameter names are needed."""

    def __getattr__(self, name):
        return f"/probe/{name}"

    def ndvi_month(self, tag):
        return f"/probe/ndvi_{tag}.tif"

    def s2ndvi(self):
        return ["/probe/ndvi_20190801.tif"]

    def stack(self, name):
        return [f"/probe/{name}_2019{m:02d}.tif" for m in range(1, 13)]


class _ProbeDir:
    def __truediv__(self, name):
        return f"/probe/out/{name}"
