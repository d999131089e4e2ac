// The caseload: a ticked or unticked filter applies at once (the lists wait for "Show", so arrow keys can move
// through their options), a "tick all" box in the table's heading, and the rows ticked before a refused bulk
// action (no note) ticked again.
document.addEventListener("DOMContentLoaded", () => {
  const filters = document.querySelector("form.caseload-filters");
  if (filters) {
    filters.querySelectorAll("input[type=checkbox]").forEach((field) => {
      field.addEventListener("change", () => filters.requestSubmit());
    });
  }
  const bulk = document.getElementById("bulk");
  const boxes = () => document.querySelectorAll('input[name="athlete"][form="bulk"]');
  const all = document.getElementById("tick-all");
  if (all) {
    all.classList.remove("d-none");
    all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
  }
  if (bulk && bulk.dataset.ticked) {
    const ticked = new Set(bulk.dataset.ticked.split(","));
    boxes().forEach((box) => { box.checked = ticked.has(box.value); });
  }
});
