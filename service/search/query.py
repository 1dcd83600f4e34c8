"""The query language, parsed into a small tree (compiled to tantivy queries in ``compile.py``).

    سوريا تركيا            both words (AND is implicit)
    سوريا OR تركيا         either; also ``|``. Arabic "أو" is an ordinary word, not an operator
    -داعش  /  NOT داعش     without
    "دير الزور" «دير الزور»  this exact phrase, as spelled (exact forms, positions)
    ترام*                  prefix;  بوتين~ / بوتين~2  fuzzy (edit distance 1 or 2)
    ( ... )                grouping
    title:  source:  author:  section:     (Arabic: عنوان: مصدر: كاتب: قسم:)
    from:2018-02-01  to:2018-02-28         (Arabic: من: إلى:) also 2018-02 or 2018

The parser never fails on bad input: unbalanced quotes and parentheses are closed, lone operators
are read as words or dropped, and what was repaired is reported in ``ParsedQuery.warnings``. It only
raises ``QuerySyntaxError`` for things it cannot guess (an impossible date, an unknown field value
type, parentheses or NOTs nested deeper than ``MAX_DEPTH``), so users always get either results or
one clear sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from service.errors import QuerySyntaxError

MAX_QUERY_CHARS = 2_000
MAX_CLAUSES = 64
MAX_DEPTH = 32  # nested parentheses and NOTs; the tree is walked recursively, so its depth is bounded
END_OF_TIME = datetime.max.replace(tzinfo=UTC)  # the "to" bound of the last day there is

FIELD_ALIASES = {
    "title": "title",
    "عنوان": "title",
    "العنوان": "title",
    "source": "source",
    "مصدر": "source",
    "المصدر": "source",
    "author": "author",
    "كاتب": "author",
    "الكاتب": "author",
    "section": "section",
    "قسم": "section",
    "القسم": "section",
    "from": "from",
    "من": "from",
    "to": "to",
    "إلى": "to",
    "الى": "to",
    "حتى": "to",
}
FACET_FIELDS = {"source", "author", "section"}
DATE_FIELDS = {"from", "to"}

OPEN_QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“"}
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


# -- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    field: str | None = None  # None = title and body; "title" = title only
    prefix: bool = False
    fuzzy: int = 0


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class FacetFilter:
    field: str  # source | author | section
    value: str


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | Phrase | FacetFilter | And | Or | Not


@dataclass
class ParsedQuery:
    root: Node | None  # None: no text clause (filters or dates only, or an empty query)
    date_from: datetime | None = None
    date_to: datetime | None = None  # exclusive upper bound
    warnings: list[str] = field(default_factory=list)


# -- lexing ---------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>[(\[])
  | (?P<rparen>[)\]])
  | (?P<quote>["«“„])
  | (?P<word>[^\s()\[\]"«»“”„]+)
  | (?P<stray>[»”])
    """,
    re.VERBOSE,
)


@dataclass
class _Tok:
    kind: str  # word | phrase | lparen | rparen
    text: str
    negated: bool = False
    field: str | None = None


def _lex(text: str, warnings: list[str]) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    pending_field: str | None = None
    pending_neg = False
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None
        kind, value = m.lastgroup, m.group()
        pos = m.end()
        if kind == "ws" or kind == "stray":
            continue
        if kind == "quote":
            close = OPEN_QUOTES[value]
            end = text.find(close, pos)
            if end < 0:
                end = len(text)
                warnings.append("unbalanced quote closed at the end of the query")
            tokens.append(_Tok("phrase", text[pos:end], pending_neg, pending_field))
            pos = end + 1
            pending_field, pending_neg = None, False
            continue
        if kind in ("lparen", "rparen"):
            tokens.append(
                _Tok(
                    kind, value, pending_neg and kind == "lparen", pending_field if kind == "lparen" else None
                )
            )
            pending_field, pending_neg = None, False
            continue
        # a word, possibly "-word", "field:", "field:value"
        if value.startswith("-") and len(value) > 1 and not pending_neg:
            pending_neg, value = True, value[1:]
        name, sep, rest = value.partition(":")
        if sep and name.lower() in FIELD_ALIASES:
            pending_field = FIELD_ALIASES[name.lower()]
            if not rest:
                continue  # field:"phrase" or field:( ... ) follows
            value = rest
        if value.strip("-:*~") == "":
            if pending_field:
                continue
            pending_neg = False
            continue  # a lone operator character: nothing to search for
        tokens.append(_Tok("word", value, pending_neg, pending_field))
        pending_field, pending_neg = None, False
    return tokens


