"""REST API under ``/api/v1`` (flask-smorest, OpenAPI at ``/api/v1/openapi.json``).

Machines authenticate with personal tokens (``Authorization: Bearer crm_…``); people's
browsers may use their session cookie plus the CSRF header. Errors are JSON:
``{"error": {"code": ..., "message": ..., "fields": {...}}}``.
"""

from __future__ import annotations

from flask import Flask

from web.extensions import rest_api


def register_api(app: Flask) -> None:
    from web.api.clients import blp as clients_blp
    from web.api.collaboration import blp as collaboration_blp
    from web.api.contracts import blp as contracts_blp
    from web.api.deals import blp as deals_blp
    from web.api.discounts import blp as discounts_blp
    from web.api.documents import blp as documents_blp
    from web.api.export import blp as export_blp
    from web.api.leads import blp as leads_blp
    from web.api.me import blp as me_blp
    from web.api.processes import blp as processes_blp
    from web.api.search import blp as search_blp
    from web.api.tasks import blp as tasks_blp

    for blueprint in (me_blp, clients_blp, processes_blp, tasks_blp, leads_blp, deals_blp, discounts_blp,
                      contracts_blp, documents_blp,
                      export_blp, search_blp, collaboration_blp):
        rest_api.register_blueprint(blueprint, url_prefix="/api/v1")
    rest_api.document(lambda spec: spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "crm token"}))
