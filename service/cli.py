"""The ``arshif`` command: the same archive as the API, from a terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from service.errors import ArshifError
from service.settings import get_settings

if TYPE_CHECKING:
    from service.archive import Archive

app = typer.Typer(
    help="أرشيف — Arshif: a searchable archive of Arabic news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
synonyms_app = typer.Typer(help="Synonym groups expanded at query time.", no_args_is_help=True)
sources_app = typer.Typer(
    help="Outlets and the other names (aliases) they are found by.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
feeds_app = typer.Typer(
    help="Feed subscriptions (RSS, Atom, sitemaps) that keep the archive up to date.", no_args_is_help=True
)
app.add_typer(synonyms_app, name="synonyms")
app.add_typer(sources_app, name="sources")
app.add_typer(feeds_app, name="feeds")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


def _archive() -> Archive:
    from service.archive import Archive

    archive = Archive(get_settings())
    if archive.create_if_new():  # a new data directory: made and migrated on first use
        err.print(f"أرشيف جديد — new archive: {_shown(get_settings().sqlalchemy_url)}")
    elif not archive.is_migrated():  # an existing archive is upgraded only on purpose
        raise ArshifError(
            "قاعدة البيانات غير مهيّأة أو قديمة؛ نفّذ: arshif db upgrade",
            "the database is not at the latest schema; run: arshif db upgrade",
        )
    return archive


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str, indent=None) + "\n")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations up to the latest revision."""
    from service.archive import Archive

    archive = Archive(get_settings())
    archive.upgrade()
    err.print(f"database at the latest revision: {_shown(get_settings().sqlalchemy_url)}")


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True).removeprefix("sqlite:///")


@db_app.command("copy")
def db_copy(
    target: Annotated[
        str, typer.Argument(help="Where to: an empty database, e.g. postgresql://user:password@host/arshif")
    ],
) -> None:
    """Copy the whole archive (ids, clusters, change log) into another, empty database."""
    from service.db.copy import copy_archive
    from service.db.engine import Database
    from service.settings import Settings

    source = get_settings()
    target_url = Settings(database_url=target, data_dir=source.data_dir).sqlalchemy_url
    if target_url == source.sqlalchemy_url:
        raise ArshifError("الهدف هو قاعدة البيانات نفسها", "the target is the database being copied")
    copied = copy_archive(Database(source.sqlalchemy_url), Database(target_url))
    for table, rows in copied.items():
        err.print(f"{table}: {rows:,}")
    err.print(
        f"copied {_shown(source.sqlalchemy_url)} → {_shown(target_url)}; "
        "each node builds its index from it when it starts"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="Worker processes; each searches on its own core. Default: one per core."
        ),
    ] = None,
) -> None:
    """Serve the API and the search page with uvicorn."""
    import os
    import tempfile
    from contextlib import ExitStack

    import uvicorn

    from service.settings import METRICS_DIR_ENV, SUPERVISOR_ENV

    # Searching is CPU-bound Python: one process per core is what lets a second client be served while
    # the first one's query runs. The workers share the index files through the page cache.
    workers = workers or os.cpu_count() or 1
    # The app answers only its allowed Host names; the address it listens on is one of them. The
    # environment carries it to every worker process.
    os.environ["ARSHIF_BIND_HOST"] = host
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    get_settings.cache_clear()
    settings = get_settings()
    _archive().close()
    with ExitStack() as cleanup:
        if workers > 1 and not os.environ.get(METRICS_DIR_ENV):
            # every worker writes its counters here, so that /metrics answers for the whole server
            os.environ[METRICS_DIR_ENV] = cleanup.enter_context(
                tempfile.TemporaryDirectory(prefix="arshif-metrics-")
            )
        # Each worker builds its own app and index handle; the index lock keeps one writer at a time.
        # proxy_headers=False: the client address is the socket's, never X-Forwarded-For (see Settings).
        uvicorn.run(
            "service.server.app:create_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_config=None,
            proxy_headers=False,
            # head timeout and head-size limit (ARSHIF_HEADER_TIMEOUT, ARSHIF_MAX_HEADER_BYTES)
            http="service.server.protocol:GuardedHttpToolsProtocol",
            timeout_keep_alive=settings.keep_alive_timeout,
            limit_concurrency=settings.max_connections,
        )


