"""Service-task parameters are checked against the operation's signature at deploy.

A missing required parameter, a parameter the operation does not take, a literal that
cannot become the annotated type, and a declared ``type`` that contradicts it are each
refused naming the file, the element and the parameter; nothing of the deploy is stored.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.bundle import Bundle
from engine.errors import DeployError
from engine.operations import OperationContext
from engine.tables import ProcessDefinition, ProcessForm
from tests.engine.conftest import BPMN, FORMS

CALLS: list[dict] = []


def book_payment(context: OperationContext, amount: Decimal, due: date, note: str = "",
                 client_id: int | None = None) -> dict:
    """Records what it was called with (a stand-in for a payment schedule)."""
    CALLS.append({"amount": amount, "due": due, "note": note, "client_id": client_id})
    return {"booked": str(amount)}


def register(registry) -> None:
    """This module is a package of the test app: it declares its test operation."""
    registry.operation("test.book_payment", book_payment)


@pytest.fixture
def extra_packages():
    return (sys.modules[__name__],)


VALID = ('<spiffworkflow:parameter id="amount" type="decimal" value="\'1500.50\'" />'
         '<spiffworkflow:parameter id="due" type="date" value="due_date" />')


def _diagram(parameters: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://crm.local/t">
  <bpmn:process id="payment" name="Платёж" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="book" name="Поставить платёж в график">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="test.book_payment" resultVariable="payment">
          <spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="book" />
    <bpmn:sequenceFlow id="f2" sourceRef="book" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def _bundle(parameters: str) -> Bundle:
    """The payment diagram plus a valid process with a form, so a half-stored deploy would show."""
    return Bundle(diagrams={"payment.bpmn": _diagram(parameters),
                            "simple_user_task.bpmn": (BPMN / "simple_user_task.bpmn").read_bytes()},
                  forms={"contact.schema.json": (FORMS / "contact.schema.json").read_bytes()})


@pytest.mark.parametrize("parameters, parameter, words", [
    ('<spiffworkflow:parameter id="amount" type="decimal" value="\'100\'" />',
     "due", "не задан обязательный параметр «due»"),
    (VALID + '<spiffworkflow:parameter id="currency" type="str" value="\'RUB\'" />',
     "currency", "неизвестный параметр «currency»"),
    ('<spiffworkflow:parameter id="amount" type="decimal" value="\'полторы тысячи\'" />'
     '<spiffworkflow:parameter id="due" type="date" value="due_date" />',
     "amount", "значение 'полторы тысячи' не приводится к типу Decimal"),
    (VALID + '<spiffworkflow:parameter id="client_id" type="int" value="\'ООО Ромашка\'" />',
     "client_id", "не приводится к типу int"),
    ('<spiffworkflow:parameter id="amount" type="decimal" value="amount" />'
     '<spiffworkflow:parameter id="due" type="int" value="due_date" />',
     "due", "объявлен с типом «int», а операция ждёт date"),
])
def test_bad_parameters_are_refused_at_deploy_naming_file_element_and_parameter(
        harness, session, parameters, parameter, words):
    with pytest.raises(DeployError) as caught:
        harness.engine().deploy(_bundle(parameters))
    error = caught.value
    assert (error.file, error.element, error.parameter) == ("payment.bpmn", "book", parameter)
    assert words in error.message
    assert error.message.startswith("payment.bpmn, элемент «book»: операция «test.book_payment»")
    session.rollback()
    assert session.scalar(select(func.count(ProcessDefinition.id))) == 0
    assert session.scalar(select(func.count(ProcessForm.id))) == 0


def test_good_parameters_deploy_and_optional_ones_may_be_left_out(harness, session):
    CALLS.clear()
    results = harness.engine().deploy(_bundle(
        VALID + '<spiffworkflow:parameter id="client_id" type="int" value="\'42\'" />'))
    session.commit()
    assert sorted((r.key, r.status) for r in results) == [("payment", "new"), ("simple_user_task", "new")]
    instance = harness.start("payment", {"due_date": "2026-02-01"})
    assert instance.status == "completed"
    [call] = CALLS
    assert call == {"amount": Decimal("1500.50"), "due": date(2026, 2, 1), "note": "", "client_id": 42}


def test_text_declared_parameters_feed_typed_operations_as_at_run_time(harness, session):
    """A «str» parameter may carry an amount or a date: the call converts text, so deploy accepts it.

    A declared type no value of which could be converted (a list for a date) is still refused.
    """
    CALLS.clear()
    harness.engine().deploy(_bundle(
        '<spiffworkflow:parameter id="amount" type="str" value="amount" />'
        '<spiffworkflow:parameter id="due" type="str" value="due_date" />'))
    session.commit()
    harness.start("payment", {"amount": "1500.50", "due_date": "2026-02-01"})
    [call] = CALLS
    assert (call["amount"], call["due"]) == (Decimal("1500.50"), date(2026, 2, 1))
    with pytest.raises(DeployError) as caught:
        harness.engine().deploy(_bundle(
            '<spiffworkflow:parameter id="amount" type="str" value="amount" />'
            '<spiffworkflow:parameter id="due" type="list" value="due_date" />'))
    assert "объявлен с типом «list», а операция ждёт date" in caught.value.message
