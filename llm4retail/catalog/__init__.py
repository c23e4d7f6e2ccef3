"""Catalog attribute extraction: dictionary baseline, rules, a distantly supervised tagger, chained per attribute."""
