"""Licence hygiene: no run-time dependency of kazsim, however deep, is GPL or AGPL
(tools/licences.py walks the installed metadata); and the check does fail when one is,
on a test double of the metadata."""
from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("kazsim_licences", ROOT / "tools" / "licences.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["kazsim_licences"] = module
    spec.loader.exec_module(module)
    return module


licences = _tool()


class FakeDist:
    """What importlib.metadata.distribution returns, for the parts the walk reads."""

    def __init__(self, name, requires=(), expression=None, classifiers=(), field=None):
        self.metadata = Message()
        self.metadata["Name"], self.metadata["Version"] = name, "1.0"
        if expression:
            self.metadata["License-Expression"] = expression
        for c in classifiers:
            self.metadata["Classifier"] = c
        if field:
            self.metadata["License"] = field
        self.requires = list(requires)


def fake(*dists):
    index = {licences.key(d.metadata["Name"]): d for d in dists}

    def distribution(name):
        try:
            return index[licences.key(name)]
        except KeyError:
            raise importlib.metadata.PackageNotFoundError(name) from None
    return distribution


def test_kazsim_runtime_dependencies_are_not_gpl():
    verdicts = licences.walk(licences.runtime_requirements())
    refused = [f"{v.name} ({v.licence}): {v.refused}, via {' -> '.join(v.via)}"
               for v in verdicts if v.refused]
    assert not refused, "run-time dependencies refused:\n" + "\n".join(refused)
    names = {licences.key(v.name) for v in verdicts}
    assert {"numpy", "scipy", "pydantic", "optuna"} <= names  # it walked the real tree
    assert "prim" not in names


def test_a_gpl_package_deep_in_the_tree_fails_the_check():
    dists = fake(
        FakeDist("kazdep", requires=["middle>=1", "docs-only; extra == 'docs'"],
                 expression="MIT"),
        FakeDist("middle", requires=["prim"], classifiers=["License :: OSI Approved :: BSD License"]),
        FakeDist("prim", field="GNU GENERAL PUBLIC LICENSE\n   Version 3, 29 June 2007\n..."),
        FakeDist("docs-only", expression="AGPL-3.0-only"),  # behind an extra: not walked
    )
    verdicts = {v.name: v for v in licences.walk(["kazdep"], dists)}
    assert set(verdicts) == {"kazdep", "middle", "prim"}
    assert verdicts["prim"].refused == "GPL or AGPL"
    assert verdicts["prim"].via == ("kazsim", "kazdep", "middle")
    assert verdicts["kazdep"].refused is None and verdicts["middle"].refused is None


def test_the_command_exits_1_and_names_the_package(capsys):
    dists = fake(FakeDist("kazdep", requires=["copyleft"], expression="MIT"),
                 FakeDist("copyleft", classifiers=[
                     "License :: OSI Approved :: GNU General Public License v3 (GPLv3)"]))
    assert licences.main(["kazdep"], dists) == 1
    out = capsys.readouterr().out
    assert "copyleft" in out and "REFUSED: GPL or AGPL (via kazsim -> kazdep)" in out
    assert out.rstrip().endswith("2 run-time dependencies, 1 refused")



@pytest.mark.parametrize("expression,ok", [
    ("MIT", True), ("BSD-3-Clause AND 0BSD AND MIT", True), ("Apache-2.0 OR BSD-2-Clause", True),
    ("MPL-2.0 AND MIT", True), ("LGPL-3.0-or-later", True), ("LGPL-2.1-only OR GPL-3.0-only", True),
    ("MIT OR GPL-3.0-only", True), ("GPL-3.0-or-later WITH GCC-exception-3.1", True),
    ("(MIT OR GPL-2.0-only) AND Zlib", True),
    ("GPL-3.0-only", False), ("AGPL-3.0-or-later", False), ("GPL-2.0+", False),
    ("MIT AND GPL-2.0-only", False), ("(MIT AND GPL-2.0-only) OR AGPL-3.0-only", False),
])
def test_spdx_expressions(expression, ok):
    licence, refused = licences.judge(FakeDist("x", expression=expression).metadata)
    assert licence == expression and (refused is None) == ok


@pytest.mark.parametrize("classifiers,field,ok", [
    (["License :: OSI Approved :: GNU Affero General Public License v3"], None, False),
    (["License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)"], None, True),
    (["License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)"], None, True),
    (["License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)"], None, True),
    (["License :: OSI Approved :: MIT License"], "GPLv3", False),  # any source naming GPL
    ([], "AGPL", False), ([], "LGPLv2+", True), ([], "BSD (GPL compatible)", True),
    # a full licence text is judged by its title: SciPy's names the GCC runtime
    # library's GPL deep inside, as a bundled part
    ([], "Copyright (c) 2001-2002 Enthought, Inc.\n...\nlibgfortran: GPL-3.0-or-later WITH "
         "GCC-exception-3.1\nGNU General Public License ...", True),
])
def test_classifiers_and_licence_field(classifiers, field, ok):
    _, refused = licences.judge(FakeDist("x", classifiers=classifiers, field=field).metadata)
    assert (refused is None) == ok


def test_a_package_that_declares_nothing_or_is_missing_is_refused():
    dists = fake(FakeDist("kazdep", requires=["silent", "absent"], expression="MIT"),
                 FakeDist("silent", field="UNKNOWN"))
    verdicts = {v.name: v for v in licences.walk(["kazdep"], dists)}
    assert "declares no licence" in verdicts["silent"].refused
    assert "not installed" in verdicts["absent"].refused


def test_unreadable_expression_is_refused():
    _, refused = licences.judge(FakeDist("x", expression="MIT AND (BSD-3-Clause").metadata)
    assert refused.startswith("unreadable License-Expression")
