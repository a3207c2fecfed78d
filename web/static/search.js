// The global search box of the navigation bar. Ctrl+K (⌘K on a Mac, and Ctrl+Л on a Russian
// layout) puts the cursor into it; typing asks the form's data-quick URL for suggestions:
// records by identifier (clients, contacts, deals, leads, tasks, documents) and, as a second
// section, the texts people wrote. Arrows move, Enter opens, Escape closes; Enter with nothing
// chosen submits the form to the full search page. No inline script (CSP): everything is here.
(function () {
  "use strict";

  var DELAY = 180;

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K" || event.key === "л" || event.key === "Л")) {
      var box = document.getElementById("global-search-q");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    }
  });

  function setup(form) {
    var box = document.getElementById("global-search-q");
    if (!box || !form.dataset.quick) { return; }
    var wrap = document.createElement("div");
    wrap.className = "position-relative";
    box.parentNode.insertBefore(wrap, box);
    wrap.appendChild(box);
    var list = document.createElement("div");
    list.className = "dropdown-menu dropdown-menu-end crm-quick-search";
    list.id = "global-search-results";
    list.setAttribute("role", "listbox");
    list.style.minWidth = "26rem";
    list.style.right = "0";
    list.style.left = "auto";
    wrap.appendChild(list);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "false");
    var timer = null;
    var asked = 0;
    var active = -1;

    function options() { return list.querySelectorAll("a.dropdown-item"); }

    function close() {
      list.classList.remove("show");
      box.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function highlight(index) {
      options().forEach(function (o, i) { o.classList.toggle("active", i === index); });
      active = index;
    }

    function header(text) {
      var h = document.createElement("h6");
      h.className = "dropdown-header";
      h.textContent = text;
      list.appendChild(h);
    }

    function item(url, label, title, detail) {
      var a = document.createElement("a");
      a.className = "dropdown-item text-wrap";
      a.setAttribute("role", "option");
      a.href = url || "#";
      var kind = document.createElement("span");
      kind.className = "badge text-bg-light me-2";
      kind.textContent = label;
      var name = document.createElement("span");
      name.textContent = title;
      a.appendChild(kind);
      a.appendChild(name);
      if (detail) {
        var small = document.createElement("div");
        small.className = "small text-muted";
        small.textContent = detail;
        a.appendChild(small);
      }
      list.appendChild(a);
    }

    function show(data) {
      list.replaceChildren();
      header("Записи");
      data.records.forEach(function (r) { item(r.url, r.kind_label, r.title, r.detail); });
      if (!data.records.length) {
        var none = document.createElement("div");
        none.className = "dropdown-item-text small text-muted";
        none.textContent = "Ничего не найдено";
        list.appendChild(none);
      }
      if (data.texts.length) {
        header("В текстах");
        data.texts.forEach(function (t) { item(t.url, t.kind_label, t.title, t.text); });
      }
      var more = document.createElement("a");
      more.className = "dropdown-item small";
      more.href = data.more;
      more.textContent = "Все результаты поиска по текстам →";
      list.appendChild(more);
      list.classList.add("show");
      box.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask() {
      var q = box.value.trim();
      if (q.length < 2) { close(); return; }
      var mine = ++asked;
      fetch(form.dataset.quick + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"},
                                                                   credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && mine === asked) { show(data); } })
        .catch(function () { /* the box still submits to the search page */ });
    }

    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    box.addEventListener("keydown", function (event) {
      var all = options();
      if (event.key === "ArrowDown" && all.length) {
        event.preventDefault();
        highlight((active + 1) % all.length);
      } else if (event.key === "ArrowUp" && all.length) {
        event.preventDefault();
        highlight(active <= 0 ? all.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0 && all[active]) {
        event.preventDefault();
        window.location.href = all[active].href;
      } else if (event.key === "Escape") {
        close();
      }
    });
    box.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("global-search");
    if (form) { setup(form); }
  });
})();
