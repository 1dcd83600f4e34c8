"""Compiling the query tree into tantivy queries, through our analyzer.

A bare word becomes, for each of its analyzed tokens, a disjunction over both term forms and both
text fields: exact-form and title matches score on top of stem matches (BM25 adds them up), and
known spelling variants and synonyms join below the typed form's weight. Phrases use exact forms and
positions; since tantivy cannot OR two terms at one position, a phrase is the disjunction of the
phrases spelled with each word's alternatives (final ة/ه and ى/ي, spelling variants), typed spelling
first. Compiling also records which forms it searched, so highlighting marks the same words.

``QueryCompiler`` holds only what does not depend on the query (schema, searcher, synonyms, facet
values, and per-word outlet counts, which are facts of the searcher's snapshot). Each ``compile`` walks
the tree in a ``_Compilation`` of its own and hands back a frozen ``Compiled``: what one query searched
for never lingers on the compiler, so a second query cannot inherit the first one's highlights.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeGuard

import tantivy

from service.analysis import STOPWORDS, Token, analyze_query_word, normalize, stem
from service.analysis.names import is_name, is_phrase_name
from service.search import variants
from service.search.facts import IndexFacts
from service.search.query import And, FacetFilter, Node, Not, Or, ParsedQuery, Phrase, Term

Occur = tantivy.Occur

# "text" is the whole article (title, then body: one BM25 field); "title" scores a title match once more
WHOLE = ("title", "text")
TITLE_BOOST = 0.25
EXACT_BOOST = 0.25  # added on top of the stem match; 0.25 measured best in bench/eval_retrieval.py (1.0 cost 1.4–2.3 MRR points)
# 0.35 before: quranqa dev .394 -> .418, train .397, arqa_wiki .8006 -> .8005 (bench/eval_shipped.py)
VARIANT_WEIGHT = 0.3
SYNONYM_WEIGHT = 0.6
MIN_PREFIX = 2
# phrases searched for one typed phrase (a 3-word name has 8 with one alternative each)
MAX_PHRASE_SPELLINGS = 32
# A variant the outlets cannot vouch for is kept if it lives beside the typed neighbours in at least
# MIN_CONTEXT articles and CONTEXT_SHARE of its own (جونغ is in كيم جونغ اون in 85% of its articles).
MIN_CONTEXT = 3
CONTEXT_SHARE = 0.5
# before a multi-word name (وبيت لحم, لرام الله)
NAME_CLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل")


@dataclass(frozen=True)
class Highlights:
    """What a hit's text should have marked: exact forms, stems and prefixes of the searched terms."""

    exact: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()

    def matches(self, token: Token) -> bool:
        if token.exact in self.exact or token.stem in self.stems:
            return True
        return bool(self.prefixes) and any(
            token.exact.startswith(p) or token.stem.startswith(p) for p in self.prefixes
        )


@dataclass(frozen=True)
class Expansion:
    """Other spellings and synonyms searched for one typed term (the response's ``expansions``)."""

    term: str
    variants: tuple[str, ...]
    synonyms: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"term": self.term, "variants": list(self.variants), "synonyms": list(self.synonyms)}


@dataclass(frozen=True)
class Compiled:
    """One compiled query and what it searched for."""

    query: tantivy.Query
    highlights: Highlights
    expansions: tuple[Expansion, ...]


@dataclass
class _Marks:
    """Highlights as one compilation gathers them; frozen into ``Highlights`` when it ends."""

    exact: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)

    def frozen(self) -> Highlights:
        return Highlights(frozenset(self.exact), frozenset(self.stems), frozenset(self.prefixes))


