// The share screen (sharing/_screen.html), as a page or as a dialog on the feed:
// - the feed's network buttons open the screen in a <dialog> (htmx GET of the screen alone);
//   Escape and the close button close it, and the focus goes back to the button that opened it.
//   Without JavaScript the buttons are links to the screen's own page;
// - the preview follows the text as it is typed;
// - networks whose share page takes only the link (LinkedIn, Facebook, Xing): "Copy my text",
//   and the share button copies the text first and says so;
// - after the share is recorded, the network's page opens (data-share-open), or, for
//   "Copy text", the text and link are copied (data-copy-now);
// - "More…": the phone's own share sheet (Web Share API), hidden where there is none;
// - the text field's aria-invalid kept in step with the live check's errors.
// Loaded by every post card: it sets itself up once.
(function () {
  "use strict";
  if (window.coroShare) return;
  window.coroShare = true;

  var dialog = null;
  var opener = null;

  function announce(status, message) {
    if (!status) return;
    status.textContent = "";
    // A fresh text, so screen readers announce it again on a second copy.
    window.setTimeout(function () { status.textContent = message || ""; }, 50);
  }

  function statusOf(element) {
    var screen = element.closest(".share-screen") || document;
    return screen.querySelector("#share-copy-status") || screen.querySelector("#share-status");
  }

  function copyText(text, field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    if (field) {
      field.focus();
      field.select();
      if (document.execCommand("copy")) return Promise.resolve();
    }
    return Promise.reject(new Error("copy"));
  }

  // "Your text is copied": said on the screen that is there when the copy is done (the
  // share screen, or the page that opens the network if it came first).
  function sayCopied() {
    var message = window.coroShareCopied;
    var screen = document.getElementById("share-screen");
    if (!message || !screen) return;
    var status = screen.querySelector("#share-status") || screen.querySelector("#share-copy-status");
    announce(status, message);
    if (screen.classList.contains("share-done")) window.coroShareCopied = null;
  }

  // --- Setting up a screen (on page load, and whenever htmx brings one) ----------------
  function setUp(root) {
    root.querySelectorAll("button[data-copy-target]").forEach(function (button) {
      if (document.getElementById(button.dataset.copyTarget)) button.hidden = false;
    });
    if (navigator.share) {
      root.querySelectorAll("button[data-web-share]").forEach(function (button) {
        button.hidden = false;
      });
    }
    root.querySelectorAll("[data-copy-now]").forEach(function (field) {
      var status = statusOf(field);
      copyText(field.value, field).then(
        function () { announce(status, field.dataset.copied); },
        function () { field.focus(); field.select(); }
      );
    });
    root.querySelectorAll("a[data-share-open]").forEach(function (link) {
      if (link.dataset.opened) return;
      link.dataset.opened = "1";
      if (link.hasAttribute("data-new-tab")) {
        var opened = window.open(link.href, "_blank");
        if (opened) opened.opener = null;
      } else {
        window.location.href = link.href; // mailto: the page stays
      }
    });
  }

  // --- The preview follows the words ----------------------------------------------------
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || field.id !== "id_text") return;
    var screen = field.closest(".share-screen");
    var words = screen && screen.querySelector("[data-preview-words]");
    if (words) words.textContent = field.value.replace(/\r\n?/g, "\n").trim();
  });

  // --- Buttons --------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;

    var copy = target.closest("button[data-copy-target]");
    if (copy) {
      var field = document.getElementById(copy.dataset.copyTarget);
      var status = statusOf(copy);
      if (!field) return;
      copyText(field.value, field).then(
        function () { announce(status, copy.dataset.copied); },
        function () {
          field.focus();
          field.select();
          announce(status, copy.dataset.copyFailed);
        }
      );
      return;
    }

    // Networks that take only the link: the text is copied as the person shares, and the
    // screen says so; the share goes on either way.
    var first = target.closest("button[data-copy-first]");
    if (first) {
      var words = document.getElementById(first.dataset.copyFirst);
      if (words) {
        var message = first.dataset.copied;
        copyText(words.value, null).then(function () {
          window.coroShareCopied = message;
          sayCopied();
        }, function () {});
      }
      return;
    }

    var more = target.closest("button[data-web-share]");
    if (more) {
      webShare(more);
      return;
    }

    var link = target.closest("a[data-share-dialog]");
    if (link && window.htmx && window.HTMLDialogElement && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      openDialog(link);
      return;
    }

    if (target.closest("[data-share-close]")) {
      closeDialog();
    }
  });

  // --- "More…": the phone's share sheet, with the share recorded first ---------------------
  function webShare(button) {
    var form = button.closest("form");
    var status = statusOf(button);
    if (!form || !navigator.share) return;
    var data = new FormData(form);
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(button.dataset.webShare, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.errors) {
          announce(status, answer.errors.join(" "));
          return;
        }
        return navigator.share({ title: answer.title, text: answer.text, url: answer.url });
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return; // the person closed the sheet
        announce(status, button.dataset.shareFailed);
      });
  }

  // --- The dialog on the feed -----------------------------------------------------------
  function ensureDialog(row) {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "share-dialog";
    dialog.setAttribute("aria-labelledby", "share-heading");
    var bar = document.createElement("div");
    bar.className = "share-dialog-bar";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button button-secondary button-small";
    close.setAttribute("data-share-close", "");
    close.textContent = (row && row.dataset.closeLabel) || "Close";
    bar.appendChild(close);
    var body = document.createElement("div");
    body.id = "share-dialog-body";
    dialog.appendChild(bar);
    dialog.appendChild(body);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      body.innerHTML = "";
      if (opener && opener.isConnected) opener.focus();
      opener = null;
    });
    return dialog;
  }

  function openDialog(link) {
    var box = ensureDialog(link.closest("[data-close-label]"));
    opener = link;
    window.htmx
      .ajax("GET", link.href, {
        target: "#share-dialog-body",
        swap: "innerHTML",
        headers: { "X-Coro-Dialog": "1" },
      })
      .then(function () {
        if (!box.open) box.showModal();
        var heading = box.querySelector("#share-heading");
        if (heading) heading.focus();
      });
  }

  function closeDialog() {
    if (dialog && dialog.open) dialog.close();
  }

  // Every request from inside the dialog says so: the screen then leaves out its page links.
  document.addEventListener("htmx:configRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (element instanceof Element && element.closest("dialog.share-dialog")) {
      event.detail.headers["X-Coro-Dialog"] = "1";
    }
  });

  // The live check re-renders the hints and errors region: the field is invalid exactly
  // while that region shows an error.
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.target;
    if (!(region instanceof HTMLElement)) return;
    if (region.id === "share-hints") {
      var field = document.getElementById("id_text");
      if (!field) return;
      if (region.querySelector("#share-errors")) {
        field.setAttribute("aria-invalid", "true");
      } else {
        field.removeAttribute("aria-invalid");
      }
    }
  });

  // A new screen (the dialog's, or an answer that replaced one) is set up.
  document.addEventListener("htmx:load", function (event) {
    var screen = event.target;
    if (!(screen instanceof HTMLElement) || screen.id !== "share-screen") return;
    setUp(screen);
    if (screen.classList.contains("share-done")) sayCopied();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
