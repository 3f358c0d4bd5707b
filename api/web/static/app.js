// VoicePipe inbox: small enhancements over pages that work without them.
// Loaded as a file (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  function announce(message) {
    var live = document.getElementById("live");
    if (!live) return;
    live.textContent = "";
    // A fresh text node, a moment later: screen readers announce a change, not a value.
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  // Click to copy a callback number.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var value = button.getAttribute("data-copy");
    var done = function () {
      button.textContent = "Copied";
      announce("Copied " + value);
      window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
    };
    var failed = function () { announce("Could not copy; select the number and copy it."); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(value).then(done, failed);
    } else {
      failed();
    }
  });

  // The transcript follows the recording: the word being spoken is highlighted, and a
  // click on a word plays from it. Words carry their timings as data-start/data-end.
  function follow(transcript, audio) {
    var words = Array.prototype.slice.call(transcript.querySelectorAll(".w[data-start]"));
    if (!words.length) return;
    var starts = words.map(function (w) { return parseFloat(w.getAttribute("data-start")); });
    var current = -1;
    var frame = 0;

    // The last word started at or before t (binary search: transcripts run to hundreds).
    function wordAt(t) {
      var low = 0, high = starts.length - 1, found = -1;
      while (low <= high) {
        var mid = (low + high) >> 1;
        if (starts[mid] <= t) { found = mid; low = mid + 1; } else { high = mid - 1; }
      }
      return found;
    }

    function update() {
      var index = wordAt(audio.currentTime);
      if (index === current) return;
      if (current >= 0) words[current].classList.remove("current");
      current = index;
      if (index >= 0) {
        words[index].classList.add("current");
        if (!transcript.contains(document.activeElement)) rove(index, false);
        transcript.setAttribute("data-current-word", words[index].getAttribute("data-index"));
      } else {
        transcript.removeAttribute("data-current-word");
      }
    }

    // timeupdate fires about four times a second: smooth enough for a paused seek, not for
    // speech, so every frame is used while the audio plays.
    function tick() {
      update();
      frame = audio.paused ? 0 : window.requestAnimationFrame(tick);
    }
    audio.addEventListener("play", function () { if (!frame) frame = window.requestAnimationFrame(tick); });
    audio.addEventListener("timeupdate", update);
    audio.addEventListener("seeked", update);

    function playFrom(word) {
      audio.currentTime = parseFloat(word.getAttribute("data-start"));
      var playing = audio.play();
      if (playing && playing.catch) playing.catch(function () { update(); });
    }

    transcript.addEventListener("click", function (event) {
      var word = event.target.closest(".w[data-start]");
      if (word) playFrom(word);
    });

    // One Tab stop for the whole transcript (a roving tabindex), not one per word: the arrow
    // keys move between words, Enter or Space plays from the focused one.
    var stop = 0;
    function rove(index, focus) {
      words[stop].tabIndex = -1;
      stop = index;
      words[stop].tabIndex = 0;
      if (focus) words[stop].focus();
    }
    words.forEach(function (w) { w.tabIndex = -1; });
    words[0].tabIndex = 0;
    transcript.setAttribute("role", "group");
    transcript.setAttribute("aria-label", "Transcript");
    transcript.addEventListener("keydown", function (event) {
      var at = words.indexOf(event.target);
      if (at < 0 || event.ctrlKey || event.metaKey || event.altKey) return;
      var to = {
        ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
        Home: 0, End: words.length - 1
      }[event.key];
      if (to !== undefined) {
        event.preventDefault();
        rove(Math.max(0, Math.min(words.length - 1, to)), true);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        playFrom(words[at]);
      }
    });
    // The focused word is a button (Enter plays from it); the others stay plain words, so
    // the transcript is read as its text, not as a row of buttons.
    transcript.addEventListener("focusin", function (event) {
      var at = words.indexOf(event.target);
      if (at < 0) return;
      event.target.setAttribute("role", "button");
      if (at !== stop) rove(at, false);
    });
    transcript.addEventListener("focusout", function (event) {
      if (words.indexOf(event.target) >= 0) event.target.removeAttribute("role");
    });
  }

  // Keyboard: j/k move between voicemails (each row's link), Enter opens one (a link), and
  // / jumps to the search box. Typing in a field is never taken over.
  function typing(target) {
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // Turned off (or on) for this browser, remembered across pages.
  var KEYS_OFF = "voicepipe-keys-off";
  var setHere = null;  // as set on this page: holds where storage is refused
  function keysOff() {
    if (setHere !== null) return setHere;
    try { return window.localStorage.getItem(KEYS_OFF) === "1"; } catch (e) { return false; }
  }

  function keys(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || keysOff()) return;
    if (event.key === "/") {
      var search = document.getElementById("f-q");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (event.key !== "j" && event.key !== "k") return;
    var links = Array.prototype.slice.call(document.querySelectorAll("a.row-link"));
    if (!links.length) return;
    var row = document.activeElement ? document.activeElement.closest("tr") : null;
    var at = row ? links.indexOf(row.querySelector("a.row-link")) : -1;
    var next = event.key === "j" ? at + 1 : at - 1;
    if (at < 0) next = event.key === "j" ? 0 : links.length - 1;
    next = Math.max(0, Math.min(links.length - 1, next));
    event.preventDefault();
    links[next].focus();
  }

  function start() {
    // Shown only now: without this script a Copy button or a promised key would do nothing.
    Array.prototype.forEach.call(document.querySelectorAll("[data-needs-js]"), function (el) {
      el.hidden = false;
    });
    // Described by a hint only once it is shown: without this script a screen reader would
    // read out a hint for something that does not work.
    Array.prototype.forEach.call(document.querySelectorAll("[data-described-by]"), function (el) {
      var hint = document.getElementById(el.getAttribute("data-described-by"));
      if (hint && !hint.hidden) el.setAttribute("aria-describedby", hint.id);
    });
    var transcript = document.getElementById("transcript");
    if (transcript && transcript.hasAttribute("data-audio")) {
      var audio = document.getElementById(transcript.getAttribute("data-audio"));
      if (audio) follow(transcript, audio);
    }
    document.addEventListener("keydown", keys);
    var switchBox = document.getElementById("keys-on");
    if (switchBox) {
      switchBox.checked = !keysOff();
      switchBox.addEventListener("change", function () {
        setHere = !switchBox.checked;
        try {
          if (switchBox.checked) window.localStorage.removeItem(KEYS_OFF);
          else window.localStorage.setItem(KEYS_OFF, "1");
        } catch (e) { /* no storage: off for this page only */ }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
