"""Bug 4 of issue 17: nothing of a chart is clipped or overlapped, at the dock's default width
(about 660 px), at the narrowest width, and in the exported figure. Checked on the drawn
artists' extents (pixels), not by eye."""
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

import tsdata as T
from insar_fusion.core.timeseries import charts
from insar_fusion.core.timeseries.site import SiteData, analyse
from insar_fusion.core.timeseries.stacks import StackReader
from insar_fusion.core.timeseries.store import PointStore

CENTRE = (405000.0, 4315000.0)


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    """Five compared sites with three stacks, as in the dock at its fullest."""
    folder = tmp_path_factory.mktemp("layout")
    x, y, pid, dates, mat = T.insar_points(CENTRE, 2000.0)
    store = PointStore(x, y, pid, dates, mat, T.CRS)
    readers = [StackReader("ndvi", T.write_stack(str(folder / "n"), "ndvi", T.ndvi_of)),
               StackReader("soil_moisture", T.write_stack(str(folder / "s"), "sm", T.sm_of)),
               StackReader("precipitation", T.write_stack(str(folder / "p"), "pr", lambda t: 20 + 0 * t))]
    out = []
    for k in range(5):
        cx, cy = CENTRE[0] + 150 * k, CENTRE[1] - 100 * k
        row, _ = store.nearest(cx, cy)
        data = SiteData(f"#{int(store.ids[row]) + 10000}", cx, cy, 2000.0, store.circle(cx, cy, 2000.0),
                        tuple(r.circle_means(cx, cy, 2000.0) for r in readers), int(store.ids[row]) + 10000,
                        store.point_series(row))
        out.append(analyse(data, 3))
    return out


def _drawn(fig):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _extents(fig, renderer):
    """(what, window extent) of everything drawn: each axes with its labels and drawn ticks
    (get_tightbbox), the figure's titles and texts, and every legend."""
    out = [(ax.get_label() or "axes", ax.get_tightbbox(renderer)) for ax in fig.get_axes() if ax.get_visible()]
    figures, k = [fig], 0
    while k < len(figures):
        figures += list(figures[k].subfigs)
        k += 1
    for f in figures:
        texts = list(f.texts) + [t for t in (f._suptitle, f._supxlabel, f._supylabel) if t is not None]
        out += [(t.get_text(), t.get_window_extent(renderer)) for t in texts
                if t.get_visible() and t.get_text().strip()]
        out += [("legend", lg.get_window_extent(renderer)) for lg in f.legends]
    return out


def _inside(fig, renderer, tol=1.0):
    w, h = fig.bbox.width, fig.bbox.height
    return [what for what, b in _extents(fig, renderer)
            if b.x0 < -tol or b.y0 < -tol or b.x1 > w + tol or b.y1 > h + tol]


def _overlap(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _label_clear_of_ticks(fig, renderer):
    bad = []
    for ax in fig.axes:
        label = ax.yaxis.label
        if not label.get_text():
            continue
        lb = label.get_window_extent(renderer)
        lo, hi = sorted(ax.get_ylim())
        for loc, tick in zip(ax.get_yticks(), ax.get_yticklabels()):
            if lo <= loc <= hi and tick.get_text() and _overlap(lb, tick.get_window_extent(renderer)):
                bad.append(label.get_text())
                break
    return bad


@pytest.mark.parametrize("width_px,height_px", [(660, 560), (660, 380), (360, 560)])
def test_the_panel_at_the_dock_width_clips_and_overlaps_nothing(five, width_px, height_px):
    fig = Figure(figsize=(width_px / 90, height_px / 90), dpi=90)  # the dock's figure: no layout engine
    charts.timeseries_panel(five, fig=fig)
    r = _drawn(fig)
    assert _inside(fig, r) == []
    assert _label_clear_of_ticks(fig, r) == []
    title = fig._suptitle.get_window_extent(r)
    legend = fig.axes[0].get_legend().get_window_extent(r)
    assert not _overlap(title, legend)


def test_the_exported_figure_keeps_title_and_legend_apart(five):
    fig = charts.inspector_figure(five)
    r = _drawn(fig)
    assert _inside(fig, r) == []
    title = [t for t in fig.findobj(Text) if t.get_text().startswith("Within")][0].get_window_extent(r)
    legends = [ax.get_legend() for ax in fig.get_axes() if ax.get_legend() is not None]
    assert legends and not any(_overlap(title, lg.get_window_extent(r)) for lg in legends)
    assert _label_clear_of_ticks(fig, r) == []


@pytest.mark.parametrize("size_px", [(300, 240), (420, 360)])
def test_the_heatmap_at_the_dock_size_shows_its_colour_bar_label(five, size_px):
    fig = Figure(figsize=(size_px[0] / 90, size_px[1] / 90), dpi=90)
    charts.correlation_heatmap(five[0], fig=fig)
    r = _drawn(fig)
    labels = [t.get_text() for t in fig.findobj(Text)]
    assert "Pearson r" in labels
    assert _inside(fig, r) == []
