// The caseload: a changed filter applies at once (the Show button stays for keyboards and without script),
// and a "tick all" box in the table's heading.
document.addEventListener("DOMContentLoaded", () => {
  const filters = document.querySelector("form.caseload-filters");
  if (filters) {
    filters.querySelectorAll("select, input[type=checkbox]").forEach((field) => {
      field.addEventListener("change", () => filters.requestSubmit());
    });
  }
  const all = document.getElementById("tick-all");
  if (all) {
    const boxes = () => document.querySelectorAll('input[name="athlete"][form="bulk"]');
    all.classList.remove("d-none");
    all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
  }
});
