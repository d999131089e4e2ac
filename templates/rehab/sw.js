// Stride Clinic's service worker (rehab.views_offline.service_worker renders it; served at /sw.js).
// The athlete's pages (Today, Log today, My plan) come from the network first and, without a connection, from
// the copy kept the last time they loaded; this site's static files come from the cache first (their names
// change with their contents in production); the pictures on the pages come from the network first and are kept
// with the pages. Nothing else is touched: other pages, other people's pages and
// every POST go to the network as usual. A page answered with the login page (signed out) empties the kept
// pages, and so do offline.js on logging out and a different user signing in.
"use strict";

var VERSION = "{{ version }}";
var PAGES_CACHE = "stride-pages-" + VERSION;
var STATIC_CACHE = "stride-static-" + VERSION;
var PAGES = {{ pages|safe }};
var ASSETS = {{ assets|safe }};
var LOGIN = {{ login|safe }};

function isPage(url) {
  return url.origin === self.location.origin && PAGES.indexOf(url.pathname) !== -1 && !url.search;
}

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.indexOf("/static/") === 0;
}

function signedOut(response) {
  return response.redirected && new URL(response.url).pathname.indexOf(LOGIN) === 0;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      .then(function (cache) {
        return cache.addAll(ASSETS);
      })
      .then(function () {
        // The pages too, when signed in: Log today works offline even if it was never opened.
        return caches.open(PAGES_CACHE).then(function (cache) {
          return Promise.all(
            PAGES.map(function (page) {
              return fetch(page, { credentials: "same-origin" })
                .then(function (response) {
                  if (response.ok && !response.redirected) return cache.put(page, response);
                })
                .catch(function () {});
            })
          );
        });
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("stride-") === 0 && name !== PAGES_CACHE && name !== STATIC_CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

function fromNetworkFirst(event) {
  var request = event.request;
  return fetch(request)
    .then(function (response) {
      if (signedOut(response)) {
        return caches.delete(PAGES_CACHE).then(function () {
          return response;
        });
      }
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        event.waitUntil(
          caches.open(PAGES_CACHE).then(function (cache) {
            return cache.put(new URL(request.url).pathname, copy);
          })
        );
      }
      return response;
    })
    .catch(function () {
      return caches.match(new URL(request.url).pathname, { cacheName: PAGES_CACHE }).then(function (kept) {
        return kept || Response.error();
      });
    });
}

function imageNetworkFirst(event) {
  var request = event.request;
  return fetch(request)
    .then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        event.waitUntil(
          caches.open(PAGES_CACHE).then(function (cache) {
            return cache.put(request, copy);
          })
        );
      }
      return response;
    })
    .catch(function () {
      return caches.match(request, { cacheName: PAGES_CACHE }).then(function (kept) {
        return kept || Response.error();
      });
    });
}

function fromCacheFirst(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request).then(function (kept) {
      if (kept) return kept;
      return fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

// A log posted while the phone thinks it is online but the network fails (a weak signal): kept on the phone as
// offline.js keeps one (the same IndexedDB queue), and the log page is shown again, which says it is waiting.
// offline.js adds the athlete and the day's version to the form as hidden fields for this.
function keepPostedLog(request) {
  return request.formData().then(function (data) {
    var fields = [];
    var user = data.get("offline_user") || "";
    data.forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name.indexOf("offline_") !== 0) fields.push([name, String(value)]);
    });
    if (!user) return Response.error();
    var entry = {
      id: self.crypto.randomUUID(),
      user: user,
      date: data.get("date") || "",
      base: data.get("offline_base") || "",
      fields: fields,
      saved: Date.now(),
    };
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("stride-offline", 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore("logs", { keyPath: "id" });
      };
      open.onerror = function () {
        reject(open.error);
      };
      open.onsuccess = function () {
        var db = open.result;
        var transaction = db.transaction("logs", "readwrite");
        var store = transaction.objectStore("logs");
        var all = store.getAll();
        all.onsuccess = function () {
          all.result.forEach(function (old) {
            if (old.user === entry.user && old.date === entry.date) store.delete(old.id);
          });
          store.put(entry);
        };
        transaction.oncomplete = function () {
          db.close();
          resolve(Response.redirect(PAGES[1], 303));
        };
        transaction.onerror = function () {
          db.close();
          reject(transaction.error);
        };
      };
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === "POST" && request.mode === "navigate" && url.pathname === PAGES[1]) {
    var copy = request.clone();
    event.respondWith(
      fetch(request).catch(function () {
        return keepPostedLog(copy);
      })
    );
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(fromNetworkFirst(event));
  } else if (request.destination === "image" && url.origin === self.location.origin && !isStatic(url)) {
    // The pictures on those pages (exercise figures, behind the login): from the network, or the copy kept.
    event.respondWith(imageNetworkFirst(event));
  } else if (isStatic(url)) {
    event.respondWith(fromCacheFirst(request));
  }
});

self.addEventListener("message", function (event) {
  // offline.js, on logging out or when another user signs in: forget the pages kept.
  if (event.data === "forget-pages") event.waitUntil(caches.delete(PAGES_CACHE));
});