# -- parsing --------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Tok], parsed: ParsedQuery) -> None:
        self.tokens = tokens
        self.i = 0
        self.parsed = parsed
        self.clauses = 0
        self.depth = 0

    def deeper(self) -> None:
        """One more level of parentheses or NOT; refused past ``MAX_DEPTH`` (no recursion without bound)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(
                f"الاستعلام متداخل أكثر من اللازم: الحد الأقصى {MAX_DEPTH} مستوى من الأقواس أو NOT",
                f"the query is nested too deeply: at most {MAX_DEPTH} levels of parentheses or NOT",
                type="query-too-deep",
            )

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node | None:
        node = self.or_expr()
        while self.peek() is not None:  # a stray ")" — skip it and keep reading
            self.i += 1
            self.parsed.warnings.append("unbalanced parenthesis ignored")
            more = self.or_expr()
            node = _join(And, node, more)
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while self._is_op("OR"):
            self.i += 1
            parts.append(self.and_expr())
        kept = tuple(p for p in parts if p is not None)
        if len(parts) > 1 and len(kept) < len(parts):
            self.parsed.warnings.append("OR without a term on one side ignored")
        return kept[0] if len(kept) == 1 else (Or(kept) if kept else None)

    def and_expr(self) -> Node | None:
        parts: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind == "rparen" or self._is_op("OR"):
                break
            if self._is_op("AND"):
                self.i += 1
                continue
            node = self.unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node | None:
        if self._is_op("NOT"):
            self.i += 1
            following = self.peek()
            if following is None or following.kind == "rparen" or self._is_op("OR"):
                self.parsed.warnings.append("NOT without a term ignored")
                return None
            self.deeper()
            inner = self.unary()
            self.depth -= 1
            return Not(inner) if inner is not None else None
        tok = self.peek()
        assert tok is not None
        node = self.primary(tok)
        if node is not None and tok.negated:
            return Not(node)
        return node

    def primary(self, tok: _Tok) -> Node | None:
        self.i += 1
        if tok.kind == "lparen":
            self.deeper()
            inner = self.or_expr()
            self.depth -= 1
            closing = self.peek()
            if closing is not None and closing.kind == "rparen":
                self.i += 1
            else:
                self.parsed.warnings.append("unbalanced parenthesis closed at the end of the query")
            if tok.field is not None and inner is not None:
                inner = _with_field(inner, tok.field)
            return inner
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            if self.clauses == MAX_CLAUSES + 1:
                self.parsed.warnings.append(f"only the first {MAX_CLAUSES} terms are used")
            return None
        if tok.field in DATE_FIELDS:
            self._set_date(tok.field, tok.text)
            return None
        if tok.kind == "phrase":
            text = " ".join(tok.text.split())
            if not text:
                return None
            if tok.field in FACET_FIELDS:
                return FacetFilter(tok.field, text)
            return Phrase(text, tok.field)
        if tok.field in FACET_FIELDS:
            return FacetFilter(tok.field, tok.text)
        return _term(tok.text, tok.field)

    def _is_op(self, name: str) -> bool:
        tok = self.peek()
        if tok is None or tok.kind != "word" or tok.negated or tok.field is not None:
            return False
        text = tok.text
        return {"OR": text in ("OR", "|", "||"), "AND": text in ("AND", "&", "&&"), "NOT": text == "NOT"}[
            name
        ]

    def _set_date(self, which: str, value: str) -> None:
        start, end = parse_date_bound(value)
        if which == "from":
            self.parsed.date_from = start
        else:
            self.parsed.date_to = end


_FUZZY = re.compile(r"^(.+?)~([12]?)$")


def _term(text: str, field: str | None) -> Term | None:
    fuzzy = 0
    m = _FUZZY.match(text)
    if m:
        text, fuzzy = m.group(1), int(m.group(2) or 1)
    prefix = text.endswith("*")
    text = text.rstrip("*")
    if not text.strip("*~-"):
        return None
    if "*" in text:
        text = text.replace("*", "")
    return Term(text, field, prefix=prefix, fuzzy=fuzzy)


def _with_field(node: Node, field_name: str) -> Node:
    if isinstance(node, Term):
        return (
            Term(node.text, field_name, node.prefix, node.fuzzy)
            if field_name == "title"
            else FacetFilter(field_name, node.text)
        )
    if isinstance(node, Phrase):
        return Phrase(node.text, field_name) if field_name == "title" else FacetFilter(field_name, node.text)
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_with_field(c, field_name) for c in node.children))
    if isinstance(node, Not):
        return Not(_with_field(node.child, field_name))
    return node


def _join(kind: type[And], left: Node | None, right: Node | None) -> Node | None:
    """``left AND right``, kept flat: ``a ) b ) c`` is one And of three, not three nested ones."""
    parts = tuple(p for p in (left, right) if p is not None)
    if len(parts) == 2 and isinstance(left, kind) and right is not None:
        return kind((*left.children, right))
    return parts[0] if len(parts) == 1 else (kind(parts) if parts else None)


def parse_date_bound(value: str) -> tuple[datetime, datetime]:
    """``2018``, ``2018-02`` or ``2018-02-17`` (Arabic-Indic digits welcome) → [start, end) in UTC.
    The end of 9999-12-31 (or of 9999-12, or 9999) is ``END_OF_TIME``: there is no day after it."""
    text = value.translate(DIGITS).strip().replace("/", "-")
    try:
        if re.fullmatch(r"\d{4}", text):
            start, period = date(int(text), 1, 1), "year"
        elif re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = map(int, text.split("-"))
            start, period = date(year, month, 1), "month"
        elif re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            start, period = date(*map(int, text.split("-"))), "day"
        else:
            raise ValueError(value)
    except ValueError:
        raise QuerySyntaxError(
            f"تاريخ غير صالح: «{value}». الصيغة المقبولة: 2018-02-17 أو 2018-02 أو 2018",
            f"invalid date {value!r}; use 2018-02-17, 2018-02 or 2018",
            type="invalid-date",
        ) from None
    return _midnight(start), _midnight(_after(start, period))


def date_bounds(date_from: str | None, date_to: str | None) -> tuple[datetime | None, datetime | None]:
    """The [start, end) that a "from" and a "to" date as users type them cover, ``to`` included to its
    last day; either may be absent. Every from/to pair (API, page, CLI, the article list) goes through here."""
    return (
        parse_date_bound(date_from)[0] if date_from else None,
        parse_date_bound(date_to)[1] if date_to else None,
    )


def _after(start: date, period: str) -> date | None:
    """The first day after the year, month or day that begins at ``start``; None after 9999-12-31."""
    try:
        if period == "year":
            return date(start.year + 1, 1, 1)
        if period == "month":
            return date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return start + timedelta(days=1)
    except (ValueError, OverflowError):
        return None


def _midnight(day: date | None) -> datetime:
    return END_OF_TIME if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def parse(text: str) -> ParsedQuery:
    parsed = ParsedQuery(root=None)
    if len(text) > MAX_QUERY_CHARS:
        parsed.warnings.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
        text = text[:MAX_QUERY_CHARS]
    parsed.root = _Parser(_lex(text, parsed.warnings), parsed).parse()
    return parsed


def positive_terms(node: Node | None) -> list[Term | Phrase]:
    """The terms and phrases a document should contain (not under NOT): for suggestions and highlights."""
    if node is None or isinstance(node, (Not, FacetFilter)):
        return []
    if isinstance(node, (Term, Phrase)):
        return [node]
    return [t for child in node.children for t in positive_terms(child)]
