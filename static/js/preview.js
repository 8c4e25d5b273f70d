/* Preview in place. Every comment form's Preview button works without this
   file: it sends the form, and the server draws the page again with the text
   rendered above it. Here the same request is sent in the background and only
   its preview (or its error) is put into the form, so a reply opened under a
   comment stays where it is. Should anything go wrong, the form is sent the
   plain way. */
(function () {
  "use strict";

  if (!window.fetch || !window.DOMParser || !window.FormData) return;

  function clear(form) {
    document.querySelectorAll(".comment-preview").forEach(function (old) { old.remove(); });
    form.querySelectorAll(".preview-errors").forEach(function (old) { old.remove(); });
  }

  function show(form, preview, errors) {
    clear(form);
    var textarea = form.querySelector("textarea[name=body]");
    var field = (textarea && textarea.closest(".field")) || form.firstElementChild;
    if (errors.length) {
      var box = document.createElement("div");
      box.className = "preview-errors";
      box.setAttribute("role", "alert");
      errors.forEach(function (error) {
        var line = document.createElement("p");
        line.className = "error";
        line.textContent = error.textContent.trim();
        box.appendChild(line);
      });
      field.insertAdjacentElement("beforebegin", box);
      return;
    }
    var shown = document.importNode(preview, true);
    field.insertAdjacentElement("beforebegin", shown);
    shown.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("form.comment-form button[name=preview]");
    if (!button || !button.form) return;
    var form = button.form;
    event.preventDefault();
    var data = new FormData(form);
    data.append(button.name, button.value);
    button.disabled = true;
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var preview = page.querySelector(".comment-preview");
        var errors = Array.prototype.slice.call(page.querySelectorAll("form.comment-form .error, form.comment-form .errorlist li"));
        if (!preview && !errors.length) throw new Error("no preview in the answer");
        show(form, preview, errors);
        button.disabled = false;
      })
      .catch(function () {
        button.disabled = false;
        form.requestSubmit(button);
      });
  });
})();
