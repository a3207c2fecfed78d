"""Business rule tasks with DMN tables (UNIQUE and COLLECT, Python cells) deployed with the process."""

from decimal import Decimal

import pytest

from engine.errors import DeployError
from tests.engine.conftest import BPMN, parse_files

FILES = ("features/rules.bpmn", "features/funnel.dmn", "features/required_docs.dmn")


@pytest.mark.parametrize("data, funnel, department, documents", [
    ({"client_kind": "corporate", "employees": 5000, "amount": Decimal("2500000")},
     "key_accounts", "management", ["договор", "устав", "банковская гарантия"]),
    ({"client_kind": "corporate", "employees": 40, "amount": Decimal("100000")},
     "b2b", "sales", ["договор", "устав"]),
    ({"client_kind": "sole_trader", "employees": 37, "amount": Decimal("100000")},
     "smb_3", "sales", ["договор"]),
    ({"client_kind": "individual", "employees": 1, "amount": Decimal("1000001")},
     "general", "sales", ["договор", "банковская гарантия"]),
])
def test_unique_and_collect_tables_decide_the_funnel_and_documents(harness, data, funnel, department,
                                                                     documents):
    result = harness.deploy(*FILES)
    assert [(r.key, r.version) for r in result] == [("deal_rules", 1)]
    instance = harness.start("deal_rules", data)
    [task] = harness.open_tasks(instance.id)
    assert (task.element_id, task.candidate_role) == ("collect", "back_office")
    values = harness.data(instance)
    assert (values["funnel"], values["funnel_department"]) == (funnel, department)
    assert values["documents"] == documents
    events = harness.events(instance.id)
    assert events.index(("task_completed", "pick_funnel")) < events.index(
        ("task_completed", "list_documents"))


def test_changing_only_a_decision_table_makes_a_new_process_version(harness, session, tmp_path):
    harness.deploy(*FILES)
    assert [r.status for r in harness.deploy(*FILES)] == ["unchanged"]
    old = harness.start("deal_rules", {"client_kind": "corporate", "employees": 40, "amount": 1})

    changed = tmp_path / "funnel.dmn"
    changed.write_text((BPMN / "features/funnel.dmn").read_text().replace('"b2b"', '"b2b_mid"'))
    result = harness.deploy_paths([BPMN / "features/rules.bpmn", changed,
                                   BPMN / "features/required_docs.dmn"])
    session.commit()
    assert [(r.key, r.version, r.status) for r in result] == [("deal_rules", 2, "updated")]
    new = harness.start("deal_rules", {"client_kind": "corporate", "employees": 40, "amount": 1})
    assert (old.definition.version, new.definition.version) == (1, 2)
    assert harness.data(old)["funnel"] == "b2b"
    assert harness.data(new)["funnel"] == "b2b_mid"


def test_decision_table_cells_pass_the_sandbox_rules_at_deploy():
    with pytest.raises(DeployError) as caught:
        parse_files([BPMN / "features/rules.bpmn", BPMN / "bad/dunder_cell.dmn",
                     BPMN / "features/required_docs.dmn"])
    assert (caught.value.file, caught.value.element) == ("dunder_cell.dmn", "r_other_f")
    assert "служебным именам" in caught.value.reason
    parsed = parse_files([BPMN / f for f in FILES])  # comparisons like ">= 1000" are fine
    assert [p.key for p in parsed] == ["deal_rules"]


def test_payload_expressions_pass_the_sandbox_rules_at_deploy():
    with pytest.raises(DeployError) as caught:
        parse_files([BPMN / "bad/evil_payload.bpmn"])
    assert caught.value.file == "evil_payload.bpmn"
    assert "«open» запрещена" in caught.value.reason


def test_decide_asks_a_deployed_table_without_starting_an_instance(harness):
    """``ProcessEngine.decide``: the table's outputs and the rule that fired; nothing is stored."""
    from engine.errors import NotFound
    from engine.tables import ProcessInstance

    harness.deploy(*FILES)
    engine = harness.engine()
    answer = engine.decide("deal_rules", "pick_funnel",
                           {"client_kind": "corporate", "employees": 40, "amount": Decimal("100000")})
    assert answer.outputs == {"funnel": "b2b", "funnel_department": "sales"}
    assert answer.rule_id == "r_corp"
    collected = engine.decide("deal_rules", "list_documents",
                              {"client_kind": "individual", "amount": Decimal("1000001")})
    assert collected.outputs["documents"] == ["договор", "банковская гарантия"]
    assert harness.session.query(ProcessInstance).count() == 0
    with pytest.raises(NotFound):
        engine.decide("deal_rules", "no_such_task", {})
    with pytest.raises(NotFound):
        engine.decide("not_deployed", "pick_funnel", {})


def test_the_kept_syntax_answers_are_the_parsers_own():
    """The DMN engine asks ``validate`` of every rule entry on every decision; the kept answer
    must stay a ``SyntaxError`` for an entry that needs a left-hand side (``> 1000``), every time."""
    from engine.script_engine import CrmScriptEngine

    validate = CrmScriptEngine.validate
    for _ in range(2):
        validate(None, "1000")  # type: ignore[arg-type]
        validate(None, "v > 1000")  # type: ignore[arg-type]
        with pytest.raises(SyntaxError) as caught:
            validate(None, "> 1000")  # type: ignore[arg-type]
        assert caught.value.lineno == 1
