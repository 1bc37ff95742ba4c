// The bell in the header (notifications/_bell.html) asks for its unread count again, through
// htmx, at most once a minute while the person is using the page (a click, a key, a scroll,
// coming back to the tab) and at once when they come back to the tab after a minute or more.
// A page left alone asks nothing: tabs left open all day cost the server nothing, and
// nothing changes on a screen nobody is looking at. The server answers 204 when the count
// shown is still right, so the live region around the bell speaks only when it changed.
(function () {
  'use strict'

  let last = Date.now()

  function refresh () {
    const bell = document.getElementById('notification-bell')
    if (!bell || !window.htmx || document.visibilityState === 'hidden') return
    const every = Number(bell.getAttribute('data-refresh-after')) || 60000
    if (Date.now() - last < every) return
    last = Date.now()
    window.htmx.trigger(bell, 'coro-bell-refresh')
  }

  ['pointerdown', 'keydown', 'scroll', 'focus'].forEach(function (name) {
    window.addEventListener(name, refresh, { capture: true, passive: true })
  })
  document.addEventListener('visibilitychange', refresh)
})()
