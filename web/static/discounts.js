// Discount request form on the deal card: shows the base premium, the result and who will decide
// (GET /api/v1/discounts/quote, the same checks and tables the request itself goes through).
(function () {
  "use strict";

  var form = document.getElementById("discount-request-form");
  var out = document.getElementById("discount-quote");
  if (!form || !out) { return; }
  var timer = null;

  function show(text, danger) {
    out.textContent = text;
    out.classList.toggle("text-danger", !!danger);
    out.classList.toggle("text-muted", !danger);
  }

  function quote() {
    var params = new URLSearchParams({deal_id: form.dataset.deal});
    ["product", "discount", "discount_unit", "base_premium"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value.trim()) { params.set(name, field.value.trim()); }
    });
    if (!params.get("discount")) { show(""); return; }
    fetch(form.dataset.quoteUrl + "?" + params.toString(), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (answer) {
        if (!answer.ok) {
          var fields = (answer.body.error && answer.body.error.fields) || {};
          var messages = Object.keys(fields).map(function (k) { return fields[k].join("; "); });
          show(messages.join(" ") || (answer.body.error && answer.body.error.message) || "", true);
          return;
        }
        var q = answer.body;
        var text = "Базовая премия " + q.base_premium_text + " (" + q.base_source + "); скидка " + q.discount_pct_text +
          " % = " + q.discount_amount_text + " → " + q.resulting_premium_text + ". ";
        text += q.covered ? "В пределах согласованной скидки: новое согласование не нужно." :
          q.explanation.charAt(0).toUpperCase() + q.explanation.slice(1) + ".";
        show(text);
      })
      .catch(function () { show(""); });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(quote, 300);
  });
  form.addEventListener("change", quote);
})();
