"""Diagnosis rules: one file per failure path or code family.

A rule reads ``Evidence`` and returns ``Finding``s. It never opens a connection, runs a command
or prints; that is what lets the same rules run live, offline and in tests.
"""
