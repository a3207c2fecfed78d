"""Domain packages of the CRM, one per domain, each owning its tables and a ``service`` API.

``platform`` (db, unit of work, job runner, clock, audit, roles and permissions, labels,
outbox, registry) sits under everything; ``identity``, ``clients``, ``sales``, ``tasks`` and
``notifications`` build on it and on the engine. Each package's ``register(registry)``
declares what it contributes; ``web.packages`` lists them once. Nothing here imports Flask
request state: callers pass sessions, clocks and actors explicitly.
"""
