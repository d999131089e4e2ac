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

// The measured exit criteria (templates/rehab/phase_edit_criterion.html). Without this script "Add a
// criterion", Remove, Undo and "Show its boxes" post the form back (rehab.views.phase_edit). With it they act in
// the page: a row shows the boxes of its kind, offers only the parts of the chosen questionnaire and the sides
// of the chosen test, and says the test's own pass mark.
(function () {
  "use strict";

  var form = document.querySelector("form[data-tailor]");
  var section = form && form.querySelector("[data-criteria]");
  if (!section) {
    return;
  }
  var list = section.querySelector("[data-crit-rows]");
  var template = form.querySelector("template[data-crit-template]");
  var total = form.querySelector('input[name="crit-TOTAL_FORMS"]');
  var maxRows = parseInt(form.querySelector('input[name="crit-MAX_NUM_FORMS"]').value, 10) || 20;
  var status = section.querySelector("[data-crit-status]");
  var empty = section.querySelector("[data-crit-empty]");
  var textsNode = document.getElementById("tailor-texts");
  var texts = textsNode ? JSON.parse(textsNode.textContent) : {};
  var firstField = { prom: "instrument", test: "test", symmetry: "symmetry_test", clearance: "kind" };

  function words(key, values) {
    return (texts[key] || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return values && name in values ? String(values[name]) : whole;
    });
  }

  function say(text) {
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function field(row, name) {
    return row.querySelector('[name="crit-' + row.dataset.crit + "-" + name + '"]');
  }

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-crit]"));
  }

  function isKept(row) {
    return !field(row, "DELETE").checked;
  }

  function place(row) {
    return rows().filter(isKept).indexOf(row) + 1;
  }

  function kindLabel(row) {
    var select = field(row, "kind");
    return select.value ? select.options[select.selectedIndex].text : words("crit_new");
  }

  function refreshEmpty() {
    empty.hidden = rows().some(isKept);
  }

  // Hide the options that do not fit (and clear a choice that no longer does).
  function offer(select, fits) {
    Array.prototype.forEach.call(select.options, function (option) {
      var ok = !option.value || fits(option);
      option.hidden = !ok;
      option.disabled = !ok;
    });
    if (select.selectedOptions[0] && select.selectedOptions[0].disabled) {
      select.value = "";
    }
  }

  function showKind(row) {
    var kind = field(row, "kind").value;
    row.querySelectorAll("[data-crit-kind]").forEach(function (group) {
      group.hidden = group.dataset.critKind !== kind;
    });
    row.querySelector("[data-crit-removed] s").textContent = kindLabel(row);
  }

  function fitScales(row) {
    var instrument = field(row, "instrument").value;
    offer(field(row, "scale"), function (option) {
      return !instrument || (" " + option.dataset.for + " ").indexOf(" " + instrument + " ") !== -1;
    });
  }

  function fitTest(row) {
    var select = field(row, "test");
    var option = select.selectedOptions[0];
    var sides = option && option.value ? option.dataset.sides : "";
    offer(field(row, "side"), function (choice) {
      return !sides || (sides === "each" ? choice.value !== "none" : choice.value === "none");
    });
    var mark = option && option.value ? option.dataset.pass : "";
    row.querySelector("[data-crit-pass-words]").textContent = mark;
    // Said while the pain and count are empty, when it is the test's own pass mark that decides.
    row.querySelector("[data-crit-pass]").hidden = !mark || !!(field(row, "max_pain").value || field(row, "min_count").value);
    var count = field(row, "min_count");
    var label = form.querySelector('label[for="' + count.id + '"]');
    var unit = option && option.value ? option.dataset.unit : "";
    if (label) {
      label.textContent = unit ? words("crit_count", { unit: unit }) : words("crit_count_any");
    }
  }

  function prepare(row) {
    fitScales(row);
    fitTest(row);
  }

  function setRemoved(row, removed) {
    field(row, "DELETE").checked = removed;
    row.querySelector("[data-crit-live]").hidden = removed;
    row.querySelector("[data-crit-removed]").hidden = !removed;
    refreshEmpty();
    if (removed) {
      row.querySelector("[data-crit-restore]").focus();
      say(words("crit_removed", { kind: kindLabel(row) }));
    } else {
      row.querySelector("[data-crit-remove]").focus();
      say(words("crit_back", { kind: kindLabel(row), place: place(row) }));
    }
  }

  function add(kind) {
    if (rows().filter(isKept).length >= maxRows) {
      say(words("crit_full", { num: maxRows }));
      return;
    }
    var index = parseInt(total.value, 10) || 0;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    var row = holder.firstElementChild;
    list.appendChild(row);
    total.value = String(index + 1);
    field(row, "kind").value = kind;
    showKind(row);
    prepare(row);
    refreshEmpty();
    field(row, firstField[kind] || "kind").focus();
    say(words("crit_added", { kind: kindLabel(row), place: place(row) }));
  }

  section.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) {
      return;
    }
    var row = button.closest("[data-crit]");
    if (button.hasAttribute("data-crit-add")) {
      event.preventDefault();
      add(button.value);
    } else if (button.hasAttribute("data-crit-remove") && row) {
      event.preventDefault();
      setRemoved(row, true);
    } else if (button.hasAttribute("data-crit-restore") && row) {
      event.preventDefault();
      setRemoved(row, false);
    }
  });

  section.addEventListener("change", function (event) {
    var row = event.target.closest("[data-crit]");
    if (!row) {
      return;
    }
    var name = event.target.name.replace(/^crit-\d+-/, "");
    if (name === "kind") {
      showKind(row);
    } else if (name === "instrument") {
      fitScales(row);
    } else if (name === "test" || name === "max_pain" || name === "min_count") {
      fitTest(row);
    }
    // The words under the row's title said the criterion as it was: no longer once a box changes.
    var said = row.querySelector("[data-crit-words]");
    if (said) {
      said.hidden = true;
    }
  });

  rows().forEach(prepare);
})();
