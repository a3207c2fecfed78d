"""Clients of outside systems, one package per system (``integrations/<system>/``).

Each package has a ``register(registry)`` declaring its operations, outbox handlers and
jobs; the app factory lists the packages once (``web.packages``).
"""
