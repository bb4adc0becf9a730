"""An NER model trained by the project on the DataTurks resume annotations (../shared/data/resume-ner).

It adds what the general English model does not know: which spans of a resume are job
titles (Designation), employers (Companies worked at), schools, degrees, graduation years and
skills blocks. Trained by `manage.py train_ner`; the small artifact ships in resumes/artifacts/ner/.
"""

from __future__ import annotations

import random
import threading
from functools import lru_cache
from typing import Any

from .vocabulary import ARTIFACTS

NER_DIR = ARTIFACTS / "ner"
LABELS = {
    "Designation": "TITLE",
    "Companies worked at": "COMPANY",
    "College Name": "COLLEGE",
    "Degree": "DEGREE",
    "Graduation Year": "GRAD_YEAR",
    "Skills": "SKILLS",
}
BLOCK_LABELS = {"SKILLS"}  # whole listed blocks, paragraph breaks included
_lock = threading.Lock()


def training_examples(nlp: Any, records: list[dict[str, Any]]) -> list[Any]:
    """spaCy Examples from DataTurks records, spans trimmed to tokens; overlaps keep the longer span."""
    from spacy.training import Example

    out = []
    for rec in records:
        text = rec["content"]
        doc = nlp.make_doc(text)
        spans = []
        for ann in rec.get("annotation") or []:
            for label in ann.get("label") or []:
                if label not in LABELS:
                    continue
                for pt in ann.get("points") or []:
                    start, end = pt["start"], pt["end"] + 1  # the tool's end is inclusive
                    while start < end and text[start].isspace():
                        start += 1
                    while end > start and text[end - 1].isspace():
                        end -= 1
                    span = doc.char_span(start, end, label=LABELS[label], alignment_mode="contract")
                    while span is not None and len(span) and (span[0].is_space or span[0].is_punct):
                        span = doc[span.start + 1 : span.end]
                    while span is not None and len(span) and (span[-1].is_space or span[-1].is_punct):
                        span = doc[span.start : span.end - 1]
                    if span is not None and len(span):
                        span = doc.char_span(span.start_char, span.end_char, label=LABELS[label])
                    if span is not None and len(span) > 0 and (span.label_ in BLOCK_LABELS or "\n\n" not in span.text):
                        spans.append(span)
        from spacy.util import filter_spans

        doc.ents = filter_spans(spans)
        out.append(Example(nlp.make_doc(text), doc))
    return out


def train_ner(records: list[dict[str, Any]], *, epochs: int = 20, seed: int = 7) -> Any:
    import spacy
    from spacy.util import compounding, fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in LABELS.values():
        ner.add_label(label)
    examples = training_examples(nlp, records)
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=compounding(2.0, 16.0, 1.5)):
            nlp.update(batch, drop=0.2, sgd=optimizer)
    return nlp


@lru_cache(maxsize=1)
def load_ner() -> Any | None:
    import spacy

    if not (NER_DIR / "meta.json").exists():
        return None
    with _lock:
        return spacy.load(NER_DIR)
