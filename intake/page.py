"""The aggregate as a self-contained HTML page: per contest a bar chart (inline SVG) of the
votes per option summed over the stations received, and the list of stations still missing."""

from __future__ import annotations

from html import escape
from typing import Any

from kiosk.election.package import LoadedPackage

BAR_W, ROW_H, LABEL_W = 420, 22, 260


def _chart(lines: dict[str, int], names: dict[str, str]) -> str:
    votes = [(k, v) for k, v in lines.items() if k in names]
    top = max([v for _, v in votes] + [1])
    h = ROW_H * len(votes) + 4
    rows = []
    for i, (k, v) in enumerate(votes):
        y = i * ROW_H + 2
        w = round(BAR_W * v / top)
        rows.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end">{escape(names[k])}</text>'
            f'<rect x="{LABEL_W}" y="{y + 2}" width="{w}" height="{ROW_H - 6}" fill="#2b6cb0"/>'
            f'<text x="{LABEL_W + w + 6}" y="{y + 15}">{v}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{LABEL_W + BAR_W + 80}" height="{h}" '
        f'font-family="sans-serif" font-size="13" role="img">{"".join(rows)}</svg>'
    )


def render_html(agg: dict[str, Any], package: LoadedPackage) -> str:
    election = package.election
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Sanaq intake</title>",
        "<style>body{font-family:sans-serif;margin:24px}h2{margin-top:28px}.missing{color:#9b2c2c}</style>",
        "</head><body><h1>Sanaq intake: results received so far</h1>",
        f"<p>Election {escape(agg['election_hash'][:16])}…</p>",
    ]
    for c in agg["contests"]:
        contest = election.contest(c["contest"])
        names = {f"votes.{o.id}": o.name.en or o.name.ru for o in contest.options}
        got = len(c["stations_received"])
        parts.append(f"<h2>{escape(contest.title.en)}</h2>")
        parts.append(f"<p>{got} of {c['stations_expected']} stations received.</p>")
        parts.append(_chart(c["lines"], names))
        missing = c["stations_missing"]
        parts.append(f"<p class='missing'>Missing ({len(missing)}): ")
        parts.append(escape(", ".join(missing[:200])) + (" …" if len(missing) > 200 else "") + "</p>")
    parts.append("</body></html>")
    return "".join(parts)
