"""Durations, shares and labels of the studio the Russian way («2 ч 05 мин», «45 %»)."""

from __future__ import annotations

from models.platform.durations import duration_text

EVENT_LABELS = {
    "instance_started": "Процесс запущен",
    "task_completed": "Шаг выполнен",
    "user_task_completed": "Задача выполнена",
    "timer_fired": "Сработал таймер",
    "event_caught": "Получено событие",
    "message_received": "Получено сообщение",
    "signal_received": "Получен сигнал",
    "incident": "Инцидент",
    "incident_retry": "Повтор после инцидента",
    "instance_completed": "Процесс завершён",
    "instance_cancelled": "Процесс отменён",
    "migrated": "Перенесён на новую версию",
    "error_thrown": "Брошена BPMN-ошибка",
}
DETAIL_LABELS = {
    "error": "Ошибка",
    "attempt": "Попытка",
    "transient": "Временная",
    "reason": "Причина",
    "version": "Версия",
    "code": "Код ошибки",
    "name": "Имя",
    "caught": "Получено",
    "from": "С версии",
    "to": "На версию",
    "changed": "Изменены",
    "incident_id": "Инцидент №",
}


def span(seconds: float | None) -> str:
    """A duration for people: «45 с», «12 мин», «2 ч 5 мин», «3 дн. 4 ч»; «—» when unknown.

    The platform's one formatter (``models.platform.durations``), precise under a minute: process
    steps take seconds and milliseconds.
    """
    return duration_text(None if seconds is None else max(0.0, float(seconds)), precise=True)


def ms(value: float | None) -> str:
    return span(value / 1000 if value is not None else None)


def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %".replace(".", ",")


def value_text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    return str(value)


def pool_label(pool: str) -> str:
    """Who works a task in a simulation, in Russian: a role, a department, or «исполнитель задачи …»."""
    from models.platform.roles import DEPARTMENTS, ROLE_LABELS, Role

    if pool in {r.value for r in Role}:
        return ROLE_LABELS[Role(pool)]
    if pool in DEPARTMENTS:
        return f"отдел «{DEPARTMENTS[pool]}»"
    return f"исполнитель задачи {pool.removeprefix('task:')}"
