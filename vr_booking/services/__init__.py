"""Domain rules: plain functions taking a database Session; no FastAPI, no HTML."""
