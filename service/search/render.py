"""Search results for a terminal (rich): titles, outlets, dates and the highlighted snippet."""

from __future__ import annotations

import re
from html import unescape

from rich.console import Console

from service.search.engine import SearchResponse

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _terminal(html: str) -> str:
    text = _MARK.sub(lambda m: f"[bold yellow]{m.group(1)}[/bold yellow]", html.replace("[", r"\["))
    return unescape(text)


def print_results(response: SearchResponse, console: Console) -> None:
    note = " (لم تُعثر على كل الكلمات معًا؛ النتائج لأيٍّ منها)" if response.fallback else ""
    console.print(f"[bold]{response.total:,}[/bold] نتيجة — results, {response.took_ms} ms{note}")
    if response.suggestions:
        console.print(f"هل تقصد: {' / '.join(response.suggestions)}")
    for hit in response.hits:
        date = hit.published_at.date().isoformat() if hit.published_at else "—"
        extra = f" [dim](+{hit.cluster_size - 1} مشابهة)[/dim]" if hit.cluster_size > 1 else ""
        console.print(f"\n[bold cyan]{hit.id}[/bold cyan]  {_terminal(hit.title_html or '—')}{extra}")
        console.print(f"[dim]{hit.source or '—'} · {date}{' · ' + hit.url if hit.url else ''}[/dim]")
        console.print(_terminal(hit.snippet))
