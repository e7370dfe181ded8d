"""Clearsight: scan, match, explain and assess suspected abuse media, AI-generated included."""

__version__ = "0.1.0"
