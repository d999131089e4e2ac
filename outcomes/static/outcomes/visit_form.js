// The visit page: a strength test's side-to-side % worked out while left and right are typed in (the saved
// figure is the server's, outcomes/catalog.py symmetry: affected ÷ other, or weaker ÷ stronger).
(function () {
  "use strict";
  function field(block, name) {
    return block.querySelector('[name$="-' + name + '"]');
  }
  function update(block) {
    var left = parseFloat(field(block, "left").value);
    var right = parseFloat(field(block, "right").value);
    var affected = field(block, "affected").value;
    var out = block.querySelector("[data-symmetry-output]");
    if (!(left >= 0) || !(right >= 0)) {
      out.textContent = "–";
      return;
    }
    var mine = affected === "left" ? left : affected === "right" ? right : Math.min(left, right);
    var other = affected === "left" ? right : affected === "right" ? left : Math.max(left, right);
    out.textContent = other > 0 ? Math.round((mine * 1000) / other) / 10 + " %" : "–";
  }
  document.querySelectorAll("[data-symmetry]").forEach(function (block) {
    block.addEventListener("input", function () { update(block); });
    block.addEventListener("change", function () { update(block); });
  });
})();
