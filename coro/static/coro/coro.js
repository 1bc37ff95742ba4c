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

// After htmx swaps a part of the page, the focus would fall back to <body> (the button
// pressed is gone with the old part): move it to what the new part marks
// data-focus-after-swap (a status message or a heading, with tabindex="-1"), so keyboard and
// screen reader users stay where they were and hear what happened. Used by the post images panel.
document.addEventListener('htmx:afterSettle', function (event) {
  const target = event.detail && event.detail.target
  if (!(target instanceof Element)) return
  // An outerHTML swap replaces the target: find its successor by id.
  const part = target.isConnected ? target : (target.id && document.getElementById(target.id))
  if (!part) return
  const focus = part.matches('[data-focus-after-swap]') ? part : part.querySelector('[data-focus-after-swap]')
  if (focus instanceof HTMLElement) focus.focus()
})

// On a phone the main menu is one row that scrolls sideways: show the current page's link.
document.addEventListener('DOMContentLoaded', function () {
  const nav = document.querySelector('.mainnav')
  const current = nav && nav.querySelector('[aria-current="page"]')
  if (current instanceof HTMLElement && nav.scrollWidth > nav.clientWidth) {
    nav.scrollLeft = current.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2
  }
})
