"""Vietnamese sentence retrieval: clean, split, tokenize, index, rank (no Telegram here)."""
