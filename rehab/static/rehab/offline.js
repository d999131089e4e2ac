// The athlete's phone app (rehab/views_offline.py): installs the service worker, keeps a log submitted without a
// connection on the phone (IndexedDB) and sends it when the phone is online again — on the next page load and
// when the browser says it is back online. A log changed on the server meanwhile is shown beside the phone's copy
// and the athlete chooses which to keep. The kept pages are forgotten on logging out and when someone else signs
// in; a saved log is only ever sent for the athlete who saved it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var config = script.dataset;
  var user = config.user || "";
  var DB_NAME = "stride-offline";
  var STORE = "logs";

  // ------------------------------------------------------------------ the kept pages and the service worker

  function forgetPages() {
    if (!("caches" in window)) return Promise.resolve();
    return caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("stride-pages-") === 0;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .catch(function () {});
  }

  try {
    if (localStorage.getItem("stride-user") !== user) {
      forgetPages();
      localStorage.setItem("stride-user", user);
    }
  } catch (error) {
    forgetPages(); // no local storage (private mode): keep nothing
  }

  // Offline, the registration is already there: checking the script for an update would only fail.
  if (config.athlete && "serviceWorker" in navigator && navigator.onLine) {
    navigator.serviceWorker.register(config.sw, { scope: "/" }).catch(function () {});
  }

  document.querySelectorAll('form[action="' + config.logout + '"]').forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      forgetPages().then(function () {
        form.submit();
      });
    });
  });

  if (!config.athlete || !("indexedDB" in window)) return;

  // The sentences below, in the athlete's language (rehab/templatetags/offline.py puts them in the page).
  var TEXTS = {};
  try {
    TEXTS = JSON.parse(document.getElementById("offline-texts").textContent);
  } catch (error) {
    /* not on this page: the keys stand in */
  }
  function text(key, count) {
    var sentence = TEXTS[key] || key;
    return count === undefined ? sentence : sentence.replace("%(count)s", String(count));
  }

  // ------------------------------------------------------------------ the queue (IndexedDB)

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          db.close();
          resolve(result && "result" in result ? result.result : undefined);
        };
        transaction.onerror = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  function queued() {
    return withStore("readonly", function (store) {
      return store.getAll();
    }).then(function (entries) {
      return (entries || [])
        .filter(function (entry) {
          return entry.user === user;
        })
        .sort(function (a, b) {
          return a.saved - b.saved;
        });
    });
  }

  function forget(id) {
    return withStore("readwrite", function (store) {
      store.delete(id);
    });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // The version of the day's log this phone last sent (an offline copy made from an older page is not a
  // conflict with the phone's own earlier copy). Versions are UTC ISO times: later sorts after.
  function sentVersion(date) {
    try {
      return localStorage.getItem("stride-sent-" + user + "-" + date) || "";
    } catch (error) {
      return "";
    }
  }

  function rememberVersion(date, version) {
    try {
      if (version) localStorage.setItem("stride-sent-" + user + "-" + date, version);
    } catch (error) {
      /* nothing to remember it in */
    }
  }

  // ------------------------------------------------------------------ what the athlete is told

  var main = document.getElementById("main");

  function region() {
    var box = document.getElementById("offline-status");
    if (!box) {
      box = document.createElement("div");
      box.id = "offline-status";
      var form = document.querySelector("form[data-offline-log]");
      if (form) form.parentNode.insertBefore(box, form);
      else main.insertBefore(box, main.firstChild);
    }
    return box;
  }

  function say(text, kind, key) {
    var box = region();
    var old = key && box.querySelector('[data-key="' + key + '"]');
    if (old) old.remove();
    var note = document.createElement("div");
    note.className = "alert alert-" + (kind || "info") + " offline-note";
    note.setAttribute("role", kind === "danger" ? "alert" : "status");
    if (key) note.dataset.key = key;
    note.textContent = text;
    box.appendChild(note);
    return note;
  }

  function showConflict(entry, answer) {
    var card = say("", "warning", entry.id);
    card.setAttribute("role", "alert");
    var heading = document.createElement("p");
    heading.className = "fw-semibold mb-2";
    heading.textContent = answer.message + " " + text("which");
    card.appendChild(heading);
    var table = document.createElement("table");
    table.className = "table table-sm mb-2 offline-compare";
    var head = table.createTHead().insertRow();
    ["", text("on_phone"), text("on_server")].forEach(function (text) {
      var cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = text;
      head.appendChild(cell);
    });
    var body = table.createTBody();
    answer.rows.forEach(function (row) {
      var line = body.insertRow();
      var label = document.createElement("th");
      label.scope = "row";
      label.textContent = row.label;
      line.appendChild(label);
      [row.phone, row.server].forEach(function (text) {
        line.insertCell().textContent = text;
      });
      if (row.phone !== row.server) line.className = "offline-differs";
    });
    card.appendChild(table);
    var actions = document.createElement("div");
    actions.className = "d-flex flex-wrap gap-2";
    var keepPhone = document.createElement("button");
    keepPhone.type = "button";
    keepPhone.className = "btn btn-primary btn-sm";
    keepPhone.textContent = text("keep_phone");
    keepPhone.addEventListener("click", function () {
      keepPhone.disabled = keepServer.disabled = true;
      send(entry, true);
    });
    var keepServer = document.createElement("button");
    keepServer.type = "button";
    keepServer.className = "btn btn-outline-primary btn-sm";
    keepServer.textContent = text("keep_server");
    keepServer.addEventListener("click", function () {
      forget(entry.id).then(function () {
        say(text("kept_server"), "success", entry.id);
      });
    });
    actions.appendChild(keepPhone);
    actions.appendChild(keepServer);
    card.appendChild(actions);
  }

  function showInvalid(entry, answer) {
    var card = say(answer.message || text("not_saved"), "danger", entry.id);
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-outline-danger btn-sm d-block mt-2";
    discard.textContent = text("delete_copy");
    discard.addEventListener("click", function () {
      forget(entry.id).then(function () {
        say(text("deleted_copy"), "secondary", entry.id);
      });
    });
    card.appendChild(discard);
  }

  // ------------------------------------------------------------------ sending

  var token = null;

  function freshToken() {
    if (token) return Promise.resolve(token);
    return fetch(config.sync, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) throw new Error("not signed in");
        return response.json().then(function (data) {
          token = data.csrf;
          return token;
        });
      }
    );
  }

  function send(entry, replace) {
    return freshToken()
      .then(function (csrf) {
        var body = new URLSearchParams();
        entry.fields.forEach(function (pair) {
          body.append(pair[0], pair[1]);
        });
        body.append("client_id", entry.id);
        body.append("base", entry.base || "");
        if (replace) body.append("replace", "1");
        return fetch(config.sync, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
          body: body,
        });
      })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.status === 200) {
            rememberVersion(entry.date, answer.version);
            return forget(entry.id).then(function () {
              var waiting = region().querySelector('[data-key="waiting"]');
              if (waiting) waiting.remove();
              say(answer.message, "success", entry.id);
              return true;
            });
          }
          if (response.status === 409) showConflict(entry, answer);
          else if (response.status === 400) showInvalid(entry, answer);
          else say(answer.message || text("not_sent"), "warning", "sync");
          return false;
        });
      });
  }

  var sending = null;
  var again = false; // asked to send while a try was on its way (the connection came back meanwhile)

  function sendQueued() {
    if (sending) {
      again = true;
      return sending;
    }
    if (!navigator.onLine) return null;
    again = false;
    sending = queued()
      .then(function (entries) {
        return entries.reduce(function (chain, entry) {
          return chain.then(function () {
            return send(entry, false);
          });
        }, Promise.resolve());
      })
      .catch(function () {
        /* still offline, or signed out: the logs stay on the phone for the next try */
      })
      .then(function () {
        sending = null;
        if (again) return sendQueued();
      });
    return sending;
  }

  // ------------------------------------------------------------------ saving on the phone

  var form = document.querySelector("form[data-offline-log]");
  if (form) {
    // For the service worker, should the post fail on the way (sw.js keepPostedLog): whose log, which version.
    [["offline_user", user], ["offline_base", form.dataset.version || ""]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return; // the usual post: the server answers
      event.preventDefault();
      var data = event.submitter ? new FormData(form, event.submitter) : new FormData(form);
      var fields = [];
      data.forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken" && name.indexOf("offline_") !== 0) fields.push([name, String(value)]);
      });
      var date = data.get("date") || "";
      var base = form.dataset.version || "";
      var sent = sentVersion(date);
      if (sent > base) base = sent;
      var entry = { id: newId(), user: user, date: date, base: base, fields: fields, saved: Date.now() };
      // One copy a day: saving the day again on the phone replaces its earlier copy (and what was said of it).
      var replaced = [];
      withStore("readwrite", function (store) {
        var all = store.getAll();
        all.onsuccess = function () {
          all.result.forEach(function (old) {
            if (old.user === user && old.date === date) {
              store.delete(old.id);
              replaced.push(old.id);
            }
          });
          store.put(entry);
        };
      })
        .then(function () {
          replaced.concat(["waiting"]).forEach(function (key) {
            var old = region().querySelector('[data-key="' + key + '"]');
            if (old) old.remove();
          });
          var note = say(text("saved"), "info", entry.id);
          note.tabIndex = -1;
          note.focus();
        })
        .catch(function () {
          say(text("cannot_keep"), "danger");
        });
    });
  }

  window.addEventListener("online", sendQueued);
  queued()
    .then(function (entries) {
      if (!entries.length) return;
      say(entries.length === 1 ? text("waiting_one") : text("waiting_many", entries.length), "info", "waiting");
      return sendQueued(); // when online: sent at once, and the note above gives way to "Sent"
    })
    .catch(function () {});
})();
