"""Every algorithm the provider registers, fed every bad input that applies to it.

The example registry (test/support/examples.py) holds valid parameters per algorithm, built
from the sample scene (test/support/hdata.py); the catalogue (test/support/mutations.py) spoils
one input at a time by its kind. For every case the run must either be refused with a
QgsProcessingException whose message names the problem, or, where the registry says the input
is legitimately acceptable, succeed with the output the registry's check demands. Either way:
no "Unexpected error" (the base class's wording for a bug), no Python traceback in the log,
no output or debris left after a refusal, and every input file byte-identical (sha256).
"""
import os

import pytest

import checks
import matrix
import mutations
from examples import DEFAULT_OK, EXAMPLES, Err, Ok

CATALOGUE = mutations.catalogue()


def _classes():
    from insar_fusion.processing.provider import algorithm_classes
    return algorithm_classes()[0]


def _instance(name):
    cls = next(c for c in _classes() if c.NAME == name)
    alg = cls()
    alg.initAlgorithm()
    return alg


def _examples():
    return [pytest.param(ex, id=ex.id) for cls in _classes() for ex in EXAMPLES.get(cls.NAME, [])]


def _cases():
    out = []
    for cls in _classes():
        for ex in EXAMPLES.get(cls.NAME, []):
            for case in matrix.enumerate_cases(ex, _instance(cls.NAME), CATALOGUE):
                out.append(pytest.param(ex, case, id=f"{ex.id}-{case.id}"))
    return out


def expectation(ex, case):
    """The registry's answer for the case, else the catalogue's default."""
    if case.case in ex.extra:
        return ex.extra[case.case][1]
    for key in (case.id, case.case):
        if key in ex.expect:
            return ex.expect[key]
    if case.default_error:
        return Err(case.default_error)
    return DEFAULT_OK.get(case.case, Ok(checks.outputs_exist))


@pytest.fixture(scope="session")
def data(hardening_data):
    return hardening_data


@pytest.fixture(scope="session")
def valid_runs(data, provider, tmp_path_factory):
    """The valid run of each example, run once on first use: example id -> (outcome, params)."""
    cache = {}

    def get(ex):
        if ex.id not in cache:
            out = tmp_path_factory.mktemp("valid")
            params = ex.params(data, out)
            cwd = tmp_path_factory.mktemp("cwd")
            before, here = matrix.repo_status(), os.getcwd()
            os.chdir(cwd)  # a relative write would land here, and show up as appeared
            try:
                outcome = matrix.run(ex.alg, params, [data.folder, cwd], out,
                                     scratch_tmp=tmp_path_factory.mktemp("python_tmp"))
            finally:
                os.chdir(here)
            new = sorted(set(matrix.repo_status()) - set(before))
            outcome.appeared += [f"in the repository: {n}" for n in new]
            cache[ex.id] = (outcome, params)
        return cache[ex.id]
    return get


# --- the registry covers everything ---------------------------------------------------------------
def test_every_algorithm_has_an_example(provider):
    registered = {a.name() for a in provider.algorithms()}
    missing = sorted(registered - set(EXAMPLES))
    assert not missing, f"add these algorithms to test/support/examples.py: {missing}"
    assert not sorted(set(EXAMPLES) - registered), "the registry names algorithms that do not exist"


def test_every_input_parameter_of_an_example_has_a_kind(provider):
    """A parameter given a file must say what kind of input it is, or no mutation reaches it."""
    for name, exs in EXAMPLES.items():
        alg = _instance(name)
        for ex in exs:
            params = ex.params(matrix._Probe(), matrix._ProbeDir())
            inputs = {p.name() for p in alg.parameterDefinitions()
                      if type(p).__name__ in ("QgsProcessingParameterFeatureSource",
                                              "QgsProcessingParameterRasterLayer",
                                              "QgsProcessingParameterMultipleLayers",
                                              "QgsProcessingParameterFile",
                                              "QgsProcessingParameterVectorLayer")}
            unkinded = sorted((inputs & set(params)) - set(ex.kinds))
            assert not unkinded, f"{ex.id}: give a kind to {unkinded}"


def test_every_expectation_in_the_registry_names_a_real_case():
    for name, exs in EXAMPLES.items():
        alg = _instance(name)
        for ex in exs:
            cases = matrix.enumerate_cases(ex, alg, CATALOGUE)
            known = {c.id for c in cases} | {c.case for c in cases}
            stale = sorted(set(ex.expect) - known)
            assert not stale, f"{ex.id}: no such case {stale}"


# --- the runs ------------------------------------------------------------------------------------
@pytest.mark.parametrize("ex", _examples())
def test_valid_example_runs_and_touches_nothing_but_its_outputs(ex, valid_runs):
    outcome, params = valid_runs(ex)
    assert outcome.ok, matrix.describe(outcome)
    assert not outcome.problems(), outcome.problems()
    ctx = checks.Ctx(_instance(ex.alg), outcome.results, params, outcome.results, params, outcome.log)
    checks.outputs_exist(ctx)
    if ex.check:
        ex.check(ctx)


@pytest.mark.parametrize("ex, case", _cases())
def test_bad_input(ex, case, data, valid_runs, tmp_path):
    valid, valid_params = valid_runs(ex)
    assert valid.ok, "the valid example itself fails: " + matrix.describe(valid)
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    out.mkdir()
    params = case.edit(ex.params(data, out), data, inputs)
    outcome = matrix.run(ex.alg, params, [data.folder, inputs], out)
    assert not outcome.problems(), "\n".join(outcome.problems())
    expected = expectation(ex, case)
    if isinstance(expected, Err):
        assert not outcome.ok, f"{case.what}: expected a refusal naming /{expected.words}/, but the " \
                               f"run succeeded:\n{outcome.log[-1500:]}"
        assert matrix.matches(expected.words, outcome.message), \
            f"{case.what}: the message does not name the problem /{expected.words}/: {outcome.message}"
        assert not outcome.outputs_left and not outcome.out_dir_left
    else:
        assert outcome.ok, f"{case.what}: expected success ({expected.why}): {outcome.message}"
        check = expected.check or checks.outputs_exist
        check(checks.Ctx(_instance(ex.alg), outcome.results, params, valid.results, valid_params,
                         outcome.log))
