import base64
import re

from insar_fusion.core.report import figure_img, new_figure, table, write_html


def test_report_embeds_a_decodable_png_and_escapes_table_cells(tmp_path):
    fig = new_figure(3, 2)
    fig.add_subplot().plot([0, 1], [1, 0])
    img = figure_img(fig, alt="line")
    data = re.search(r"base64,([^\"]+)", img).group(1)
    assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    t = table(["name", "value"], [["<P1>", 0.123456789], ["P2", float("nan")]])
    assert "&lt;P1&gt;" in t and "0.1235" in t and "<td></td>" in t
    out = write_html(str(tmp_path / "r.html"), "Report", [img, t])
    text = open(out, encoding="utf-8").read()
    assert text.startswith("<!DOCTYPE html>") and "src=\"data:image/png" in text and "http" not in text
