// The funnel board: cards dragged between stage columns (SortableJS). Each drop is one JSON call
// to the deal's board-move URL; the server applies the stage rules and answers with every
// column's totals, or 422 with the reasons, shown on the card put back where it was.
// «Проиграна» first asks for the loss reason in a dialog, «Выиграна» for the contract; closing the
// dialog puts the card back.
(function () {
  "use strict";
  const board = document.getElementById("funnel-board");
  if (!board || !window.Sortable) return;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const message = document.getElementById("board-message");
  // A drop on a closing column first asks what its rule needs: the loss reason, the contract data.
  const dialogs = {
    lost: {element: document.getElementById("loss-dialog"), form: document.getElementById("loss-form"),
           check: (form) => form.elements.loss_reason_id.value ? "" :
             "Выберите причину проигрыша: без неё сделка не переносится",
           fields: ["loss_reason_id", "loss_comment"], left: "Причина проигрыша не указана"},
    won: {element: document.getElementById("won-dialog"), form: document.getElementById("won-form"),
          check: () => "", fields: ["contract_number", "contract_premium", "contract_start", "contract_end"],
          left: "Данные договора не указаны"},
  };
  let pending = null; // the drop waiting for its dialog: {evt, dialog, decided}

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
    const dialog = column && dialogs[column.dataset.outcome];
    if (dialog && dialog.element) {
      pending = {evt: evt, dialog: dialog, decided: false};
      dialog.form.reset();
      dialog.form.querySelectorAll("input").forEach((i) => { if (i._flatpickr) i._flatpickr.clear(); });
      const error = dialog.form.querySelector("[role=alert]");
      if (error) error.textContent = "";
      bootstrap.Modal.getOrCreateInstance(dialog.element).show();
      return;
    }
    send(evt);
  }

  Object.values(dialogs).forEach((dialog) => {
    if (!dialog.element) return;
    dialog.form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!pending || pending.dialog !== dialog) return;
      const problem = dialog.check(dialog.form); // the server checks the same rule; say it before a round trip
      const error = dialog.form.querySelector("[role=alert]");
      if (problem) { if (error) error.textContent = problem; return; }
      const extra = {};
      dialog.fields.forEach((name) => { extra[name] = dialog.form.elements[name].value; });
      pending.decided = true;
      const evt = pending.evt;
      bootstrap.Modal.getOrCreateInstance(dialog.element).hide();
      send(evt, extra);
    });
    dialog.element.addEventListener("hidden.bs.modal", () => {
      if (pending && pending.dialog === dialog && !pending.decided) {
        putBack(pending.evt);
        say(pending.evt.item, `${dialog.left}: сделка осталась на прежнем этапе`);
      }
      if (pending && pending.dialog === dialog) pending = null;
    });
  });

  board.querySelectorAll(".board-cards").forEach((list) => {
    Sortable.create(list, {group: "funnel", animation: 150, draggable: ".deal-card", onEnd: dropped,
                           forceFallback: true});
  });
})();
