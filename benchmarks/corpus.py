"""Deterministic synthetic posting corpora for the benchmarks (10k, 100k, 1M postings).

Why not one repeated template: spaCy's tokenizer speed depends on vocabulary size (the
extraction design note measured 5.7 M words/s on repetitive text against 0.5 M on realistic
text), so a corpus with few distinct words would flatter every number here. The generator is a
word-bigram model trained, at benchmark time, on the real corpus (postings_real.jsonl, never
copied anywhere): each next word is drawn from the words that actually followed the previous one,
so sentence shapes, punctuation, newlines, skill terms and their rates, and the Zipf curve of the
vocabulary are the real ones. On top of that, each posting gets fresh names (company, product,
URL) made of random syllables, so the vocabulary keeps growing with corpus size the way a real
one does (Heaps' law: the real 17k postings have 130k distinct words; the 1M corpus has
1.02M). Lengths follow the real length distribution (mean about 1,100 characters).

Companies repost: about 63% of postings come from a company seen before (as in the real
corpus, where 6,399 companies wrote 17,137 postings); 5% of those repeat the company's earlier
text exactly and 10% repeat it with a few words changed, so content hashing and near-duplicate
detection have realistic work to do.

Without the real corpus (a fresh clone elsewhere), a small built-in word list is used instead,
and the result says so: its numbers are not comparable.

Usage: python -m benchmarks.corpus --postings 100000 --out /tmp/bench/synthetic_100k.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

REAL_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "postings_real.jsonl"
_TOKEN = re.compile(r"\n+|[^\s]+")
_SYLLABLES = [
    "ka",
    "ri",
    "to",
    "ne",
    "lo",
    "ma",
    "su",
    "vi",
    "de",
    "ra",
    "zo",
    "qua",
    "bel",
    "tron",
    "lux",
    "nex",
    "vor",
    "sta",
    "pli",
    "gra",
    "fen",
    "dor",
    "mi",
    "ta",
    "co",
    "ly",
    "ze",
    "ph",
    "ar",
    "ex",
    "io",
    "un",
    "it",
    "sy",
    "ka",
    "va",
    "mo",
    "ri",
    "gen",
    "ix",
    "ol",
]
_LOCATIONS = (
    "San Francisco, CA",
    "New York, NY",
    "Remote",
    "London, UK",
    "Berlin, Germany",
    "Austin, TX",
    "Seattle, WA",
    "Boston, MA",
    "Toronto, Canada",
    "Amsterdam",
    "Paris, France",
    "Remote (US)",
    "Bangalore, India",
    "Zurich",
    "Chicago, IL",
    "Los Angeles, CA",
)
_ROLES = (
    "Machine Learning Engineer",
    "Senior Software Engineer",
    "Data Scientist",
    "Backend Engineer",
    "Full-stack Engineer",
    "ML Infrastructure Engineer",
    "Data Engineer",
    "Research Engineer",
    "Platform Engineer",
    "Frontend Engineer",
    "MLOps Engineer",
    "Applied Scientist",
)
_FALLBACK_TEXT = (
    "We are hiring engineers to build our platform with Python, SQL and Kubernetes.\n\n"
    "You will work on machine learning models in PyTorch and deploy them on AWS with Docker.\n"
    "Experience with Spark, Airflow or Kafka is a plus. We use Go, React and PostgreSQL.\n"
    "Our team values ownership, testing and clear writing. Benefits include equity and health."
)


class BigramModel:
    """Next-word lists with repetition (sampling is one index, no weights), plus start words."""

    def __init__(self, texts: list[str]) -> None:
        following: dict[str, list[str]] = defaultdict(list)
        starts: list[str] = []
        lengths: list[int] = []
        for text in texts:
            tokens = _TOKEN.findall(text)
            if not tokens:
                continue
            starts.append(tokens[0])
            lengths.append(len(text))
            for a, b in itertools.pairwise(tokens):
                following[a].append(b)
        self.following = dict(following)
        self.starts = starts
        self.lengths = sorted(lengths)

    def text(self, rng: random.Random, target_chars: int) -> str:
        out: list[str] = []
        size = 0
        word = rng.choice(self.starts)
        following = self.following
        while size < target_chars:
            out.append(word)
            size += len(word) + 1
            successors = following.get(word)
            word = (
                successors[int(rng.random() * len(successors))]
                if successors
                else rng.choice(self.starts)
            )
        return _join(out)


def _join(tokens: list[str]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token[0] == "\n":
            if parts and parts[-1] == " ":
                parts.pop()
            parts.append(token)
        else:
            parts.append(token)
            parts.append(" ")
    return "".join(parts).strip()


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def load_model(real: Path = REAL_CORPUS) -> tuple[BigramModel, bool]:
    """(model, trained_on_real_corpus)."""
    if real.is_file():
        with real.open(encoding="utf-8") as handle:
            texts = [json.loads(line)["text"] for line in handle if line.strip()]
        return BigramModel(texts), True
    return BigramModel([_FALLBACK_TEXT] * 50), False


def generate(
    postings: int,
    out: Path,
    seed: int = 20261121,
    model: BigramModel | None = None,
    first_month: date = date(2011, 1, 1),
    months: int = 180,
    id_prefix: str = "syn-",
) -> dict[str, object]:
    """Write `postings` JSONL lines to `out`, posted evenly over `months` months from
    `first_month`; returns facts about what was written."""
    real = True
    if model is None:
        model, real = load_model()
    rng = random.Random(seed)
    companies: list[tuple[str, int]] = []  # (name, text seed) per company, in first-seen order
    by_posting: list[int] = []  # company index of each posting (preferential attachment)
    chars = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for i in range(postings):
            is_repeat = bool(by_posting) and rng.random() >= 0.373
            if is_repeat:
                company = by_posting[int(rng.random() * len(by_posting))]
            else:
                company = len(companies)
                companies.append((_name(rng), 0))
            by_posting.append(company)
            name, text_seed = companies[company]
            roll = rng.random() if is_repeat else 1.0
            if roll >= 0.15:  # a fresh text; the company's next repost starts from this one
                text_seed = rng.getrandbits(48)
                companies[company] = (name, text_seed)
            body_rng = random.Random(text_seed)
            target = model.lengths[int(body_rng.random() * len(model.lengths))]
            body = model.text(body_rng, max(target - 120, 200))
            if 0.05 <= roll < 0.15:  # the earlier text with a few words changed
                words = body.split(" ")
                for _ in range(3):
                    words[int(rng.random() * len(words))] = _name(rng).lower()
                body = " ".join(words)
            header = (
                f"{name} | {body_rng.choice(_ROLES)} | {body_rng.choice(_LOCATIONS)} | "
                f"{'REMOTE' if body_rng.random() < 0.3 else 'ONSITE'} | https://{name.lower()}.com"
            )
            kind = body_rng.choice(("platform", "product", "API"))
            text = (
                f"{header}\n\n{body}\n\n{_name(body_rng)} is our {kind}. "
                f"Apply: jobs@{name.lower()}.io"
            )
            month = first_month.month - 1 + i * months // max(postings, 1)
            posted = date(first_month.year + month // 12, month % 12 + 1, 1 + i % 28)
            chars += len(text)
            handle.write(
                json.dumps(
                    {
                        "id": f"{id_prefix}{i}",
                        "source": "synthetic",
                        "title": None,
                        "company": name,
                        "posted_at": posted.isoformat(),
                        "text": text,
                        "url": f"https://example.org/postings/{i}",
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return {
        "postings": postings,
        "companies": len(companies),
        "mean_chars": chars / max(postings, 1),
        "trained_on_real_corpus": real,
        "path": str(out),
    }


def describe(path: Path) -> dict[str, object]:
    """Postings, distinct company names, mean characters, words and distinct words of a written
    corpus. Names, not companies: generated companies can draw the same name, so there are
    fewer names than the generator's companies (whose duplicate blocks then hold more)."""
    seen: set[str] = set()
    companies: set[str] = set()
    postings = words = chars = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            split = record["text"].split()
            postings += 1
            chars += len(record["text"])
            words += len(split)
            seen.update(split)
            companies.add(record.get("company") or "")
    return {
        "postings": postings,
        "company_names": len(companies),
        "mean_chars": chars / max(postings, 1),
        "words": words,
        "distinct_words": len(seen),
        "trained_on_real_corpus": REAL_CORPUS.is_file(),
        "path": str(path),
    }


def distinct_words(path: Path, limit: int | None = None) -> tuple[int, int]:
    """(words, distinct whitespace-split words) of a JSONL corpus."""
    seen: set[str] = set()
    words = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                break
            split = json.loads(line)["text"].split()
            words += len(split)
            seen.update(split)
    return words, len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args()
    print(generate(args.postings, args.out, args.seed))


if __name__ == "__main__":
    main()


__all__ = ["BigramModel", "describe", "distinct_words", "generate", "load_model"]
