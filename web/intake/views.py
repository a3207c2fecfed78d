"""``POST /intake/lead`` for the company site, and ``GET /intake/form`` with the same form.

No login and no CSRF token (the site is another origin); instead a honeypot field that
people never see, and a per-address limit counted in the database. Malformed input gets
400 with field messages; an accepted lead gets 202 with its id, committed before the
answer is sent (the request's unit of work). The hit is counted in a unit of work of its
own, so it is kept even when the answer is 429 and the request's own work is thrown away.
"""

from __future__ import annotations

from functools import partial

from flask import jsonify, render_template, request

from integrations.registry.industry import industry_by_inn
from models.platform.db import db
from models.platform.unit_of_work import unit_of_work
from models.privacy.consents import CONSENT_TEXT, POLICY_URL
from models.sales.intake import LeadInvalid, receive_lead
from models.sales.intake_limits import allowed
from models.sales.leads import UTM_FIELDS
from models.sales.regions import INDUSTRIES, REGIONS
from web.engine_support import process_engine
from web.intake import bp
from web.security import clock, csrf_exempt, public, settings

HONEYPOT = "website"
FIELDS = ("name", "company", "inn", "phone", "email", "comment", "source", "territory", "industry",
          "client_kind", "consent", *UTM_FIELDS)


def _error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


def _payload() -> dict | None:
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else None
    return request.form.to_dict() if request.form else None


@bp.get("/form")
@public
def form():
    """The site's lead form, as the company web site embeds it; region and industry route the lead."""
    return render_template("intake/form.html", consent_text=CONSENT_TEXT, policy_url=POLICY_URL,
                           regions=REGIONS, industries=INDUSTRIES)


@bp.get("/privacy")
@public
def privacy_policy():
    """The personal-data policy the site form links to (152-ФЗ)."""
    return render_template("intake/privacy.html", consent_text=CONSENT_TEXT)


@bp.post("/lead")
@public
@csrf_exempt
def lead():
    """Accept a lead from the site form (JSON or form-encoded)."""
    raw = _payload()
    if raw is None:
        return _error(400, "malformed", "Ожидается JSON-объект или данные формы")
    address = request.remote_addr or "unknown"
    with unit_of_work(db.session):  # the hit counts even when the request is refused (429)
        within_limit = allowed(db.session, address, clock().now(), settings().intake_rate_per_minute)
    if not within_limit:
        response = _error(429, "rate_limited", "Слишком много заявок с этого адреса, повторите через минуту")
        response[0].headers["Retry-After"] = "60"
        return response
    if raw.get(HONEYPOT):
        return jsonify(status="accepted"), 202  # a bot: look accepted, store nothing
    try:
        created = receive_lead(db.session, process_engine(), {k: raw.get(k) for k in FIELDS}, source="site",
                               user_id=None, remote_addr=address,
                               unknown=(k for k in raw if k not in FIELDS and k != HONEYPOT),
                               industry_by_inn=partial(industry_by_inn, settings()))
    except LeadInvalid as refused:
        return _error(400, "validation", "Заявка не прошла проверку", refused.errors)
    return jsonify(status="accepted", lead_id=created.id), 202
