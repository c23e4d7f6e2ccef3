"""Generated content of one store: product copy and campaign messages, grounded in its records.

Example:
    >>> services.generate.copy("p00003", language=Language.CHINESE).title
    'Pinecrest Home 黄色纯棉收纳筐 大号'
    >>> services.generate.campaign([Segment.AT_RISK], channel=Channel.EMAIL, limit=50)   # two variants each
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from llm4retail.capability import CapabilityService
from llm4retail.data.schemas import Table
from llm4retail.errors import ConfigError, DataValidationError, MissingExtraError, NotTrainedError
from llm4retail.generate.campaign import PRODUCTS_PER_MESSAGE, CampaignWriter
from llm4retail.generate.copywriter import CopyWriter
from llm4retail.generate.facts import CatalogTerms, ProductFacts, praised_aspects, product_facts
from llm4retail.generate.schemas import CampaignMessage, Channel, ProductCopy, Tone
from llm4retail.llm.backends import AnswerBackend, BackendKind, select_backend
from llm4retail.reviews.aspects import analyze_aspects
from llm4retail.reviews.summary import aspect_breakdown
from llm4retail.text.language import Language, stated_language

if TYPE_CHECKING:
    from llm4retail.eval.report import EvalReport
    from llm4retail.marketing.rfm import Segment

logger = logging.getLogger(__name__)
MAX_REVIEWS = 200  # per product, for its praised aspects
RECOMMENDATIONS_SEEN = 10  # a customer's recommendations among which the named products are chosen


class GenerateService(CapabilityService):
    """Product copy and campaign messages; nothing is trained (the writers are a model backend or templates).

    Args:
        settings: the one `Settings` (`llm` names the endpoint; the local model lives under `data_dir`).
        store: the store whose products, reviews and customers are read.
        services: the container (marketing audiences and recommendations).
    """

    capability = "generate"
    train_command = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._terms: tuple[int, CatalogTerms] | None = None
        self._backends: dict[BackendKind, AnswerBackend | None] = {}
        self._backend_lock = threading.Lock()

    def train(self, **options: Any) -> dict[str, Any]:
        """Nothing to train.

        Raises:
            DataValidationError: always.
        """
        raise DataValidationError("generate has no model to train; it writes with the configured LLM or templates")

    def evaluate(self, *, products: int = 200, customers: int = 60, channels: list[Channel] | None = None,
                 backend: BackendKind = BackendKind.AUTO) -> EvalReport:  # fmt: skip
        """`llm4retail generate eval` (see `llm4retail.generate.evaluate.evaluate_generation`)."""
        from llm4retail.generate.evaluate import evaluate_generation

        return evaluate_generation(self, products=products, customers=customers, backend=backend,
                                   channels=channels or [Channel.EMAIL, Channel.SMS])  # fmt: skip

    # -- building blocks ----------------------------------------------------------------------------
    def terms(self) -> CatalogTerms:
        """The catalog's vocabulary, read again when the number of products changed."""
        count = self.store.count(Table.PRODUCTS)
        with self.lock:
            if self._terms is None or self._terms[0] != count:
                self._terms = (count, CatalogTerms(self.store.read_frame(Table.PRODUCTS)))
            return self._terms[1]

    def backend(self, kind: BackendKind = BackendKind.AUTO) -> AnswerBackend | None:
        """The model that drafts (None: templates), built once per kind.

        Raises:
            MissingExtraError: the backend asked for is not installed or configured here (HTTP 503).
        """
        kind = BackendKind(kind)
        with self._backend_lock:
            if kind not in self._backends:
                try:
                    backend = select_backend(kind, llm=self.settings.llm, data_dir=self.settings.data_dir)
                except ConfigError as error:  # a request for a backend this server lacks, not a broken config
                    raise MissingExtraError(f"the {kind.value} backend is not available here: {error}") from error
                self._backends[kind] = backend
            return self._backends[kind]

    def praised(self, product_ids: list[str]) -> dict[str, list[str]]:
        """Per product, the review aspects its reviewers praise (`llm4retail.reviews.aspects`, clauses scored by
        the served sentiment model, or by the opinion lexicon before one is trained)."""
        reviews = self.store.read_where(Table.REVIEWS, "product_id", product_ids)
        if reviews.empty or "text" not in reviews.columns:
            return {}
        reviews = reviews.dropna(subset=["text"]).groupby("product_id").head(MAX_REVIEWS)
        texts = reviews["text"].astype(str).tolist()
        try:
            mentions = self.services.reviews.aspects(texts) if self.services is not None else analyze_aspects(texts)
        except NotTrainedError:
            mentions = analyze_aspects(texts)
        grouped: dict[str, list[Any]] = {}
        for product_id, found in zip(reviews["product_id"].astype(str), mentions, strict=True):
            grouped.setdefault(product_id, []).append(found)
        return {product_id: praised_aspects(aspect_breakdown(found)) for product_id, found in grouped.items()}

    def facts(self, product_ids: list[str]) -> list[ProductFacts]:
        """The facts of products, in the order given.

        Raises:
            NotFoundError: a product does not exist.
        """
        if not product_ids:
            return []
        rows = self.store.read_where(Table.PRODUCTS, "product_id", product_ids)
        records = {str(row["product_id"]): row for row in rows.to_dict("records")}
        missing = [product_id for product_id in product_ids if product_id not in records]
        if missing:
            self.store.get(Table.PRODUCTS, (missing[0],))  # raises NotFoundError naming it
        terms, praised = self.terms(), self.praised(product_ids)
        return [product_facts(records[pid], terms=terms, praised=praised.get(pid, [])) for pid in product_ids]

    # -- product copy -------------------------------------------------------------------------------
    def copy(self, product_id: str, *, language: Language | None = None, tone: Tone = Tone.NEUTRAL,
             backend: BackendKind = BackendKind.AUTO) -> ProductCopy:  # fmt: skip
        """Checked copy of one product, in `language` (default: the record's own).

        Raises:
            NotFoundError: no such product.
        """
        facts = self.facts([product_id])[0]
        writer = CopyWriter(self.terms(), backend=self.backend(backend))
        return writer.write(facts, language or facts.language, tone)

    def copy_many(self, product_ids: list[str], *, language: Language | None = None, tone: Tone = Tone.NEUTRAL,
                  backend: BackendKind = BackendKind.AUTO, chunk: int = 200) -> Iterator[ProductCopy]:  # fmt: skip
        """Checked copy of many products (a category's), read and written `chunk` products at a time."""
        writer = CopyWriter(self.terms(), backend=self.backend(backend))
        for start in range(0, len(product_ids), chunk):
            for facts in self.facts(product_ids[start : start + chunk]):
                yield writer.write(facts, language or facts.language, tone)

    def category_products(self, category: str) -> list[str]:
        """Ids of the products in a category path or under it ("Home" holds "Home > Decor > Vases").

        Raises:
            DataValidationError: no product is in it (the message lists the top-level categories).
        """
        products = self.store.read_frame(Table.PRODUCTS, columns=["product_id", "category"])
        paths = products["category"].fillna("").astype(str)
        chosen = products.loc[(paths == category) | paths.str.startswith(category + " > "), "product_id"].astype(str)
        if chosen.empty:
            known = sorted({path.split(" > ")[0] for path in paths if path})
            raise DataValidationError(
                f"no product is in category '{category}'; top-level categories: {', '.join(known)}"
            )
        return chosen.tolist()

    # -- campaign messages --------------------------------------------------------------------------
    def customer_languages(self, customer_ids: list[str]) -> dict[str, Language]:
        """Each customer's language from their record (`preferred_language` or `language` attribute); English
        when the record names none."""
        rows = self.store.read_where(Table.CUSTOMERS, "customer_id", customer_ids)
        out = {}
        for row in rows.to_dict("records"):
            out[str(row["customer_id"])] = stated_language(row.get("attributes")) or Language.ENGLISH
        return out

    def audience(self, segments: list[Segment] | None, *, min_purchase_probability: float | None = None,
                 limit: int | None = None) -> pd.DataFrame:  # fmt: skip
        """The campaign's customers (`MarketingService.audience`), highest CLV first, at most `limit`."""
        assert self.services is not None
        frame = self.services.marketing.audience(segments, min_purchase_probability=min_purchase_probability)
        return frame.head(limit) if limit is not None else frame

    def campaign(self, segments: list[Segment] | None = None, *, channel: Channel = Channel.EMAIL,
                 min_purchase_probability: float | None = None, limit: int | None = 100,
                 backend: BackendKind = BackendKind.AUTO) -> Iterator[CampaignMessage]:  # fmt: skip
        """Two variants (A/B) per customer of the audience, naming products recommended for them.

        Raises:
            DataValidationError: `limit` below 1.
            NotTrainedError: no customer-value model or recommender (`llm4retail segments train`, `recommend train`).
        """
        if limit is not None and limit < 1:
            raise DataValidationError(f"limit must be at least 1, got {limit}")
        audience = self.audience(segments, min_purchase_probability=min_purchase_probability, limit=limit)
        ids = audience["customer_id"].astype(str).tolist()
        languages = self.customer_languages(ids)
        writer = CampaignWriter(self.terms(), backend=self.backend(backend))
        for row in audience.to_dict("records"):
            customer_id = str(row["customer_id"])
            language = languages.get(customer_id, Language.ENGLISH)
            products = self._picks(customer_id, language, count=PRODUCTS_PER_MESSAGE[channel])
            if not products:
                logger.warning("no priced recommendation for %s: no message", customer_id)
                continue
            probability = row.get("purchase_probability")
            probability = None if probability is None or math.isnan(float(probability)) else float(probability)
            yield from writer.write(customer_id, products, channel=channel, language=language,
                                    segment=row.get("segment"), purchase_probability=probability)  # fmt: skip

    def _picks(self, customer_id: str, language: Language, *, count: int) -> list[ProductFacts]:
        """The customer's best recommendations with a price, those in their language first."""
        assert self.services is not None
        recommended = self.services.recommend.for_customer(customer_id, top_k=RECOMMENDATIONS_SEEN)
        facts = [f for f in self.facts([r.product_id for r in recommended]) if f.price is not None and f.price > 0]
        facts.sort(key=lambda f: f.language is not language)  # stable: the recommender's order within each group
        return facts[:count]
