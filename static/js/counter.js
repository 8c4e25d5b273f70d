/* The character counter under a comment's text: "120 of 10,000 characters",
   kept up to date as one types, in red past the limit (the server refuses
   longer comments, with the text kept). Screen readers hear it politely and
   only near the limit, once typing pauses, rather than at every keystroke.
   The limit and the words come from the form's data attributes
   (partials/composer_attributes.html). */
(function () {
  "use strict";

  var ANNOUNCE_AFTER_MS = 1500;
  // Announced from this share of the limit on.
  var NEAR = 0.9;
  var counted = 0;

  function length(text) {
    // Characters as the server counts them (code points, one per line break).
    return Array.from(text.replace(/\r\n?/g, "\n")).length;
  }

  function attach(form) {
    var textarea = form.querySelector("textarea[name=body]");
    var limit = parseInt(form.dataset.maxLength, 10);
    if (!textarea || !limit || form.dataset.counted) return;
    form.dataset.counted = "1";
    counted += 1;
    var language = document.documentElement.lang || undefined;
    var counter = document.createElement("p");
    counter.className = "char-counter";
    var shown = document.createElement("span");
    shown.id = (textarea.id || "comment-body-" + counted) + "-count";
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    counter.appendChild(shown);
    counter.appendChild(spoken);
    textarea.insertAdjacentElement("afterend", counter);
    var described = textarea.getAttribute("aria-describedby");
    textarea.setAttribute("aria-describedby", described ? described + " " + shown.id : shown.id);

    function text(count) {
      var over = count - limit;
      var template = over > 0 ? form.dataset.textCounterOver : form.dataset.textCounter;
      return (template || "{count} / {limit}")
        .replace("{count}", count.toLocaleString(language))
        .replace("{limit}", limit.toLocaleString(language))
        .replace("{over}", over.toLocaleString(language));
    }

    var timer = null;
    function update() {
      var count = length(textarea.value);
      shown.textContent = text(count);
      counter.classList.toggle("char-counter--over", count > limit);
      clearTimeout(timer);
      timer = setTimeout(function () {
        spoken.textContent = count >= limit * NEAR ? text(count) : "";
      }, ANNOUNCE_AFTER_MS);
    }
    textarea.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("form[data-max-length]").forEach(attach);
  document.addEventListener("forum:form-opened", function (event) {
    if (event.target.matches("form[data-max-length]")) attach(event.target);
  });
})();
