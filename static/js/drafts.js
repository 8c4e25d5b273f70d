/* Drafts: what someone is writing in a comment form is kept in this browser
   as they type, and offered again when the form comes back (a reload, a lost
   connection, a closed tab). Each form names its draft in data-draft: the
   person, the room, and the comment replied to or edited.

   A draft is forgotten only once the server has taken the text: the form's
   key is noted when it is sent, and the page the server then redirects to
   says "posted" (partials/messages.html). A post that fails, whether the
   server refuses it or the connection drops, keeps its draft. Logging out
   forgets every draft, so a shared computer keeps nothing of the last person. */
(function () {
  "use strict";

  var PREFIX = "forum-draft:";
  var SENT = "forum-draft-sent";
  var MAX_AGE_MS = 30 * 24 * 3600 * 1000;
  var SAVE_AFTER_MS = 400;
  // Set on logging out: nothing more is kept, not even the last keystrokes.
  var loggingOut = false;

  function get(storage, key) {
    try {
      return storage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  function set(storage, key, value) {
    try {
      if (value === null) storage.removeItem(key);
      else storage.setItem(key, value);
    } catch (error) {
      // Storage full or refused (private mode): the form works, without drafts.
    }
  }

  function readDraft(key) {
    try {
      var draft = JSON.parse(get(localStorage, PREFIX + key));
      return draft && typeof draft.body === "string" ? draft : null;
    } catch (error) {
      return null;
    }
  }

  function draftKeys() {
    var keys = [];
    try {
      for (var index = 0; index < localStorage.length; index += 1) {
        var key = localStorage.key(index);
        if (key && key.indexOf(PREFIX) === 0) keys.push(key);
      }
    } catch (error) {
      // No storage: no drafts.
    }
    return keys;
  }

  function forgetAll() {
    draftKeys().forEach(function (key) { set(localStorage, key, null); });
  }

  // Drafts nobody came back to within a month.
  function forgetOld() {
    var now = Date.now();
    draftKeys().forEach(function (key) {
      try {
        var draft = JSON.parse(localStorage.getItem(key));
        if (!draft || !(now - draft.saved < MAX_AGE_MS)) set(localStorage, key, null);
      } catch (error) {
        set(localStorage, key, null);
      }
    });
  }

  function showRestored(form, textarea, key, original) {
    var note = document.createElement("p");
    note.className = "draft-note";
    note.setAttribute("role", "status");
    note.textContent = (form.dataset.textDraftRestored || "Draft restored.") + " ";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "link-button";
    discard.textContent = form.dataset.textDraftDiscard || "Discard the draft";
    discard.addEventListener("click", function () {
      set(localStorage, PREFIX + key, null);
      textarea.value = original;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      note.remove();
      textarea.focus();
    });
    note.appendChild(discard);
    textarea.insertAdjacentElement("beforebegin", note);
  }

  function attach(form) {
    var key = form.dataset.draft;
    var textarea = form.querySelector("textarea[name=body]");
    if (!key || !textarea || form.dataset.draftKept) return;
    form.dataset.draftKept = "1";
    // What the server put in the form: empty, the comment being edited, or the text of a refused post.
    var original = textarea.value;
    var draft = readDraft(key);
    if (draft && draft.body.trim() && draft.body !== original) {
      textarea.value = draft.body;
      showRestored(form, textarea, key, original);
    }
    var timer = null;
    function save() {
      clearTimeout(timer);
      timer = null;
      if (loggingOut) return;
      var body = textarea.value;
      var keep = body.trim() && body !== original;
      set(localStorage, PREFIX + key, keep ? JSON.stringify({ body: body, saved: Date.now() }) : null);
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(save, SAVE_AFTER_MS);
    });
    // Leaving the page before the pause: keep the last keystrokes too.
    window.addEventListener("pagehide", function () { if (timer) save(); });
    form.addEventListener("submit", function (event) {
      if (timer) save();
      var previewing = event.submitter && event.submitter.name === "preview";
      if (!previewing) set(sessionStorage, SENT, key);
    });
  }

  // First, whether the last form sent was taken: then its draft is done with.
  var sent = get(sessionStorage, SENT);
  if (sent && document.querySelector("[data-posted]")) {
    set(localStorage, PREFIX + sent, null);
    set(sessionStorage, SENT, null);
  }
  forgetOld();
  document.querySelectorAll("form[data-draft]").forEach(attach);
  document.addEventListener("forum:form-opened", function (event) {
    if (event.target.matches("form[data-draft]")) attach(event.target);
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches("[data-clears-drafts]")) {
      loggingOut = true;
      forgetAll();
    }
  });
})();
