"""Small SVG charts drawn on the server: no script, no CDN, readable by screen readers.

Each chart is an ``<svg role="img">`` with a title; the page shows the same numbers in a
table beside it for anyone who cannot see the picture.
"""

from __future__ import annotations

from markupsafe import Markup, escape

# Colour-blind-safe hues (Okabe-Ito, then two of Paul Tol's), grey last: nine, one per sector,
# so no two sectors share a colour.
PALETTE = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#882255",
    "#999933",
    "#444444",
]


def _colour(j: int, colours: list[str] | None) -> str:
    return colours[j] if colours else PALETTE[j % len(PALETTE)]


FONT = 'font-family="inherit" font-size="12"'


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def bars(
    items: list[tuple[str, float]], title: str, unit: str = "", colours: list[str] | None = None
) -> Markup:
    """Horizontal bars, one per (label, value), longest scaled to the full width."""
    items = list(items)
    label_w, bar_w, row = 190, 220, 26  # room for "Advanced manufacturing"
    height = max(row * len(items) + 8, 40)
    top = max((v or 0 for _, v in items), default=0) or 1
    body = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = max((value or 0) / top * bar_w, 1 if value else 0)
        colour = _colour(i, colours)
        body.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" {FONT}>{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{colour}" rx="2"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" {FONT}>'
            f"{escape(_num(value))}{escape(unit if value is not None else '')}</text>"
        )
    return _svg(label_w + bar_w + 70, height, title, body)


def stacked_columns(
    columns: list[str],
    series: list[tuple[str, str]],
    values: dict,
    title: str,
    colours: list[str] | None = None,
) -> Markup:
    """One column per x label, stacked by series; ``values[(column, key)]`` are the counts.

    ``series`` is [(key, label), ...]; a legend names the colours.
    """
    width, height, left, bottom, top_pad = 640, 260, 40, 40, 10
    plot_h = height - bottom - top_pad
    totals = [sum(values.get((c, k), 0) for k, _ in series) for c in columns]
    peak = max(totals, default=0) or 1
    slot = (width - left - 10) / max(len(columns), 1)
    col_w = min(48, slot * 0.7)
    body = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" '
        f'y2="{top_pad + plot_h}" stroke="#666"/>',
        f'<text x="{left - 6}" y="{top_pad + 10}" text-anchor="end" {FONT}>{peak}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" {FONT}>0</text>',
    ]
    for i, column in enumerate(columns):
        x = left + i * slot + (slot - col_w) / 2
        y = top_pad + plot_h
        for j, (key, label) in enumerate(series):
            n = values.get((column, key), 0)
            if not n:
                continue
            h = n / peak * plot_h
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                f'fill="{_colour(j, colours)}"><title>{escape(column)} · '
                f"{escape(label)}: {n}</title></rect>"
            )
        body.append(
            f'<text x="{x + col_w / 2:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
            f"{FONT}>{escape(column)}</text>"
        )
    legend = _legend(series, 0, height - 12, width, colours)
    return _svg(width, height + 14 * (len(series) // 5), title, body + legend)


def _legend(series, x0: float, y: float, width: int, colours=None) -> list[str]:
    out, x = [], x0 + 40
    for j, (_key, label) in enumerate(series):
        text = str(label)
        step = 22 + 7 * len(text) + 8 * sum(1 for ch in text if ord(ch) > 0x2E80)
        if x + step > width:
            x, y = x0 + 40, y + 14
        out.append(
            f'<rect x="{x:.0f}" y="{y - 9:.0f}" width="10" height="10" '
            f'fill="{_colour(j, colours)}"/>'
            f'<text x="{x + 14:.0f}" y="{y:.0f}" {FONT}>{escape(text)}</text>'
        )
        x += step
    return out


def _num(value: float) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.2f}"
