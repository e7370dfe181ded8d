"""Readers of authenticity evidence: what a JPEG's encoder and its own metadata say about how it was made, never a verdict."""
