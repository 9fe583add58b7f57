/* bgopendata site: search over the offline index, sortable and filterable tables. No library. */
(function () {
  "use strict";
  var fold = function (s) {
    return String(s).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  };
  /* a number as the page's language writes it: 1.778 and 13,1 in Italian, 1,778 and 13.1 in English */
  var english = document.documentElement.lang === "en";
  var asNumber = function (s) {
    var t = String(s).trim().replace(/\s/g, "");
    if (english && /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, "");
    else if (/^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(t)) t = t.replace(/\./g, "").replace(",", ".");
    else t = t.replace(",", ".");
    return /^-?\d+(\.\d+)?$/.test(t) ? parseFloat(t) : NaN;
  };

  /* Search: every word must start a word of the entry; a number matches the figure's value. */
  var box = document.getElementById("search-box");
  var list = document.getElementById("search-results");
  var index = window.BG_INDEX || [];
  var split = function (s) { return fold(s).split(/[^\p{L}\p{N}.,%-]+/u); };
  index.forEach(function (e) { e.words = split(e.w); e.label = split(e.l); });
  function matches(e, token) {
    var n = asNumber(token);
    if (!isNaN(n) && e.n.some(function (v) { return asNumber(v) === n || fold(v) === token; })) return true;
    return e.words.some(function (w) { return w.indexOf(token) === 0; });
  }
  function search(query) {
    var tokens = fold(query).split(/\s+/).filter(Boolean);
    if (!tokens.length) return [];
    /* entries whose own label (area, detail, measure, period) holds the words come first */
    var score = function (e) {
      return tokens.filter(function (t) { return e.label.some(function (w) { return w.indexOf(t) === 0; }); }).length;
    };
    return index
      .filter(function (e) { return tokens.every(function (t) { return matches(e, t); }); })
      .map(function (e, i) { return [score(e), i, e]; })
      .sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; })
      .map(function (x) { return x[2]; });
  }
  if (box && list) {
    box.addEventListener("input", function () {
      var found = search(box.value);
      list.innerHTML = "";
      list.hidden = !box.value.trim();
      if (!found.length && box.value.trim()) {
        var li = document.createElement("li");
        li.textContent = box.dataset.none;
        list.appendChild(li);
      }
      found.slice(0, 30).forEach(function (e) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = box.dataset.base + e.u;
        a.textContent = e.l + ": " + e.v;
        li.appendChild(a);
        list.appendChild(li);
      });
    });
  }

  /* Tables: a click on a heading sorts (again: the other way); the inputs under it filter. */
  document.querySelectorAll("table.data").forEach(function (table) {
    var head = table.tHead.rows[0];
    var filters = table.tHead.insertRow(-1);
    filters.className = "filters";
    var wanted = [];
    function apply() {
      table.querySelectorAll("tbody").forEach(function (body) {
        var shown = 0;
        [].forEach.call(body.rows, function (row) {
          if (row.classList.contains("group")) return;
          var ok = wanted.every(function (w, i) {
            var cell = row.cells[i];
            if (!w || !cell) return !w;
            return fold(cell.textContent).indexOf(w) >= 0 || (cell.dataset.value || "").indexOf(w) >= 0;
          });
          row.hidden = !ok;
          if (ok) shown += 1;
        });
        body.hidden = shown === 0;
      });
    }
    [].forEach.call(head.cells, function (th, col) {
      var input = document.createElement("input");
      input.type = "search";
      input.setAttribute("aria-label", table.dataset.filter + ": " + th.textContent);
      input.placeholder = th.textContent;
      input.addEventListener("input", function () { wanted[col] = fold(input.value.trim()); apply(); });
      filters.insertCell(-1).appendChild(input);
      th.tabIndex = 0;
      th.classList.add("sortable");
      var sort = function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        [].forEach.call(head.cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        /* a number cell's data-value is the CSV's text (decimal point), whatever the page shows */
        var key = function (row) {
          var cell = row.cells[col];
          if (cell && cell.dataset.value !== undefined && !isNaN(parseFloat(cell.dataset.value))) {
            return parseFloat(cell.dataset.value);
          }
          var text = cell ? cell.textContent.trim() : "";
          var n = asNumber(text);
          return isNaN(n) ? fold(text) : n;
        };
        var cmp = function (a, b) {
          var x = key(a), y = key(b);
          if (typeof x !== typeof y) return typeof x === "number" ? -dir : dir;
          return (x < y ? -1 : x > y ? 1 : 0) * dir;
        };
        var bodies = [].slice.call(table.tBodies);
        bodies.forEach(function (body) {
          var rows = [].filter.call(body.rows, function (r) { return !r.classList.contains("group"); });
          rows.sort(cmp).forEach(function (r) { body.appendChild(r); });
        });
        var first = function (body) { return [].filter.call(body.rows, function (r) { return !r.classList.contains("group"); })[0]; };
        bodies.sort(function (a, b) { return cmp(first(a), first(b)); }).forEach(function (b) { table.appendChild(b); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (ev) { if (ev.key === "Enter") sort(); });
    });
  });
})();
