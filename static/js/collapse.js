/* Folding replies. The server draws every group of replies as an open
   <details> (the same markup for everyone, so anonymous pages stay cached);
   without this file they fold and unfold all the same, for the visit. This
   file remembers, in this browser, which groups the reader folded, folds them
   again on the next visit, and unfolds whatever holds a comment the address
   points to (#comment-N), on load and when the address changes. */
(function () {
  "use strict";

  var KEY = "forum-folded-replies";
  // Enough for a long consultation; the oldest are forgotten first.
  var KEEP = 500;

  function load() {
    try {
      var ids = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(ids) ? ids : [];
    } catch (error) {
      return [];
    }
  }

  function save(ids) {
    try {
      localStorage.setItem(KEY, JSON.stringify(ids.slice(-KEEP)));
    } catch (error) {
      // Storage full or refused (private mode): folding still works for this visit.
    }
  }

  function remember(id, folded) {
    var ids = load().filter(function (other) { return other !== id; });
    if (folded) ids.push(id);
    save(ids);
  }

  // Unfold every group around the element the address points to, so it shows.
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var group = target.closest("details.replies");
    var opened = false;
    while (group) {
      if (!group.open) {
        group.open = true;
        opened = true;
      }
      group = group.parentElement.closest("details.replies");
    }
    if (opened) target.scrollIntoView();
  }

  var groups = document.querySelectorAll("details.replies[data-replies-of]");
  if (!groups.length) return;
  var folded = load();
  groups.forEach(function (group) {
    if (folded.indexOf(group.dataset.repliesOf) !== -1) group.open = false;
  });
  reveal();
  // Restoring fires toggle too, later: it records the state just restored.
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      remember(group.dataset.repliesOf, !group.open);
    });
  });
  window.addEventListener("hashchange", reveal);
})();
