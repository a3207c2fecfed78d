"""The packages that make up the running CRM, listed once.

The app factory (and with it the server, the worker and the CLI) builds the registry from
this list: operations, outbox handlers, scheduler jobs, permission rules, labelers,
references and demo seeds all come from the packages' ``register`` functions, in this order
(demo data loads users before clients before deals).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

import engine
import integrations.edo
import integrations.imap
import integrations.mail
import integrations.onec
import integrations.registry
import integrations.spark
import integrations.telegram
import integrations.telephony
import integrations.webhooks
import models.clients
import models.collaboration
import models.contracts
import models.discounts
import models.documents
import models.feedback
import models.home
import models.identity
import models.insurance
import models.notifications
import models.platform
import models.privacy
import models.quality
import models.reports
import models.sales
import models.search
import models.studio
import models.tasks
from models.platform.registry import Registry, build_registry, install

PACKAGES: tuple[ModuleType, ...] = (
    models.platform,
    models.identity,
    engine,
    models.clients,
    models.sales,
    models.privacy,
    models.tasks,
    models.notifications,
    models.studio,
    models.insurance,
    models.discounts,
    models.contracts,
    models.documents,
    models.reports,
    models.search,
    models.collaboration,
    models.quality,
    models.feedback,
    models.home,
    integrations.registry,
    integrations.mail,
    integrations.edo,
    integrations.telephony,
    integrations.webhooks,
    integrations.imap,
    integrations.telegram,
    integrations.spark,
    integrations.onec,
)


def registry(extra: Iterable[ModuleType] = ()) -> Registry:
    """Build the registry from ``PACKAGES`` (and ``extra``) and install it for rules, labels and merges."""
    built = build_registry((*PACKAGES, *extra))
    install(built)
    return built
