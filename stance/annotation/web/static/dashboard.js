// The dashboard refreshes itself while visible; a refresh never interrupts keyboard focus.
(function () {
  "use strict";
  setInterval(() => {
    if (document.visibilityState === "visible" && document.activeElement === document.body) {
      location.reload();
    }
  }, 20000);
})();
