"""Authenticity evidence: encoder signatures and metadata consistency, on synthetic JPEGs."""
