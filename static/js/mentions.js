/* Suggests people while someone types "@name" in a comment form (ARIA
   combobox with a listbox). Without this file, typing "@handle" works the
   same: the server turns it into a mention when the comment is posted.
   Forms opt in with data-mentions (the suggestions URL), data-room and,
   optionally, data-thread (a comment of the thread being written in). */
(function () {
  "use strict";

  // Words shown to people come translated from the page (data-text-* on <body>).
  function text(name, fallback) {
    return (document.body && document.body.dataset["text" + name.charAt(0).toUpperCase() + name.slice(1)]) || fallback;
  }

  var FIELD = "form[data-mentions] textarea[name=body]";
  // "@" not after a letter, digit, "@" or "." (so a@b.org is no mention),
  // then two or more letters: accented ones too, while a name is typed.
  var TRIGGER = /(^|[^\p{L}\p{N}_@.])@([\p{L}\p{N}_]{2,40})$/u;
  var DELAY = 150;
  var counter = 0;
  var status;
  var pausedUntil = 0;
  var answers = new Map();
  var enhanced = new WeakSet();

  function announce(text) {
    if (!status) {
      status = document.createElement("div");
      status.className = "visually-hidden mentions__status";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      document.body.appendChild(status);
    }
    status.textContent = text;
  }

  function enhance(textarea) {
    if (enhanced.has(textarea)) return;
    enhanced.add(textarea);
    var form = textarea.form;
    var n = ++counter;
    var list = document.createElement("ul");
    var state = { people: [], active: -1, start: -1, timer: 0, request: null };

    list.id = "mention-suggestions-" + n;
    list.className = "mentions__list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", text("mentionLabel", "People to mention"));
    list.hidden = true;
    textarea.insertAdjacentElement("afterend", list);

    textarea.setAttribute("role", "combobox");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-expanded", "false");
    textarea.setAttribute("aria-controls", list.id);

    function close() {
      clearTimeout(state.timer);
      if (state.request) state.request.abort();
      state.request = null;
      state.people = [];
      state.active = -1;
      list.hidden = true;
      list.textContent = "";
      textarea.setAttribute("aria-expanded", "false");
      textarea.removeAttribute("aria-activedescendant");
    }

    function typedQuery() {
      if (textarea.selectionStart !== textarea.selectionEnd) return null;
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = TRIGGER.exec(before);
      if (!match) return null;
      return { query: match[2], start: before.length - match[2].length - 1 };
    }

    function highlight(index) {
      var options = list.children;
      if (state.active >= 0 && options[state.active]) options[state.active].setAttribute("aria-selected", "false");
      state.active = index;
      if (index < 0) {
        textarea.removeAttribute("aria-activedescendant");
        return;
      }
      options[index].setAttribute("aria-selected", "true");
      textarea.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function option(person, index) {
      var item = document.createElement("li");
      item.id = list.id + "-" + index;
      item.className = "mentions__option";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      [
        ["mentions__name", person.display_name],
        ["mentions__handle", "@" + person.handle],
        ["mentions__org", person.organisation]
      ].forEach(function (part) {
        if (!part[1]) return;
        var span = document.createElement("span");
        span.className = part[0];
        span.textContent = part[1];
        // Each part isolated, so a Latin handle beside an Arabic name keeps its "@" in front.
        span.dir = part[0] === "mentions__handle" ? "ltr" : "auto";
        item.appendChild(span);
        item.appendChild(document.createTextNode(" "));
      });
      return item;
    }

    function show(people, start) {
      close();
      if (!people.length) {
        announce(text("mentionNone", "No one found"));
        return;
      }
      state.people = people;
      state.start = start;
      people.forEach(function (person, index) { list.appendChild(option(person, index)); });
      list.hidden = false;
      place();
      textarea.setAttribute("aria-expanded", "true");
      announce(
        people.length === 1
          ? text("mentionOne", "1 suggestion")
          : text("mentionMany", "{count} suggestions").replace("{count}", people.length)
      );
    }

    // Under the textarea, in the coordinates both share (the same offset parent),
    // from the side the line starts: the right on a right-to-left page.
    function place() {
      if (list.hidden) return;
      var parent = textarea.offsetParent;
      var fromStart = getComputedStyle(textarea).direction === "rtl" && parent
        ? parent.clientWidth - textarea.offsetLeft - textarea.offsetWidth
        : textarea.offsetLeft;
      list.style.top = textarea.offsetTop + textarea.offsetHeight + "px";
      list.style.insetInlineStart = fromStart + "px";
      list.style.width = textarea.offsetWidth + "px";
    }

    function choose(index) {
      var person = state.people[index];
      if (!person) return;
      var end = textarea.selectionStart;
      var spaced = /^\s/.test(textarea.value.slice(end));
      textarea.setRangeText("@" + person.handle + (spaced ? "" : " "), state.start, end, "end");
      if (spaced) textarea.setSelectionRange(textarea.selectionEnd + 1, textarea.selectionEnd + 1);
      close();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function url(query) {
      var params = new URLSearchParams({ q: query });
      if (form.dataset.room) params.set("room", form.dataset.room);
      if (form.dataset.thread) params.set("thread", form.dataset.thread);
      return form.dataset.mentions + "?" + params.toString();
    }

    function fetchPeople(typed) {
      var address = url(typed.query);
      if (answers.has(address)) {
        show(answers.get(address), typed.start);
        return;
      }
      if (Date.now() < pausedUntil) return;
      var request = new AbortController();
      state.request = request;
      fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: request.signal })
        .then(function (response) {
          if (response.status === 429) {
            pausedUntil = Date.now() + (parseInt(response.headers.get("Retry-After"), 10) || 10) * 1000;
          }
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          if (state.request !== request) return;
          state.request = null;
          answers.set(address, data.results);
          // The writer may have moved on while the answer travelled.
          var now = typedQuery();
          if (now && now.query === typed.query && now.start === typed.start) show(data.results, typed.start);
        })
        .catch(function () {
          if (state.request === request) close();
        });
    }

    function update() {
      var typed = typedQuery();
      clearTimeout(state.timer);
      if (state.request) state.request.abort();
      state.request = null;
      // Suggestions for another "@" than the one at the caret must not be chosen.
      if (!typed || typed.start !== state.start) close();
      if (!typed) return;
      state.timer = setTimeout(function () { fetchPeople(typed); }, DELAY);
    }

    textarea.addEventListener("input", update);
    textarea.addEventListener("keyup", function (event) {
      if (/^(ArrowLeft|ArrowRight|Home|End|PageUp|PageDown)$/.test(event.key)) update();
    });
    textarea.addEventListener("click", update);
    textarea.addEventListener("blur", close);
    window.addEventListener("resize", place);

    textarea.addEventListener("keydown", function (event) {
      if (event.isComposing) return;
      if (event.key === "Escape") {
        // Also cancels an answer still on its way, so the list does not open after Escape.
        var open = !list.hidden;
        close();
        if (open) event.preventDefault();
        return;
      }
      if (list.hidden) return;
      var count = state.people.length;
      if (event.key === "ArrowDown") {
        highlight((state.active + 1) % count);
      } else if (event.key === "ArrowUp") {
        highlight(state.active <= 0 ? count - 1 : state.active - 1);
      } else if ((event.key === "Enter" || event.key === "Tab") && state.active >= 0 && !event.shiftKey) {
        choose(state.active);
      } else {
        return;
      }
      event.preventDefault();
    });

    // Keep the focus in the textarea, so choosing with a pointer does not blur it first.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) choose(Array.prototype.indexOf.call(list.children, item));
    });
  }

  document.querySelectorAll(FIELD).forEach(enhance);
  // Reply forms opened later by forum.js are enhanced as they take the focus.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches(FIELD)) enhance(event.target);
  });
})();
