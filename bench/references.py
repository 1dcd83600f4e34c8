"""The two reference set-ups Arshif is compared with, on the same records and the same query mix.

whoosh   pure Python, the library once planned for this role. It indexes text already analyzed by
         the project's analyzer (title + body stems, whitespace-joined) in one TEXT field with a plain
         whitespace tokenizer; query words go through the same analyzer. Index time is reported with
         and without that pre-analysis.
fts5     SQLite FTS5 with its default unicode61 tokenizer on the raw title and body: the naive
         approach. Query words are matched as typed.

Both answer the whole mix like Arshif: an exact total, one ranked page (BM25) of ids at the asked
offset, filters by source and date, and for facet queries counts by source and by month. Neither
folds near-duplicates, reads the stored article back or builds snippets, which Arshif does per hit.
"""

from __future__ import annotations

import sqlite3
import time
import warnings
from datetime import datetime
from pathlib import Path

from workload import BenchQuery, text_of

from service.analysis import analyze, analyze_query_word

PAGE = 10


def _day(record: dict) -> str:
    return (record.get("published_at") or "")[:10]


class Whoosh:
    name = "whoosh"

    def __init__(self, path: Path) -> None:
        warnings.filterwarnings(
            "ignore", message='"is" with a literal', category=SyntaxWarning
        )  # whoosh 2.7's own code
        from whoosh import fields, index
        from whoosh.analysis import SpaceSeparatedTokenizer

        schema = fields.Schema(
            id=fields.ID(stored=True),
            text=fields.TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True),
            source=fields.ID(sortable=True),
            month=fields.ID(sortable=True),
            date=fields.DATETIME(),
        )
        path.mkdir(parents=True, exist_ok=True)
        self.index = index.create_in(str(path), schema)
        self.searcher = None

    def build(self, records: list[dict], budget_s: float) -> dict:
        """Pre-analyze, then index until done or ``budget_s`` runs out (whoosh is slow)."""
        analyze_s = index_s = 0.0
        writer = self.index.writer(limitmb=256)
        done = 0
        for n, record in enumerate(records):
            t0 = time.perf_counter()
            stems = " ".join(t.stem for t in analyze(text_of(record)))
            t1 = time.perf_counter()
            doc = {"id": str(n + 1), "text": stems}
            if record.get("source"):
                doc["source"] = record["source"]
            if len(_day(record)) == 10:
                doc["month"] = _day(record)[:7]
                doc["date"] = datetime.fromisoformat(_day(record))
            writer.add_document(**doc)
            analyze_s += t1 - t0
            index_s += time.perf_counter() - t1
            done = n + 1
            if analyze_s + index_s > budget_s:
                break
        t0 = time.perf_counter()
        writer.commit()
        index_s += time.perf_counter() - t0
        self.searcher = self.index.searcher()
        return {"docs": done, "analyze_s": analyze_s, "index_s": index_s, "capped": done < len(records)}

    def search(self, q: BenchQuery) -> tuple[int, list[str]]:
        from whoosh import query as wq
        from whoosh.sorting import FieldFacet

        stems = [t.stem for w in q.words for t in analyze_query_word(w)]
        if not stems:
            return 0, []
        if q.phrase:
            query = wq.Phrase("text", stems) if len(stems) > 1 else wq.Term("text", stems[0])
        else:
            query = wq.And([wq.Term("text", s) for s in stems])
        filters = []
        if q.source:
            filters.append(wq.Term("source", q.source))
        if q.date_from and q.date_to:
            filters.append(
                wq.DateRange(
                    "date",
                    datetime.fromisoformat(q.date_from),
                    datetime.fromisoformat(q.date_to + "T23:59:59"),
                )
            )
        groups = {"source": FieldFacet("source"), "month": FieldFacet("month")} if q.facets else None
        results = self.searcher.search(
            query, limit=q.offset + PAGE, filter=wq.And(filters) if filters else None, groupedby=groups
        )
        if q.facets:
            results.groups("source"), results.groups("month")
        return len(results), [hit["id"] for hit in results[q.offset : q.offset + PAGE]]

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()


class Fts5:
    name = "sqlite-fts5"

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript("""
            CREATE VIRTUAL TABLE docs USING fts5(title, body);
            CREATE TABLE meta(id INTEGER PRIMARY KEY, source TEXT, day TEXT);
        """)

    def build(self, records: list[dict], budget_s: float | None = None) -> dict:
        t0 = time.perf_counter()
        with self.db:
            self.db.executemany(
                "INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
                ((n + 1, r.get("title") or "", r.get("body") or "") for n, r in enumerate(records)),
            )
            self.db.executemany(
                "INSERT INTO meta VALUES (?, ?, ?)",
                ((n + 1, r.get("source"), _day(r)) for n, r in enumerate(records)),
            )
            self.db.execute("CREATE INDEX meta_source_day ON meta(source, day)")
        return {"docs": len(records), "analyze_s": 0.0, "index_s": time.perf_counter() - t0, "capped": False}

    def search(self, q: BenchQuery) -> tuple[int, list[str]]:
        words = [w.replace('"', '""') for w in q.words]
        match = '"' + " ".join(words) + '"' if q.phrase else " ".join(f'"{w}"' for w in words)
        # Filters as a rowid set, with a unary + so the full-text match drives: a JOIN, or a plain
        # ``rowid IN``, lets SQLite hand the rowids to FTS5 and re-run the MATCH for each (10-100× slower).
        where, args, meta = "docs MATCH ?", [match], []
        if q.source:
            meta.append("source = ?")
            args.append(q.source)
        if q.date_from and q.date_to:
            meta.append("day BETWEEN ? AND ?")
            args += [q.date_from, q.date_to]
        if meta:
            where += f" AND +rowid IN (SELECT id FROM meta WHERE {' AND '.join(meta)})"
        total = self.db.execute(f"SELECT count(*) FROM docs WHERE {where}", args).fetchone()[0]
        ids = [
            str(r[0])
            for r in self.db.execute(
                f"SELECT rowid FROM docs WHERE {where} ORDER BY rank LIMIT {PAGE} OFFSET {int(q.offset)}",
                args,
            )
        ]
        if q.facets:
            hits = f"SELECT rowid FROM docs WHERE {where}"
            self.db.execute(
                f"SELECT source, count(*) FROM meta WHERE id IN ({hits}) GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
                args,
            ).fetchall()
            self.db.execute(
                f"SELECT substr(day, 1, 7), count(*) FROM meta WHERE id IN ({hits}) GROUP BY 1", args
            ).fetchall()
        return total, ids

    def close(self) -> None:
        self.db.close()
