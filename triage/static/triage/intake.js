// The hop test is not safe on a leg that hurts to stand on: hide it when such a box is ticked.
(function () {
  var hop = document.querySelector("[data-hop-test]");
  var blockers = document.querySelectorAll("[data-hop-blocker]");
  if (!hop) { return; }
  function update() {
    var blocked = Array.prototype.some.call(blockers, function (box) { return box.checked; });
    hop.querySelector("[data-hop-body]").hidden = blocked;
    hop.querySelector("[data-hop-note]").hidden = !blocked;
  }
  Array.prototype.forEach.call(blockers, function (box) { box.addEventListener("change", update); });
  update();
})();
