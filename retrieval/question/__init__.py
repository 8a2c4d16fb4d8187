"""What a question asks: its terms, the kind of answer it wants, follow-ups, highlighting."""
