// Shows a pain slider's value next to its label ("3/10") and colours it by zone (0–2 safe, 3–5 OK, 6+ too much).
document.querySelectorAll("input.pain-slider").forEach(function (slider) {
  var output = document.querySelector('output[for="' + slider.id + '"]');
  function show() {
    var value = Number(slider.value);
    if (output) {
      output.textContent = value + "/10";
      output.dataset.zone = value <= 2 ? "safe" : value <= 5 ? "ok" : "high";
    }
  }
  slider.addEventListener("input", show);
  show();
});
