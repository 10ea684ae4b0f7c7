"""The web layer: FastAPI routers, templates, error pages. Thin: parse, call a service, render."""
