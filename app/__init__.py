"""article-qa: serve question-headed articles as an API, one question at a time."""

__version__ = "0.1.0"
