"""Review analytics: sentiment (TF-IDF, NB-TF-IDF, frozen and fine-tuned encoders, blends), aspects, summaries."""
