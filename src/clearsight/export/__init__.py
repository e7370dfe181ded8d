"""Exports partners read: hash lists of graded items, and case bundles."""
