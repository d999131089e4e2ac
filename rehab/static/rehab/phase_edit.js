// The tailor page (templates/rehab/phase_edit.html). Without this script every picker search and every Add,
// Up, Down, Remove and Undo button posts the form back and the page returns with that change made
// (rehab.views.phase_edit). With it, the same buttons act in the page and only "Save phase" posts: the
// picker filters as you type, Add appends a row from the <template>, and rows move, go and come back.
// Rows stay in the form in page order; each row's hidden order field is renumbered 1, 2, 3… after a change.
(function () {
  "use strict";

  var form = document.querySelector("form[data-tailor]");
  if (!form) {
    return;
  }
  var list = form.querySelector("[data-rows]");
  var template = form.querySelector("template[data-row-template]");
  var total = form.querySelector('input[name="ex-TOTAL_FORMS"]');
  var maxRows = parseInt(form.querySelector('input[name="ex-MAX_NUM_FORMS"]').value, 10) || 30;
  var status = form.querySelector("[data-rows-status]");
  var empty = form.querySelector("[data-rows-empty]");
  // The page's sentences in the reader's language (rehab.templatetags.tailor), with %(name)s to fill in.
  var textsNode = document.getElementById("tailor-texts");
  var texts = textsNode ? JSON.parse(textsNode.textContent) : {};

  function words(key, values) {
    return (texts[key] || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return values && name in values ? String(values[name]) : whole;
    });
  }

  function say(text) {
    // Cleared first, so the same words said twice are announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function rowName(row) {
    var name = row.querySelector("[data-row-name]");
    return name ? name.textContent.trim() : words("exercise");
  }

  function field(row, name) {
    return row.querySelector('[name="ex-' + row.dataset.row + "-" + name + '"]');
  }

  function isKept(row) {
    var remove = field(row, "DELETE");
    return !(remove && remove.checked);
  }

  function keptRows() {
    return Array.prototype.filter.call(list.querySelectorAll("[data-row]"), isKept);
  }

  function renumber() {
    var kept = keptRows();
    kept.forEach(function (row, index) {
      field(row, "order").value = String(index + 1);
    });
    empty.hidden = kept.length > 0;
    return kept;
  }

  function move(row, step, button) {
    var kept = keptRows();
    var at = kept.indexOf(row);
    var to = at + step;
    if (to < 0 || to >= kept.length) {
      say(words(step < 0 ? "first" : "last", { name: rowName(row) }));
      return;
    }
    if (step < 0) {
      list.insertBefore(row, kept[to]);
    } else {
      list.insertBefore(row, kept[to].nextSibling);
    }
    renumber();
    button.focus();
    say(words("moved", { name: rowName(row), place: to + 1, count: kept.length }));
  }

  function setRemoved(row, removed) {
    field(row, "DELETE").checked = removed;
    row.querySelector("[data-row-live]").hidden = removed;
    row.querySelector("[data-row-removed]").hidden = !removed;
    renumber();
    if (removed) {
      row.querySelector("[data-row-restore]").focus();
      say(words("removed", { name: rowName(row) }));
    } else {
      row.querySelector("[data-row-remove]").focus();
      say(words("back", { name: rowName(row), place: keptRows().indexOf(row) + 1 }));
    }
  }

  function add(button) {
    var kept = keptRows();
    if (kept.length >= maxRows) {
      say(words("full", { num: maxRows }));
      return;
    }
    var index = parseInt(total.value, 10) || 0;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    var row = holder.firstElementChild;
    var item = button.closest("[data-picker-item]");
    field(row, "exercise").value = button.value;
    ["sets", "reps", "hold_seconds", "duration_minutes", "times_per_day", "days_per_week"].forEach(function (name) {
      field(row, name).value = button.dataset[name] || "";
    });
    field(row, "per_side").checked = button.dataset.per_side === "1";
    row.querySelectorAll("[data-row-name]").forEach(function (node) {
      node.textContent = item.querySelector("[data-picker-name]").textContent;
    });
    row.querySelector("[data-row-meta]").textContent = item.querySelector("[data-picker-meta]").textContent;
    row.querySelector("[data-row-figure]").innerHTML = item.querySelector("[data-picker-figure]").innerHTML;
    row.querySelectorAll(".row-actions").forEach(function (group) {
      group.setAttribute("aria-label", words("group", { name: rowName(row) }));
    });
    row.classList.add("row-added");
    var lastKept = kept[kept.length - 1];
    list.insertBefore(row, lastKept ? lastKept.nextSibling : list.firstChild);
    total.value = String(index + 1);
    renumber();
    markAdded(item);
    field(row, "sets").focus();
    field(row, "sets").select(); // typing replaces the library's usual dosage
    say(words("added", { name: rowName(row), place: kept.length + 1 }));
  }

  function markAdded(item) {
    if (item.querySelector("[data-picker-added]")) {
      return;
    }
    var badge = document.createElement("span");
    badge.className = "badge bg-success-subtle text-success-emphasis";
    badge.setAttribute("data-picker-added", "");
    badge.textContent = words("in_phase");
    var line = item.querySelector("[data-picker-meta]").nextElementSibling;
    line.appendChild(document.createTextNode(" · "));
    line.appendChild(badge);
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !form.contains(button)) {
      return;
    }
    var row = button.closest("[data-row]");
    if (button.hasAttribute("data-row-move") && row) {
      event.preventDefault();
      move(row, button.dataset.rowMove === "up" ? -1 : 1, button);
    } else if (button.hasAttribute("data-row-remove") && row) {
      event.preventDefault();
      setRemoved(row, true);
    } else if (button.hasAttribute("data-row-restore") && row) {
      event.preventDefault();
      setRemoved(row, false);
    } else if (button.hasAttribute("data-picker-add")) {
      event.preventDefault();
      add(button);
    } else if (button.hasAttribute("data-picker-search")) {
      event.preventDefault();
      filter();
    } else if (button.hasAttribute("data-picker-clear")) {
      event.preventDefault();
      search.value = "";
      filters.forEach(function (select) {
        select.value = "";
      });
      filter();
      search.focus();
    }
  });

  // The picker: the server lists every exercise (those not matching hidden); here they are filtered as typed,
  // the same way the library search matches (every word in the name, aliases or cues; accents ignored).
  var picker = form.querySelector("[data-picker]");
  var search = picker.querySelector("[data-picker-q]");
  var filters = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-filter]"));
  var items = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-item]"));
  var count = picker.querySelector("[data-picker-count]");
  var none = picker.querySelector("[data-picker-none]");
  var shownFor = picker.querySelector("[data-picker-shown]");

  function fold(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  function filter() {
    var terms = fold(search.value).split(" ").filter(Boolean);
    var wanted = {};
    filters.forEach(function (select) {
      wanted[select.dataset.pickerFilter] = select.value;
    });
    var shown = 0;
    items.forEach(function (item) {
      var text = item.dataset.search + " " + fold(item.querySelector("[data-picker-name]").textContent);
      var match =
        terms.every(function (word) {
          return text.indexOf(word) !== -1;
        }) &&
        (!wanted.region || item.dataset.region.split(" ").indexOf(wanted.region) !== -1) &&
        (!wanted.kind || item.dataset.kind === wanted.kind) &&
        (!wanted.difficulty || item.dataset.difficulty === wanted.difficulty);
      item.hidden = !match;
      shown += match ? 1 : 0;
    });
    shownFor.value = search.value; // the server takes a search typed but not run for a search, not a save
    count.textContent = words(items.length === 1 ? "count_one" : "count_many", { shown: shown, total: items.length });
    none.hidden = shown > 0;
  }

  var typing;
  search.addEventListener("input", function () {
    window.clearTimeout(typing);
    typing = window.setTimeout(filter, 120);
  });
  // Enter in the search box searches (it would otherwise press the form's first button, Save phase).
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      filter();
    }
  });
  filters.forEach(function (select) {
    select.addEventListener("change", filter);
  });
})();
