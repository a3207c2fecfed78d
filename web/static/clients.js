// Clients: select-all on the list, duplicate hints while a card is typed, import progress bar.
(function () {
  "use strict";

  // Forms that ask before they go (instead of inline onsubmit, which the CSP forbids).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll("input[name=ids]").forEach(function (item) { item.checked = box.checked; });
    });
  });

  var form = document.getElementById("client-form");
  var hint = document.getElementById("live-duplicates");
  if (form && hint) {
    var timer = null;
    var check = function () {
      var params = new URLSearchParams();
      ["inn", "kpp", "full_name", "short_name", "phones", "emails"].forEach(function (name) {
        var field = form.elements[name];
        if (field && field.value) { params.set(name, field.value); }
      });
      if (form.dataset.excludeId) { params.set("exclude_id", form.dataset.excludeId); }
      if (![...params.keys()].some(function (k) { return k !== "exclude_id"; })) { hint.classList.add("d-none"); return; }
      fetch(form.dataset.duplicatesUrl + "?" + params.toString(), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {duplicates: []}; })
        .then(function (data) {
          hint.replaceChildren();
          if (!data.duplicates.length) { hint.classList.add("d-none"); return; }
          var title = document.createElement("strong");
          title.textContent = "Возможные дубликаты:";
          var list = document.createElement("ul");
          list.className = "mb-0";
          data.duplicates.forEach(function (d) {
            var item = document.createElement("li");
            if (d.visible) {
              var link = document.createElement("a");
              link.href = "/clients/" + d.id;
              link.textContent = d.name;
              item.appendChild(link);
            } else {
              item.appendChild(document.createTextNode(d.name));
            }
            item.appendChild(document.createTextNode(" — " + d.reasons.join("; ")));
            list.appendChild(item);
          });
          hint.append(title, list);
          hint.classList.remove("d-none");
        })
        .catch(function () { hint.classList.add("d-none"); });
    };
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 400); });
  }

  var progress = document.getElementById("import-progress");
  if (progress) {
    var bar = progress.querySelector(".progress-bar");
    var counts = document.getElementById("import-counts");
    var poll = function () {
      fetch(progress.dataset.statusUrl, {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.style.width = s.percent + "%";
          bar.textContent = s.percent + "%";
          counts.textContent = "Обработано " + s.processed + " из " + s.total + ": создано " + s.created +
            ", обновлено " + s.updated + ", пропущено " + s.skipped + ", отклонено " + s.rejected;
          if (s.status === "queued" || s.status === "running") { setTimeout(poll, 1000); }
          else { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 500);
  }
})();
