"""The geometry of the summary pages' bar and column charts: plain numbers for
the SVG templates to print. No database, no translation: callers give labels."""

from dataclasses import dataclass

from django.utils.text import Truncator


# --- Charts -----------------------------------------------------------------

# Drawn at this width and never wider (css/forum.css), narrower only as far as
# a phone needs: at 360 px the chart is about 300 px wide, so FONT_SIZE units
# are still 12 px or more there. A label sits above its bar, so the bars keep
# the width a label beside them would take.
CHART_WIDTH = 360
FONT_SIZE = 15
ROW_HEIGHT = 40
ROW_BAR_HEIGHT = 14
# Where the label's baseline and the bar's top are in their row.
LABEL_BASELINE = 14
BAR_TOP = 19
# Room after the longest bar for its number ("12345" at FONT_SIZE).
VALUE_ROOM = 56
LABEL_CHARS = 40
CATEGORY_BARS_DRAWN = 15
COLUMN_PLOT_TOP = 20
COLUMN_PLOT_HEIGHT = 160
COLUMN_PLOT_LEFT = 44
# Date labels under the columns, each about 50 units wide at FONT_SIZE.
COLUMN_TICKS = 5


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    # Horizontal charts: the label starts at text_x on text_y, above the bar; the
    # value starts at value_x, on value_y (the bar's middle).
    text_x: float = 0
    text_y: float = 0
    value_x: float = 0
    value_y: float = 0

    @property
    def short_label(self) -> str:
        return Truncator(self.label).chars(LABEL_CHARS)


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Table:
    """The chart's figures for people who do not see the chart, and for print."""

    headings: tuple[str, ...]
    rows: list[tuple]


@dataclass(frozen=True)
class BarChart:
    slug: str
    title: str
    description: str
    horizontal: bool
    width: int
    height: int
    bars: tuple[Bar, ...]
    table: Table
    # Column charts: the baseline, the labels under it and the scale beside it.
    axis: tuple[float, float, float, float] = (0, 0, 0, 0)
    ticks: tuple[Tick, ...] = ()
    scale: tuple[Tick, ...] = ()
    # Categories left out of the drawing (the table lists them all).
    omitted: int = 0


def _scaled(value: int, largest: int, length: float) -> float:
    return round(value / largest * length, 1) if largest else 0.0


# Half a date label's width: a label centred under the first or last column stays inside the chart.
_HALF_TICK_LABEL = 26


def _within(x: float) -> float:
    return round(min(max(x, _HALF_TICK_LABEL), CHART_WIDTH - _HALF_TICK_LABEL), 1)


def horizontal_bar_chart(
    slug: str,
    title: str,
    description: str,
    items: list[tuple[str, int]],
    table: Table,
    limit: int = CATEGORY_BARS_DRAWN,
) -> BarChart:
    """One bar per (label, value), largest first as given, each label above its bar and the value after it."""
    drawn = items[:limit]
    largest = max((value for _label, value in drawn), default=0)
    length = CHART_WIDTH - VALUE_ROOM
    bars = []
    for index, (label, value) in enumerate(drawn):
        row = index * ROW_HEIGHT
        width = _scaled(value, largest, length)
        bars.append(
            Bar(
                label=label,
                value=value,
                x=0,
                y=row + BAR_TOP,
                width=width,
                height=ROW_BAR_HEIGHT,
                text_x=0,
                text_y=row + LABEL_BASELINE,
                value_x=round(width + 6, 1),
                value_y=row + BAR_TOP + ROW_BAR_HEIGHT / 2,
            )
        )
    return BarChart(
        slug=slug,
        title=title,
        description=description,
        horizontal=True,
        width=CHART_WIDTH,
        height=max(ROW_HEIGHT, len(bars) * ROW_HEIGHT),
        bars=tuple(bars),
        table=table,
        omitted=len(items) - len(drawn),
    )


def column_chart(
    slug: str, title: str, description: str, items: list[tuple[str, int]], tick_labels: list[str], table: Table
) -> BarChart:
    """One column per (label, value) left to right, with a few of `tick_labels` under the axis."""
    count = len(items)
    largest = max((value for _label, value in items), default=0)
    plot_width = CHART_WIDTH - COLUMN_PLOT_LEFT - 10
    slot = plot_width / count if count else plot_width
    bottom = COLUMN_PLOT_TOP + COLUMN_PLOT_HEIGHT
    bars = []
    for index, (label, value) in enumerate(items):
        height = _scaled(value, largest, COLUMN_PLOT_HEIGHT)
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(COLUMN_PLOT_LEFT + index * slot + slot * 0.1, 1),
                y=round(bottom - height, 1),
                width=round(max(slot * 0.8, 0.5), 1),
                height=height,
            )
        )
    step = max(1, -(-count // COLUMN_TICKS))  # ceiling division
    shown = sorted({*range(0, count, step), count - 1}) if count else []
    if len(shown) > 1 and shown[-1] - shown[-2] < step / 2:
        shown.pop(-2)  # the last label would overlap the one before it
    ticks = tuple(
        Tick(x=_within(COLUMN_PLOT_LEFT + index * slot + slot / 2), y=bottom + FONT_SIZE + 4, label=tick_labels[index])
        for index in shown
    )
    scale = (
        Tick(x=COLUMN_PLOT_LEFT - 6, y=COLUMN_PLOT_TOP + 4, label=str(largest)),
        Tick(x=COLUMN_PLOT_LEFT - 6, y=bottom, label="0"),
    )
    return BarChart(
        slug=slug,
        title=title,
        description=description,
        horizontal=False,
        width=CHART_WIDTH,
        height=bottom + FONT_SIZE + 10,
        bars=tuple(bars),
        table=table,
        axis=(COLUMN_PLOT_LEFT, bottom, CHART_WIDTH - 10, bottom),
        ticks=ticks,
        scale=scale,
    )
