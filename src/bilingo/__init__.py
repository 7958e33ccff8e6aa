"""bilingo: keep Markdown articles published in Norwegian Bokmål and English."""

__version__ = "0.1.0"
