"""Article and question text -> words and passages: normalise, clean, split, segment, tokenise."""
