/* Machine translations drawn in place. Without this file "Translate to …"
   opens the translation's own page; with it, that page's translation block
   takes the place of the comment's text, and "Show original" brings it back. */
(function () {
  "use strict";

  function parts(comment) {
    return {
      body: comment.querySelector(":scope > .comment__body"),
      shown: comment.querySelector(":scope > .translation"),
      link: comment.querySelector("a[data-translate]")
    };
  }

  function showOriginal(comment) {
    var p = parts(comment);
    if (p.shown) p.shown.hidden = true;
    if (p.body) p.body.hidden = false;
    if (p.link) {
      p.link.hidden = false;
      p.link.focus();
    }
  }

  function showTranslation(comment, block, link) {
    var p = parts(comment);
    if (p.shown) p.shown.remove();
    block = document.importNode(block, true);
    if (p.body && block.dataset.state === "ready") p.body.hidden = true;
    (p.body || link).insertAdjacentElement("afterend", block);
    link.hidden = block.dataset.state === "ready";
    var focusable = block.querySelector("a") || block;
    if (!block.hasAttribute("tabindex")) block.setAttribute("tabindex", "-1");
    focusable.focus();
  }

  function translate(link) {
    var comment = document.getElementById("comment-" + link.dataset.translate);
    if (!comment) return false;
    link.setAttribute("aria-busy", "true");
    fetch(link.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok && response.status !== 429) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var block = page.getElementById("translation-" + link.dataset.translate);
        if (!block) throw new Error("no translation");
        showTranslation(comment, block, comment.querySelector("a[data-translate]") || link);
      })
      .catch(function () { window.location.href = link.href; })
      .finally(function () { link.removeAttribute("aria-busy"); });
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-translate]");
    if (link) {
      // "Try again" inside a block asks with the comment's own link.
      var own = document.querySelector('#comment-' + link.dataset.translate + ' a[data-translate]:not(.translation a)');
      if (translate(own || link)) event.preventDefault();
      return;
    }
    var original = event.target.closest("a[data-show-original]");
    var comment = original && original.closest(".comment");
    if (comment && parts(comment).body) {
      event.preventDefault();
      showOriginal(comment);
    }
  });
})();
