/* Passerelle's document page: the passage a result links to (#p-<id>) lands just below the sticky title.
   The CSS keeps the passage clear of the title with a fixed guess; this measures the title instead. */
(function () {
  "use strict";

  var title = document.querySelector(".document > h1");
  if (!title) {
    return;
  }

  function measure() {
    document.documentElement.style.setProperty("--doc-title", title.getBoundingClientRect().height + "px");
  }

  measure();
  if (window.ResizeObserver) {
    new ResizeObserver(measure).observe(title);
  }
  // The browser may have scrolled to the fragment before the height was known: scroll again, with it.
  var target = null;
  try {
    target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  } catch (error) {
    return; // a malformed fragment: nothing to scroll to
  }
  if (target) {
    target.scrollIntoView({ block: "start" });
  }
})();
