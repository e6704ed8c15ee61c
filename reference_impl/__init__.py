"""Reference `$connect` handler that meets contract v1."""
