"""Server-rendered SVG charts: no JavaScript, readable by screen readers through a table."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    bar_width: float
    maximum: int


def bar_chart(series: list[tuple[str, int]], width: int = 560, height: int = 120) -> BarChart:
    maximum = max((value for _, value in series), default=0)
    step = width / max(len(series), 1)
    bars = []
    for index, (label, value) in enumerate(series):
        bar_height = (value / maximum) * (height - 4) if maximum else 0
        bars.append(Bar(label, value, index * step, height - bar_height, bar_height))
    return BarChart(bars, width, height, max(step - 2, 1), maximum)
