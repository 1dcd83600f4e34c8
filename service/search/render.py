"""Search results for a terminal (rich): titles, outlets, dates and the highlighted snippet.

Everything taken from the archive goes into ``rich.text.Text`` as plain text, never through rich's
``[markup]`` parser, so a title or outlet holding ``[bold]`` or ``[/]`` prints as written.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Span, Text

from service.search.engine import SearchResponse
from service.search.marked import Marked

MARK_STYLE = "bold yellow"


def terminal_text(marked: Marked) -> Text:
    """Highlighted text for a terminal: the raw text, each marked word in ``MARK_STYLE``."""
    return Text(marked.text, spans=[Span(start, end, MARK_STYLE) for start, end in marked.spans])


def also_searched(response: SearchResponse) -> list[str]:
    """The spellings and synonyms the search added to the typed words, each once, in order."""
    found = [v for e in response.expansions for key in ("variants", "synonyms") for v in e[key]]
    return list(dict.fromkeys(found))


def print_results(response: SearchResponse, console: Console) -> None:
    note = " (لم تُعثر على كل الكلمات معًا؛ النتائج لأيٍّ منها)" if response.fallback else ""
    if response.duplicates_folded:
        note += f" (النسخ المكررة المطويّة فيها: {response.duplicates_folded:,})"
    about = "" if response.total_exact else "نحو "  # over EXACT_FOLDED_TOTAL: duplicates not counted
    console.print(f"{about}[bold]{response.total:,}[/bold] نتيجة — results, {response.took_ms} ms{note}")
    if response.suggestions:
        console.print(Text(f"هل تقصد: {' / '.join(response.suggestions)}"))
    if others := also_searched(response):
        console.print(Text(f"بُحث أيضًا عن: {'، '.join(others)}"))
    for hit in response.hits:
        date = hit.published_at.date().isoformat() if hit.published_at else "—"
        title = terminal_text(hit.marked_title) if hit.marked_title.text else Text("—")
        extra = Text(f" (+{hit.cluster_size - 1} مشابهة)", style="dim") if hit.cluster_size > 1 else ""
        console.print()
        console.print(Text.assemble((str(hit.id), "bold cyan"), "  ", title, extra))
        console.print(Text(f"{hit.source or '—'} · {date}{' · ' + hit.url if hit.url else ''}", style="dim"))
        console.print(terminal_text(hit.snippet))
