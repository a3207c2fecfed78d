"""The kinds of notifications: what each is called on the preferences page and how it comes by default.

A kind is what a user switches channels on and off for, so it is named from the reader's
side («Мне назначен лид», not «leads.assign»). Every notification has one; ``notify``
refuses an unknown kind, so a new feature adds its kinds here and they appear on the
preferences page at once. ``by_default`` lists the outside channels a kind uses while the
user has not chosen: reminders, escalations, mentions and the lead flow come by e-mail,
as they did before preferences existed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of notification: its Russian label and the channels it uses unless switched off."""

    label: str
    by_default: frozenset[str] = frozenset()


EMAIL = frozenset({"email"})

KINDS: dict[str, Kind] = {
    "task_assigned": Kind("Новая задача для меня"),
    "task_reminder": Kind("Напоминание о задаче", EMAIL),
    "task_overdue": Kind("Моя задача просрочена", EMAIL),
    "task_escalated": Kind("Просрочка у моего сотрудника (эскалация)", EMAIL),
    "mention": Kind("Меня упомянули в комментарии", EMAIL),
    "lead_assigned": Kind("Мне назначен новый лид", EMAIL),
    "lead_reminder": Kind("Напоминание связаться с клиентом по лиду", EMAIL),
    "lead_escalated": Kind("Лид не обработан в срок и передан старшему менеджеру", EMAIL),
    "deal_opened": Kind("Открыта сделка по моему лиду или клиенту", EMAIL),
    "handover": Kind("Мне передали или у меня забрали лид, сделку, клиентов", EMAIL),
    "discount_request": Kind("Запрос скидки ждёт моего решения (или отозван)", EMAIL),
    "discount_decision": Kind("Решение по моему запросу скидки, ответ на встречное предложение", EMAIL),
    "process_feedback": Kind("Отзыв сотрудника о шаге моего процесса", EMAIL),
    "renewal_started": Kind("Началось продление договора моего клиента", EMAIL),
    "renewal_escalated": Kind("Продление под угрозой: КП не отправлено за 14 дней (эскалация)", EMAIL),
    "churn_risk": Kind("Договор клиента в красной зоне риска ухода", EMAIL),
    "document_approval": Kind("Документ ждёт моего согласования (или отозван)", EMAIL),
    "document_status": Kind("Решение по моему документу, статус отправки и ЭДО", EMAIL),
    "document_code": Kind("Код подтверждения согласования документа", EMAIL),
    "department_request": Kind("Ответ отдела на мой запрос, просрочка запроса", EMAIL),
    "data_quality": Kind("Задача исправить данные моих клиентов и сделок"),
    "client_feedback": Kind("Низкая оценка клиента (NPS) по моей команде", EMAIL),
}


def alert_kind(event: str, business_type: str | None) -> str:
    """The kind of a task alert (``reminder``, ``overdue``, ``escalated``).

    Work on some business objects has kinds of its own (``lead_reminder``), so a manager can
    choose how lead reminders come apart from other tasks; everything else is ``task_<event>``.
    """
    own = f"{business_type}_{event}"
    return own if business_type and own in KINDS else f"task_{event}"
