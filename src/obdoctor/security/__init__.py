"""What keeps secrets in: redaction of every string that leaves obdoctor (``redaction``).

Below every layer, so sources (``collect``'s bundles), rules, checks and reports all mask with
the same rules; it imports nothing of obdoctor but ``obdoctor.addresses``.
"""
