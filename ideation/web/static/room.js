// The room's live updates: no framework, no build step. The page works without it;
// with it, the countdown ticks and fresh parts of the page are swapped in when the
// server's event stream says the room changed. Text arrives already escaped.
(function () {
  "use strict";
  var body = document.body;

  function format(seconds) {
    var over = seconds < 0, s = Math.abs(seconds);
    var text = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    return over ? "over by " + text : text;
  }

  setInterval(function () {
    var clock = document.getElementById("countdown");
    if (!clock || clock.dataset.running !== "1" || clock.dataset.remaining === "") return;
    var left = parseInt(clock.dataset.remaining, 10) - 1;
    clock.dataset.remaining = String(left);
    clock.textContent = format(left);
  }, 1000);

  var draft = "";
  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var box = document.getElementById("idea");
    if (box && box.value) draft = box.value;  // a break must not eat a half-typed idea
    fresh.querySelectorAll("[data-live]").forEach(function (part) {
      var old = document.getElementById(part.id);
      if (!old) return;
      // The idea box keeps what is being typed while the phase still takes ideas.
      if (old.dataset.keep && old.dataset.keep === part.dataset.keep) return;
      old.replaceWith(document.importNode(part, true));
    });
    box = document.getElementById("idea");
    if (box && !box.value && draft) box.value = draft;
  }

  var loading = false, again = false;
  function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    fetch(body.dataset.refresh, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        // Removed, or the session stopped: load the page that says so.
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          location.reload();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html) swap(html); })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (again) { again = false; refresh(); }
      });
  }

  if (body.dataset.events && window.EventSource) {
    new EventSource(body.dataset.events).addEventListener("change", refresh);
  }
})();