class QueryCompiler:
    """Compiles parsed queries against one searcher. Reusable: it keeps nothing of the queries it
    compiled, only facts of the searcher's index state (``IndexFacts``: document frequencies, outlet
    counts per word, phrase counts — the same for every query on this snapshot). Pass the facts of the
    searcher's state to share them with every other query on it; without, the compiler keeps its own."""

    def __init__(
        self,
        schema: tantivy.Schema,
        searcher: tantivy.Searcher,
        *,
        synonyms: Callable[[tuple[str, ...]], list[tuple[str, ...]]] = lambda words: [],
        facet_values: Callable[[str, str], list[str]] = lambda field, value: [value],
        use_variants: bool = True,
        facts: IndexFacts | None = None,
    ) -> None:
        self.schema = schema
        self.searcher = searcher
        self.synonyms = synonyms
        self.facet_values = facet_values
        self.use_variants = use_variants
        self.facts = facts if facts is not None else IndexFacts(searcher)

    def compile(
        self, parsed: ParsedQuery, *, match: str = "all", filters: list[tantivy.Query] | None = None
    ) -> Compiled:
        work = _Compilation(self)
        query = work.compile(parsed, match, filters or [])
        return Compiled(query, work.highlights.frozen(), tuple(work.expansions))

    def date_range(self, start: datetime | None, end: datetime | None) -> tantivy.Query:
        lower = int(start.timestamp()) if start else None
        upper = int(end.timestamp()) if end else None
        return tantivy.Query.range_query(
            self.schema,
            "published",
            tantivy.FieldType.Integer,
            lower,
            upper,
            include_lower=True,
            include_upper=upper is None,  # [from, to): "to" is already the next day
        )

    def outlets(self, exact: str) -> dict[str, int]:
        """How many articles of each outlet contain this exact form."""
        return self.facts.outlets(self.schema, exact)

    def outlet_count(self) -> int:
        return self.facts.outlet_count()

    def doc_freq(self, exact: str) -> int:
        return self.facts.doc_freq("text_exact", exact)

    def phrase_count(self, words: tuple[str, ...]) -> int:
        """Articles holding these exact forms side by side, in this order, in title or body (once per
        index state: the key is the one the compilation's own phrase counts use)."""

        def query() -> tantivy.Query:
            if len(words) == 1:
                return tantivy.Query.term_query(self.schema, "text_exact", words[0])
            return tantivy.Query.phrase_query(self.schema, "text_exact", list(enumerate(words)))

        return self.facts.count(("phrase", words, ("text",), tuple(range(len(words)))), query)

    def known_variants(self, exact: str) -> list[tuple[str, int]]:
        """The spellings of ``exact`` the index holds (``variants.known_variants``): once per state."""
        return self.facts.derived(
            ("variants", exact),
            lambda: variants.known_variants(exact, self.doc_freq, normalize=normalize),
        )


