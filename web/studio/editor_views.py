"""The editor: its page and the JSON it calls — source, draft, checks, preview, deploy, DMN, forms."""

from __future__ import annotations

import json

from flask import current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.platform.permissions import Permission, has_permission
from models.studio import deploys, drafts, editor
from models.studio.errors import StudioError
from models.studio.forms import form_texts_problems
from web.engine_support import process_engine
from web.formatting import local_dt
from web.forms import build_fields, render_instructions
from web.security import clock
from web.studio import bp


def _settings():
    return current_app.extensions["crm.settings"]


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise StudioError("Ожидается объект JSON", status=400)
    return data


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise StudioError(f"Поле «{name}»: ожидается текст", status=400)
    return value


@bp.get("/processes/<key>/edit")
def edit(key: str):
    """The BPMN editor of ``key`` (the user's draft, else the deployed version)."""
    source = drafts.open_source(db.session, process_engine(), current_user, key)
    urls = {
        "source": url_for("studio.api_source", key=key),
        "draft": url_for("studio.api_draft", key=key),
        "validate": url_for("studio.api_validate", key=key),
        "preview": url_for("studio.api_preview", key=key),
        "deploy": url_for("studio.api_deploy", key=key),
        "catalog": url_for("studio.api_catalog", key=key),
        "instructions": url_for("studio.api_instructions"),
        "forms": url_for("studio.form_editor", key=key, name="x").removesuffix("x"),
        "decision": url_for("studio.decision", key=key, decision_id="x").removesuffix("x"),
    }
    return render_template(
        "studio/editor.html",
        key=key,
        source=source,
        urls=json.dumps(urls),
        can_deploy=has_permission(current_user, Permission.DEPLOY_PROCESSES),
    )


@bp.get("/api/processes/<key>/source")
def api_source(key: str):
    """The BPMN the editor opens, the version it is based on, when the draft was saved."""
    source = drafts.open_source(db.session, process_engine(), current_user, key)
    saved = source.draft_saved_at
    return jsonify(
        key=key,
        xml=source.xml,
        file=source.file,
        version=source.version,
        draft=local_dt(saved) if saved else None,
    )


@bp.get("/api/processes/<key>/catalog")
def api_catalog(key: str):
    """Operations with typed parameters, forms, roles, departments and decisions for the panel."""
    return jsonify(editor.catalog_for(db.session, process_engine(), _settings(), current_user, key).as_dict())


@bp.route("/api/processes/<key>/draft", methods=["PUT", "DELETE"])
def api_draft(key: str):
    """Save the editor's BPMN as the user's draft (PUT) or drop the draft (DELETE)."""
    if request.method == "DELETE":
        return jsonify(discarded=drafts.discard_draft(db.session, current_user, key))
    draft = drafts.save_draft(
        db.session, process_engine(), current_user, key, _text(_json_body(), "xml"), clock().now()
    )
    return jsonify(saved=True, updated_at=draft.updated_at.isoformat())


@bp.post("/api/processes/<key>/validate")
def api_validate(key: str):
    """Every problem of the draft (with the posted BPMN), each on its element."""
    data = _json_body()
    xml = data.get("xml")
    problems = deploys.validate(
        db.session, process_engine(), _settings(), current_user, key, xml if isinstance(xml, str) else None
    )
    return jsonify(problems=problems)


@bp.post("/api/processes/<key>/preview")
def api_preview(key: str):
    """Before deploying: the diff against the latest version and the running instances' fate."""
    return jsonify(deploys.preview(db.session, process_engine(), _settings(), current_user, key).as_dict())


@bp.post("/api/processes/<key>/deploy")
def api_deploy(key: str):
    """Deploy the draft with a comment; answers where to see the diff."""
    comment = _json_body().get("comment")
    deployment = deploys.deploy(
        db.session,
        process_engine(),
        _settings(),
        current_user,
        key,
        comment if isinstance(comment, str) else "",
        clock().now(),
    )
    diff_url = url_for(
        "studio.diff", key=key, to=deployment.version, **{"from": deployment.previous_version or 0}
    )
    return jsonify(version=deployment.version, status=deployment.status, diff_url=diff_url)


@bp.post("/api/instructions/preview")
def api_instructions():
    """Instructions rendered as the task page will, against sample data (JSON)."""
    data = _json_body()
    try:
        sample = json.loads(data.get("sample") or "{}")
    except ValueError:
        raise StudioError("Пример данных — не JSON") from None
    if not isinstance(sample, dict):
        raise StudioError("Пример данных — объект JSON")
    return jsonify(html=str(render_instructions(_text(data, "template"), sample)))


@bp.get("/processes/<key>/decisions/<decision_id>")
def decision(key: str, decision_id: str):
    """The DMN editor opened on the table of ``decision_id``."""
    found = editor.decision(db.session, _settings(), current_user, key, decision_id)
    url = url_for("studio.api_dmn", key=key, file=found["file"])
    return render_template(
        "studio/dmn.html", key=key, decision=found, urls=json.dumps({"source": url, "save": url})
    )


@bp.route("/api/processes/<key>/dmn/<file>", methods=["GET", "PUT"])
def api_dmn(key: str, file: str):
    """A DMN file as the draft has it (GET), or saved into the draft (PUT)."""
    if request.method == "PUT":
        drafts.save_dmn(
            db.session, process_engine(), current_user, key, file, _text(_json_body(), "xml"), clock().now()
        )
        return jsonify(saved=True)
    return jsonify(xml=editor.dmn_source(db.session, _settings(), current_user, key, file))


def _preview_html(schema: dict, ui: dict) -> str:
    fields = build_fields(schema, ui, {}, {})
    return render_template("studio/_form_preview.html", fields=fields)


@bp.get("/processes/<key>/forms/<name>")
def form_editor(key: str, name: str):
    """The form editor: schema and UI hints with a live preview by the inbox's renderer."""
    schema, ui = editor.form_texts(db.session, process_engine(), _settings(), current_user, key, name)
    urls = {
        "preview": url_for("studio.api_form_preview"),
        "save": url_for("studio.api_form", key=key, name=name),
    }
    return render_template(
        "studio/form.html",
        key=key,
        name=name,
        urls=json.dumps(urls),
        schema=json.dumps(schema, ensure_ascii=False, indent=2),
        ui=json.dumps(ui, ensure_ascii=False, indent=2) if ui else "",
        fields=build_fields(schema, ui, {}, {}),
    )


@bp.post("/api/forms/preview")
def api_form_preview():
    """The form drawn from the posted texts, and what is wrong with them (labels for every enum …)."""
    data = _json_body()
    schema, ui, problems = form_texts_problems(_text(data, "schema"), data.get("ui") or "")
    html = _preview_html(schema, ui) if schema else ""
    return jsonify(html=html, problems=problems)


@bp.put("/api/processes/<key>/forms/<name>")
def api_form(key: str, name: str):
    """Keep the form in the process's draft; it is deployed (and versioned) with the process."""
    data = _json_body()
    saved = drafts.save_form(
        db.session,
        process_engine(),
        current_user,
        key,
        name,
        _text(data, "schema"),
        data.get("ui") or "",
        clock().now(),
    )
    return jsonify(saved=saved, message="Форма сохранена в черновик процесса: развернётся вместе с ним")
