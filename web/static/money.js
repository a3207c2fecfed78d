// Money inputs (input[data-money]) the Russian way: what was typed — «1500000,5», «1 500 000.50»,
// with no-break spaces — is regrouped on leaving the field as «1 500 000,50». The server parses
// it again (models/platform/money.py), so a page without this script stores the same amount.
(function () {
  "use strict";
  const AMOUNT = /^(-?)(\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?:\s*(?:₽|руб\.?|р\.))?$/i;

  function regroup(text) {
    const match = AMOUNT.exec(text.trim());
    if (!match) return null;
    const whole = match[2].replace(/[ \u00a0\u202f\u2009]/g, "").replace(/^0+(?=\d)/, "");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
    return match[1] + grouped + "," + (match[3] || "").padEnd(2, "0");
  }

  document.addEventListener("focusout", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-money") || !input.value) return;
    const shown = regroup(input.value);
    if (shown !== null) input.value = shown;
  });
})();
