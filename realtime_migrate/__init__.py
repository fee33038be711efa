"""realtime-migrate: find OpenAI Realtime preview (beta) protocol code and rewrite it to GA."""

__version__ = "0.1.0"
