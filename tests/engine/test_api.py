"""The process API: start and message with an API token; JSON errors; permissions."""

from models.identity.users import issue_api_token


def _token(session, user):
    token = issue_api_token(session, user, "integration")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_start_and_message_through_the_api(client, session, harness, demo_users):
    harness.deploy("message_wait.bpmn")
    headers = _token(session, demo_users["admin"])
    started = client.post("/api/v1/processes/message_wait/instances",
                          json={"business_type": "deal", "business_id": 42}, headers=headers)
    assert started.status_code == 201, started.json
    assert started.json["status"] == "waiting"
    sent = client.post("/api/v1/messages", headers=headers, json={
        "name": "payment_received", "correlation": {"deal_id": 42}, "payload": {"amount": "10"}})
    assert sent.status_code == 202
    assert sent.json["status"] == "delivered" and sent.json["instance_ids"] == [started.json["id"]]
    shown = client.get(f"/api/v1/process-instances/{started.json['id']}", headers=headers)
    assert shown.json["status"] == "completed"


def test_api_errors_are_json_with_russian_messages(client, session, harness, demo_users):
    admin = _token(session, demo_users["admin"])
    missing = client.post("/api/v1/processes/nope/instances", json={}, headers=admin)
    assert missing.status_code == 404
    assert missing.json["error"]["message"] == "Процесс «nope» не развёрнут"
    invalid = client.post("/api/v1/messages", json={"correlation": "x"}, headers=admin)
    assert invalid.status_code == 422
    assert set(invalid.json["error"]["fields"]["json"]) == {"name", "correlation"}
    manager = _token(session, demo_users["manager"])
    forbidden = client.post("/api/v1/messages", json={"name": "x"}, headers=manager)
    assert forbidden.status_code == 403 and forbidden.json["error"]["code"] == "forbidden"
