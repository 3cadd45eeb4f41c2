"""Reading the book: each module answers one question and returns tables with provenance."""
