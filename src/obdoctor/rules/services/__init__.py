"""Services the rules share: logic more than one rule needs, never a rule itself.

A rule module imports other rule code only from here (import-linter forbids a rule importing
another rule), so a rule can be moved, renamed or removed without breaking another.
"""
