"""Product search: hybrid lexical + semantic retrieval, query understanding, facets, reranking."""
