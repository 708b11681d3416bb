"""Self-contained HTML reports: figures embedded as PNG data URIs, plain tables, atomic writes.

Charts are matplotlib `Figure` objects built without pyplot, so they draw the same in a
worker thread, the dock (FigureCanvasQTAgg) and a report.
"""
import base64
import html
import io
from typing import Iterable, List, Optional, Sequence

from matplotlib.figure import Figure
from matplotlib.text import Text

from .atomic import atomic_output
from .progress import checkpoint

_STYLE = """
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;max-width:1200px;color:#222}
h1{font-size:1.5em;border-bottom:2px solid #2b83ba}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #bbb;padding:3px 8px;text-align:right}
th{background:#eef3f8}td:first-child,th:first-child{text-align:left}
img{max-width:100%;height:auto}.note{color:#555;font-size:.9em}
.ok{color:#1a7f37;font-weight:bold}.bad{color:#b42318;font-weight:bold}
"""


class _Figure(Figure):
    """A Figure that checks for Cancel before each panel it adds (a panel takes a while to make)."""

    def add_subplot(self, *args, **kwargs):
        checkpoint()
        return super().add_subplot(*args, **kwargs)

    def add_axes(self, *args, **kwargs):
        checkpoint()
        return super().add_axes(*args, **kwargs)


def new_figure(width: float = 8.0, height: float = 5.0, dpi: int = 100) -> Figure:
    """A matplotlib Figure not tied to any GUI backend."""
    return _Figure(figsize=(width, height), dpi=dpi, layout="constrained")


def literal_text(fig: Figure) -> Figure:
    """Draw every text of the figure as written: labels made of user data (region, site, group
    or track names) may hold '$', which matplotlib would otherwise parse, and fail on, as math."""
    for child in fig.get_children():  # one panel at a time: finding its texts creates its ticks
        checkpoint()
        for t in child.findobj(Text):
            t.set_parse_math(False)
    return fig


def obey_cancel(fig: Figure) -> Figure:
    """Check for Cancel before each panel is laid out or drawn: a figure of several panels can
    take longer to draw than the wait a Cancel is promised (see core.progress.checkpoint)."""
    for ax in fig.axes:
        if getattr(ax, "_checks_cancel", False):
            continue
        for name in ("draw", "get_tightbbox"):
            def checked(*args, _original=getattr(ax, name), **kwargs):
                checkpoint()
                return _original(*args, **kwargs)
            setattr(ax, name, checked)
        ax._checks_cancel = True
    return fig


def figure_png(fig: Figure, dpi: Optional[int] = None) -> bytes:
    literal_text(fig)
    obey_cancel(fig)
    checkpoint()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
    return buf.getvalue()


def png_img(png: bytes, alt: str = "") -> str:
    """An <img> tag holding PNG bytes as an embedded data URI."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"/>'


def figure_img(fig: Figure, alt: str = "", dpi: Optional[int] = None) -> str:
    """An <img> tag holding the figure as an embedded PNG."""
    return png_img(figure_png(fig, dpi), alt)


def fmt(value, digits: int = 4) -> str:
    """A number for a table: significant digits, '' for None/NaN."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        return f"{value:.{digits}g}"
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence], digits: int = 4) -> str:
    """An HTML table; cells are escaped, numbers formatted with `digits` significant digits."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(fmt(c, digits))}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, sections: List[str]) -> str:
    """A complete HTML document from already-built HTML sections."""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            + "\n".join(sections) + "</body></html>")


def body_of(text: str) -> str:
    """The sections of a page written by page(), headings one level down, to embed in another."""
    start, end = text.find("</h1>"), text.rfind("</body>")
    body = text[start + 5 if start >= 0 else 0:end if end >= 0 else len(text)]
    for level in (4, 3, 2):
        body = body.replace(f"<h{level}", f"<h{level + 1}").replace(f"</h{level}>", f"</h{level + 1}>")
    return body


def write_html(path: str, title: str, sections: List[str]) -> str:
    """Write a self-contained report atomically; return the path."""
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(page(title, sections))
    return path
