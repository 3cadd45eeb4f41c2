"""Classification: the rules that turn published words into function and capability codes
(rules.py, reviewable data) and the re-computable pass that applies them to the book (apply.py)."""

from openbook.analyse.classify.apply import ClassificationReport, classify_book, load_mapping

__all__ = ["ClassificationReport", "classify_book", "load_mapping"]
