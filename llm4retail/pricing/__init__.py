"""Price elasticities shrunk toward categories, and profit-maximising price advice with its uncertainty."""

from llm4retail.pricing.base import ElasticityEstimator, ElasticityTable
from llm4retail.pricing.elasticity import ShrunkElasticityModel
from llm4retail.pricing.optimise import PriceConstraints, PriceEnding, recommend_price

__all__ = [
    "ElasticityEstimator",
    "ElasticityTable",
    "PriceConstraints",
    "PriceEnding",
    "ShrunkElasticityModel",
    "recommend_price",
]
