// Every page (templates/base.html). After an invalid post the error summary (templates/portal/error_summary.html)
// takes the focus, so a screen reader reads what went wrong and a keyboard user starts from there; failing that,
// an error message of a form that posted and came back (a clearance refused, say). A link in the summary moves
// the focus to its field and shows the field's question (its legend or label) too, not only the input.
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]") || document.querySelector("[data-error-message]");
  if (!summary) {
    return;
  }
  summary.focus();

  summary.addEventListener("click", function (event) {
    var link = event.target.closest('a[href^="#"]');
    var field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var closed = field.closest("details:not([open])");
    if (closed) {
      closed.open = true;
    }
    var group = field.closest("fieldset");
    var question =
      (group && group.querySelector("legend")) || document.querySelector('label[for="' + CSS.escape(field.id) + '"]');
    // The question, unless the field would then be below the window (a long list of tick boxes): the field.
    // Measured before scrolling, as the page may scroll smoothly. The page's scroll-padding-top (site.css) keeps
    // what scrolls into view clear of the sticky navbar.
    var shown = question || field;
    if (field.getBoundingClientRect().bottom - shown.getBoundingClientRect().top > window.innerHeight * 0.75) {
      shown = field;
    }
    shown.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
