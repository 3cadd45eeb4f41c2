"""openbook: one open book of what public bodies publish, traceable to the line."""

__version__ = "0.1.0"

__all__ = ["__version__"]
