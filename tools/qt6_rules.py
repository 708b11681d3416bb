"""The QGIS 4 / Qt6 rules, checked over the source (and the enum rule fixed with --fix).

    /usr/bin/python3 tools/qt6_rules.py            list what breaks on Qt6 (exit 1 if anything)
    /usr/bin/python3 tools/qt6_rules.py --fix      scope the unscoped enums in place

The rules are those QGIS's own migration script (scripts/pyqt5_to_pyqt6/pyqt5_to_pyqt6.py)
applies or warns about, in its QGIS-3-compatible mode:
- enums fully scoped (Qt.AlignmentFlag.AlignLeft, not Qt.AlignLeft): PyQt6 has no unscoped names;
- Qt imported only through qgis.PyQt (never PyQt5/PyQt6/sip directly);
- exec() instead of exec_(), both for calls and for method definitions;
- QAction, QActionGroup and QShortcut from the root compat module (QtWidgets on Qt5, QtGui on Qt6);
- no QRegExp, no QDesktopWidget / QApplication.desktop(), no QFontMetrics.width(), no qApp,
  no activated[str], no renamed enums (Qt.MidButton ...), no compiled resources (resources_rc);
- no QVariant.Type (QVariant.String ...): PyQt6 has none, and QgsField takes QMetaType.Type from
  QGIS 3.38 (deprecating the QVariant form); give field types in a memory layer's URI instead;
- metadata.txt declares qgisMaximumVersion=4.99.

The enum rule needs QGIS's Python bindings (to know which attribute is an enum member); the others
only read the text. Run with /usr/bin/python3 (QGIS's interpreter).
"""
import ast
import importlib
import os
import sys
from typing import Dict, List, NamedTuple, Optional

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP_DIRS = {".git", ".venv", "__pycache__", "demo_output", "dist", ".hypothesis", "bench/results"}
QT_MODULES = ("qgis.core", "qgis.gui", "qgis.analysis", "qgis.PyQt.QtCore", "qgis.PyQt.QtGui",
              "qgis.PyQt.QtWidgets", "qgis.PyQt.QtSvg", "qgis.PyQt.QtXml", "qgis.PyQt.QtNetwork",
              "qgis.PyQt.QtPrintSupport", "qgis.PyQt.QtTest")
MOVED_TO_QTGUI = ("QAction", "QActionGroup", "QShortcut")
RENAMED = {("Qt", "MidButton"): "Qt.MouseButton.MiddleButton",
           ("Qt", "TextColorRole"): "Qt.ItemDataRole.ForegroundRole",
           ("Qt", "BackgroundColorRole"): "Qt.ItemDataRole.BackgroundRole",
           ("QPainter", "HighQualityAntialiasing"): "QPainter.RenderHint.Antialiasing"}
COMPAT = os.path.join(REPO, "compat.py")
QVARIANT_TYPES = {"Type", "Invalid", "Bool", "Int", "UInt", "LongLong", "ULongLong", "Double", "String",
                  "StringList", "List", "Map", "Date", "Time", "DateTime", "ByteArray"}


class Finding(NamedTuple):
    path: str
    line: int
    col: int
    message: str
    fix: Optional[str] = None  # for an enum: the scoped spelling

    def __str__(self):
        return f"{os.path.relpath(self.path, REPO)}:{self.line}: {self.message}"


def python_files(root: str = REPO) -> List[str]:
    out = []
    for folder, dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and os.path.join(rel, d).lstrip("./") not in SKIP_DIRS)
        out += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".py")]
    return out


def _module(name: str):
    try:
        return importlib.import_module(name)
    except Exception:  # a module this QGIS build lacks
        return None


class _Names:
    """What each imported name of a file is, for the Qt and QGIS modules."""

    def __init__(self, tree: ast.AST):
        self.objects: Dict[str, object] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qgis"):
                mod = _module(node.module)
                for alias in node.names:
                    obj = getattr(mod, alias.name, None) if mod is not None else None
                    if obj is None:
                        obj = _module(f"{node.module}.{alias.name}")
                    if obj is not None:
                        self.objects[alias.asname or alias.name] = obj

    def resolve(self, node: ast.AST):
        if isinstance(node, ast.Name):
            return self.objects.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return getattr(base, node.attr, None) if base is not None else None
        return None


def _enum_name(owner: type, value) -> Optional[str]:
    """The name under which `owner` holds the enum type of `value`, or None if value is no enum member."""
    kind = type(value)
    if kind in (int, float, str, bool, bytes, tuple, list, dict, type(None)) or isinstance(value, type):
        return None
    if callable(value) and not isinstance(value, int):
        return None
    for name in dir(owner):
        try:
            if getattr(owner, name) is kind:
                return name
        except Exception:
            continue
    return None


def enum_findings(path: str, tree: ast.AST) -> List[Finding]:
    names = _Names(tree)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or isinstance(node.ctx, ast.Store):
            continue
        owner = names.resolve(node.value)
        if not isinstance(owner, type):
            continue
        key = (getattr(node.value, "id", None), node.attr)
        if key in RENAMED:
            out.append(Finding(path, node.lineno, node.col_offset,
                               f"{key[0]}.{key[1]} is renamed in Qt6: use {RENAMED[key]}"))
            continue
        try:
            value = getattr(owner, node.attr)
        except Exception:
            continue
        enum = _enum_name(owner, value)
        if enum is None or enum == node.attr:
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            continue  # Owner.Member.something: not an enum spelling
        try:
            same = getattr(getattr(owner, enum), node.attr) == value
        except Exception:
            same = False
        text = ast.unparse(node)
        scoped = f"{ast.unparse(node.value)}.{enum}.{node.attr}"
        if same:
            out.append(Finding(path, node.lineno, node.col_offset,
                               f"unscoped enum {text}: write {scoped}", fix=scoped))
        else:
            out.append(Finding(path, node.lineno, node.col_offset,
                               f"unscoped enum {text}, and {scoped} does not resolve here"))
    return out


