// Refreshes the dashboard's live part in place (keeps scroll position and the
// header). Served from the hub (CSP default-src 'self'); no inline script.
(function () {
  var live = document.getElementById('live');
  if (!live) return;
  var seconds = Number(document.body.getAttribute('data-refresh')) || 10;
  // A notice after Retry/Discard is shown once; a reload should not repeat it.
  if (window.location.search.indexOf('notice=') !== -1 && window.history.replaceState) {
    window.history.replaceState(null, '', '/admin');
  }
  function tick() {
    if (document.hidden) return;
    fetch('/admin/live', { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) {
        if (r.redirected || r.status === 401) { window.location.assign('/admin/login'); return null; }
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      })
      .then(function (html) { if (html !== null) live.innerHTML = html; })
      .catch(function () {
        var u = live.querySelector('.updated');
        if (u) u.textContent = 'The hub did not answer the last refresh; retrying.';
      });
  }
  window.setInterval(tick, seconds * 1000);
})();
