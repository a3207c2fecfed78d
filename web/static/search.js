// Ctrl+K (⌘K on a Mac) puts the cursor into the global search box of the navigation bar.
(function () {
  "use strict";
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
})();
