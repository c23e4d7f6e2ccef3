"""Product copy: a language model's draft when one is configured, checked; else (or when every draft fails the
checks) the template copy, checked the same way. A draft that fails is never returned.
"""

from __future__ import annotations

import json
import logging
import re
import time

from pydantic import ValidationError

from llm4retail.errors import DataValidationError, LLMUnavailableError
from llm4retail.generate.checks import grounding_problems, language_problem, length_problems
from llm4retail.generate.facts import CatalogTerms, ProductFacts
from llm4retail.generate.schemas import ProductCopy, Tone
from llm4retail.generate.templates import MAX_BULLETS, MIN_BULLETS, template_copy
from llm4retail.llm.backends import AnswerBackend
from llm4retail.text.language import Language

logger = logging.getLogger(__name__)

# (min, max) characters per part; Chinese says as much in about half the characters.
LIMITS: dict[Language, dict[str, tuple[int, int]]] = {
    Language.ENGLISH: {"title": (10, 120), "description": (60, 900), "bullet": (3, 120)},
    Language.CHINESE: {"title": (4, 60), "description": (20, 450), "bullet": (2, 60)},
}
DEFAULT_ATTEMPTS = 2
MAX_TOKENS = 400
_JSON = re.compile(r"\{.*\}", re.DOTALL)
_TONE_WORDS = {
    Tone.NEUTRAL: "clear and factual",
    Tone.FRIENDLY: "warm and friendly",
    Tone.PREMIUM: "refined and premium",
}


def copy_problems(copy: ProductCopy, facts: ProductFacts, *, terms: CatalogTerms) -> list[str]:
    """Why `copy` may not be returned: ungrounded facts, wrong language, lengths or bullet count out of bounds."""
    limits = LIMITS[copy.language]
    parts = [("title", copy.title, *limits["title"]), ("description", copy.description, *limits["description"])]
    parts += [(f"bullet {number}", bullet, *limits["bullet"]) for number, bullet in enumerate(copy.bullets, start=1)]
    problems = length_problems(parts)
    if not MIN_BULLETS <= len(copy.bullets) <= MAX_BULLETS:
        problems.append(f"bullets: {len(copy.bullets)}, expected {MIN_BULLETS}-{MAX_BULLETS}")
    wrong_language = language_problem(copy.text(), copy.language)
    problems += [wrong_language] if wrong_language else []
    return problems + grounding_problems(copy.text(), [facts], terms=terms)


def copy_messages(facts: ProductFacts, language: Language, tone: Tone) -> list[dict[str, str]]:
    """The chat that asks a model for the copy: the facts, the rules, the JSON shape."""
    written = "Simplified Chinese" if language is Language.CHINESE else "English"
    system = (
        f"You write e-commerce product copy in {written}, {_TONE_WORDS[tone]}. Use only the facts given: no other "
        "numbers, colours, materials, sizes, brands or promises (no discounts, shipping, warranties, awards). "
        'Answer with JSON only: {"title": "...", "description": "2-4 sentences", "bullets": ["3 to 5 short points"]}.'
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n".join(facts.fact_lines(language))}]


def parse_copy(
    reply: str, facts: ProductFacts, language: Language, tone: Tone, *, backend: str, attempt: int
) -> ProductCopy:
    """The model's JSON reply as copy.

    Raises:
        LLMUnavailableError: the reply is not the JSON asked for.
    """
    match = _JSON.search(reply)
    try:
        data = json.loads(match.group(0) if match else reply)
        bullets = [str(item).strip() for item in data["bullets"] if str(item).strip()]
        title, description = str(data["title"]).strip(), str(data["description"]).strip()
    except (ValueError, KeyError, TypeError) as error:
        raise LLMUnavailableError(f"the model's copy is not the JSON asked for: {reply[:120]!r}") from error
    try:
        return ProductCopy(product_id=facts.product_id, language=language, tone=tone, title=title,
                           description=description, bullets=bullets, backend=backend, attempts=attempt)  # fmt: skip
    except ValidationError as error:  # e.g. one bullet where 3-5 were asked for
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise LLMUnavailableError(f"the model's copy does not have the form asked for: {problems}") from error


class CopyWriter:
    """Writes checked product copy.

    Args:
        terms: the store's vocabulary (`CatalogTerms`).
        backend: a language model (`llm4retail.llm.backends.select_backend`), or None for the template copy.
        attempts: model drafts tried before falling back to the template.

    Example:
        >>> writer = CopyWriter(CatalogTerms(products), backend=None)
        >>> writer.write(facts, Language.CHINESE).title
        'Pinecrest Home 黄色纯棉收纳筐 大号'
    """

    def __init__(
        self, terms: CatalogTerms, *, backend: AnswerBackend | None = None, attempts: int = DEFAULT_ATTEMPTS
    ) -> None:
        if attempts < 1:
            raise DataValidationError(f"attempts must be at least 1, got {attempts}")
        self.terms = terms
        self.backend = backend
        self.attempts = attempts

    def write(self, facts: ProductFacts, language: Language, tone: Tone = Tone.NEUTRAL) -> ProductCopy:
        """The first draft that passes every check: the model's, else the template's.

        Raises:
            DataValidationError: not even the template copy passes (a record whose own values fail the checks).
        """
        started = time.perf_counter()
        rejected: list[str] = []
        for attempt in range(1, self.attempts + 1 if self.backend is not None else 1):
            assert self.backend is not None
            try:
                reply = self.backend.generate(copy_messages(facts, language, tone), max_tokens=MAX_TOKENS)
                draft = parse_copy(reply, facts, language, tone, backend=self.backend.name, attempt=attempt)
            except LLMUnavailableError as error:
                rejected.append(f"draft {attempt}: {error}")
                continue
            problems = copy_problems(draft, facts, terms=self.terms)
            if not problems:
                return draft.model_copy(update={"rejected": rejected, "seconds": time.perf_counter() - started})
            rejected.append(f"draft {attempt}: " + "; ".join(problems))
        if rejected:
            logger.info("copy of %s from the template: %s", facts.product_id, " | ".join(rejected))
        copy = template_copy(facts, language, tone)
        problems = copy_problems(copy, facts, terms=self.terms)
        if problems:
            raise DataValidationError(f"no copy of {facts.product_id} passes the checks: {'; '.join(problems)}")
        attempts = self.attempts if self.backend is not None else 0
        return copy.model_copy(
            update={"rejected": rejected, "attempts": attempts, "seconds": time.perf_counter() - started}
        )
