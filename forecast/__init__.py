"""forecast: China-Europe Railway Express traffic forecasting from sourced public statistics."""

__version__ = "0.1.0"
