/* "Use as evidence": for those writing the report, selecting words in a comment
   offers a button that opens the workbench's evidence form with the comment and
   the words filled in. Without it, the comment's own "Use as evidence" link
   opens the same form, where the words can be typed. Leaves the selection
   event to others too (quote-reply): it only adds its own button. */
(function () {
  "use strict";
  var button = null;

  function commentOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest("article.comment") : null;
  }

  function hide() {
    if (button) { button.hidden = true; }
  }

  function offer() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { hide(); return; }
    var range = selection.getRangeAt(0);
    var comment = commentOf(range.commonAncestorContainer);
    var body = comment && comment.querySelector(".comment__body");
    var link = comment && comment.querySelector("[data-evidence-url]");
    if (!body || !link || !body.contains(range.commonAncestorContainer)) { hide(); return; }
    var words = selection.toString().trim();
    if (!words) { hide(); return; }
    // Where the words start in the body's text: a hint, the server finds the exact place.
    var before = document.createRange();
    before.selectNodeContents(body);
    before.setEnd(range.startContainer, range.startOffset);
    var start = before.toString().replace(/\s+/g, " ").trimStart().length;
    if (!button) {
      button = document.createElement("a");
      button.className = "evidence-button button";
      button.textContent = link.textContent;
      document.body.appendChild(button);
    }
    var url = new URL(link.getAttribute("data-evidence-url"), window.location.href);
    url.searchParams.set("quote", words);
    url.searchParams.set("start", String(start));
    button.href = url.toString();
    var box = range.getBoundingClientRect();
    button.style.setProperty("top", String(window.scrollY + box.bottom + 6) + "px");
    button.style.setProperty("left", String(window.scrollX + box.left) + "px");
    button.hidden = false;
  }

  document.addEventListener("selectionchange", function () {
    window.clearTimeout(offer.timer);
    offer.timer = window.setTimeout(offer, 150);
  });
})();
