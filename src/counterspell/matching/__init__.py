"""Media signals (MD5, SHA-256, PDQ), hash banks and matching."""
