"""Grounded generated content: product copy and campaign messages checked against the records; see
docs/generate.md."""
