"""The survey page a client opens from the letter (no login), and NPS per manager, product and process.

The link's GET only shows the form; the POST (with the CSRF token of the page) records the
answer. A forged, used or expired link gets its Russian message with 404/410, never a 500.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from models.feedback.service import AnswerInvalid, SurveyRefused, answer_survey, open_survey
from models.feedback.stats import nps_report
from models.platform.db import db
from web.feedback import bp
from web.security import clock, public, settings


def _refused(exc: SurveyRefused):
    return render_template("feedback/closed.html", message=exc.message), exc.status


@bp.get("/s/<token>")
@public
def survey(token: str):
    """The two questions: how likely to recommend (0–10) and a comment."""
    try:
        open_survey(db.session, settings().secret_key, token, clock().now())
    except SurveyRefused as exc:
        return _refused(exc)
    return render_template("feedback/survey.html", token=token, errors={}, form={})


@bp.post("/s/<token>")
@public
def answer(token: str):
    """Record the answer once."""
    try:
        answer_survey(db.session, settings().secret_key, token, request.form, clock().now())
    except SurveyRefused as exc:
        return _refused(exc)
    except AnswerInvalid as exc:
        return render_template("feedback/survey.html", token=token, errors=exc.fields, form=request.form), 422
    return render_template("feedback/closed.html", message="Спасибо! Ваш ответ записан.", thanks=True)


@bp.get("/nps")
def nps():
    """NPS per manager, product and process (a section of the reports)."""
    return render_template("feedback/nps.html", report=nps_report(db.session, current_user))
