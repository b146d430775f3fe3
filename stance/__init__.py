"""stance: an open dataset of actors' stances toward public accusations, and its toolkit."""

__version__ = "0.1.0"
