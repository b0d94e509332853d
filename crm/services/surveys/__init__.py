"""Network surveys: rounds and their personal links (rounds, tokens), answers (answers), the review (review)."""