def text_findings(path: str, tree: ast.AST) -> List[Finding]:
    out = []

    def add(node, message):
        out.append(Finding(path, node.lineno, node.col_offset, message))

    metrics = set()  # names bound to a QFontMetrics(F)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("PyQt5", "PyQt6", "sip"):
                    add(node, f"import {alias.name}: import Qt through qgis.PyQt")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] in ("PyQt5", "PyQt6", "sip"):
                add(node, f"from {module} import ...: import Qt through qgis.PyQt")
            if module == "qgis.PyQt.Qt":
                add(node, "qgis.PyQt.Qt is gone in Qt6: import Qt from qgis.PyQt.QtCore")
            for alias in node.names:
                if alias.name in ("QRegExp", "QRegExpValidator"):
                    add(node, f"{alias.name} is removed in Qt6: use QRegularExpression")
                if alias.name == "QDesktopWidget":
                    add(node, "QDesktopWidget is removed in Qt6: use QScreen (QWidget.screen())")
                if alias.name == "qApp":
                    add(node, "qApp is removed in Qt6: use QApplication.instance()")
                if alias.name == "resources_rc":
                    add(node, "compiled resources are removed in Qt6: load files by path")
                if (alias.name in MOVED_TO_QTGUI and module.startswith("qgis.PyQt")
                        and os.path.abspath(path) != COMPAT):
                    add(node, f"{alias.name} moved from QtWidgets to QtGui in Qt6: import it from compat")
        elif isinstance(node, ast.FunctionDef) and node.name == "exec_":
            add(node, "def exec_: name it exec (exec_ is gone in PyQt6)")
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id in ("QFontMetrics", "QFontMetricsF"):
                metrics.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, owner = node.func.attr, node.func.value
            if attr == "exec_":
                add(node, "exec_() is gone in PyQt6: call exec()")
            if attr == "desktop" and not node.args:
                add(node, "QApplication.desktop() is removed in Qt6: use QScreen")
            if attr == "width" and node.args and (
                    (isinstance(owner, ast.Call) and (getattr(owner.func, "attr", None) == "fontMetrics"
                                                      or getattr(owner.func, "id", None) in ("QFontMetrics", "QFontMetricsF")))
                    or (isinstance(owner, ast.Name) and owner.id in metrics)):
                add(node, "QFontMetrics.width() is removed in Qt6: use horizontalAdvance()")
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "QVariant" and node.attr in QVARIANT_TYPES):
            add(node, "QVariant.Type is gone in PyQt6 (and deprecated for QgsField from QGIS 3.38): "
                      "give field types in a memory layer's URI (field=name:string)")
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            if node.value.attr == "activated" and getattr(node.slice, "id", None) == "str":
                add(node, "activated[str] is removed in Qt6: use textActivated")
    return out


def metadata_findings() -> List[Finding]:
    path = os.path.join(REPO, "metadata.txt")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if "qgisMaximumVersion=4.99" not in lines:
        return [Finding(path, 1, 0, "metadata.txt must declare qgisMaximumVersion=4.99")]
    return []


def qrc_findings(root: str = REPO) -> List[Finding]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        out += [Finding(os.path.join(folder, f), 1, 0, "compiled resources (.qrc) are removed in Qt6")
                for f in files if f.endswith(".qrc")]
    return out


def check(paths: Optional[List[str]] = None, enums: bool = True) -> List[Finding]:
    """Every finding over the given files (default: every Python file of the repository)."""
    out = []
    for path in paths or python_files():
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=path)
        out += text_findings(path, tree)
        if enums:
            out += enum_findings(path, tree)
    if paths is None:
        out += metadata_findings() + qrc_findings()
    return sorted(out)


def fix_enums(findings: List[Finding]) -> int:
    """Rewrite each fixable unscoped enum in place; return how many were rewritten."""
    by_file: Dict[str, List[Finding]] = {}
    for f in findings:
        if f.fix:
            by_file.setdefault(f.path, []).append(f)
    count = 0
    for path, items in by_file.items():
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().split("\n")
        # right to left on each line, so earlier offsets stay valid
        for f in sorted(items, key=lambda f: (f.line, f.col), reverse=True):
            line = lines[f.line - 1]
            owner, enum, member = f.fix.rsplit(".", 2)
            old = f"{owner}.{member}"
            if line[f.col:f.col + len(old)] != old:
                continue  # spelled across lines or with spaces: leave it to a human
            lines[f.line - 1] = line[:f.col] + f.fix + line[f.col + len(old):]
            count += 1
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
    return count


def main(argv: List[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.append("/usr/share/qgis/python/plugins")
    findings = check()
    if "--fix" in argv:
        print(f"scoped {fix_enums(findings)} enums")
        findings = check()
    for f in findings:
        print(f)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
