"""Which guiding question an untagged comment most likely answers: TF-IDF
vectors and cosine similarity, in plain Python (no database, no model).

Words are folded (case and accents: "Accès" is "acces"), short words and a few
English, Spanish and French stop words are dropped, and a light suffix cut
makes "courts" and "court" one term. The documents weighed are the questions
(each with its group heading) and the comments being matched, so a word every
comment uses counts for little."""

import math
import re
from collections import Counter
from collections.abc import Sequence

from accounts.text import fold_for_search

STOP_WORDS = frozenset(
    """
    the and for are but not you your with this that have has was were been from they their them what which who
    how why when where there here about into than then also can could should would will just more most some such
    only other very our ours its it's any all each does did doing being over under out between these those
    los las del una unos unas por para con que como mas pero sus este esta estos estas ese esa son ser hay
    muy sin sobre entre cual cuales donde cuando tambien porque nos ella ellos tiene tienen han fue
    les des une est pour dans par sur qui que quoi avec pas plus mais sont ces cette ses leur leurs nous vous
    ont aux comme tout tous etre fait entre dont elle ils peut aussi tres
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+")
_MIN_SCORE = 0.05


def terms(text: str) -> list[str]:
    """The words of `text` as the comparison counts them."""
    words = _WORD.findall(fold_for_search(text))
    return [_stem(word) for word in words if len(word) > 2 and word not in STOP_WORDS]


def _stem(word: str) -> str:
    # Plurals and the commonest endings, alike in the three languages.
    for ending in ("ciones", "cion", "tions", "tion", "ments", "ment", "ies", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _vector(counts: Counter, idf: dict[str, float]) -> dict[str, float]:
    vector = {term: (1 + math.log(count)) * idf.get(term, 0.0) for term, count in counts.items()}
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {term: weight / norm for term, weight in vector.items()} if norm else {}


def best_matches(questions: Sequence[str], texts: Sequence[str]) -> list[tuple[int, float] | None]:
    """For each of `texts`, the index of the most similar of `questions` and its
    cosine score, or None when nothing is shared. Linear in the words read."""
    question_counts = [Counter(terms(question)) for question in questions]
    text_counts = [Counter(terms(text)) for text in texts]
    documents = len(question_counts) + len(text_counts)
    frequency: Counter = Counter()
    for counts in (*question_counts, *text_counts):
        frequency.update(counts.keys())
    idf = {term: math.log((1 + documents) / (1 + seen)) + 1 for term, seen in frequency.items()}
    question_vectors = [_vector(counts, idf) for counts in question_counts]
    matches: list[tuple[int, float] | None] = []
    for counts in text_counts:
        vector = _vector(counts, idf)
        best = None
        for index, question in enumerate(question_vectors):
            score = sum(weight * question.get(term, 0.0) for term, weight in vector.items())
            if score >= _MIN_SCORE and (best is None or score > best[1]):
                best = (index, score)
        matches.append(best)
    return matches
