"""How well spelling variants meet: recall and precision on a variant set checked against the corpus.

    .venv/bin/python bench/variants.py --data-dir /tmp/full      # an archive holding the news corpus

Each group lists spellings of one name (or one word) that really occur in Arabic news. For every
spelling typed as a query we compare the articles the search returns with the articles that
contain ANY spelling of the group (relevant), at document level:

    recall    = relevant articles returned / relevant articles
    precision = relevant articles returned / articles returned

"Controls" are ordinary words that have no spelling variants: anything variant expansion adds to
them is counted as a false hit. The baseline is the same search with variant expansion turned off.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import tantivy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.archive import Archive
from service.search.compile import QueryCompiler
from service.search.plan import plan_query
from service.search.request import SearchRequest
from service.settings import Settings

GROUPS = [
    ["ترامب", "ترمب"],
    ["نتنياهو", "نتانياهو"],
    ["بوتين", "بوتن"],
    ["غوغل", "جوجل", "قوقل"],
    ["فيسبوك", "فيس بوك"],
    ["سوريا", "سورية"],
    ["ميليشيات", "مليشيات"],
    ["ميليشيا", "مليشيا"],
    ["أمريكا", "أميركا"],
    ["الأمريكية", "الأميركية"],
    ["سامسونج", "سامسونغ"],
    ["دير الزور", "ديرالزور"],
    ["إنستغرام", "انستجرام", "إنستقرام", "انستغرام"],
    ["يوتيوب", "يوتوب"],
    ["واتساب", "واتس اب", "واتس آب"],
    ["أردوغان", "أردغان"],
    ["تيلرسون", "تيلرسن"],
    ["بومبيو", "بومبو"],
    ["كلينتون", "كلنتون"],
    ["الكونغرس", "الكونجرس"],
    ["البنتاغون", "البنتاجون"],
    ["بنغلاديش", "بنجلاديش"],
    ["هونغ كونغ", "هونج كونج"],
    ["غوتيريش", "جوتيريش", "غوتيريس"],
    ["الديمقراطية", "الديموقراطية"],
    ["الإنترنت", "الانترنيت"],
    ["مانشستر", "مانشيستر"],
    ["ليفربول", "ليفيربول"],
    ["يوفنتوس", "يوفينتوس"],
    ["تشيلسي", "تشلسي"],
    ["مايكروسوفت", "ميكروسوفت"],
    ["نيويورك", "نيو يورك"],
    ["واشنطن", "واشنطون"],
    ["إنجلترا", "إنكلترا", "انكلترا"],
    ["الكرملين", "الكريملين"],
    ["بيونغ يانغ", "بيونج يانج"],
    ["كوريا", "كوريه"],
    ["ماكرون", "ماكرن"],
    ["هيلاري", "هلاري"],
    ["سنغافورة", "سنجافورة"],
    ["الكونغو", "الكونجو"],
    ["تويتر", "توتير"],
    # every word of a several-word name varies (issue 15), and the foreign v written ف, ڤ or و
    ["كيم جونغ أون", "كيم جونج اون"],
    ["شي جين بينغ", "شي جين بينج", "شي جينبينغ"],
    ["جونغ", "جونج"],
    ["فلاديمير", "ڤلاديمير"],
    ["فيتنام", "ڤيتنام", "ويتنام"],
    ["فنزويلا", "ڤنزويلا", "ونزويلا"],
    ["فاغنر", "واغنر"],
]
CONTROLS = [
    "الحكومة",
    "الرئيس",
    "وزير",
    "مدينة",
    "قوات",
    "المدرسة",
    "العالمي",
    "العلمي",
    "مكتب",
    "السلام",
    "الكتاب",
    "الطلاب",
    "المباراة",
    "الأسعار",
    "النفط",
    "الشرطة",
    "المحكمة",
    "الانتخابات",
    "المستشفى",
    "الجامعة",
    "السوق",
    "البرلمان",
    "الجيش",
    "الدولار",
    "الاقتصاد",
    "المنتخب",
    "الموسم",
    "الفريق",
    "الهجوم",
    "القرار",
    # initial و/ف that are not a v (the conjunction, ordinary words): the v rule must leave them alone
    "وزارة",
    "وكالة",
    "ولاية",
    "وفاة",
    "فترة",
    "فكرة",
    "فرصة",
    "وقال",
]


def matching_ids(
    archive: Archive, searcher: tantivy.Searcher, text: str, variants: bool, correct: bool = False
) -> set[int]:
    """The articles the search's own plan finds for ``text``. Relevance and the baseline take the
    spelling as typed (``correct=False``): a typo correction would turn a rare real spelling into the
    common one and shrink the very set it is measured against."""
    compiler = QueryCompiler(archive.index.schema, searcher, use_variants=variants)
    # its all→any fallback never fires here: a typed spelling is measured only if its quoted phrase
    # matches, and then all its words do
    q = f'"{text}"' if " " in text and not variants else text
    planned = plan_query(SearchRequest(q=q, correct=correct), compiler)
    if not planned.total:
        return set()
    hits = searcher.search(planned.query, limit=planned.total, count=False).hits
    return {int(v) for v in searcher.fast_field_values("id", [a for _, a in hits])}


def evaluate(archive: Archive) -> dict:
    searcher = archive.index.searcher()
    rows = []
    # returned∩relevant, returned, relevant; "as shipped" adds the typo correction a user gets by default
    modes = {"with": (True, False), "without": (False, False), "as shipped": (True, True)}
    totals = {label: [0, 0, 0] for label in modes}
    for group in GROUPS + [[c] for c in CONTROLS]:
        relevant: set[int] = set()
        for member in group:
            relevant |= matching_ids(archive, searcher, member, variants=False)
        if not relevant:
            continue
        for typed in group:
            if not matching_ids(archive, searcher, typed, variants=False):
                continue  # the set is built from spellings the corpus really uses
            row = {"typed": typed, "group": group, "control": len(group) == 1, "relevant": len(relevant)}
            for label, (flag, correct) in modes.items():
                returned = matching_ids(archive, searcher, typed, variants=flag, correct=correct)
                good = len(returned & relevant)
                row[label] = {"returned": len(returned), "good": good}
                totals[label][0] += good
                totals[label][1] += len(returned)
                totals[label][2] += len(relevant)
            rows.append(row)
    summary = {
        label: {"recall": t[0] / t[2], "precision": t[0] / t[1] if t[1] else 1.0}
        for label, t in totals.items()
    }
    for label in totals:  # macro: every typed spelling counts once, however common
        recalls = [r[label]["good"] / r["relevant"] for r in rows]
        precisions = [r[label]["good"] / r[label]["returned"] for r in rows if r[label]["returned"]]
        summary[label]["macro_recall"] = sum(recalls) / len(recalls)
        summary[label]["macro_precision"] = sum(precisions) / len(precisions)
    return {"summary": summary, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="an archive holding the news corpus")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = evaluate(Archive(Settings(data_dir=args.data_dir)))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    print(f"{'typed':<16}{'relevant':>9}{'returned':>9}{'good':>7}{'recall':>8}{'prec':>7}   baseline recall")
    for row in result["rows"]:
        w, b = row["with"], row["without"]
        recall = w["good"] / row["relevant"]
        precision = w["good"] / w["returned"] if w["returned"] else 1.0
        flag = "  (control)" if row["control"] else ""
        print(
            f"{row['typed']:<16}{row['relevant']:>9}{w['returned']:>9}{w['good']:>7}{recall:>8.3f}{precision:>7.3f}"
            f"   {b['good'] / row['relevant']:.3f}{flag}"
        )
    for label, s in result["summary"].items():
        print(
            f"{label}{'' if label == 'as shipped' else ' variants'}: recall {s['recall']:.3f}, precision {s['precision']:.3f} (micro-averaged over articles); "
            f"macro over typed spellings: recall {s['macro_recall']:.3f}, precision {s['macro_precision']:.3f}"
        )


if __name__ == "__main__":
    main()
