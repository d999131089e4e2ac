// The admin's own additions (inline scripts are refused by the Content-Security-Policy).

// Django's two-list picker (groups, permissions, a template's conditions) names its magnifier icon with
// aria-label on a plain <span>, where ARIA ignores it: as an image, the hint "Type into this box to filter…"
// is read with the search box's label. The picker draws itself on "load"; this runs after every load handler.
window.addEventListener("load", () => {
  setTimeout(() => {
    for (const icon of document.querySelectorAll(".selector .search-label-icon[aria-label]")) {
      icon.setAttribute("role", "img");
    }
  });
});
