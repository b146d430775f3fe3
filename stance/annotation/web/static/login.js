// Sign in with the token in the URL's fragment (never sent in a request line), then forget it.
(function () {
  "use strict";
  const status = document.getElementById("login-status");
  const found = /(?:^#|&)token=([A-Za-z0-9_-]{10,200})/.exec(location.hash);
  history.replaceState(null, "", "/login");
  if (!found) {
    status.textContent = "Open the private URL that `stance serve` printed for you.";
    return;
  }
  fetch("/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: found[1] }),
    credentials: "same-origin",
  })
    .then((r) => (r.ok ? r.json() : r.json().then((d) => Promise.reject(new Error(d.error)))))
    .then((d) => location.replace(d.next))
    .catch((e) => { status.textContent = "Cannot sign in: " + e.message; });
})();
