// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The ISO week (Monday first) of a date, as Danish offices plan in weeks.
  function isoWeek(date) {
    var d = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
    var day = d.getUTCDay() || 7;
    d.setUTCDate(d.getUTCDate() + 4 - day);
    var yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
    return Math.ceil(((d - yearStart) / 86400000 + 1) / 7);
  }

  function showPicked(input) {
    var target = document.getElementById(input.getAttribute("data-week-for"));
    if (!target) { return; }
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value);
    if (!match) { target.textContent = ""; return; }
    var date = new Date(+match[1], +match[2] - 1, +match[3]);
    target.textContent = target.getAttribute("data-picked-label") + " " + (+match[3]) + "." + (+match[2]) + "." +
      match[1] + " (" + target.getAttribute("data-week-label") + " " + isoWeek(date) + ")";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[data-week-for]");
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].addEventListener("change", function (event) { showPicked(event.target); });
    }
    // After a failed submission, move focus to the list of problems so it is read out first.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
