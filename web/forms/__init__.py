"""One JSON-Schema form renderer for every page that shows a process task's form.

``fields`` builds the fields from the schema and its UI hints, ``parser`` turns the posted
form into typed data, ``money`` types amounts the Russian way, ``instructions`` renders a
step's instructions (sandboxed Jinja, markdown, ``nh3``), and ``page`` is the glue the inbox
task page and the lead card share. The macro is ``web/templates/forms/_fields.html``.
"""

from __future__ import annotations

from web.forms.fields import FormField, build_fields
from web.forms.instructions import render_instructions
from web.forms.money import format_money, parse_money
from web.forms.parser import Submission, parse_form, upload_saver

__all__ = [
    "FormField",
    "Submission",
    "build_fields",
    "format_money",
    "parse_form",
    "parse_money",
    "render_instructions",
    "upload_saver",
]
