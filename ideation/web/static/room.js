// The room's live updates: no framework, no build step. The page works without it;
// with it, the countdown ticks, fresh parts of the page are swapped in when the
// server's event stream says the room changed, sends go through fetch() so a failed
// one keeps the text, and a half-typed idea survives a reload (sessionStorage).
// Text arrives already escaped.
(function () {
  "use strict";
  var body = document.body;
  var STOPPED = "The room has stopped";
  var UNREACHABLE = "Could not reach the room; your idea is still here \u2014 try again";
  var stopped = false;

  function format(seconds) {
    var over = seconds < 0, s = Math.abs(seconds);
    var text = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    return over ? "over by " + text : text;
  }

  setInterval(function () {
    var clock = document.getElementById("countdown");
    if (stopped || !clock || clock.dataset.running !== "1" || clock.dataset.remaining === "") return;
    var left = parseInt(clock.dataset.remaining, 10) - 1;
    clock.dataset.remaining = String(left);
    clock.textContent = format(left);
  }, 1000);

  // -- the draft: kept across swaps, reloads and the back button --------------------
  function draftKey(box) { return "ideation-draft:" + location.pathname + ":" + box.id; }
  function store(box) {
    try {
      if (box.value) sessionStorage.setItem(draftKey(box), box.value);
      else sessionStorage.removeItem(draftKey(box));
    } catch (e) { /* private mode: the box itself still keeps the text */ }
  }
  function stored(box) {
    try { return sessionStorage.getItem(draftKey(box)) || ""; } catch (e) { return ""; }
  }
  // No maxlength on the box: a long paste cut silently at the limit loses words the
  // participant never sees go; the counter says how far over it is, the room refuses it.
  function counter(box) {
    var max = parseInt(box.dataset.max || "0", 10);
    if (!max) return;
    var count = document.getElementById(box.id + "-count");
    if (!count) {
      count = document.createElement("p");
      count.id = box.id + "-count";
      count.className = "hint count";
      count.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", count);
    }
    var over = box.value.length - max;
    count.textContent = box.value.length + " / " + max + (over > 0 ? " — " + over + " over the limit" : "");
    count.classList.toggle("over", over > 0);
  }
  function boxes() { return document.querySelectorAll("textarea[data-draft]"); }
  function restore() {
    boxes().forEach(function (box) {
      if (!box.value) box.value = stored(box);
      counter(box);
    });
    if (stopped) disable();
  }
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (box && box.matches && box.matches("textarea[data-draft]")) { store(box); counter(box); }
  });

  // -- swapping in fresh parts of the page -----------------------------------------
  function swap(html, force) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var kept = {};
    boxes().forEach(function (box) { if (box.value) kept[box.id] = box.value; });
    fresh.querySelectorAll("[data-live]").forEach(function (part) {
      var old = document.getElementById(part.id);
      if (!old) return;
      // The idea box keeps what is being typed while the phase still takes ideas.
      if (!force && old.dataset.keep && old.dataset.keep === part.dataset.keep) return;
      // A refusal stays in view until the next send: a live update must not wipe it.
      var said = old.querySelector("#notice");
      if (!force && said && !part.querySelector("#notice")) part.prepend(said.cloneNode(true));
      old.replaceWith(document.importNode(part, true));
    });
    if (!force) {
      boxes().forEach(function (box) { if (!box.value && kept[box.id]) box.value = kept[box.id]; });
    }
    restore();
  }

  var loading = false, again = false, forced = false;
  function refresh(force) {
    if (stopped) return;
    forced = forced || force === true;
    if (loading) { again = true; return; }
    loading = true;
    fetch(body.dataset.refresh, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        // Removed, or the session ended: load the page that says so.
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          location.reload();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        // Forced (the room is back after a stop): every part is fresh, sending on again;
        // the typed text comes back from sessionStorage.
        if (html) { swap(html, forced); forced = false; }
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (again) { again = false; refresh(); }
      });
  }

  // -- the room stopping and starting again ----------------------------------------
  function banner(text) {
    var note = document.getElementById("stopped");
    if (!note) return;
    note.textContent = text;
    note.hidden = !text;
  }
  function disable() {
    document.querySelectorAll("#work button[type=submit]").forEach(function (b) {
      b.disabled = true;
    });
  }
  function stop() {
    stopped = true;
    var clock = document.getElementById("countdown");
    if (clock) clock.dataset.running = "0";
    banner(body.dataset.stopped || STOPPED);
    disable();
  }
  function started() {
    if (!stopped) return;
    stopped = false;
    banner("");
    refresh(true);
  }

  // -- sends through fetch(): a failed one keeps the text ---------------------------
  function notice(form, text) {
    var note = form.querySelector(".send-failed");
    if (!note) {
      note = document.createElement("p");
      note.className = "notice send-failed";
      note.setAttribute("role", "alert");
      form.appendChild(note);
    }
    note.textContent = text;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!window.fetch || !window.FormData || !form.closest || !form.closest("#work")) return;
    event.preventDefault();
    if (stopped) { notice(form, (body.dataset.stopped || STOPPED) + "; your text is kept."); return; }
    var button = form.querySelector("button[type=submit]");
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    if (button) button.disabled = true;
    var saved = document.getElementById("saved");  // about the last idea, not this one
    if (saved) saved.remove();
    // getAttribute: a field named "action" (the hit forms have one) shadows form.action.
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.text().then(function (html) {
          if (response.status === 401 || response.status === 403) {
            document.open(); document.write(html); document.close();  // removed: say so
            return;
          }
          if (response.status === 404) { stop(); return; }
          var sent = response.ok && /[?&]sent=/.test(response.url);
          if (sent || (response.ok && response.redirected)) {
            form.querySelectorAll("textarea[data-draft]").forEach(function (box) {
              box.value = ""; store(box);
            });
          }
          if (response.status >= 500) { throw new Error("server"); }
          swap(html, true);
        });
      })
      .catch(function () {
        if (button) button.disabled = stopped;
        notice(form, UNREACHABLE);
      });
  });

  restore();
  if (body.dataset.events && window.EventSource) {
    var source = new EventSource(body.dataset.events);
    source.addEventListener("change", function () { started(); refresh(); });
    source.addEventListener("closed", stop);
    source.addEventListener("open", started);
  }
})();
