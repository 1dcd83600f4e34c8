"""Plain-text page scrapes: headline, section, bylines and body, by the rules in scrape_rules.toml.

The code here is a small engine; what counts as a byline, a section label, a site-name suffix or the
start of trailing boilerplate lives in the rules file (see its header for the format).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from service.ingest.formats.dates import DateResult, from_parts, sane
from service.ingest.formats.encoding import BinaryInput, decode_bytes
from service.ingest.formats.model import ParsedArticle, RecordFailure, add_note, ingest_info
from service.ingest.formats.text import guess_language, strip_controls, tidy_lines

RULES_PATH = Path(__file__).with_name("scrape_rules.toml")
_MARKER_STRIP = " \t:：.…•·*»«>|-–—"
_FINAL_PUNCT = tuple(".!?؟:،,;؛")


class RulesError(ValueError):
    """The rules file is malformed (a programmer/config error, not bad input)."""


def _compile(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RulesError(f"{where}: invalid regular expression {pattern!r}: {exc}") from exc


def _alternation(patterns: list[str], where: str) -> re.Pattern | None:
    for index, pattern in enumerate(patterns):
        _compile(pattern, f"{where}[{index}]")  # report a bad pattern by its own position
    if not patterns:
        return None
    return _compile("|".join(f"(?:{p})" for p in patterns), where)


def marker_key(line: str) -> str:
    """The line as compared with labels and markers: trailing colons/dots and bullets stripped."""
    return line.strip(_MARKER_STRIP)


@dataclass(frozen=True)
class BylineRule:
    name: str
    pattern: re.Pattern
    zone: str  # "head", "tail" or "any"


@dataclass
class ScrapeResult:
    title: str | None = None
    site_name: str | None = None
    section: str | None = None
    source: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    notes: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)  # byline lines as published
    removed: int = 0  # lines removed as boilerplate
    cut_at: str | None = None  # the cut-off marker where the body ended
    body: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScrapeRules:
    head_lines: int
    tail_lines: int
    max_meta_chars: int
    max_title_chars: int
    max_title_words: int
    min_body_lines_before_cutoff: int
    title_suffixes: tuple[re.Pattern, ...]
    min_title_words: int
    max_site_words: int
    keep_suffixes: frozenset[str]
    section_labels: frozenset[str]
    section_patterns: tuple[re.Pattern, ...]
    heuristic_max_words: int
    bylines: tuple[BylineRule, ...]
    byline_ignore: frozenset[str]
    date_patterns: tuple[re.Pattern, ...]
    cutoff: re.Pattern | None
    drop: re.Pattern | None
    version: int = 1

    # ---------------------------------------------------------------- loading

    @classmethod
    def from_dict(cls, data: dict) -> ScrapeRules:
        try:
            zones = data.get("zones", {})
            title = data.get("title", {})
            section = data.get("section", {})
            dates = data.get("dates", {})
            bylines = []
            for index, entry in enumerate(data.get("byline", [])):
                name = entry.get("name", f"byline[{index}]")
                zone = entry.get("zone", "any")
                if zone not in ("head", "tail", "any"):
                    raise RulesError(f"byline {name!r}: zone must be head, tail or any, not {zone!r}")
                pattern = _compile(entry["pattern"], f"byline {name!r}")
                if not {"source", "author"} & set(pattern.groupindex):
                    raise RulesError(f"byline {name!r}: pattern needs a group named source or author")
                bylines.append(BylineRule(name, pattern, zone))
            prefix = dates.get("prefix", "")
            date_patterns = tuple(
                _compile(prefix + p, f"dates.patterns[{i}]") for i, p in enumerate(dates.get("patterns", []))
            )
            for i, pattern in enumerate(date_patterns):
                if not {"day", "month", "year"} <= set(pattern.groupindex):
                    raise RulesError(f"dates.patterns[{i}] needs groups day, month and year")
            suffixes = tuple(
                _compile(p, f"title.suffix_patterns[{i}]")
                for i, p in enumerate(title.get("suffix_patterns", []))
            )
            for i, pattern in enumerate(suffixes):
                if not {"title", "site"} <= set(pattern.groupindex):
                    raise RulesError(f"title.suffix_patterns[{i}] needs groups title and site")
            section_patterns = tuple(
                _compile(p, f"section.patterns[{i}]") for i, p in enumerate(section.get("patterns", []))
            )
            for i, pattern in enumerate(section_patterns):
                if "section" not in pattern.groupindex:
                    raise RulesError(f"section.patterns[{i}] needs a group named section")
            return cls(
                head_lines=int(zones.get("head_lines", 6)),
                tail_lines=int(zones.get("tail_lines", 6)),
                max_meta_chars=int(zones.get("max_meta_chars", 90)),
                max_title_chars=int(zones.get("max_title_chars", 300)),
                max_title_words=int(zones.get("max_title_words", 40)),
                min_body_lines_before_cutoff=int(zones.get("min_body_lines_before_cutoff", 1)),
                title_suffixes=suffixes,
                min_title_words=int(title.get("min_title_words", 3)),
                max_site_words=int(title.get("max_site_words", 5)),
                keep_suffixes=frozenset(s.casefold() for s in title.get("keep_suffixes", [])),
                section_labels=frozenset(" ".join(s.split()).casefold() for s in section.get("labels", [])),
                section_patterns=section_patterns,
                heuristic_max_words=int(section.get("heuristic_max_words", 0)),
                bylines=tuple(bylines),
                byline_ignore=frozenset(
                    s.casefold() for s in data.get("byline_values", {}).get("ignore", [])
                ),
                date_patterns=date_patterns,
                cutoff=_alternation(data.get("cutoff", {}).get("markers", []), "cutoff.markers"),
                drop=_alternation(data.get("drop", {}).get("patterns", []), "drop.patterns"),
                version=int(data.get("version", 1)),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise RulesError(f"malformed scrape rules: {exc!r}") from exc

    @classmethod
    def load(cls, path: Path | None = None) -> ScrapeRules:
        return _load_rules(str(path or RULES_PATH))

    # ---------------------------------------------------------------- line classifiers

    def is_headline(self, line: str) -> bool:
        if len(line) > self.max_title_chars or len(line.split()) > self.max_title_words:
            return False
        return not (line.endswith(".") and not line.endswith(".."))

    def is_cutoff(self, line: str) -> bool:
        return (
            self.cutoff is not None
            and len(line) <= 2 * self.max_meta_chars
            and bool(self.cutoff.fullmatch(marker_key(line)))
        )

    def is_drop(self, line: str) -> bool:
        return self.drop is not None and len(line) <= 500 and bool(self.drop.fullmatch(marker_key(line)))

    def section_of(self, line: str) -> str | None:
        if len(line) > self.max_meta_chars:
            return None
        key = marker_key(line)
        if key.casefold() in self.section_labels:
            return key
        for pattern in self.section_patterns:
            match = pattern.fullmatch(key)
            if match and match.group("section"):
                return match.group("section").strip()
        return None

    def byline_of(self, line: str, zone: str) -> tuple[str, dict[str, str]] | None:
        """(rule name, {"source": ..., "author": ...}) if the line is a byline in this zone."""
        if len(line) > self.max_meta_chars:
            return None
        text = line.rstrip(" .")
        for rule in self.bylines:
            if rule.zone not in (zone, "any"):
                continue
            match = rule.pattern.fullmatch(text)
            if match:
                values = {}
                for key in ("source", "author"):
                    value = match.groupdict().get(key)
                    value = value.strip(" \t:：-–—()\"'“”") if value else None
                    if value and value.casefold() not in self.byline_ignore:
                        values[key] = value
                return rule.name, values
        return None

    def date_of(self, line: str) -> DateResult | None:
        """DateResult if the line is only a date (possibly implausible: value None with a note)."""
        if len(line) > self.max_meta_chars:
            return None
        text = line.strip(" .")
        for pattern in self.date_patterns:
            match = pattern.fullmatch(text)
            if match:
                value = from_parts(match.groupdict())
                if value is not None:
                    return sane(value)
        return None

    def strip_title_suffix(self, title: str, site_hint: str | None = None) -> tuple[str, str | None]:
        """("Headline", "Site") for "Headline - Site"; (title, None) when there is no site suffix."""
        if len(title) > self.max_title_chars:
            return title, None
        if site_hint:
            hint = " ".join(site_hint.split())
            if title.endswith(hint) and len(title) > len(hint):
                head = title[: -len(hint)].rstrip()
                stripped = head.rstrip("-–—|•·»:").rstrip()
                if stripped != head and stripped:
                    return stripped, hint
        for pattern in self.title_suffixes:
            match = pattern.fullmatch(title)
            if not match:
                continue
            head, site = match.group("title").strip(), match.group("site").strip()
            if site.casefold() in self.keep_suffixes or len(site.split()) > self.max_site_words:
                continue
            if len(head.split()) < self.min_title_words or len(site) >= len(head):
                continue
            return head, site
        return title, None

    # ---------------------------------------------------------------- the engine

    def _take_byline(self, result: ScrapeResult, line: str, found: tuple[str, dict[str, str]]) -> None:
        _, values = found
        result.bylines.append(line)
        if values.get("source") and not result.source:
            result.source = values["source"]
        if values.get("author") and not result.author:
            result.author = values["author"]

    def _take_date(self, result: ScrapeResult, date: DateResult) -> None:
        if date.value is not None and result.published_at is None:
            result.published_at = date.value
        if date.note:
            result.notes.append(date.note)

    def _looks_like_section(self, first: str, second: str) -> bool:
        words = len(first.split())
        return (
            0 < words <= self.heuristic_max_words
            and not first.endswith(_FINAL_PUNCT)
            and self.is_headline(second)
            and len(second.split()) > words
            and not self.byline_of(first, "head")
            and not self.byline_of(second, "head")
            and not self.date_of(first)
            and not self.date_of(second)
            and not self.is_cutoff(first)
            and not self.is_drop(first)
        )

    def extract(self, lines: list[str]) -> ScrapeResult:
        """Apply the rules to the tidied, non-empty lines of a scrape."""
        result = ScrapeResult()
        if not lines:
            return result
        i = 0
        if len(lines) > 2:
            label = self.section_of(lines[0])
            if (label and self.is_headline(lines[1])) or self._looks_like_section(lines[0], lines[1]):
                result.section = label or lines[0]
                i = 1
        titles: set[str] = set()
        candidate = lines[i]
        if (
            len(lines) - i >= 2
            and self.is_headline(candidate)
            and not self.byline_of(candidate, "head")
            and not self.date_of(candidate)
            and not self.is_cutoff(candidate)
        ):
            result.title, result.site_name = self.strip_title_suffix(candidate)
            titles = {candidate, result.title}
            i += 1

        i = self.consume_head(lines, i, result, titles)
        result.body = self.clean_body(lines[i:], result)
        return result

    def consume_head(self, lines: list[str], i: int, result: ScrapeResult, titles: set[str]) -> int:
        """Skip the repeated headline, section, byline, date and droppable lines that follow the headline
        (at most head_lines of them, always leaving one line); return where the body starts."""
        head_end = i + self.head_lines
        while i < len(lines) - 1 and i < head_end:
            line = lines[i]
            if line in titles or (
                result.title and result.site_name is None and self._confirms_title(result, line)
            ):
                result.removed += 1
            elif result.section is None and (label := self.section_of(line)):
                result.section = label
            elif found := self.byline_of(line, "head"):
                self._take_byline(result, line, found)
            elif date := self.date_of(line):
                self._take_date(result, date)
            elif self.is_drop(line):
                result.removed += 1
            else:  # the body starts (a cut-off marker here is clean_body's to judge)
                break
            i += 1
        return i

    def _confirms_title(self, result: ScrapeResult, line: str) -> bool:
        """A repeated headline without the site suffix: "Headline - Some Long Site Name" then "Headline"."""
        title = result.title or ""
        if len(line) < len(title) and title.startswith(line):
            rest = title[len(line) :].strip()
            if rest[:1] in ("-", "–", "—", "|", "•", "·", "»") and rest.strip("-–—|•·» "):
                result.site_name = rest.strip("-–—|•·» ")
                result.title = line
                return True
        return False

    def _is_paragraph(self, line: str) -> bool:
        return len(line) > self.max_meta_chars or line.endswith((".", "!", "؟", "?", "。"))

    def clean_body(self, lines: list[str], result: ScrapeResult) -> list[str]:
        """Body lines without trailing boilerplate, dropped lines and trailing source/byline lines."""
        body: list[str] = []
        for index, line in enumerate(lines):
            if self.is_cutoff(line):
                # a marker before any body line ends the text only if no real paragraph follows it
                if len(body) >= self.min_body_lines_before_cutoff or not any(
                    self._is_paragraph(rest) for rest in lines[index + 1 :]
                ):
                    result.cut_at = line
                    result.removed += len(lines) - index
                    break
                result.removed += 1
                continue
            if self.is_drop(line):
                result.removed += 1
                continue
            body.append(line)
        taken = 0
        while len(body) > 1 and taken < self.tail_lines:
            line = body[-1]
            if found := self.byline_of(line, "tail"):
                self._take_byline(result, line, found)
            elif date := self.date_of(line):
                self._take_date(result, date)
            else:
                break
            body.pop()
            taken += 1
        return body


@lru_cache(maxsize=8)
def _load_rules(path: str) -> ScrapeRules:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"cannot load scrape rules from {path}: {exc}") from exc
    return ScrapeRules.from_dict(data)


def parse_scrape(data: bytes, origin: str, rules: ScrapeRules | None = None) -> ParsedArticle | RecordFailure:
    """One plain-text scrape (the bytes of one file) -> an article."""
    rules = rules or ScrapeRules.load()
    try:
        decoded = decode_bytes(data)
    except BinaryInput as exc:
        return RecordFailure(origin, f"{exc}")
    text, controls = strip_controls(decoded.text)
    lines = tidy_lines(text)
    if not lines:
        return RecordFailure(origin, "no text (file is empty or only whitespace)")
    result = rules.extract(lines)
    if not result.body:
        return RecordFailure(origin, "record has no body (only a title, bylines or boilerplate)")

    metadata: dict = {}
    info = ingest_info(metadata)
    info.update(format="text", encoding=decoded.encoding, rules=f"scrape_rules v{rules.version}")
    for note in decoded.notes + result.notes:
        add_note(metadata, note)
    if controls:
        add_note(metadata, f"{controls} control character(s) removed")
    record_cleaning(result, info, metadata)
    if result.site_name:
        metadata["site_name"] = result.site_name
    body = "\n".join(result.body)
    return ParsedArticle(
        title=result.title,
        body=body,
        source=result.source or result.site_name,
        author=result.author,
        section=result.section,
        published_at=result.published_at,
        language=guess_language(body),
        metadata=metadata,
        origin=origin,
    )


def record_cleaning(result: ScrapeResult, info: dict, metadata: dict) -> None:
    """What the rules removed and found, kept in the record's metadata (text scrapes and HTML alike)."""
    if result.removed:
        info["boilerplate_lines_removed"] = result.removed
    if result.cut_at:
        info["body_cut_at"] = result.cut_at
    if result.bylines:
        metadata["bylines"] = result.bylines
