"""Media type detection by content and safe decoding with limits against bombs."""
