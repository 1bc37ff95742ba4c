// Coro's few behaviours in the browser. No inline scripts or event handlers anywhere:
// the Content-Security-Policy allows scripts only from Coro's own static files.
(function () {
  'use strict'

  // A <select data-submit-on-change> sends its form as soon as a choice is made (the
  // language switch); without JavaScript, the form's <noscript> button does it.
  document.addEventListener('change', function (event) {
    const target = event.target
    if (target instanceof HTMLSelectElement && target.hasAttribute('data-submit-on-change') && target.form) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit()
    }
  })
})()
