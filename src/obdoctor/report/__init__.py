"""Formatters: the same Report rendered for a terminal, JSON, Markdown or HTML."""
