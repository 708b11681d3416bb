"""Ready for QGIS 4 and Qt6: the source follows the rules of QGIS's PyQt5-to-PyQt6 migration script.

The rules live in tools/qt6_rules.py (which also fixes unscoped enums with --fix). The enum rule
asks the running QGIS which attributes are enum members, so it is checked on every QGIS of the
matrix: a scoped spelling that one version lacks fails there.
"""
import os
import sys
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import qt6_rules  # noqa: E402


def test_the_whole_source_follows_the_qt6_rules(qgis_app):
    findings = qt6_rules.check()
    assert not findings, "\n".join(map(str, findings)) + "\n(fix enums with: /usr/bin/python3 tools/qt6_rules.py --fix)"


BAD = {
    "unscoped enum": "from qgis.PyQt.QtCore import Qt\nx = Qt.AlignLeft\n",
    "unscoped enum QgsWkbTypes": "from qgis.core import QgsWkbTypes\nx = QgsWkbTypes.PolygonGeometry\n",
    "unscoped enum Qgis": "from qgis.core import Qgis\nx = Qgis.Info\n",
    "through qgis.PyQt": "from PyQt5.QtCore import Qt\n",
    "exec()": "d = None\nd.exec_()\n",
    "name it exec": "class D:\n    def exec_(self):\n        pass\n",
    "QtGui": "from qgis.PyQt.QtWidgets import QAction\n",
    "QRegularExpression": "from qgis.PyQt.QtCore import QRegExp\n",
    "QScreen": "from qgis.PyQt.QtWidgets import QApplication\nQApplication.desktop()\n",
    "horizontalAdvance": "from qgis.PyQt.QtGui import QFontMetrics\nfm = QFontMetrics(None)\nfm.width('a')\n",
    "renamed in Qt6": "from qgis.PyQt.QtCore import Qt\nb = Qt.MidButton\n",
    "compiled resources": "from . import resources_rc\n",
    "textActivated": "w = None\nw.activated[str].connect(print)\n",
    "QVariant.Type is gone": "from qgis.PyQt.QtCore import QVariant\nt = QVariant.Type.String\n",
}


@pytest.mark.parametrize("words", sorted(BAD))
def test_each_rule_catches_its_violation(words, tmp_path, qgis_app):
    path = tmp_path / "bad.py"
    path.write_text(textwrap.dedent(BAD[words]))
    messages = [f.message for f in qt6_rules.check([str(path)])]
    assert any(words.split(" QgsWkbTypes")[0].split(" Qgis")[0] in m for m in messages), messages


def test_scoped_spellings_and_plain_attributes_pass(tmp_path, qgis_app):
    path = tmp_path / "good.py"
    path.write_text(textwrap.dedent("""\
        from qgis.PyQt.QtCore import Qt
        from qgis.core import Qgis, QgsProcessing, QgsWkbTypes
        a = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        b = QgsWkbTypes.GeometryType.PolygonGeometry
        c = QgsProcessing.TEMPORARY_OUTPUT
        d = Qgis.QGIS_VERSION
        e = QgsProcessing.SourceType.TypeVectorPoint
        f = Qgis.MessageLevel.Warning
        """))
    assert qt6_rules.check([str(path)]) == []


def test_the_fixer_scopes_enums_in_place(tmp_path, qgis_app):
    path = tmp_path / "fixme.py"
    path.write_text("from qgis.PyQt.QtCore import Qt\nx = (Qt.AlignLeft, Qt.Key_Escape)\n")
    assert qt6_rules.fix_enums(qt6_rules.check([str(path)])) == 2
    assert path.read_text().splitlines()[1] == "x = (Qt.AlignmentFlag.AlignLeft, Qt.Key.Key_Escape)"
    assert qt6_rules.check([str(path)]) == []


def test_qaction_comes_from_compat_and_works_here(qgis_app):
    from insar_fusion.compat import QAction
    assert QAction("x").text() == "x"
