"""Customer value and marketing: RFM segments, BG/NBD + Gamma-Gamma lifetime value, churn
propensity, purchase prediction and campaign audiences."""

from llm4retail.marketing.bgnbd import BetaGeometricNBD
from llm4retail.marketing.clv import CustomerValueModel, evaluate_clv
from llm4retail.marketing.gamma_gamma import GammaGamma
from llm4retail.marketing.model import CustomerModels
from llm4retail.marketing.purchase import ActivityData, PurchasePredictor
from llm4retail.marketing.rfm import Segment, rfm_scores
from llm4retail.marketing.service import (
    MarketingService,
    audience,
    customer_table,
    segment_summary,
)
from llm4retail.marketing.transactions import customer_summary, purchase_days

__all__ = [
    "ActivityData",
    "BetaGeometricNBD",
    "CustomerModels",
    "CustomerValueModel",
    "GammaGamma",
    "MarketingService",
    "PurchasePredictor",
    "Segment",
    "audience",
    "customer_summary",
    "customer_table",
    "evaluate_clv",
    "purchase_days",
    "rfm_scores",
    "segment_summary",
]
