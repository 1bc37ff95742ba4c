// The share screen (sharing/share.html): "Copy my text" for networks whose dialog takes only
// the link, and the text field's aria-invalid kept in step with the live check's errors.
// Without JavaScript the copy button stays hidden and the text is selected by hand.
(function () {
  "use strict";

  function announce(status, message) {
    if (!status) return;
    status.textContent = "";
    // A fresh text, so screen readers announce it again on a second copy.
    window.setTimeout(function () { status.textContent = message || ""; }, 50);
  }

  function copyFrom(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    field.focus();
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById("share-copy-status");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      copyFrom(field).then(
        function () { announce(status, button.dataset.copied); },
        function () {
          field.focus();
          field.select();
          announce(status, button.dataset.copyFailed);
        }
      );
    });
  });

  // The live check re-renders the hints and errors region: the field is invalid exactly
  // while that region shows an error.
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.target;
    if (!(region instanceof HTMLElement) || region.id !== "share-hints") return;
    var field = document.getElementById("id_text");
    if (!field) return;
    if (region.querySelector("#share-errors")) {
      field.setAttribute("aria-invalid", "true");
    } else {
      field.removeAttribute("aria-invalid");
    }
  });
})();
