"""Bar charts drawn on the server as SVG, with no library and no script.

Why hand-written: the two charts of the statistics page are plain bars; a charting library
(pygal is the maintained one available) writes its styles in a `<style>` element, which our
Content-Security-Policy (`style-src 'self'`) blocks, and loads a tooltip script from elsewhere;
its SVG also needs work to be accessible. Here a chart is geometry computed below and drawn by
`applications/backoffice/_bar_chart.html` with presentation attributes only: `role="img"`, a
title and a description for assistive technologies, a `<title>` per bar for a pointer, and
the same figures in a data table right after each chart (the table is what a screen reader
reads; the chart is hidden from it as a whole image with its summary).

Colours from the State's design system with a contrast of at least 3:1 on white (WCAG 1.4.11);
series also differ by their place in the group and the legend, never by colour alone."""

from dataclasses import dataclass

WIDTH = 720
HEIGHT = 260
MARGIN_LEFT = 40
MARGIN_BOTTOM = 40
MARGIN_TOP = 12
COLOURS = ("#000091", "#18753c", "#b34000", "#6e445a")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    tooltip: str


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Series:
    label: str
    colour: str


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    description: str
    width: int
    height: int
    baseline: float
    plot_left: int
    bars: list[Bar]
    x_labels: list[Tick]
    y_ticks: list[Tick]
    series: list[Series]


def _nice_ceiling(value: int) -> int:
    """The top of the scale: 1, 2, 5 × 10ⁿ at least `value` (and at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return max(step * factor, 1)
        step *= 10


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[tuple[str, list[int]]],
) -> Chart:
    """Grouped vertical bars: one group per category, one bar per series in each group."""
    top = _nice_ceiling(max((max(values, default=0) for _, values in series), default=0))
    plot_width = WIDTH - MARGIN_LEFT - 8
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    baseline = MARGIN_TOP + plot_height
    group_width = plot_width / max(len(categories), 1)
    bar_width = group_width * 0.8 / max(len(series), 1)
    bars = []
    for index, category in enumerate(categories):
        group_left = MARGIN_LEFT + index * group_width + group_width * 0.1
        for position, (label, values) in enumerate(series):
            value = values[index]
            height = plot_height * value / top
            bars.append(
                Bar(
                    x=round(group_left + position * bar_width, 1),
                    y=round(baseline - height, 1),
                    width=round(bar_width - 1, 1),
                    height=round(height, 1),
                    colour=COLOURS[position % len(COLOURS)],
                    tooltip=f"{category} — {label} : {value}",
                )
            )
    x_labels = [
        Tick(round(MARGIN_LEFT + (index + 0.5) * group_width, 1), category)
        for index, category in enumerate(categories)
    ]
    # 0, the top, and the middle when it is a whole number (never a label between two values).
    steps = (0, top // 2, top) if top % 2 == 0 else (0, top)
    y_ticks = [Tick(round(baseline - plot_height * step / top, 1), str(step)) for step in steps]
    return Chart(
        chart_id=chart_id,
        title=title,
        description=description,
        width=WIDTH,
        height=HEIGHT,
        baseline=baseline,
        plot_left=MARGIN_LEFT,
        bars=bars,
        x_labels=x_labels,
        y_ticks=y_ticks,
        series=[
            Series(label, COLOURS[position % len(COLOURS)])
            for position, (label, _values) in enumerate(series)
        ],
    )
