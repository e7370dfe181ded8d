"""Signal types (hashes): one module per type, gathered in `registry`."""
