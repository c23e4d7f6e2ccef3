"""Text utilities shared by every capability: language, tokenisers, word lists, the sentence encoder."""
