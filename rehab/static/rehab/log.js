// The log page's pain questions (rehab.forms.PainScale): the answer is shown next to each question ("3/10", or
// "Not answered"), coloured by zone (0–2 safe, 3–5 OK, 6+ too much), and "Clear" takes an answer back. Without
// this script the buttons still answer; only the words next to the question stay as the page was loaded.
document.querySelectorAll("[data-pain-question]").forEach(function (question) {
  var output = question.querySelector(".pain-value");
  var clear = question.querySelector(".pain-clear");
  var radios = question.querySelectorAll('input[type="radio"]');
  var unanswered = output.dataset.unanswered;

  function show() {
    var checked = question.querySelector('input[type="radio"]:checked');
    if (checked) {
      var value = Number(checked.value);
      output.textContent = value + "/10";
      // Session effort (data-scale="effort") has no zones: a hard session is not a warning.
      output.dataset.zone =
        question.dataset.scale === "effort" ? "effort" : value <= 2 ? "safe" : value <= 5 ? "ok" : "high";
    } else {
      output.textContent = unanswered;
      delete output.dataset.zone;
    }
    clear.hidden = !checked;
  }

  radios.forEach(function (radio) {
    radio.addEventListener("change", show);
  });
  clear.addEventListener("click", function () {
    radios.forEach(function (radio) {
      radio.checked = false;
    });
    show();
    radios[0].focus();
  });
  show();
});