@app.command()
def ingest(
    paths: Annotated[
        list[str], typer.Argument(help="Files or directories (recursive); '-' reads standard input.")
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Ingest text scrapes, HTML, JSON/JSONL (.gz/.xz), and WARC files.

    Not articles, refused with the reason in the summary: binary files, PDFs, text without Arabic.

    Exit status:
    0 = every record went in (added, updated, unchanged or a duplicate);
    1 = some records or files failed (the summary says which and why), the others went in;
    2 = nothing went in (no record found, or all failed), no such file, or a bad option.
    """
    from service.errors import UsageError
    from service.ingest.run import run_ingest

    summary = run_ingest(_archive(), paths, progress=progress and not json_output, console=err)
    if json_output:
        _print_json(summary.as_dict())
    else:
        from service.ingest.run import print_summary

        print_summary(summary, err)
    if summary.records == 0:
        raise UsageError("لم يُعثر على أي سجل في المدخلات", "no records found in the input")
    if summary.failed == summary.records:
        raise UsageError(
            f"لم يُحفظ أي سجل: فشلت السجلات كلها ({summary.failed:,})",
            f"nothing was stored: all {summary.failed:,} records failed",
        )
    if summary.failed:
        err.print(
            f"[yellow]تنبيه:[/yellow] فشل {summary.failed:,} من {summary.records:,} سجل"
            f" — {summary.failed:,} of {summary.records:,} records failed"
        )
        raise SystemExit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Query, e.g. '\"دير الزور\" قسد -داعش'.")],
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 10,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    sort: Annotated[str, typer.Option(help="relevance | newest | oldest")] = "relevance",
    source: Annotated[list[str] | None, typer.Option(help="Only these outlets (repeatable).")] = None,
    author: Annotated[list[str] | None, typer.Option(help="Only these authors (repeatable).")] = None,
    section: Annotated[list[str] | None, typer.Option(help="Only these sections (repeatable).")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="From date: 2018-02-01, 2018-02 or 2018.")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="To date (inclusive).")] = None,
    no_fold: Annotated[bool, typer.Option("--no-fold", help="Do not fold near-duplicates.")] = False,
    no_correct: Annotated[
        bool, typer.Option("--no-correct", help="Search the words as typed, never their spelling correction.")
    ] = False,
    match: Annotated[str, typer.Option(help="all | any")] = "all",
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="text | json (the API's /api/search response) | csv (the columns of export)"
        ),
    ] = "text",
    json_output: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """Search the archive."""
    from service.search.engine import SearchService
    from service.search.request import make_request

    fmt = "json" if json_output else fmt
    if fmt not in ("text", "json", "csv"):
        raise ArshifError("الصيغة يجب أن تكون text أو json أو csv", "--format must be text, json or csv")
    request = make_request(
        query,
        limit=limit,
        offset=offset,
        sort=sort,
        match=match,
        sources=source,
        authors=author,
        sections=section,
        date_from=date_from,
        date_to=date_to,
        fold=not no_fold,
        facets=fmt == "json",
        snippets=fmt != "csv",
        correct=not no_correct,
    )
    service = SearchService(_archive())
    response = service.search(request)
    for warning in response.warnings:
        err.print(Text(f"تنبيه: {warning.message_ar}"), style="yellow")
    if response.corrected_query is not None:
        _say_corrected(response.corrected_query, query)
    if fmt == "json":
        from service.api.schemas import SearchOut

        # the API's own response: every field /api/search sends, built by the same schema
        _print_json(SearchOut.model_validate(response, from_attributes=True).model_dump(mode="json"))
        return
    if fmt == "csv":
        from service.export import write_export

        # the rows `arshif export --format csv` writes, for this page of hits, in its order
        for chunk in write_export(service.articles([h.id for h in response.hits]), "csv"):
            sys.stdout.write(chunk)
        return
    from service.search.render import print_results

    print_results(response, out)


def _say_corrected(corrected: str, typed: str) -> None:
    """The stderr line of a search or export whose query was corrected (``service/search/spelling.py``)."""
    err.print(
        Text(f"عرض نتائج: {corrected} — ابحث بدلاً من ذلك عن «{typed}» بالخيار --no-correct"),
        soft_wrap=True,
    )


@app.command()
def export(
    query: Annotated[str, typer.Argument(help="Query; empty exports every article.")] = "",
    fmt: Annotated[str, typer.Option("--format", help="jsonl | csv")] = "jsonl",
    sort: Annotated[str, typer.Option(help="relevance | newest | oldest")] = "newest",
    source: Annotated[list[str] | None, typer.Option(help="Only these outlets (repeatable).")] = None,
    date_from: Annotated[str | None, typer.Option("--from")] = None,
    date_to: Annotated[str | None, typer.Option("--to")] = None,
    no_correct: Annotated[
        bool, typer.Option("--no-correct", help="Export the words as typed, never their spelling correction.")
    ] = False,
) -> None:
    """Stream every matching article with all its fields to standard output."""
    from service.export import write_export
    from service.search.engine import SearchService
    from service.search.request import make_request

    if fmt not in ("jsonl", "csv"):
        raise ArshifError("الصيغة يجب أن تكون jsonl أو csv", "--format must be jsonl or csv")
    request = make_request(
        query,
        sort=sort,
        sources=source,
        date_from=date_from,
        date_to=date_to,
        fold=False,
        snippets=False,
        correct=not no_correct,
    )
    # a query with nothing to search for stops here
    service = SearchService(_archive())
    planned, articles = service.matches(request)
    for typed in planned.unknown_sources:
        err.print(Text(f"تنبيه: {service.unknown_source(typed).message_ar}"), style="yellow")
    if planned.corrected_query is not None:
        _say_corrected(planned.corrected_query, query)
    for chunk in write_export(articles, fmt):
        sys.stdout.write(chunk)


@app.command()
def show(
    article_id: Annotated[int, typer.Argument(help="Article id.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print one article as stored: all fields, full body."""
    from service.db import Article
    from service.errors import NotFound
    from service.export import article_record

    archive = _archive()
    with archive.db.reading() as session:
        article = session.get(Article, article_id)
        if article is None:
            raise NotFound(f"لا يوجد مقال رقمه {article_id}", f"no article with id {article_id}")
        record = article_record(article)
    if json_output:
        _print_json(record)
        return
    for key, value in record.items():
        if key not in ("body", "metadata"):
            out.print(f"[bold]{key}[/bold]: {value if value is not None else '—'}")
    out.print(f"[bold]metadata[/bold]: {json.dumps(record['metadata'], ensure_ascii=False)}")
    out.print()
    out.print(record["body"])


@app.command()
def reindex() -> None:
    """Rebuild the search index from the database into a new directory and swap it in atomically."""
    from rich.progress import Progress

    from service.index.manager import article_count

    archive = _archive()
    total = article_count(archive.db)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("indexing", total=total)
        count = archive.index.rebuild(archive.db, progress=lambda n: bar.advance(task, n))
    err.print(f"index rebuilt: {count:,} articles → {archive.index.path}")


@app.command()
def backup(dest: Annotated[Path, typer.Argument(help="An empty or new directory.")]) -> None:
    """Copy database and index consistently, while the service runs."""
    from service.backup import backup as run_backup

    manifest = run_backup(_archive(), dest)
    err.print(
        f"backup written to {dest}: {manifest['articles']:,} articles, integrity {manifest['integrity']}"
    )


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A directory made by `arshif backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the archive in the data directory.")
    ] = False,
) -> None:
    """Bring a backup back into the data directory (stop the server first)."""
    from service.archive import Archive
    from service.backup import restore as run_restore

    settings = get_settings()
    manifest = run_restore(source, settings.data_dir, force=force)
    archive = Archive(settings)
    archive.upgrade()
    report = archive.index.reconcile(archive.db)
    err.print(f"restored {manifest['articles']:,} articles into {settings.data_dir}; index: {report}")


@synonyms_app.command("list")
def synonyms_list(json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List synonym groups."""
    from service.search.synonyms import list_groups

    groups = list_groups(_archive().db)
    if json_output:
        _print_json([{"id": g.id, "terms": g.terms} for g in groups])
    for g in groups if not json_output else []:
        out.print(f"{g.id}\t" + " ⇄ ".join(g.terms))


@synonyms_app.command("add")
def synonyms_add(
    terms: Annotated[
        list[str], typer.Argument(help='Terms that mean the same, e.g. قسد "قوات سوريا الديمقراطية".')
    ],
) -> None:
    """Add a synonym group."""
    from service.search.synonyms import add_group

    group = add_group(_archive().db, terms)
    out.print(f"{group.id}\t" + " ⇄ ".join(group.terms))


@synonyms_app.command("remove")
def synonyms_remove(
    group_id: Annotated[int, typer.Argument(help="Group id (see `arshif synonyms list`).")],
) -> None:
    """Remove a synonym group."""
    from service.search.synonyms import delete_group

    delete_group(_archive().db, group_id)


@sources_app.command("list")
def sources_list(json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List outlets with their article counts, domains and aliases."""
    from service.sources import list_sources

    listed = list_sources(_archive().db)
    if json_output:
        _print_json([s.as_dict() for s in listed])
        return
    for s in listed:
        aliases = " · ".join(s.aliases) or "—"
        out.print(Text(f"{s.id}\t{s.name}\t{s.articles:,}\t{s.domain or '—'}\t{aliases}"))


@sources_app.command("alias")
def sources_alias(
    name: Annotated[str, typer.Argument(help="The outlet: its name or any alias it already has.")],
    alias: Annotated[str, typer.Argument(help='Another name that should find it, e.g. "سكاي نيوز".')],
) -> None:
    """Add an alias to an outlet: source filters then accept it too."""
    from service.sources import add_alias

    outlet, added = add_alias(_archive().db, name, alias)
    out.print(Text(f"{outlet} ⇐ {added}"))


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="RSS 2.0, Atom or sitemap URL.")],
    source: Annotated[
        str | None, typer.Option(help="Outlet name for its articles; default: the feed's own title.")
    ] = None,
    interval: Annotated[
        int | None, typer.Option(help="Seconds between polls of this feed; default ARSHIF_FEED_INTERVAL.")
    ] = None,
    allow_host: Annotated[
        list[str] | None, typer.Option(help="Another host its links may point to (repeatable).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Subscribe to a feed (it is polled by the server, or now with `arshif feeds poll`)."""
    from service.feeds.store import add_feed

    feed = add_feed(_archive().db, url, source=source, interval_s=interval, allow_hosts=allow_host)
    if json_output:
        _print_json(_feed_json(feed))
    else:
        out.print(f"{feed.id}\t{feed.url}\t{feed.source or ''}")


def _feed_json(feed: object) -> dict:
    from service.api.schemas import FeedOut

    return FeedOut.model_validate(feed, from_attributes=True).model_dump(mode="json")


@feeds_app.command("list")
def feeds_list(json_output: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List subscriptions with their health."""
    from service.feeds.store import list_feeds

    feeds = list_feeds(_archive().db)
    if json_output:
        _print_json([_feed_json(f) for f in feeds])
        return
    for f in feeds:
        if f.last_polled_at is None:
            health = "لم تُجلب بعد"
        else:
            health = "سليمة" if f.healthy else f"خطأ ({f.failures}×): {f.last_error}"
        out.print(
            f"{f.id}\t{f.url}\t{f.source or f.title or ''}\t{f.kind or '-'}\t"
            f"عناصر {f.items_seen:,}، مقالات أضيفت {f.articles_added:,}\t{health}"
        )


@feeds_app.command("remove")
def feeds_remove(feed_id: Annotated[int, typer.Argument(help="Feed id (see `arshif feeds list`).")]) -> None:
    """Unsubscribe (the articles it brought stay in the archive)."""
    from service.feeds.store import remove_feed

    remove_feed(_archive().db, feed_id)


@feeds_app.command("poll")
def feeds_poll(
    feed_id: Annotated[int | None, typer.Argument(help="Only this feed; default: every feed.")] = None,
    due: Annotated[bool, typer.Option("--due", help="Only the feeds whose next poll is due.")] = False,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Poll feeds once now (for cron and tests): new items are fetched, extracted and stored."""
    from service.feeds.poller import poll_round
    from service.feeds.store import get_feed

    archive = _archive()
    ids = None
    if feed_id is not None:
        ids = [get_feed(archive.db, feed_id).id]
    reports = poll_round(archive, ids, due_only=due)
    if json_output:
        _print_json([r.as_dict() for r in reports])
    elif not reports:
        err.print("لا خلاصات للجلب — no feeds to poll")
    for r in [] if json_output else reports:
        if r.status == "error":
            err.print(f"[red]✗[/red] {r.feed_id} {r.url}: {r.error}")
            continue
        err.print(
            f"{r.feed_id} {r.url}: {r.status}، في الخلاصة {r.listed}، جديد {r.new} — أضيف {r.added}، "
            f"حُدّث {r.updated}، دون تغيير {r.unchanged}، من الملخص {r.from_summary}، فشل {r.failed}"
        )
        for failure in r.item_errors[:20]:
            err.print(f"  [red]✗[/red] {failure['origin']}: {failure['reason']}")
    if any(r.status == "error" for r in reports):
        raise SystemExit(1)


def main() -> None:
    """Entry point: user mistakes print one line and exit 1; bugs still show their traceback."""
    try:
        app()
    except ArshifError as exc:
        err.print(f"[red]خطأ:[/red] {exc}")
        raise SystemExit(exc.exit_code) from None
    except ValidationError as exc:  # only settings are validated outside a command's own checks
        for problem in exc.errors():
            name = "ARSHIF_" + "_".join(str(part) for part in problem["loc"]).upper()
            err.print(f"[red]خطأ في الإعدادات:[/red] {name}: {problem['msg'].removeprefix('Value error, ')}")
        raise SystemExit(1) from None
    except (OperationalError, ArgumentError, NoSuchModuleError) as exc:
        # A database that is down, unreachable or mis-spelled in ARSHIF_DATABASE_URL: the user's to fix.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        err.print(f"[red]خطأ:[/red] تعذّر الوصول إلى قاعدة البيانات / cannot use the database: {reason}")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        err.print("توقّف بطلب المستخدم — interrupted")
        raise SystemExit(130) from None
