"""Stop words, used at QUERY time only: the index keeps every word so positions and phrases stay true.

Lucene's Arabic list (Jacques Savoy's, 119 entries, BSD licence) brought into our exact form, plus
frequent function words of news prose it lacks, and the question words (هل كم كيف متى أين لماذا ماذا)
and pronouns that fill questions but not the passages that answer them, and أن/إن/لأن/بأن joined to a
pronoun (أنهم, لأنه, بأنها): Lucene lists انه and انها but not the rest of the set. The name علي is never a stop
word: our exact form keeps it apart from the preposition على.
"""

from __future__ import annotations

# Lucene ArabicAnalyzer's default stop set, verbatim (lucene/analysis/common/.../ar/stopwords.txt).
_LUCENE = """
من ومن منها منه في وفي فيها فيه و ف ثم او أو ب بها به ا أ اى اي أي أى لا ولا الا ألا إلا لكن ما وما
كما فما عن مع اذا إذا ان أن إن انها أنها إنها انه أنه إنه بان بأن فان فأن وان وأن وإن التى التي الذى
الذي الذين الى الي إلى إلي على عليها عليه اما أما إما ايضا أيضا كل وكل لم ولم لن ولن هى هي هو وهى
وهي وهو فهى فهي فهو انت أنت لك لها له هذه هذا تلك ذلك هناك كانت كان يكون تكون وكانت وكان غير بعض قد
نحو بين بينما منذ ضمن حيث الان الآن خلال بعد قبل حتى عند عندما لدى جميع
"""
_EXTRA = """
وعلى وإلى وفي وعن ومع وقد وهذا وهذه وذلك هذان هاتان هؤلاء أولئك اللذين اللتين اللاتي اللواتي والتي
والذي عليهم إليه إليها لديه لديها فيما لقد إذ إذن لو لولا ليس ليست مثل
هم هما هن نحن أنا أنتم هل كم كيف متى أين لماذا ماذا
أنهم إنهم أنكم إنكم أننا إننا أني إني لأن لأنه لأنها لأنهم بأنه بأنها بأنهم
"""
_NEVER = {"علي"}


def _build() -> frozenset[str]:
    from service.analysis.pipeline import normalize

    return frozenset({normalize(w) for w in (_LUCENE + _EXTRA).split()} - _NEVER)


STOPWORDS: frozenset[str] = _build()
