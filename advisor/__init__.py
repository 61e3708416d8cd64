"""advisor: computed, explained answers for people who train GPT-style models."""

__version__ = "0.1.0"
