"""Flask extensions, created unbound and attached in ``create_app`` with ``init_app``."""

from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from models.platform.db import is_modelled
from models.platform.settings import PROJECT_ROOT
from web.lazy_api import LazyDocApi

MIGRATIONS_DIR = str(PROJECT_ROOT / "models" / "migrations")



def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTC timestamp type as a plain ``sa.DateTime`` so migrations import nothing of ours."""
    from models.platform.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


migrate = Migrate(
    directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True, render_item=_render_item,
    include_object=is_modelled,
)
csrf = CSRFProtect()
login_manager = LoginManager()
rest_api = LazyDocApi()  # its OpenAPI document is built when first read (web/lazy_api.py)
