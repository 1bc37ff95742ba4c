// The share screen (sharing/_screen.html), as a page or as a dialog on the feed:
// - the feed's network buttons open the screen in a <dialog> (htmx GET of the screen alone);
//   Escape and the close button (in the card's header) close it, and the focus goes back to
//   the button that opened it. Once the text was changed, closing (or a link that leaves
//   the dialog) asks first. Without JavaScript the buttons are links to the screen's own page;
// - the preview follows the text as it is typed;
// - networks whose share page takes only the link (LinkedIn, Facebook, Xing): "Copy my text",
//   and the share button copies the text first and says so;
// - after the share is recorded, the network's page opens (data-share-open). "Copy text"
//   copies the preview (the text and the real tracked link, reserved by the screen) in the
//   click itself, as browsers (Safari) allow only then; the share is recorded as the form
//   is sent;
// - "More…": the phone's own share sheet (Web Share API), hidden where there is none. It
//   opens in the click itself with the screen's reserved link, and the share is recorded
//   alongside (fetch keepalive);
// - the live counter's numbers are seen as they change, but said to screen readers only
//   when the text goes over the limit, fits again or has fewer than 20 characters left;
// - the text field's aria-invalid kept in step with the live check's errors.
// Loaded by every post card: it sets itself up once.
(function () {
  "use strict";
  if (window.coroShare) return;
  window.coroShare = true;

  var dialog = null;
  var opener = null;
  // Whether the person changed the text in the dialog (closing then asks first).
  var edited = false;
  // Whether the click on "Copy text" copied already (the page after it then does not).
  var copiedInClick = false;
  // A fill-in prompt left in the text: the server refuses it, so nothing leaves first.
  var PROMPT = /\[\[[^\]]*\]\]/;
  var MAX_TEXT = 3500;

  function words(field) {
    return field.value.replace(/\r\n?/g, "\n").trim();
  }

  function mayLeave(field) {
    var text = words(field);
    return text.length > 0 && text.length <= MAX_TEXT && !PROMPT.test(text);
  }

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
    var status = screen.querySelector("#share-copy-status") || screen.querySelector("#share-status");
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
    root.querySelectorAll(".share-screen .counter[aria-live]").forEach(function (counter) {
      // The visible count follows every pause in typing; #share-counter-live speaks.
      counter.setAttribute("aria-live", "off");
      counter.dataset.state = counterState(counter);
    });
    root.querySelectorAll("[data-copy-now]").forEach(function (field) {
      var status = statusOf(field);
      if (copiedInClick) {
        copiedInClick = false;
        announce(status, field.dataset.copied);
        return;
      }
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
    if (dialog && dialog.contains(field)) edited = true;
  });

  // --- The counter: said only when it matters -----------------------------------------------
  function counterState(counter) {
    if (counter.querySelector(".counter-over")) return "over";
    var number = parseInt(counter.textContent.replace(/[^0-9]/g, ""), 10);
    return !isNaN(number) && number < 20 ? "few" : "ok";
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var counter = event.target;
    if (!(counter instanceof HTMLElement) || !counter.classList.contains("counter")) return;
    var screen = counter.closest(".share-screen");
    var live = screen && screen.querySelector("#share-counter-live");
    if (!live) return;
    var before = counter.dataset.state || "ok";
    var now = counterState(counter);
    counter.dataset.state = now;
    if (now === before) return;
    if (now === "over") announce(live, live.dataset.over);
    else if (before === "over") announce(live, live.dataset.under);
    else if (now === "few") announce(live, live.dataset.few);
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

    // "Copy text": the preview is exactly what is copied (text, blank line, real link);
    // copied now, in the click, and the form goes on to record the share.
    var copyPreview = target.closest("button[data-copy-preview]");
    if (copyPreview) {
      var form = copyPreview.closest("form");
      var text = form && form.querySelector("#id_text");
      var preview = document.getElementById(copyPreview.dataset.copyPreview);
      if (text && preview && mayLeave(text)) {
        copiedInClick = true;
        copyText(preview.textContent, null).then(null, function () { copiedInClick = false; });
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
      if (mayDiscard()) closeDialog(true);
      return;
    }

    // A link that leaves the dialog (My networks...) loses the changed text: asked first.
    var away = target.closest("a[href]");
    if (away && dialog && dialog.contains(away) && !away.hasAttribute("data-share-open")) {
      if (!mayDiscard()) event.preventDefault();
    }
  });

  function mayDiscard() {
    if (!edited || !dialog) return true;
    var close = dialog.querySelector("[data-share-close]");
    var question = (close && close.dataset.discard) || "";
    return !question || window.confirm(question);
  }

  // --- "More…": the phone's share sheet ----------------------------------------------------
  // The screen reserved the link, so the sheet opens in the click itself (Safari allows it
  // only then) and the share is recorded alongside. A text the server would refuse (a
  // fill-in prompt, too long) is sent first, and its errors said.
  function record(button, form) {
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(button.dataset.webShare, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    }).then(function (response) { return response.json(); });
  }

  function webShare(button) {
    var form = button.closest("form");
    var field = form && form.querySelector("#id_text");
    var status = statusOf(button);
    if (!form || !field || !navigator.share) return;
    var failed = function (error) {
      if (error && error.name === "AbortError") return; // the person closed the sheet
      announce(status, button.dataset.shareFailed);
    };
    if (!mayLeave(field)) {
      record(button, form).then(function (answer) {
        if (answer.errors) announce(status, answer.errors.join(" "));
      }).catch(failed);
      return;
    }
    var shared;
    try {
      shared = navigator.share({
        title: button.dataset.shareTitle || "",
        text: words(field),
        url: button.dataset.shareUrl,
      });
    } catch (error) {
      failed(error);
      return;
    }
    record(button, form).catch(function () {});
    Promise.resolve(shared).then(function () { edited = false; }, failed);
  }

  // --- The dialog on the feed -----------------------------------------------------------
  // The close button is the screen's own (in the card's header row).
  function ensureDialog() {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "share-dialog";
    dialog.setAttribute("aria-labelledby", "share-heading");
    var body = document.createElement("div");
    body.id = "share-dialog-body";
    dialog.appendChild(body);
    document.body.appendChild(dialog);
    // Escape: asked first when the text was changed.
    dialog.addEventListener("cancel", function (event) {
      if (!mayDiscard()) event.preventDefault();
      else edited = false;
    });
    dialog.addEventListener("close", function () {
      body.innerHTML = "";
      edited = false;
      if (opener && opener.isConnected) opener.focus();
      opener = null;
    });
    return dialog;
  }

  function openDialog(link) {
    var box = ensureDialog();
    opener = link;
    edited = false;
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

  function closeDialog(asked) {
    if (asked) edited = false;
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
    if (screen.classList.contains("share-done")) {
      edited = false; // shared: nothing is lost by closing now
      sayCopied();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