class _Compilation:
    """One walk of one query tree: what it searched for (highlights, expansions) and the variants its
    typed neighbours vouch for belong to this query alone, and die with it."""

    def __init__(self, compiler: QueryCompiler) -> None:
        self.schema = compiler.schema
        self.searcher = compiler.searcher
        self.synonyms = compiler.synonyms
        self.facet_values = compiler.facet_values
        self.use_variants = compiler.use_variants
        self.date_range = compiler.date_range
        self._outlets = compiler.outlets
        self._outlet_count = compiler.outlet_count
        self._doc_freq = compiler.doc_freq
        self._count = compiler.facts.count
        self._phrase_count = compiler.phrase_count
        self._known_variants = compiler.known_variants
        self.highlights = _Marks()
        self.expansions: list[Expansion] = []
        self._in_context: dict[str, set[str]] = {}  # exact form -> variants its typed neighbours vouch for

    def compile(self, parsed: ParsedQuery, match: str, filters: list[tantivy.Query]) -> tantivy.Query:
        must: list[tantivy.Query] = list(filters)
        if parsed.date_from or parsed.date_to:
            must.append(self.date_range(parsed.date_from, parsed.date_to))
        clauses: list[tuple[Occur, tantivy.Query]] = [(Occur.Must, q) for q in must]
        if parsed.root is not None:
            text_query = self.node(parsed.root, match)
            clauses.append((Occur.Must, text_query))
        if not any(occur == Occur.Must for occur, _ in clauses) or _only_negative(parsed.root):
            clauses.append((Occur.Must, tantivy.Query.all_query()))
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    # -- nodes ---------------------------------------------------------------------------------

    def node(self, node: Node, match: str) -> tantivy.Query:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Phrase):
            return self.phrase(node.text, node.field)
        if isinstance(node, FacetFilter):
            return self.facet(node)
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [(Occur.Must, tantivy.Query.all_query()), (Occur.MustNot, self.node(node.child, match))]
            )
        if isinstance(node, Or):
            return _boolean([(Occur.Should, self.node(child, match)) for child in node.children])
        assert isinstance(node, And)
        return self.conjunction(node, match)

    def conjunction(self, node: And, match: str) -> tantivy.Query:
        children = self._merge_compounds(self._merge_names(self._merge_synonym_spans(list(node.children))))
        self._vouch_in_context(children)
        content = [c for c in children if not isinstance(c, (Not, FacetFilter))]
        # Stop words are dropped unless they are all there is.
        meaningful = [c for c in content if not _is_stopword(c)]
        if meaningful:
            content = meaningful
        clauses: list[tuple[Occur, tantivy.Query]] = []
        positive = Occur.Should if match == "any" else Occur.Must
        for child in children:
            if isinstance(child, Not):
                clauses.append((Occur.MustNot, self.node(child.child, match)))
            elif isinstance(child, FacetFilter):
                clauses.append((Occur.Must, self.facet(child)))
            elif child in content:
                clauses.append((positive, self.node(child, match)))
        if not any(occur != Occur.MustNot for occur, _ in clauses):
            clauses.append((Occur.Must, tantivy.Query.all_query()))
        return _boolean(clauses)

    def term(self, term: Term) -> tantivy.Query:
        tokens = analyze_query_word(term.text)
        if not tokens:
            return tantivy.Query.empty_query()
        fields = ("title",) if term.field == "title" else WHOLE
        if term.prefix:
            return _boolean([(Occur.Must, self.prefix(tok, fields)) for tok in tokens])
        if term.fuzzy:
            return _boolean([(Occur.Must, self.fuzzy(tok, fields, term.fuzzy)) for tok in tokens])
        parts = [(Occur.Must, self.word(tok, fields)) for tok in tokens]
        query = _boolean(parts)
        if len(tokens) == 1:
            alternatives = self._alternatives(tokens[0], fields)
            if alternatives:
                query = _boolean([(Occur.Should, query), *((Occur.Should, q) for q in alternatives)])
        return query

    def word(self, tok: Token, fields: tuple[str, ...]) -> tantivy.Query:
        self.highlights.exact.add(tok.exact)
        self.highlights.stems.add(tok.stem)
        return _boolean([(Occur.Should, q) for q in self._forms(tok.exact, tok.stem, fields, 1.0)])

    def _forms(self, exact: str, stem: str, fields: tuple[str, ...], weight: float) -> list[tantivy.Query]:
        out = []
        for f in fields:
            boost = (TITLE_BOOST if f == "title" else 1.0) * weight
            out.append(_boost(tantivy.Query.term_query(self.schema, f"{f}_stem", stem), boost))
            out.append(
                _boost(tantivy.Query.term_query(self.schema, f"{f}_exact", exact), boost * EXACT_BOOST)
            )
        return out

    def _alternatives(self, tok: Token, fields: tuple[str, ...]) -> list[tantivy.Query]:
        """Spelling variants from the vocabulary and synonyms, each weighted below the typed form."""
        out: list[tantivy.Query] = []
        found_variants: list[str] = []
        if self.use_variants and not is_name(
            tok.exact
        ):  # a listed name's rule-made "variants" are other words
            for variant, _df in self._known_variants(tok.exact):
                if (
                    not variants.ending_swap(tok.exact, variant)
                    and not variants.is_spelling_variant(
                        self._outlets(tok.exact), self._outlets(variant), self._outlet_count()
                    )
                    and variant not in self._in_context.get(tok.exact, ())
                ):
                    continue
                found_variants.append(variant)
                # the variant's own inflections count too (مليشيات → ميليشيات, الميليشيات, لميليشيات)
                variant_stem = stem(variant)
                self.highlights.exact.add(variant)
                self.highlights.stems.add(variant_stem)
                out.append(
                    _boolean(
                        [
                            (Occur.Should, q)
                            for q in self._forms(variant, variant_stem, fields, VARIANT_WEIGHT)
                        ]
                    )
                )
            for left, right in variants.split_candidates(tok.exact):
                if min(self._doc_freq(left), self._doc_freq(right)) >= 3:
                    phrase = (
                        self._tolerant_phrase((left, right), fields, [0, 1], VARIANT_WEIGHT)
                        if is_phrase_name((left, right))
                        else self._phrase_query((left, right), fields, VARIANT_WEIGHT)
                    )
                    if self._count(("split", left, right, fields), phrase) >= 3:
                        found_variants.append(f"{left} {right}")
                        self.highlights.exact.update((left, right))
                        out.append(phrase)
        synonyms = [" ".join(words) for words in self.synonyms((tok.exact,))]
        out.extend(self._synonym_queries(synonyms, fields))
        if found_variants or synonyms:
            self.expansions.append(Expansion(tok.exact, tuple(found_variants), tuple(synonyms)))
        return out

    def _synonym_queries(self, synonyms: list[str], fields: tuple[str, ...]) -> list[tantivy.Query]:
        out = []
        for text in synonyms:
            toks = analyze_query_word(text)
            if len(toks) == 1:
                self.highlights.exact.add(toks[0].exact)
                self.highlights.stems.add(toks[0].stem)
                out.append(
                    _boolean(
                        [
                            (Occur.Should, q)
                            for q in self._forms(toks[0].exact, toks[0].stem, fields, SYNONYM_WEIGHT)
                        ]
                    )
                )
            elif toks:
                self.highlights.exact.update(t.exact for t in toks)
                out.append(self._phrase_query(tuple(t.exact for t in toks), fields, SYNONYM_WEIGHT))
        return out

    def phrase(self, text: str, field: str | None) -> tantivy.Query:
        tokens = analyze_query_word(text)
        if not tokens:
            return tantivy.Query.empty_query()
        fields = ("title",) if field == "title" else WHOLE
        self.highlights.exact.update(t.exact for t in tokens)
        words = tuple(t.exact for t in tokens)
        positions = [t.position - tokens[0].position for t in tokens]
        query = self._tolerant_phrase(words, fields, positions)
        synonyms = [" ".join(w) for w in self.synonyms(words)]
        if synonyms:
            self.expansions.append(Expansion(" ".join(words), (), tuple(synonyms)))
            query = _boolean(
                [(Occur.Should, query), *((Occur.Should, q) for q in self._synonym_queries(synonyms, fields))]
            )
        return query

    def _tolerant_phrase(
        self, words: tuple[str, ...], fields: tuple[str, ...], positions: list[int], weight: float = 1.0
    ) -> tantivy.Query:
        """The typed phrase at ``weight``, or the same phrase with other spellings of its words at
        VARIANT_WEIGHT times that — each combination the index holds at least once (a listed name's first
        word may also carry a clitic, at the typed weight: وبيت لحم is بيت لحم)."""
        typed = self._phrase_query(words, fields, weight, positions=positions)
        if len(words) < 2:
            return typed
        name = is_phrase_name(words)
        options = [self._phrase_word_options(words, i, clitics=name and i == 0) for i in range(len(words))]
        clauses = [(Occur.Should, typed)]
        found: set[str] = set()
        for combo in _spellings(words, options, MAX_PHRASE_SPELLINGS):
            forms = tuple(form for form, _ in combo)
            respelled = any(respelling for _, respelling in combo)
            query = self._phrase_query(
                forms, fields, weight * (VARIANT_WEIGHT if respelled else 1.0), positions=positions
            )
            if self._count(("phrase", forms, fields, tuple(positions)), query):
                clauses.append((Occur.Should, query))
                self.highlights.exact.update(forms)
                found.update(form for form, respelling in combo if respelling)
        if found:
            self.expansions.append(Expansion(" ".join(words), tuple(sorted(found)), ()))
        return _boolean(clauses)

    def _phrase_word_options(
        self, words: tuple[str, ...], i: int, *, clitics: bool
    ) -> list[tuple[str, bool]]:
        """Other forms of phrase word ``i`` the index holds, as (form, is_respelling): final ة/ه and ى/ي
        (normalization keeps them apart, phrases should not), the spelling variants a bare word would
        get, and clitics in front of a name."""
        word = words[i]
        out: dict[str, bool] = {}
        for other in variants.orthographic(word):
            if self._doc_freq(other):
                out[other] = True
        if self.use_variants and not is_name(word):
            for variant, _df in self._known_variants(word):
                if (
                    variants.ending_swap(word, variant)
                    or variants.is_spelling_variant(
                        self._outlets(word), self._outlets(variant), self._outlet_count()
                    )
                    or self._vouched(words, i, variant)
                ):
                    out.setdefault(variant, True)
        if clitics:
            for clitic in NAME_CLITICS:
                if self._doc_freq(clitic + word):
                    out.setdefault(clitic + word, False)
        return [(form, respelling) for form, respelling in out.items() if form != word]

    def _vouched(self, words: tuple[str, ...], i: int, variant: str) -> bool:
        """A variant the outlets do not tell apart from the typed word (one outlet writes both جونغ and
        جونج) is still a spelling of it when it stands beside the typed neighbours (كيم … اون) in at
        least MIN_CONTEXT articles and CONTEXT_SHARE of its own: a piece of the same name, not another
        word (العالمي is seldom in البحث العالمي)."""
        lo, hi = max(0, i - 1), min(len(words), i + 2)
        local = words[lo:i] + (variant,) + words[i + 1 : hi]
        count = self._phrase_count(local)
        return count >= MIN_CONTEXT and count >= CONTEXT_SHARE * self._doc_freq(variant)

    def _vouch_in_context(self, children: list[Node]) -> None:
        """For runs of typed bare words (كيم جونج اون), the variants each word's neighbours vouch for."""
        if not self.use_variants:
            return
        run: list[str] = []
        for child in [*children, None]:
            toks = analyze_query_word(child.text) if _plain(child) else []
            if len(toks) == 1:
                run.append(toks[0].exact)
                continue
            if len(run) >= 2:
                words = tuple(run)
                for i, word in enumerate(words):
                    if is_name(word):
                        continue
                    for variant, _df in self._known_variants(word):
                        if self._vouched(words, i, variant):
                            self._in_context.setdefault(word, set()).add(variant)
            run = []

    def _phrase_query(
        self,
        words: tuple[str, ...],
        fields: tuple[str, ...],
        weight: float,
        positions: list[int] | None = None,
    ) -> tantivy.Query:
        positions = positions or list(range(len(words)))
        parts = []
        for f in fields:
            boost = (TITLE_BOOST if f == "title" else 1.0) * weight
            if len(words) == 1:
                q = tantivy.Query.term_query(self.schema, f"{f}_exact", words[0])
            else:
                q = tantivy.Query.phrase_query(self.schema, f"{f}_exact", list(zip(positions, words)))
            parts.append((Occur.Should, _boost(q, boost)))
        return _boolean(parts)

    def prefix(self, tok: Token, fields: tuple[str, ...]) -> tantivy.Query:
        if len(tok.exact) < MIN_PREFIX:
            return self.word(tok, fields)
        self.highlights.prefixes.add(tok.exact)
        pattern = re.escape(tok.exact) + ".*"
        return _boolean(
            [(Occur.Should, tantivy.Query.regex_query(self.schema, f"{f}_exact", pattern)) for f in fields]
        )

    def fuzzy(self, tok: Token, fields: tuple[str, ...], distance: int) -> tantivy.Query:
        # Normalization has already folded hamza, alef and yeh forms, so edits count real letters;
        # short words get distance 1 at most, or everything would match.
        distance = min(distance, 1 if len(tok.exact) < 5 else 2)
        self.highlights.exact.add(tok.exact)
        self.highlights.stems.add(tok.stem)
        parts = []
        for f in fields:
            parts.append(
                (
                    Occur.Should,
                    _boost(
                        tantivy.Query.fuzzy_term_query(self.schema, f"{f}_exact", tok.exact, distance), 1.0
                    ),
                )
            )
            parts.append(
                (Occur.Should, tantivy.Query.fuzzy_term_query(self.schema, f"{f}_stem", tok.stem, distance))
            )
        return _boolean(parts)

    def facet(self, node: FacetFilter) -> tantivy.Query:
        values = self.facet_values(node.field, node.value)
        if not values:
            return tantivy.Query.empty_query()
        return tantivy.Query.term_set_query(self.schema, node.field, values)

    def _merge_compounds(self, children: list[Node]) -> list[Node]:
        """Two typed words that the archive also writes as one (فيس بوك/فيسبوك, واتس اب/واتساب) match
        either way: the pair becomes "the phrase, or the joined word"."""
        if not self.use_variants:
            return children
        out: list[Node] = []
        i = 0
        while i < len(children):
            pair = [c for c in children[i : i + 2] if _plain(c)]
            if len(pair) == 2:
                first, second = (analyze_query_word(c.text) for c in pair)
                if len(first) == 1 and len(second) == 1:
                    joined = first[0].exact + second[0].exact
                    if len(joined) <= variants.MAX_WORD and self._doc_freq(joined) >= 3:
                        text = f"{pair[0].text} {pair[1].text}"
                        self.expansions.append(Expansion(text, (joined,), ()))
                        out.append(Or((Phrase(text), Term(joined))))
                        i += 2
                        continue
            out.append(children[i])
            i += 1
        return out

    def _merge_names(self, children: list[Node]) -> list[Node]:
        """Two typed words that spell a listed multi-word name (بيت لحم, رام الله) are the name: the
        phrase (spelling-tolerant, see ``_tolerant_phrase``), or the words joined where the archive
        writes them so (خانيونس) — not both words anywhere in the article."""
        out: list[Node] = []
        i = 0
        while i < len(children):
            pair = [c for c in children[i : i + 2] if _plain(c)]
            if len(pair) == 2:
                first, second = (analyze_query_word(c.text) for c in pair)
                if len(first) == 1 and len(second) == 1 and is_phrase_name((first[0].exact, second[0].exact)):
                    text = f"{pair[0].text} {pair[1].text}"
                    joined = first[0].exact + second[0].exact
                    if self.use_variants and self._doc_freq(joined) >= 3:
                        self.expansions.append(Expansion(text, (joined,), ()))
                        out.append(Or((Phrase(text), Term(joined))))
                    else:
                        out.append(Phrase(text))
                    i += 2
                    continue
            out.append(children[i])
            i += 1
        return out

    def _merge_synonym_spans(self, children: list[Node]) -> list[Node]:
        """Consecutive bare words that form a multi-word synonym (قوات سوريا الديمقراطية) act as one unit."""
        out: list[Node] = []
        i = 0
        while i < len(children):
            merged = False
            for j in range(min(len(children), i + 5), i + 1, -1):
                window = children[i:j]
                span = [c for c in window if _plain(c)]
                if len(span) == len(window):
                    words = tuple(t.exact for c in span for t in analyze_query_word(c.text))
                    if self.synonyms(words):
                        out.append(Phrase(" ".join(c.text for c in span)))
                        i, merged = j, True
                        break
            if not merged:
                out.append(children[i])
                i += 1
        return out


