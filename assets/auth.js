/* CCHC Pulse: when the server answers a callback with `X-Pulse-Reload` (the session ended, a screen's token was
   revoked or expired, or the page asked for is not allowed), load the address again, so that the server's own page
   says why (the sign-in page, "this screen's token is no longer valid", "not allowed to see this page"). */
(function () {
  var original = window.fetch;
  if (!original) { return; }
  window.fetch = function () {
    return original.apply(this, arguments).then(function (response) {
      if (response.headers.get("X-Pulse-Reload")) {
        window.location.reload();
      }
      return response;
    });
  };
})();
