// The funnel board: cards dragged between stage columns (SortableJS). Each drop is one JSON call
// to the deal's board-move URL; the server applies the stage rules and answers with every
// column's totals, or 422 with the reasons, shown on the card put back where it was.
// «Проиграна» first asks for the loss reason in a dialog; closing it puts the card back.
(function () {
  "use strict";
  const board = document.getElementById("funnel-board");
  if (!board || !window.Sortable) return;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const message = document.getElementById("board-message");
  const dialog = document.getElementById("loss-dialog");
  const lossForm = document.getElementById("loss-form");
  const lossError = document.getElementById("loss-error");
  const modal = bootstrap.Modal.getOrCreateInstance(dialog);
  let pending = null; // the drop waiting for its loss reason: {evt, decided}

  function putBack(evt) {
    evt.from.insertBefore(evt.item, evt.from.children[evt.oldIndex] || null);
  }

  function say(card, text) {
    card.querySelectorAll(".board-error").forEach((el) => el.remove());
    message.className = "small mb-2 text-danger";
    message.textContent = text;
    const note = document.createElement("div");
    note.className = "board-error text-danger small mt-1";
    note.setAttribute("role", "alert");
    note.textContent = text;
    card.appendChild(note);
  }

  function redraw(columns) {
    Object.entries(columns).forEach(([code, totals]) => {
      const column = board.querySelector(`section[data-stage="${code}"]`);
      if (!column) return;
      column.querySelector('[data-total="count"]').textContent = `${totals.count} шт.`;
      column.querySelector('[data-total="premium"]').textContent = totals.premium;
      column.querySelector('[data-total="weighted"]').textContent = totals.weighted;
    });
  }

  async function send(evt, extra) {
    const card = evt.item;
    const body = Object.assign({stage: evt.to.dataset.column}, extra || {});
    const query = board.dataset.query ? "?" + board.dataset.query : "";
    card.classList.add("opacity-50");
    try {
      const response = await fetch(card.dataset.moveUrl + query, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        putBack(evt);
        const error = answer.error || {};
        say(card, error.message || "Сделку не удалось перенести");
        return;
      }
      card.querySelectorAll(".board-error").forEach((el) => el.remove());
      message.className = "small mb-2 text-success";
      message.textContent = `Сделка перенесена в «${answer.stage_name}»`;
      redraw(answer.columns);
    } catch (err) {
      putBack(evt);
      say(card, "Нет связи с сервером: сделка осталась на прежнем этапе");
    } finally {
      card.classList.remove("opacity-50");
    }
  }

  function dropped(evt) {
    if (evt.from === evt.to) return;
    const column = evt.to.closest("section");
    if (column && column.dataset.outcome === "lost") {
      pending = {evt: evt, decided: false};
      lossForm.reset();
      lossError.textContent = "";
      modal.show();
      return;
    }
    send(evt);
  }

  lossForm.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!pending) return;
    const reason = lossForm.elements.loss_reason_id.value;
    if (!reason) { // the rule is the server's too; the dialog says it before a round trip
      lossError.textContent = "Выберите причину проигрыша: без неё сделка не переносится";
      return;
    }
    pending.decided = true;
    const evt = pending.evt;
    modal.hide();
    send(evt, {loss_reason_id: reason, loss_comment: lossForm.elements.loss_comment.value});
  });

  dialog.addEventListener("hidden.bs.modal", () => {
    if (pending && !pending.decided) {
      putBack(pending.evt);
      say(pending.evt.item, "Причина проигрыша не указана: сделка осталась на прежнем этапе");
    }
    pending = null;
  });

  board.querySelectorAll(".board-cards").forEach((list) => {
    Sortable.create(list, {group: "funnel", animation: 150, draggable: ".deal-card", onEnd: dropped,
                           forceFallback: true});
  });
})();
