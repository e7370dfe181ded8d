"""Intake: finding the files to scan, in folders and inside archives, without being tricked."""
