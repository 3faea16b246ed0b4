// Phone and tablet navigation (below 992 px): the sidebar buttons must open the menu.
//
// sphinx-book-theme 1.3.0 renders its own "Toggle primary sidebar" button in the
// article header, while pydata-sphinx-theme 0.17.1 (which it pins) adds another
// `.primary-toggle` in its hidden top bar. Both themes attach their click handlers to
// `document.querySelector(".primary-toggle")`, the first one in the page: the button a
// reader actually sees gets none, and tapping it only shows its tooltip (reported
// upstream as pydata/pydata-sphinx-theme#2451). Here every other toggle forwards its
// click to the one the themes listen to, so the themes' own code opens the sidebar
// (a dialog below 992 px; on wider screens sphinx-book-theme hides or shows it).
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary", "secondary"]) {
    const wired = document.querySelector(`.${kind}-toggle`);
    if (!wired) continue;
    document.querySelectorAll(`.${kind}-toggle`).forEach((button) => {
      if (button === wired) return;
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        button.blur();  // no tooltip left hanging over the page
        wired.click();
      });
    });
  }
});
