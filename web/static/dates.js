// Dates the Russian way: every <input type="date"> and <input type="datetime-local"> becomes a text
// field showing ДД.ММ.ГГГГ (ДД.ММ.ГГГГ ЧЧ:ММ) with a Russian calendar (flatpickr from npm). The browser's
// own picker follows the OS locale (mm/dd/yyyy under an English one), this one does not. The form
// still sends the ISO value the server parses; typing «12.01.2026» or «2026-01-12» both work.
(function () {
  "use strict";
  if (!window.flatpickr) return;
  const RU = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,]+(\d{1,2}):(\d{2}))?$/;
  const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/;

  function parse(text) {
    const value = (text || "").trim();
    let m = RU.exec(value);
    if (m) return new Date(+m[3], +m[2] - 1, +m[1], +(m[4] || 0), +(m[5] || 0));
    m = ISO.exec(value);
    if (m) return new Date(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0));
    return undefined;
  }

  document.querySelectorAll('input[type="date"], input[type="datetime-local"]').forEach((input) => {
    const withTime = input.type === "datetime-local";
    const id = input.id;
    const picker = flatpickr(input, {
      locale: flatpickr.l10ns.ru || "default", allowInput: true, altInput: true, time_24hr: true,
      enableTime: withTime, dateFormat: withTime ? "Y-m-d\\TH:i" : "Y-m-d",
      altFormat: withTime ? "d.m.Y H:i" : "d.m.Y", parseDate: parse,
      static: Boolean(input.closest(".modal")), // inside a dialog the calendar stays in its focus trap
    });
    const shown = picker.altInput;
    if (!shown) return;
    // The label, the tests and the screen reader know the field by its id: the visible one keeps it.
    if (id) { input.id = id + "-iso"; shown.id = id; }
    ["aria-label", "aria-describedby", "required"].forEach((name) => {
      if (input.hasAttribute(name)) shown.setAttribute(name, input.getAttribute(name));
    });
    shown.placeholder = withTime ? "ДД.ММ.ГГГГ ЧЧ:ММ" : "ДД.ММ.ГГГГ";
    shown.inputMode = "numeric";
    shown.addEventListener("blur", () => { // a typed date counts even if the calendar was not touched
      const day = parse(shown.value);
      if (day) picker.setDate(day, true);
      else if (!shown.value) picker.clear();
    });
  });
})();
