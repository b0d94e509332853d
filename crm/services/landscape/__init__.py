"""The landscape: actors, persons, cooperations, initiatives, vocabularies, search and merge."""
