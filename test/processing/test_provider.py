"""The provider registers every algorithm with a name, group, help text and icon."""
import os
import re

import iftest

from insar_fusion.processing.base import GROUPS


def test_provider_id_name_and_icon(provider):
    assert provider.id() == "insarfusion"
    assert provider.name() == "InSAR Fusion"
    assert not provider.icon().isNull()


def test_every_algorithm_module_loads_without_error(provider):
    assert provider.load_errors == []
    assert len(provider.algorithms()) >= 1


def test_every_algorithm_has_a_stable_id_group_and_help(provider):
    for alg in provider.algorithms():
        assert re.fullmatch(r"[a-z0-9]+", alg.name()), alg.name()
        assert alg.groupId() in GROUPS, alg.name()
        assert alg.group() == GROUPS[alg.groupId()]
        assert len(alg.shortHelpString()) > 80, f"{alg.name()} needs help text"
        assert alg.displayName() and alg.displayName()[0].isupper()
        assert alg.createInstance() is not alg
        assert type(alg.createInstance()) is type(alg)
        doc = alg.helpUrl().rsplit("/blob/main/", 1)[-1]
        assert os.path.isfile(os.path.join(iftest.REPO, doc)), f"{alg.name()}: {doc} is missing"


def test_every_parameter_has_a_description(provider):
    for alg in provider.algorithms():
        for p in alg.parameterDefinitions():
            assert p.description(), f"{alg.name()}:{p.name()} has no description"
            assert p.name() == p.name().upper(), f"{alg.name()}:{p.name()} is not UPPER_CASE"
