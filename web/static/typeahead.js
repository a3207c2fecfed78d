// Typeahead pickers: a text box that suggests records as you type and keeps the chosen id in a
// hidden field. Markup (no inline script, so it works under a strict CSP):
//   <input type="hidden" name="client_id" value="42" id="client_id-value">
//   <input class="form-control" data-typeahead="/clients/search.json" data-typeahead-value="client_id-value"
//          value="ООО «Ромашка»" autocomplete="off">
// The URL answers {"items": [{"id": …, "name": …, "inn": …}]} for ?q=…&limit=…; the list shows the
// name and the INN (or the item's "detail" line). Clearing the text clears the id; typing without
// picking keeps no stale id. A picker of several kinds of records (the global search's
// /search/quick.json?kinds=client,deal) names a second hidden field in data-typeahead-type, which
// receives the picked item's "type" ("client", "deal").
(function () {
  "use strict";

  var LIMIT = 10;
  var DELAY = 200;

  function setup(box) {
    var hidden = document.getElementById(box.dataset.typeaheadValue);
    if (!hidden) { return; }
    var typeField = box.dataset.typeaheadType ? document.getElementById(box.dataset.typeaheadType) : null;
    var wrap = document.createElement("div");
    wrap.className = "position-relative";
    box.parentNode.insertBefore(wrap, box);
    wrap.appendChild(box);
    var list = document.createElement("ul");
    list.className = "dropdown-menu w-100 crm-typeahead";
    list.setAttribute("role", "listbox");
    list.id = box.id ? box.id + "-list" : "";
    wrap.appendChild(list);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    if (list.id) { box.setAttribute("aria-controls", list.id); }
    var timer = null;
    var active = -1;
    var chosenText = box.value;
    var asked = 0;

    function close() {
      list.classList.remove("show");
      box.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function pick(item) {
      hidden.value = String(item.id);
      if (typeField) { typeField.value = item.type || ""; }
      box.value = item.name;
      chosenText = item.name;
      close();
      hidden.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (o, i) { o.classList.toggle("active", i === index); });
      active = index;
    }

    function show(items) {
      list.replaceChildren();
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "dropdown-item-text text-muted small";
        none.textContent = "Ничего не найдено";
        list.appendChild(none);
      }
      items.forEach(function (item) {
        var li = document.createElement("li");
        var option = document.createElement("button");
        option.type = "button";
        option.className = "dropdown-item";
        option.setAttribute("role", "option");
        option.textContent = item.name;
        if (item.inn || item.detail) {
          var more = document.createElement("span");
          more.className = "text-muted small ms-2";
          more.textContent = item.detail || "ИНН " + item.inn;
          option.appendChild(more);
        }
        option.addEventListener("mousedown", function (e) { e.preventDefault(); pick(item); });
        li.appendChild(option);
        list.appendChild(li);
      });
      list._items = items;
      list.classList.add("show");
      box.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask() {
      var text = box.value.trim();
      if (!text) { close(); return; }
      var mine = ++asked;
      var url = box.dataset.typeahead + (box.dataset.typeahead.indexOf("?") < 0 ? "?" : "&") +
        new URLSearchParams({q: text, limit: String(LIMIT)}).toString();
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {items: []}; })
        .then(function (data) { if (mine === asked) { show(data.items || []); } })
        .catch(close);
    }

    box.addEventListener("input", function () {
      if (box.value !== chosenText) {
        hidden.value = "";
        if (typeField) { typeField.value = ""; }
      }
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    box.addEventListener("keydown", function (e) {
      var items = list._items || [];
      if (!list.classList.contains("show")) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); pick(items[active]); }
      else if (e.key === "Escape") { close(); }
    });
    box.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("input[data-typeahead]").forEach(setup);
}());
