"""What the studio's viewers draw on a diagram, as JSON: markers, badges and per-element details.

``{xml, markers: {id: [css class]}, badges: [{element, text, kind, position, title}],
details: {id: [{title, rows: [[label, value]]}]}}`` — read by ``web/studio/assets/viewer.js``.
The same badges are what the tests read, so what a person sees is what is checked.
"""

from __future__ import annotations

from typing import Any

from engine.analytics import Analytics
from engine.simulation.results import SimulationResult
from engine.spec_diff import SpecDiff
from engine.trace import InstanceTrace
from models.studio.tables import FEEDBACK_LABELS
from web.formatting import local_dt
from web.studio.formatting import DETAIL_LABELS, EVENT_LABELS, ms, pool_label, span, value_text


def _view(xml: str) -> dict[str, Any]:
    return {"xml": xml, "markers": {}, "badges": [], "details": {}}


def _mark(view: dict, element: str, css: str) -> None:
    view["markers"].setdefault(element, []).append(css)


def diff_view(diff: SpecDiff, xml: str, side: str) -> dict:
    """The new version with added and changed elements, or the old one with removed and changed."""
    view = _view(xml)
    groups = (
        (("added", "diff-added", "добавлено"), ("changed", "diff-changed", "изменено"))
        if side == "new"
        else (("removed", "diff-removed", "удалено"), ("changed", "diff-changed", "изменено"))
    )
    for attr, css, word in groups:
        for change in getattr(diff, attr):
            _mark(view, change.id, css)
            text = word + (": " + ", ".join(change.fields) if change.fields else "")
            view["badges"].append({"element": change.id, "text": text, "kind": "info", "position": "top"})
            view["details"][change.id] = [
                {
                    "title": word.capitalize(),
                    "rows": [["Что", f] for f in change.fields] or [["Элемент", change.name]],
                }
            ]
    return view


def _step_sections(steps: list[Any]) -> list[dict]:
    sections = []
    for step in steps:
        rows: list[list[str]] = [
            ["Когда", local_dt(step.at, "%d.%m.%Y %H:%M:%S")],
            ["Кто", step.user or "система"],
        ]
        if step.duration_ms is not None:
            rows.append(["Длительность", ms(step.duration_ms)])
        rows += [
            [DETAIL_LABELS.get(k, k), value_text(v)]
            for k, v in (step.detail or {}).items()
            if k != "human_task_id"
        ]
        rows += [[f"Введено: {k}", value_text(v)] for k, v in (step.data or {}).items()]
        sections.append({"title": EVENT_LABELS.get(step.kind, step.kind), "rows": rows})
    return sections


def instance_view(trace: InstanceTrace) -> dict:
    """Completed, active and failed nodes, the path taken, counts and every step's details."""
    view = _view(trace.xml)
    for element, count in trace.counts.items():
        if element not in trace.active and element not in trace.failed:
            _mark(view, element, "node-completed")
        if count > 1:
            view["badges"].append(
                {"element": element, "text": f"×{count}", "kind": "count", "position": "right"}
            )
    for element in trace.active:
        _mark(view, element, "node-active")
    for element in trace.failed:
        _mark(view, element, "node-failed")
        view["badges"].append(
            {"element": element, "text": "инцидент", "kind": "incident", "position": "right"}
        )
    for flow in trace.flows:
        _mark(view, flow, "path-taken")
    for element, steps in trace.steps.items():
        view["details"][element] = _step_sections(steps)
    for incident in trace.incidents:
        view["details"].setdefault(incident.element_id, []).append(
            {
                "title": "Инцидент",
                "rows": [
                    ["Ошибка", incident.error],
                    ["Попыток", f"{incident.attempts} из {incident.max_attempts}"],
                    ["Статус", "открыт" if incident.status == "open" else "закрыт"],
                ],
            }
        )
    return view


def node_badge(node: Any) -> str:
    """The badge of one node on the analytics overlay: passes, average and p90 time."""
    text = f"{node.passed} · ср. {ms(node.avg_ms)}"
    if node.p90_ms is not None:
        text += f" · p90 {ms(node.p90_ms)}"
    return text


def analytics_view(data: Analytics, feedback: dict[str, dict[str, int]], xml: str) -> dict:
    """Counts and durations on each node, heat colouring, SLA breaches, incidents and feedback."""
    view = _view(xml)
    for element, node in data.nodes.items():
        _mark(view, element, f"heat-{node.heat}")
        if node.passed:
            view["badges"].append(
                {"element": element, "text": node_badge(node), "kind": "info", "position": "bottom"}
            )
        if node.incidents:
            view["badges"].append(
                {
                    "element": element,
                    "text": f"инцидентов: {node.incidents}",
                    "kind": "incident",
                    "position": "right",
                }
            )
        rows = [
            ["Прошло экземпляров", str(node.passed)],
            ["Среднее время", ms(node.avg_ms)],
            ["p90", ms(node.p90_ms)],
        ]
        if node.waiting_ms is not None or node.working_ms is not None:
            rows += [
                ["Ожидание в очереди (ср.)", ms(node.waiting_ms)],
                ["Работа (ср.)", ms(node.working_ms)],
                ["Просрочено (SLA)", str(node.sla_breaches)],
                ["Эскалировано", str(node.escalated)],
            ]
        rows.append(["Инцидентов", f"{node.incidents} (открыто {node.open_incidents})"])
        view["details"][element] = [{"title": "Статистика", "rows": rows}]
    for element, counted in feedback.items():
        kinds = [
            (FEEDBACK_LABELS.get(k, k), counted[k]) for k in (*FEEDBACK_LABELS, *counted) if k in counted
        ]
        kinds = list(dict.fromkeys(kinds))
        total = sum(counted.values())
        view["badges"].append(
            {
                "element": element,
                "text": f"отзывы: {total}",
                "kind": "feedback",
                "position": "top",
                "title": ", ".join(f"{label}: {n}" for label, n in kinds),
            }
        )
        view["details"].setdefault(element, []).append(
            {"title": "Отзывы сотрудников", "rows": [[label, str(n)] for label, n in kinds]}
        )
    return view


def simulation_view(result: SimulationResult, xml: str) -> dict:
    """Per node how many cases passed; per people's task waiting and working time; timers fired."""
    view = _view(xml)
    for element, count in result.node_counts().items():
        view["badges"].append({"element": element, "text": str(count), "kind": "count", "position": "right"})
    for summary in result.task_summaries():
        view["badges"].append(
            {
                "element": summary.element,
                "kind": "info",
                "position": "bottom",
                "text": f"ожид. {span(summary.waiting_avg)} · работа {span(summary.working_avg)}",
            }
        )
        view["details"][summary.element] = [
            {
                "title": "Симуляция",
                "rows": [
                    ["Задач", str(summary.count)],
                    ["Отменено таймером", str(summary.cancelled)],
                    ["Ожидание (ср.)", span(summary.waiting_avg)],
                    ["Ожидание p90", span(summary.waiting_p90)],
                    ["Работа (ср.)", span(summary.working_avg)],
                    ["Кто выполняет", pool_label(summary.pool)],
                    ["Позже срока", str(summary.late)],
                ],
            }
        ]
    for element, count in result.timers.items():
        view["badges"].append(
            {"element": element, "text": f"таймер ×{count}", "kind": "incident", "position": "top"}
        )
    return view
