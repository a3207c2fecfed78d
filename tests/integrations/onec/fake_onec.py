"""A 1С OData fake of ours: ``/odata/standard.odata/<Entity>`` answering as a standard 1С configuration does
(``?$format=json``, ``{"odata.metadata", "value": [...]}``, ``Entity(guid'…')``, Basic auth, 201 on
create)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

PREFIX = "/odata/standard.odata/"
USER, PASSWORD = "crm", "secret"


class OneCFake:
    def __init__(self) -> None:
        self.counterparties: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.payments: list[dict] = []
        self.fail_next_invoice_answer = False
        self.writes: list[tuple[str, str, dict]] = []

    def add_counterparty(self, **values) -> dict:
        ref = str(uuid.uuid4())
        row = {"Ref_Key": ref, "DataVersion": "AAAAAQAAAAA=", "DeletionMark": False, **values}
        self.counterparties[ref] = row
        return row

    @staticmethod
    def _json(status: int, body: object) -> tuple[int, dict, bytes]:
        return (
            status,
            {"Content-Type": "application/json;charset=utf-8"},
            json.dumps(body, ensure_ascii=False).encode(),
        )

    def __call__(self, seen):
        auth = seen.headers.get("Authorization", "")
        if auth != "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode():
            return 401, {"WWW-Authenticate": 'Basic realm="1C"'}, b""
        parts = urlsplit(seen.path)
        path, query = unquote(parts.path), {k: v[0] for k, v in parse_qs(parts.query).items()}
        if not path.startswith(PREFIX) or query.get("$format") != "json":
            return 400, {}, b"bad request"
        entity = path[len(PREFIX) :]
        match = re.fullmatch(r"(\w+)\(guid'([0-9a-f-]+)'\)", entity)
        name, ref = (match.group(1), match.group(2)) if match else (entity, None)
        body = json.loads(seen.body) if seen.body else {}
        table = {
            "Catalog_Контрагенты": self.counterparties,
            "Document_СчетНаОплатуПокупателю": self.invoices,
        }.get(name)
        if name == "Document_ПоступлениеНаРасчетныйСчет":
            since = re.search(r"datetime'([^']+)'", query.get("$filter", "")).group(1)
            rows = [p for p in self.payments if p["Date"] >= since and p["Posted"]]
            return self._json(200, {"odata.metadata": "…", "value": rows})
        if table is None:
            return 404, {}, b""
        if seen.method == "GET" and ref:
            return self._json(200, table[ref]) if ref in table else (404, {}, b"")
        if seen.method == "GET":
            rows = list(table.values())
            where = query.get("$filter", "")
            for field in ("ИНН", "КПП"):
                found = re.search(rf"{field} eq '([^']*)'", where)
                if found:
                    rows = [r for r in rows if r.get(field) == found.group(1)]
            return self._json(200, {"odata.metadata": "…", "value": rows[: int(query.get("$top", 1000))]})
        if seen.method == "POST":
            self.writes.append(("POST", name, body))
            row = {"DataVersion": "AAAAAQAAAAA=", "DeletionMark": False, **body}
            row.setdefault("Ref_Key", str(uuid.uuid4()))
            if name == "Document_СчетНаОплатуПокупателю":
                row["Number"] = f"0000-{len(table) + 1:06d}"
            table[row["Ref_Key"]] = row
            if name == "Document_СчетНаОплатуПокупателю" and self.fail_next_invoice_answer:
                self.fail_next_invoice_answer = False
                return 503, {}, b"Service Unavailable"  # created, but the answer was lost
            return self._json(201, row)
        if seen.method == "PATCH" and ref in table:
            self.writes.append(("PATCH", name, body))
            table[ref].update(body)
            table[ref]["DataVersion"] = "AAAAAgAAAAA="
            return self._json(200, table[ref])
        return 405, {}, b""
