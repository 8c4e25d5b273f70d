/* Progressive enhancement for the discussion pages. Every action works
   without this file: it only opens reply and edit forms in place, and sends
   endorsements without leaving the page. Each form opened announces itself
   with a "forum:form-opened" event, for the scripts that help write it
   (drafts.js, counter.js). */
(function () {
  "use strict";

  function opened(form) {
    form.dispatchEvent(new CustomEvent("forum:form-opened", { bubbles: true }));
  }

  function newToken() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : "";
  }

  function openReplyForm(link) {
    var template = document.getElementById("reply-form-template");
    var comment = link.closest(".comment");
    if (!template || !comment) return false;
    var existing = comment.nextElementSibling;
    if (existing && existing.classList.contains("comment-form--reply")) {
      existing.querySelector("textarea").focus();
      return true;
    }
    var form = template.content.firstElementChild.cloneNode(true);
    var id = "reply-body-" + link.dataset.replyTo;
    form.action = link.href;
    // mentions.js ranks the people of this thread first.
    form.dataset.thread = link.dataset.replyTo;
    // The draft of a reply is kept per comment replied to.
    if (form.dataset.draft) form.dataset.draft += link.dataset.replyTo;
    // Each form gets its own token: the server stores one comment per token.
    form.querySelector("[name=client_token]").value = newToken();
    form.querySelector("label").htmlFor = id;
    form.querySelector("textarea").id = id;
    form.className += " " + Array.prototype.filter.call(comment.classList, function (c) {
      return c.indexOf("depth-") === 0;
    }).join(" ");
    form.querySelector("[data-cancel-reply]").addEventListener("click", function () {
      form.remove();
      link.focus();
    });
    form.addEventListener("submit", function () {
      form.querySelector("button[type=submit]").disabled = true;
    });
    comment.insertAdjacentElement("afterend", form);
    opened(form);
    form.querySelector("textarea").focus();
    return true;
  }

  // Edit in place: the plain edit page's form, fetched and put where the body was.
  function openEditForm(link) {
    var comment = link.closest(".comment");
    var body = comment && comment.querySelector(".comment__body");
    if (!body || comment.querySelector(".comment-form--edit")) return false;
    fetch(link.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var form = page.querySelector("form.comment-form--edit");
        if (!form) throw new Error("no form");
        form = document.importNode(form, true);
        var cancel = form.querySelector("a");
        if (cancel) {
          cancel.addEventListener("click", function (event) {
            event.preventDefault();
            form.remove();
            body.hidden = false;
            link.focus();
          });
        }
        body.hidden = true;
        body.insertAdjacentElement("afterend", form);
        opened(form);
        var textarea = form.querySelector("textarea");
        textarea.focus();
        textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      })
      .catch(function () { window.location.href = link.href; });
    return true;
  }

  document.addEventListener("click", function (event) {
    var reply = event.target.closest("a[data-reply-to]");
    if (reply && openReplyForm(reply)) {
      event.preventDefault();
      return;
    }
    var edit = event.target.closest("a[data-edit]");
    if (edit && openEditForm(edit)) event.preventDefault();
  });

  // Endorse in place: the same form, posted for JSON; the button shows the answer.
  // Should anything go wrong on the way, the form is sent as a plain one.
  function sendEndorsement(form) {
    var button = form.querySelector("button");
    var choice = form.querySelector("[name=endorse]");
    var status = form.parentElement.querySelector(".endorse__status");
    if (button.disabled) return;
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (answer) {
        button.disabled = false;
        if (!answer.ok) {
          if (!status) {
            status = document.createElement("span");
            status.className = "endorse__status";
            status.setAttribute("role", "status");
            form.parentElement.appendChild(status);
          }
          status.textContent = answer.data.error || "";
          return;
        }
        if (status) status.textContent = "";
        button.setAttribute("aria-pressed", answer.data.endorsed ? "true" : "false");
        button.querySelector(".endorse__count").textContent = answer.data.count;
        button.setAttribute("aria-label", answer.data.name);
        choice.value = answer.data.endorsed ? "off" : "on";
      })
      .catch(function () { form.submit(); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.endorse-form");
    if (!form || !window.fetch || !window.FormData) return;
    event.preventDefault();
    sendEndorsement(form);
  });

  // A double click on any comment form sends it once.
  document.querySelectorAll("form.comment-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
