/* The admin's rota lines: choosing a shift fills the line's dates at once.
   Without this file the server fills the dates left empty when the room is saved. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[name$='-shift']")) return;
    var days = select.getAttribute("data-dates-" + select.value);
    var line = select.closest("tr");
    if (days === null || !line) return;
    days = days.split("|");
    line.querySelector("input[name$='-starts_on']").value = days[0];
    line.querySelector("input[name$='-ends_on']").value = days[1];
  });
})();