def _plain(node: Node | None) -> TypeGuard[Term]:
    """A bare word with no operator: the kind a run of typed words is made of."""
    return isinstance(node, Term) and not node.prefix and not node.fuzzy and node.field is None


def _spellings(
    words: tuple[str, ...], options: list[list[tuple[str, bool]]], limit: int
) -> Iterator[tuple[tuple[str, bool], ...]]:
    """Combinations of other forms of the phrase's words, fewest changed words first (the typed phrase
    itself excluded), at most ``limit``."""
    made = 0
    for changed in range(1, len(options) + 1):
        for where in itertools.combinations([i for i, o in enumerate(options) if o], changed):
            choices = [options[i] if i in where else [(words[i], False)] for i in range(len(words))]
            for combo in itertools.product(*choices):
                if made >= limit:
                    return
                made += 1
                yield combo


def _is_stopword(node: Node) -> bool:
    if not isinstance(node, Term) or node.prefix or node.fuzzy:
        return False
    tokens = analyze_query_word(node.text)
    return bool(tokens) and all(t.exact in STOPWORDS for t in tokens)


def _only_negative(node: Node | None) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(isinstance(c, (Not,)) for c in node.children)
    return False


def _boolean(clauses: list[tuple[Occur, tantivy.Query]]) -> tantivy.Query:
    if len(clauses) == 1 and clauses[0][0] in (Occur.Must, Occur.Should):
        return clauses[0][1]
    return tantivy.Query.boolean_query(clauses)


def _boost(query: tantivy.Query, boost: float) -> tantivy.Query:
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)
