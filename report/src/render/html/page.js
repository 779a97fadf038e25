// Search, sorting and grouping of the recommendations; the page reads the same without it.
(function () {
  "use strict";
  var list = document.getElementById("recs");
  var tools = document.getElementById("tools");
  if (!list || !tools) return;
  var recs = Array.prototype.slice.call(list.querySelectorAll("details.rec"));
  var search = document.getElementById("search");
  var order = document.getElementById("order");
  var shown = document.getElementById("shown");
  // Keys: larger first for risk and severity, alphabetical for the rest (empty last).
  function key(rec, by) {
    return rec.getAttribute("data-" + by) || "";
  }
  function compare(by) {
    return function (a, b) {
      var x = key(a, by), y = key(b, by);
      if (by === "risk" || by === "severity") return Number(y) - Number(x);
      if (x === y) return 0;
      if (x === "") return 1;
      if (y === "") return -1;
      return x < y ? -1 : 1;
    };
  }
  function label(rec, by) {
    return rec.getAttribute("data-" + by + "-label") || "(none)";
  }
  function arrange() {
    var by = order.value;
    var sorted = recs.slice().sort(compare(by));
    var heads = list.querySelectorAll("h3.group");
    for (var i = 0; i < heads.length; i++) heads[i].remove();
    var last = null;
    sorted.forEach(function (rec) {
      var group = label(rec, by);
      if (group !== last) {
        var h = document.createElement("h3");
        h.className = "group";
        h.textContent = group;
        list.appendChild(h);
        last = group;
      }
      list.appendChild(rec);
    });
    filter();
  }
  function filter() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    recs.forEach(function (rec) {
      var rows = rec.querySelectorAll("tbody tr");
      var recText = (rec.getAttribute("data-text") || "").toLowerCase();
      var any = false;
      for (var i = 0; i < rows.length; i++) {
        var text = recText + " " + rows[i].textContent.toLowerCase();
        var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
        rows[i].hidden = !hit;
        any = any || hit;
      }
      var match = words.length === 0 || any ||
        (rows.length === 0 && words.every(function (w) { return recText.indexOf(w) >= 0; }));
      rec.hidden = !match;
      if (match) count++;
      if (words.length > 0 && match) rec.open = true;
    });
    var heads = list.querySelectorAll("h3.group");
    for (var j = 0; j < heads.length; j++) {
      var next = heads[j].nextElementSibling, visible = false;
      while (next && next.tagName !== "H3") {
        if (!next.hidden) visible = true;
        next = next.nextElementSibling;
      }
      heads[j].hidden = !visible;
    }
    shown.textContent = count + " of " + recs.length + " recommendations shown";
  }
  // A link may carry the search and the order: #search=storage&order=control.
  var params = new URLSearchParams(location.hash.slice(1));
  if (params.get("search")) search.value = params.get("search");
  var wanted = params.get("order");
  if (Array.prototype.some.call(order.options, function (o) { return o.value === wanted; })) {
    order.value = wanted;
  }
  search.addEventListener("input", filter);
  order.addEventListener("change", arrange);
  tools.hidden = false;
  arrange();
  document.body.setAttribute("data-ready", "true");
})();
