"""Charts drawn on the server as inline SVG: no JavaScript library, no CDN, nothing the CSP blocks.

Municipal intranets are often offline and the CSP forbids inline scripts, so the dashboard
and the HTML report get their charts as plain SVG markup (presentation attributes only,
user text escaped). The PDF draws the same series with fpdf2 primitives
(``crm.services.reports.pdf``), so both show the same numbers.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from markupsafe import Markup

from graph.picture import PALETTE

Series = Mapping[str, Mapping[int, int]]


def top_series(series: Series, limit: int = 6) -> list[str]:
    """The ``limit`` topics with the most new ties; the chart stays readable, the table holds all."""
    totals = sorted(series.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return [name for name, values in totals[:limit] if sum(values.values()) > 0]


def line_chart_svg(series: Series, years: Sequence[int], *, title: str, width: int = 720,
                   height: int = 300) -> Markup:
    """One line per series over ``years`` with axis, grid and legend; ``title`` is the accessible name."""
    names = top_series(series)
    left, right, top, bottom = 40, 250, 15, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([series[n].get(y, 0) for n in names for y in years] + [1])
    step = max(1, -(-peak // 5))
    peak = step * -(-peak // step)

    def x(i: int) -> float:
        return round(left + (plot_w * i / max(len(years) - 1, 1)), 1)

    def y(v: float) -> float:
        return round(top + plot_h - plot_h * v / peak, 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title, {chr(34): "&quot;"})}" class="chart">', f"<title>{escape(title)}</title>",
           '<g font-size="11" font-family="sans-serif" fill="#495057">']
    for tick in range(0, peak + 1, step):
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick)}" y2="{y(tick)}" stroke="#dee2e6"/>')
        out.append(f'<text x="{left - 6}" y="{y(tick) + 4}" text-anchor="end">{tick}</text>')
    for i, year in enumerate(years):
        out.append(f'<text x="{x(i)}" y="{height - 10}" text-anchor="middle">{year}</text>')
    out.append("</g>")
    for index, name in enumerate(names):
        colour = PALETTE[index % len(PALETTE)]
        points = " ".join(f"{x(i)},{y(series[name].get(year, 0))}" for i, year in enumerate(years))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.2" points="{points}"/>')
        for i, year in enumerate(years):
            value = series[name].get(year, 0)
            out.append(f'<circle cx="{x(i)}" cy="{y(value)}" r="3" fill="{colour}">'
                       f"<title>{escape(name)} {year}: {value}</title></circle>")
        ly = top + 8 + index * 18
        out.append(f'<rect x="{left + plot_w + 14}" y="{ly - 8}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{left + plot_w + 32}" y="{ly + 2}" font-size="11" font-family="sans-serif">'
                   f"{escape(name[:36])}</text>")
    out.append("</svg>")
    return Markup("".join(out))
