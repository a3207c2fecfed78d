"""The engine's studio parts on their own: checks, spec diff, migration preview, scenarios, calendar,
simulation with branches, a calendar and recorded history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.bundle import Bundle
from engine.checks import check_bundle, entity_uses
from engine.simulation import ScenarioError, parse_scenario
from engine.spec_diff import diff_specs
from models.platform.settings import PROJECT_ROOT
from web.engine_support import engine_services

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"
LEAD = (PROCESSES / "lead_handling.bpmn").read_text(encoding="utf-8")


def _bundle(xml: str) -> Bundle:
    diagrams = {p.name: p.read_bytes() for p in PROCESSES.glob("*.dmn")}
    diagrams["lead_handling.bpmn"] = xml.encode()
    return Bundle(diagrams, {p.name: p.read_bytes() for p in FORMS.glob("*.json")})


@pytest.mark.nodb
def test_entities_are_found_where_they_are_used():
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a SYSTEM "file:///etc/passwd">]>'
        b'<d><x id="one"><y>&a;</y></x><z id="two" v="&amp;"/></d>'
    )
    assert entity_uses(xml) == [("a", "one")]
    assert entity_uses(b"<d><x id='a'>&amp;</x></d>") == []


@pytest.mark.nodb
def test_scenarios_are_refused_with_the_field_named():
    for raw, words in (
        ([], "объект JSON"),
        ({"cases": 0}, "cases: целое число"),
        ({"bogus": 1}, "bogus"),
        ({"durations": {"x": {"poisson": 2}}}, "неизвестное распределение «poisson»"),
        ({"durations": {"x": -1}}, "отрицательными"),
        ({"arrivals": {"per_hour": 0}}, "arrivals"),
        ({"arrivals": {"recorded_month": "октябрь"}}, "ГГГГ-ММ"),
        ({"calendar": {"from": "18:00", "to": "09:00"}}, "calendar"),
        ({"branches": {"g": {"a": -1}}}, "branches.g"),
        ({"answers": {"t": 5}}, "answers.t"),
        ({"capacity": {"manager": 1.5}}, "capacity.manager"),
        ({"durations": []}, "durations"),
    ):
        with pytest.raises(ScenarioError) as caught:
            parse_scenario(raw)
        assert words in caught.value.message


@pytest.mark.nodb
def test_the_working_calendar_counts_only_working_time():
    scenario = parse_scenario(
        {"calendar": {"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00", "zone": "Europe/Moscow"}}
    )
    calendar = scenario.calendar
    friday_evening = datetime(2026, 1, 16, 14, 0, tzinfo=UTC)  # 17:00 in Moscow
    assert calendar.next_working(friday_evening) == friday_evening
    end = calendar.add_work(friday_evening, 2 * 3600)  # one hour on Friday, one on Monday
    assert end == datetime(2026, 1, 19, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow
    saturday = datetime(2026, 1, 17, 9, 0, tzinfo=UTC)
    assert calendar.next_working(saturday) == datetime(2026, 1, 19, 6, 0, tzinfo=UTC)
    assert calendar.working_seconds(friday_evening, end) == 2 * 3600


def test_checks_collect_every_problem(app, session):
    engine = engine_services(app).engine(session)
    broken = LEAD.replace('id="leads.qualify"', 'id="leads.nothing"', 1)
    broken = broken.replace(
        '<bpmn:conditionExpression>outcome == "qualified"</bpmn:conditionExpression>',
        "<bpmn:conditionExpression>__import__('os')</bpmn:conditionExpression>",
        1,
    )
    problems = {
        (p.element, p.message.split(":")[0]) for p in check_bundle(_bundle(broken), engine.operations)
    }
    assert ("qualify", "операция «leads.nothing» не зарегистрирована") in problems
    assert ("qualified", "скрипт или выражение не допускается") in problems
    assert check_bundle(_bundle(LEAD), engine.operations) == []


def test_the_diff_names_changed_tasks_and_flows(app, session):
    engine = engine_services(app).engine(session)
    [old] = [p for p in engine.parse(_bundle(LEAD)) if p.key == "lead_handling"]
    new_xml = LEAD.replace(
        '<bpmn:sequenceFlow id="to_rejected_end" sourceRef="reject" targetRef="rejected" />',
        '<bpmn:sequenceFlow id="to_rejected_end" name="закрыт" sourceRef="reject" targetRef="rejected" />',
        1,
    )
    new_xml = new_xml.replace('value="PT4H" />', 'value="PT6H" />', 1)
    [new] = [p for p in engine.parse(_bundle(new_xml)) if p.key == "lead_handling"]
    diff = diff_specs(
        old.spec_json,
        new.spec_json,
        old_xml=old.source_xml,
        new_xml=new.source_xml,
        old_forms=old.forms,
        new_forms=new.forms,
    )
    assert [(c.id, c.fields) for c in diff.changed] == [
        ("contact", ["срок"]),
        ("to_rejected_end", ["название"]),
    ]
    assert diff.added == [] and diff.removed == []
    assert diff_specs(old.spec_json, old.spec_json, old_xml=old.source_xml, new_xml=old.source_xml).empty


def test_the_migration_preview_keeps_instances_on_removed_elements(app, session, world):
    lead = world.lead(
        company="ООО «Миграция»", phone="+79160009988", territory="Москва", industry="Логистика"
    )
    engine = engine_services(app).engine(session)
    without_contact = LEAD.replace(
        'id="contact" name="Связаться с клиентом"', 'id="call" name="Позвонить"', 1
    )
    without_contact = without_contact.replace('targetRef="contact"', 'targetRef="call"')
    without_contact = without_contact.replace('sourceRef="contact"', 'sourceRef="call"')
    without_contact = without_contact.replace('attachedToRef="contact"', 'attachedToRef="call"')
    without_contact = without_contact.replace('bpmnElement="contact"', 'bpmnElement="call"')
    [parsed] = [p for p in engine.parse(_bundle(without_contact)) if p.key == "lead_handling"]
    preview = engine.migration_preview(parsed)
    [row] = preview.instances
    assert (row.id, row.can_migrate) == (lead.instance_id, False)
    assert "contact" in row.reason
    [same] = [
        p
        for p in engine.parse(_bundle(LEAD.replace('value="PT4H" />', 'value="PT2H" />', 1)))
        if p.key == "lead_handling"
    ]
    assert engine.migration_preview(same).instances[0].can_migrate


def test_simulation_with_branches_calendar_and_history(app, session, world):
    for n in range(3):  # recorded history: three leads handled in 30, 60 and 90 minutes
        lead = world.lead(
            company=f"ООО «История {n}»",
            phone=f"+7916000{n}{n}{n}{n}",
            territory="Казань",
            industry="Торговля",
        )
        [task] = world.open_tasks(lead)
        world.clock.advance(timedelta(minutes=30 * (n + 1)))
        world.complete(task, {"outcome": "not_relevant", "reason": "нет"}, task.assignee_id)
    engine = engine_services(app).engine(session)
    scenario = parse_scenario(
        {
            "cases": 40,
            "seed": 3,
            "start": "2026-01-12T06:00:00+00:00",
            "arrivals": {"per_hour": 2},
            "durations_from_history": True,
            "branches": {"outcome_gateway": {"qualify": 1, "reject": 0}},
            "answers": {"contact": {"outcome": "not_relevant", "reason": "x"}},
            "calendar": {"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"},
            "capacity": {"manager": 3, "senior_manager": 1},
            "data": {"lead_id": "{case}"},
        }
    )
    result = engine.simulate("lead_handling", scenario)
    assert len(result.completed) == 40
    assert {c.path[-1] for c in result.completed} == {"deal_opened"}  # the branch weight beats the answer
    works = {round(t.work_seconds) for t in result.tasks if t.element == "contact" and not t.cancelled}
    assert works <= {1800, 3600, 5400}  # sampled from the recorded durations
    assert result.name("contact") == "Связаться с клиентом"
    month = world.clock.now().strftime("%Y-%m")
    replay = engine.simulate(
        "lead_handling",
        parse_scenario({"cases": 10, "arrivals": {"recorded_month": month}, "data": {"lead_id": "{case}"}}),
    )
    assert len(replay.cases) == 3  # the three recorded starts of that month
