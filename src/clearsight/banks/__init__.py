"""Hash banks: named lists of known hashes, their exchange formats, and matching against them."""
