"""The cockpit's SVG charts: well-formed, accessible, proportional, escaped, and allowed by a
Content-Security-Policy that forbids inline styles."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from markupsafe import Markup

from sidecar.cockpit.charts import Bar, bar_list, column_chart, histogram

SVG = "{http://www.w3.org/2000/svg}"
Draw = Callable[..., Markup]


def parse(svg: Markup) -> ET.Element:
    return ET.fromstring(str(svg))


def bar_rects(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def tooltips(root: ET.Element) -> list[str]:
    return [g.findtext(f"{SVG}title") or "" for g in root.iter(f"{SVG}g")]


BARS = [Bar("Enrolled", 40), Bar("Started", 30, "30 of 40"), Bar("Passed", 10)]


@pytest.mark.parametrize("draw", [column_chart, bar_list])
def test_accessible_scalable_svg_with_one_rect_per_bar(draw: Draw) -> None:
    svg = draw("Funnel", BARS, unit="trainees")
    assert isinstance(svg, Markup)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 ")
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root.find(f"{SVG}title[@id='{title_id}']") is not None
    assert root.findtext(f"{SVG}title") == "Funnel"
    desc = root.findtext(f"{SVG}desc[@id='{desc_id}']") or ""
    for bar in BARS:
        assert f"{bar.label} = {int(bar.value)} trainees" in desc
    assert len(bar_rects(root)) == len(BARS)
    assert len(root.findall(f"{SVG}g")) == len(BARS)
    assert tooltips(root) == [
        "Enrolled: 40 trainees",
        "Started: 30 trainees (30 of 40)",
        "Passed: 10 trainees",
    ]
    assert any(line.get("class") == "axis" for line in root.iter(f"{SVG}line"))
    assert "no data" not in texts(root)


def test_column_heights_are_proportional_and_stand_on_one_baseline() -> None:
    root = parse(column_chart("Scores", [Bar("a", 50), Bar("b", 100), Bar("c", 25)], unit="%"))
    rects = bar_rects(root)
    heights = [float(r.get("height", "nan")) for r in rects]
    assert heights[0] == pytest.approx(heights[1] / 2, abs=0.1)
    assert heights[2] == pytest.approx(heights[1] / 4, abs=0.1)
    bottoms = {round(float(r.get("y", "nan")) + float(r.get("height", "nan"))) for r in rects}
    assert len(bottoms) == 1
    axis = root.find(f"{SVG}line[@class='axis']")
    assert axis is not None and round(float(axis.get("y1", "nan"))) in bottoms
    # the number alone over each column; the unit is in the tooltips
    assert {"50", "100", "25", "a", "b", "c"} <= set(texts(root))
    assert "100 %" in "".join(root.itertext())


def test_an_empty_column_has_no_number_over_it() -> None:
    root = parse(column_chart("Scores", [Bar("a", 0), Bar("b", 3)]))
    assert "3" in texts(root) and "0" not in texts(root)


def test_bar_list_lengths_are_proportional_and_height_grows_with_rows() -> None:
    root = parse(bar_list("Funnel", BARS))
    lengths = [float(r.get("width", "nan")) for r in bar_rects(root)]
    assert lengths[1] == pytest.approx(lengths[0] * 0.75, abs=0.1)
    assert lengths[2] == pytest.approx(lengths[0] * 0.25, abs=0.1)

    def height(rows: int) -> float:
        view = parse(bar_list("t", [Bar(str(i), i + 1) for i in range(rows)])).get("viewBox")
        return float((view or "").split()[3])

    assert height(2) < height(3) < height(10)


def test_long_column_labels_are_cut_but_whole_in_the_tooltip() -> None:
    label = "Forklift operation, night shift"
    root = parse(column_chart("t", [Bar(label, 3), Bar("short", 1)]))
    assert "Forklift oper…" in texts(root)
    assert len("Forklift oper…") == 14
    assert "short" in texts(root)
    assert f"{label}: 3" in tooltips(root)


@pytest.mark.parametrize("draw", [column_chart, bar_list])
def test_user_text_is_escaped(draw: Draw) -> None:
    nasty = '<script>alert("x")</script> "& \'q\' \x00\x07'
    svg = draw(nasty, [Bar(nasty, 1, note=nasty)], unit="<b>")
    out = str(svg)
    assert "<script" not in out
    assert "<b>" not in out
    root = parse(svg)  # an unescaped quote, ampersand or control character would not parse
    assert root.findtext(f"{SVG}title") == '<script>alert("x")</script> "& \'q\' '
    assert '<script>alert("x")</script>' in tooltips(root)[0]
    assert "\"& 'q'" in (root.findtext(f"{SVG}desc") or "")


@pytest.mark.parametrize("draw", [column_chart, bar_list])
@pytest.mark.parametrize("bars", [[], [Bar("a", 0), Bar("b", 0)]], ids=["empty", "all-zero"])
def test_nothing_to_draw_says_no_data(draw: Draw, bars: list[Bar]) -> None:
    root = parse(draw("Nothing yet", bars))
    assert "no data" in texts(root)
    rects = bar_rects(root)
    assert len(rects) == len(bars)
    assert all(float(r.get("height" if draw is column_chart else "width", "")) == 0 for r in rects)
    if not bars:
        assert "no data" in (root.findtext(f"{SVG}desc") or "")


def test_negative_and_non_finite_values_draw_nothing_but_still_show() -> None:
    root = parse(column_chart("t", [Bar("neg", -5), Bar("nan", math.nan), Bar("ok", 2)]))
    heights = [float(r.get("height", "")) for r in bar_rects(root)]
    assert heights[0] == 0 and heights[1] == 0 and heights[2] > 0
    assert {"-5", "nan"} <= set(texts(root))


@pytest.mark.parametrize("draw", [column_chart, bar_list])
def test_no_inline_style_anywhere(draw: Draw) -> None:
    svg = str(draw("t", BARS, unit="%"))
    assert "style" not in svg.lower()
    assert "<script" not in svg.lower()
    for element in parse(Markup(svg)).iter():
        assert "style" not in element.attrib


def test_ids_are_unique_between_charts_even_identical_ones() -> None:
    charts = [column_chart("Same", BARS), column_chart("Same", BARS), bar_list("Same", BARS)]
    ids = [e.get("id") for svg in charts for e in parse(svg).iter() if e.get("id")]
    assert len(ids) == 6
    assert len(set(ids)) == len(ids)


def test_histogram_counts_into_labelled_bins() -> None:
    bars = histogram([0, 5, 9.99, 10, 55, 99, 100])
    assert [b.label for b in bars] == [f"{i}–{i + 10}" for i in range(0, 100, 10)]
    assert [b.value for b in bars] == [3, 1, 0, 0, 0, 1, 0, 0, 0, 2]


def test_histogram_edges_clamps_and_nan() -> None:
    bars = histogram([-20, -math.inf, 100, 150, math.inf, math.nan], bins=4)
    assert [b.label for b in bars] == ["0–25", "25–50", "50–75", "75–100"]
    assert [b.value for b in bars] == [2, 0, 0, 3]
    assert sum(b.value for b in histogram([math.nan, math.nan])) == 0
    assert len(histogram([])) == 10


def test_histogram_fractional_edges_fall_in_the_upper_bin() -> None:
    bars = histogram([0.3, 0.7, 1.0], low=0, high=1, bins=10)
    assert bars[3].value == 1 and bars[7].value == 1 and bars[9].value == 1
    assert bars[3].label == "0.3–0.4"
    assert [b.label for b in histogram([], low=0, high=1, bins=3)] == [
        "0–0.33",
        "0.33–0.67",
        "0.67–1",
    ]


@pytest.mark.parametrize(
    ("low", "high", "bins"), [(0, 100, 0), (10, 10, 5), (10, 0, 5), (0, math.inf, 5)]
)
def test_histogram_rejects_bad_ranges(low: float, high: float, bins: int) -> None:
    with pytest.raises(ValueError):
        histogram([1], low=low, high=high, bins=bins)


def test_histogram_feeds_a_column_chart() -> None:
    root = parse(column_chart("Scores", histogram([12, 15, 88]), unit="trainees"))
    assert len(bar_rects(root)) == 10
    assert "10–20: 2 trainees" in tooltips(root)
