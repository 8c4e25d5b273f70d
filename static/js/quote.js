/* Quote-reply. Selecting words in a comment offers a "Quote" button beside
   them; every comment one may answer also gets a "Quote" button among its
   actions, for the keyboard (it quotes the words selected in that comment, or
   else the whole comment). Quoting opens the reply form under the comment
   (forum.js), or the room's form where replies are closed, and adds

       https://site/comment/12/
       > the quoted words

   The address alone on its line becomes a reference to the comment when the
   reply is posted (forum/rendering.py), with a backlink on the quoted one.
   Without JavaScript there is nothing to quote with; replying works as ever. */
(function () {
  "use strict";

  var form = document.querySelector("form.comment-form[data-site-url]");
  var template = document.getElementById("reply-form-template");
  var texts = form || (template && template.content.querySelector("form[data-site-url]"));
  if (!texts) return;
  var siteUrl = texts.dataset.siteUrl;
  var label = texts.dataset.textQuote || "Quote";
  var floating = null;

  function bodyOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    var body = element && element.closest(".comment__body");
    // The comment's own text, not the removed text moderators may unfold.
    return body && body.parentElement.matches("article.comment") ? body : null;
  }

  // The room's form for a new comment, or on the reply page the one form there.
  function pageForm() {
    return document.querySelector("#comment-form form.comment-form") ||
      document.querySelector("main form.comment-form:not(.comment-form--edit):not(.comment-form--reply)");
  }

  // Where a quote of this comment goes: its reply form, or the page's form.
  function formFor(comment) {
    var reply = comment.querySelector("a[data-reply-to]");
    if (reply) {
      reply.click();
      var opened = comment.nextElementSibling;
      return opened && opened.matches("form.comment-form--reply") ? opened : null;
    }
    return pageForm();
  }

  function canQuote(comment) {
    return Boolean(comment.querySelector("a[data-reply-to]") || pageForm());
  }

  function quoted(text, comment) {
    var lines = text.replace(/\r\n?/g, "\n").trim().split("\n").map(function (line) {
      line = line.trim();
      return line ? "> " + line : ">";
    });
    var id = comment.id.replace("comment-", "");
    return siteUrl + "/comment/" + id + "/\n" + lines.join("\n").replace(/(\n>)+\n/g, "\n>\n") + "\n\n";
  }

  function quote(comment, text) {
    var target = formFor(comment);
    var textarea = target && target.querySelector("textarea[name=body]");
    if (!textarea) return;
    var before = textarea.value.replace(/\s+$/, "");
    textarea.value = (before ? before + "\n\n" : "") + quoted(text, comment);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    hide();
  }

  // The words selected within one comment's text, and that comment.
  function selected() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    var body = bodyOf(selection.anchorNode);
    if (!body || body !== bodyOf(selection.focusNode)) return null;
    var text = selection.toString().trim();
    var comment = body.closest("article.comment");
    return text && canQuote(comment) ? { comment: comment, body: body, text: text, range: selection.getRangeAt(0) } : null;
  }

  function hide() {
    if (floating) floating.remove();
    floating = null;
  }

  function offer() {
    var found = selected();
    if (!found) {
      // Keep the button while focus is on it (Tab from the selection).
      if (floating && document.activeElement !== floating) hide();
      return;
    }
    if (!floating) {
      floating = document.createElement("button");
      floating.type = "button";
      floating.className = "quote-button";
      floating.textContent = label;
      // Pressing it must not clear the selection before it is read.
      floating.addEventListener("mousedown", function (event) { event.preventDefault(); });
      floating.addEventListener("click", function () {
        quote(floating.comment, floating.quotedText);
      });
    }
    floating.comment = found.comment;
    floating.quotedText = found.text;
    // Right after the comment's text, so Tab from the selection reaches it.
    found.body.insertAdjacentElement("afterend", floating);
    var box = found.range.getBoundingClientRect();
    var origin = (floating.offsetParent || document.body).getBoundingClientRect();
    // Above the words, clear of the comment's actions below; under them near the top of the screen.
    var above = box.top - floating.offsetHeight - 6;
    floating.style.top = Math.round((above > 0 ? above : box.bottom + 6) - origin.top) + "px";
    floating.style.left = Math.round(Math.max(0, box.left - origin.left)) + "px";
  }

  var pending = null;
  document.addEventListener("selectionchange", function () {
    clearTimeout(pending);
    pending = setTimeout(offer, 150);
  });

  // The keyboard's way: a Quote button among each comment's actions.
  document.querySelectorAll("article.comment").forEach(function (comment) {
    var actions = comment.querySelector(".comment__actions");
    var body = comment.querySelector(":scope > .comment__body");
    if (!actions || !body || !canQuote(comment)) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button comment__quote";
    button.textContent = label;
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      var found = selected();
      quote(comment, found && found.comment === comment ? found.text : body.innerText);
    });
    var reply = actions.querySelector("a[data-reply-to]");
    if (reply) reply.insertAdjacentElement("afterend", button);
    else actions.insertAdjacentElement("afterbegin", button);
  });
})();
