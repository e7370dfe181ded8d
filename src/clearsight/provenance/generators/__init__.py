"""Readers for the generation metadata that image-generation tools embed, one module per tool."""
