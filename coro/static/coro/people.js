// Copy buttons for invitation links (People page). Without JavaScript the buttons stay
// hidden and the link is still there to select in its read-only field.
(function () {
  "use strict";
  var status = document.querySelector("[data-copy-status]");

  function announce(key) {
    if (!status) return;
    status.textContent = "";
    // A fresh text so screen readers announce it again on a second copy.
    window.setTimeout(function () { status.textContent = status.dataset[key] || ""; }, 50);
  }

  function copyFrom(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    field.focus();
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject();
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      copyFrom(field).then(
        function () { announce("copied"); },
        function () { field.focus(); field.select(); announce("failed"); }
      );
    });
  });
})();
