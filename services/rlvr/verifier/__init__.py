"""The verification service: score model completions over HTTP, in large batches."""

__version__ = "0.1.0"
