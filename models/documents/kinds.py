"""Document kinds and statuses with their Russian names, and which kinds need approval before sending."""

from __future__ import annotations

KINDS: dict[str, str] = {
    "offer": "КП",
    "contract": "Договор",
    "invoice": "Счёт",
    "act": "Акт",
    "addendum": "Доп. соглашение",
    "letter": "Письмо",
}
# Prefix of the number: «Д-2026-0007».
PREFIXES = {"offer": "КП", "contract": "Д", "invoice": "СЧ", "act": "А", "addendum": "ДС", "letter": "П"}
# Kinds whose document may not leave before it is approved.
NEEDS_APPROVAL = frozenset({"offer", "contract", "addendum"})
# Kinds that carry VAT lines (an invoice and an act do; insurance premiums are VAT-free, so the
# line says «Без НДС» unless the template's data gives a rate).
VAT_KINDS = frozenset({"invoice", "act"})


class Status:
    DRAFT = "draft"
    IN_APPROVAL = "in_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    REWORK = "rework"
    SENT = "sent"
    DELIVERED = "delivered"
    SIGNED = "signed"
    CLIENT_REJECTED = "client_rejected"


STATUS_LABELS = {
    Status.DRAFT: "Черновик",
    Status.IN_APPROVAL: "На согласовании",
    Status.APPROVED: "Согласован",
    Status.REJECTED: "Отклонён",
    Status.REWORK: "На доработке",
    Status.SENT: "Отправлен",
    Status.DELIVERED: "Доставлен",
    Status.SIGNED: "Подписан клиентом",
    Status.CLIENT_REJECTED: "Отклонён клиентом",
}
# Statuses in which the document's content may still change (a new version).
EDITABLE = frozenset({Status.DRAFT, Status.REWORK, Status.APPROVED, Status.REJECTED, Status.IN_APPROVAL})

DECISIONS = {"approve": "Согласовано", "reject": "Отклонено", "rework": "На доработку"}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
